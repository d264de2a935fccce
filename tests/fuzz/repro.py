"""Minimal repros as standalone files, and running one: ``python -m tests.fuzz.repro FILE``.

A repro file holds only what its program uses: the helpers (with the injected
failure written out as an ``if``), the module-level state, the desync function and
its arguments (``ARGS``). Running it loads it twice, plain (line 1 swapped for an
identity ``desync``) and with desync, and prints both outcomes.
"""
from __future__ import annotations

import argparse
import ast
import atexit
import contextlib
import copy
import importlib.util
import logging
import os
import re
import shutil
import sys
import tempfile

from . import prelude

TRACE_HEADER = '''TRACE = []  # context managers and logging record here; stdout is captured by the runner


def _emit(*event):
    TRACE.append(event)
'''

LOG_HEADER = '''class _Record(logging.Handler):
    def emit(self, record):
        TRACE.append(("log", record.levelname, record.getMessage(), record.funcName))


from tests.fuzz.rt import LOGGER as LOG  # imported, as in the fuzzer: desync treats it so
LOG.handlers[:] = [_Record()]
LOG.propagate = False
LOG.setLevel(logging.DEBUG)
'''

FZERROR = '''class FzError(Exception):
    pass
'''


class _Rename(ast.NodeTransformer):
    def __init__(self, sfx):
        self.map = {f"{base}{sfx}": base for base in ("p", "q", "P", "G", "REG", "EV", "K")}

    def visit_Name(self, node):
        node.id = self.map.get(node.id, node.id)
        return node

    def visit_FunctionDef(self, node):
        node.name = self.map.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_ClassDef(self, node):
        node.name = self.map.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_Global(self, node):
        node.names = [self.map.get(n, n) for n in node.names]
        return node


def _literal(fp):
    """A fingerprint back to Python source, or None when it cannot be compared (a function)."""
    if isinstance(fp, tuple) and fp and fp[0] in ("t", "l"):
        parts = [_literal(v) for v in fp[1:]]
        if any(p is None for p in parts):
            return None
        inner = ", ".join(parts)
        return f"({inner}{',' if len(parts) == 1 else ''})" if fp[0] == "t" else f"[{inner}]"
    if fp == "fn" or isinstance(fp, tuple):
        return None
    return repr(fp)


def _callee_source(name, plan, delay):
    from .rt import describe
    text = prelude.DEFS[name]
    tree = ast.parse(text).body[0]
    params = [a.arg for a in tree.args.args]
    lines = text.splitlines()
    out = []
    for line in lines:
        if line.strip().startswith("_hit("):
            indent = line[:len(line) - len(line.lstrip())]
            probe = ast.parse(line.strip()).body[0].value
            # (what the probe is given: the parameters, or a generator's own ``i``)
            given = [ast.unparse(a) for a in probe.args[1:] if not isinstance(a, ast.Starred)]
            if any(isinstance(a, ast.Starred) for a in probe.args):
                given = params
            for fp, kind in (plan or {}).items():
                if fp[0] != name:
                    continue
                names, values = [], []
                for pname, value in zip(given + ([tree.args.vararg.arg] if tree.args.vararg else []), fp[1]):
                    lit = _literal(value)
                    if lit is not None:
                        names.append(pname)
                        values.append(lit)
                if tree.args.vararg and len(fp[1]) != len(params):
                    names, values = [tree.args.vararg.arg], [_literal(("t",) + tuple(fp[1][len(params):])) or "()"]
                for key, value in fp[2]:
                    lit = _literal(value)
                    if lit is not None:
                        names.append(key)
                        values.append(lit)
                cond = "True" if not names else (
                    f"{names[0]} == {values[0]}" if len(names) == 1 else
                    f"({', '.join(names)}) == ({', '.join(values)})")
                out.append(f"{indent}if {cond}:")
                out.append(f"{indent}    raise {kind}({describe(fp)!r})")
            if delay:
                out.append(f"{indent}time.sleep(_rng.random() * {delay})")
            continue
        out.append(line)
    return "\n".join(out)


