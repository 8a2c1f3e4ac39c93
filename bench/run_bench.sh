#!/usr/bin/env bash
# qbnet performance benchmark (issue 6): qbnet against QuTiP / scipy and against the memory-bandwidth
# limit. Usage: bench/run_bench.sh [BUILD_DIR]   (make bench). Writes bench/RESULTS.md, bench/results.json;
# raw outputs under bench/out/. Every external run has a timeout (QBNET_BENCH_TIMEOUT, default 300 s);
# a timed-out run is reported as "> timeout". QBNET_BENCH_QUICK=1 runs the small sizes only.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build-bench}   # make bench builds the benchmark programs there (QBNET_BUILD_BENCH=ON)
QBNET=$BUILD/qbnet
BENCHBIN=$BUILD/bench
PY=/usr/bin/python3   # Debian's interpreter (python3-qutip, -scipy, -numpy), not a pyenv shim
TIMEOUT=${QBNET_BENCH_TIMEOUT:-300}
THREADS=${QBNET_BENCH_THREADS:-$(nproc)}
QUICK=${QBNET_BENCH_QUICK:-0}
OUT=bench/out
SCEN=bench/scenarios/nc_thermal.toml
# QuTiP / scipy runs may not eat the shared machine's memory: cap their address space (KiB).
PYMEM_KB=${QBNET_BENCH_PY_MEM_KB:-16000000}
# QBNET_BENCH_SECTIONS="rhs evolve steady gaussian" (default: all) reruns only some sections; their raw
# outputs in bench/out are replaced, the others kept, and the report is rebuilt from all of them.
SECTIONS=${QBNET_BENCH_SECTIONS:-rhs evolve steady gaussian load}
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
if [ "$SECTIONS" = "rhs evolve steady gaussian load" ]; then rm -rf "$OUT"; fi
mkdir -p "$OUT"

# --- dependencies (Debian packages; installed when running as root) ---------------------------------
need=""
for p in python3-qutip python3-scipy python3-numpy libopenblas0-pthread time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bench: installing$need"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  else
    echo "bench: missing Debian packages:$need (run as root to install them)"; exit 1
  fi
fi
for b in "$QBNET" "$BENCHBIN/fock_rhs" "$BENCHBIN/gaussian_dump" "$BENCHBIN/fock_paths"; do
  [ -x "$b" ] || { echo "bench: $b not built"; exit 1; }
done

# run NAME TIMEOUT CMD...: wall time + peak RSS via /usr/bin/time -v, stdout/stderr kept, rc recorded.
run() {
  local name=$1 limit=$2; shift 2
  local t0=$(date +%s.%N)
  timeout "$limit" /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"
  local rc=$?
  local t1=$(date +%s.%N)
  local wall=$(printf "%.6f" "$(echo "$t1 - $t0" | bc -l)")   # bc prints ".23": not JSON
  echo "{\"rc\": $rc, \"wall_s\": $wall, \"timeout_s\": $limit}" >"$OUT/$name.run.json"
  echo "  $name: rc=$rc wall=$wall s"
}
skip() {    # NAME REASON: a run not attempted (reported with its reason, never silently dropped)
  echo "{\"rc\": -1, \"wall_s\": null, \"timeout_s\": $TIMEOUT, \"skipped\": \"$2\"}" >"$OUT/$1.run.json"
  echo "  $1: skipped ($2)"
}
runpy() {   # Python runs: address-space cap, one BLAS thread policy left to OpenBLAS (all cores)
  local name=$1 limit=$2; shift 2
  ( ulimit -v "$PYMEM_KB"; run "$name" "$limit" "$PY" bench/py/qutip_bench.py "$@" )
}
# The code paths before issue 6's optimisations, selected through the library's option fields by
# bench/fock_paths (the library reads no environment variables): serial odeint algebra; Sylvester
# preconditioner with GMRES(24), modified Gram-Schmidt and the residual in the model's time units.
# fock_paths calls the solver without the CLI's observables and output (a slight advantage to "before").
qb_before() {
  local name=$1; shift
  local task=steady; case "$name" in *evolve*) task=evolve ;; esac
  local sets=(); while [ $# -gt 0 ]; do [ "$1" = --set ] && { sets+=("$2"); shift 2; continue; }; shift; done
  run "$name" "$TIMEOUT" "$BENCHBIN/fock_paths" "$SCEN" "$task" before "$THREADS" "$OUT/$name.res" "${sets[@]}"
}
qb() {      # qbnet run on the bench scenario: NAME [--set ...]
  local name=$1; shift
  run "$name" "$TIMEOUT" "$QBNET" run "$SCEN" --engine fock --threads "$THREADS" --quiet --out "$OUT/$name.res" "$@"
}

