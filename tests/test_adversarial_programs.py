"""Programs from the second and third adversarial rounds (tests/adversarial_programs/),
each in a fresh process, pacing off: callbacks of every kind keep their effects in
program order; unpacking reads what Python reads, in order; dict views, old-style
sequences and other iterables read after the changes before them."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "adversarial_programs"
PROGRAMS = sorted(p.name for p in HERE.glob("*.py") if not p.name.startswith("_"))
ROOT = Path(__file__).parent.parent

# The programs mostly sleep in their callees: a few run at once (the next ones start
# while the current one is checked), which keeps this file's share of CI small.
AHEAD = 11
_runs: dict = {}
_pool = ThreadPoolExecutor(max_workers=AHEAD + 1)


def _run(program):
    env = dict(os.environ, DESYNC_PACING="0", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(HERE / program)], env=env, capture_output=True,
                          text=True, timeout=300)


def _result(program):
    index = PROGRAMS.index(program)
    for upcoming in PROGRAMS[index:index + AHEAD + 1]:
        if upcoming not in _runs:
            _runs[upcoming] = _pool.submit(_run, upcoming)
    return _runs.pop(program).result()


@pytest.mark.parametrize("program", PROGRAMS)
def test_an_adversarial_program_gives_what_plain_python_gives(program):
    done = _result(program)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "OK", done.stdout[-3000:]
