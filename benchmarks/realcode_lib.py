"""Real code under ``@desync``: standard-library modules against CPython's own tests.

For one pure-Python standard-library module:

1. copy its source (a module file or a whole package) into two temporary folders,
   ``plain/`` (unchanged) and ``desync/`` (rewritten: ``import desync`` and
   ``@desync(cache=False)``, or ``@desync``, on every function and method that
   desync accepts, placed closest to the ``def`` so ``property``/``staticmethod``/
   ``classmethod`` keep working);
2. run CPython's test module for it (``test.test_<module>``) in a subprocess with
   the copy first on ``sys.path`` (``realcode_child.py``), which checks that the
   module the tests import is the copy and streams one JSON line per test;
3. compare the outcome of every test (pass, fail, error, skip, xfail, xpass,
   timeout, crash) between the plain and the decorated copy.

A hung test is a result: the run is stopped (thread stacks dumped), the test is
marked ``timeout`` and the run resumes after it. The same goes for a test that
kills the process (``crash``).

Which functions desync accepts is desync's own decision: every function is
transpiled and compiled one by one, innermost first, with the compiler desync
uses at decoration time; a ``DesyncError`` is a refusal (``yield``, ``locals()``,
...), any other exception a transpiler crash (a bug, reported). If the decorated
module still fails to import with a ``DesyncError`` naming a line, that function
is left plain and the import retried.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # desync from this checkout, whichever Python runs us
    sys.path.insert(0, str(ROOT))
CHILD = HERE / "realcode_child.py"
DESYNC_ALIAS = "__desync__"  # dunder: vars() scans that skip "__" names skip it

# Outcomes of one test.
OK_OUTCOMES = ("pass", "skip", "xfail")


@dataclasses.dataclass(frozen=True)
class ModuleSpec:
    """A standard-library module and the CPython test module that covers it."""
    name: str                 # import name: "fractions", "json", "_pydecimal"
    test: str                 # "test.test_fractions"
    decorate: tuple = ()      # for a package: the files to decorate (default: all)
    note: str = ""


def _spec(name, test=None, **kw):
    return ModuleSpec(name, test or f"test.test_{name.split('.')[-1].lstrip('_')}", **kw)


# The default set: pure-Python modules with deterministic suites that take well
# under a minute plain, where desync decorates many functions.
DEFAULT_MODULES = {s.name: s for s in [
    _spec("fractions"),
    _spec("statistics", note="py and C (_statistics) variants through import_fresh_module"),
    _spec("textwrap"),
    _spec("colorsys"),
    _spec("heapq", note="test_heapq tests the pure functions with _heapq blocked"),
    _spec("bisect", note="test_bisect tests the pure functions with _bisect blocked"),
    _spec("difflib"),
    _spec("shlex"),
    _spec("string"),
    _spec("base64"),
    _spec("calendar"),
    _spec("json", note="package; test_json tests pyjson with _json blocked"),
    _spec("gettext"),
    _spec("ipaddress"),
    _spec("graphlib"),
    _spec("pprint"),
]}

# More modules the harness knows how to run (any other name works too:
# ``test.test_<name>`` is assumed).
EXTRA_MODULES = {s.name: s for s in [
    _spec("argparse"),
    _spec("configparser"),
    _spec("tomllib", note="package"),
    _spec("plistlib"),
    _spec("operator", note="test_operator tests the pure operator.py with _operator blocked"),
    _spec("copy"),
    _spec("optparse"),
    _spec("getopt"),
    _spec("fnmatch"),
    _spec("dataclasses", test="test.test_dataclasses"),
    _spec("netrc"),
    _spec("mimetypes"),
    _spec("reprlib"),
    _spec("quopri"),
    _spec("glob"),
    _spec("keyword"),
    _spec("html", note="package"),
    _spec("urllib.parse", test="test.test_urlparse", note="one file of the urllib package"),
    _spec("_pydecimal", test="test.test_decimal", note="the pure decimal; slow"),
    _spec("sched"),
    _spec("http.cookies", test="test.test_http_cookies"),
    _spec("_py_abc", test="test.test_abc"),
    _spec("email.utils", test="test.test_email.test_email"),
]}

# The CI subset: quick suites (a few seconds under desync) that between them hit
# unpacking into attributes (fractions), comprehension variables and callees that
# mutate their arguments (heapq, base64), bound-method aliases (base64) and
# exec() namespaces (gettext).
CI_MODULES = ("fractions", "heapq", "base64", "gettext")

# Differences desync documents and keeps (docs/semantics.md says why), by test id:
# the CI test requires exactly these to differ, so a fix (or a new difference)
# shows. gettext's _as_int walks up from its caller to find the first frame outside
# gettext and warns with that stacklevel; the plural function that calls it runs as
# a task on a worker thread (or, paced, is called through a runtime frame), so the
# walk ends in desync's frames.
_STACKLEVEL = "warnings.warn's stacklevel walks past a callee desync calls"
KNOWN_DIFFERENCES = {
    f"test.test_gettext.{case}.{test}": _STACKLEVEL
    for case in ("GNUTranslationsPluralFormsTestCase", "GNUTranslationsClassPluralFormsTestCase",
                 "GNUTranslationsWithDomainPluralFormsTestCase")
    for test in ("test_plural_forms", "test_plural_context_forms",
                 "test_plural_wrong_context_forms")
}
# Since ``import warnings`` inside a function is known as the module's is (session
# eleven), these two give plain Python's warning without the cache (checked by
# turning that back off: 9 differ again); with the cache on they still differ.
KNOWN_ONLY_WITH_CACHE = {
    f"test.test_gettext.GNUTranslationsWithDomainPluralFormsTestCase.{test}"
    for test in ("test_plural_context_forms", "test_plural_wrong_context_forms")
}


# Modules whose test module is not test_<name>, or a second suite for a module
# (NAME@suite), from session ten's run over a hundred more modules.
EXTRA_MODULES["collections@ordered_dict"] = ModuleSpec("collections", "test.test_ordered_dict")
EXTRA_MODULES["code@module"] = ModuleSpec("code", "test.test_code_module")
EXTRA_MODULES["xml.etree.ElementTree"] = ModuleSpec("xml.etree.ElementTree", "test.test_xml_etree")
EXTRA_MODULES["xml.dom.minidom"] = ModuleSpec("xml.dom.minidom", "test.test_minidom")
EXTRA_MODULES["http.client"] = ModuleSpec("http.client", "test.test_httplib")
EXTRA_MODULES["urllib.request"] = ModuleSpec("urllib.request", "test.test_urllib2")
EXTRA_MODULES["http.cookiejar"] = ModuleSpec("http.cookiejar", "test.test_http_cookiejar")
EXTRA_MODULES["dbm.dumb"] = ModuleSpec("dbm.dumb", "test.test_dbm_dumb")
EXTRA_MODULES["xml.sax.saxutils"] = ModuleSpec("xml.sax.saxutils", "test.test_sax")
EXTRA_MODULES["xmlrpc.client"] = ModuleSpec("xmlrpc.client", "test.test_xmlrpc")
EXTRA_MODULES["xml.dom.pulldom"] = ModuleSpec("xml.dom.pulldom", "test.test_pulldom")
EXTRA_MODULES["_pyio"] = ModuleSpec("_pyio", "test.test_io")
EXTRA_MODULES["urllib.robotparser"] = ModuleSpec("urllib.robotparser", "test.test_robotparser")
EXTRA_MODULES["http.server"] = ModuleSpec("http.server", "test.test_httpservers")
EXTRA_MODULES["_weakrefset"] = ModuleSpec("_weakrefset", "test.test_weakset")
EXTRA_MODULES["ast@unparse"] = ModuleSpec("ast", "test.test_unparse")


def module_spec(name: str) -> ModuleSpec:
    return DEFAULT_MODULES.get(name) or EXTRA_MODULES.get(name) or _spec(name)


# ---------------------------------------------------------------------------
# Source rewriting
# ---------------------------------------------------------------------------

@dataclasses.dataclass
class DecorationReport:
    """What happened to the functions of one source file."""
    path: str
    functions: int = 0                                   # every def in the file
    decorated: list = dataclasses.field(default_factory=list)   # qualnames
    refused: dict = dataclasses.field(default_factory=dict)     # qualname -> reason
    crashed: dict = dataclasses.field(default_factory=dict)     # qualname -> error

    def as_dict(self):
        return dataclasses.asdict(self)


def _functions(tree):
    """(node, qualname, enclosing class name, depth) of every def, outermost first."""
    out = []

    def visit(node, prefix, class_name, depth):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + child.name
                out.append((child, qualname, class_name, depth))
                visit(child, qualname + ".<locals>.", class_name, depth + 1)
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".", child.name, depth + 1)
            elif isinstance(child, ast.Lambda):
                continue
            else:
                visit(child, prefix, class_name, depth)

    visit(tree, "", None, 0)
    return out


def _decorator_text(cache: bool) -> str:
    return f"@{DESYNC_ALIAS}.desync" + ("" if cache else "(cache=False)")


def _import_line(tree) -> int:
    """The 0-based line before which ``import desync`` goes: after the docstring and
    ``from __future__`` imports."""
    body = tree.body
    position = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        position = 1
    while position < len(body) and isinstance(body[position], ast.ImportFrom) \
            and body[position].module == "__future__":
        position += 1
    if position < len(body):
        return body[position].lineno - 1
    return body[-1].end_lineno if body else 0


def render(source: str, tree, chosen, cache: bool) -> str:
    """``source`` with the import and the decorator on every def in ``chosen``
    (a set of ``(lineno, col_offset)`` of the ``def`` keyword)."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    inserts: dict[int, list[str]] = {}
    inserts.setdefault(_import_line(tree), []).append(f"import desync as {DESYNC_ALIAS}\n")
    decorator = _decorator_text(cache)
    for node, _, _, _ in _functions(tree):
        if (node.lineno, node.col_offset) in chosen:
            line = lines[node.lineno - 1]
            indent = line.encode("utf-8")[:node.col_offset].decode("utf-8")
            inserts.setdefault(node.lineno - 1, []).append(f"{indent}{decorator}\n")
    out = []
    for index, line in enumerate(lines):
        out.extend(inserts.get(index, ()))
        out.append(line)
    out.extend(inserts.get(len(lines), ()))
    return "".join(out)


