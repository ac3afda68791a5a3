"""Shared helpers of the Python module's tests: the repository's root, the built
command line (target/release/ccsim, which the answers are held against) and a long
scenario for the tests that stop a run."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))

# Replications 100,000 of a busy day: minutes of work, so a test that stops it sees the
# stop, never the end.
LONG = """
[scenario]
name = "long"
duration = "24h"
replications = 100000
[[call_type]]
name = "a"
arrivals = { per_hour = 20000 }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "2m" }
[[agent_group]]
name = "g"
agents = 1000
skills = ["a"]
"""


def cli_path():
    path = Path(os.environ.get("CCSIM_CLI", ROOT / "target" / "release" / "ccsim"))
    if not path.is_file():
        pytest.fail(f"no command line at {path}: build it first (cargo build --release)")
    return path


def cli(*args):
    """Runs the command line in the repository's folder: (stdout, stderr, exit code)."""
    done = subprocess.run(
        [str(cli_path()), *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout, done.stderr, done.returncode


def cli_ok(*args):
    out, err, code = cli(*args)
    assert code == 0, f"ccsim {' '.join(map(str, args))} exited {code}: {err}"
    return out


@pytest.fixture(autouse=True, scope="session")
def in_root():
    """Every test runs in the repository's folder, as the command line does, so that
    relative paths name the same files."""
    before = os.getcwd()
    os.chdir(ROOT)
    yield
    os.chdir(before)
