"""``desync explain``: for each statement of a desync body, what runs together,
what waits, and why, in words (no need to read the transpiled code).

The account comes from the lowering itself: every decision it takes records a
note on the source line it stands for, so the explanation cannot drift from what
the generated code does.
"""
from __future__ import annotations

import ast
import os
import sys

from . import Module, first_line
from .callees import import_table, static_facts
from .parse import child_nodes

# How each kind of note is shown: a mark and a colour.
_STYLE = {
    "call": ("||", "32"), "ahead": ("||", "32"), "fan-out": ("||", "32"),
    "region": ("||", "32"), "loop": ("~", "36"), "method": ("->", "33"),
    "effect": ("->", "33"), "waits": ("..", "35"), "sync": ("==", "31"),
    "sequential": ("==", "31"), "lazy": ("==", "31"), "cache": ("$", "34"),
}
_OVERLAP = {"call", "ahead", "fan-out", "region"}
_SYNC = {"sync", "sequential", "lazy", "waits"}


def explain_source(source: str, filename: str, function: str | None = None,
                   color: bool = False) -> str:
    """The account of every desync function in ``source`` (or of one)."""
    module = Module(source, filename)
    found = module.select(function)
    if not found:
        # (silence would read as "nothing waits"; say why there is nothing to explain)
        raise LookupError(f"no @desync functions in {filename}: decorate one with @desync "
                          "(or name a function: FILE:FUNCTION)")
    lines = source.splitlines()
    out = []
    for node, qualname, _ in found:
        transpiled = module.transpile_def(node)
        notes = getattr(transpiled, "_desync_notes", [])
        notes += _cache_notes(module, node)
        out.append(_render(qualname, filename, node, lines, notes, color))
    return "\n".join(out)


def _render(qualname, filename, node, lines, notes, color) -> str:
    def paint(code, text):
        return f"\033[{code}m{text}\033[0m" if color else text

    by_line: dict[int, list] = {}
    for line, kind, text in notes:
        by_line.setdefault(line, []).append((kind, text))
    header = f"{qualname}  ({os.path.basename(filename)}:{first_line(node)})"
    out = [paint("1", header)]
    overlapping = sum(1 for _, kind, _ in notes if kind in _OVERLAP)
    sync_lines = sorted({line for line, kind, _ in notes if kind in _SYNC})
    for line in sorted(by_line):
        source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        out.append(f"  {paint('2', f'{line:>4}')}  {source}")
        for kind, text in by_line[line]:
            mark, code = _STYLE.get(kind, ("  ", "0"))
            out.append(f"        {paint(code, mark)} {text}")
    summary = (f"  {overlapping} call site(s) can overlap; "
               + (f"sync points on line(s) {', '.join(map(str, sync_lines))}"
                  if sync_lines else "no sync points"))
    out.append(paint("1", summary))
    out.append("  legend: || runs together   -> in program order   .. waits   "
               "== runs as written   $ cache")
    return "\n".join(out) + "\n"


def _cache_notes(module, fn) -> list:
    """Per call, whether the call cache may answer it, from what desync can tell
    statically (the table of library functions, and the body's own helpers)."""
    notes = []
    imports = import_table(module.tree)
    for call in _calls_in(fn):
        decision = _cache_decision(call.func, imports, module)
        if decision is not None:
            notes.append((call.lineno, "cache", decision))
    return notes


def _calls_in(fn):
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(child_nodes(node))


def _cache_decision(func, imports, module) -> str | None:
    name = ast.unparse(func)
    import builtins
    if isinstance(func, ast.Name) and func.id not in imports \
            and (func.id in module.module_names or not hasattr(builtins, func.id)):
        facts = _inferred(module, func.id)
        if facts is None:
            return f"`{name}(...)` may be answered by the cache (pure by your promise)"
    else:
        facts = static_facts(func, imports, module.module_names)
        if facts is None and isinstance(func, ast.Name) and func.id in imports:
            return f"`{name}(...)` may be answered by the cache (pure by your promise)"
    if facts is None:
        return None
    if facts.cacheable:
        return f"`{name}(...)` may be answered by the cache"
    return f"`{name}(...)` is not cached: it {facts.reason}"


def _inferred(module, name):
    """The source inference of a helper of this module, when it is available."""
    try:
        from ..hashing import effects as inference
    except ImportError:
        return None
    infer = getattr(inference, "infer_source", None)
    if infer is None:
        return None
    try:
        return infer(module.source, module.filename, name)
    except Exception:
        return None


def use_color(stream) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and \
        os.environ.get("TERM") != "dumb" and sys.platform != "win32"
