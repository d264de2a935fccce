"""Versions and the lockfile in a team's workflow: git branches, merges, environments
without a dependency, other Python versions. Each test is one complaint of issue 16
or 18, run as a user would: real git repositories, real virtual environments."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, run_python

PARSING = textwrap.dedent('''
    LIMIT = 10

    def parse_row(row):
        return row.split(",")[:LIMIT]

    def parse_file(text):
        return [parse_row(r) for r in text.splitlines()]

    if LIMIT > 5:
        def helper(x):
            return x + 1
    else:
        def helper(x):
            return x - 1


    class Aggregator:
        def __init__(self):
            self.total = 0

        def add(self, x):
            self.total += x
            return self
''')

REPORT = textwrap.dedent('''
    from desync import desync
    from pkg.parsing import Aggregator, helper, parse_file


    @desync
    def summary(text):
        rows = parse_file(text)
        agg = Aggregator()
        agg.add(len(rows))
        return helper(len(rows)), agg.total
''')


def desync_cli(project, *args, python=sys.executable):
    return run_python(python, ["-m", "desync", *args], cwd=project)


def git(project, *args):
    result = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                             *args], cwd=project, capture_output=True, text=True, timeout=60)
    return result


@pytest.fixture
def project(tmp_path):
    """A project without pyproject.toml: the paths on the command line are the roots."""
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "parsing.py").write_text(PARSING)
    (package / "report.py").write_text(REPORT)
    return tmp_path


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def lock_version(project, name="pkg.report.summary"):
    text = (project / "desync.lock").read_text()
    table = text.split(f'[functions."{name}"]\n', 1)[1]
    return table.split('version = "', 1)[1].split('"', 1)[0]


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


# -- a syntax error fails build, check and watch, and changes nothing ---------------------

def test_a_module_that_does_not_parse_fails_the_build_and_check(project):
    assert desync_cli(project, "build", "src").returncode == 0
    before = snapshot(project / "build"), (project / "desync.lock").read_bytes()
    parsing = project / "src/pkg/parsing.py"   # no desync functions in it
    line = len(parsing.read_text().splitlines()) + 1
    parsing.write_text(parsing.read_text() + "def broken(:\n")
    for command in ("build", "check", "lock"):
        out = desync_cli(project, command, "src")
        assert out.returncode == 1, (command, out.stdout)
        assert f"{parsing}:{line}: syntax error" in out.stderr, (command, out.stderr)
    assert (snapshot(project / "build"), (project / "desync.lock").read_bytes()) == before


# -- the lockfile depends on the project's source alone ------------------------------------

@pytest.fixture(scope="session")
def venv_without_numpy(tmp_path_factory):
    """A real virtual environment holding this checkout of desync and nothing else."""
    folder = tmp_path_factory.mktemp("venv") / "bare"
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = str(folder / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "desync-checkout.pth").write_text(str(REPO) + "\n")
    if sys.version_info < (3, 11):   # desync reads TOML with tomli there
        tomli = Path(importlib.util.find_spec("tomli").origin).parent
        shutil.copytree(tomli, Path(purelib, "tomli"))
    assert sysconfig.get_paths()["purelib"] != purelib
    return python


def test_the_lockfile_is_the_same_without_a_third_party_package(project, venv_without_numpy):
    pytest.importorskip("numpy")
    (project / "src/pkg/stats.py").write_text(textwrap.dedent('''
        import numpy as np
        from desync import desync

        def mean(values):
            return np.mean(values)

        @desync
        def describe(values):
            return mean(values), len(values)
    '''))
    missing = subprocess.run([venv_without_numpy, "-c", "import numpy"], capture_output=True)
    assert missing.returncode != 0                        # really an environment without it
    assert desync_cli(project, "build", "src").returncode == 0
    with_numpy = (project / "desync.lock").read_bytes()
    check = desync_cli(project, "check", "src", python=venv_without_numpy)
    assert check.returncode == 0, check.stdout + check.stderr
    assert desync_cli(project, "lock", "src", python=venv_without_numpy).returncode == 0
    assert (project / "desync.lock").read_bytes() == with_numpy
    # The built modules too: they name the third-party modules reached, not versions.
    built = snapshot(project / "build")
    assert desync_cli(project, "build", "src", python=venv_without_numpy).returncode == 0
    assert snapshot(project / "build") == built
    assert "__desync_third_party__ = {'describe': ('numpy',), 'mean': ('numpy',)}" \
        in built["desync/pkg/stats.py"].decode()


# -- callees ---------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, callee", [
    ("self.total += x", "self.total += 2 * x", "pkg.parsing.Aggregator.add"),     # a method
    ("self.total = 0", "self.total = 1", "pkg.parsing.Aggregator.__init__"),      # constructor
    ("return x + 1", "return x + 2", "pkg.parsing.helper"),                        # if branch
    ("return x - 1", "return x - 2", "pkg.parsing.helper"),                        # else branch
    ("LIMIT = 10", "LIMIT = 11", "pkg.parsing.LIMIT"),                             # constant
])
def test_every_callee_the_project_can_see_moves_the_version(project, old, new, callee):
    assert desync_cli(project, "build", "src").returncode == 0
    edit(project / "src/pkg/parsing.py", old, new)
    check = desync_cli(project, "check", "src")
    assert check.returncode == 1
    assert f"pkg.report.summary: 1.0 -> 1.1 ({callee} changed" in check.stdout, check.stdout


def test_methods_reached_through_self_and_annotated_parameters(project):
    (project / "src/pkg/methods.py").write_text(textwrap.dedent('''
        from desync import desync
        from pkg.parsing import Aggregator

        class Report:
            def scale(self, x):
                return x * 2

            @desync
            def run(self, agg: Aggregator, x):
                return self.scale(x), agg.add(x)
    '''))
    assert desync_cli(project, "build", "src").returncode == 0
    lock = (project / "desync.lock").read_text()
    callees = lock.split('[functions."pkg.methods.Report.run".callees]\n')[1].split("\n\n")[0]
    assert [line.split(" = ")[0] for line in callees.splitlines()] == \
        ['"Report.scale"', '"pkg.parsing.Aggregator.add"']


# -- versions move relative to the committed lockfile --------------------------------------

def test_a_branch_bumps_once_and_a_revert_restores_the_committed_version(project):
    assert git(project, "init", "-q").returncode == 0
    assert desync_cli(project, "build", "src").returncode == 0
    assert git(project, "add", "src", "desync.lock").returncode == 0
    assert git(project, "commit", "-qm", "base").returncode == 0
    committed = (project / "desync.lock").read_bytes()
    assert git(project, "checkout", "-qb", "feature").returncode == 0
    parsing = project / "src/pkg/parsing.py"
    for n in (1, 2, 3):   # three saves of the same callee on one branch
        edit(parsing, "[:LIMIT" + (f" + {n - 1}]" if n > 1 else "]"), f"[:LIMIT + {n}]")
        build = desync_cli(project, "build", "src")
        assert build.returncode == 0, build.stderr
        assert lock_version(project) == "1.1"
    assert "pkg.report.summary: 1.0 -> 1.1 (pkg.parsing.parse_row changed, via " \
           "pkg.parsing.parse_file)" in build.stdout
    assert 'change = "1.0 -> 1.1 (pkg.parsing.parse_row changed, via pkg.parsing.parse_file)"' \
        in (project / "desync.lock").read_text()
    edit(parsing, "[:LIMIT + 3]", "[:LIMIT]")   # revert
    build = desync_cli(project, "build", "src")
    assert "pkg.report.summary: back to 1.0, as committed" in build.stdout
    assert (project / "desync.lock").read_bytes() == committed


def test_outside_git_versions_move_on_every_change(project):
    assert desync_cli(project, "build", "src").returncode == 0
    parsing = project / "src/pkg/parsing.py"
    edit(parsing, "[:LIMIT]", "[:LIMIT + 1]")
    assert desync_cli(project, "build", "src").returncode == 0
    edit(parsing, "[:LIMIT + 1]", "[:LIMIT + 2]")
    assert desync_cli(project, "build", "src").returncode == 0
    assert lock_version(project) == "1.2"


def test_a_merge_conflict_in_the_lockfile_is_found_and_resolved(project):
    assert git(project, "init", "-q", "-b", "main").returncode == 0
    (project / "src/pkg/other.py").write_text(
        "from desync import desync\nfrom pkg.parsing import parse_row\n\n"
        "@desync\ndef first(text):\n    return parse_row(text)\n")
    assert desync_cli(project, "build", "src").returncode == 0
    git(project, "add", "src", "desync.lock")
    git(project, "commit", "-qm", "base")
    git(project, "checkout", "-qb", "left")
    edit(project / "src/pkg/parsing.py", "return row.split", "return row.strip().split")
    assert desync_cli(project, "build", "src").returncode == 0
    git(project, "commit", "-qam", "left")
    git(project, "checkout", "-q", "main")
    edit(project / "src/pkg/parsing.py", "self.total = 0", "self.total = 0.0")
    assert desync_cli(project, "build", "src").returncode == 0
    git(project, "commit", "-qam", "right")
    merge = git(project, "merge", "left")
    assert merge.returncode != 0 and "desync.lock" in merge.stdout   # a real conflict
    assert "<<<<<<<" in (project / "desync.lock").read_text()
    check = desync_cli(project, "check", "src")
    assert check.returncode == 1
    assert "merge conflict markers" in check.stdout
    assert "pkg.report.summary: 1.1 -> 1.2 (pkg.parsing.parse_row changed, via " \
           "pkg.parsing.parse_file) [ours 1.1, theirs 1.1]" in check.stdout, check.stdout
    assert desync_cli(project, "build", "src").returncode == 1     # refuses, names the fix
    resolved = desync_cli(project, "lock", "--merge", "src")
    assert resolved.returncode == 0, resolved.stderr
    assert "resolved the merge conflict" in resolved.stdout
    assert lock_version(project) == "1.2" and lock_version(project, "pkg.other.first") == "1.1"
    assert desync_cli(project, "check", "src").returncode == 0


# -- no pyproject.toml: build and check agree -------------------------------------------

@pytest.mark.parametrize("given", [("src",), ()])
def test_without_pyproject_build_and_check_see_the_same_modules(project, given):
    build = desync_cli(project, "build", *given)
    assert build.returncode == 0, build.stderr
    assert "pkg.report.summary: new, 1.0" in build.stdout
    check = desync_cli(project, "check")
    assert check.returncode == 0, check.stdout
    package = desync_cli(project / "src", "build", "pkg", "--lockfile", "../desync.lock")
    assert package.returncode == 0 and "pkg.report.summary" not in package.stdout


# -- every CLI error exits non-zero with the real reason ----------------------------------

def test_cli_errors_name_the_real_reason(project):
    (project / "pyproject.toml").write_text("[tool.desync]\npaths = ['src']\n")
    missing = desync_cli(project, "check", "nonexist/")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "desync: error: no such file or folder: nonexist/"
    (project / "pyproject.toml").write_text("[tool.desync]\npaths = ['gone']\n")
    configured = desync_cli(project, "check")
    assert configured.returncode == 1 and "[tool.desync] paths: no such file or folder: gone" \
        in configured.stderr and "pyproject.toml" in configured.stderr
    nodir = desync_cli(project, "cache", "info", "--dir", "/nonexistent")
    assert nodir.returncode != 0 and "no cache folder at /nonexistent" in nodir.stderr
    script = desync_cli(project, "run", "missing.py")
    assert script.returncode != 0 and "no such file: missing.py" in script.stderr


def test_cache_info_names_functions_and_sizes(project):
    (project / "pyproject.toml").write_text("[tool.desync]\npaths = ['src']\n"
                                            "cache-dir = '.cache'\n")
    # A callee slower than a cache lookup (a cheaper one is rightly not cached).
    (project / "src/pkg/slow.py").write_text(textwrap.dedent('''
        import time
        from desync import desync
        from pkg.parsing import parse_file

        def parse_slowly(text):
            time.sleep(0.01)
            return parse_file(text)

        @desync
        def summary(text):
            return len(parse_slowly(text))
    '''))
    code = "import pkg.slow as s; s.summary('a,b\\nc'); s.summary('a,b\\nc')"
    ran = run_python(sys.executable, ["-c", code], cwd=project,
                     env={"PYTHONPATH": str(project / "src")})
    assert ran.returncode == 0, ran.stderr
    info = desync_cli(project, "cache", "info")
    assert info.returncode == 0, info.stderr
    lines = info.stdout.splitlines()
    assert lines[0].startswith(f"{project / '.cache'}: ") and " entries, " in lines[0]
    named = {line.split(":")[0].strip() for line in lines[1:]}
    assert "pkg.slow.parse_slowly" in named, info.stdout
    assert all(" entries, " in line and line.endswith(" bytes") for line in lines[1:])


# -- the same bytes whichever supported Python builds; built by the newest, run by the oldest

def test_every_python_builds_the_same_bytes_and_the_oldest_runs_the_newests(project,
                                                                           interpreters):
    builders = {m: p for m, p in interpreters.items() if m >= "3.11" or p == sys.executable}
    if len(builders) < 2 or len(interpreters) < 2:
        pytest.skip("needs two supported Pythons on this machine")
    (project / "src/pkg/modern.py").write_text(textwrap.dedent('''
        from desync import desync
        from pkg.parsing import parse_file

        @desync
        def pages(text, width=4):
            rows = parse_file(text)
            label = f"{len(rows):>{width}d} rows, first {rows[0][0]!r}"
            match rows:
                case [[first, *_], *rest] if (n := len(rest)) >= 0:
                    kind = f"{first}+{n}"
                case _:
                    kind = "none"
            total, *_ = [len(r) for r in rows]
            return rows, f"{len(rows):>4d} pages", label, kind, total, "caf\u00e9"
    '''))
    results = {}
    for minor, python in sorted(builders.items()):
        out = project / f"out-{minor}"
        build = desync_cli(project, "build", "src", "--out", str(out), "--lockfile",
                           f"lock-{minor}", python=python)
        assert build.returncode == 0, (minor, build.stderr)
        results[minor] = snapshot(out), (project / f"lock-{minor}").read_bytes()
    first = min(results)
    for minor, result in results.items():
        assert result == results[first], f"{minor} built other bytes than {first}"
    newest, oldest = max(builders), min(interpreters)
    code = ("import pkg.modern as m; print(m.pages('a,b\\nc'))")
    ran = run_python(interpreters[oldest], ["-c", code], cwd=project,
                     env={"PYTHONPATH": str(project / f"out-{newest}")})
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == repr(([["a", "b"], ["c"]], "   2 pages",
                                       "   2 rows, first 'a'", "a+1", 2, "café"))
