#!/usr/bin/env python3
"""Fig. 5 curves: energy and ergotropy of the last battery while charging, with thermal baths n_th = 0,
1, 2 on every mode (eps = 0.001, kappa = 0.003, nonreciprocal links at J = J_op), Gaussian engine.
The scenario is validation/fig5/network.toml; J_op for the cascaded N = 2 chain comes from qbnet.optimize.

    PYTHONPATH=build/python python3 examples/python/fig5_curves.py [fig5_python.png]

Writes fig5_python.csv (and the PNG when matplotlib is installed)."""
import math
import os
import sys

import numpy as np

import qbnet

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "..", "..", "validation", "fig5", "network.toml")
KAPPA = 0.003

networks = [("N = 1", "cascaded", 1, KAPPA / 2),
            ("cascaded N = 2 (b2)", "cascaded", 2, None),
            ("parallel N = 2 (b2)", "parallel", 2, KAPPA / (2 * math.sqrt(2)))]
curves = []
for title, topology, n, j in networks:
    base = {"network.topology": topology, "network.batteries": n}
    if j is None:   # J maximising the steady energy of the last battery of the chain
        j = qbnet.optimize(SCENARIO, key="network.J", lower=1e-5, upper=1.0, objective="energy_last",
                           set=base)["value"]
    for nth in (0, 1, 2):
        r = qbnet.run(SCENARIO, engine="gaussian", set=dict(base, **{"network.J": j, "reservoirs.n_th": nth}))
        curves.append((title, nth, j, KAPPA * r.times, r.energy[:, n], r.ergotropy[:, n]))
        print("%-22s n_th=%d  J=%.6g  E_last=%.6g  W_last=%.6g" % (title, nth, j, r.energy[-1, n], r.ergotropy[-1, n]))

with open("fig5_python.csv", "w") as f:
    f.write("network,n_th,J,kappa_t,E_last,W_last\n")
    for title, nth, j, kt, e, w in curves:
        for row in zip(kt, e, w):
            f.write('"%s",%d,%.17g,%.17g,%.17g,%.17g\n' % ((title, nth, j) + row))
print("wrote fig5_python.csv")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no plot (Debian: apt-get install python3-matplotlib)")
    sys.exit(0)
fig, axes = plt.subplots(3, 2, figsize=(10, 11), sharex=True)
for row, (title, _, _, _) in enumerate(networks):
    for title_, nth, _, kt, e, w in curves:
        if title_ != title:
            continue
        style = dict(ls=("-", "--", ":")[nth], label="$n_{th}=%d$" % nth)
        axes[row, 0].plot(kt, e, **style)
        axes[row, 1].plot(kt, w, **style)
    axes[row, 0].set_title(title + ": energy")
    axes[row, 1].set_title(title + ": ergotropy")
    axes[row, 0].legend()
for ax in axes[-1]:
    ax.set_xlabel(r"$\kappa t$")
fig.tight_layout()
out = sys.argv[1] if len(sys.argv) > 1 else "fig5_python.png"
fig.savefig(out, dpi=100)
print("wrote", out)
