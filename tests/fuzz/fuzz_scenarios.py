#!/usr/bin/env python3
"""Scenario fuzzer for `qbnet run` (issue 18).

Mutates the example and validation scenarios (delete / duplicate lines, push a value to an extreme,
retype it, invent keys, cut the file, splice random bytes, hostile --set overrides), runs every mutant
on every engine (fock, gaussian, both) under a memory limit (RLIMIT_AS) and a time limit, and
classifies each run:

  OK       exit 0, 1 or 4; or exit 2 with exactly one "qbnet: error:" line on stderr
  DEFECT   a signal, exit 3, an uncaught exception / sanitizer text, a refusal with more or fewer
           than one error line, a half-written output (*.tmp-* left behind), or a run killed by the
           time limit (HANG)

Deterministic from --seed: mutant k of seed s is always the same file and the same command line.
Exit status: 0 when no defect was found, 1 otherwise. Python 3 standard library only.

  python3 tests/fuzz/fuzz_scenarios.py --qbnet build/qbnet --count 1000 --jobs 2
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import glob
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENGINES = ("fock", "gaussian", "both")
OK_EXIT = {0, 1, 2, 4}

# Values a user (or a typo) may put anywhere: extremes, wrong types, wrong shapes.
EXTREMES = [
    "nan", "+nan", "-nan", "inf", "-inf", "1e308", "-1e308", "1.7976931348623157e308", "1e-308", "5e-324",
    "-1", "0", "0.0", "-0.0", "1e300", "-1e300", "1e-30", "1e-300", "1e30",
    "9223372036854775807", "-9223372036854775808", "99999999999999999999", "2147483647", "2147483648",
    "4294967297", "-2147483649", "[]", "[1]", "[0.1, 0.2]", "[1, 2, 3, 4, 5, 6, 7, 8, 9]", "[[0, 1]]",
    "[nan, 1, 2]", "[inf, 0.1, 0.1]", "[1e308, 1e308, 1e308]", "[-1, -1, -1]", "[\"a\", 1]", "[[]]",
    "\"\"", "\"x\"", "\"../../etc\"", "\"a/b\"", "\"\\u0000\"", "true", "false", "{}", "{ a = 1 }",
    "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", "0x7fffffffffffffff", "0o777", "0b1",
    "2", "1", "3", "50", "-50", "1e6", "1e9", "100000", "100001", "65536", "46341",
]

SECTIONS = ["network", "drive", "reservoirs", "kerr", "fock", "time", "steady_state", "scenario"]
KEYS = {
    "network": ["topology", "batteries", "coupling", "J", "phase", "link_dissipation", "links", "detuning"],
    "drive": ["epsilon", "mode", "epsilon_phase"],
    "reservoirs": ["kappa", "n_th", "squeeze_r", "squeeze_theta", "apply_to"],
    "kerr": ["chi"],
    "fock": ["cutoff", "frame", "truncation_warning", "joint_ergotropy_max_dim"],
    "time": ["t_end", "samples", "initial", "atol", "rtol", "integrator"],
    "steady_state": ["enabled", "method", "tol", "max_iterations"],
    "scenario": ["name", "description"],
}
CHOICES = {
    "topology": ["cascaded", "parallel", "custom", "ring", ""],
    "coupling": ["reciprocal", "nonreciprocal", "both"],
    "apply_to": ["all", "batteries", "charger", "none"],
    "frame": ["lab", "displaced", "rotating"],
    "initial": ["vacuum", "thermal", "coherent", "fock"],
    "integrator": ["auto", "dopri5", "rkc", "krylov", "euler"],
    "method": ["auto", "krylov", "evolve", "direct"],
}
JUNK_SETS = [
    "", "=", ".", "a", "a=", "=1", ".=1", "network.=1", ".J=1", "network.J", "network.J==1",
    "network.J=1=2", "nosuch.key=1", "network.nosuch=1", "network.J=", "network.J=[", "network.J=\"",
    "network.J=\x00", "network.J=\xff\xfe", "network..J=1", "network.J.x=1", "scenario=1", "[network]=1",
    "network.links=[[0,1],[1,0]]", "network.links=[[0,0]]", "network.links=[[-1,1]]", "drive.mode=-1",
    "drive.mode=99", "scenario.name=../x", "scenario.name=", "scenario.name=" + "a" * 300,
    "time.samples=1", "time.samples=0", "fock.cutoff=1", "fock.cutoff=0", "fock.cutoff=[]",
]



def seed_files():
    files = sorted(glob.glob(os.path.join(ROOT, "examples", "*.toml")))
    files += sorted(glob.glob(os.path.join(ROOT, "validation", "**", "*.toml"), recursive=True))
    files += sorted(glob.glob(os.path.join(ROOT, "tests", "regression", "**", "*.toml"), recursive=True))
    return files


def capped(text: str) -> str:
    """The seed with every size-setting key made small (cutoff 3, <= 2 batteries, t_end 300, 11 samples,
    drive <= 1e-3) and written out explicitly, so that a mutant that stays valid runs in seconds."""
    lines = []
    for line in text.splitlines():
        m = re.match(r"^(\s*batteries\s*=\s*)(\d+)(.*)$", line)
        if m:
            line = m.group(1) + str(min(int(m.group(2)), 2)) + m.group(3)
        elif re.match(r"^\s*(cutoff|t_end|samples|joint_ergotropy_max_dim|epsilon)\s*=", line):
            continue                                   # set again below
        elif re.match(r"^\s*\w+\s*=\s*\[[^\[]", line):
            continue                                   # per-mode arrays: their length follows batteries
        lines.append(line)
    wanted = {"fock": ["cutoff = 3", "joint_ergotropy_max_dim = 64"],
              "time": ["t_end = 300.0", "samples = 11"],
              "drive": ["epsilon = 0.001"]}
    # The capped sections go to the TOP of the file (an existing one is moved there whole), so that a file
    # cut short keeps them: a cut file would fall back to the defaults (cutoff 8, t_end 5000, epsilon
    # 0.01), a legitimately long Fock run rather than a stall.
    top = []
    for section, keys in wanted.items():
        header = [i for i, l in enumerate(lines) if re.match(r"^\s*\[" + section + r"\]", l)]
        body = []
        if header:
            start = header[0]
            end = next((i for i in range(start + 1, len(lines)) if re.match(r"^\s*\[", lines[i])), len(lines))
            body = [l for l in lines[start + 1:end] if l.strip()]
            del lines[start:end]
        top += [f"[{section}]"] + keys + body
    first = next((i for i, l in enumerate(lines) if l.strip() and not l.lstrip().startswith("#")), len(lines))
    lines[first:first] = top
    return "\n".join(lines) + "\n"


def kv_lines(lines):
    return [i for i, l in enumerate(lines) if re.match(r"^\s*[A-Za-z_][\w-]*\s*=", l)]


def section_of(lines, index):
    for i in range(index, -1, -1):
        m = re.match(r"^\s*\[([^\]]+)\]", lines[i])
        if m:
            return m.group(1).strip()
    return ""


def mutate(rng: random.Random, text: str):
    """Returns (mutated text, list of --set arguments, description)."""
    lines = text.splitlines()
    sets = []
    what = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        op = rng.choice(["delete", "extreme", "extreme", "extreme", "scale", "retype", "choice",
                         "duplicate", "invent", "cut", "splice", "set", "set", "set", "section"])
        kv = kv_lines(lines)
        if op == "delete" and lines:
            i = rng.randrange(len(lines))
            what.append(f"delete line {i + 1}: {lines[i]!r}")
            del lines[i]
        elif op in ("extreme", "retype", "scale", "choice") and kv:
            i = rng.choice(kv)
            key = lines[i].split("=", 1)[0].strip()
            old = lines[i].split("=", 1)[1].split("#", 1)[0].strip()
            if op == "extreme":
                value = rng.choice(EXTREMES)
            elif op == "choice":
                value = '"' + rng.choice(CHOICES.get(key, ["x"])) + '"'
            elif op == "scale":
                try:
                    x = float(old)
                    value = repr(x * rng.choice([-1, 0, 1e-300, 1e-30, 1e-12, 1e3, 1e6, 1e30, 1e300]))
                    value = value.replace("inf", "inf").replace("nan", "nan")
                except ValueError:
                    value = rng.choice(EXTREMES)
            else:   # retype: same value, another TOML type
                value = rng.choice([f'"{old}"', f"[{old}]", "true", f"{{ v = {old} }}",
                                    old + ".0" if old.isdigit() else old.split(".")[0]])
            lines[i] = f"{key} = {value}"
            what.append(f"{key} = {value}")
        elif op == "duplicate" and lines:
            i = rng.randrange(len(lines))
            lines.insert(i + 1, lines[i])
            what.append(f"duplicate line {i + 1}: {lines[i]!r}")
        elif op == "invent":
            i = rng.randrange(len(lines) + 1)
            line = rng.choice(["bogus = 1", "J2 = 0.1", "[bogus]", "[network.sub]", "x.y = 1", "= 3",
                               "[[network]]", "[fock]", "\"quoted key\" = 1", "cutoff = 4"])
            lines.insert(i, line)
            what.append(f"insert at {i + 1}: {line!r}")
        elif op == "section":
            i = rng.randrange(len(lines) + 1)
            sec = rng.choice(SECTIONS)
            lines.insert(i, f"[{sec}]")
            what.append(f"insert section [{sec}] at {i + 1}")
        elif op == "cut":
            joined = "\n".join(lines)
            n = rng.randrange(len(joined) + 1)
            lines = joined[:n].split("\n")
            what.append(f"cut at byte {n}")
        elif op == "splice":
            joined = "\n".join(lines).encode("utf-8", errors="surrogateescape")
            n = rng.randrange(len(joined) + 1)
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
            joined = joined[:n] + junk + joined[n + rng.randrange(0, 4):]
            lines = joined.decode("utf-8", errors="surrogateescape").split("\n")
            what.append(f"splice {junk!r} at byte {n}")
        elif op == "set":
            if rng.random() < 0.25:
                s = rng.choice(JUNK_SETS)
            else:
                sec = rng.choice(SECTIONS)
                key = rng.choice(KEYS[sec])
                value = rng.choice(EXTREMES + ['"' + c + '"' for c in CHOICES.get(key, [])] +
                                   CHOICES.get(key, []))
                s = f"{sec}.{key}={value}"
            sets.append(s)
            what.append(f"--set {s!r}")
    text = "\n".join(lines)
    if rng.random() < 0.9:
        text += "\n"
    return text, sets, "; ".join(what)


def load_known(path):
    """Known, reported defects whose fix belongs elsewhere: "CLASS<TAB>ENGINE-REGEX<TAB>DETAIL-REGEX<TAB>why".
    A matching run is counted as KNOWN_<CLASS> and listed, but does not fail the fuzz run (--strict: it does)."""
    known = []
    if path and os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                known.append((parts[0], re.compile(parts[1]), re.compile(parts[2]), parts[3]))
    return known


def limit_resources(mem_bytes):
    def apply():
        if mem_bytes > 0:   # 0: no limit (AddressSanitizer reserves terabytes of address space)
            resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()   # own process group: a timeout kills gnuplot children too
    return apply


BAD_TEXT = re.compile(r"terminate called|what\(\)|Segmentation|Aborted|AddressSanitizer|runtime error:|"
                      r"LeakSanitizer|core dumped|std::bad_alloc|Assertion", re.I)


def classify(rc, stderr: str, timed_out: bool, leftovers):
    errors = [l for l in stderr.splitlines() if l.startswith("qbnet: error:")]
    if timed_out:
        progress = [l for l in stderr.splitlines() if re.match(r"^qbnet: info: \[\w+\] .*\d+%", l)]
        where = progress[-1][len("qbnet: info: "):] if progress else "no progress line"
        # A run still advancing through its time evolution (a finite ETA) or past its last phase (100%:
        # writing outputs) is SLOW, a legitimately long run, not a stall: the mutations keep runs small, so
        # this happens only for extreme but valid sizes (samples = 100000, detuning = -50 over t_end = 300).
        # A steady-state phase killed with "ETA 0s" or no progress line is a HANG.
        m = re.search(r"(\d+)% \(ETA ([^)]*)\)$", where.strip())
        if m and (int(m.group(1)) == 100 or
                  ("time evolution" in where and int(m.group(1)) > 0 and m.group(2) not in ("0s", "?"))):
            return "OK_SLOW", f"long run still advancing at the time limit: {where.strip()}"
        return "HANG", f"killed by the time limit (last progress: {where.strip()})"
    if rc < 0:
        return "SIGNAL", f"killed by signal {-rc} ({signal.Signals(-rc).name})"
    if BAD_TEXT.search(stderr):
        return "CRASH_TEXT", BAD_TEXT.search(stderr).group(0)
    if rc == 3:
        return "EXIT3", errors[0] if errors else "exit 3"
    if rc not in OK_EXIT:
        return "BAD_EXIT", f"exit {rc}"
    if leftovers:
        return "LEFTOVER", "temporary files left: " + ", ".join(leftovers)
    if rc == 2 and len(errors) != 1:
        return "MULTILINE", f"{len(errors)} error lines for a refusal"
    return f"OK_{rc}", errors[0] if errors else ""


def run_one(job):
    qbnet, index, seed_file, text, sets, engine, what, mem_mb, timeout, keep_dir = job
    with tempfile.TemporaryDirectory(prefix="qbfuzz-") as tmp:
        path = os.path.join(tmp, "mutant.toml")
        with open(path, "wb") as f:
            f.write(text.encode("utf-8", errors="surrogateescape"))
        out = os.path.join(tmp, "out")
        # Not --quiet: the info and progress lines tell where a run that is killed was (a refusal is still
        # recognised by its "qbnet: error:" lines, which are counted).
        cmd = [qbnet, "run", path, "--engine", engine, "--out", out, "--threads", "1"]
        for s in sets:
            cmd += ["--set", s]
        env = dict(os.environ, OMP_NUM_THREADS="1", ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0"))
        if index % 8:   # plots are slow: draw them for one mutant in eight only
            env["PATH"] = os.path.join(tmp, "nobin")
        start = time.monotonic()
        timed_out = False
        try:
            proc = subprocess.Popen([c.encode("utf-8", errors="surrogateescape") for c in cmd],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp,
                                    preexec_fn=limit_resources(mem_mb << 20))
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                _, err = proc.communicate()
            rc = proc.returncode
        except (OSError, ValueError) as e:   # e.g. an argument with a NUL byte cannot be passed at all
            return index, engine, "OK_SKIP", f"not runnable: {e}", 0.0, what, sets, seed_file, None
        elapsed = time.monotonic() - start
        stderr = err.decode("utf-8", errors="replace")
        leftovers = []
        if os.path.isdir(out) and not timed_out:
            leftovers = [n for n in os.listdir(out) if ".tmp-" in n]
        cls, detail = classify(rc, stderr, timed_out, leftovers)
        saved = None
        if not cls.startswith("OK") and keep_dir:
            os.makedirs(keep_dir, exist_ok=True)
            saved = os.path.join(keep_dir, f"mutant-{index:05d}.toml")
            shutil.copyfile(path, saved)
            tail = "\n".join(l for l in stderr.splitlines()[-8:] if "info:" not in l)
            detail = detail + (" | stderr: " + tail.replace("\n", " / ") if tail else "")
        return index, engine, cls, detail, elapsed, what, sets, seed_file, saved


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qbnet", default=os.path.join(ROOT, "build", "qbnet"))
    ap.add_argument("--count", type=int, default=1000, help="number of mutants (each runs on every engine)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per run; a run killed is a HANG")
    ap.add_argument("--mem-mb", type=int, default=2048, help="address-space limit per run (MiB; 0: none)")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--keep", default="", help="folder to copy defective mutants into")
    ap.add_argument("--known", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_defects.txt"),
                    help="file of known defects (fix pending elsewhere): counted and listed, not failing")
    ap.add_argument("--strict", action="store_true", help="known defects fail the run too")
    ap.add_argument("--only", type=int, default=-1, help="run mutant number ONLY (a reproducer) and print it")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    qbnet = os.path.abspath(args.qbnet)
    if not os.access(qbnet, os.X_OK):
        print(f"fuzz: no qbnet executable at {qbnet}", file=sys.stderr)
        return 2
    seeds = [(f, capped(open(f, encoding="utf-8").read())) for f in seed_files()]
    engines = [e for e in args.engines.split(",") if e]
    rng = random.Random(args.seed)
    jobs = []
    for index in range(args.count):
        seed_file, text = seeds[rng.randrange(len(seeds))]
        mutant, sets, what = mutate(rng, text)
        if args.only >= 0 and index != args.only:
            continue
        if args.only >= 0:
            print(f"mutant #{index} of {os.path.relpath(seed_file, ROOT)}: {what}\n--- file ---\n{mutant}--- end ---")
        for engine in engines:
            jobs.append((qbnet, index, os.path.relpath(seed_file, ROOT), mutant, sets, engine, what,
                         args.mem_mb, args.timeout, args.keep))

    known = load_known(args.known)
    start = time.monotonic()
    counts = collections.Counter()
    defects = []
    known_hits = []
    slowest = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for index, engine, cls, detail, elapsed, what, sets, seed_file, saved in pool.map(run_one, jobs):
            match = None
            if not cls.startswith("OK") and not args.strict:
                match = next((k for k in known if k[0] == cls and k[1].fullmatch(engine) and k[2].search(detail)), None)
            if match:
                cls = "KNOWN_" + cls
                known_hits.append((index, engine, detail, what, match[3]))
            counts[cls] += 1
            slowest.append((elapsed, index, engine))
            if not cls.startswith("OK") and not cls.startswith("KNOWN"):
                defects.append((index, engine, cls, detail, what, sets, seed_file, saved))
            if args.verbose:
                print(f"{index:5d} {engine:8s} {cls:10s} {elapsed:6.2f}s {what} :: {detail[:150]}", flush=True)

    wall = time.monotonic() - start
    n_mutants = len(jobs) // max(1, len(engines))
    print(f"fuzz: seed {args.seed}, {n_mutants} mutants x {len(engines)} engines = {len(jobs)} runs "
          f"in {wall:.0f} s ({len(seeds)} seed files)")
    for cls in sorted(counts):
        print(f"  {cls:12s} {counts[cls]}")
    slowest.sort(reverse=True)
    print("  slowest runs: " + ", ".join(f"#{i} {e} {t:.1f}s" for t, i, e in slowest[:3]))
    if known_hits:
        print(f"fuzz: {len(known_hits)} run(s) hit KNOWN defects (reported, fix pending elsewhere; --strict fails on them):")
        for index, engine, detail, what, why in known_hits:
            print(f"  mutant #{index} --engine {engine} ({what}): {detail[:160]}\n      known: {why}")
    if defects:
        print(f"fuzz: {len(defects)} DEFECT run(s):")
        for index, engine, cls, detail, what, sets, seed_file, saved in defects:
            print(f"  [{cls}] mutant #{index} ({seed_file}; {what}) --engine {engine}: {detail}")
            print(f"      reproduce: python3 tests/fuzz/fuzz_scenarios.py --seed {args.seed} --count {args.count} "
                  f"--only {index} --engines {engine} --verbose" +
                  (f"; or: qbnet run {saved} --engine {engine} " + " ".join("--set " + shlex.quote(s) for s in sets)
                   if saved else ""))
        return 1
    print("fuzz: no defect")
    return 0


if __name__ == "__main__":
    sys.exit(main())
