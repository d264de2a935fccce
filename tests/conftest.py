"""Shared helpers: the other supported Python interpreters on this machine; pacing off."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desync.runtime import pacing

# The engine's tests call cheap functions many times: pacing would soon run them in
# order and the engine would go untested. Pacing has its own tests (test_pacing.py).
pacing.set_enabled(False)

REPO = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def _works(path) -> bool:
    try:
        return subprocess.run([path, "-c", "pass"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def find_python(minor: str) -> str | None:
    """An interpreter of one minor version: this one, a pyenv one, or one on PATH."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == minor:
        return sys.executable
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = sorted(glob.glob(os.path.join(root, "versions", f"{minor}.*", "bin", "python")),
                        key=lambda p: [int(x) for x in p.split("/")[-3].split(".")
                                       if x.isdigit()], reverse=True)
    candidates.append(shutil.which(f"python{minor}"))
    return next((c for c in candidates if c and _works(c)), None)


@pytest.fixture(scope="session")
def interpreters() -> dict:
    """{"3.10": path, ...} for every supported version present here."""
    found = {minor: find_python(minor) for minor in SUPPORTED}
    return {minor: path for minor, path in found.items() if path}


def run_python(python, args, cwd=None, env=None, timeout=120):
    """Run an interpreter (any version) with this checkout of desync importable."""
    environment = dict(os.environ, **(env or {}))
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + [p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p])
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run([python, *args], cwd=cwd, env=environment, capture_output=True,
                          text=True, timeout=timeout)
