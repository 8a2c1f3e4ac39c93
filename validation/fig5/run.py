#!/usr/bin/env python3
"""Fig. 5: energy and ergotropy dynamics for N = 1, cascaded N = 2 and parallel N = 2 with thermal baths
n_th = 0, 1, 2 on every mode, eps = 0.001, J = J_op. Gaussian engine for all; every curve gets an exact
overlay with error bars: the Fock engine (1e-3 relative and within its bars) where its run finishes here, the
trajectory engine (within 4 sigma) where it does not -- else the curve FAILs. Trajectories overlay all nine."""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import qbv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCEN = os.path.join(HERE, "network.toml")
K = qbv.KAPPA
NETS = [("N1", "cascaded", 1, K / 2), ("cascaded2", "cascaded", 2, None), ("parallel2", "parallel", 2, K / (2 * math.sqrt(2)))]
# Overlays: every one of the nine curves gets an independent engine's overlay WITH error bars, or FAILs.
# Fock: fock.cutoff = "auto" at FOCK_TOLERANCE (the check is 1e-3 relative, so 1e-4 bars resolve it);
# qbnet exits 2 when the cutoffs it needs do not fit in memory (the N = 2 thermal curves on a small
# machine) and the curve FAILs with that message.
# Trajectories (issue 14): every curve, automatic cutoffs from the hottest bath at TRAJ_TOLERANCE, TRAJ_COUNT
# trajectories; their 1-sigma bars count x4, as in the cross-check (src/study/crosscheck.cpp). Statistical
# bars of a thermal state's energy are ~sqrt(n(n+1)/count): they cannot meet the 1e-3 cap, so the
# trajectory check is "within 4 sigma" only, while the Fock check keeps the 1e-3 cap (issue 12).
OVERLAY_ENGINES = ["fock", "trajectories"]
FOCK_TOLERANCE = 1e-4
# The trajectory check has no truncation allowance: the truncation must sit far below the statistical
# bars. Thermal curves: bars ~1e-1 relative at these counts, 1e-3 is enough. n_th = 0: every trajectory
# is the same coherent state (sigma ~ 0), so the cutoff must be exact to the integrator's noise (at 1e-3
# the guess gave cutoff 4 for N = 1 and missed W_b1 by 6e-4 relative with no error bar to cover it).
TRAJ_TOLERANCE = {0: 1e-7, 1: 1e-3, 2: 1e-3}
# Trajectories per curve, N = 1 and N = 2 (the N = 2 thermal curves cost ~100x more per trajectory). The
# energy of a thermal trajectory is Fock-like (skewed: 30-80 % of them near 0): at small counts the sigma
# estimated from the sample shrinks with a low sample mean, so |d|/sigma has a heavy lower tail (mean
# z^2 1.2-1.35 at 32-128 trajectories, issue 14); the check needs a few hundred trajectories.
TRAJ_COUNT = int(os.environ.get("QBNET_FIG5_TRAJ_COUNT", "1024"))
TRAJ_COUNT_N2 = int(os.environ.get("QBNET_FIG5_TRAJ_COUNT_N2", "256"))
# Each overlay run gets at most this many seconds (a Fock overlay of an N = 2 thermal curve can take an
# hour on 2 cores); a run cut short counts as "no overlay" and its check FAILs.
OVERLAY_TIMEOUT = float(os.environ.get("QBNET_FIG5_TIMEOUT", "1800"))
# Fock overlays: an N = 1 thermal curve needs cutoffs ~30 (D ~ 900, four ladder rungs of a 4000-long
# evolution: minutes); an N = 2 thermal curve needs D ~ 5 500 - 12 700 (hours here, or more memory than the
# machine has), so it gets a short attempt and its exact overlay comes from the trajectories.
FOCK_TIMEOUT = float(os.environ.get("QBNET_FIG5_FOCK_TIMEOUT", "900"))
FOCK_TIMEOUT_N2 = float(os.environ.get("QBNET_FIG5_FOCK_TIMEOUT_N2", "60"))
REL_CAP = 1e-3
ATOL, RTOL = 1e-8, 1e-6   # qbnet's default integrator tolerances (time.atol / time.rtol)


