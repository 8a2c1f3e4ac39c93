"""Helpers shared by the validation scripts (standard library only): run qbnet, read/write CSV,
draw with gnuplot, fit power laws, the closed-form NC mean amplitudes, and the PASS/FAIL section."""
import cmath
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

QBNET = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.abspath("build/qbnet")
KAPPA, EPS = 0.003, 0.01   # the paper's parameters


def qbnet(*args, ok=(0,)):
    """Runs qbnet quietly; returns stdout. An exit code not in `ok` aborts the script (with qbnet's code)."""
    cmd = [QBNET] + [str(a) for a in args] + ["--quiet"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.stderr.write("validation: command failed: %s\n%s" % (" ".join(cmd), p.stderr))
        sys.exit(p.returncode)
    return p.stdout


def optimize(scenario, objective, sets=(), bounds="1e-5:1", points=41):
    with tempfile.TemporaryDirectory() as d:
        args = ["optimize", scenario, "--objective", objective, "--bounds", bounds, "--points", points, "--out", d]
        for s in sets:
            args += ["--set", s]
        qbnet(*args)
        with open(os.path.join(d, "optimum.json")) as f:
            return json.load(f)


def run_timeseries(scenario, sets=(), engine="gaussian", ok=(0,)):
    """qbnet run -> (rows of the timeseries CSV as dicts, summary.json). ok=(0, 4) accepts a run whose
    truncation error is above fock.tolerance: comparisons at EQUAL cutoff share the truncation."""
    with tempfile.TemporaryDirectory() as d:
        args = ["run", scenario, "--engine", engine, "--out", d]
        for s in sets:
            args += ["--set", s]
        qbnet(*args, ok=ok)
        rows = read_csv(os.path.join(d, "timeseries-%s.csv" % engine))
        with open(os.path.join(d, "summary.json")) as f:
            return rows, json.load(f)


def sweep(scenario, out, params, sets=(), engine="gaussian"):
    args = ["sweep", scenario, "--engine", engine, "--out", out]
    for key, values in params:
        args += ["--param", key, "--values", values]
    for s in sets:
        args += ["--set", s]
    qbnet(*args)
    return read_csv(os.path.join(out, "sweep.csv"))


def _cell(v):
    """A CSV cell: a number, NaN for an empty cell (a figure the engine does not report, e.g. a Gaussian
    point's cutoffs in sweep.csv), else the text itself (a verdict, a cutoff list)."""
    if v == "":
        return float("nan")
    try:
        return float(v)
    except ValueError:
        return v


def read_csv(path):
    with open(path) as f:
        return [{k: _cell(v) for k, v in row.items()} for row in csv.DictReader(f)]


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join("%.12g" % v if isinstance(v, float) else str(v) for v in r) + "\n")


def gnuplot(script, png, size="900,600"):
    text = 'set terminal pngcairo size %s font ",11"\nset output "%s"\nset key box opaque\n' % (size, png) + script
    p = subprocess.run(["gnuplot"], input=text, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write("validation: gnuplot failed for %s:\n%s\n" % (png, p.stderr))


def fit_power(xs, ys):
    """Least-squares fit of log y = p log x + c; returns (p, exp(c))."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    n = len(lx)
    mx, my = sum(lx) / n, sum(ly) / n
    sxx = sum((a - mx) ** 2 for a in lx)
    sxy = sum((a - mx) * (b - my) for a, b in zip(lx, ly))
    p = sxy / sxx
    return p, math.exp(my - p * mx)


# ---- closed form of the NC mean equations (docs/derivations.md, "Mean-field closed form (Fig. 2)") ----
# alpha_t' = -g_t alpha_t - 2J sum_{s->t} alpha_s - i eps delta_{t0},  g_j = kappa/2 + J * (links at j),
# alpha(0) = 0. Each alpha_j is a finite sum of terms c t^m e^{-lam t}, built mode by mode in link order.

def _solve_term(g, c, m, lam):
    """Particular solution of y' + g y = c t^m e^{-lam t}: list of (coef, power, rate)."""
    if abs(lam - g) < 1e-12 * max(abs(g), 1e-300):
        return [(c / (m + 1), m + 1, lam)]
    d = g - lam
    out, fact = [], 1.0
    for k in range(m + 1):
        # y = e^{-lam t} sum_k (-1)^k m!/(m-k)! t^{m-k} / d^{k+1}
        out.append((c * (-1) ** k * fact / d ** (k + 1), m - k, lam))
        fact *= (m - k)
    return out


def nc_amplitudes(n_batteries, links, J, kappa=KAPPA, eps=EPS):
    """Terms of alpha_j(t) for an NC network whose links (s, t) all have s < t (cascade, parallel)."""
    n = n_batteries + 1
    degree = [0] * n
    for s, t in links:
        degree[s] += 1
        degree[t] += 1
    g = [kappa / 2 + J * degree[j] for j in range(n)]
    terms = [None] * n
    for j in range(n):
        forcing = [(-1j * eps, 0, 0.0)] if j == 0 else []
        for s, t in links:
            if t == j:
                forcing += [(-2 * J * c, m, lam) for c, m, lam in terms[s]]
        sol = []
        for c, m, lam in forcing:
            sol += _solve_term(g[j], c, m, lam)
        y0 = sum(c for c, m, lam in sol if m == 0)       # value at t = 0
        sol.append((-y0, 0, g[j]))                        # homogeneous part: alpha_j(0) = 0
        terms[j] = sol
    return terms


def evaluate(terms, t):
    return sum(c * t ** m * math.exp(-lam * t) for c, m, lam in terms)


def links_for(topology, n):
    return [(j - 1, j) for j in range(1, n + 1)] if topology == "cascaded" else [(0, j) for j in range(1, n + 1)]


# ---- report section ----

class Section:
    def __init__(self, folder, title):
        self.folder, self.title, self.lines, self.checks = folder, title, [], []

    def text(self, s):
        self.lines.append(s)

    def check(self, name, ok, detail):
        self.checks.append((name, bool(ok), detail))

    def write(self):
        ok = all(c[1] for c in self.checks)
        out = ["## %s" % self.title, ""] + self.lines + ["", "| check | result | numbers |", "|---|---|---|"]
        out += ["| %s | %s | %s |" % (n, "PASS" if o else "FAIL", d) for n, o, d in self.checks]
        out += ["", "**%s: %s** (%d/%d checks pass)" % (self.title.split(":")[0], "PASS" if ok else "FAIL",
                                                          sum(c[1] for c in self.checks), len(self.checks)), ""]
        with open(os.path.join(self.folder, "section.md"), "w") as f:
            f.write("\n".join(out) + "\n")
        print("%s: %s" % (self.title, "PASS" if ok else "FAIL"))
        return ok
