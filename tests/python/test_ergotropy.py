"""qbnet.ergotropy / passive_energy on arbitrary numpy states against a direct numpy computation of
the definition W = tr(rho H) - sum_k r_k e_k (r decreasing, e increasing)."""
import numpy as np
import pytest

import qbnet

EPS = np.finfo(float).eps


def random_state(d, rng, rank=None):
    g = rng.normal(size=(d, rank or d)) + 1j * rng.normal(size=(d, rank or d))
    rho = g @ g.conj().T
    return rho / np.trace(rho).real


def numpy_figures(rho, energies):
    r = np.sort(np.linalg.eigvalsh(rho))[::-1]
    e = np.sort(energies)
    energy = np.real(np.trace(rho @ np.diag(energies)))
    passive = float(np.dot(r, e))
    return energy, energy - passive, passive


# Round-off of both eigen-decompositions: a few eps per unit of the largest level, times sqrt(d).
def tolerance(energies):
    d = len(energies)
    return 50 * EPS * np.sqrt(d) * max(1.0, np.max(np.abs(energies)))


@pytest.mark.parametrize("d,rank", [(2, None), (7, None), (24, 3), (60, None)])
def test_random_states_match_numpy(d, rank):
    rng = np.random.default_rng(1000 + d)
    for _ in range(5):
        rho = random_state(d, rng, rank)
        energies = rng.uniform(-2.0, 5.0, size=d)
        energy, w, p = numpy_figures(rho, energies)
        tol = tolerance(energies)
        assert abs(qbnet.ergotropy(rho, energies) - w) <= tol
        assert abs(qbnet.passive_energy(rho, energies) - p) <= tol
        f = qbnet.figures(rho, energies)
        assert abs(f["energy"] - energy) <= tol
        assert w >= -tol   # ergotropy is never negative


def test_a_perturbed_state_gives_a_different_ergotropy():
    """The comparison can fail: a state rotated by a small unitary (same spectrum, same passive energy)
    has an ergotropy that differs by far more than the tolerance."""
    rng = np.random.default_rng(7)
    d = 10
    rho = random_state(d, rng)
    energies = np.arange(d, dtype=float)
    tol = tolerance(energies)
    h = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    h = (h + h.conj().T) / 2
    w, v = np.linalg.eigh(h)
    u = v @ np.diag(np.exp(1e-3j * w)) @ v.conj().T
    rotated = u @ rho @ u.conj().T
    assert abs(qbnet.passive_energy(rotated, energies) - qbnet.passive_energy(rho, energies)) <= tol
    assert abs(qbnet.ergotropy(rotated, energies) - qbnet.ergotropy(rho, energies)) > 1e3 * tol


def test_known_states():
    # A pure excited qubit stores its whole energy as ergotropy; a thermal (diagonal, decreasing) state none.
    excited = np.diag([0.0, 1.0]).astype(complex)
    assert qbnet.ergotropy(excited, [0.0, 1.0]) == pytest.approx(1.0, abs=4 * EPS)
    thermal = np.diag(np.exp(-np.arange(5.0)))
    thermal /= np.trace(thermal)
    assert abs(qbnet.ergotropy(thermal, np.arange(5.0))) <= 10 * EPS
    # photon_number_levels is QuTiP's tensor order: last mode fastest.
    assert list(qbnet.photon_number_levels([2, 3])) == [0, 1, 2, 1, 2, 3]


@pytest.mark.parametrize("rho,energies,match", [
    (np.eye(3) / 3, [0.0, 1.0], "energies"),
    (np.ones((2, 3)), [0.0, 1.0], "square"),
    (np.array([[0.5, 0.5], [0.0, 0.5]]), [0.0, 1.0], "Hermitian"),
    (np.eye(2) / 2, [0.0, np.nan], "finite"),
])
def test_bad_input_is_a_value_error(rho, energies, match):
    with pytest.raises(ValueError, match=match):
        qbnet.ergotropy(rho, energies)