{ echo "{\"nproc\": $(nproc), \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\","
  echo " \"threads\": $THREADS, \"load_start\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"date\": \"$(date -Is)\","
  echo " \"mem_total_kb\": $(grep MemTotal /proc/meminfo | awk '{print $2}'), \"timeout_s\": $TIMEOUT}"; } >"$OUT/machine.json"

# --- 1. Fock RHS vs plain copy -------------------------------------------------------------------------
if want rhs; then
echo "bench: Fock RHS vs memcpy"
if [ "$QUICK" = 1 ]; then RHS_CASES="2:6 3:6"; else RHS_CASES="2:6 3:6 3:8 2:20 3:10"; fi
run fock_rhs 600 "$BENCHBIN/fock_rhs" $RHS_CASES

fi

# --- 2. Fock time evolution vs QuTiP mesolve -------------------------------------------------------------
if want evolve; then
# Cascaded NC, thermal n_th = 0.5; t_end = 12000 (kappa t = 36): the state is within 1e-6 of the steady state
# (checked below against the steady state of the same cutoff).
echo "bench: Fock evolution vs mesolve"
EVO_T=12000; EVO_S=25
# QBNET_BENCH_EVO_CASES="2:6" skips the D = 1296 runs (dopri5 ~200 s, QuTiP past its timeout).
for nc in ${QBNET_BENCH_EVO_CASES:-2:6 3:6}; do
  n=${nc%:*}; c=${nc#*:}
  # "evolve_" rows are dopri5 (named: the default is krylov since issue 17's Krylov integrator).
  qb "evolve_N${n}_c${c}" --set network.batteries=$n --set fock.cutoff=$c --set time.t_end=$EVO_T \
     --set time.samples=$EVO_S --set steady_state.enabled=false --set time.integrator=dopri5
  qb "evolve_krylov_N${n}_c${c}" --set network.batteries=$n --set fock.cutoff=$c --set time.t_end=$EVO_T \
     --set time.samples=$EVO_S --set steady_state.enabled=false
  qb_before "before_evolve_N${n}_c${c}" --set network.batteries=$n --set fock.cutoff=$c --set time.t_end=$EVO_T \
     --set time.samples=$EVO_S --set steady_state.enabled=false
  # Equal work (issue 17 goal 3): ONE evolution at QuTiP's cutoff, without the truncation-error ladder that
  # `qbnet run` adds (rungs c-3..c, issue 12; FockOptions::error_estimate has no scenario key): bench/fock_paths
  # "after" = the library's default paths, whole process timed (model, Liouvillian, evolution; no output
  # files). Interleaved with mesolve, QBNET_BENCH_EVO_REPEATS times (the report takes medians); the first
  # mesolve run is also the accuracy reference of the tables.
  one=(network.batteries=$n fock.cutoff=$c time.t_end=$EVO_T time.samples=$EVO_S steady_state.enabled=false)
  reps=${QBNET_BENCH_EVO_REPEATS:-3}
  [ $(( c ** (n + 1) )) -gt 1000 ] && reps=1   # D = 1296: mesolve alone passes 300 s; one round
  for r in $(seq 1 "$reps"); do
    sfx=$( [ "$r" = 1 ] || echo "_r$r" )
    run "one_dopri5_N${n}_c${c}_r$r" "$TIMEOUT" "$BENCHBIN/fock_paths" "$SCEN" evolve after "$THREADS" \
        "$OUT/one_dopri5_N${n}_c${c}_r$r.res" "${one[@]}" time.integrator=dopri5
    # krylov (the default, "auto" in the lab frame) at the default tolerances, and at QuTiP's accuracy
    # (atol 1e-6 / rtol 1e-4: its error is still below mesolve's, bench/RESULTS.md section 2).
    run "one_krylov_N${n}_c${c}_r$r" "$TIMEOUT" "$BENCHBIN/fock_paths" "$SCEN" evolve after "$THREADS" \
        "$OUT/one_krylov_N${n}_c${c}_r$r.res" "${one[@]}"
    run "one_krylovEq_N${n}_c${c}_r$r" "$TIMEOUT" "$BENCHBIN/fock_paths" "$SCEN" evolve after "$THREADS" \
        "$OUT/one_krylovEq_N${n}_c${c}_r$r.res" "${one[@]}" time.atol=1e-6 time.rtol=1e-4
    runpy "mesolve_N${n}_c${c}${sfx}" "$TIMEOUT" mesolve "$n" "$c" "$EVO_T" "$EVO_S"
    run "one_rkc_N${n}_c${c}_r$r" "$TIMEOUT" "$BENCHBIN/fock_paths" "$SCEN" evolve after "$THREADS" \
        "$OUT/one_rkc_N${n}_c${c}_r$r.res" "${one[@]}" time.integrator=rkc time.atol=1e-10 time.rtol=1e-8
  done
  # Runge-Kutta-Chebyshev (time.integrator = "rkc"), tolerances 100x tighter so that its error (RMS norm,
  # second order) is at or below QuTiP's; both are compared with the dopri5 run (stability-limited, ~3e-9).
  [ "${QBNET_BENCH_RKC:-1}" = 1 ] && qb "evolve_rkc_N${n}_c${c}" --set network.batteries=$n --set fock.cutoff=$c \
     --set time.t_end=$EVO_T --set time.samples=$EVO_S --set steady_state.enabled=false \
     --set time.integrator=rkc --set time.atol=1e-10 --set time.rtol=1e-8
  qb "evolve_ss_N${n}_c${c}" --set network.batteries=$n --set fock.cutoff=$c --set time.t_end=0 --set steady_state.tol=1e-12
done
# Peak memory of the Fock evolution at D = 1296 (issue 17 goal 6: <= 10 copies of rho): a short run of each
# integrator (the state vectors are allocated up front; the peak does not depend on t_end).
for integ in dopri5 rkc krylov; do
  qb "evolve_mem_${integ}_N3_c6" --set network.batteries=3 --set fock.cutoff=6 --set time.t_end=300 \
     --set time.samples=3 --set steady_state.enabled=false --set time.integrator=$integ
done

fi

# --- 3. Fock steady state vs QuTiP steadystate -----------------------------------------------------------
if want steady; then
echo "bench: Fock steady state vs steadystate"
# D = 64 and 125 are added so that QuTiP's direct and ILU-iterative solvers have sizes they finish.
if [ "$QUICK" = 1 ]; then SS_CASES="2:4 2:6"; else SS_CASES="2:4 2:5 2:6 2:10 3:8"; fi
QUTIP_SS_GIVEUP=""   # set once every QuTiP method timed out at some D: larger D are then skipped
# QuTiP rows (issue 17 goal 5): its defaults and its strongest options available here (QuTiP 4.7.1):
# a reverse Cuthill-McKee ordering with SuperLU in the natural order of that ordering (the default COLAMD
# fills in badly on this Liouvillian: "direct" took 55 s at D = 125, MMD_AT_PLUS_A did not finish D = 64
# in 120 s), and the iterative solvers with RCM and a sparser ILU (drop_tol 1e-3, fill_factor 10 instead
# of 1e-4 and 100). report.py prints each row's settings (qutip_bench.py echoes them).
QUTIP_SS_ROWS="direct direct-rcm iterative-gmres lgmres-rcm-ilu bicgstab-rcm-ilu"
qutip_ss_settings() {   # ROW -> "METHOD JSON" (the JSON without spaces: word splitting)
  case $1 in
    direct) echo 'direct {}' ;;
    iterative-gmres) echo 'iterative-gmres {}' ;;
    direct-rcm) echo 'direct {"use_rcm":true,"permc_spec":"NATURAL"}' ;;
    lgmres-rcm-ilu) echo 'iterative-lgmres {"use_rcm":true,"drop_tol":1e-3,"fill_factor":10}' ;;
    bicgstab-rcm-ilu) echo 'iterative-bicgstab {"use_rcm":true,"drop_tol":1e-3,"fill_factor":10}' ;;
    *) echo "$1 {}" ;;
  esac
}
for nc in $SS_CASES; do
  n=${nc%:*}; c=${nc#*:}
  qb "steady_N${n}_c${c}" --set network.batteries=$n --set fock.cutoff=$c --set time.t_end=0 --set steady_state.tol=1e-10
  d=$(( c ** (n + 1) ))
  # The old path at D = 4096 would hold 28 copies of rho (7 GB) and did not finish in 500 s before: skipped.
  if [ "$d" -lt 4096 ]; then
    qb_before "before_steady_N${n}_c${c}" --set network.batteries=$n --set fock.cutoff=$c --set time.t_end=0 \
       --set steady_state.tol=1e-10 --set steady_state.method=krylov
  else
    skip "before_steady_N${n}_c${c}" "old path needs 28 copies of rho (7 GB); it did not finish in 500 s at D = 4096"
  fi
  if [ "$d" -le 1000 ]; then methods="$QUTIP_SS_ROWS"; else methods="$BEST_SS_METHOD"; fi
  finished=0
  for m in $methods; do
    if [ -n "$QUTIP_SS_GIVEUP" ]; then skip "steadystate_N${n}_c${c}_${m}" "$QUTIP_SS_GIVEUP"; continue; fi
    set -- $(qutip_ss_settings "$m")
    runpy "steadystate_N${n}_c${c}_${m}" "$TIMEOUT" steadystate "$n" "$c" "$1" 1e-10 "$2"
    grep -q '"rc": 0' "$OUT/steadystate_N${n}_c${c}_${m}.run.json" && finished=1
  done
  if [ -z "$QUTIP_SS_GIVEUP" ] && [ "$finished" = 0 ]; then
    QUTIP_SS_GIVEUP="every QuTiP method timed out at D = $d"
  fi
  if [ "$d" -le 1000 ]; then   # the fastest QuTiP method so far is the one tried at D = 4096
    BEST_SS_METHOD=$("$PY" bench/py/report.py best-steady "$OUT" "N${n}_c${c}")
  fi
done

fi

# --- load: robustness beside two CPU-bound processes (issue 17, goal 0) --------------------------------
if want load; then
echo "bench: D = 216 evolution beside two busy processes"
bench/load_bench.sh "$QBNET" 3 >"$OUT/load.txt" 2>&1
tail -1 "$OUT/load.txt"
fi

# --- 4. Gaussian steady state vs scipy solve_continuous_lyapunov -------------------------------------
if want gaussian; then
echo "bench: Gaussian steady state vs scipy"
if [ "$QUICK" = 1 ]; then GN="100 300"; else GN="100 300 1000"; fi
# Both link types: NC (triangular Schur form from the graph) and RC (normal drift, dense eigensolver).
for link in nonreciprocal reciprocal; do
  tag=$( [ $link = nonreciprocal ] && echo nc || echo rc )
  for n in $GN; do
    run "gdump_${tag}_N$n" "$TIMEOUT" "$BENCHBIN/gaussian_dump" "$SCEN" "$OUT/g_${tag}_N$n" network.batteries=$n \
        network.coupling=$link
    run "gauss_${tag}_N$n" "$TIMEOUT" "$QBNET" run "$SCEN" --engine gaussian --threads "$THREADS" --quiet \
        --out "$OUT/gauss_${tag}_N$n.res" --set network.batteries=$n --set network.coupling=$link --set time.t_end=0
    runpy "lyap_${tag}_N$n" "$TIMEOUT" lyapunov "$OUT/g_${tag}_N$n"
  done
done

fi

# --- Gaussian scaling N = 500 .. 5000 (issue 17 goal 4; opt-in: QBNET_BENCH_SECTIONS="gscale") ------------
# Its table goes into RESULTS.md by hand under "## Gaussian engine scaling" (report.py keeps that section).
if want gscale; then
echo "bench: Gaussian scaling (bench/gaussian_scale.sh)"
bench/gaussian_scale.sh "$BUILD" >/dev/null
echo "  written: $OUT/gaussian_scale.md"
fi

echo "{\"load_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >"$OUT/machine_end.json"
"$PY" bench/py/report.py report "$OUT" bench/RESULTS.md bench/results.json
