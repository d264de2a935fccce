"""Step 4: the lowered AST -> readable source or code objects.

Source text comes from ``unparse`` (``ast.unparse`` pinned to one behaviour on
every supported Python, so built code is the same bytes whichever version builds
it, and parses on the oldest).

Code objects are compiled from the AST, not from the unparsed text, so every
statement keeps the user's file and line: tracebacks point at the user's code.
"""
from __future__ import annotations

import ast
import copy
import types

from ..runtime.qualnames import requalified
from .lower import RUNTIME
from .parse import GCPaused, walk_tree
from .unparse import unparse

RUNTIME_IMPORT = f"import desync.runtime as {RUNTIME}"


def source_of(node: ast.AST, source_lines=None) -> str:
    return unparse(node, source_lines)


def source_preserving_lines(original_source: str, transpiled: ast.Module) -> str | None:
    """The transpiled module as the original text with only the changed statements
    replaced, each on its source line where possible (see ``lines``); None when the
    layout cannot be trusted."""
    from .lines import source_preserving_lines as write
    return write(original_source, transpiled)


def built_source(original_source: str, transpiled: ast.Module) -> str:
    """What the build writes: the line-preserving text, else (never expected) the
    plain unparsed module, with a comment saying line numbers moved."""
    text = source_preserving_lines(original_source, transpiled)
    if text is not None:
        return text
    return ("# desync: line numbers of this module differ from its source\n"
            + source_of(transpiled, original_source.splitlines()) + "\n")


def add_runtime_import(tree: ast.Module) -> ast.Module:
    """Insert the runtime import after the docstring and ``from __future__`` imports."""
    position = 0
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        position = 1
    while position < len(body) and isinstance(body[position], ast.ImportFrom) \
            and body[position].module == "__future__":
        position += 1
    statement = ast.parse(RUNTIME_IMPORT).body[0]
    anchor = body[position] if position < len(body) else (body[-1] if body else None)
    line = getattr(anchor, "lineno", 1)
    for node in walk_tree(statement):
        if isinstance(node, (ast.stmt, ast.expr, ast.alias)):
            node.lineno = node.end_lineno = line
            node.col_offset = node.end_col_offset = 0
    body.insert(position, statement)
    return tree


def compile_function(fn: ast.FunctionDef, filename: str, freevars: tuple,
                     class_name: str | None, qualname: str | None = None) -> types.CodeType:
    """Compile one transpiled function so it can share the original's closure cells.

    The function is wrapped in a factory whose parameters are the original's free
    variables (``__class__`` included, for ``super()``), inside a class of the
    same name when it is a method, so private-name mangling matches. ``qualname``:
    the original's, for the code (what its frames show: ``K.meth``, not ``meth``).
    """
    fn = copy.copy(fn)
    if getattr(fn, "type_params", None):
        # ``def first[T](...)`` (3.12): compiled plain, the function's code is not in
        # an annotation scope of its own; a ``T`` its body reads is a free variable
        # like any other, bound to the original's cell.
        fn.type_params = []
    # (A stand-in for the decorators, never evaluated: the factory never runs. The
    # code then starts at the first decorator's line, as the original's does, which
    # ``inspect.getsource`` of a frame reads.)
    fn.decorator_list = [ast.copy_location(ast.Name("__desync_first_line__", ast.Load()),
                                           fn.decorator_list[0])] if fn.decorator_list else []
    line = fn.lineno
    params = ast.arguments(posonlyargs=[], args=[ast.arg(name) for name in freevars],
                           vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    # The factory is never run; declaring the name global keeps a recursive call a
    # global lookup (as in the original) instead of a free variable of the factory.
    head = [] if fn.name in freevars else [ast.Global(names=[fn.name])]
    factory = ast.FunctionDef(name="__desync_factory__", args=params,
                              body=head + [fn, ast.Return(ast.Name(fn.name, ast.Load()))],
                              decorator_list=[], returns=None, type_comment=None)
    if hasattr(ast.FunctionDef, "type_params") or "type_params" in ast.FunctionDef._fields:
        factory.type_params = []
    outer: ast.stmt = factory
    if class_name is not None:
        outer = ast.ClassDef(name=class_name, bases=[], keywords=[], body=[factory],
                             decorator_list=[])
        if "type_params" in ast.ClassDef._fields:
            outer.type_params = []
    # The runtime import is never executed here; it makes the compiler treat
    # __desync_rt__ as it does in a transpiled module, so the bytecode is identical.
    runtime_import = ast.parse(RUNTIME_IMPORT).body[0]
    module = ast.Module(body=[runtime_import, outer], type_ignores=[])
    for node in walk_tree(runtime_import):
        if "lineno" in node._attributes:
            node.lineno = node.end_lineno = line
            node.col_offset = node.end_col_offset = 0
    with GCPaused():
        _locate(outer, line)
        code = compile(module, filename, "exec", dont_inherit=True)
    found = _find_code(code, fn.name, depth=3 if class_name else 2)
    if found is None:  # pragma: no cover - would be a bug in the factory layout
        raise RuntimeError(f"desync: compiled code for {fn.name} not found")
    if qualname is not None and hasattr(found, "co_qualname"):   # (3.11+)
        found = found.replace(co_qualname=qualname)
    if qualname is not None and qualname != fn.name:
        # What it makes is named under the original's qualified name (``K.meth.<locals>.
        # <lambda>``), not the factory's ``meth.<locals>.<lambda>``.
        found = found.replace(co_consts=requalified(found.co_consts, fn.name + ".<locals>.",
                                                    qualname + ".<locals>."))
    return found


_LOCATED_AT_THE_LINE = (ast.stmt, ast.expr, ast.arg, ast.arguments)


def _locate(root, line):
    """Positions for the nodes desync made: a statement, expression or argument
    without one is at ``line`` (the function's first); any other node takes its
    parent's, as ``ast.fix_missing_locations`` gives (one walk instead of two: a
    long body's generated code is large)."""
    AST = ast.AST
    stack = [(root, 1, 0, 1, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, lineno, col, end_lineno, end_col = pop()
        attributes = node._attributes
        if "lineno" in attributes:
            if isinstance(node, _LOCATED_AT_THE_LINE) and getattr(node, "lineno", None) is None:
                node.lineno = node.end_lineno = line
                node.col_offset = node.end_col_offset = 0
            if not hasattr(node, "lineno"):
                node.lineno = lineno
            else:
                lineno = node.lineno
            if getattr(node, "end_lineno", None) is None:
                node.end_lineno = end_lineno
            else:
                end_lineno = node.end_lineno
            if not hasattr(node, "col_offset"):
                node.col_offset = col
            else:
                col = node.col_offset
            if getattr(node, "end_col_offset", None) is None:
                node.end_col_offset = end_col
            else:
                end_col = node.end_col_offset
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        push((item, lineno, col, end_lineno, end_col))
            elif isinstance(value, AST):
                push((value, lineno, col, end_lineno, end_col))


def _find_code(code, name, depth):
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name and depth <= 1:
                return const
            if depth > 1:
                found = _find_code(const, name, depth - 1)
                if found is not None:
                    return found
    return None
