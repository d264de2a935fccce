"""The decorator alone caches transpiled functions next to Python's bytecode, so
a second process imports a module of desync functions without transpiling."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

MODULE = textwrap.dedent('''
    import time
    from desync import desync

    def work(x):
        time.sleep(0.3)
        return x + 1

    @desync(cache=False)
    def pair(x):
        a = work(x)
        b = work(x + 1)
        return a + b

    class Box:
        @desync(cache=False)
        def total(self, xs):
            return sum(work(x) for x in xs)
''')

REPORT = ("import sys, time; import m; t0 = time.perf_counter(); a = m.pair(1); "
          "t1 = time.perf_counter(); b = m.Box().total([1, 2]); t2 = time.perf_counter(); "
          "print(a, b, 'compiler' if 'desync.compiler' in sys.modules else 'cached', "
          "round(max(t1 - t0, t2 - t1), 2))")


def run(folder, env_extra=None, flags=()):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(folder)
    env.update(env_extra or {})
    result = subprocess.run([sys.executable, *flags, "-c", REPORT], capture_output=True,
                            text=True, cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    value_a, value_b, source, elapsed = result.stdout.split()
    return (int(value_a), int(value_b)), source, float(elapsed)


def test_a_second_process_runs_cached_code_without_the_compiler(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    values, source, _ = run(tmp_path)
    assert values == (5, 5) and source == "compiler"
    values, source, elapsed = run(tmp_path)
    assert values == (5, 5) and source == "cached"
    assert elapsed < 0.5  # the two calls of each function still run together (not: 0.6 s)


def test_an_edit_a_damaged_file_and_dont_write_bytecode_are_misses(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    run(tmp_path)
    # (A different size too: Python's own .pyc is checked by size and mtime in seconds.)
    (tmp_path / "m.py").write_text(MODULE.replace("return x + 1", "return x + 2  # edited"))
    values, source, _ = run(tmp_path)
    assert values == (7, 7) and source == "compiler"  # the edit is seen, not the old code
    cached = [p for p in (tmp_path / "__pycache__").iterdir() if p.name.endswith(".desync-fn.pyc")]
    assert len(cached) == 1
    cached[0].write_bytes(cached[0].read_bytes()[:-20] + b"\0" * 20)
    values, source, _ = run(tmp_path)
    assert values == (7, 7) and source == "compiler"  # damaged: transpiled again, no crash
    cached[0].unlink()
    run(tmp_path, {"PYTHONDONTWRITEBYTECODE": "1"})
    assert not cached[0].exists()
    run(tmp_path, flags=("-B",))
    assert not cached[0].exists()


def _cache_file(folder):
    found = [p for p in (folder / "__pycache__").iterdir() if p.name.endswith(".desync-fn.pyc")]
    assert len(found) == 1
    return found[0]


def test_a_touched_source_stays_a_hit_and_is_restamped(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(MODULE)
    run(tmp_path)
    cache = _cache_file(tmp_path)
    before = cache.read_bytes()
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    values, where, _ = run(tmp_path)   # new stamp, same bytes: the digest says a hit
    assert values == (5, 5) and where == "cached"
    after = cache.read_bytes()
    assert after != before and after[-200:] == before[-200:]  # only the stamp was rewritten
    values, where, _ = run(tmp_path)
    assert values == (5, 5) and where == "cached"
    assert cache.read_bytes() == after   # the stamp matched: nothing written


def test_a_same_size_edit_with_its_mtime_set_back_is_a_miss(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(MODULE)
    run(tmp_path)
    status = source.stat()
    edited = MODULE.replace("return x + 1", "return x + 3")
    assert len(edited) == len(MODULE)
    source.write_text(edited)
    # mtime and size as before (tar and cp -p do this): the ctime still differs.
    os.utime(source, ns=(status.st_atime_ns, status.st_mtime_ns))
    # Python's own .pyc would be stale too (it checks mtime and size): drop it, so the
    # original function is the edited one, and the desync cache must not disagree.
    for pyc in (tmp_path / "__pycache__").glob("m.*.pyc"):
        if not pyc.name.endswith(".desync-fn.pyc"):
            pyc.unlink()
    values, where, _ = run(tmp_path)
    assert values == (9, 9) and where == "compiler"


RELOADS = textwrap.dedent('''
    import importlib, os, sys
    sys.path.insert(0, os.getcwd())
    source = "from desync import desync\\n\\ndef g(x):\\n    return x\\n\\n@desync\\ndef f(x):\\n    return g(x) + {N}\\n"
    open("modfast.py", "w").write(source.format(N=1))
    import modfast
    seen = [modfast.f(0)]
    open("modfast.py", "w").write(source.format(N=2))    # same size, same lines, same tick
    importlib.reload(modfast)
    seen.append(modfast.f(0))
    open("modfast.py", "w").write(source.format(N=33))
    importlib.reload(modfast)
    seen.append(modfast.f(0))
    print(seen)
''')


def test_a_module_reloaded_right_after_an_edit_runs_the_new_code(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", RELOADS], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[1,", "2,", "33]"]


OUTLIVES = textwrap.dedent('''
    import os, sys, time
    sys.path.insert(0, os.getcwd())
    import desync.fncache
    desync.fncache._RECHECK = 0               # (as if 2 s went by: the file is looked at again)
    import m
    first = m.make()(0)                       # nested desync function, decorated per call
    text = open("m.py").read().replace("+ 1", "+ 7")
    time.sleep(0.01)
    open("m.py", "w").write(text)             # edited while this process runs
    m.other_make()(0)                         # first decorated now, from the old text
    print(first)
''')

NESTED = textwrap.dedent('''
    from desync import desync

    def g(x):
        return x

    def make():
        @desync
        def inner(x):
            return g(x) + 1
        return inner

    def other_make():
        @desync
        def other(x):
            return g(x) + 1
        return other
''')


def test_a_process_that_outlives_an_edit_does_not_cache_the_old_text(tmp_path):
    (tmp_path / "m.py").write_text(NESTED)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", OUTLIVES], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1"]
    later = subprocess.run([sys.executable, "-c", "import sys, os; sys.path.insert(0, os.getcwd());"
                            " import m; print(m.make()(0), m.other_make()(0))"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert later.returncode == 0, later.stderr
    assert later.stdout.split() == ["7", "7"]   # the edited source, in a new process


def test_equal_parts_of_functions_transpiled_one_by_one_are_written_once():
    import marshal
    from desync import fncache
    source = textwrap.dedent('''
        def a(x):
            t = ("k", "v")
            return (x, "label", t, (0,), 1.0)
        def b(x):
            t = ("k", "v")
            return (x, "label", t, (False,), -0.0)
    ''')
    entries = {}
    for name in ("a", "b"):   # compiled apart, as the decorator compiles each function
        namespace = {}
        exec(compile(source, "<m>", "exec"), namespace)
        entries[name] = namespace[name].__code__
    shared = fncache._sharing_equal_parts(entries)
    assert shared == entries                       # the same code, part for part
    assert len(marshal.dumps(shared)) < len(marshal.dumps(entries))
    assert shared["a"].co_names is shared["b"].co_names
    assert shared["a"].co_consts[1] is shared["b"].co_consts[1]   # ("k", "v")
    loaded = marshal.loads(marshal.dumps(shared))
    namespace = {}
    for name, code in loaded.items():
        namespace[name] = type(lambda: 0)(code, {})
    # Equal but differently typed constants stay apart: (0,) == (False,), 1.0 == -0.0.
    assert repr(namespace["a"](1)) == "(1, 'label', ('k', 'v'), (0,), 1.0)"
    assert repr(namespace["b"](1)) == "(1, 'label', ('k', 'v'), (False,), -0.0)"


def _desync_modules_imported_by_the_compiler():
    import ast
    import desync
    package = os.path.dirname(desync.__file__)
    compiler = os.path.join(package, "compiler")
    found = set()
    for name in os.listdir(compiler):
        if not name.endswith(".py"):
            continue
        found.add(f"compiler/{name}")
        with open(os.path.join(compiler, name), encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                path = node.module.replace(".", "/")
                if os.path.isdir(os.path.join(package, path)):   # from ..hashing import effects
                    found.update(f"{path}/{alias.name}.py" for alias in node.names)
                else:
                    found.add(path + ".py")
    return found


def test_the_fingerprint_covers_every_file_the_generated_code_depends_on():
    from desync import fncache
    # errors.py words messages only; hashing/effects.py serves `desync explain`,
    # never the transpiler: neither changes generated code.
    expected = _desync_modules_imported_by_the_compiler() - {"errors.py",
                                                             "hashing/effects.py"}
    assert set(fncache.TRANSPILER_FILES) == expected


def test_an_edit_of_a_table_the_transpiler_reads_changes_the_fingerprint(monkeypatch):
    import desync
    from desync import fncache
    monkeypatch.setattr(fncache, "_fingerprint", None)
    before = fncache.desync_fingerprint()
    assert fncache.desync_fingerprint() is before            # once per process
    effects = os.path.join(os.path.dirname(desync.__file__), "runtime", "effects.py")
    status = os.stat(effects)
    try:
        os.utime(effects, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
        monkeypatch.setattr(fncache, "_fingerprint", None)
        assert fncache.desync_fingerprint() != before
    finally:
        os.utime(effects, ns=(status.st_atime_ns, status.st_mtime_ns))
    monkeypatch.setattr(fncache, "_fingerprint", None)
    assert fncache.desync_fingerprint() == before
