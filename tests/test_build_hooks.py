"""The packaging plugins, end to end: isolated builds with a local wheel folder.

hatchling's ``desync`` build hook and setuptools' ``build_py`` ship in the desync
distribution. An isolated ``python -m build`` (sdist, then the wheel from the
sdist, as users run it) installs ``desync-transpiler`` and the backend from a
local wheel folder only (``wheelhouse.py``: nothing is fetched). The wheel holds
transpiled modules; a fresh virtual environment installs it and runs it
concurrently without loading the transpiler; the strict lockfile check passes in
the isolated environment although the project's third-party dependency (numpy,
which the lockfile was written beside) is not installed there.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("hatchling", reason="the build plugins are tested with hatchling (test extra)")
pytest.importorskip("build", reason="isolated builds need `build` (test extra)")
pytest.importorskip("setuptools", reason="the setuptools plugin needs setuptools (test extra)")

from conftest import REPO  # noqa: E402
from wheelhouse import build_wheelhouse, offline_env  # noqa: E402

CORE = '''\
import os
import threading
import time

from desync import desync

# How many calls of inner were running at once, at most: 2 when they overlap.
_count_lock = threading.Lock()
_running = [0]
MOST = [0]


def inner(x):
    with _count_lock:
        _running[0] += 1
        MOST[0] = max(MOST[0], _running[0])
    time.sleep(0.5)
    with _count_lock:
        _running[0] -= 1
    return x + 1


def total(values):
    import numpy      # an optional dependency: not installed where the wheel is built
    return float(numpy.sum(values))


@desync
def outer(x):
    a = inner(x)
    b = inner(x + 1)
    return a + b


@desync
def summed(values):
    return total(values) + total(values)
'''

HATCH = '''
[build-system]
requires = ["hatchling", "desync-transpiler"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "0.1"
dependencies = ["desync-transpiler"]
optional-dependencies = {fast = ["numpy"]}

[tool.hatch.build.targets.wheel]
packages = ["src/app"]

[tool.hatch.build.targets.wheel.hooks.desync]
strict-lock = true
'''

SETUPTOOLS = '''
[build-system]
requires = ["setuptools>=64", "desync-transpiler"]
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "0.1"
dependencies = ["desync-transpiler"]
optional-dependencies = {fast = ["numpy"]}

[tool.setuptools.cmdclass]
build_py = "desync.toolchain.plugins.setuptools.build_py"
'''


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory):
    """One desync wheel (and repacked backends) for the whole session."""
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"), REPO)


def make_project(root: Path, build_system: str, desync_table: str = 'paths = ["src"]\n',
                 core: str = CORE) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(textwrap.dedent(build_system)
                                         + f"\n[tool.desync]\n{desync_table}")
    package = root / "src" / "app"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("def twice(x):\n    return 2 * x\n")
    (package / "core.py").write_text(core)
    return root


def desync_cli(project: Path, *args):
    return subprocess.run([sys.executable, "-m", "desync", *args], cwd=project,
                          capture_output=True, text=True, timeout=120)


def build(project: Path, out: Path, wheelhouse: Path, *flags, **env):
    return subprocess.run([sys.executable, "-m", "build", *flags, "-o", str(out), str(project)],
                          capture_output=True, text=True, timeout=300, cwd=project,
                          env=offline_env(wheelhouse, **env))


def run_in_fresh_venv(tmp_path: Path, wheel: Path, wheelhouse: Path, code: str) -> str:
    """Install ``wheel`` (and desync-transpiler, from the wheel folder) in a new
    virtual environment, then run ``code`` there."""
    env_dir = tmp_path / "fresh-venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                                "-q", str(wheel)], capture_output=True, text=True, timeout=300,
                               env=offline_env(wheelhouse))
    assert installed.returncode == 0, installed.stderr
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120, env=offline_env(wheelhouse))
    assert out.returncode == 0, out.stderr
    return out.stdout


RUN = ("import sys, app.core as c; print(c.outer(1), 'desync.compiler' in sys.modules, "
       "'desync.hashing' in sys.modules, c.outer.get_version(), c.summed.get_version(), "
       "c.MOST[0])")


def check_wheel(out: Path, tmp_path: Path, wheelhouse: Path):
    sdist = next(out.glob("demo-0.1.tar.gz"))
    with tarfile.open(sdist) as archive:
        assert "demo-0.1/desync.lock" in archive.getnames()   # the wheel is built from it
    wheel = next(out.glob("demo-0.1-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        core = archive.read("app/core.py").decode()
        util = archive.read("app/util.py").decode()
    assert names.count("app/core.py") == 1
    assert "\n# Generated by desync" in core and "__desync_rt__.scope()" in core
    assert util == "def twice(x):\n    return 2 * x\n"          # no desync function: as is
    # A fresh environment: the calls overlap (2 running at once), and the
    # transpiler is never imported.
    assert run_in_fresh_venv(tmp_path, wheel, wheelhouse, RUN).split() == \
        ["5", "False", "False", "1.0", "1.0", "2"]


def test_hatchling_plugin_in_an_isolated_build(tmp_path, wheelhouse):
    project = make_project(tmp_path / "project", HATCH)
    locked = desync_cli(project, "lock")     # here numpy is installed; not in the build
    assert locked.returncode == 0, locked.stderr
    result = build(project, tmp_path / "dist", wheelhouse)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "desync: 1 transpiled module(s) in the wheel" in result.stdout + result.stderr
    check_wheel(tmp_path / "dist", tmp_path, wheelhouse)


def test_setuptools_build_py_in_an_isolated_build(tmp_path, wheelhouse):
    project = make_project(tmp_path / "project", SETUPTOOLS,
                           'paths = ["src"]\nstrict-lock = true\n')
    locked = desync_cli(project, "lock")
    assert locked.returncode == 0, locked.stderr
    result = build(project, tmp_path / "dist", wheelhouse)
    assert result.returncode == 0, result.stdout + result.stderr
    check_wheel(tmp_path / "dist", tmp_path, wheelhouse)


def test_pip_install_desync_transpiler_then_the_readme_example_runs(tmp_path, wheelhouse):
    readme = (REPO / "README.md").read_text()
    example = next(block for block in readme.split("```python\n")[1:]
                   if "outer()          # about 2 s, not 4 s" in block).split("```")[0]
    script = tmp_path / "example.py"
    script.write_text("import time as _time\n_started = _time.perf_counter()\n" + example
                      + "print(round(_time.perf_counter() - _started, 2))\n")
    env_dir = tmp_path / "fresh-venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                                "-q", "desync-transpiler"], capture_output=True, text=True,
                               timeout=300, env=offline_env(wheelhouse))
    assert installed.returncode == 0, installed.stderr
    out = subprocess.run([str(python), str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120, env=offline_env(wheelhouse))
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.split()[-1]) < 3.5   # two 2 s calls together (4 s in a row)


# The failure modes below build without isolation (the test environment has
# hatchling, setuptools and desync): faster, and the plugin is still found through
# its entry point.

def build_here(project: Path, out: Path, **env):
    return subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel",
                           "-o", str(out), str(project)], capture_output=True, text=True,
                          timeout=300, cwd=project, env=dict(os.environ, **env))


@pytest.mark.parametrize("backend", [HATCH, SETUPTOOLS], ids=["hatchling", "setuptools"])
def test_a_stale_lockfile_fails_a_strict_build(tmp_path, backend):
    project = make_project(tmp_path / "project", backend,
                           'paths = ["src"]\nstrict-lock = true\n')
    assert desync_cli(project, "lock").returncode == 0
    core = project / "src" / "app" / "core.py"
    core.write_text(core.read_text().replace("return a + b", "return b + a"))
    result = build_here(project, tmp_path / "dist")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "desync.lock is stale" in output and "app.core.outer" in output
    # DESYNC_STRICT_LOCK=0 turns the failure into a warning; the lockfile is read only.
    before = (project / "desync.lock").read_text()
    relaxed = build_here(project, tmp_path / "dist", DESYNC_STRICT_LOCK="0")
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert "desync.lock is stale" in relaxed.stdout + relaxed.stderr
    assert (project / "desync.lock").read_text() == before


@pytest.mark.parametrize("backend", [HATCH, SETUPTOOLS], ids=["hatchling", "setuptools"])
def test_a_broken_source_fails_the_wheel_with_file_and_line(tmp_path, backend):
    core = CORE.replace("    a = inner(x)\n", "    yield x\n    a = inner(x)\n")
    project = make_project(tmp_path / "project", backend, core=core)
    result = build_here(project, tmp_path / "dist")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    line = core.splitlines().index("    yield x") + 1
    assert f"core.py:{line}" in output and "yield" in output


def test_the_hatch_table_options_win_over_tool_desync(tmp_path):
    # [tool.desync] names a missing folder; the hook's own paths are used instead,
    # and its strict-lock fails the build on the missing lockfile.
    hatch = HATCH.replace("strict-lock = true", 'paths = ["src"]\nstrict-lock = true')
    project = make_project(tmp_path / "project", hatch, 'paths = ["nowhere"]\n')
    result = build_here(project, tmp_path / "dist")
    assert result.returncode != 0
    assert "desync.lock does not exist" in result.stdout + result.stderr
    relaxed = build_here(project, tmp_path / "dist", DESYNC_STRICT_LOCK="0")
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert not (project / "desync.lock").exists()


@pytest.mark.parametrize("backend", [HATCH, SETUPTOOLS], ids=["hatchling", "setuptools"])
def test_a_wheel_that_does_not_depend_on_desync_is_warned_about(tmp_path, backend):
    project = make_project(tmp_path / "project", backend.replace(
        'dependencies = ["desync-transpiler"]', 'dependencies = ["numpy>=1"]').replace(
        "strict-lock = true", ""))
    result = build_here(project, tmp_path / "dist")
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'add "desync-transpiler" to [project] dependencies' in result.stdout + result.stderr


def test_a_wrong_option_names_the_table_and_key(tmp_path):
    hatch = HATCH.replace("strict-lock = true", 'strict-lock = "yes"')
    project = make_project(tmp_path / "project", hatch)
    result = build_here(project, tmp_path / "dist")
    assert result.returncode != 0
    assert "[tool.hatch.build.targets.wheel.hooks.desync] strict-lock must be true or false" \
        in result.stdout + result.stderr
    hatch = HATCH.replace("strict-lock = true", 'stritc-lock = true')
    project = make_project(tmp_path / "other", hatch)
    result = build_here(project, tmp_path / "dist")
    assert "unknown option(s) in [tool.hatch.build.targets.wheel.hooks.desync]: stritc-lock" \
        in result.stdout + result.stderr


def test_the_sdist_file_finder_adds_only_a_desync_projects_lockfile(tmp_path):
    from desync.toolchain.plugins.setuptools import find_files
    project = make_project(tmp_path / "project", SETUPTOOLS)
    assert find_files(str(project)) == []                 # no lockfile yet
    (project / "desync.lock").write_text("format = 1\n")
    assert find_files(str(project)) == [str(project / "desync.lock")]
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "other"\n')
    (other / "desync.lock").write_text("format = 1\n")
    assert find_files(str(other)) == []                   # not a desync project
