"""Shared fixtures: the package from the build tree (PYTHONPATH=build/python, set by ctest) and the CLI."""
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("QBNET_BINARY", os.path.join(ROOT, "build", "qbnet"))
    if not os.path.exists(path):
        pytest.fail("qbnet CLI not found at %s (set QBNET_BINARY)" % path)
    return path


def run_cli(cli, args, cwd):
    """(returncode, stdout, stderr) of the CLI."""
    p = subprocess.run([cli] + list(args), cwd=cwd, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


# Cascaded nonreciprocal chain C -> b1 -> b2 with thermal baths on every mode (n_th = 1): a mixed,
# correlated steady state, so that every figure and every matrix element is non-trivial.
# D = 4^3 = 64 keeps each Fock run well under a second.
SMALL = {
    "network": {"topology": "cascaded", "batteries": 2, "coupling": "nonreciprocal", "J": 0.0015},
    "drive": {"epsilon": 0.001},
    "reservoirs": {"kappa": 0.003, "n_th": 1.0, "apply_to": "all"},
    "fock": {"cutoff": 4},
    "time": {"t_end": 600.0, "samples": 7},
}
