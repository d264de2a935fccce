"""Step 1: source text -> AST, and finding the functions marked ``@desync``."""
from __future__ import annotations

import ast
import gc
from collections import deque

from ..errors import DesyncError

NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def parse_source(source: str, filename: str) -> ast.Module:
    try:
        return ast.parse(source, filename=filename, type_comments=False)
    except SyntaxError as error:
        raise DesyncError(f"syntax error: {error.msg}", filename, error.lineno,
                          "syntax") from error


class GCPaused:
    """No garbage collection inside: a transpile makes hundreds of thousands of AST
    nodes, none of them garbage until it ends, and each collection would walk them all
    again (a third of the time of a long body). Re-entrant; leaves a collector the
    program turned off alone."""

    __slots__ = ("resume",)

    def __enter__(self):
        self.resume = gc.isenabled()
        if self.resume:
            gc.disable()
        return self

    def __exit__(self, *exc):
        if self.resume:
            gc.enable()
        return False


def child_nodes(node) -> list:
    """``ast.iter_child_nodes`` as a list, without its two generators: the compiler
    walks every node of a long body several times."""
    found = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, _AST):
                    found.append(item)
        elif isinstance(value, _AST):
            found.append(value)
    return found


def walk_tree(node):
    """``ast.walk``, in the same order, with ``child_nodes``."""
    todo = deque([node])
    while todo:
        node = todo.popleft()
        todo.extend(child_nodes(node))
        yield node


_AST = ast.AST


def copy_tree(node):
    """A deep copy of an AST, several times faster than ``copy.deepcopy`` (no memo:
    a tree shares no nodes). Strings, numbers and contexts are shared."""
    kind = type(node)
    new = kind.__new__(kind)
    fields = new.__dict__
    for key, value in node.__dict__.items():
        if isinstance(value, ast.AST):
            if not isinstance(value, ast.expr_context):
                value = copy_tree(value)
        elif type(value) is list:
            value = [copy_tree(v) if isinstance(v, ast.AST) else v for v in value]
        fields[key] = value
    return new


