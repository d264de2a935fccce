"""Running programs: plain Python against desync, and what an outcome is.

A batch of programs becomes one module text, written to a file per mode: line 1
defines ``desync`` as the identity (the plain module) or imports it (the desync
modules: one for the default threads, one for ``rt.OneWorker``, an executor with
one worker that is not a ThreadPoolExecutor); ``desync.sequential()`` runs the
threads module in program order.

An outcome is a snapshot of everything plain Python lets a caller observe: the
return value, the exception (type, message, and its ``__cause__``/``__context__``
chain), the trace of effects (stdout, logging, context-manager enter/exit with the
exception each ``__exit__`` saw), the arguments and ``self`` after the call, and
the module-level state. Snapshots record object identity (aliasing) too.
"""
from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import types

import desync

from . import prelude, rt
from .gen import Program

MODES = ("threads", "one-worker", "sequential")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILT_SHIFT = "# built by python -m desync build\n#\n"   # its own line numbers (see Batch)
_counter = itertools.count()
ONE_WORKER = None


def one_worker():
    global ONE_WORKER
    if ONE_WORKER is None:
        ONE_WORKER = rt.OneWorker()
    return ONE_WORKER


# -- snapshots ---------------------------------------------------------------------------

def snap(value, memo, depth=0):
    """A comparable, picklable picture of a value, aliasing included."""
    if depth > 30:
        return ("deep",)
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, tuple):
        return ("tuple",) + tuple(snap(v, memo, depth + 1) for v in value)
    key = id(value)
    if key in memo:
        return ("alias", memo[key][0])
    memo[key] = (len(memo), value)  # keep the object alive: ids stay unique
    tag = memo[key][0]
    if isinstance(value, list):
        return ("list", tag) + tuple(snap(v, memo, depth + 1) for v in value)
    if isinstance(value, dict):
        return ("dict", tag) + tuple((snap(k, memo, depth + 1), snap(v, memo, depth + 1))
                                     for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return ("set", tag) + tuple(sorted(repr(v) for v in value))
    if isinstance(value, io.StringIO):
        return ("StringIO", tag, value.getvalue())
    if isinstance(value, BaseException):
        return ("exception", tag, type(value).__name__, str(value))
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return ("callable", tag)
    if type(value).__name__ in ("generator", "map", "filter", "list_iterator", "list_reverseiterator",
                                "zip", "enumerate", "reversed"):
        return ("iterator", tag, type(value).__name__)
    if hasattr(value, "__dict__"):
        return ("object", tag, type(value).__name__) + tuple(
            (k, snap(v, memo, depth + 1)) for k, v in sorted(vars(value).items()))
    return ("other", tag, type(value).__name__)


# Messages that name a function name its module (``fzmod_7_2.g() got multiple
# values``): the plain and the desync modules of a program (and of a repro file) have
# names of their own, left out where outcomes are compared.
MODULE_NAME = re.compile(r"\b(?:fzmod_\d+_\d+|fz_repro_(?:plain|ds))\.")


def _unnamed(event):
    return tuple(MODULE_NAME.sub("", part) if isinstance(part, str) else part
                 for part in event)


def snap_exc(error, depth=0):
    if error is None:
        return None
    if depth > 8:
        return ("...",)
    return (type(error).__name__, MODULE_NAME.sub("", str(error)),
            ("cause", snap_exc(error.__cause__, depth + 1)),
            ("context", snap_exc(error.__context__, depth + 1)),
            ("suppress_context", error.__suppress_context__))


COMPONENTS = ("result", "error", "trace", "args", "self", "state")


def without_context(error):
    """The exception with its implicit chain (__context__, __suppress_context__) left out."""
    if error is None:
        return None
    return (error[0], error[1], ("cause", without_context(error[2][1])))


class Outcome(tuple):
    """(result, error, trace, args, self, state): see COMPONENTS."""

    def diff(self, other):
        return [name for name, a, b in zip(COMPONENTS, self, other) if a != b]

    def ignoring(self, ignore=()):
        """This outcome with the parts named in ``ignore`` (only "context" so far) left out."""
        if "context" not in ignore:
            return self
        return Outcome((self[0], without_context(self[1])) + tuple(self[2:]))

    def show(self) -> str:
        lines = []
        for name, value in zip(COMPONENTS, self):
            if name == "self" and value is None:
                continue
            lines.append(f"  {name:7} {_render(value)}")
        return "\n".join(lines)


def _render(value):
    text = repr(value)
    return text if len(text) < 600 else text[:600] + "..."


# -- modules -----------------------------------------------------------------------------------

def batch_text(programs: list[Program]) -> str:
    return "\n\n\n".join(p.module_text() for p in programs) + "\n"


def load(path, executor, name=None):
    name = name or f"fzmod_{os.getpid()}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    rt.NEXT_EXECUTOR = executor
    try:
        spec.loader.exec_module(module)
    finally:
        rt.NEXT_EXECUTOR = None
        del sys.modules[name]
    return module


class BuildFailed(Exception):
    """``python -m desync build`` refused the module (or crashed)."""


def build_project(directory, name, text):
    """Build ``text`` as module ``name`` of a fresh project with the real CLI;
    returns the path of the built module (build/desync/NAME.py)."""
    project = os.path.join(directory, f"proj_{name}")
    os.makedirs(os.path.join(project, "src"), exist_ok=True)
    with open(os.path.join(project, "pyproject.toml"), "w") as handle:
        handle.write('[project]\nname = "fzbuilt"\nversion = "0"\n\n'
                     '[tool.desync]\npaths = ["src"]\n')
    with open(os.path.join(project, "src", name + ".py"), "w") as handle:
        handle.write(text)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    proc = subprocess.run([sys.executable, "-m", "desync", "build", "--quiet"], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise BuildFailed(f"desync build exited {proc.returncode}:\n{proc.stdout[-1500:]}{proc.stderr[-3000:]}")
    built = os.path.join(project, "build", "desync", name + ".py")
    if not os.path.exists(built):
        raise BuildFailed(f"desync build wrote no {built}")
    return project, built


class Batch:
    """The plain module and the desync modules of some programs.

    Each desync mode gets a file of its own, its lines shifted by one: desync keeps a
    function's options in a dict keyed by its code object, and code objects compare
    equal across files when their code and line numbers are equal, so the two desync
    modules would otherwise share the options (the executor) of the last one loaded.
    """

    def __init__(self, programs, directory, modes=MODES):
        self.programs = programs
        text = batch_text(programs)
        tag = f"{os.getpid()}_{next(_counter)}"
        self.paths = []

        def write(kind, variant, shift=""):
            path = os.path.join(directory, f"fz_{kind}_{tag}.py")
            with open(path, "w") as handle:
                handle.write(shift + prelude.source(variant) + "\n\n" + text)
            self.paths.append(path)
            return path

        self.plain = load(write("plain", False), None)
        self.modules = {}
        if "threads" in modes or "sequential" in modes:
            self.modules["threads"] = self.modules["sequential"] = load(write("ds", True), None)
        if "one-worker" in modes:
            self.modules["one-worker"] = load(write("ds1", True, "# one worker\n"), one_worker())
        self.projects = []
        if "built" in modes:
            name = f"fzmod_{os.getpid()}_{next(_counter)}"   # (MODULE_NAME leaves it out)
            try:
                project, built = build_project(directory, name,
                                               BUILT_SHIFT + prelude.source(True) + "\n\n" + text)
            except BuildFailed:
                self.cleanup()
                raise
            self.projects.append(project)
            self.modules["built"] = load(built, None, name)
        if rt.CACHE:
            for module in set(self.modules.values()):
                prelude.mark_cacheable(module)

    def cleanup(self):
        for path in self.paths:
            with contextlib.suppress(OSError):
                os.remove(path)
        for project in getattr(self, "projects", ()):
            shutil.rmtree(project, ignore_errors=True)


def run(module, program: Program, plan=None, mode="plain", delay=0.0, salt=0, record=False):
    """One call of the program; returns (Outcome, recorded call fingerprints or None)."""
    sfx = program.sfx
    rt.reset(fail=plan, record=record, delay=delay, salt=salt)
    random.seed(12345)
    getattr(module, "_reset" + sfx)()
    n, m, xs, s, d = copy.deepcopy(program.args)
    obj = getattr(module, "P" + sfx)() if program.method else None
    fn = obj.run if obj is not None else getattr(module, "p" + sfx)
    result = error = None
    with contextlib.redirect_stdout(rt.TraceWriter()):
        try:
            if mode == "sequential":
                with desync.sequential():
                    result = fn(n, m, xs, s, d)
            else:
                result = fn(n, m, xs, s, d)
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt from a callee too
            error = exc
    memo = {}
    recorded = rt.RECORD
    outcome = Outcome((
        snap(result, memo),
        snap_exc(error),
        tuple(_unnamed(event) for event in rt.TRACE),
        snap([xs, d], memo),
        snap(obj, memo),
        snap(getattr(module, "_state" + sfx)(), memo),
    ))
    rt.reset()
    return outcome, recorded


NEVER_FAILS = frozenset({"steady"})   # callees no plan makes fail (see prelude.steady)


def plans_for(recorded, rng: random.Random, limit: int, kinds=("ValueError", "KeyError", "FzError", "ZeroDivisionError")):
    """Failure plans: one per distinct call input seen in the plain run (up to limit)."""
    seen = []
    for fp in recorded or ():
        if fp not in seen and fp[0] not in NEVER_FAILS:
            seen.append(fp)
    if len(seen) > limit:
        seen = sorted(rng.sample(range(len(seen)), limit))
        seen = [fp for i, fp in enumerate(dict.fromkeys(
            fp for fp in recorded if fp[0] not in NEVER_FAILS)) if i in seen]
    return [{fp: rng.choice(kinds)} for fp in seen]


# -- showing outcomes --------------------------------------------------------------------------

def show_value(s):
    """A snapshot back to Python-like text; ``#n`` marks an object seen again (an alias)."""
    if not isinstance(s, tuple) or not s or not isinstance(s[0], str):
        return repr(s)
    kind = s[0]
    if kind == "tuple":
        items = [show_value(v) for v in s[1:]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if kind == "alias":
        return f"<#{s[1]}>"
    if kind == "list":
        return f"#{s[1]}[" + ", ".join(show_value(v) for v in s[2:]) + "]"
    if kind == "dict":
        return f"#{s[1]}{{" + ", ".join(f"{show_value(k)}: {show_value(v)}" for k, v in s[2:]) + "}"
    if kind == "set":
        return f"#{s[1]}{{" + ", ".join(s[2:]) + "}"
    if kind == "object":
        return f"#{s[1]}{s[2]}(" + ", ".join(f"{k}={show_value(v)}" for k, v in s[3:]) + ")"
    if kind in ("StringIO", "exception", "iterator", "other"):
        return f"<{' '.join(map(str, s[2:]))}>"
    if kind == "callable":
        return "<function>"
    return repr(s)


def show_error(e):
    if e is None:
        return "None"
    text = f"{e[0]}({e[1]!r})"
    cause = e[2][1]
    context, suppress = (e[3][1], e[4][1]) if len(e) > 4 else (None, False)
    if cause is not None:
        text += f" from {show_error(cause)}"
    if context is not None:
        text += f" [context{', suppressed' if suppress else ''}: {show_error(context)}]"
    elif suppress and cause is None:
        text += " [__suppress_context__=True]"
    return text


def pretty(outcome, only=None):
    """Lines for an outcome (a tuple, or its repr); ``only``: the components to show."""
    if isinstance(outcome, str):
        import ast
        try:
            outcome = ast.literal_eval(outcome)
        except (ValueError, SyntaxError):
            return outcome[:800]
    result, error, trace, args, obj, state = outcome
    lines = []
    want = set(only or COMPONENTS) | {"error"}
    if error is None:
        lines.append(f"returns {show_value(result)}")
    else:
        lines.append(f"raises  {show_error(error)}")
    if "trace" in want:
        lines.append("effects " + (", ".join(" ".join(map(repr, ev)) for ev in trace) or "none"))
    if "args" in want:
        lines.append(f"args    xs={show_value(args[2]) if len(args) > 2 else args} d={show_value(args[3]) if len(args) > 3 else ''}")
    if "self" in want and obj is not None:
        lines.append(f"self    {show_value(obj)}")
    if "state" in want:
        lines.append(f"state   {show_value(state)}")
    return "\n".join(lines)
