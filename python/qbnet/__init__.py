"""qbnet: open quantum-battery networks on the qbnet C++ engines (Fock and Gaussian).

    import qbnet
    r = qbnet.run({"network": {"batteries": 2, "J": 0.0015}, "drive": {"epsilon": 0.001},
                   "reservoirs": {"kappa": 0.003}, "fock": {"cutoff": 6}})
    r.summary["results"]["fock"]["steady_state"]   # the CLI's summary.json, as a dict
    r.steady_state["ergotropy"]                    # numpy, modes C, b1, b2

Thin layer: every number comes from the C++ library (docs/python.md). Scenario keys: docs/scenario.md.
"""
import sys as _sys

import numpy as _np

from . import _qbnet
from ._qbnet import InputError, RunRefused  # noqa: F401  (both subclasses of ValueError)
from ._scenario import override as _override
from ._scenario import scenario_text as _scenario_text

__all__ = ["run", "sweep", "optimize", "ergotropy", "passive_energy", "figures", "photon_number_levels",
           "Result", "InputError", "RunRefused"]


class Result:
    """One engine run. Arrays are numpy; modes are ordered C, b1, ..., bN (`modes`).

    summary            the dict the CLI writes to summary.json: the same keys (provenance included; its
                       command_line is this Python process's [sys.executable] + sys.argv, ranks is 1),
                       NaN written as None
    engines            the engines run: ["fock"], or both of a pair such as ["fock", "gaussian"]
    cross_check        a pair's verdict (summary["cross_check"]: verdict "agree" / "disagree" /
                       "inconclusive", worst figure, tolerance); None for one engine
    by_engine          {engine: Result} for each engine of a pair (the attributes below are the FIRST
                       engine's); {engine: self} for one engine
    times              float64 [samples] (empty when time.t_end = 0)
    energy, ergotropy, passive_energy
                       float64 [samples, N+1]: local figures of each mode over time
    energy_error, ...  same shape, the engine's error bars (None when the engine estimated none)
    batteries_energy, batteries_ergotropy, batteries_passive_energy
                       float64 [samples]: the joint state of all batteries
    steady_state       dict of the steady-state figures: energy, ergotropy, passive_energy (float64 [N+1]),
                       their *_error (or None), batteries_* (floats); None without a steady state
    final_state        same at t_end for the trajectory engine; None otherwise
    steady_state_rho   complex128 [D, D], Fock engine: the steady state in QuTiP's tensor order (mode 0
                       the most significant index); None otherwise. frame == "displaced": this is the
                       displaced-frame state rho' (lab state D(alpha) rho' D(alpha)^dag, alpha = .alpha)
    final_state_rho    the same at the last time sample
    dims               per-mode Fock cutoffs [c0, ..., cN] (Fock engine), else None
    steady_state_moments  Gaussian engine: {"mean": [2M], "covariance": [2M, 2M]} in (x0, p0, x1, p1, ...)
    warnings           the engine's warnings (the CLI prints them)
    """

    def __init__(self, raw):
        self._raw = raw
        self.summary = raw["summary"]
        self.engine = raw["engine"]
        self.modes = list(raw["modes"])
        self.times = raw["times"]
        ts = raw["timeseries"]
        for key in ("energy", "ergotropy", "passive_energy", "energy_error", "ergotropy_error",
                    "passive_energy_error", "batteries_energy", "batteries_ergotropy", "batteries_passive_energy"):
            setattr(self, key, ts[key])
        self.steady_state = raw["steady_state"]
        self.final_state = raw["final_state"]
        steady, final = raw["steady_fock"], raw["final_fock"]
        self.steady_state_rho = steady["rho"] if steady else None
        self.final_state_rho = final["rho"] if final else None
        fock = steady or final
        self.frame = fock["frame"] if fock else None
        self.alpha = fock["alpha"] if fock else None
        self.dims = list(raw["dims"]) if raw["dims"] is not None else None
        self.steady_state_moments = raw["steady_gaussian"]
        self.final_state_moments = raw["final_gaussian"]
        self.warnings = list(raw["warnings"])
        self.cross_check = self.summary.get("cross_check")
        if "pair" in raw:
            self.by_engine = {sub["engine"]: Result(sub) for sub in raw["pair"]}
        else:
            self.by_engine = {self.engine: self}
        self.engines = list(self.by_engine)

    def to_qobj(self, which="steady"):
        """The Fock state as a qutip.Qobj with dims [[c0..cN], [c0..cN]] (which = "steady" or "final")."""
        rho = {"steady": self.steady_state_rho, "final": self.final_state_rho}.get(which, "bad")
        if isinstance(rho, str):
            raise ValueError("which: 'steady' or 'final' (got %r)" % (which,))
        if rho is None:
            raise ValueError("no %s Fock state in this result (engine %s; keep_states=False, or no %s state)"
                             % (which, self.engine, which))
        try:
            import qutip
        except ImportError as e:
            raise ImportError("Result.to_qobj() needs QuTiP (Debian: apt-get install python3-qutip; "
                              "or pip install qutip)") from e
        return qutip.Qobj(rho, dims=[list(self.dims), list(self.dims)])

    def __repr__(self):
        return "<qbnet.Result engine=%s modes=%s samples=%d steady_state=%s%s>" % (
            ",".join(self.engines), ",".join(self.modes), len(self.times), self.steady_state is not None,
            " cross_check=%s" % self.cross_check["verdict"] if self.cross_check else "")


