"""Behaviour of a long run: Ctrl-C (SIGINT) raises KeyboardInterrupt, the GIL is released while the
engine computes, and an exception raised by a progress callable stops the engine. The run used here
would take minutes (Fock D = 1000 time evolution over 2000 samples); every test stops it early, so what
is asserted is that it stopped, not how fast."""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import qbnet

LONG = {
    "network": {"topology": "cascaded", "batteries": 2, "coupling": "nonreciprocal", "J": 0.0015},
    "drive": {"epsilon": 0.01},
    "reservoirs": {"kappa": 0.003, "n_th": 1.0, "apply_to": "all"},
    "fock": {"cutoff": 10},
    "steady_state": {"enabled": False},
    "time": {"t_end": 1.0e6, "samples": 2001},
}

CHILD = r"""
import sys, qbnet
seen = []
def progress(fraction, label):
    seen.append(fraction)   # before the print: the parent's SIGINT may arrive right after "started"
    if len(seen) == 1:
        print("started", flush=True)
try:
    qbnet.run(%r, engine="fock", threads=1, progress=progress)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted %%.6f" %% max(seen), flush=True)
"""


def test_sigint_raises_keyboard_interrupt():
    env = dict(os.environ)
    child = subprocess.Popen([sys.executable, "-c", CHILD % (LONG,)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    try:
        first = child.stdout.readline()
        assert first.strip() == "started", child.stderr.read()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)   # hang guard only
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    words = out.split()
    assert words[0] == "interrupted", out + err
    assert float(words[1]) < 0.5   # stopped well before the end of the evolution


class Stop(Exception):
    pass


def test_gil_is_released_and_a_progress_exception_stops_the_run():
    counter = [0]
    at_calls = []
    errors = []

    def progress(fraction, label):
        at_calls.append(counter[0])
        if len(at_calls) == 3:
            raise Stop()

    def work():
        try:
            qbnet.run(LONG, engine="fock", threads=1, progress=progress)
        except Stop:
            errors.append("stopped")
        except BaseException as e:  # noqa: B902 - reported below
            errors.append(repr(e))

    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():
        counter[0] += 1   # Python code on this thread runs only while the engine has released the GIL
        time.sleep(0.001)   # do not compete for the GIL with the worker's progress callbacks
    worker.join()
    assert errors == ["stopped"]
    assert len(at_calls) == 3
    # Between the first and the last progress call the engine computed without the GIL: this thread
    # kept counting. With the GIL held it could not have run at all.
    assert at_calls[-1] > at_calls[0]


def test_progress_true_prints_on_stderr(capfd):
    small = dict(LONG, fock={"cutoff": 3}, time={"t_end": 100.0, "samples": 11})
    qbnet.run(small, engine="fock", threads=1, progress=True)
    err = capfd.readouterr().err
    assert "qbnet: fock: time evolution" in err and "done" in err
    qbnet.run(small, engine="fock", threads=1)
    assert capfd.readouterr().err == ""
