#!/usr/bin/env bash
# Trajectory engine benchmark (issue 14). Usage: bench/trajectories_bench.sh [BUILD_DIR]
#  1. qbnet --engine trajectories vs QuTiP mcsolve, same model (cascaded NC N = 2, thermal baths), D = 216,
#     500 trajectories, same times and tolerances: whole-process wall times measured in this one run.
#  2. Scale: N = 3 at cutoff 18 (D = 104 976), 100 trajectories: wall time and peak RSS (/usr/bin/time -v).
#  3. Trajectories per second against D (cutoff 4..12 at N = 2).
# Raw outputs in bench/out/trajectories/. Every run has a timeout (QBNET_BENCH_TIMEOUT, default 1800 s).
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
QBNET=$BUILD/qbnet
PY=/usr/bin/python3
TIMEOUT=${QBNET_BENCH_TIMEOUT:-1800}
THREADS=${QBNET_BENCH_THREADS:-$(nproc)}
OUT=bench/out/trajectories
mkdir -p "$OUT"
SCEN=bench/scenarios/nc_thermal.toml
# The scenario fixes the model (kappa 0.003, J 0.0015, eps 0.001, n_th 0.5 on all modes), as qutip_bench.model().
TEND=3000; SAMPLES=31
common="--set time.t_end=$TEND --set time.samples=$SAMPLES --set time.atol=1e-8 --set time.rtol=1e-6 --set steady_state.enabled=false"

wall() { /usr/bin/time -f "%e %M" -o "$1" timeout "$TIMEOUT" "${@:2}"; }

# 1. D = 216 vs mcsolve
wall "$OUT/qbnet_216.time" "$QBNET" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/q216" \
  $common --set network.batteries=2 --set fock.cutoff=6 --set trajectories.count=500 > "$OUT/qbnet_216.log" 2>&1
if $PY -c "import qutip" 2>/dev/null; then
  OMP_NUM_THREADS=$THREADS wall "$OUT/qutip_216.time" $PY bench/py/qutip_mcsolve.py 2 6 500 $TEND $SAMPLES \
    > "$OUT/qutip_216.json" 2> "$OUT/qutip_216.log"
else
  echo "qutip not importable" > "$OUT/qutip_216.log"
fi
# 2. Scale: N = 3, cutoff 18
wall "$OUT/qbnet_scale.time" "$QBNET" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/qscale" \
  $common --set network.batteries=3 --set fock.cutoff=18 --set trajectories.count=100 \
  --set fock.joint_ergotropy_max_dim=1 > "$OUT/qbnet_scale.log" 2>&1
# 3. trajectories per second vs D
for c in 4 6 8 10 12; do
  wall "$OUT/qbnet_c$c.time" "$QBNET" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/qc$c" \
    $common --set network.batteries=2 --set fock.cutoff=$c --set trajectories.count=100 > "$OUT/qbnet_c$c.log" 2>&1
done
{
  echo "# Trajectory engine benchmark ($(date -u +%Y-%m-%d), $THREADS threads)"
  echo
  echo "| run | wall s | peak RSS MB |"
  echo "|---|---|---|"
  for f in "$OUT"/*.time; do
    read -r w m < "$f" 2>/dev/null || continue
    echo "| $(basename "$f" .time) | $w | $((m / 1024)) |"
  done
} > "$OUT/RESULTS-trajectories.md"
cat "$OUT/RESULTS-trajectories.md"
