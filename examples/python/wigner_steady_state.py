#!/usr/bin/env python3
"""Hand a qbnet steady state to QuTiP: Wigner function of the charger of a cascaded nonreciprocal chain
with thermal baths (a displaced thermal state), next to qbnet's own figures.

    PYTHONPATH=build/python python3 examples/python/wigner_steady_state.py [wigner.png]"""
import sys

import numpy as np

import qbnet

try:
    import qutip
except ImportError:
    sys.exit("this example needs QuTiP (Debian: apt-get install python3-qutip)")

scenario = {
    "network": {"topology": "cascaded", "batteries": 2, "coupling": "nonreciprocal", "J": 0.0015},
    "drive": {"epsilon": 0.003},
    "reservoirs": {"kappa": 0.003, "n_th": 0.5, "apply_to": "all"},
    # Lab frame: the density matrix handed to QuTiP is the physical state. (The default "auto" frame
    # would pick the displaced frame here, whose rho' is centred at the origin: Result.frame, .alpha.)
    "fock": {"cutoff": 8, "frame": "lab"},
    "time": {"t_end": 0},           # the steady state only
}
r = qbnet.run(scenario, engine="fock")
rho = r.to_qobj()                 # dims [[8, 8, 8], [8, 8, 8]]: C, b1, b2
charger = rho.ptrace(0)
print("qbnet:  E_C = %.6f  W_C = %.6f" % (r.steady_state["energy"][0], r.steady_state["ergotropy"][0]))
print("QuTiP:  <n_C> = %.6f  purity = %.4f" % (qutip.expect(qutip.num(8), charger), (charger * charger).tr()))
print("qbnet.ergotropy(reduced state from QuTiP) = %.6f" % qbnet.ergotropy(charger.full(), np.arange(8.0)))

xvec = np.linspace(-4, 4, 161)
w = qutip.wigner(charger, xvec, xvec)
print("Wigner function: min %.3g, max %.3g (non-negative up to truncation: a Gaussian state)" % (w.min(), w.max()))
# The same state seen twice: QuTiP's photon number and qbnet's energy (omega = 1, no zero-point term),
# and qbnet's ergotropy of the reduced state QuTiP computed.
assert abs(qutip.expect(qutip.num(8), charger) - r.steady_state["energy"][0]) < 1e-6 * r.steady_state["energy"][0]
assert abs(qbnet.ergotropy(charger.full(), np.arange(8.0)) - r.steady_state["ergotropy"][0]) < 1e-6
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no plot (Debian: apt-get install python3-matplotlib)")
    sys.exit(0)
fig, ax = plt.subplots(figsize=(5, 4.5))
c = ax.contourf(xvec, xvec, w, 60, cmap="RdBu_r")
fig.colorbar(c, ax=ax)
ax.set_xlabel("x")
ax.set_ylabel("p")
ax.set_title("charger steady state: Wigner function")
out = sys.argv[1] if len(sys.argv) > 1 else "wigner_steady_state.png"
fig.savefig(out, dpi=100)
print("wrote", out)
