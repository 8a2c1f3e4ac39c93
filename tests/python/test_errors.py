"""Bad input raises ValueError carrying the CLI's one-line message (`qbnet: error: <message>` on the
CLI's stderr, exit code 2)."""
import copy

import pytest

import qbnet
from conftest import SMALL, run_cli
from qbnet._scenario import dict_to_toml


def cli_message(cli, tmp_path, scenario, args=()):
    path = tmp_path / "bad.toml"
    path.write_text(dict_to_toml(scenario))
    rc, out, err = run_cli(cli, ["run", str(path), "--quiet", "--out", str(tmp_path / "out")] + list(args), tmp_path)
    assert rc == 2, (rc, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qbnet: error: "), err
    return lines[0][len("qbnet: error: "):], path


def with_(section, key, value):
    s = copy.deepcopy(SMALL)
    s.setdefault(section, {})[key] = value
    return s


@pytest.mark.parametrize("section,key,value", [
    ("network", "J", -1.0),                 # out of range
    ("network", "batteries", 0),            # out of range
    ("network", "topology", "ring"),        # not an allowed name
    ("reservoirs", "kappa", "fast"),        # wrong type
    ("network", "no_such_key", 1),          # unknown key
])
def test_scenario_errors_are_value_errors_with_the_cli_message(cli, tmp_path, section, key, value):
    scenario = with_(section, key, value)
    message, path = cli_message(cli, tmp_path, scenario)
    for form in (scenario, dict_to_toml(scenario), path):
        with pytest.raises(ValueError) as info:
            qbnet.run(form, engine="gaussian")
        assert str(info.value) == message
        assert isinstance(info.value, qbnet.InputError)


def test_refused_run_is_a_value_error(cli, tmp_path):
    # A Kerr term has no Gaussian description: the Gaussian engine refuses the run.
    scenario = copy.deepcopy(SMALL)
    scenario["kerr"] = {"chi": 0.001}
    message, _ = cli_message(cli, tmp_path, scenario, ["--engine", "gaussian"])
    with pytest.raises(ValueError) as info:
        qbnet.run(scenario, engine="gaussian")
    assert str(info.value) == message


def test_bad_options_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="engine"):
        qbnet.run(SMALL, engine="exact")
    with pytest.raises(ValueError, match="network.J"):
        qbnet.run(SMALL, engine="gaussian", set=["network.J=-1"])
    with pytest.raises(ValueError, match="cannot read scenario file"):
        qbnet.run(str(tmp_path / "missing.toml"))
    with pytest.raises(ValueError, match="values"):
        qbnet.sweep(SMALL, {"network.J": []})
    with pytest.raises(ValueError, match="objective"):
        qbnet.optimize(SMALL, objective="happiness")
    # A valid run raises nothing (the checks above can pass only because of the bad input).
    qbnet.run(SMALL, engine="gaussian")


def test_to_qobj_without_a_fock_state_is_a_value_error():
    r = qbnet.run(SMALL, engine="gaussian")
    assert r.steady_state_rho is None and r.dims is None
    with pytest.raises(ValueError, match="no steady Fock state"):
        r.to_qobj()
