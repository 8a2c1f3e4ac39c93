#!/usr/bin/env bash
# Gaussian steady-state scaling (issue 17 goal 4): the WHOLE `qbnet run --engine gaussian` process on
# cascaded NC and RC chains (bench/scenarios/nc_thermal.toml: kappa = 0.003, J = 0.0015, n_th = 0.5 on
# every mode), N = 500 1000 2000 5000 batteries: wall time, peak RSS (/usr/bin/time -v) and the fitted
# exponent of time vs N; then the in-process breakdown with before/after ratios (build/bench/gaussian_scale).
# Usage: bench/gaussian_scale.sh [BUILD_DIR] [N ...]   Writes bench/out/gaussian_scale.md.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
SIZES=${*:-500 1000 2000 5000}
OUT=bench/out
mkdir -p "$OUT"
MD=$OUT/gaussian_scale.md
THREADS=${QBNET_BENCH_THREADS:-$(nproc)}
echo "Whole \`qbnet run --engine gaussian\` process, $THREADS thread(s), load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >"$MD"
for link in nonreciprocal reciprocal; do
  tag=$( [ $link = nonreciprocal ] && echo NC || echo RC )
  { echo; echo "| link | N | n | whole process s | peak RSS MiB | rc | steady method |"; echo "|---|---|---|---|---|---|---|"; } >>"$MD"
  pts=""
  for n in $SIZES; do
    res=$OUT/gscale_${tag}_N$n
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$res.time" "$BUILD/qbnet" run bench/scenarios/nc_thermal.toml --engine gaussian --quiet \
      --threads "$THREADS" --out "$res.res" --set network.batteries=$n --set network.coupling=$link \
      --set time.t_end=0 >"$res.stdout" 2>"$res.stderr"
    rc=$?
    t1=$(date +%s.%N)
    wall=$(echo "$t1 - $t0" | bc -l)
    rss=$(awk -F: '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$res.time")
    method=$(python3 -c "import json,sys; d=json.load(open('$res.res/summary.json')); print(d['results']['gaussian']['steady_state']['diagnostics']['schur_method'])" 2>/dev/null)
    printf "| %s | %d | %d | %.2f | %s | %d | %s |\n" "$tag" "$n" $((2 * (n + 1))) "$wall" "$rss" "$rc" "$method" >>"$MD"
    pts="$pts $n:$wall"
  done
  python3 - "$tag" $pts >>"$MD" <<'PY'
import math, sys
tag, pts = sys.argv[1], [p.split(":") for p in sys.argv[2:]]
x = [math.log(float(n)) for n, _ in pts]; y = [math.log(float(t)) for _, t in pts]
mx, my = sum(x) / len(x), sum(y) / len(y)
p = sum((a - mx) * (b - my) for a, b in zip(x, y)) / sum((a - mx) ** 2 for a in x)
last = (y[-1] - y[-2]) / (x[-1] - x[-2])
print(f"\n{tag}: fitted exponent of whole-process time vs N: p = {p:.2f} (all sizes), {last:.2f} (two largest)\n")
PY
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$MD"
if [ -x "$BUILD/bench/gaussian_scale" ]; then
  { echo; echo '```'; "$BUILD/bench/gaussian_scale" $SIZES; echo '```'; } >>"$MD"
fi
cat "$MD"