def run_overlay(engine, sets, n, nth):
    """(rows, summary, None) or (None, None, reason) when qbnet refuses the run."""
    timeout = OVERLAY_TIMEOUT if engine == "trajectories" else (FOCK_TIMEOUT if n == 1 else FOCK_TIMEOUT_N2)
    with tempfile.TemporaryDirectory() as d:
        cmd = [qbv.QBNET, "run", SCEN, "--engine", engine, "--out", d, "--quiet"]
        extra = (["fock.tolerance=%g" % TRAJ_TOLERANCE[nth], "trajectories.count=%d" % (TRAJ_COUNT if n == 1 else TRAJ_COUNT_N2),
                  "steady_state.enabled=false"]
                 if engine == "trajectories" else ["fock.tolerance=%g" % FOCK_TOLERANCE, "steady_state.enabled=false"])
        for x in sets + extra:
            cmd += ["--set", x]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, None, "not finished within %.0f s (%s)" % (timeout, "QBNET_FIG5_TIMEOUT" if engine == "trajectories" else
                                                                     "QBNET_FIG5_FOCK_TIMEOUT" + ("" if n == 1 else "_N2"))
        if p.returncode not in (0, 4):   # 4: some error bar above the tolerance -- still an overlay with bars
            return None, None, (p.stderr.strip() or "exit %d" % p.returncode)
        with open(os.path.join(d, "summary.json")) as f:
            return qbv.read_csv(os.path.join(d, "timeseries-%s.csv" % engine)), json.load(f), None


def compare(ov, ts, n, weight, cap=True):
    """Worst figure: (|d| / allowed, |d| / scale, where) over every battery E and W at every sample."""
    worst = (0.0, 0.0, "")
    for a, b in zip(ov, ts):
        for j in range(1, n + 1):
            scale = max(abs(a["E_b%d" % j]), abs(b["E_b%d" % j]))
            for col in ("E_b%d" % j, "W_b%d" % j):
                d = abs(a[col] - b[col])
                allowed = weight * a["d" + col] + 10 * (ATOL + RTOL * scale)
                allowed = (min(allowed, REL_CAP * scale) if cap else allowed) if scale > 0 else 1e-12
                allowed = max(allowed, 1e-12)
                item = (d / allowed, d / scale if scale > 0 else d, "%s at t=%g" % (col, a["t"]))
                worst = max(worst, item)
    return worst


rows, overlays, summary_rows = [], [], []
for name, topo, n, J in NETS:
    if J is None:
        J = qbv.optimize(SCEN, "energy_last", ["network.topology=" + topo, "network.batteries=%d" % n,
                                               "drive.epsilon=0.001"])["value"]
    base = ["network.topology=" + topo, "network.batteries=%d" % n, "network.J=%.17g" % J]
    for nth in (0, 1, 2):
        ts, sm = qbv.run_timeseries(SCEN, base + ["reservoirs.n_th=%d" % nth])
        fk, tj, info = None, None, []
        for engine in OVERLAY_ENGINES:
            t0 = time.time()
            ov, osm, why = run_overlay(engine, base + ["reservoirs.n_th=%d" % nth], n, nth)
            if ov is None:
                info.append((engine, None, why, time.time() - t0))
                continue
            traj = engine == "trajectories"
            stats = osm["results"][engine]["statistics"]
            note = "cutoffs %s, %s frame" % (stats.get("cutoffs"), stats.get("frame"))
            if traj:
                note += ", %d trajectories" % stats.get("trajectories", 0)
            info.append((engine, compare(ov, ts, n, 4.0 if traj else 1.0, cap=not traj), note, time.time() - t0))
            if traj:
                tj = ov
            else:
                fk = ov
        overlays.append((name, nth, info))
        nan = float("nan")
        for i, r in enumerate(ts):
            f = fk[i] if fk else None
            q = tj[i] if tj else None
            rows.append([name, nth, r["t"], K * r["t"], r["E_b1"], r["W_b1"], r["E_b%d" % n], r["W_b%d" % n], r["E_B"], r["W_B"],
                         f["E_b%d" % n] if f else nan, f["W_b%d" % n] if f else nan,
                         f["dE_b%d" % n] if f else nan, f["dW_b%d" % n] if f else nan,
                         q["E_b%d" % n] if q else nan, q["W_b%d" % n] if q else nan,
                         q["dE_b%d" % n] if q else nan, q["dW_b%d" % n] if q else nan])
        last = ts[-1]
        summary_rows.append((name, nth, J, last["E_b%d" % n], last["W_b%d" % n], last["E_b%d" % n] - last["W_b%d" % n]))
