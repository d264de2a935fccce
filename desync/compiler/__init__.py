"""The compiler: source -> parse -> analyse -> lower -> emit -> generated code.

May import the standard library, ``desync.errors``, ``desync.literals``, the runtime's
table of what library functions do (``desync.runtime.effects``) and itself; never the
toolchain (generated code names the runtime only as ``__desync_rt__``).

One entry point per way in, all built on ``Module.transpile_def``, so the
decorator, the import hook and the build produce the same code for the same source
(the decorator's begins with the check that lets a paced call run the original).
"""
from __future__ import annotations

import ast

from ..errors import DesyncError
from .analyse import (analyse, fresh_returning, imported_anywhere, module_aliases,
                      module_imports, module_level_names, module_objects,
                      rebound_or_changed)
from .callees import import_table
from .emit import add_runtime_import, source_of
from .lower import Namer, lower_function
from .parse import (DesyncNames, GCPaused, check_supported, child_nodes, copy_tree,
                    fold_loop_continues,
                    desync_functions, enclosing_classes, literal_options,
                    mangle_private_attributes, parse_source, split_chained_comparisons)

__all__ = ["Module", "transpile_source", "DesyncError"]


class Module:
    """A parsed module and what is needed to transpile the desync functions in it."""

    def __init__(self, source: str, filename: str):
        with GCPaused():
            try:
                self._read(source, filename)
            except RecursionError:
                raise _too_deep(_deepest(self.tree), filename) from None

    def _read(self, source, filename):
        self.source = source
        self.filename = filename
        self.tree = parse_source(source, filename)
        self.names = DesyncNames(self.tree)
        self.module_names = module_level_names(self.tree)
        self.module_objects = module_objects(self.tree)
        self.module_imports = module_imports(self.tree)
        self.import_table = import_table(self.tree)
        self.namer = Namer(self.tree)
        self.classes = enclosing_classes(self.tree)
        # Module globals a function rebinds (``global LEVEL``) or that code changes in
        # place (``REG.append(v)``, ``CFG["n"] += 1``): a body's read of one waits for
        # the calls before it that change module state.
        self.rebound_globals = rebound_or_changed(self.tree, self.module_objects)
        # Names any module-level import binds (in a ``try`` or an ``if`` too; "*" for
        # ``import *``): a body's read of one may be another module's state.
        self.imported_names = imported_anywhere(self.tree)
        self.module_aliases = module_aliases(self.tree, self.imported_names)
        # Functions of the module that never hand out module state (see
        # Lowerer.returned_locals)
        self.fresh_returning = fresh_returning(self.tree)

    def functions(self):
        """(node, qualname, class name) of each outermost desync function."""
        return list(desync_functions(self.tree, self.names))

    def all_desync_qualnames(self) -> list[str]:
        """Qualified names of every desync function, nested ones included, in order."""
        return [qualname for node, qualname, _ in _all_functions(self.tree)
                if self.names.decorator_of(node) is not None]

    def transpile_def(self, fn: ast.FunctionDef, fresh: bool = False,
                      plain: bool = False) -> ast.FunctionDef:
        """The transpiled function; ``fresh``: ``fn`` belongs to a throwaway tree;
        ``plain``: the decorator's form, which a paced call may leave for the original
        function (``lower_function``)."""
        with GCPaused():
            try:
                return self._transpile_def(fn, fresh, plain)
            except RecursionError:
                raise _too_deep(fn, self.filename) from None

    def _transpile_def(self, fn, fresh, plain):
        if not fresh:
            fn = copy_tree(fn)  # self.tree is shared: never rewrite it in place
        check_supported(fn, self.filename)
        class_name = self.classes.get((fn.lineno, fn.col_offset))
        if class_name is not None:
            mangle_private_attributes(fn, class_name)
        split_chained_comparisons(fn, self.namer)
        fold_loop_continues(fn)
        decorator = self.names.decorator_of(fn)
        options = literal_options(decorator, self.filename) if decorator is not None else {}
        facts = analyse(fn, self.module_names, options.get("pure", frozenset()),
                        self.module_objects, self.module_imports, self.import_table)
        facts.rebound_globals = self.rebound_globals
        facts.imported_names = self.imported_names
        facts.module_aliases = self.module_aliases
        facts.fresh_returning = self.fresh_returning
        return lower_function(fn, facts, self.namer, self.filename, self._nested,
                              self.module_imports, plain, class_name)

    def _nested(self, node):
        # node sits inside a function that is already a private copy: no copy needed.
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and self.names.decorator_of(node) is not None:
            return self.transpile_def(node, fresh=True)
        return _NestedRewriter(self, fresh=True).visit(node)

    def transpile(self) -> ast.Module:
        """The whole module with every desync function transpiled."""
        # Parsing again is several times cheaper than deep-copying self.tree; the
        # rewritten functions get their locations in lower_function, the runtime
        # import in add_runtime_import.
        with GCPaused():
            tree = parse_source(self.source, self.filename)
            try:
                tree = _NestedRewriter(self, fresh=True).visit(tree)
            except RecursionError:
                raise _too_deep(None, self.filename) from None
            return add_runtime_import(tree)

    def select(self, function: str | None = None) -> list:
        """(node, qualname, class name) of every desync function, or of ``function``
        only; LookupError naming the desync functions when it is not there."""
        found = self.functions()
        if function is None:
            return found
        hit = self.find(function)
        if hit is None:
            known = ", ".join(q for _, q, _ in found) or "none"
            raise LookupError(f"no function {function!r} in {self.filename} "
                              f"(desync functions: {known})")
        return [hit]

    def find(self, name: str, firstlineno: int | None = None):
        """The desync (or any) function called ``name`` (a qualname or a plain name)."""
        for node, qualname, class_name in self.functions():
            if qualname == name or (firstlineno is not None and node.name == name
                                    and _first_line(node) == firstlineno):
                return node, qualname, class_name
        for node, qualname, class_name in _all_functions(self.tree):
            if qualname == name or (firstlineno is not None and node.name == name
                                    and _first_line(node) == firstlineno):
                return node, qualname, class_name
        return None