def _reason(error: BaseException) -> str:
    construct = getattr(error, "construct", None)
    if construct:
        return str(construct)
    return f"{type(error).__name__}: {error}".splitlines()[0][:200]


def _check_with_desync(new_source: str, filename: str):
    """Transpile and compile every decorated function of ``new_source`` the way the
    decorator does, innermost first. Yields (qualname, def line in new source,
    error, is_refusal) for each function desync does not take."""
    from desync.compiler import Module
    from desync.errors import DesyncError
    try:
        from desync.compiler.emit import compile_function
    except ImportError:  # pragma: no cover - the compiler is being rewritten
        compile_function = None
    module = Module(new_source, filename)
    functions = _functions(module.tree)
    # innermost first: deeper nodes come later in a pre-order walk of one branch,
    # so sorting by depth (deepest first) decides nested functions before parents.
    for node, qualname, class_name, depth in sorted(functions, key=lambda f: -f[3]):
        decorator = module.names.decorator_of(node)
        if decorator is None:
            continue
        try:
            transpiled = module.transpile_def(node)
            if compile_function is not None:
                # (a nested def's ``nonlocal`` names are free variables of the function
                # it is compiled in: without them compile() refuses it, a false crash)
                nonlocals = tuple(sorted({n for sub in ast.walk(node)
                                          if isinstance(sub, ast.Nonlocal) for n in sub.names}))
                compile_function(transpiled, filename, nonlocals, class_name)
            else:
                compile(ast.fix_missing_locations(ast.Module([transpiled], [])), filename, "exec")
        except DesyncError as error:
            node.decorator_list.remove(decorator)  # outer functions see it plain
            yield qualname, node.lineno, error, True
        except Exception as error:  # a transpiler crash: a bug
            node.decorator_list.remove(decorator)
            yield qualname, node.lineno, error, False


