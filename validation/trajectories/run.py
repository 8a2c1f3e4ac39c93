#!/usr/bin/env python3
"""Trajectory engine validation: (A) the standard error falls as 1/sqrt(count); (B) agreement with the
Fock (density-matrix) engine at equal cutoff; (C) Fig. 5's N = 2 thermal curves (cascaded and parallel,
n_th = 1, 2) with trajectory overlays against the Gaussian engine. QBNET_TRAJ_FIG5_COUNT sets the
trajectories per Fig. 5 curve (default 64; each is a D ~ 10^3 - 3 x 10^3 run over kappa t = 12)."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import qbv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCEN = os.path.join(HERE, "network.toml")
FIG5 = os.path.join(HERE, "..", "fig5", "network.toml")
sec = qbv.Section(HERE, "Trajectories: standard error, Fock agreement, Fig. 5 thermal overlays")

# ---- (A) 1/sqrt(count) ----
counts = [64, 128, 256, 512, 1024, 2048]
rows_a = []
for c in counts:
    _, sm = qbv.run_timeseries(SCEN, ["trajectories.count=%d" % c, "time.samples=2"], "trajectories")
    fin = sm["results"]["trajectories"]["final"]
    b1 = [m for m in fin["modes"] if m["name"] == "b1"][0]
    rows_a.append([c, b1["energy"], b1["error"]["energy"], b1["ergotropy"], b1["error"]["ergotropy"]])
qbv.write_csv(os.path.join(HERE, "stderr_vs_count.csv"), ["count", "E_b1", "dE_b1", "W_b1", "dW_b1"], rows_a)
slope_e = qbv.fit_power([r[0] for r in rows_a], [r[2] for r in rows_a])
slope_w = qbv.fit_power([r[0] for r in rows_a], [r[4] for r in rows_a])
slope_e = slope_e[0] if isinstance(slope_e, (tuple, list)) else slope_e
slope_w = slope_w[0] if isinstance(slope_w, (tuple, list)) else slope_w
# Each sigma comes from a 32-batch jackknife: relative spread 1/sqrt(2 x 31) = 0.127 per point; over
# 6 points spaced by ln 2 the least-squares slope has spread 0.127 / sqrt(sum (ln c - mean)^2) = 0.044;
# band +-0.15 (3.5 spreads).
sec.check("dE_b1 ~ count^p, p = -1/2 within 0.15", abs(slope_e + 0.5) < 0.15, "p = %.3f" % slope_e)
sec.check("dW_b1 ~ count^p, p = -1/2 within 0.15", abs(slope_w + 0.5) < 0.15, "p = %.3f" % slope_w)
qbv.gnuplot('set logscale xy\nset xlabel "trajectories"\nset ylabel "standard error"\nset datafile separator ","\n'
            'f(x) = %g * sqrt(64.0 / x)\n'
            'plot "stderr_vs_count.csv" u 1:3 w lp pt 7 t "dE_{b1}", "" u 1:5 w lp pt 5 t "dW_{b1}", f(x) w l dt 2 t "1/sqrt(count)"'
            % rows_a[0][2], os.path.join(HERE, "stderr_vs_count.png"))

# ---- (B) agreement with the Fock engine at equal cutoff (time series) ----
tr, _ = qbv.run_timeseries(SCEN, [], "trajectories")
fk, _ = qbv.run_timeseries(SCEN, [], "fock")
rows_b, worst, n_in2, n_all = [], 0.0, 0, 0
for a, b in zip(tr, fk):
    row = [a["t"]]
    for col in ("E_C", "E_b1", "W_b1", "E_B", "W_B"):
        d = a[col] - b[col]
        s = a["d" + col]
        row += [a[col], s, b[col]]
        if s > 0:
            z = abs(d) / s
            worst = max(worst, z)
            n_in2 += z <= 2
            n_all += 1
    rows_b.append(row)
qbv.write_csv(os.path.join(HERE, "vs_fock.csv"),
              ["t"] + sum([[c, "d" + c, c + "_fock"] for c in ("E_C", "E_b1", "W_b1", "E_B", "W_B")], []), rows_b)
sec.check("trajectories vs Fock (D = 49, 1000 trajectories): every figure within 4 sigma + 1e-6", worst <= 4.0,
          "max |diff|/sigma = %.2f over %d figures" % (worst, n_all))
sec.check("fraction within 2 sigma consistent with 95%% (> 80%%)", n_all and n_in2 / n_all > 0.8,
          "%d/%d = %.0f%%" % (n_in2, n_all, 100.0 * n_in2 / max(n_all, 1)))
qbv.gnuplot('set datafile separator ","\nset xlabel "t"\nset ylabel "energy / ergotropy"\nset key top left\n'
            'plot "vs_fock.csv" u 1:5 w l lw 2 lc 1 t "E_{b1} Fock", "" u 1:3:4 w yerrorbars pt 7 lc 1 t "E_{b1} trajectories",'
            ' "" u 1:8 w l lw 2 lc 2 t "W_{b1} Fock", "" u 1:6:7 w yerrorbars pt 7 lc 2 t "W_{b1} trajectories"',
            os.path.join(HERE, "vs_fock.png"))

# ---- (C) Fig. 5 N = 2 thermal overlays ----
count = int(os.environ.get("QBNET_TRAJ_FIG5_COUNT", "64"))
# Converged cutoffs: top-level population of a thermal mode (n/(n+1))^c / (n+1) < 2e-3.
CUT = {1: 9, 2: 14}
J_PAR = qbv.KAPPA / (2 * math.sqrt(2))
cases = [("cascaded2", "cascaded", None), ("parallel2", "parallel", J_PAR)]
nets = os.environ.get("QBNET_TRAJ_FIG5_NETS", "cascaded2,parallel2").split(",")
nths = [int(x) for x in os.environ.get("QBNET_TRAJ_FIG5_NTH", "1,2").split(",")]
rows_c, worst_c = [], 0.0
for name, topo, J in cases:
    if name not in nets:
        continue
    if J is None:
        J = qbv.optimize(FIG5, "energy_last", ["network.topology=" + topo, "network.batteries=2",
                                               "drive.epsilon=0.001"])["value"]
    base = ["network.topology=" + topo, "network.batteries=2", "network.J=%.17g" % J, "time.samples=13"]
    for nth in nths:
        ga, _ = qbv.run_timeseries(FIG5, base + ["reservoirs.n_th=%d" % nth], "gaussian")
        tj, sm = qbv.run_timeseries(FIG5, base + ["reservoirs.n_th=%d" % nth, "fock.cutoff=%d" % CUT[nth],
                                                  "fock.joint_ergotropy_max_dim=1", "trajectories.count=%d" % count,
                                                  "time.atol=1e-7", "time.rtol=1e-5"], "trajectories")
        wall = sm["results"]["trajectories"]["statistics"].get("wall_s", float("nan"))
        for g, t in zip(ga, tj):
            for col in ("E_b2", "W_b2"):
                if t["d" + col] > 0:
                    worst_c = max(worst_c, abs(t[col] - g[col]) / t["d" + col])
            rows_c.append([name, nth, g["t"], qbv.KAPPA * g["t"], g["E_b2"], g["W_b2"], t["E_b2"], t["dE_b2"], t["W_b2"], t["dW_b2"]])
        print("fig5 overlay %s n_th=%d: cutoff %d, %d trajectories, %.0f s" % (name, nth, CUT[nth], count, wall))
qbv.write_csv(os.path.join(HERE, "fig5_overlay.csv"),
              ["net", "n_th", "t", "kappa_t", "E_b2", "W_b2", "E_b2_traj", "dE_b2_traj", "W_b2_traj", "dW_b2_traj"], rows_c)
if rows_c:
    panels = []
    for name, title in (("cascaded2", "cascaded N = 2 (b2)"), ("parallel2", "parallel N = 2 (b2)")):
        for col, what in ((5, "energy"), (6, "ergotropy")):
            p = ", ".join('"< grep \'^%s,%d,\' fig5_overlay.csv" u 4:%d w l lw 2 lc %d t "Gaussian n_{th}=%d", '
                          '"< grep \'^%s,%d,\' fig5_overlay.csv" u 4:%d:%d w yerrorbars pt 7 lc %d t "trajectories"'
                          % (name, nth, col, nth, nth, name, nth, col + 2 + (col - 5), col + 3 + (col - 5), nth) for nth in nths)
            panels.append('set title "%s: %s"\nplot %s' % (title, what, p))
    qbv.gnuplot('set datafile separator ","\nset multiplot layout 2,2\nset xlabel "kappa t"\nset key top left\n'
                + "\n".join(panels) + "\nunset multiplot\n", os.path.join(HERE, "fig5_overlay.png"), size="1200,900")
    sec.check("Fig. 5 N = 2 thermal: trajectories within 4 sigma of the Gaussian curves (E_b2, W_b2)", worst_c <= 4.0,
              "max |diff|/sigma = %.2f (%d trajectories per curve)" % (worst_c, count))

sec.text("![standard error vs count](trajectories/stderr_vs_count.png) ![vs Fock](trajectories/vs_fock.png)")
sec.text("")
sec.text("(A) Final-time standard errors (32-batch jackknife) of the battery's energy and ergotropy against the "
         "number of trajectories, `trajectories/stderr_vs_count.csv`. (B) Time series of the squeezed-bath network "
         "`trajectories/network.toml` (D = 49) from the trajectory engine (1000 trajectories, error bars 1 sigma) "
         "and the Fock engine at the same cutoff, `trajectories/vs_fock.csv`.")
if rows_c:
    sec.text("")
    sec.text("![Fig. 5 overlays](trajectories/fig5_overlay.png)")
    sec.text("")
    sec.text("(C) Fig. 5 parameters (kappa = 0.003, eps = 0.001, thermal baths on every mode), N = 2: Gaussian lines, "
             "trajectory points with 1-sigma bars at cutoffs %s (n_th: cutoff), %d trajectories per curve; curves run: %s, n_th = %s. "
             "`trajectories/fig5_overlay.csv`." % (CUT, count, ",".join(nets), ",".join(map(str, nths))))
sys.exit(0 if sec.write() else 1)
