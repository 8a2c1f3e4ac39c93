#!/usr/bin/python3
"""QuTiP mcsolve on the model of bench/scenarios/nc_thermal.toml (built by qutip_bench.model(): cascaded
NC chain, thermal baths n_th = 0.5 on every mode), vacuum start, the same times, trajectory count and
tolerances as `qbnet run --engine trajectories` in bench/trajectories_bench.sh. Prints one JSON line.
Usage: qutip_mcsolve.py N_BATTERIES CUTOFF NTRAJ T_END SAMPLES [METHOD [NUM_CPUS]]
METHOD: zvode "adams" (QuTiP's default) or "bdf"; NUM_CPUS: processes of QuTiP's parallel_map (default:
QuTiP's own choice, all cores)."""
import json
import os
import sys
import time

import numpy as np
import qutip as qt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qutip_bench import model  # noqa: E402

n_bat, cut, ntraj, t_end, samples = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]),
                                     int(sys.argv[5]))
method = sys.argv[6] if len(sys.argv) > 6 else "adams"
cpus = {"num_cpus": int(sys.argv[7])} if len(sys.argv) > 7 else {}
H, cops, ops = model(n_bat, cut)
psi0 = qt.tensor([qt.basis(cut, 0)] * (n_bat + 1))
times = np.linspace(0.0, t_end, samples)
opts = qt.Options(atol=1e-8, rtol=1e-6, nsteps=10**7, store_states=False, method=method, **cpus)   # qbnet's tolerances
t0 = time.perf_counter()
res = qt.mcsolve(H, psi0, times, cops, [a.dag() * a for a in ops], ntraj=ntraj, options=opts, progress_bar=None)
print(json.dumps({"wall_s": time.perf_counter() - t0, "D": cut ** (n_bat + 1), "ntraj": ntraj, "method": method,
                  "final_energies": [float(np.real(e[-1])) for e in res.expect]}))
