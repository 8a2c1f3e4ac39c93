"""qbnet.run returns what `qbnet run` writes: summary.json key for key (provenance included) and value
for value, and the time series of timeseries-<engine>.csv. Same library, same thread count: the numbers
must be equal exactly (the CLI writes 17 significant digits, which round-trip a double). Engine pairs
("fock,gaussian") give the CLI's cross-check block."""
import copy
import csv
import json
import math
import os
import sys

import numpy as np
import pytest

import qbnet
from conftest import SMALL, run_cli
from qbnet._scenario import dict_to_toml

# Timing fields legitimately differ between two runs, and so do the date and the command line of the
# provenance block (their keys must still match).
VOLATILE = ("wall_s", "schur_s", "solve_s", "evolve_s", "rebuild_wall_s", "date_utc",
            "command_line")


def differences(a, b, path="summary"):
    """Every place where two JSON-like trees differ (ignoring VOLATILE keys)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        if list(a) != list(b):
            out.append("%s: keys %s != %s" % (path, list(a), list(b)))
        for k in a:
            if k in b and k not in VOLATILE:
                out += differences(a[k], b[k], path + "." + k)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return ["%s: length %d != %d" % (path, len(a), len(b))]
        return sum((differences(x, y, "%s[%d]" % (path, i)) for i, (x, y) in enumerate(zip(a, b))), [])
    if type(a) != type(b) or a != b:   # noqa: E721  (int 1 vs float 1.0 is a difference in the file)
        return ["%s: %r != %r" % (path, a, b)]
    return []


@pytest.mark.parametrize("engine", ["fock", "gaussian"])
def test_summary_and_timeseries_equal_the_cli(cli, tmp_path, engine):
    path = tmp_path / "small.toml"
    path.write_text(dict_to_toml(SMALL))
    rc, _, err = run_cli(cli, ["run", str(path), "--engine", engine, "--threads", "1", "--quiet",
                               "--out", str(tmp_path / "out")], tmp_path)
    assert rc in (0, 4), err   # 4: the Fock error bars at this small cutoff exceed fock.tolerance
    with open(tmp_path / "out" / "summary.json") as f:
        file_summary = json.load(f)
    r = qbnet.run(str(path), engine=engine, threads=1)
    # Key for key, recursively, provenance included; every value but the date and the command line.
    assert differences(file_summary, r.summary) == []
    prov = r.summary["provenance"]
    assert list(prov) == ["version", "commit", "command_line", "date_utc", "host", "threads", "ranks"]
    assert prov["threads"] == 1 and prov["ranks"] == 1
    assert prov["command_line"][0] == sys.executable and prov["command_line"][1:] == sys.argv
    # A missing key is reported (the comparison can fail).
    stripped = copy.deepcopy(r.summary)
    stripped["provenance"].pop("host")
    assert len(differences(file_summary, stripped)) == 1

    # A summary that differs in one figure by one part in 1e12 must be reported.
    changed = copy.deepcopy(r.summary)
    e = changed["results"][engine]["steady_state"]["modes"][1]["energy"]
    changed["results"][engine]["steady_state"]["modes"][1]["energy"] = e * (1 + 1e-12)
    assert len(differences(file_summary, changed)) == 1

    with open(tmp_path / "out" / ("timeseries-%s.csv" % engine)) as f:
        rows = list(csv.DictReader(f))
    assert r.times.shape == (7,) and r.energy.shape == (7, 3) and r.ergotropy.shape == (7, 3)
    assert r.passive_energy.shape == (7, 3)
    for k, row in enumerate(rows):
        assert float(row["t"]) == r.times[k]
        for j, mode in enumerate(r.modes):
            assert float(row["E_" + mode]) == r.energy[k, j]
            if j > 0:
                assert float(row["W_" + mode]) == r.ergotropy[k, j]
        assert float(row["E_B"]) == r.batteries_energy[k]
    # W + P = E is an identity of the figures (W = E - P), up to one rounding.
    assert np.max(np.abs(r.ergotropy + r.passive_energy - r.energy)) <= 4 * np.finfo(float).eps * np.max(r.energy)


@pytest.mark.parametrize("engine", ["fock", "gaussian", "trajectories"])
def test_timeseries_csv_has_every_mode_ergotropy_and_passive_energy(cli, tmp_path, engine):
    """Issue 19: W_C and P_<mode>, P_B (with d-columns where the engine estimates errors) in
    timeseries-<engine>.csv, equal to the library's figures; the trajectory engine's last row equals
    summary.json's `final` block."""
    scenario = copy.deepcopy(SMALL)
    if engine == "trajectories":
        scenario["trajectories"] = {"count": 16, "seed": 7}
        scenario["steady_state"] = {"enabled": False}
    path = tmp_path / "small.toml"
    path.write_text(dict_to_toml(scenario))
    rc, _, err = run_cli(cli, ["run", str(path), "--engine", engine, "--threads", "1", "--quiet",
                               "--out", str(tmp_path / "out")], tmp_path)
    assert rc in (0, 4), err
    with open(tmp_path / "out" / ("timeseries-%s.csv" % engine)) as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames)
        rows = list(reader)
    # The original block keeps its order; the additions follow it.
    assert header[:8] == ["t", "E_C", "E_b1", "E_b2", "W_b1", "W_b2", "E_B", "W_B"]
    assert header[8:13] == ["W_C", "P_C", "P_b1", "P_b2", "P_B"]
    r = qbnet.run(str(path), engine=engine, threads=1)
    errors = r.energy_error is not None
    # Fock: truncation estimates; trajectories: standard errors; Gaussian: round-off bounds.
    assert errors
    assert (("dW_C" in header) and ("dP_C" in header) and ("dP_B" in header)) == errors
    for k, row in enumerate(rows):
        for j, mode in enumerate(r.modes):
            assert float(row["W_" + mode]) == r.ergotropy[k, j]
            assert float(row["P_" + mode]) == r.passive_energy[k, j]
            if errors:
                assert float(row["dP_" + mode]) == r.passive_energy_error[k, j]
                assert float(row["dW_" + mode]) == r.ergotropy_error[k, j]
        b = r.batteries_passive_energy[k]
        assert float(row["P_B"]) == b or (math.isnan(b) and math.isnan(float(row["P_B"])))
    # Must-fail: the charger's passive energy is not its ergotropy (thermal bath on C: both non-zero).
    assert float(rows[-1]["P_C"]) != float(rows[-1]["W_C"])
    if engine == "trajectories":
        with open(tmp_path / "out" / "summary.json") as f:
            final = json.load(f)["results"]["trajectories"]["final"]
        last = rows[-1]
        for m in final["modes"]:
            for col, key in (("E_", "energy"), ("W_", "ergotropy"), ("P_", "passive_energy")):
                assert float(last[col + m["name"]]) == m[key]
                assert float(last["d" + col + m["name"]]) == m["error"][key]
        assert float(last["P_B"]) == final["batteries"]["passive_energy"]
        assert float(last["dP_B"]) == final["batteries"]["error"]["passive_energy"]


