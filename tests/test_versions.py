"""Stable code hashes and major.minor versions."""
from __future__ import annotations

import ast
import os
import pickle
import subprocess
import sys
import textwrap

import pytest

from desync.hashing.codehash import Hasher, Project, hash64, major_hash
from desync.version import Version


def fn_node(source):
    return ast.parse(textwrap.dedent(source)).body[0]


# -- Version ---------------------------------------------------------------------

def test_version_value_type():
    v = Version(5, (1, 2))
    assert str(v) == "1.0"
    assert v == Version(5, (1, 2), 1, 0)
    assert hash(v) == hash(Version(5, (1, 2)))
    assert Version(1, (), 1, 2) < Version(0, (), 2, 0) < Version(0, (), 2, 1)
    assert sorted([Version(1, (), 3, 0), Version(1, (), 1, 9)])[0].major_version == 1
    assert "1.0" in repr(v) and "0x0000000000000005" in repr(v)
    assert pickle.loads(pickle.dumps(v)) == v
    with pytest.raises(AttributeError):
        v.major_version = 2
    assert Version(1, [2, 3]).minor_hash == (2, 3)


@pytest.mark.parametrize("args,error", [
    (("1", ()), TypeError),
    ((1, 5), TypeError),
    ((1, ("x",)), TypeError),
    ((-1, ()), ValueError),
    ((2 ** 64, ()), ValueError),
    ((1, (), -1, 0), ValueError),
    ((1, (), 1, -2), ValueError),
    ((1, (), 1.0, 0), TypeError),
    ((True, ()), TypeError),
])
def test_malformed_version_is_refused(args, error):
    with pytest.raises(error):
        Version(*args)


def test_bump_rules():
    base = Version(10, (20, 30), 3, 4)
    assert Version(10, (20, 30)).bump_from(base) == base
    assert str(Version(10, (20, 31)).bump_from(base)) == "3.5"
    assert str(Version(11, (20, 30)).bump_from(base)) == "4.0"
    assert str(Version(11, (99,)).bump_from(base)) == "4.0"
    with pytest.raises(TypeError):
        Version(1, ()).bump_from("1.0")


# -- canonical hashing -------------------------------------------------------------

def test_hash_ignores_formatting_comments_docstring_name_and_desync_decorator():
    a = fn_node('''
        @desync(max_workers=2)
        def outer(x):
            """Docs."""
            # a comment
            return inner(x) + 1
    ''')
    b = fn_node('''
        def renamed(x):
            return (inner(x)
                    + 1)
    ''')
    assert major_hash(a) == major_hash(b)


def test_hash_sees_real_changes():
    base = major_hash(fn_node("def f(x):\n    return x + 1\n"))
    for changed in ("def f(x):\n    return x + 2\n", "def f(y):\n    return y + 1\n",
                    "def f(x=1):\n    return x + 1\n", "def f(x):\n    return x + 1.0\n",
                    "@cache\ndef f(x):\n    return x + 1\n",
                    "def f(x):\n    '''doc'''\n    return 'x + 1'\n"):
        assert major_hash(fn_node(changed)) != base, changed


def test_pinned_hashes():
    # The canonical form is part of the lockfile format: a change here must be deliberate.
    assert major_hash(fn_node("def f(x):\n    return x + 1\n")) == PINNED["add"]
    assert major_hash(fn_node("def g():\n    pass\n")) == PINNED["pass"]
    assert hash64(b"dist:numpy==2.0.0") == PINNED["dist"]


PINNED = {  # the same on Python 3.10, 3.11, 3.12 and 3.13 (checked when pinned)
    "add": 0xf2d643e760066883,
    "pass": 0xdb9743982ed49b8b,
    "dist": 0x6f911c2930291633,
    "modern": 0xbd466f1412d4a1ca,
}

MODERN = (
    '@d\ndef g(a, /, b=1, *c, d, **e) -> int:\n    """doc"""\n    match a:\n'
    '        case [1, *r]: return f"{b!r}"\n    return [x async for x in y]\n'
)


