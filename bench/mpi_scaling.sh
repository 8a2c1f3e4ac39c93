#!/usr/bin/env bash
# Strong scaling of `qbnet sweep` over MPI ranks (issue 15): a 16-point Fock sweep at -np 1 and -np 2,
# one OpenMP thread per rank, REPEATS times each, interleaved (so that a change in the machine's load
# hits both). Prints each wall time, the load average before each run, and the parallel efficiency
# E = T(1) / (2 T(2)) from the medians. Also checks that the two outputs are byte-identical.
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
CUTOFF=${CUTOFF:-9}
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
ARGS=(sweep "$WORK/s.toml" --engine fock --param network.J --values 3e-4:6e-3:16:log --threads 1 -q)

run() {   # ranks out_dir -> "wall_seconds cpu_seconds" (cpu: user + sys of the qbnet ranks, not mpiexec)
    local np=$1 out=$2
    rm -rf "$out" "$WORK"/cpu.*
    local t0 t1
    t0=$(date +%s.%N)
    OMP_NUM_THREADS=1 mpiexec -n "$np" --oversubscribe $ROOT_FLAG --bind-to none -x OMP_NUM_THREADS \
        sh -c 'exec /usr/bin/time -f "%U %S" -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$WORK/cpu" \
        "$QBNET" "${ARGS[@]}" --out "$out" >/dev/null
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc -l) $(cat "$WORK"/cpu.* | awk '{s += $1 + $2} END {printf "%.3f", s}')"
}

echo "# mpi_scaling: 16-point Fock sweep, D = $((CUTOFF ** 3)), 1 thread per rank, $(nproc) cores"
# On a machine shared with other work the wall times measure the share of the cores we got; the CPU
# seconds (all ranks together) do not: CPU(np2) / CPU(np1) - 1 is the MPI overhead (messages,
# polling, the second process's start-up), whatever the load.
t1s=(); t2s=(); c1s=(); c2s=()
for r in $(seq "$REPEATS"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r a ca < <(run 1 "$WORK/np1"); t1s+=("$a"); c1s+=("$ca")
    load2=$(cut -d' ' -f1 /proc/loadavg)
    read -r b cb < <(run 2 "$WORK/np2"); t2s+=("$b"); c2s+=("$cb")
    printf "repeat %d: np1 %.2f s wall %.2f s cpu (load %s)  np2 %.2f s wall %.2f s cpu (load %s)\n" \
        "$r" "$a" "$ca" "$load" "$b" "$cb" "$load2"
    cmp -s "$WORK/np1/sweep.csv" "$WORK/np2/sweep.csv" || { echo "FAIL: sweep.csv differs between -np 1 and -np 2"; exit 1; }
done
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m1=$(median "${t1s[@]}"); m2=$(median "${t2s[@]}")
printf "median: np1 %.2f s, np2 %.2f s, speed-up %.3f, parallel efficiency %.3f (goal >= 0.85)\n" \
    "$m1" "$m2" "$(echo "$m1 / $m2" | bc -l)" "$(echo "$m1 / (2 * $m2)" | bc -l)"
mc1=$(median "${c1s[@]}"); mc2=$(median "${c2s[@]}")
printf "median cpu: np1 %.2f s, np2 %.2f s (all ranks): efficiency bound from the cpu time %.3f\n" \
    "$mc1" "$mc2" "$(echo "$mc1 / $mc2" | bc -l)"
echo "outputs byte-identical at -np 1 and -np 2: yes"
