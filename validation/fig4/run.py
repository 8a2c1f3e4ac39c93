#!/usr/bin/env python3
"""Fig. 4: time evolution of the stored energy for cascaded N = 3 and 4, NC and RC, at J_op
(max E_last). Gaussian engine; NC curves also against the closed form."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import qbv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCEN = os.path.join(HERE, "network.toml")
rows, info, worst_nc, worst_ss = [], [], 0.0, 0.0
for n in (3, 4):
    jnc = qbv.optimize(SCEN, "energy_last", ["network.batteries=%d" % n])["value"]
    for coup in ("nonreciprocal", "reciprocal"):
        r = qbv.optimize(SCEN, "energy_last", ["network.batteries=%d" % n, "network.coupling=" + coup])
        J, note = (r["value"], "J_op") if r["value"] is not None else (jnc, "no J_op (at bound): NC J_op used")
        sets = ["network.batteries=%d" % n, "network.coupling=" + coup, "network.J=%.17g" % J]
        ts, summary = qbv.run_timeseries(SCEN, sets)
        ss = summary["results"]["gaussian"]["steady_state"]
        e_ss = [m["energy"] for m in ss["modes"]] if isinstance(ss["modes"], list) else [ss["modes"][k]["energy"] for k in ss["modes"]]
        terms = qbv.nc_amplitudes(n, qbv.links_for("cascaded", n), J) if coup == "nonreciprocal" else None
        peak = max(r2["E_b%d" % n] for r2 in ts)
        for r2 in ts:
            e = [r2["E_C"]] + [r2["E_b%d" % j] for j in range(1, n + 1)]
            if terms:
                ex = [abs(qbv.evaluate(tj, r2["t"])) ** 2 for tj in terms]
                worst_nc = max(worst_nc, max(abs(a - b) / max(b, 1e-3) for a, b in zip(e, ex)))
            rows.append([n, coup, J, r2["t"], qbv.KAPPA * r2["t"]] + e + ([float("nan")] if n == 3 else []))
        worst_ss = max(worst_ss, abs(ts[-1]["E_b%d" % n] - e_ss[n]) / e_ss[n])
        info.append((n, coup, J, note, e_ss[n], peak / e_ss[n]))
qbv.write_csv(os.path.join(HERE, "fig4.csv"), ["N", "coupling", "J", "t", "kappa_t", "E_C", "E_b1", "E_b2", "E_b3", "E_b4"], rows)
panels = []
for n in (3, 4):
    for coup in ("nonreciprocal", "reciprocal"):
        cols = ", ".join('"" u 5:%d w l lw 2 t "%s"' % (6 + j, "C" if j == 0 else "b%d" % j) for j in range(1, n + 1))
        panels.append('set title "N = %d, %s"\nplot "< grep \'^%d,%s,\' fig4.csv" u 5:6 w l lw 2 t "C", %s'
                      % (n, "NC" if coup == "nonreciprocal" else "RC", n, coup, cols))
qbv.gnuplot('set datafile separator ","\nset multiplot layout 2,2\nset xlabel "kappa t"\nset ylabel "energy"\n'
            'set key top left\n' + "\n".join(panels) + "\nunset multiplot\n", os.path.join(HERE, "fig4.png"), size="1200,900")

sec = qbv.Section(HERE, "Fig. 4: time evolution, cascaded N = 3 and 4, NC and RC at J_op")
sec.text("![Fig. 4](fig4/fig4.png)")
sec.text("")
sec.text("Gaussian engine from vacuum to kappa t = 15, kappa = 0.003, eps = 0.01, J = J_op maximising E_last. "
         "Data: `fig4/fig4.csv`.")
sec.text("")
sec.text("| N | coupling | J | E_last steady | peak E_last(t) / steady |")
sec.text("|---|---|---|---|---|")
for n, coup, J, note, e, ov in info:
    sec.text("| %d | %s | %.5g (%s) | %.4g | %.3f |" % (n, coup, J, note, e, ov))
sec.text("")
sec.text("NC chains fill monotonically mode after mode (real spectrum: lower-triangular drift); RC chains exchange "
         "energy back and forth (complex spectrum) and can overshoot their steady state (last column). For even N the RC chain has "
         "no interior J_op (Fig. 3), so the NC J_op is used there.")
sec.check("NC engine curves = closed form (every mode, every sample)", worst_nc < 1e-6, "max rel. deviation %.2e" % worst_nc)
sec.check("time series reach the steady state at kappa t = 15 (E_last within 1%)", worst_ss < 0.01, "max rel. gap %.2e" % worst_ss)
sys.exit(0 if sec.write() else 1)
