#!/usr/bin/env python3
"""Cost of the Python module against the CLI on the same scenario (issue 16: at most 5 % more).

Whole calls, alternated, several repetitions, one process, so that both see the same machine load:
  CLI:    `qbnet run FILE --engine E --quiet --out TMP` (process start, parse, engine, summary.json, CSV, PNG)
  Python: `qbnet.run(FILE, engine=E)` in this interpreter (parse, engine, arrays, summary dict, states)
  Python process: `python3 -c "import qbnet; qbnet.run(...)"` (interpreter start, numpy + module import,
          the same call): the whole-process comparison with the CLI.
Reports the median of each and the ratios python / cli and python process / cli.

    PYTHONPATH=build/python /usr/bin/python3 bench/py_vs_cli.py build/qbnet examples/cascaded_nc_n2.toml fock 5 [KEY=VALUE...]

With a time series the CLI also draws a PNG (gnuplot); time.t_end=0 compares the steady state alone.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import qbnet


def main():
    cli = sys.argv[1] if len(sys.argv) > 1 else "build/qbnet"
    scenario = sys.argv[2] if len(sys.argv) > 2 else "examples/cascaded_nc_n2.toml"
    engine = sys.argv[3] if len(sys.argv) > 3 else "fock"
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    sets = sys.argv[5:]   # "section.key=value" overrides for both
    cli_args = [cli, "run", scenario, "--engine", engine, "--quiet"] + sum((["--set", s] for s in sets), [])
    threads = os.environ.get("OMP_NUM_THREADS", "")
    cli_times, py_times, proc_times = [], [], []
    proc_args = [sys.executable, "-c", "import qbnet, sys; qbnet.run(sys.argv[1], engine=sys.argv[2], set=sys.argv[3:])",
                 scenario, engine] + sets
    with tempfile.TemporaryDirectory() as out:
        # One warm-up of each (page cache, OpenMP pool) not counted.
        subprocess.run(cli_args + ["--out", out], check=True, stdout=subprocess.DEVNULL)
        qbnet.run(scenario, engine=engine, set=sets)
        for _ in range(reps):
            t0 = time.perf_counter()
            subprocess.run(cli_args + ["--out", out], check=True, stdout=subprocess.DEVNULL)
            cli_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            qbnet.run(scenario, engine=engine, set=sets)
            py_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subprocess.run(proc_args, check=True, stdout=subprocess.DEVNULL)
            proc_times.append(time.perf_counter() - t0)
    c, p, q = statistics.median(cli_times), statistics.median(py_times), statistics.median(proc_times)
    print("scenario %s %s, engine %s, %d repetitions, OMP_NUM_THREADS=%s"
          % (scenario, " ".join(sets), engine, reps, threads or "unset"))
    print("cli    median %.4f s  (all: %s)" % (c, " ".join("%.4f" % t for t in cli_times)))
    print("python median %.4f s  (all: %s)" % (p, " ".join("%.4f" % t for t in py_times)))
    print("python process median %.4f s  (all: %s)" % (q, " ".join("%.4f" % t for t in proc_times)))
    print("ratio python/cli = %.3f, python process/cli = %.3f" % (p / c, q / c))


if __name__ == "__main__":
    main()
