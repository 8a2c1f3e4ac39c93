#!/usr/bin/env bash
# Runs the quick validation sections (Figs. 3 and 6: sweeps and their sweep.csv columns; the trajectory
# section: closed-form decay of the standard error and Fock agreement at equal cutoff, with its must-fail
# run) on a copy of validation/, so that a change in qbnet's outputs that breaks a validation script fails
# `make test` instead of the next `make validate`. Usage: validation_scripts.sh QBNET SOURCE_DIR
set -euo pipefail
qbnet=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$src/validation" "$work/"
for s in fig3 fig6 trajectories; do
  (cd "$work/validation/$s" && python3 run.py "$qbnet") > "$work/$s.log" 2>&1 || { echo "validation section $s FAILED:"; tail -20 "$work/$s.log"; exit 1; }
  echo "validation section $s: PASS"
done