def test_dict_text_and_path_scenarios_give_the_same_result(tmp_path):
    path = tmp_path / "small.toml"
    text = dict_to_toml(SMALL)
    path.write_text(text)
    a = qbnet.run(SMALL, engine="gaussian", threads=1, name="small")
    b = qbnet.run(text, engine="gaussian", threads=1, name="small")
    c = qbnet.run(path, engine="gaussian", threads=1)
    assert differences(a.summary, b.summary) == [] and differences(a.summary, c.summary) == []
    # set= overrides act like --set: J changed -> figures changed; same J -> identical.
    d = qbnet.run(SMALL, engine="gaussian", threads=1, name="small", set={"network.J": 0.0015})
    e = qbnet.run(SMALL, engine="gaussian", threads=1, name="small", set=["network.J=0.002"])
    assert differences(a.summary, d.summary) == []
    assert e.summary["parameters"] != a.summary["parameters"]
    assert e.steady_state["energy"][2] != a.steady_state["energy"][2]


def test_steady_state_arrays_equal_the_summary():
    r = qbnet.run(SMALL, engine="fock", threads=1)
    modes = r.summary["results"]["fock"]["steady_state"]["modes"]
    for j, m in enumerate(modes):
        assert m["name"] == r.modes[j]
        assert r.steady_state["energy"][j] == m["energy"]
        assert r.steady_state["ergotropy"][j] == m["ergotropy"]
        assert r.steady_state["passive_energy"][j] == m["passive_energy"]
    # Error bars travel with the figures exactly when the engine estimated them.
    if any("error" in m for m in modes):
        assert [m["error"]["energy"] for m in modes] == list(r.steady_state["energy_error"])
    else:
        assert r.steady_state["energy_error"] is None
    assert r.dims == [4, 4, 4]
    assert math.isfinite(r.steady_state["batteries_ergotropy"])


@pytest.mark.parametrize("pair", ["fock,gaussian", "gaussian,fock"])
def test_engine_pair_gives_the_cli_summary_and_cross_check(cli, tmp_path, pair):
    path = tmp_path / "small.toml"
    path.write_text(dict_to_toml(SMALL))
    rc, _, err = run_cli(cli, ["run", str(path), "--engine", pair, "--threads", "1", "--quiet",
                               "--out", str(tmp_path / "out")], tmp_path)
    assert rc in (0, 1, 4), err
    with open(tmp_path / "out" / "summary.json") as f:
        file_summary = json.load(f)
    r = qbnet.run(str(path), engine=pair, threads=1)
    assert differences(file_summary, r.summary) == []
    first, second = pair.split(",")
    assert r.engines == [first, second] and r.engine == first
    assert r.cross_check == file_summary["cross_check"]
    # The CLI's exit code is the verdict's (0 agree, 1 disagree, 4 inconclusive or untrustworthy).
    assert {"agree": rc in (0, 4), "disagree": rc == 1, "inconclusive": rc == 4}[r.cross_check["verdict"]]
    assert r.by_engine[second].engine == second
    assert list(r.by_engine[second].steady_state["energy"]) == \
        [m["energy"] for m in file_summary["results"][second]["steady_state"]["modes"]]
    assert r.by_engine[first].steady_state["energy"][1] == r.steady_state["energy"][1]


def test_one_engine_has_no_cross_check_and_a_bad_pair_is_refused():
    r = qbnet.run(SMALL, engine="gaussian", threads=1)
    assert r.cross_check is None and r.engines == ["gaussian"] and r.by_engine["gaussian"] is r
    for bad in ("fock,fock", "fock,gaussian,trajectories", "fock,"):
        with pytest.raises(qbnet.InputError, match="engine"):
            qbnet.run(SMALL, engine=bad, threads=1)