def decorate_source(source: str, filename: str, cache: bool,
                    leave_plain=frozenset()) -> tuple[str, DecorationReport]:
    """Decorate every def desync accepts. ``leave_plain``: qualnames not to decorate."""
    tree = ast.parse(source, filename)
    functions = _functions(tree)
    report = DecorationReport(filename, functions=len(functions))
    chosen = set()
    by_key = {}
    for node, qualname, _, _ in functions:
        if isinstance(node, ast.AsyncFunctionDef):
            report.refused[qualname] = "async def"
            continue
        if qualname in leave_plain:
            report.refused[qualname] = "left plain"
            continue
        chosen.add((node.lineno, node.col_offset))
        by_key[(node.lineno, node.col_offset)] = qualname
    # Each rendering adds lines; map the new def lines back to the originals.
    new_source = render(source, tree, chosen, cache)
    new_tree_functions = _functions(ast.parse(new_source, filename))
    new_to_old = {(n.lineno, n.col_offset): (o.lineno, o.col_offset)
                  for (n, _, _, _), (o, _, _, _) in zip(new_tree_functions, functions)}
    for qualname, lineno, error, refusal in _check_with_desync(new_source, filename):
        key = next((old for new, old in new_to_old.items() if new[0] == lineno), None)
        chosen.discard(key)
        (report.refused if refusal else report.crashed)[qualname] = _reason(error)
    new_source = render(source, tree, chosen, cache)
    report.decorated = [by_key[k] for k in sorted(chosen)]
    return new_source, report


