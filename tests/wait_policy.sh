#!/usr/bin/env bash
# The OpenMP wait policy reaches libgomp in ONE process image (issue 17 goal 0): with neither
# OMP_WAIT_POLICY nor GOMP_SPINCOUNT set, libgomp reports PASSIVE once (the pre-initialiser set it; a
# re-execution would print the environment twice); a user's own choice is kept.
# Usage: wait_policy.sh QBNET
set -u
qbnet=$1
fail() { echo "FAIL: $*"; exit 1; }
out=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT OMP_DISPLAY_ENV=true "$qbnet" --version 2>&1)
[ "$(grep -c "OMP_WAIT_POLICY = 'PASSIVE'" <<< "$out")" = 1 ] || fail "default: expected one PASSIVE report, got: $(grep WAIT <<< "$out")"
[ "$(grep -c "DISPLAY ENVIRONMENT BEGIN" <<< "$out")" = 1 ] || fail "default: the program re-executed itself"
out=$(env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=active OMP_DISPLAY_ENV=true "$qbnet" --version 2>&1)
[ "$(grep -c "OMP_WAIT_POLICY = 'ACTIVE'" <<< "$out")" = 1 ] || fail "the user's OMP_WAIT_POLICY=active was not kept: $(grep WAIT <<< "$out")"
echo "ok"
