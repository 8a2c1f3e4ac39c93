#!/usr/bin/env bash
# Displaced-frame Fock engine vs Gaussian engine at the paper's parameters (issue 7).
# Usage: validation/displaced_overlay/run.sh <path-to-qbnet>
# Writes overlay.csv, timeseries.csv, overlay.png and section.md next to this script; exit 1 on FAIL.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
qbnet="${1:-${QBNET:-qbnet}}"
exec python3 "$here/overlay.py" "$qbnet" "$here"