def function_at(source: str, lineno: int):
    """Qualname of the innermost def whose span holds ``lineno``."""
    best = None
    for node, qualname, _, depth in _functions(ast.parse(source)):
        start = min([d.lineno for d in node.decorator_list] + [node.lineno])
        if start <= lineno <= node.end_lineno and (best is None or depth >= best[1]):
            best = (qualname, depth)
    return best and best[0]


# ---------------------------------------------------------------------------
# Copies
# ---------------------------------------------------------------------------

def source_files(spec: ModuleSpec):
    """(top-level name, source root to copy, list of files to decorate relative to it)."""
    top = spec.name.split(".")[0]
    found = importlib.util.find_spec(top)
    if found is None or found.origin in (None, "built-in", "frozen"):
        raise RuntimeError(f"{top}: no source file")
    if found.submodule_search_locations:
        root = Path(list(found.submodule_search_locations)[0])
        files = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                       if "__pycache__" not in p.parts)
        if "." in spec.name:
            wanted = spec.name.split(".", 1)[1].replace(".", "/")
            files = [f for f in files if f in (wanted + ".py", wanted + "/__init__.py")]
        if spec.decorate:
            files = [f for f in files if f in spec.decorate]
        return top, root, files
    path = Path(found.origin)
    if path.suffix != ".py":
        raise RuntimeError(f"{top}: not a pure-Python module ({path.name})")
    return top, path, [path.name]


def make_copy(spec: ModuleSpec, dest: Path, decorate: bool, cache: bool,
              leave_plain=None):
    """Copy the module into ``dest`` (decorated or not); return the decoration reports."""
    top, root, files = source_files(spec)
    leave_plain = leave_plain or {}
    reports = []
    if root.is_dir():
        target = dest / top
        shutil.copytree(root, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        target = dest
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root, dest / root.name)
    if decorate:
        for rel in files:
            path = target / rel
            source = path.read_text(encoding="utf-8")
            key = str(path.relative_to(dest))
            new, report = decorate_source(source, str(path), cache,
                                          frozenset(leave_plain.get(key, ()))
                                          | frozenset(leave_plain.get("*", ())))
            path.write_text(new, encoding="utf-8")
            reports.append(report)
    return reports


# ---------------------------------------------------------------------------
# Running the tests
# ---------------------------------------------------------------------------