class DesyncNames:
    """How this module spells the decorator: ``desync``, ``dz`` or ``desync.desync``."""

    def __init__(self, tree: ast.Module):
        self.bare: set[str] = set()
        self.modules: set[str] = set()
        for node in walk_tree(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "desync" and node.level == 0:
                for alias in node.names:
                    if alias.name == "desync":
                        self.bare.add(alias.asname or "desync")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "desync":
                        self.modules.add(alias.asname or "desync")

    def is_desync(self, decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            return target.id in self.bare
        return (isinstance(target, ast.Attribute) and target.attr == "desync"
                and isinstance(target.value, ast.Name) and target.value.id in self.modules)

    def decorator_of(self, fn: ast.AST) -> ast.expr | None:
        for decorator in getattr(fn, "decorator_list", ()):
            if self.is_desync(decorator):
                return decorator
        return None


def desync_functions(tree: ast.AST, names: DesyncNames):
    """Yield (function node, qualified name, enclosing class name) for each desync function,
    outermost first; nested desync functions are reached through their parents."""
    def visit(body, prefix, class_name):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + node.name
                if names.decorator_of(node) is not None:
                    yield node, qualname, class_name
                else:
                    yield from visit(node.body, qualname + ".<locals>.", class_name)
            elif isinstance(node, ast.ClassDef):
                yield from visit(node.body, prefix + node.name + ".", node.name)
            else:
                for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        yield from visit([n for n in inner if isinstance(n, ast.AST)],
                                         prefix, class_name)
                if isinstance(node, (ast.ExceptHandler, ast.match_case)):
                    yield from visit(node.body, prefix, class_name)
    yield from visit(tree.body, "", None)


_REFUSED = {
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
    ast.Await: "await",
    ast.AsyncFor: "async for",
    ast.AsyncWith: "async with",
}
if hasattr(ast, "TryStar"):
    _REFUSED[ast.TryStar] = "try/except*"


def check_supported(fn: ast.AST, filename: str) -> None:
    """Refuse, by file, line and construct, what desync cannot transpile faithfully."""
    if isinstance(fn, ast.AsyncFunctionDef):
        raise DesyncError(f"@desync cannot be used on 'async def {fn.name}': coroutines "
                          "already run concurrently with asyncio", filename, fn.lineno,
                          "async def")

    def walk(node):
        for child in child_nodes(node):
            kind = _REFUSED.get(type(child))
            if kind is not None:
                raise DesyncError(f"'{kind}' is not supported in the body of @desync function "
                                  f"'{fn.name}'", filename, child.lineno, kind)
            if isinstance(child, NESTED_SCOPES):
                # Nested scopes are not transpiled, but their defaults and decorators run here.
                for part in _evaluated_here(child):
                    walk_expr(part)
                continue
            walk(child)

    def walk_expr(node):
        kind = _REFUSED.get(type(node))
        if kind is not None:
            raise DesyncError(f"'{kind}' is not supported in the body of @desync function "
                              f"'{fn.name}'", filename, node.lineno, kind)
        walk(node)

    walk(fn)


def _evaluated_here(scope: ast.AST):
    if isinstance(scope, ast.Lambda):
        return [*scope.args.defaults, *(d for d in scope.args.kw_defaults if d)]
    parts = list(getattr(scope, "decorator_list", []))
    if isinstance(scope, ast.ClassDef):
        parts += scope.bases + [k.value for k in scope.keywords]
    else:
        parts += scope.args.defaults + [d for d in scope.args.kw_defaults if d]
    return parts


def literal_options(decorator: ast.expr, filename: str) -> dict:
    """Options that change the generated code must be literals (``pure=("get",)``)."""
    options = {}
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "pure":
                try:
                    value = ast.literal_eval(keyword.value)
                except ValueError:
                    raise DesyncError("@desync(pure=...) must be a literal list of method names",
                                      filename, keyword.value.lineno, "pure=") from None
                if isinstance(value, str):
                    value = (value,)
                options["pure"] = frozenset(value)
    return options


# -- private names --------------------------------------------------------------------
def enclosing_classes(tree: ast.AST) -> dict:
    """{(line, column) of each function: the class whose body it is in, directly or
    through other functions} -- the class Python mangles ``__names`` with there."""
    found: dict = {}

    def visit(node, class_name):
        for child in child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, child.name)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if class_name is not None and not isinstance(child, ast.Lambda):
                    found[(child.lineno, child.col_offset)] = class_name
                visit(child, class_name)
            else:
                visit(child, class_name)
    visit(tree, None)
    return found


def mangled(name: str, class_name: str) -> str:
    """``__name`` as Python spells it inside ``class_name`` (``_Class__name``)."""
    if not name.startswith("__") or name.endswith("__") or "." in name:
        return name
    owner = class_name.lstrip("_")
    return f"_{owner}{name}" if owner else name


def mangle_private_attributes(fn: ast.AST, class_name: str) -> None:
    """Spell ``obj.__name`` as Python does inside the class, in place: the transpiler
    turns attribute names into strings (``getattr(obj, "...")``), which Python never
    mangles. Identical meaning: ``_Class__name`` is not mangled again."""
    def visit(node, owner):
        for child in child_nodes(node):
            if isinstance(child, ast.ClassDef):
                for part in (*child.bases, *child.keywords, *child.decorator_list):
                    visit_one(part, owner)
                for statement in child.body:
                    visit_one(statement, child.name)
                continue
            visit_one(child, owner)

    def visit_one(node, owner):
        if isinstance(node, ast.Attribute):
            node.attr = mangled(node.attr, owner)
        visit(node, owner)

    visit(fn, class_name)


_STEPS = (ast.Call, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)


def _has_steps(node) -> bool:
    return any(isinstance(sub, _STEPS) for sub in walk_tree(node))


class _ChainSplitter(ast.NodeTransformer):
    """``a < b < f(x)`` as ``a < b and b < f(x)``: Python evaluates a later operand
    only if the comparisons before it hold, and desync lowers ``and`` with exactly
    that rule (a step on its right is made only if it is reached). A middle operand
    that is more than a name or a constant is computed once, into a temporary
    (``a < (t := g()) and t < f(x)``), anywhere an assignment expression may go:
    everywhere but a comprehension's iterables, where such a chain is left as is."""

    def __init__(self, namer):
        self.namer = namer
        self.scoped = 0   # inside a comprehension's iterable: no temporaries

    def _comprehension(self, node):
        for generator in node.generators:
            self.scoped += 1
            try:
                generator.iter = self.visit(generator.iter)
            finally:
                self.scoped -= 1
            generator.ifs = [self.visit(test) for test in generator.ifs]
        for field in ("elt", "key", "value"):
            if getattr(node, field, None) is not None:
                setattr(node, field, self.visit(getattr(node, field)))
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_arguments(self, node):
        # A lambda's defaults: a temporary there would belong to the body's scope,
        # which the analysis does not look for inside a lambda.
        self.scoped += 1
        try:
            return self.generic_visit(node)
        finally:
            self.scoped -= 1

    def visit_FunctionDef(self, node):
        return node   # a nested def runs as plain Python: its chains are Python's

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) < 2 or not any(_has_steps(c) for c in node.comparators[1:]):
            return node
        middles = node.comparators[:-1]
        simple = all(isinstance(m, ast.Constant) or (isinstance(m, ast.Name) and not any(
            isinstance(sub, ast.NamedExpr) for sub in walk_tree(node))) for m in middles)
        if not simple and self.scoped:
            return node
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            if right is not node.comparators[-1] and not (
                    isinstance(right, ast.Constant) or (simple and isinstance(right, ast.Name))):
                temp = self.namer.free("_cmp")
                self.namer.chain_temps.add(temp)
                value = ast.NamedExpr(target=ast.Name(id=temp, ctx=ast.Store()), value=right)
                ast.copy_location(value, right)
                ast.copy_location(value.target, right)
                parts.append(ast.copy_location(
                    ast.Compare(left=left, ops=[op], comparators=[value]), node))
                left = ast.copy_location(ast.Name(id=temp, ctx=ast.Load()), right)
                continue
            parts.append(ast.copy_location(ast.Compare(left=left, ops=[op],
                                                       comparators=[right]), node))
            left = right if not isinstance(right, ast.Name) else ast.copy_location(
                ast.Name(id=right.id, ctx=ast.Load()), right)
        return ast.copy_location(ast.BoolOp(op=ast.And(), values=parts), node)


