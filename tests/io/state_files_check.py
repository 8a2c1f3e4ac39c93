#!/usr/bin/env python3
"""--save-state files loaded back with numpy alone (no qbnet): trace 1, Hermitian, and the figures of
summary.json recomputed from the files. Usage: state_files_check.py QBNET_BINARY SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def ergotropy(rho):
    """Exact ergotropy of a single-mode state with H = n: energy minus the passive energy
    (eigenvalues in decreasing order on levels 0, 1, 2, ...)."""
    rho = 0.5 * (rho + rho.conj().T)
    n = np.arange(rho.shape[0])
    energy = float(np.real(np.trace(rho @ np.diag(n))))
    p = np.sort(np.linalg.eigvalsh(rho))[::-1]
    passive = float(np.dot(p, n))
    return energy, energy - passive, passive


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def main():
    qbnet, src = sys.argv[1], sys.argv[2]
    scenario = os.path.join(src, "examples", "squeezed_battery.toml")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("fock", "gaussian"):
            out = os.path.join(tmp, engine)
            r = subprocess.run([qbnet, "run", "--quiet", "--engine", engine, "--save-state", "--set", "time.t_end=200",
                                "--set", "time.samples=3", "--out", out, scenario], capture_output=True, text=True)
            check(r.returncode == 0, f"{engine}: run with --save-state exits 0 ({r.stderr.strip()})")
            index = json.load(open(os.path.join(out, "state.json")))
            summary = json.load(open(os.path.join(out, "summary.json")))
            steady = index["states"][engine]["steady"]
            modes = summary["results"][engine]["steady_state"]["modes"]
            check("final" in index["states"][engine], f"{engine}: the final state is written too")
            if engine == "fock":
                rho = np.load(os.path.join(out, steady["file"]))
                d = int(np.prod(steady["dims"]))
                check(rho.shape == (d, d) and rho.dtype == np.complex128, "fock: rho is complex128 D x D")
                check(abs(np.trace(rho) - 1) < 1e-9, "fock: trace 1")
                check(np.max(np.abs(rho - rho.conj().T)) < 1e-9, "fock: Hermitian")
                # Reduced states recomputed from rho with numpy (QuTiP ordering: mode 0 most significant).
                dims = steady["dims"]
                t = rho.reshape(dims + dims)
                m = len(dims)
                for k, mode in enumerate(modes):
                    red = np.load(os.path.join(out, steady["reduced"][mode["name"]]))
                    axes_keep = [k, m + k]
                    mine = t
                    # trace out every other mode
                    for j in reversed(range(m)):
                        if j == k:
                            continue
                        mine = np.trace(mine, axis1=j, axis2=j + mine.ndim // 2)
                    check(np.max(np.abs(mine - red)) < 1e-12, f"fock: reduced state of {mode['name']} = partial trace")
                    e, w, p = ergotropy(red)
                    check(abs(e - mode["energy"]) < 1e-9 and abs(w - mode["ergotropy"]) < 1e-9
                          and abs(p - mode["passive_energy"]) < 1e-9,
                          f"fock: figures of {mode['name']} recomputed from the file equal summary.json")
                # Must-fail: a perturbed state gives different figures.
                red = np.load(os.path.join(out, steady["reduced"][modes[1]["name"]]))
                bad = red.copy()
                bad[0, 0] -= 1e-3
                bad[1, 1] += 1e-3
                check(abs(ergotropy(bad)[0] - modes[1]["energy"]) > 1e-4, "fock: a perturbed state is detected")
            else:
                mean = np.load(os.path.join(out, steady["mean"]))
                cov = np.load(os.path.join(out, steady["covariance"]))
                n = 2 * len(modes)
                check(mean.shape == (n,) and cov.shape == (n, n), "gaussian: mean 2M and covariance 2M x 2M")
                check(np.max(np.abs(cov - cov.T)) < 1e-12, "gaussian: covariance symmetric")
                for k, mode in enumerate(modes):
                    e = 0.5 * (cov[2 * k, 2 * k] + cov[2 * k + 1, 2 * k + 1] + mean[2 * k] ** 2 + mean[2 * k + 1] ** 2) - 0.5
                    check(abs(e - mode["energy"]) < 1e-9 * max(1, abs(e)),
                          f"gaussian: energy of {mode['name']} from the moments equals summary.json")
    print("state files: all checks passed")


if __name__ == "__main__":
    main()