def test_pinned_hash_of_modern_syntax():
    assert major_hash(fn_node(MODERN)) == PINNED["modern"]


HASH_SCRIPT = textwrap.dedent("""
    import ast, sys
    from desync.hashing.codehash import major_hash
    node = ast.parse("def f(a, b={'k': 1}):\\n    return {x for x in (a, b)}\\n").body[0]
    print(major_hash(node))
""")


def test_hash_is_stable_across_processes_and_hash_seeds():
    values = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", HASH_SCRIPT], env=env, capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        values.add(out.stdout.strip())
    assert len(values) == 1


# -- callees ---------------------------------------------------------------------

def write(path, source):
    path.write_text(textwrap.dedent(source))


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "helpers.py", """
        import os
        def twice(x):
            return os.path.join("a") and x * 2
        def even(n):
            return n == 0 or odd(n - 1)
        def odd(n):
            return n != 0 and even(n - 1)
    """)
    write(tmp_path / "app.py", """
        import json
        import helpers
        from helpers import even as is_even
        from desync import desync

        def inner(x):
            return helpers.twice(x) + len(str(x))

        def uses_dist(x):
            import pytest
            return pytest.approx(x)

        class Box:
            def helper(self):
                return inner(1)

            @desync
            def method(self):
                return self.helper()

        @desync
        def outer(x, fn):
            y = fn(x)                    # a parameter: bound at run time, not tracked
            json.dumps(y)                # standard library: not tracked
            return inner(x) + is_even(4)
    """)
    return tmp_path


def test_callees_are_resolved_and_sorted(project):
    hasher = Hasher(Project([str(project)]))
    app = hasher.project.module("app")
    result = hasher.of(app, "outer")
    assert [name for name, _ in result.callees] == ["helpers.even", "inner"]
    assert result.major == major_hash(app.defs["outer"])
    method = hasher.of(app, "Box.method")
    assert [name for name, _ in method.callees] == ["Box.helper"]


def test_a_callee_change_changes_only_the_minor_hash(project):
    before = Hasher(Project([str(project)])).of(Project([str(project)]).module("app"), "outer")
    helpers = project / "helpers.py"
    helpers.write_text(helpers.read_text().replace("x * 2", "x * 3"))
    project_after = Project([str(project)])
    after = Hasher(project_after).of(project_after.module("app"), "outer")
    assert after.major == before.major
    assert dict(after.callees)["helpers.even"] == dict(before.callees)["helpers.even"]
    assert dict(after.callees)["inner"] != dict(before.callees)["inner"]


def test_recursion_and_cycles_terminate_deterministically(project):
    results = set()
    for _ in range(3):
        p = Project([str(project)])
        results.add(Hasher(p).of(p.module("helpers"), "even"))
    assert len(results) == 1


def test_installed_distribution_hashes_as_name_and_version(project, monkeypatch):
    import pytest as pytest_module
    monkeypatch.syspath_prepend(str(project))
    p = Project([str(project), *sys.path])
    result = Hasher(p).of(p.module("app"), "uses_dist")
    expected = hash64(f"dist:pytest=={pytest_module.__version__}".encode())
    assert dict(result.callees) == {"pytest.approx": expected}   # the call cache's key
    # Versions (and the lockfile) depend on the project's own source only.
    assert Hasher(p, third_party=False).of(p.module("app"), "uses_dist").callees == ()


# -- the API on live functions: the seed's three snippets, each in its own process --------

SAVE = textwrap.dedent('''
    from app import outer
    version = outer.get_version()
    with open("version.txt", "w") as filobj:
        filobj.write(f'{version.major_hash}\\n{",".join(str(h) for h in version.minor_hash)}\\n{version.major_version}\\n{version.minor_version}\\n')
    print(version)
''')

LOAD = textwrap.dedent('''
    from desync.version import Version
    from app import outer
    with open("version.txt") as filobj:
        major_hash, minor_hash, major_version, minor_version = filobj.read().splitlines()
    base = Version(int(major_hash), tuple(int(h) for h in minor_hash.split(",") if h),
                   int(major_version), int(minor_version))
    outer.set_version(base)
    print(outer.get_version())
''')

