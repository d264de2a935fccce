"""Programs from the second and third adversarial rounds (tests/adversarial_programs/),
each in a fresh process, pacing off: callbacks of every kind keep their effects in
program order; unpacking reads what Python reads, in order; dict views, old-style
sequences and other iterables read after the changes before them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "adversarial_programs"
PROGRAMS = sorted(p.name for p in HERE.glob("*.py") if not p.name.startswith("_"))
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("program", PROGRAMS)
def test_an_adversarial_program_gives_what_plain_python_gives(program):
    env = dict(os.environ, DESYNC_PACING="0", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(HERE / program)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "OK", done.stdout[-3000:]