@dataclasses.dataclass
class RunResult:
    label: str                           # "plain", "nocache", "cache"
    outcomes: dict = dataclasses.field(default_factory=dict)    # test id -> outcome
    details: dict = dataclasses.field(default_factory=dict)     # test id -> traceback
    durations: dict = dataclasses.field(default_factory=dict)   # test id -> seconds
    import_error: str | None = None
    module_file: str | None = None
    import_seconds: float = 0.0
    test_seconds: float = 0.0           # sum over the child processes of the test run
    wall_seconds: float = 0.0
    restarts: int = 0
    hangs: list = dataclasses.field(default_factory=list)       # (test id, stack dump)
    calls: int = 0                       # desync calls made (decorated runs)
    exercised: list = dataclasses.field(default_factory=list)  # qualnames called
    exit_note: str | None = None

    def as_dict(self):
        return dataclasses.asdict(self)


def _child_env():
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("DESYNC_DISABLE", None)
    env.pop("DESYNC_CACHE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def _read_events(path: Path, offset: int):
    if not path.exists():
        return [], offset
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    end = data.rfind(b"\n") + 1
    events = [json.loads(line) for line in data[:end].splitlines() if line.strip()]
    return events, offset + end


def run_tests(spec: ModuleSpec, copy_dir: Path, label: str, *, timeout: float,
              stall: float, idle: float = 10.0, expected=None, python: str = sys.executable,
              max_restarts: int = 200, only=(), log=None) -> RunResult:
    """Run the test module against the copy in ``copy_dir``; resume after hangs and crashes.

    A test that runs ``stall`` seconds is a ``timeout``; one during which the process
    uses no CPU for ``idle`` seconds (three times the test's plain duration, if
    ``expected`` gives it and that is longer) is a ``hang``: a deadlock, found fast.
    ``timeout`` bounds the whole run.
    """
    result = RunResult(label)
    expected = expected or {}
    work = Path(tempfile.mkdtemp(prefix=f"rc-{label}-", dir=copy_dir.parent))
    skip_file = work / "skip.json"
    done: list[str] = []
    started_all = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        events_file = work / f"events{attempt}.jsonl"
        stacks_file = work / f"stacks{attempt}.txt"
        skip_file.write_text(json.dumps(done))
        cwd = work / f"cwd{attempt}"
        cwd.mkdir()
        command = [python, str(CHILD), "--module", spec.name, "--test", spec.test,
                   "--dir", str(copy_dir), "--events", str(events_file),
                   "--stacks", str(stacks_file), "--skip", str(skip_file)]
        if label != "plain":
            command.append("--count-calls")
        for pattern in only:
            command += ["--only", pattern]
        with open(work / f"stderr{attempt}.txt", "wb") as err:
            proc = subprocess.Popen(command, cwd=cwd, env=_child_env(), stdout=err,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        offset = 0
        current = None
        last_progress = last_busy = time.monotonic()
        cpu = _cpu_seconds(proc.pid)
        ended = False
        reason = None
        last_t = 0.0
        last_calls = 0
        imported = False
        while True:
            events, offset = _read_events(events_file, offset)
            for event in events:
                last_progress = time.monotonic()
                kind = event["event"]
                if kind == "start":
                    current = event["id"]
                elif kind == "outcome":
                    last_t = event.get("t", last_t)
                    last_calls = event.get("c", last_calls)
                    result.outcomes[event["id"]] = event["outcome"]
                    result.durations[event["id"]] = event.get("d", 0.0)
                    if event.get("detail"):
                        result.details[event["id"]] = event["detail"]
                    done.append(event["id"])
                    current = None
                elif kind == "imported":
                    result.module_file = event["file"]
                    imported = True
                    result.import_seconds += event["seconds"]
                elif kind == "import_error":
                    result.import_error = event["error"]
                    result.details["<import>"] = event.get("detail", "")
                elif kind == "end":
                    ended = True
                    result.test_seconds += event["seconds"]
                    result.calls += event.get("calls", 0)
                    result.exercised = sorted(set(result.exercised) | set(event.get("exercised", ())))
            code = proc.poll()
            if code is not None:
                events, offset = _read_events(events_file, offset)
                if events:
                    continue  # drain what the child wrote before it ended
                break
            now = time.monotonic()
            used = _cpu_seconds(proc.pid)
            if used is None or cpu is None or used - cpu > 0.02:
                last_busy = now
            cpu = used
            allowed_idle = max(idle, 3 * expected.get(current, 0.0))
            if now - started_all > timeout:
                reason = "timeout"
            elif ended and now - last_progress > 30:
                reason = "exit"
            elif now - last_progress > stall:
                reason = "timeout"
            elif now - last_progress > allowed_idle and now - last_busy > allowed_idle:
                reason = "hang"
            if reason is not None:
                break
            time.sleep(0.05)
        if not ended:  # the part of a stopped run that finished
            result.test_seconds += last_t
            result.calls += last_calls
        if reason is not None:
            _stop(proc, stacks_file)
            stacks = stacks_file.read_text(errors="replace") if stacks_file.exists() else ""
            if reason == "exit":
                result.exit_note = "the process did not exit after the tests ended"
                result.hangs.append(("<exit>", stacks))
                break
            if current is not None:
                result.outcomes[current] = reason
                result.details[current] = summarize_stacks(stacks)
                result.hangs.append((current, stacks))
                done.append(current)
            elif not imported:
                result.import_error = ("hang while importing the module" if reason == "hang"
                                       else "timeout while importing the module")
                result.details["<import>"] = summarize_stacks(stacks)
                break
            else:  # between tests: a class or module fixture; nothing to skip past
                result.hangs.append(("<between tests>", stacks))
                result.exit_note = f"{reason} outside a test (a class or module fixture)"
                break
            if now - started_all > timeout:
                result.exit_note = f"module timeout ({timeout:.0f} s)"
                break
        elif not ended:
            tail = (work / f"stderr{attempt}.txt").read_text(errors="replace")[-3000:]
            if result.import_error is not None:
                break
            if current is not None:
                result.outcomes[current] = "crash"
                result.details[current] = f"exit code {proc.returncode}\n{tail}"
                done.append(current)
            else:
                result.exit_note = f"child exited {proc.returncode} outside a test:\n{tail}"
                break
        else:
            break
        if attempt > max_restarts:
            result.exit_note = f"gave up after {max_restarts} restarts"
            break
        result.restarts += 1
        if log:
            log(f"    {label}: {reason or 'crash'} in {current}; resuming after it")
    result.wall_seconds = time.monotonic() - started_all
    return result


def _cpu_seconds(pid):
    """CPU time (user + system) of a process, all its threads; None off Linux."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def summarize_stacks(text: str, limit: int = 60) -> str:
    """The stacks of the threads that are doing something (idle pool workers left out)."""
    import re
    keep = []
    for block in re.split(r"\n(?=Thread 0x|Current thread)", text):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if len(lines) > 1 and "concurrent/futures/thread.py" in lines[1] and "_worker" in lines[1]:
            continue
        keep.append("\n".join(line for line in lines[:limit] if "/unittest/" not in line))
    return "\n".join(keep)


def _stop(proc, stacks_file):
    """Dump the thread stacks (faulthandler on SIGUSR1), then kill the process group."""
    try:
        os.killpg(proc.pid, signal.SIGUSR1)
        for _ in range(40):
            if stacks_file.exists() and stacks_file.stat().st_size:
                time.sleep(0.2)
                break
            time.sleep(0.05)
    except ProcessLookupError:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


# ---------------------------------------------------------------------------
# One module, end to end
# ---------------------------------------------------------------------------

@dataclasses.dataclass
class ModuleResult:
    name: str
    test: str
    plain: RunResult | None = None
    runs: dict = dataclasses.field(default_factory=dict)        # label -> RunResult
    reports: dict = dataclasses.field(default_factory=dict)     # label -> [DecorationReport]
    error: str | None = None

    def compare(self, label):
        """(tests, same, {test id: (plain outcome, desync outcome)})."""
        run = self.runs[label]
        ids = sorted(set(self.plain.outcomes) | set(run.outcomes))
        differ = {}
        for test_id in ids:
            a = self.plain.outcomes.get(test_id, "missing")
            b = run.outcomes.get(test_id, "missing")
            if a != b:
                differ[test_id] = (a, b)
        return len(ids), len(ids) - len(differ), differ

    def identical(self, label) -> bool:
        run = self.runs.get(label)
        if run is None:
            return False
        return (self.error is None and run.import_error is None and not run.hangs
                and run.exit_note is None and not self.compare(label)[2])

    def as_dict(self):
        return {"name": self.name, "test": self.test, "error": self.error,
                "plain": self.plain.as_dict() if self.plain else None,
                "runs": {k: v.as_dict() for k, v in self.runs.items()},
                "reports": {k: [r.as_dict() for r in v] for k, v in self.reports.items()}}


def run_module(name: str, labels=("nocache",), *, timeout: float = 1800, stall: float = 600,
               idle: float = 10.0, workdir: str | None = None, keep: bool = False, only=(),
               plain_functions=(), log=None) -> ModuleResult:
    """Plain run, then one decorated run per label ("nocache": ``cache=False``,
    "cache": the default ``@desync``). ``plain_functions``: qualnames left undecorated
    (to look past a failure that hides the rest of a suite)."""
    spec = module_spec(name)
    result = ModuleResult(spec.name, spec.test)
    if workdir:
        os.makedirs(workdir, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix=f"realcode-{spec.name}-", dir=workdir))
    try:
        plain_dir = base / "plain"
        make_copy(spec, plain_dir, decorate=False, cache=False)
        if log:
            log(f"  {spec.name}: plain run ({base})")
        result.plain = run_tests(spec, plain_dir, "plain", timeout=timeout, stall=stall,
                                 idle=max(idle, 30), only=only, log=log)
        if result.plain.import_error:
            result.error = f"plain import failed: {result.plain.import_error}"
            return result
        for label in labels:
            cache = label == "cache"
            leave_plain: dict[str, set] = {"*": set(plain_functions)}
            for attempt in range(30):
                copy_dir = base / f"{label}{attempt}"
                reports = make_copy(spec, copy_dir, decorate=True, cache=cache,
                                    leave_plain=leave_plain)
                if log:
                    decorated = sum(len(r.decorated) for r in reports)
                    log(f"  {spec.name}: {label} run ({decorated} functions decorated)")
                run = run_tests(spec, copy_dir, label, timeout=timeout, stall=stall,
                                idle=idle, expected=result.plain.durations, only=only,
                                log=log)
                culprit = _import_culprit(run, copy_dir)
                if culprit is None:
                    break
                # A DesyncError at import names a line: leave that function plain, retry.
                leave_plain.setdefault(culprit[0], set()).add(culprit[1])
                if log:
                    log(f"    import refused {culprit[1]}: {run.import_error}")
            result.runs[label] = run
            result.reports[label] = reports
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    return result


def load_results(path) -> list:
    """The ModuleResults a run saved with ``--json``."""
    with open(path) as f:
        data = json.load(f)
    results = []
    for item in data:
        result = ModuleResult(item["name"], item["test"], error=item.get("error"))
        if item.get("plain"):
            result.plain = RunResult(**item["plain"])
        result.runs = {k: RunResult(**v) for k, v in item.get("runs", {}).items()}
        result.reports = {k: [DecorationReport(**r) for r in v]
                          for k, v in item.get("reports", {}).items()}
        results.append(result)
    return results


def _import_culprit(run: RunResult, copy_dir: Path):
    """(file, qualname) named by a DesyncError that stopped the import, if any."""
    if run.import_error is None or not run.import_error.startswith("DesyncError"):
        return None
    detail = run.details.get("<import>", "")
    try:
        info = json.loads(detail.splitlines()[-1])
    except (ValueError, IndexError):
        return None
    filename, lineno = info.get("filename"), info.get("lineno")
    if not filename or not lineno or not str(filename).startswith(str(copy_dir)):
        return None
    source = Path(filename).read_text(encoding="utf-8")
    qualname = function_at(source, lineno)
    return (str(Path(filename).relative_to(copy_dir)), qualname) if qualname else None