def _overrides(set):
    if set is None:
        return []
    if isinstance(set, str):
        return [set]
    if isinstance(set, dict):
        return [_override(k, v) for k, v in set.items()]
    return list(set)


def run(scenario, engine="fock", *, threads=0, progress=False, set=None, name=None, keep_states=True):
    """Run one engine on a scenario and return a Result.

    scenario     dict with the TOML keys, TOML text, or a path to a .toml file
    engine       "fock", "gaussian" or "trajectories"; or a pair such as "fock,gaussian" ("both") or
                 "fock,trajectories": both engines run and are cross-checked (Result.cross_check, and
                 Result.by_engine for the second engine's arrays), as `qbnet run --engine A,B`
    threads      OpenMP threads (0: OMP_NUM_THREADS, else all cores)
    progress     False, True (lines on stderr) or a callable(fraction, label)
    set          overrides like the CLI's --set: ["network.J=0.002", ...] or {"network.J": 0.002}
    name         scenario name in .summary (default: the file stem, or "scenario")
    keep_states  keep the Fock density matrix / Gaussian moments (16 D^2 bytes for Fock)

    Raises ValueError (qbnet.InputError, qbnet.RunRefused) with the CLI's one-line message for bad input
    or a refused run, and KeyboardInterrupt on Ctrl-C.
    """
    text, name = _scenario_text(scenario, name)
    return Result(_qbnet.run(text, name, _overrides(set), engine, int(threads), progress, bool(keep_states),
                             _command_line()))


def _command_line():
    """provenance.command_line of a Python run: the interpreter and its arguments (the script that called
    qbnet.run and what it was given), as the CLI records its own argv."""
    return [_sys.executable or "python3"] + [str(a) for a in _sys.argv]


def sweep(scenario, params, engine="gaussian", *, threads=0, progress=False, set=None, name=None):
    """Steady state over a grid of scenario keys. params: {"network.J": values, ...}; several keys make
    a grid (the last key varies fastest, like `qbnet sweep`). Returns a dict of numpy columns: one per
    key (the grid, flattened), E_<mode>, W_<mode>, P_<mode> for C, b1.., (dE_, dW_, dP_ error bars when
    the engine estimates them), E_B, W_B, P_B (joint batteries) and `converged`."""
    if not isinstance(params, dict) or not params:
        raise ValueError("params: a non-empty dict {\"section.key\": values}")
    keys = list(params)
    axes = [_np.atleast_1d(_np.asarray(params[k])) for k in keys]
    for k, a in zip(keys, axes):
        if a.ndim != 1 or a.size == 0:
            raise ValueError("%s: values must be a non-empty 1-d sequence" % k)
    grid = [g.ravel() for g in _np.meshgrid(*axes, indexing="ij")]
    points = [[_override(k, g[i]) for k, g in zip(keys, grid)] for i in range(grid[0].size)]
    text, name = _scenario_text(scenario, name)
    columns = _qbnet.sweep(text, name, _overrides(set), points, engine, int(threads), progress)
    out = {k: g for k, g in zip(keys, grid)}
    out.update(columns)
    return out


def optimize(scenario, key="network.J", lower=1e-5, upper=1.0, objective="energy_last", engine="gaussian", *,
             scan_points=41, threads=0, set=None, name=None):
    """Maximise a steady-state objective over one key (the library's optimiser, as `qbnet optimize`).
    objective: energy_last, energy_total, energy_per_battery, ergotropy_last, ergotropy_total. Returns the
    dict the CLI writes to optimum.json, the same keys in the same order -- `scenario` (name), `provenance`
    (its command_line is this Python process's [sys.executable] + sys.argv, ranks is 1), `overrides` (the
    `set` list as "key=value" strings), then the result (`value`, `objective_value`, ...) -- plus
    scan_values / scan_objective as numpy arrays."""
    text, name = _scenario_text(scenario, name)
    return _qbnet.optimize(text, name, _overrides(set), key, float(lower), float(upper), objective, engine,
                           int(scan_points), int(threads), _command_line())


def figures(rho, energies):
    """{"energy", "ergotropy", "passive_energy"} of a density matrix whose Hamiltonian is diagonal in
    rho's basis with the given levels (exact spectrum reordering, the engines' own function)."""
    return _qbnet.figures(rho, _np.asarray(energies, dtype=float))


def ergotropy(rho, energies):
    """Exact ergotropy tr(rho H) - sum_k r_k e_k (r decreasing eigenvalues of rho, e increasing levels)."""
    return _qbnet.ergotropy(rho, _np.asarray(energies, dtype=float))


def passive_energy(rho, energies):
    """Energy of the passive state of rho: sum_k r_k e_k."""
    return _qbnet.passive_energy(rho, _np.asarray(energies, dtype=float))


def photon_number_levels(cutoffs):
    """Total photon number of each tensor basis state for the given cutoffs (QuTiP order)."""
    return _np.asarray(_qbnet.photon_number_levels(list(cutoffs)), dtype=float)
