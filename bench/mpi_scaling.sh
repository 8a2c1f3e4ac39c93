#!/usr/bin/env bash
# Strong scaling over MPI ranks (issue 15): a 16-point Fock sweep (`qbnet sweep`) and 400 trajectories
# (`qbnet run --engine trajectories`) at -np 1 and -np 2, one OpenMP thread per rank, REPEATS times
# each, interleaved (so that a change in the machine's load hits both). Prints each wall time, the load
# average before each run, and the parallel efficiency E = T(1) / (2 T(2)) from the medians. Also
# checks that the outputs are byte-identical at -np 1 and -np 2.
# Sizes: CUTOFF (sweep, D = CUTOFF^3) and TCUTOFF (trajectories) keep the whole bench at a few minutes.
# Usage: bench/mpi_scaling.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
BUILD=${1:-build}
REPEATS=${2:-3}
QBNET=$(realpath "$BUILD/qbnet")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT_FLAG=""
[ "$(id -u)" = 0 ] && ROOT_FLAG="--allow-run-as-root"

# Cascaded NC chain, N = 2, D = CUTOFF^3; J spans the regime from weak to strong coupling, so the
# points differ in cost (the solver's iteration count depends on J).
CUTOFF=${CUTOFF:-6}
cat >"$WORK/s.toml" <<TOML
[network]
topology = "cascaded"
batteries = 2
coupling = "nonreciprocal"
J = 0.0015
[drive]
epsilon = 0.001
[reservoirs]
kappa = 0.003
n_th = 0.2
[fock]
cutoff = $CUTOFF
TOML
# fock.tolerance = 0.5: the points are timed, not judged (no exit 4 and MPI abort banner per run).
SWEEP=(sweep "$WORK/s.toml" --engine fock --param network.J --values 3e-4:6e-3:16:log --set fock.tolerance=0.5 --threads 1 -q)

# 400 trajectories of a cascaded NC chain (N = 2, D = TCUTOFF^3, thermal baths: many jumps), the time
# series with error bars; the batches (32) are spread over the ranks and reduced in batch order.
TCUTOFF=${TCUTOFF:-6}
cat >"$WORK/t.toml" <<TOML
[network]
topology = "cascaded"
batteries = 2
coupling = "nonreciprocal"
J = 0.5
[drive]
epsilon = 0.4
[reservoirs]
kappa = 1.0
n_th = 0.2
apply_to = "all"
[fock]
cutoff = $TCUTOFF
[time]
t_end = 15.0
samples = 31
[steady_state]
enabled = false
[trajectories]
count = 400
seed = 1
TOML
TRAJ=(run "$WORK/t.toml" --engine trajectories --threads 1 -q)

run() {   # ranks out_dir args... -> "wall_seconds cpu_seconds" (cpu: user + sys of the qbnet ranks, not mpiexec)
    local np=$1 out=$2
    shift 2
    rm -rf "$out" "$WORK"/cpu.*
    local t0 t1
    t0=$(date +%s.%N)
    OMP_NUM_THREADS=1 mpiexec -n "$np" --oversubscribe $ROOT_FLAG --bind-to none -x OMP_NUM_THREADS \
        sh -c 'exec /usr/bin/time -f "%U %S" -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$WORK/cpu" \
        "$QBNET" "$@" --out "$out" >/dev/null 2>"$WORK/stderr.txt" || { rc=$?; [ $rc = 4 ] || { echo "FAIL: qbnet exit $rc" >&2; cat "$WORK/stderr.txt" >&2; exit 1; }; }
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc -l) $(cat "$WORK"/cpu.* | awk '{s += $1 + $2} END {printf "%.3f", s}')"
}
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# measure NAME FILE_TO_COMPARE ARGS...: REPEATS interleaved np1 / np2 runs, medians, efficiency.
measure() {
    local name=$1 file=$2
    shift 2
    local t1s=() t2s=() c1s=() c2s=() r a ca b cb load load2
    for r in $(seq "$REPEATS"); do
        load=$(cut -d' ' -f1 /proc/loadavg)
        read -r a ca < <(run 1 "$WORK/np1" "$@"); t1s+=("$a"); c1s+=("$ca")
        load2=$(cut -d' ' -f1 /proc/loadavg)
        read -r b cb < <(run 2 "$WORK/np2" "$@"); t2s+=("$b"); c2s+=("$cb")
        printf "%s repeat %d: np1 %.2f s wall %.2f s cpu (load %s)  np2 %.2f s wall %.2f s cpu (load %s)\n" \
            "$name" "$r" "$a" "$ca" "$load" "$b" "$cb" "$load2"
        compare "$file" || { echo "FAIL: $name: $file differs between -np 1 and -np 2"; exit 1; }
    done
    local m1 m2 mc1 mc2
    m1=$(median "${t1s[@]}"); m2=$(median "${t2s[@]}")
    printf "%s median: np1 %.2f s, np2 %.2f s, speed-up %.3f, parallel efficiency %.3f (goal >= 0.85)\n" \
        "$name" "$m1" "$m2" "$(echo "$m1 / $m2" | bc -l)" "$(echo "$m1 / (2 * $m2)" | bc -l)"
    mc1=$(median "${c1s[@]}"); mc2=$(median "${c2s[@]}")
    printf "%s median cpu: np1 %.2f s, np2 %.2f s (all ranks): efficiency bound from the cpu time %.3f\n" \
        "$name" "$mc1" "$mc2" "$(echo "$mc1 / $mc2" | bc -l)"
}

# The sweep's CSV must be the same bytes; the trajectories' time series too (wall_s in summary.json
# differs from run to run, the CSV holds every figure with 17 digits).
compare() { cmp -s "$WORK/np1/$1" "$WORK/np2/$1"; }

echo "# mpi_scaling: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), 1 OpenMP thread per rank, $REPEATS repeats"
echo "# 1) 16-point Fock sweep, D = $((CUTOFF ** 3))"
measure sweep sweep.csv "${SWEEP[@]}"
echo "# 2) 400 trajectories (32 batches), D = $((TCUTOFF ** 3)), 31 samples"
measure trajectories timeseries-trajectories.csv "${TRAJ[@]}"
echo "outputs identical at -np 1 and -np 2: yes (sweep.csv, timeseries-trajectories.csv)"
