"""Every example runs and prints what it claims (sleeps scaled down)."""
import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    env = dict(os.environ, DESYNC_EXAMPLE_SCALE="0.1", DESYNC_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip(), "an example must print what it shows"


def test_seed_example_halves_the_time():
    script = pathlib.Path(__file__).parent.parent / "examples" / "seed.py"
    env = dict(os.environ, DESYNC_EXAMPLE_SCALE="0.1")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60, env=env)
    lines = out.stdout.splitlines()
    plain = float(lines[0].split()[2])
    concurrent = float(lines[1].split()[1])
    assert plain >= 0.39 and concurrent < plain * 0.8, out.stdout


def test_first_error_example_reports_the_first_error():
    script = pathlib.Path(__file__).parent.parent / "examples" / "first_error.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, DESYNC_EXAMPLE_SCALE="0.1"))
    assert "ValueError" in out.stdout and "first_error.py" in out.stdout
    assert "in parse()" in out.stdout
