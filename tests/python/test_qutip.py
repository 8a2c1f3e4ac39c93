"""Result.to_qobj() against qutip.steadystate on the same model, built here from docs/physics.md:
H = eps (a_0 + a_0^dag) + sum_links J (i a_s^dag a_t - i a_t^dag a_s)   (NC link: phi = pi/2)
L = sqrt((n+1) kappa) a_j, sqrt(n kappa) a_j^dag (every mode), sqrt(2J) (a_s + a_t) (every NC link).
The tolerance is the error bound of the two solvers: ||rho_1 - rho_2|| <= (||L rho_1|| + ||L rho_2||) / s,
s the smallest singular value of the Liouvillian on traceless matrices."""
import numpy as np
import pytest

import qbnet

qutip = pytest.importorskip("qutip", reason="QuTiP not installed (Debian: apt-get install python3-qutip)")

KAPPA, EPS_DRIVE, J, NTH, CUT = 0.003, 0.001, 0.0015, 1.0, 3
SCENARIO = {
    "network": {"topology": "cascaded", "batteries": 2, "coupling": "nonreciprocal", "J": J},
    "drive": {"epsilon": EPS_DRIVE},
    "reservoirs": {"kappa": KAPPA, "n_th": NTH, "apply_to": "all"},
    "fock": {"cutoff": CUT},
}


def qutip_model(j_link):
    m = 3
    a = [qutip.tensor([qutip.destroy(CUT) if k == i else qutip.qeye(CUT) for k in range(m)]) for i in range(m)]
    h = EPS_DRIVE * (a[0] + a[0].dag())
    c_ops = []
    for s, t in ((0, 1), (1, 2)):
        h += j_link * (1j * a[s].dag() * a[t] - 1j * a[t].dag() * a[s])
        c_ops.append(np.sqrt(2 * j_link) * (a[s] + a[t]))
    for i in range(m):
        c_ops.append(np.sqrt((NTH + 1) * KAPPA) * a[i])
        c_ops.append(np.sqrt(NTH * KAPPA) * a[i].dag())
    return h, c_ops


def error_bound(liouvillian, rho_a, rho_b):
    lmat = liouvillian.full()
    d2 = lmat.shape[0]
    d = int(round(np.sqrt(d2)))
    # Orthonormal basis of traceless matrices (in QuTiP's column-stacked vectorisation).
    identity = np.eye(d).reshape(-1, order="F") / np.sqrt(d)
    q, _ = np.linalg.qr(np.column_stack([identity, np.eye(d2)[:, :-1]]))
    s = np.linalg.svd(lmat @ q[:, 1:], compute_uv=False).min()
    res = sum(np.linalg.norm(lmat @ r.reshape(-1, order="F")) for r in (rho_a, rho_b))
    roundoff = 10 * np.finfo(float).eps * np.linalg.norm(lmat) * d
    return (res + roundoff) / s


def test_to_qobj_equals_qutip_steadystate():
    r = qbnet.run(SCENARIO, engine="fock", threads=1)
    state = r.to_qobj()
    assert state.dims == [[CUT] * 3, [CUT] * 3]
    h, c_ops = qutip_model(J)
    reference = qutip.steadystate(h, c_ops)
    rho_b = state.full() / state.tr()
    rho_q = reference.full() / reference.tr()
    bound = error_bound(qutip.liouvillian(h, c_ops), rho_b, rho_q)
    assert bound < 1e-6   # the bound is informative (both solvers converged on this model)
    assert np.linalg.norm(rho_b - rho_q) <= bound
    # Figures from QuTiP's state agree with qbnet's summary within the same bound (|dE| <= ||drho|| ||n||).
    n_op = qutip.num(CUT)
    for j, m in enumerate(r.summary["results"]["fock"]["steady_state"]["modes"]):
        e = qutip.expect(n_op, reference.ptrace(j)) / reference.tr()
        assert abs(e - m["energy"]) <= bound * np.linalg.norm(n_op.full()) + 1e-14


def test_a_different_model_is_detected():
    """The comparison can fail: QuTiP's steady state for J changed by 0.1 % lies outside the bound that
    the correct model's two solutions satisfy."""
    state = qbnet.run(SCENARIO, engine="fock", threads=1).to_qobj()
    rho_b = state.full() / state.tr()
    h, c_ops = qutip_model(J)
    reference = qutip.steadystate(h, c_ops)
    bound = error_bound(qutip.liouvillian(h, c_ops), rho_b, reference.full() / reference.tr())
    h2, c_ops2 = qutip_model(J * 1.001)
    other = qutip.steadystate(h2, c_ops2)
    assert np.linalg.norm(rho_b - other.full() / other.tr()) > 10 * bound
