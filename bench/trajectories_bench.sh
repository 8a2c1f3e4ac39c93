#!/usr/bin/env bash
# Trajectory engine benchmark (issue 14). Usage: bench/trajectories_bench.sh [BUILD_DIR] [BEFORE_BINARY]
#  1. qbnet --engine trajectories vs QuTiP mcsolve, same model (cascaded NC N = 2, thermal baths), D = 216,
#     500 trajectories, same times and tolerances: whole-process wall times, REPEATS interleaved rounds of
#     qbnet (taylor), qbnet (dopri5), [BEFORE_BINARY: an older qbnet, its default], QuTiP mcsolve (zvode adams,
#     its default; parallel_map over THREADS processes), then one QuTiP run with zvode bdf.
#  2. Scale: N = 3 at cutoff 18 (D = 104 976), 100 trajectories (QBNET_BENCH_SCALE_COUNT): wall time, CPU
#     time and peak RSS (/usr/bin/time).
#  3. Trajectories per second against D (cutoff 4..12 at N = 2, 100 trajectories).
# Raw outputs in bench/out/trajectories/, a table of every run in RESULTS-trajectories.md there, with the
# load average before each run. Every run has a timeout (QBNET_BENCH_TIMEOUT, default 1800 s).
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BEFORE=${2:-}
QBNET=$BUILD/qbnet
PY=/usr/bin/python3
TIMEOUT=${QBNET_BENCH_TIMEOUT:-1800}
THREADS=${QBNET_BENCH_THREADS:-$(nproc)}
REPEATS=${QBNET_BENCH_REPEATS:-3}
SKIP_QUTIP_BDF=${QBNET_BENCH_SKIP_BDF:-0}
SCALE_COUNT=${QBNET_BENCH_SCALE_COUNT:-100}   # 0: no scale row
OUT=bench/out/trajectories
mkdir -p "$OUT"
: > "$OUT/runs.txt"
SCEN=bench/scenarios/nc_thermal.toml
# The scenario fixes the model (kappa 0.003, J 0.0015, eps 0.001, n_th 0.5 on all modes), as qutip_bench.model().
TEND=3000; SAMPLES=31
common="--set time.t_end=$TEND --set time.samples=$SAMPLES --set time.atol=1e-8 --set time.rtol=1e-6 --set steady_state.enabled=false"

# wall NAME CMD...: whole-process wall time, CPU seconds (user + system, children included) and peak RSS,
# with the load average just before. A run cut short (timeout) is recorded with its times so far.
wall() {
  local name=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time" timeout "$TIMEOUT" "$@"
  local w u s m
  read -r w u s m < <(tail -n 1 "$OUT/$name.time")
  echo "$name $w $(echo "$u + $s" | bc) $((m / 1024)) $load" >> "$OUT/runs.txt"
}
have_qutip=0
$PY -c "import qutip" 2>/dev/null && have_qutip=1

# 1. D = 216 vs mcsolve, interleaved
d216="$common --set network.batteries=2 --set fock.cutoff=6 --set trajectories.count=500"
for rep in $(seq 1 "$REPEATS"); do
  wall "qbnet_taylor_216_r$rep" "$QBNET" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/q216t" \
    $d216 --set trajectories.integrator=taylor > "$OUT/qbnet_taylor_216.log" 2>&1
  wall "qbnet_dopri5_216_r$rep" "$QBNET" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/q216d" \
    $d216 --set trajectories.integrator=dopri5 > "$OUT/qbnet_dopri5_216.log" 2>&1
  if [ -n "$BEFORE" ]; then
    wall "qbnet_before_216_r$rep" "$BEFORE" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/q216b" \
      $d216 > "$OUT/qbnet_before_216.log" 2>&1
  fi
  if [ $have_qutip = 1 ]; then
    OMP_NUM_THREADS=1 wall "qutip_adams_216_r$rep" $PY bench/py/qutip_mcsolve.py 2 6 500 $TEND $SAMPLES adams "$THREADS" \
      > "$OUT/qutip_adams_216_r$rep.json" 2> "$OUT/qutip_216.log"
  fi
done
if [ $have_qutip = 1 ] && [ "$SKIP_QUTIP_BDF" != 1 ]; then
  OMP_NUM_THREADS=1 wall "qutip_bdf_216" $PY bench/py/qutip_mcsolve.py 2 6 500 $TEND $SAMPLES bdf "$THREADS" \
    > "$OUT/qutip_bdf_216.json" 2>> "$OUT/qutip_216.log"
fi
# 2. Scale: N = 3, cutoff 18
if [ "$SCALE_COUNT" != 0 ]; then
  wall qbnet_scale "$QBNET" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/qscale" \
    $common --set network.batteries=3 --set fock.cutoff=18 --set trajectories.count="$SCALE_COUNT" \
    --set fock.joint_ergotropy_max_dim=1 > "$OUT/qbnet_scale.log" 2>&1
fi
# 3. trajectories per second vs D
for c in 4 6 8 10 12; do
  wall "qbnet_c$c" "$QBNET" run "$SCEN" --engine trajectories --threads "$THREADS" -q --out "$OUT/qc$c" \
    $common --set network.batteries=2 --set fock.cutoff=$c --set trajectories.count=100 > "$OUT/qbnet_c$c.log" 2>&1
done
{
  echo "# Trajectory engine benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $THREADS threads, $(nproc) cores)"
  echo
  echo "| run | wall s | CPU s | peak RSS MB | load average (1 min) before |"
  echo "|---|---|---|---|---|"
  while read -r name w c m load; do echo "| $name | $w | $c | $m | $load |"; done < "$OUT/runs.txt"
} > "$OUT/RESULTS-trajectories.md"
cat "$OUT/RESULTS-trajectories.md"