qbv.write_csv(os.path.join(HERE, "fig5.csv"), ["net", "n_th", "t", "kappa_t", "E_b1", "W_b1", "E_last", "W_last", "E_B", "W_B",
                                              "E_last_fock", "W_last_fock", "dE_last_fock", "dW_last_fock",
                                              "E_last_traj", "W_last_traj", "dE_last_traj", "dW_last_traj"], rows)
panels = []
for name, title in (("N1", "N = 1"), ("cascaded2", "cascaded N = 2 (b2)"), ("parallel2", "parallel N = 2 (b2)")):
    for col, what in ((7, "energy"), (8, "ergotropy")):
        p = ", ".join('"< grep \'^%s,%d,\' fig5.csv" u 4:%d w l lw 2 dt %d lc %d t "n_{th}=%d"' % (name, nth, col, (1, 2, 3)[nth], nth + 1, nth)
                      for nth in (0, 1, 2))
        p += ", " + ", ".join('"< grep \'^%s,%d,\' fig5.csv" u 4:%d w p pt 6 lc %d t "%s"' % (name, nth, col + 4, nth + 1, "Fock" if nth == 0 else "")
                              for nth in (0, 1, 2))
        p += ", " + ", ".join('"< grep \'^%s,%d,\' fig5.csv" u 4:%d:%d w yerrorbars pt 2 lc %d t "%s"' % (name, nth, col + 8, col + 10, nth + 1, "trajectories (1 sigma)" if nth == 0 else "")
                              for nth in (0, 1, 2))
        panels.append('set title "%s: %s"\nplot %s' % (title, what, p))
qbv.gnuplot('set datafile separator ","\nset multiplot layout 3,2\nset xlabel "kappa t"\nset key top left\n'
            + "\n".join(panels) + "\nunset multiplot\n", os.path.join(HERE, "fig5.png"), size="1200,1300")

sec = qbv.Section(HERE, "Fig. 5: charging with thermal reservoirs (energy vs ergotropy)")
sec.text("![Fig. 5](fig5/fig5.png)")
sec.text("")
sec.text("kappa = 0.003, eps = 0.001, thermal baths n_th on every mode (`apply_to = \"all\"`), NC links, J = J_op "
         "(N = 1: kappa/2; cascaded N = 2: max E_b2; parallel N = 2: kappa/(2 sqrt 2)). Gaussian engine (lines) "
         "for all nine runs; Fock engine (circles) where the truncation is cheap. Data: `fig5/fig5.csv`.")
sec.text("")
sec.text("| network | n_th | J | E_last (kappa t=12) | W_last | passive |")
sec.text("|---|---|---|---|---|---|")
for s in summary_rows:
    sec.text("| %s | %d | %.5g | %.5g | %.5g | %.5g |" % s)
sec.text("")
sec.text("Overlays. Fock engine (circles; `fock.cutoff = \"auto\"`, `fock.tolerance = %g`, error bars from the "
         "cutoff ladder, docs/trust.md): every battery energy and ergotropy at every sample must lie within %g relative "
         "of the Gaussian curve AND within the overlay's error bar + integrator noise 10 (atol + rtol |E|). Where the "
         "Fock run cannot finish here (the N = 2 thermal curves: qbnet refuses a density matrix that does not fit in "
         "memory, or the run exceeds its time limit), the curve's exact overlay is the trajectory engine's, which "
         "unravels the same master equation; a curve with no exact overlay FAILs. Trajectory engine (crosses with 1-sigma bars; %d trajectories for N = 1, %d for N = 2, automatic cutoffs "
         "from the hottest bath at `fock.tolerance = %g` for n_th = 0, where every trajectory is the same coherent state "
         "and sigma ~ 0, and %g for the thermal curves): within 4 sigma + integrator noise at every sample, no 1e-3 cap "
         "(statistical bars of thermal states are ~sqrt(n(n+1)/count)). The ergotropy is jackknife bias-corrected "
         "(the ergotropy of an averaged state is biased upward by O(1/count)); a thermal trajectory's energy is "
         "Fock-like and skewed, so at small counts |d|/sigma has a heavy lower tail: the check needs a few hundred "
         "trajectories (issue 14)." % (FOCK_TOLERANCE, REL_CAP, TRAJ_COUNT, TRAJ_COUNT_N2, TRAJ_TOLERANCE[0], TRAJ_TOLERANCE[1]))