class _NestedRewriter(ast.NodeTransformer):
    def __init__(self, module: Module, fresh: bool = False):
        self.module = module
        self.fresh = fresh

    def visit_FunctionDef(self, node):
        if self.module.names.decorator_of(node) is not None:
            return self.module.transpile_def(node, fresh=self.fresh)
        self.generic_visit(node)
        return node

    def visit_AsyncFunctionDef(self, node):
        if self.module.names.decorator_of(node) is not None:
            check_supported(node, self.module.filename)  # raises: async def is refused
        self.generic_visit(node)
        return node


def _first_line(node) -> int:
    return min([d.lineno for d in node.decorator_list] + [node.lineno])


def _all_functions(tree):
    def visit(body, prefix, class_name):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node, prefix + node.name, class_name
                yield from visit(node.body, prefix + node.name + ".<locals>.", class_name)
            elif isinstance(node, ast.ClassDef):
                yield from visit(node.body, prefix + node.name + ".", node.name)
            else:
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        yield from visit(inner, prefix, class_name)
                # (``except ...:`` and ``case ...:`` blocks hold statements too)
                for clause in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
                    yield from visit(clause.body, prefix, class_name)
    yield from visit(tree.body, "", None)


def transpile_source(source: str, filename: str) -> str:
    """The transpiled module as readable Python source."""
    return source_of(Module(source, filename).transpile())


def first_line(node) -> int:
    return _first_line(node)


def _deepest(tree):
    """The function (or statement) of ``tree`` that nests deepest (no recursion here)."""
    best, best_depth = None, -1
    for top in getattr(tree, "body", ()):
        stack = [(top, 0, top)]
        while stack:
            node, depth, owner = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                owner = node
            if depth > best_depth:
                best, best_depth = owner, depth
            stack.extend((child, depth + 1, owner) for child in child_nodes(node))
    return best


def _too_deep(fn, filename):
    """An expression or block nested too deeply for the transpiler's recursion (a
    sum of many hundred terms): said plainly, where the function is."""
    name = f"'{fn.name}'" if getattr(fn, "name", None) else "a statement"
    return DesyncError(f"{name} holds an expression or block nested too deeply for desync to "
                       "transpile (several hundred levels, such as a sum of that many terms): "
                       "split it into steps, or leave the function without @desync",
                       filename, getattr(fn, "lineno", None), "nesting")
