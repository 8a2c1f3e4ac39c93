#!/usr/bin/env bash
# Reruns every paper figure with the given qbnet binary and assembles validation/REPORT.md from the
# per-section files (validation/<section>/section.md).
# Usage: validation/run_all.sh build/qbnet        Exit code: 0 when every section passes, 1 otherwise.
# QBNET_VALIDATE_ONLY="fig5 trajectories" reruns only those sections; the others keep their section.md and
# their recorded run (validation/<section>/run.txt: date, wall seconds, PASS/FAIL), and REPORT.md is
# reassembled from all of them, each with its own recorded date and time.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
QBNET="$(cd "$(dirname "${1:-build/qbnet}")" && pwd)/$(basename "${1:-build/qbnet}")"
[ -x "$QBNET" ] || { echo "validation: no qbnet binary at '$QBNET'" >&2; exit 2; }
SECTIONS="fig1 fig2 fig3 fig4 fig5 fig6 trajectories displaced_overlay"
ONLY=${QBNET_VALIDATE_ONLY:-$SECTIONS}
for s in $ONLY; do
  case " $SECTIONS " in *" $s "*) ;; *) echo "validation: QBNET_VALIDATE_ONLY: unknown section '$s' (allowed: $SECTIONS)" >&2; exit 2 ;; esac
done
status=0
for s in $ONLY; do
  t0=$(date +%s)
  if [ "$s" = displaced_overlay ]; then
    bash "$HERE/displaced_overlay/run.sh" "$QBNET"; rc=$?
  else
    (cd "$HERE/$s" && python3 run.py "$QBNET"); rc=$?
  fi
  secs=$(( $(date +%s) - t0 ))
  verdict=$([ $rc = 0 ] && echo PASS || echo FAIL)
  echo "$(date -u +%Y-%m-%dT%H:%MZ) $secs $verdict $(nproc) $(cut -d' ' -f1-3 /proc/loadavg)" > "$HERE/$s/run.txt"
  echo "validation: $s took $secs s ($verdict)"
done
# Every section's verdict counts, rerun or not: REPORT.md passes only when all of them do.
total=0
for s in $SECTIONS; do
  if [ -f "$HERE/$s/run.txt" ]; then
    read -r _ secs verdict _ < "$HERE/$s/run.txt"
    total=$(( total + secs )); [ "$verdict" = PASS ] || status=1
  else
    status=1
  fi
done
{
  echo "# Validation report"
  echo
  echo "Assembled by \`validation/run_all.sh\` on $(date -u +%Y-%m-%d). Each section shows the figure, the numbers"
  echo "behind it and PASS/FAIL lines computed by the section's own script. Run times are wall clock, measured by"
  echo "run_all.sh on the machine that ran it (load average at the end of each section in the last column);"
  echo "total $total s."
  echo
  echo "| section | run (UTC) | wall s | verdict | cores | load (1, 5, 15 min) |"
  echo "|---|---|---|---|---|---|"
  for s in $SECTIONS; do
    if [ -f "$HERE/$s/run.txt" ]; then
      read -r when secs verdict cores l1 l5 l15 < "$HERE/$s/run.txt"
      echo "| $s | $when | $secs | $verdict | $cores | $l1 $l5 $l15 |"
    else
      echo "| $s | never run | - | FAIL | - | - |"
    fi
  done
  echo
  echo "Which checks compare with what: closed forms -- Fig. 1 (J_op = kappa/8 (N + sqrt(N^2+8N)) cascaded,"
  echo "kappa/(2 sqrt N) parallel, N = 1 energy (eps/kappa)^2), Fig. 2 (engine = mean-field closed form), Fig. 4"
  echo "(NC curves = closed form), Fig. 6 (lone mode E = W = sinh^2 r); an independent engine with error bars --"
  echo "Fig. 5 overlays (Fock density matrix, or trajectories where rho does not fit), the trajectory section"
  echo "(closed forms and the Fock engine at equal cutoff), the displaced-frame overlay; qualitative (trends,"
  echo "symmetries, orderings) -- the other checks of Figs. 3, 4, 6 and Fig. 5's ergotropy unchanged / passive"
  echo "energy growing with n_th."
  echo
  for s in $SECTIONS; do
    [ -f "$HERE/$s/section.md" ] && { cat "$HERE/$s/section.md"; echo; }
  done
} > "$HERE/REPORT.md"
echo "validation: REPORT.md written (sections rerun: $ONLY; total recorded $total s); $([ $status = 0 ] && echo 'all sections PASS' || echo 'some section FAILED')"
exit $status