sec.text("")
sec.text("| network | n_th | engine | overlay | worst |d| / allowed | worst |d| / scale | where | run time |")
sec.text("|---|---|---|---|---|---|---|---|")
for name, nth, info in overlays:
    for engine, cmp_, note, secs in info:
        if cmp_ is None:
            sec.text("| %s | %d | %s | none: %s | - | - | - | %.0f s |" % (name, nth, engine, note.replace("|", "/"), secs))
        else:
            sec.text("| %s | %d | %s | %s | %.3g | %.3g | %s | %.0f s |" % (name, nth, engine, note, cmp_[0], cmp_[1], cmp_[2], secs))
unfinished = ["%s n_th = %d" % (name, nth) for name, nth, info in overlays for engine, cmp_, _, _ in info
              if engine == "trajectories" and cmp_ is None]
if unfinished:
    sec.text("")
    sec.text("No trajectory overlay for %s: the run did not finish within its time limit on this machine, so those "
             "checks FAIL (they are never skipped)." % ", ".join(unfinished))
wdiff = max(abs(a[4] - b[4]) for a in summary_rows for b in summary_rows if a[0] == b[0])
passive_up = all(b[5] > a[5] for a in summary_rows for b in summary_rows if a[0] == b[0] and b[1] == a[1] + 1)
sec.check("thermal baths leave the ergotropy unchanged (W_last for n_th = 0, 1, 2)", wdiff < 1e-9, "max |dW| = %.2e" % wdiff)
sec.check("passive energy grows with n_th", passive_up, ", ".join("%s n=%d: %.3g" % (s[0], s[1], s[5]) for s in summary_rows))
# One exact-overlay check per curve: the Fock density matrix where its run finishes here, else -- the N = 2
# thermal curves, whose rho needs cutoffs that do not fit this machine's memory or time -- the trajectory
# engine, which is the same master equation unravelled (issue 14). Then the trajectory overlay on all nine
# curves as a second, independent engine. A curve with neither overlay FAILs; nothing is skipped.
for name, nth, info in overlays:
    by = {engine: (c, why) for engine, c, why, _ in info}
    fc, fwhy = by.get("fock", (None, "not run"))
    tc, twhy = by.get("trajectories", (None, "not run"))
    if fc is not None:
        sec.check("%s n_th = %d: exact overlay (Fock) = Gaussian to 1e-3 relative and within its error bar" % (name, nth),
                  fc[0] <= 1.0, "|d|/allowed %.3g, |d|/scale %.3g at %s" % (fc[0], fc[1], fc[2]))
    else:
        sec.check("%s n_th = %d: exact overlay (trajectories; Fock %s) = Gaussian within 4 sigma" % (name, nth, fwhy.replace("|", "/")),
                  tc is not None and tc[0] <= 1.0,
                  ("|d|/allowed %.3g, |d|/scale %.3g at %s" % (tc[0], tc[1], tc[2])) if tc else "no overlay: " + twhy.replace("|", "/"))
for name, nth, info in overlays:
    for engine, c, why, _ in info:
        if engine != "trajectories":
            continue
        detail = ("|d|/allowed %.3g, |d|/scale %.3g at %s" % (c[0], c[1], c[2])) if c else "no overlay: " + why.replace("|", "/")
        sec.check("%s n_th = %d: trajectory overlay = Gaussian within 4 sigma (+ integrator noise)" % (name, nth),
                  c is not None and c[0] <= 1.0, detail)
sys.exit(0 if sec.write() else 1)