def split_chained_comparisons(fn, namer) -> None:
    """Rewrite, in place, the chained comparisons of ``fn``'s body whose later
    operands have calls (see ``_ChainSplitter``)."""
    splitter = _ChainSplitter(namer)
    fn.body = [splitter.visit(statement) for statement in fn.body]


def fold_loop_continues(fn) -> None:
    """Rewrite, in place, ``for`` bodies whose statement ends a branch with
    ``continue`` (``if page is None: continue``, ``try: ... except E: log(e);
    continue``): the rest of the body moves under the ``if``'s ``else`` (the
    ``try``'s ``else``), which is where Python runs it, and the ``continue`` becomes a
    ``pass`` on its line (tracers and coverage still see that line run). No jump is
    left in the statement, so a loop over calls need not wait there
    (``Lowerer.try_region``). Nested functions and classes are left alone."""
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.For):
            node.body = _fold_continues(node.body)
        stack.extend(child for child in child_nodes(node) if isinstance(child, ast.stmt))


_FOLDS = 16   # per loop body: each nests the rest once more (the compiler's depth)


def _fold_continues(statements, folds=_FOLDS) -> list:
    for index, statement in enumerate(statements):
        rest = statements[index + 1:]
        if not rest or folds == 0:
            break
        if isinstance(statement, ast.If) and not statement.orelse \
                and _ends_in_continue(statement.body):
            statement.body[-1] = _pass_at(statement.body[-1])
            statement.orelse = _fold_continues(rest, folds - 1)
            return statements[:index + 1]
        if isinstance(statement, ast.Try) and statement.handlers and not statement.finalbody \
                and all(_ends_in_continue(h.body) for h in statement.handlers):
            for handler in statement.handlers:
                handler.body[-1] = _pass_at(handler.body[-1])
            statement.orelse = statement.orelse + _fold_continues(rest, folds - 1)
            return statements[:index + 1]
    return statements


def _ends_in_continue(body) -> bool:
    return bool(body) and isinstance(body[-1], ast.Continue)


def _pass_at(node):
    return ast.copy_location(ast.Pass(), node)
