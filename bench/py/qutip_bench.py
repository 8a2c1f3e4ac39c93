#!/usr/bin/python3
"""QuTiP / scipy side of bench/run_bench.sh. Builds the SAME model as bench/scenarios/nc_thermal.toml
(docs/physics.md conventions: H = sum_links J (e^{i phi} a_s^dag a_t + h.c.) + eps (a_0 + a_0^dag),
jumps sqrt(kappa (n+1)) a_j, sqrt(kappa n) a_j^dag, sqrt(Gamma) (a_s + a_t), NC: phi = pi/2, Gamma = 2J),
truncated ladder operators as QuTiP builds them, mode 0 most significant (qbnet's order).
Prints one JSON object on stdout.
  mesolve     N c t_end samples [method]   (zvode method: adams (QuTiP's default) | bdf)
  steadystate N c method tol [JSON]   (method: direct | power | iterative-gmres | iterative-lgmres |
                                       iterative-bicgstab; JSON: further steadystate() options)
  lyapunov    PREFIX                  (A, D from bench/gaussian_dump; scipy solve_continuous_lyapunov)
"""
import json
import sys
import time

import numpy as np

KAPPA, NTH, J, EPS = 0.003, 0.5, 0.0015, 0.001


def model(n_bat, c):
    import qutip as qt
    m = n_bat + 1
    ops = []
    for j in range(m):
        f = [qt.qeye(c)] * m
        f[j] = qt.destroy(c)
        ops.append(qt.tensor(f))
    phi, gamma = np.pi / 2, 2 * J
    H = EPS * (ops[0] + ops[0].dag())
    cops = []
    for s in range(n_bat):   # cascaded C -> b1 -> ... -> bN
        t = s + 1
        H += J * (np.exp(1j * phi) * ops[s].dag() * ops[t] + np.exp(-1j * phi) * ops[t].dag() * ops[s])
        cops.append(np.sqrt(gamma) * (ops[s] + ops[t]))
    for j in range(m):
        cops.append(np.sqrt(KAPPA * (NTH + 1)) * ops[j])
        cops.append(np.sqrt(KAPPA * NTH) * ops[j].dag())
    return H, cops, ops


def main():
    mode = sys.argv[1]
    out = {"mode": mode}
    if mode == "mesolve":
        import qutip as qt
        n_bat, c, t_end, samples = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
        method = sys.argv[6] if len(sys.argv) > 6 else "adams"
        H, cops, ops = model(n_bat, c)
        rho0 = qt.ket2dm(qt.tensor([qt.basis(c, 0)] * (n_bat + 1)))
        times = np.linspace(0.0, t_end, samples)
        e_ops = [a.dag() * a for a in ops]
        # qbnet's default tolerances; nsteps large enough never to stop the run
        opts = qt.Options(atol=1e-8, rtol=1e-6, nsteps=10**7, method=method)
        out["method"] = method
        t0, c0 = time.perf_counter(), time.process_time()
        res = qt.mesolve(H, rho0, times, cops, e_ops, options=opts)
        out["wall_s"] = time.perf_counter() - t0
        out["cpu_s"] = time.process_time() - c0   # all threads of the process: steadier on a loaded machine
        out["times"] = times.tolist()
        out["energies"] = [np.real(e).tolist() for e in res.expect]   # per mode, per sample
    elif mode == "steadystate":
        import qutip as qt
        n_bat, c, method, tol = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
        # Optional 6th argument: a JSON object of further steadystate() options (use_rcm, drop_tol,
        # fill_factor, permc_spec, ...): bench/run_bench.sh passes each QuTiP row's settings this way.
        extra = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
        H, cops, ops = model(n_bat, c)
        t0 = time.perf_counter()
        kw = {"method": method}
        if method.startswith("iterative"):
            kw.update(tol=tol, maxiter=5000, use_precond=True)
        kw.update(extra)
        rho = qt.steadystate(H, cops, **kw)
        out["wall_s"] = time.perf_counter() - t0
        out["settings"] = kw
        L = qt.liouvillian(H, cops)
        r = rho.full()
        vec = r.reshape(-1, order="F")
        out["residual"] = float(np.linalg.norm(L.data @ vec) / np.linalg.norm(vec))
        out["energies"] = [float(np.real(qt.expect(a.dag() * a, rho))) for a in ops]
    elif mode == "lyapunov":
        import scipy
        import scipy.linalg as sl
        prefix = sys.argv[2]

        def read(path):
            with open(path, "rb") as f:
                n = int(np.frombuffer(f.read(8), dtype=np.int64)[0])
                return np.frombuffer(f.read(), dtype=np.float64).reshape(n, n).copy()
        A, D = read(prefix + ".A.bin"), read(prefix + ".D.bin")
        t0 = time.perf_counter()
        sigma = sl.solve_continuous_lyapunov(A, -D)
        out["wall_s"] = time.perf_counter() - t0
        out["n"] = A.shape[0]
        out["residual"] = float(np.linalg.norm(A @ sigma + sigma @ A.T + D) / np.linalg.norm(D))
        m = A.shape[0] // 2
        b = np.diag(read(prefix + ".b.bin"))
        mean = np.linalg.solve(A, -b)          # A <R> + b = 0 (not timed: the Lyapunov solve is the yardstick)
        # <a^dag a> = (<x^2> + <p^2> - 1)/2 with <x^2> = sigma_xx + <x>^2
        out["energies"] = [float((sigma[2 * j, 2 * j] + sigma[2 * j + 1, 2 * j + 1] + mean[2 * j] ** 2
                                  + mean[2 * j + 1] ** 2 - 1.0) / 2) for j in range(m)]
        out["scipy"] = scipy.__version__
    else:
        raise SystemExit("unknown mode " + mode)
    if mode != "lyapunov":
        import qutip as qt
        out["qutip"] = qt.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
