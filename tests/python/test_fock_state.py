"""The Fock steady state handed to Python: a density matrix (trace 1, Hermitian) whose figures,
recomputed here from partial traces and qbnet.ergotropy, are the ones in .summary."""
import numpy as np
import pytest

import qbnet
from conftest import SMALL

EPS = np.finfo(float).eps


@pytest.fixture(scope="module")
def result():
    return qbnet.run(SMALL, engine="fock", threads=1)


def reduced(rho, dims, keep):
    """Partial trace of a QuTiP-ordered (mode 0 most significant) density matrix onto modes `keep`."""
    n = len(dims)
    t = rho.reshape(dims + dims)
    letters = "abcdefghijklmnopqrstuvwxyz"
    rows = [letters[i] for i in range(n)]
    cols = [letters[i] if i not in keep else letters[n + i].upper() for i in range(n)]
    out = "".join(letters[i] for i in keep) + "".join(letters[n + i].upper() for i in keep)
    m = np.einsum("".join(rows) + "".join(cols) + "->" + out, t)
    d = int(np.prod([dims[i] for i in keep]))
    return m.reshape(d, d)


def local_figures(rho, dims):
    out = []
    for j, c in enumerate(dims):
        f = qbnet.figures(reduced(rho, dims, [j]), np.arange(c, dtype=float))
        out.append(f)
    return out


def test_steady_state_is_a_density_matrix(result):
    rho = result.steady_state_rho
    d = int(np.prod(result.dims))
    assert rho.dtype == np.complex128 and rho.shape == (d, d) == (64, 64)
    # The engine normalises the solver's answer (docs/trust.md: the raw trace error is the solver's,
    # not reported for the steady state): trace 1 to round-off.
    assert abs(np.trace(rho).real - 1.0) <= 4 * EPS * d
    assert np.linalg.norm(rho - rho.conj().T) <= 1e-10 * np.linalg.norm(rho)
    assert np.min(np.linalg.eigvalsh((rho + rho.conj().T) / 2)) >= -1e-10


def test_figures_recomputed_from_rho_match_the_summary(result):
    rho, dims = result.steady_state_rho, result.dims
    modes = result.summary["results"]["fock"]["steady_state"]["modes"]
    # Same functions on the same numbers; only the partial-trace summation order differs: a few eps
    # per basis state of the traced-out modes.
    tol = 4 * EPS * rho.shape[0]
    for f, m in zip(local_figures(rho, dims), modes):
        for key in ("energy", "ergotropy", "passive_energy"):
            assert abs(f[key] - m[key]) <= tol * max(1.0, abs(m[key])), (m["name"], key)
    batteries = result.summary["results"]["fock"]["steady_state"]["batteries"]
    joint = qbnet.figures(reduced(rho, dims, list(range(1, len(dims)))), qbnet.photon_number_levels(dims[1:]))
    for key in ("energy", "ergotropy", "passive_energy"):
        assert abs(joint[key] - batteries[key]) <= tol * max(1.0, abs(batteries[key])), key


def test_a_perturbed_state_does_not_match(result):
    """The comparison above can fail: mixing in 1e-6 of the vacuum moves the figures far beyond it."""
    rho, dims = result.steady_state_rho, result.dims
    vacuum = np.zeros_like(rho)
    vacuum[0, 0] = 1.0
    perturbed = (1 - 1e-6) * rho + 1e-6 * vacuum
    modes = result.summary["results"]["fock"]["steady_state"]["modes"]
    tol = 4 * EPS * rho.shape[0]
    worst = max(abs(f["energy"] - m["energy"]) for f, m in zip(local_figures(perturbed, dims), modes))
    assert worst > 100 * tol


def test_time_series_state_and_gaussian_moments():
    r = qbnet.run(SMALL, engine="fock", threads=1)
    assert r.final_state_rho is not None and r.final_state_rho.shape == r.steady_state_rho.shape
    # The last sample's figures come from the final state.
    f = local_figures(r.final_state_rho, r.dims)
    for j in range(len(r.dims)):
        assert abs(f[j]["energy"] - r.energy[-1, j]) <= 4 * EPS * 64 * max(1.0, r.energy[-1, j])
    g = qbnet.run(SMALL, engine="gaussian", threads=1)
    assert g.steady_state_rho is None and g.dims is None
    m = g.steady_state_moments
    assert m["mean"].shape == (6,) and m["covariance"].shape == (6, 6)
    # <a^dag a> = (<x^2> + <p^2> - 1)/2 + |<a>|^2 with a = (x + i p)/sqrt(2): the moments give the energies.
    for j in range(3):
        x, p = m["mean"][2 * j], m["mean"][2 * j + 1]
        e = (m["covariance"][2 * j, 2 * j] + m["covariance"][2 * j + 1, 2 * j + 1] - 1) / 2 + (x * x + p * p) / 2
        assert abs(e - g.steady_state["energy"][j]) <= 1e-12 * max(1.0, e)
    assert qbnet.run(SMALL, engine="fock", keep_states=False).steady_state_rho is None