def render(decls, sfx, method, args, plan, mode, delay, expected=None, actual=None, note="",
           ignore_context=False):
    """The standalone repro file's text."""
    decls = [_Rename(sfx).visit(copy.deepcopy(d)) for d in decls]
    used = set()
    for node in decls:
        if getattr(node, "name", "").startswith(("_reset", "_state")) or isinstance(node, ast.Assign):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                used.add(sub.id)
    keep = []
    for node in decls:
        name = getattr(node, "name", None)
        if isinstance(node, ast.Assign):
            name = node.targets[0].id
        if name in ("G", "REG", "EV", "K") and name not in used:
            continue
        if name and name.startswith(("_reset", "_state")):
            continue
        if isinstance(node, ast.FunctionDef) or isinstance(node, ast.ClassDef):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "desync":
                    sub.keywords = [k for k in sub.keywords if k.arg != "executor"]
                    for keyword in sub.keywords:   # (a cache run: the default cache)
                        if keyword.arg == "cache" and isinstance(keyword.value, ast.Name):
                            keyword.value = ast.Constant(keyword.value.id == "CACHE" and
                                                         os.environ.get("FZ_CACHE") == "1")
                    if mode == "one-worker":
                        sub.keywords.append(ast.keyword(arg="executor", value=ast.Name(id="ONE", ctx=ast.Load())))
        keep.append(node)
    helpers = []
    wanted = [n for n in prelude.DEFS if n in used]
    for n in list(wanted):
        wanted += [d for d in prelude.DEPENDS.get(n, ()) if d not in wanted]
    if method:
        wanted.append("Base")
    for name in prelude.DEFS:
        if name not in wanted:
            continue
        if name in prelude.CALLEES:
            helpers.append(_callee_source(name, plan, delay))
        else:
            helpers.append(prelude.DEFS[name])
    if any("_hit(" in text for text in helpers):   # (a class's probe: a no-op here)
        helpers.insert(0, "def _hit(*_args, **_kwargs):\n    return None\n")
    text_helpers = "\n\n\n".join(helpers)
    body_text = text_helpers + ast.unparse(ast.fix_missing_locations(ast.Module(body=keep, type_ignores=[])))
    modules = [m for m in ("contextlib", "io", "logging", "os", "random", "sys", "threading",
                           "time")
               if re.search(rf"\b{m}\.", body_text) or (m in ("random", "time") and delay)]
    uses_log = "LOG" in used or re.search(r"\bLOG\b", text_helpers) is not None  # (note())
    if uses_log:
        modules.append("logging")
    header = "from desync import desync\n" + "".join(f"import {m}\n" for m in sorted(set(modules)))
    parts = [header]
    if mode == "one-worker":
        parts.append("from tests.fuzz.rt import OneWorker\nONE = OneWorker()  # one worker, not a ThreadPoolExecutor\n")
    if delay:
        parts.append("_rng = random.Random()\n")
    if re.search(r"\b(Rec|span|quiet|LOG|_emit)\b", body_text) or "logging" in used:
        parts.append(TRACE_HEADER)
    if uses_log or "logging" in used:
        parts.append(LOG_HEADER)
    if "FzError" in used or "quiet" in used or "FzError" in str(plan):
        parts.append(FZERROR)
    if text_helpers:
        parts.append(text_helpers + "\n")
    module = ast.Module(body=keep, type_ignores=[])
    parts.append(ast.unparse(ast.fix_missing_locations(module)) + "\n")
    parts.append(f"ARGS = {tuple(args)!r}\n")
    footer = [f"# mode: {mode}" + (" (call under desync.sequential())" if mode == "sequential" else "")
              + (f"; callee delays up to {delay * 1000:.1f} ms" if delay else "")]
    if note:
        footer.append(f"# {note}")
    if expected:
        footer.append("# plain:  " + expected.replace("\n", "\n#         "))
    if actual:
        footer.append("# desync: " + actual.replace("\n", "\n#         "))
    footer.append("# run: python -m tests.fuzz.repro THIS_FILE --times 10"
                  + (" --ignore-context" if ignore_context else ""))
    parts.append("\n".join(footer) + "\n")
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts)


# -- running a repro file -------------------------------------------------------------------

class _Out:
    def __init__(self, trace):
        self.trace = trace

    def write(self, text):
        self.trace.append(("out", text))
        return len(text)

    def flush(self):
        pass


