"""qbnet.sweep and qbnet.optimize: sweep columns equal single runs point by point; the optimiser finds
the known optimum J_op = kappa/2 of one nonreciprocal battery (docs/physics.md, reference result 1)."""
import math

import numpy as np
import pytest

import qbnet

KAPPA = 0.003
BASE = {
    "network": {"topology": "cascaded", "batteries": 2, "coupling": "nonreciprocal", "J": 0.0015},
    "drive": {"epsilon": 0.001},
    "reservoirs": {"kappa": KAPPA, "n_th": 0.5, "apply_to": "all"},
    "fock": {"cutoff": 4},
}


@pytest.mark.parametrize("engine", ["gaussian", "fock"])
def test_sweep_columns_equal_single_runs(engine):
    js = np.array([0.001, 0.0015, 0.004])
    cols = qbnet.sweep(BASE, {"network.J": js}, engine=engine, threads=1)
    np.testing.assert_array_equal(cols["network.J"], js)
    assert cols["converged"].all()
    for k, j in enumerate(js):
        r = qbnet.run(BASE, engine=engine, threads=1, set={"network.J": j})
        for m, name in enumerate(r.modes):
            assert cols["E_" + name][k] == r.steady_state["energy"][m]
            assert cols["W_" + name][k] == r.steady_state["ergotropy"][m]
            assert cols["P_" + name][k] == r.steady_state["passive_energy"][m]
        assert cols["E_B"][k] == r.steady_state["batteries_energy"]
        assert cols["W_B"][k] == r.steady_state["batteries_ergotropy"]
    # Different J, different energies: the columns are not one repeated point.
    assert len(set(cols["E_b2"])) == 3


def test_sweep_grid_order_and_missing_modes():
    cols = qbnet.sweep(BASE, {"network.batteries": [1, 2], "network.J": [0.001, 0.002]}, engine="gaussian", threads=1)
    # Last key fastest, as `qbnet sweep`.
    assert list(cols["network.batteries"]) == [1, 1, 2, 2]
    assert list(cols["network.J"]) == [0.001, 0.002, 0.001, 0.002]
    assert np.isnan(cols["E_b2"][:2]).all() and np.isfinite(cols["E_b2"][2:]).all()


def test_optimize_finds_kappa_over_two_for_one_battery():
    scenario = {"network": {"topology": "cascaded", "batteries": 1, "coupling": "nonreciprocal", "J": 0.001},
                "drive": {"epsilon": 0.001}, "reservoirs": {"kappa": KAPPA}}
    r = qbnet.optimize(scenario, key="network.J", lower=1e-4, upper=1e-1, objective="energy_last",
                       engine="gaussian", threads=1)
    # Brent stops at 2^(1-26) ~ 3e-8 relative on log J; the objective is flat to sqrt(machine eps) there.
    # 1e-6 leaves a factor 30 on the solver's tolerance, and 1e-4 off the optimum must fail it.
    assert abs(r["value"] / (KAPPA / 2) - 1) < 1e-6
    assert abs(r["value"] / (KAPPA / 2 * (1 + 1e-4)) - 1) > 1e-6
    assert r["scan_values"].shape == r["scan_objective"].shape and r["scan_values"].size > 3
    # E_C = E_1 = (eps/kappa)^2 at the optimum (docs/physics.md reference result 1).
    assert r["objective_value"] == pytest.approx((0.001 / KAPPA) ** 2, rel=1e-9)
    assert math.isfinite(r["objective_value"])


def test_optimize_returns_the_cli_optimum_json(cli, tmp_path):
    """Issue 19: qbnet.optimize gives optimum.json's keys in its order (scenario, provenance, overrides, then
    the result) and its values (timing-free: the same library, the same thread count)."""
    import json
    from conftest import run_cli
    from qbnet._scenario import dict_to_toml
    scenario = {"network": {"topology": "cascaded", "batteries": 1, "coupling": "nonreciprocal", "J": 0.001},
                "drive": {"epsilon": 0.001}, "reservoirs": {"kappa": KAPPA}}
    path = tmp_path / "opt.toml"
    path.write_text(dict_to_toml(scenario))
    rc, _, err = run_cli(cli, ["optimize", str(path), "--param", "network.J", "--bounds", "1e-4:1e-1", "--points", "41",
                               "--objective", "energy_last", "--engine", "gaussian", "--threads", "1", "--quiet",
                               "--set", "drive.epsilon=0.002", "--out", str(tmp_path / "out")], tmp_path)
    assert rc == 0, err
    with open(tmp_path / "out" / "optimum.json") as f:
        cli_json = json.load(f)
    r = qbnet.optimize(str(path), key="network.J", lower=1e-4, upper=1e-1, objective="energy_last",
                       engine="gaussian", threads=1, set=["drive.epsilon=0.002"])
    py_keys = [k for k in r if k not in ("scan_values", "scan_objective")]
    assert py_keys == list(cli_json)
    assert py_keys[:3] == ["scenario", "provenance", "overrides"]
    assert r["scenario"] == cli_json["scenario"] == "opt" and r["overrides"] == ["drive.epsilon=0.002"]
    assert list(r["provenance"]) == list(cli_json["provenance"])
    assert r["provenance"]["ranks"] == 1 and r["provenance"]["threads"] == 1
    for k in py_keys[3:]:
        assert r[k] == cli_json[k], k
    # Must-fail: another drive moves the objective value.
    other = qbnet.optimize(str(path), key="network.J", lower=1e-4, upper=1e-1, objective="energy_last",
                           engine="gaussian", threads=1)
    assert other["objective_value"] != cli_json["objective_value"] and other["overrides"] == []
