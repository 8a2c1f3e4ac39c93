#!/usr/bin/env python3
"""Trajectory engine validation: (A) the standard error falls as 1/sqrt(count); (B) agreement with the
Fock (density-matrix) engine at equal cutoff. Fig. 5's N = 2 thermal overlays live in validation/fig5."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import qbv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCEN = os.path.join(HERE, "network.toml")
sec = qbv.Section(HERE, "Trajectories: standard error, Fock agreement at equal cutoff")

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
# Threshold from the error model, not from the data: each sigma is a 32-batch jackknife, so d / sigma follows
# Student's t with 31 degrees of freedom; the check looks at every figure at every sample (n of them), so the
# two-sided tail per figure is ALPHA / n (Bonferroni) for a family-wise false-alarm rate ALPHA.
ALPHA, BATCHES = 1e-3, 32


def t_tail(x, nu):
    """P(|T| > x) for Student's t with nu degrees of freedom (Simpson's rule on the density)."""
    c = math.exp(math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2)) / math.sqrt(nu * math.pi)
    f = lambda u: c * (1 + u * u / nu) ** (-(nu + 1) / 2)
    steps, top = 4000, x + 60.0
    h = (top - x) / steps
    area = f(x) + f(top) + sum((4 if k % 2 else 2) * f(x + k * h) for k in range(1, steps))
    return 2 * area * h / 3


def t_threshold(tail, nu):
    lo, hi = 0.0, 50.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_tail(mid, nu) > tail else (lo, mid)
    return hi


def z_scores(tr, fk):
    out = []
    for a, b in zip(tr, fk):
        for col in ("E_C", "E_b1", "W_b1", "E_B", "W_B"):
            if a["d" + col] > 0:
                out.append(abs(a[col] - b[col]) / a["d" + col])
    return out


tr, _ = qbv.run_timeseries(SCEN, [], "trajectories")
fk, _ = qbv.run_timeseries(SCEN, [], "fock", ok=(0, 4))   # equal cutoff: same truncation
zs = z_scores(tr, fk)
zmax = t_threshold(ALPHA / len(zs), BATCHES - 1)
worst, n_in2, n_all = max(zs), sum(z <= 2 for z in zs), len(zs)
rows_b = [[a["t"]] + sum([[a[c], a["d" + c], b[c]] for c in ("E_C", "E_b1", "W_b1", "E_B", "W_B")], []) for a, b in zip(tr, fk)]
qbv.write_csv(os.path.join(HERE, "vs_fock.csv"),
              ["t"] + sum([[c, "d" + c, c + "_fock"] for c in ("E_C", "E_b1", "W_b1", "E_B", "W_B")], []), rows_b)
sec.check("trajectories vs Fock (D = 49, 1000 trajectories): every figure within the t(31) threshold %.2f sigma "
          "(family-wise false alarm %g over %d figures)" % (zmax, ALPHA, n_all), worst <= zmax,
          "max |diff|/sigma = %.2f" % worst)
sec.check("fraction within 2 sigma consistent with 95% (> 80%)", n_all and n_in2 / n_all > 0.8,
          "%d/%d = %.0f%%" % (n_in2, n_all, 100.0 * n_in2 / max(n_all, 1)))
# Must fail: the same trajectories against the Fock engine at a cutoff far too small (4 instead of 7).
fk4, _ = qbv.run_timeseries(SCEN, ["fock.cutoff=4"], "fock", ok=(0, 4))
worst4 = max(z_scores(tr, fk4))
sec.check("must fail: the same comparison against Fock at cutoff 4 exceeds the threshold", worst4 > zmax,
          "max |diff|/sigma = %.1f > %.2f" % (worst4, zmax))
qbv.gnuplot('set datafile separator ","\nset xlabel "t"\nset ylabel "energy / ergotropy"\nset key top left\n'
            'plot "vs_fock.csv" u 1:5 w l lw 2 lc 1 t "E_{b1} Fock", "" u 1:3:4 w yerrorbars pt 7 lc 1 t "E_{b1} trajectories",'
            ' "" u 1:8 w l lw 2 lc 2 t "W_{b1} Fock", "" u 1:6:7 w yerrorbars pt 7 lc 2 t "W_{b1} trajectories"',
            os.path.join(HERE, "vs_fock.png"))

sec.text("![standard error vs count](trajectories/stderr_vs_count.png) ![vs Fock](trajectories/vs_fock.png)")
sec.text("")
sec.text("(A) Final-time standard errors (32-batch jackknife) of the battery's energy and ergotropy against the "
         "number of trajectories, `trajectories/stderr_vs_count.csv`. (B) Time series of the squeezed-bath network "
         "`trajectories/network.toml` (D = 49) from the trajectory engine (1000 trajectories, error bars 1 sigma) "
         "and the Fock engine at the same cutoff, `trajectories/vs_fock.csv`.")
sec.text("")
sec.text("Fig. 5's N = 2 thermal curves (cascaded and parallel, n_th = 1, 2) get their trajectory overlays at "
         "automatic, converged cutoffs in the Fig. 5 section, where they are the curves' exact overlays.")
sys.exit(0 if sec.write() else 1)