def _load(text, plain):
    if plain:
        text = text.replace("from desync import desync", prelude.PLAIN_LINE, 1)
    directory = tempfile.mkdtemp(prefix="fz-repro-")
    atexit.register(shutil.rmtree, directory, True)
    name = f"fz_repro_{'plain' if plain else 'ds'}"
    path = os.path.join(directory, name + ".py")
    with open(path, "w") as handle:
        handle.write(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _load_built(text):
    """The desync variant as ``python -m desync build`` writes it (mode: built)."""
    from .harness import build_project
    directory = tempfile.mkdtemp(prefix="fz-repro-built-")
    atexit.register(shutil.rmtree, directory, True)
    name = "fz_repro_ds"
    _, path = build_project(directory, name, text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _reset_state(module):
    """Module-level state back to what the file sets (each run starts afresh)."""
    initial = module.__dict__.setdefault("_fz_initial", {
        name: copy.deepcopy(getattr(module, name)) for name in ("G", "REG", "EV") if hasattr(module, name)})
    for name, value in initial.items():
        setattr(module, name, copy.deepcopy(value))
    if hasattr(module, "K"):
        module.K.items = []
        module.K.count = 0


def describe_outcome(module, sequential=False, ignore_context=False):
    import random
    _reset_state(module)

    import desync as desync_pkg

    from .harness import snap, snap_exc
    random.seed(12345)
    args = copy.deepcopy(module.ARGS)
    obj = module.P() if hasattr(module, "P") else None
    fn = obj.run if obj is not None else module.p
    if not hasattr(module, "TRACE"):
        module.TRACE = []
    module.TRACE.clear()
    result = error = None
    with contextlib.redirect_stdout(_Out(module.TRACE)):
        try:
            if sequential:
                with desync_pkg.sequential():
                    result = fn(*args)
            else:
                result = fn(*args)
        except BaseException as exc:  # noqa: BLE001
            error = exc
    lines = []
    if error is None:
        lines.append(f"returns {result!r}")
    else:
        lines.append(f"raises  {_chain(error, ignore_context=ignore_context)}")
    lines.append(f"effects {module.TRACE!r}")
    lines.append(f"args    {args[2]!r} {args[4]!r}" + (f"  self {vars(obj)!r}" if obj is not None else ""))
    state = {n: getattr(module, n) for n in ("G", "REG", "EV") if hasattr(module, n)}
    if hasattr(module, "K"):
        state.update({"K.items": module.K.items, "K.count": module.K.count})
    if state:
        lines.append(f"state   {state!r}")
    del snap, snap_exc
    from .harness import MODULE_NAME
    return MODULE_NAME.sub("", "\n".join(lines))


def _chain(error, depth=0, ignore_context=False):
    text = f"{type(error).__name__}({str(error)!r})"
    if error.__suppress_context__ and error.__context__ is None and not ignore_context:
        text += " [__suppress_context__ = True]"
    if depth < 4:
        if error.__cause__ is not None:
            text += f" from {_chain(error.__cause__, depth + 1, ignore_context)}"
        elif error.__context__ is not None and not ignore_context:
            text += (" [context, suppressed: " if error.__suppress_context__ else " [context: ") + \
                _chain(error.__context__, depth + 1) + "]"
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.repro")
    parser.add_argument("file")
    parser.add_argument("--times", type=int, default=1, help="run desync this many times")
    parser.add_argument("--ignore-context", action="store_true",
                        help="leave __context__/__suppress_context__ out of the comparison")
    args = parser.parse_args(argv)
    with open(args.file) as handle:
        text = handle.read()
    logging.getLogger("fz").handlers[:] = []
    sequential = "# mode: sequential" in text
    plain = describe_outcome(_load(text, True), ignore_context=args.ignore_context)
    print("plain:\n  " + plain.replace("\n", "\n  "))
    ds = _load_built(text) if "# mode: built" in text else _load(text, False)
    seen = {}
    for _ in range(args.times):
        outcome = describe_outcome(ds, sequential, args.ignore_context)
        seen[outcome] = seen.get(outcome, 0) + 1
    for outcome, count in seen.items():
        print(f"desync ({count}/{args.times}){' same' if outcome == plain else ''}:\n  " + outcome.replace("\n", "\n  "))
    return 0 if set(seen) == {plain} else 1


if __name__ == "__main__":
    sys.exit(main())