APP = textwrap.dedent('''
    import time
    from desync import desync

    def inner():
        time.sleep(0.01)

    @desync
    def outer():
        inner()
        inner()
''')


def run_in(directory, code, seed):
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = str(directory) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], cwd=directory, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_seed_snippets_fresh_then_callee_change_then_own_change(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(APP)
    assert run_in(tmp_path, SAVE, "1") == "1.0"
    assert run_in(tmp_path, LOAD, "2") == "1.0"        # nothing changed
    app.write_text(APP.replace("0.01", "0.02"))         # a callee changed
    assert run_in(tmp_path, LOAD, "3") == "1.1"
    app.write_text(APP.replace("0.01", "0.02").replace("    inner()\n    inner()",
                                                        "    inner()\n"))  # outer changed
    assert run_in(tmp_path, LOAD, "4") == "2.0"


def test_live_and_static_hashes_agree(project):
    code = "import app; v = app.outer.get_version(); print(v.major_hash, v.minor_hash)"
    live = run_in(project, code, "7")
    p = Project([str(project), *sys.path])
    static = Hasher(p).of(p.module("app"), "outer")
    assert live == f"{static.major} {static.minor}"


def test_unreadable_callee_is_left_out_and_never_crashes(tmp_path):
    write(tmp_path / "dyn.py", """
        from desync import desync
        namespace = {}
        exec("def made():\\n    return 1\\n", namespace)
        made = namespace["made"]

        @desync
        def outer():
            return made() + 1
    """)
    out = run_in(tmp_path, "import dyn; print(dyn.outer.get_version(), "
                           "[n for n, _ in dyn.outer.get_callees()], dyn.outer())", "0")
    # The code exec() built is not seen; the module-level name that holds it is.
    assert out == "1.0 ['made'] 2"


# -- cycles in the call graph ------------------------------------------------------

def _web(tmp_path, n, body_of=lambda i: "return 0"):
    """n functions that each call every other one: a dense web of mutual recursion."""
    lines = []
    for i in range(n):
        calls = " + ".join(f"f{j}(x - 1)" for j in range(n) if j != i)
        lines += [f"def f{i}(x):", "    if x <= 0:", f"        {body_of(i)}",
                  f"    return {calls}", ""]
    (tmp_path / "web.py").write_text("\n".join(lines))
    return Project([str(tmp_path)])


def test_a_dense_web_of_mutual_calls_hashes_each_function_once(tmp_path):
    # Hashing by walking every path from a function is exponential here (it made
    # `desync cache info` hang on a project with a large class of mutually calling
    # methods); each function's own code is read a bounded number of times.
    project = _web(tmp_path, 24)
    hasher = Hasher(project)
    reads = []
    major = hasher.major
    hasher.major = lambda module, qualname: reads.append(qualname) or major(module, qualname)
    module = project.module("web")
    for i in range(24):
        hasher.of(module, f"f{i}")
    assert len(reads) <= 24 * 24 * 2


def test_a_change_anywhere_in_a_cycle_moves_every_member(tmp_path):
    before = _web(tmp_path, 3)
    hashes_before = {q: Hasher(before).of(before.module("web"), q) for q in ("f0", "f1", "f2")}
    after = _web(tmp_path, 3, lambda i: "return 1" if i == 2 else "return 0")
    hashes_after = {q: Hasher(after).of(after.module("web"), q) for q in ("f0", "f1", "f2")}
    assert hashes_after["f0"].major == hashes_before["f0"].major
    assert all(hashes_after[q].transitive != hashes_before[q].transitive for q in hashes_before)


def test_hashes_in_a_cycle_do_not_depend_on_which_function_is_hashed_first(tmp_path):
    project = _web(tmp_path, 4)
    orders = ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1])
    seen = []
    for order in orders:
        hasher = Hasher(Project([str(tmp_path)]))
        module = hasher.project.module("web")
        seen.append({i: hasher.of(module, f"f{i}") for i in order})
    assert seen[0] == seen[1] == seen[2]
    assert len({h.transitive for h in seen[0].values()}) == 4  # each member its own
