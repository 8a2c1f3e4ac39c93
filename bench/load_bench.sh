#!/usr/bin/env bash
# Robustness under load (issue 17, goal 0): the bench D = 216 evolution (cascaded NC, N = 2, n_th = 1,
# cutoff 6, t_end = 5000, dopri5) with the default thread count and with --threads 1, while two
# CPU-bound processes run beside it. Goal: default <= 1.5x the --threads 1 time.
# usage: bench/load_bench.sh [QBNET_BINARY] [REPEATS] [BEFORE_BINARY]   (default build/qbnet, 3, none)
# Prints one line per run and a summary row (medians) for bench/RESULTS.md; with BEFORE_BINARY (a build
# of an earlier commit) a second row for it, measured in the same run, interleaved. Timings only.
set -u
cd "$(dirname "$0")/.."
QBNET=${1:-build/qbnet}
REPEATS=${2:-3}
BEFORE=${3:-}
OUT=$(mktemp -d)
SETS="--set network.batteries=2 --set fock.cutoff=6 --set reservoirs.n_th=1 --set time.t_end=5000 --set steady_state.enabled=false"
yes >/dev/null & Y1=$!
yes >/dev/null & Y2=$!
trap 'kill $Y1 $Y2 2>/dev/null; rm -rf "$OUT"' EXIT
sleep 1
one() {   # BINARY ENV... -- ARGS...: prints wall seconds
  local bin=$1; shift
  local envs=(); while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  local t0 t1
  t0=$(date +%s.%N)
  env "${envs[@]}" "$bin" run bench/scenarios/nc_thermal.toml --engine fock --quiet --out "$OUT/r" $SETS "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
declare -A T
variants="default passive one"
[ -n "$BEFORE" ] && variants="$variants b_default b_one"
for r in $(seq "$REPEATS"); do
  for v in $variants; do
    case $v in
      default) s=$(one "$QBNET" -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT --) ;;
      passive) s=$(one "$QBNET" OMP_WAIT_POLICY=PASSIVE --) ;;
      one) s=$(one "$QBNET" -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -- --threads 1) ;;
      b_default) s=$(one "$BEFORE" -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT --) ;;
      b_one) s=$(one "$BEFORE" -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -- --threads 1) ;;
    esac
    T[$v]="${T[$v]:-} $s"
    printf "run %d %-9s %.2f s\n" "$r" "$v" "$s"
  done
done
med() { echo "$@" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
d=$(med ${T[default]}); p=$(med ${T[passive]}); o=$(med ${T[one]})
printf "| D = 216 evolution beside 2 busy processes, %d cores | %.2f s (%.2fx) | %.2f s (%.2fx) | %.2f s |\n" \
  "$(nproc)" "$d" "$(echo "$d / $o" | bc -l)" "$p" "$(echo "$p / $o" | bc -l)" "$o"
if [ -n "$BEFORE" ]; then
  bd=$(med ${T[b_default]}); bo=$(med ${T[b_one]})
  printf "| same, before (%s) | %.2f s (%.2fx) | - | %.2f s |\n" "$BEFORE" "$bd" "$(echo "$bd / $bo" | bc -l)" "$bo"
fi
