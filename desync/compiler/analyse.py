"""Step 2: what each name in a desync body is, and which objects its effects touch.

Facts computed once per function, used by the lowering:

- ``locals``, ``params``, ``declared`` (``global``/``nonlocal`` names): Python's
  own scoping rules.
- ``cells``: locals that a nested function, lambda or class reads or writes.
  Those see the variable later, when they run, so desync writes them in program
  order (an effect) and never lets them hold a pending value.
- **Alias classes**: names that may refer to the same object share a class
  (``b = a``, ``a = b = []``, ``x = f(a)``, ``for x in xs``...). Each class has
  *fields* (``self.results``: the object an attribute holds) and *contents*
  (``xs[i]``: what a container holds), which are classes too. A write through
  ``out.append(x)`` is an effect on the class of ``out``; a task that reads
  ``out`` waits for the effects on every class reachable from it (its fields
  and contents), and on nothing else. The analysis is flow-insensitive and
  unification-based (Steensgaard): cheap, and safe for every path.
- ``logged``: names bound inside a ``try`` or ``with`` body and read outside
  it. If a call in the body fails, a handler must see them as they were at that
  call; the runtime logs their bindings to restore them.
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from .parse import child_nodes, walk_tree

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

# Builtins whose result is a fresh value that aliases nothing the body holds.
FRESH_BUILTINS = frozenset({
    "abs", "all", "any", "ascii", "bin", "bool", "callable", "chr", "complex", "divmod",
    "float", "format", "hash", "hex", "id", "int", "isinstance", "issubclass", "len", "oct",
    "ord", "pow", "repr", "round", "str", "bytes", "sum", "type", "hasattr",
})
# Builtins that build a new container of their argument's elements.
CONTAINER_BUILTINS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "dict",
                                "reversed", "enumerate", "zip", "filter", "map", "iter",
                                "min", "max", "next", "bytearray"})
# Builtins whose result reads their arguments later, as it is consumed.
LAZY_BUILTINS = frozenset({"iter", "reversed", "enumerate", "zip", "filter", "map"})
# Builtins that only compute: evaluated in place when their inputs are at hand.
PURE_BUILTINS = FRESH_BUILTINS | frozenset({
    "list", "tuple", "set", "frozenset", "sorted", "dict", "reversed", "enumerate", "zip",
    "min", "max", "range", "slice", "iter", "isinstance", "getattr", "bytearray",
    "memoryview", "object", "super", "filter", "map", "vars",
})
# Builtins that change their first argument.
MUTATING_BUILTINS = frozenset({"next", "setattr", "delattr"})
# Methods that change their object, when handed to a call as a callback.
CHANGING_METHODS = frozenset("""
    append extend insert remove pop clear update setdefault popitem add discard sort
    reverse appendleft extendleft popleft rotate __setitem__ __delitem__ __setattr__
    __delattr__ __iadd__ __ior__
""".split())


def handed_methods(call, pure_methods=frozenset()) -> list:
    """The ``obj.method`` arguments of a call that change ``obj`` when called
    (``collect(rows, out.append)``, ``cb(d.__setitem__, k, v)``)."""
    found = []
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Starred):
            arg = arg.value
        if isinstance(arg, ast.Attribute) and isinstance(arg.ctx, ast.Load) \
                and arg.attr in CHANGING_METHODS and arg.attr not in pure_methods:
            found.append(arg)
    return found


class Aliases:
    """Union-find over object classes, each with fields and contents (Steensgaard)."""

    def __init__(self):
        self.parent: dict[str, str] = {}
        self.fields: dict[str, dict[str, str]] = {}
        self.contents_of: dict[str, str] = {}
        self.counter = 0

    def find(self, node: str) -> str:
        parent = self.parent.setdefault(node, node)
        if parent == node:
            return node
        root = self.find(parent)
        self.parent[node] = root
        return root

    def fresh(self, hint: str = "v") -> str:
        self.counter += 1
        return f"<{hint}{self.counter}>"

    def union(self, a: str | None, b: str | None) -> str | None:
        if a is None or b is None:
            return a or b
        pending = [(a, b)]
        while pending:
            x, y = pending.pop()
            rx, ry = self.find(x), self.find(y)
            if rx == ry:
                continue
            # Keep the more readable name (a user's name over a generated one).
            keep, drop = (rx, ry) if _readable(rx) <= _readable(ry) else (ry, rx)
            self.parent[drop] = keep
            dropped = self.fields.pop(drop, {})
            kept = self.fields.setdefault(keep, {})
            for attr, node in dropped.items():
                if attr in kept:
                    pending.append((kept[attr], node))
                else:
                    kept[attr] = node
            c_drop = self.contents_of.pop(drop, None)
            if c_drop is not None:
                c_keep = self.contents_of.get(keep)
                if c_keep is None:
                    self.contents_of[keep] = c_drop
                else:
                    pending.append((c_keep, c_drop))
        return self.find(a)

    def field(self, node: str, attr: str) -> str:
        root = self.find(node)
        fields = self.fields.setdefault(root, {})
        found = fields.get(attr)
        if found is None:
            found = fields[attr] = f"{root}.{attr}"
            self.parent.setdefault(found, found)
        return self.find(found)

    def contents(self, node: str) -> str:
        root = self.find(node)
        found = self.contents_of.get(root)
        if found is None:
            found = self.contents_of[root] = f"{root}[]"
            self.parent.setdefault(found, found)
        return self.find(found)

    def reach_fields(self, node: str) -> set[str]:
        """What the object holds in its attributes, and all that holds (not its own
        contents: the items of a list are not the list's state)."""
        seen: set[str] = set()
        for field in self.fields.get(self.find(node), {}).values():
            seen |= self.reach(field)
        return seen

    def reach(self, node: str) -> set[str]:
        """The classes of the object and of everything it may hold."""
        seen = set()
        stack = [self.find(node)]
        while stack:
            root = self.find(stack.pop())
            if root in seen:
                continue
            seen.add(root)
            stack.extend(self.fields.get(root, {}).values())
            inner = self.contents_of.get(root)
            if inner is not None:
                stack.append(inner)
        return seen


def _readable(name: str) -> tuple:
    return (name.startswith("<"), name.count(".") + name.count("[]"), len(name), name)


@dataclass
class LocalFunction:
    """A nested def or lambda bound to a local name."""
    captured: set[str]          # the body's locals it reads or writes
    writes: set[str]            # cells it assigns (nonlocal) or global names it assigns
    mutates: bool               # it calls methods or stores into captured objects
    outside: set = field(default_factory=set)   # names it reads from outside the body


@dataclass
class Facts:
    locals: set[str]
    params: list[str]
    declared: set[str]                       # global or nonlocal in the body
    cells: set[str]                          # locals captured by nested scopes
    nested_writers: set[str]                 # cells that nested functions assign
    local_functions: dict[str, LocalFunction]
    module_names: set[str]
    aliases: Aliases
    effected: set[str]                       # class roots that may see effects
    logged: set[str] = field(default_factory=set)
    reads_locals: bool = False   # locals()/eval(text) in the body: every name is read
    pure_methods: frozenset = frozenset()
    comprehension_names: dict = field(default_factory=dict)  # id(comprehension) -> {name: node}
    expr_class: dict = field(default_factory=dict)           # id(expression) -> its class
    imports: set = field(default_factory=set)                # names bound by import: not objects
    nodes: list = field(default_factory=list)                # scope_nodes of the body, as analysed
    # Module-level names some function of the module rebinds (``global X; X = v``): the
    # body's own reads of them wait for the calls issued before.
    rebound_globals: frozenset = frozenset()
    # Module-level names bound to values (not imports, defs or classes).
    module_values: frozenset = frozenset()
    imported_names: frozenset = frozenset()   # see imported_anywhere
    module_aliases: frozenset = frozenset()   # see module_aliases
    fresh_returning: frozenset = frozenset()  # see fresh_returning
    outside_unknown: frozenset = frozenset()  # names bound nowhere the module shows

    def builtin(self, name: str) -> bool:
        return (name not in self.locals and name not in self.module_names
                and name not in self.declared and hasattr(builtins, name))

    # -- keys ------------------------------------------------------------------
    def node_of(self, name: str) -> str:
        return self.aliases.find(name)

    def read_keys(self, nodes) -> tuple:
        """Keys a task reading these objects waits on: effected classes reachable."""
        keys = set()
        for node in nodes:
            if node is None:
                continue
            for root in self.aliases.reach(node):
                if root in self.effected:
                    keys.add(root)
        return tuple(sorted(keys))

    def effect_key(self, node: str | None) -> str:
        return self.aliases.find(node) if node is not None else "<unknown>"


def module_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        names.update(_bound_by(node))
    return names


def module_objects(tree: ast.Module) -> set[str]:
    """Module-level names bound to values (not imports, defs or classes)."""
    values, other = set(), set()
    for node in tree.body:
        named = other if isinstance(node, (ast.Import, ast.ImportFrom, *DEFINITIONS)) else values
        named.update(_bound_by(node))
    return values - other


def rebound_or_changed(tree: ast.Module, objects) -> frozenset:
    """Names declared ``global`` somewhere, and module-level ``objects`` that code
    changes in place: a method call on one that is not a known read-only one
    (``REG.append(v)``, ``registry.add(p)``), a store into it, an augmented store
    (``CFG["n"] += 1``). The module's classes too, where what they hold is stored
    into or changed (``Config.level = v``, ``Config.tags.append(t)``; not a call of
    one of their methods, ``Config.create(x)``, a factory). One walk of the module
    (it is read for every transpile); changes made at the top level count too, which
    only makes reads wait more."""
    from ..runtime.effects import READ_ONLY_METHODS
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    found = set()
    for node in walk_tree(tree):
        if isinstance(node, ast.Global):
            found.update(node.names)
            continue
        if isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Attribute) or func.attr in READ_ONLY_METHODS:
                continue
            root = func.value
            if isinstance(root, ast.Name) and root.id in classes:
                continue   # (``Config.create(x)``)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) \
                and isinstance(node.ctx, (ast.Store, ast.Del)):
            root = node.value
        else:
            continue
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if isinstance(root, ast.Name) and (root.id in objects or root.id in classes):
            found.add(root.id)
    return frozenset(found)


def _bound_by(node):
    if isinstance(node, DEFINITIONS):
        yield node.name
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            yield (alias.asname or alias.name).split(".")[0]
    else:
        for sub in walk_tree(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                yield sub.id


def scope_nodes(body):
    """Every node evaluated in this function's own scope, plus nested scopes and
    comprehensions themselves (as leaves)."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (*SCOPES, *COMPREHENSIONS)):
            continue
        stack.extend(reversed(child_nodes(node)))


def root_name(node: ast.expr) -> str | None:
    """``a`` for ``a``, ``a.b.c``, ``a[i].b``; None otherwise."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def names_in(node: ast.AST) -> list[str]:
    seen = {}
    for sub in walk_tree(node):
        if isinstance(sub, ast.Name):
            seen.setdefault(sub.id, None)
    return list(seen)


# -- free variables of nested scopes ----------------------------------------------------

def _targets(node) -> set[str]:
    return {n.id for n in walk_tree(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, (ast.Store, ast.Del))}


def scope_frees(scope: ast.AST) -> tuple[set[str], set[str]]:
    """(names the scope reads or writes from enclosing scopes, names it assigns
    through ``nonlocal``/``global``)."""
    if isinstance(scope, ast.Lambda):
        params = _params(scope.args)
        inner = _frees_of_expr(scope.body, params)
        return inner, set()
    if isinstance(scope, COMPREHENSIONS):
        return _frees_of_comprehension(scope, set()), set()
    if isinstance(scope, ast.ClassDef):
        bound = set()
        for stmt in scope.body:
            bound.update(_bound_here(stmt))
        used = set()
        writes = set()
        for stmt in scope.body:
            u, w = _frees_of_stmt(stmt)
            used |= u
            writes |= w
        return (used - bound) | writes, writes
    params = _params(scope.args)
    declared_nonlocal, declared_global = set(), set()
    bound = set(params)
    for node in scope_nodes(scope.body):
        if isinstance(node, ast.Nonlocal):
            declared_nonlocal.update(node.names)
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
    for stmt in scope.body:
        bound.update(_bound_here(stmt))
    used = set()
    for stmt in scope.body:
        u, _ = _frees_of_stmt(stmt)
        used |= u
    frees = (used - bound) | declared_nonlocal
    frees -= declared_global
    written = {n for n in declared_nonlocal if n in _assigned_in(scope.body)}
    written |= {n for n in declared_global if n in _assigned_in(scope.body)}
    return frees, written


def _assigned_in(body) -> set[str]:
    out = set()
    for node in scope_nodes(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, DEFINITIONS):
            out.add(node.name)
    return out


def _params(args: ast.arguments) -> set[str]:
    out = set()
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            out.add(arg.arg)
    return out


def _bound_here(stmt) -> set[str]:
    """Names a statement binds in its own scope (not inside nested scopes)."""
    out = set()
    for node in scope_nodes([stmt]):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, DEFINITIONS):
            out.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            out.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            out.add(node.rest)
        elif isinstance(node, ast.NamedExpr):
            out.add(node.target.id)
        elif isinstance(node, COMPREHENSIONS):
            out.update(_walrus_targets(node))
    return out


def _walrus_targets(node) -> set[str]:
    return {n.target.id for n in walk_tree(node) if isinstance(n, ast.NamedExpr)}


def _frees_of_stmt(stmt) -> tuple[set[str], set[str]]:
    used, written = set(), set()
    for node in scope_nodes([stmt]):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, SCOPES):
            for part in _evaluated_outside(node):
                used |= _frees_of_expr(part, set())
            inner, w = scope_frees(node)
            used |= inner
            written |= w
        elif isinstance(node, COMPREHENSIONS):
            used |= _frees_of_comprehension(node, set())
    return used, written


def _frees_of_expr(expr, bound) -> set[str]:
    used = set()
    for node in scope_nodes([expr]):
        if isinstance(node, ast.Name):
            if node.id not in bound:
                used.add(node.id)
        elif isinstance(node, SCOPES):
            for part in _evaluated_outside(node):
                used |= _frees_of_expr(part, bound)
            inner, _ = scope_frees(node)
            used |= inner - bound
        elif isinstance(node, COMPREHENSIONS):
            used |= _frees_of_comprehension(node, bound)
    return used


def _frees_of_comprehension(node, bound) -> set[str]:
    used = _frees_of_expr(node.generators[0].iter, bound)
    inner_bound = set(bound)
    for generator in node.generators:
        inner_bound |= _targets(generator.target)
    parts = [*(g.iter for g in node.generators[1:]), *(c for g in node.generators for c in g.ifs)]
    if isinstance(node, ast.DictComp):
        parts += [node.key, node.value]
    else:
        parts.append(node.elt)
    for part in parts:
        used |= _frees_of_expr(part, inner_bound)
    return used


def _evaluated_outside(scope) -> list:
    """Parts of a nested scope evaluated where it is defined: defaults, decorators, bases."""
    if isinstance(scope, ast.Lambda):
        return [*scope.args.defaults, *(d for d in scope.args.kw_defaults if d)]
    parts = list(scope.decorator_list)
    if isinstance(scope, ast.ClassDef):
        parts += scope.bases + [k.value for k in scope.keywords]
    else:
        parts += scope.args.defaults + [d for d in scope.args.kw_defaults if d]
        if scope.returns is not None:
            parts.append(scope.returns)
    return parts


# -- the analysis -------------------------------------------------------------------------

EAGER_CONSUMERS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max",
                             "dict"})


def fans_out(node) -> bool:
    """Can a comprehension become loops of the owner? Not when a function made inside
    it captures its variables (it would see them later, all alike)."""
    for sub in walk_tree(node):
        # (a walrus binds the body's variable at each element, in order: as written)
        if isinstance(sub, (*SCOPES, ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)):
            return False
        if isinstance(sub, COMPREHENSIONS) and sub is not node:
            return False
    return not any(g.is_async for g in node.generators)


def surely_lowered_generators(nodes, shadowing) -> set:
    """ids of generator expressions that always become loops of the owner (the sole
    argument of an eager consumer, without conditions): the others stay lazy."""
    found = set()
    for node in nodes:
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords \
                and isinstance(node.args[0], ast.GeneratorExp):
            func = node.func
            consumer = (isinstance(func, ast.Name) and func.id in EAGER_CONSUMERS
                        and func.id not in shadowing) or (
                isinstance(func, ast.Attribute) and func.attr == "join"
                and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str))
            generator = node.args[0]
            if consumer and fans_out(generator) and not any(g.ifs for g in generator.generators):
                found.add(id(generator))
    return found


def imported_anywhere(tree: ast.Module) -> frozenset:
    """Names bound by the module's own imports, wherever they stand outside its
    functions and classes ("*" for ``from m import *``)."""
    names = set()
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update("*" if a.name == "*" else (a.asname or a.name).split(".")[0]
                         for a in node.names)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(child for child in ast.iter_child_nodes(node)
                         if isinstance(child, ast.stmt) or isinstance(child, ast.excepthandler))
    return frozenset(names)


# Builtins whose result is a new object or an immutable value, never one given to them.
_FRESH_BUILTINS = frozenset({"len", "str", "int", "float", "bool", "list", "dict", "set",
                             "tuple", "frozenset", "sorted", "sum", "repr", "abs", "round",
                             "format", "bytes", "bytearray", "range", "enumerate", "zip",
                             "hash", "id", "isinstance", "hasattr", "ord", "chr", "hex"})


def fresh_returning(tree: ast.Module) -> frozenset:
    """Module-level functions (defined once) whose every ``return`` gives a value no
    module state holds: a constant, arithmetic, a display or comprehension, a new
    object from a builtin, a parameter (``def fine(x): return x``). A local bound to
    what one returns is the body's own object, and needs no look at run time (see
    ``Lowerer.returned_locals``); the runtime's own test reads the same source."""
    bound: dict = {}
    for node in _own_scope(tree.body):
        names = ()
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names = (node.id,)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = (node.name,)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [(a.asname or a.name).split(".")[0] for a in node.names]
        for name in names:
            bound[name] = bound.get(name, 0) + 1
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):   # (rebound by a function: not known here)
            for name in node.names:
                bound[name] = 2
    module_level = set(bound)
    found = set()
    for statement in tree.body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                or bound.get(statement.name) != 1 or not all(
                    _is_desync_decorator(d) for d in statement.decorator_list):
            continue   # (a decorator may remember results: ``lru_cache`` hands out one dict)
        arguments = statement.args
        params = {a.arg for a in (*arguments.posonlyargs, *arguments.args,
                                  *arguments.kwonlyargs, arguments.vararg, arguments.kwarg)
                  if a is not None}
        returns = [node.value for node in _own_scope(statement.body)
                   if isinstance(node, ast.Return)]
        if all(value is None or _fresh(value, params, module_level) for value in returns):
            found.add(statement.name)
    return frozenset(found)


def _is_desync_decorator(decorator) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (target.id if isinstance(target, ast.Name) else
            target.attr if isinstance(target, ast.Attribute) else None) == "desync"


def _own_scope(body):
    """The nodes of a function's body, not those of the functions or classes it nests."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _fresh(value, params, module_level) -> bool:
    if isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.UnaryOp, ast.Compare,
                          ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp,
                          ast.DictComp, ast.GeneratorExp, ast.Lambda)):
        return True
    if isinstance(value, ast.Name):
        return value.id in params
    if isinstance(value, ast.BoolOp):
        return all(_fresh(v, params, module_level) for v in value.values)
    if isinstance(value, ast.IfExp):
        return _fresh(value.body, params, module_level) \
            and _fresh(value.orelse, params, module_level)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        name = value.func.id
        return name in _FRESH_BUILTINS and name not in module_level and name not in params
    return False


def module_aliases(tree: ast.Module, imported) -> frozenset:
    """Module-level names bound to an imported module or to something of one, by name
    (``ALIAS = settings``, ``OPTS2 = settings.OPTS``, ``FOUND = sys.modules["cfg"]``,
    ``mod = importlib.import_module("cfg")``): a body's read of one may be another
    module's state, as a read of the imported name is. Not what a call of the
    module's makes (``log = logging.getLogger(...)``: an object of its own)."""
    assigned = []
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            assigned.append((node.targets[0].id, node.value))
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(child for child in ast.iter_child_nodes(node)
                         if isinstance(child, ast.stmt) or isinstance(child, ast.excepthandler))
    known = set(imported) - {"*"}
    found: set = set()
    grew = True
    while grew:   # (an alias of an alias)
        grew = False
        for name, value in assigned:
            if name not in found and _names_a_module_thing(value, known | found):
                found.add(name)
                grew = True
    return frozenset(found)


def _names_a_module_thing(value, modules) -> bool:
    if isinstance(value, ast.Call):
        func = value.func
        called = func.attr if isinstance(func, ast.Attribute) else \
            func.id if isinstance(func, ast.Name) else None
        return called in ("import_module", "__import__")
    if isinstance(value, ast.Subscript):
        base = value.value
        return isinstance(base, ast.Attribute) and base.attr == "modules" \
            and isinstance(base.value, ast.Name) and base.value.id == "sys"
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name) and value.id in modules


def module_imports(tree: ast.Module) -> set[str]:
    """Module-level names bound by imports (modules and imported functions)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(_bound_by(node))
    return names


_BUILTIN_CLASSES = frozenset({"list", "dict", "set", "bytearray", "object"})
_LIVE_VIEWS = frozenset({"keys", "values", "items"})


def unbound_builtin_method(node: ast.Call, facts) -> bool:
    """``list.append(xs, v)``, ``object.__setattr__(h, "x", 1)``: a method of a builtin
    class, called with its object first, that may change that object."""
    from ..runtime.effects import READ_ONLY_METHODS
    func = node.func
    return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id in _BUILTIN_CLASSES and facts.builtin(func.value.id)
            and func.attr not in READ_ONLY_METHODS and bool(node.args)
            and not isinstance(node.args[0], ast.Starred))


def analyse(fn: ast.FunctionDef, module_names: set[str], pure_methods=frozenset(),
            objects: set[str] = frozenset(), imports: set[str] = frozenset(),
            import_table=None) -> Facts:
    params = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args] if a is not None]
    if fn.args.vararg:
        params.append(fn.args.vararg.arg)
    params += [a.arg for a in fn.args.kwonlyargs]
    if fn.args.kwarg:
        params.append(fn.args.kwarg.arg)
    nodes = list(scope_nodes(fn.body))
    declared: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    local_names = set(params)
    for stmt in fn.body:
        local_names |= _bound_here(stmt)
    local_names -= declared

    cells: set[str] = set()
    nested_writers: set[str] = set()
    lowered = surely_lowered_generators(nodes, module_names | local_names)
    for node in nodes:
        if isinstance(node, SCOPES) or (isinstance(node, ast.GeneratorExp)
                                        and id(node) not in lowered):
            # A lazy generator reads its variables when it is consumed, later.
            frees, writes = scope_frees(node)
            cells |= frees & local_names
            nested_writers |= writes & (local_names | declared)
        elif isinstance(node, COMPREHENSIONS):
            # Functions made inside a comprehension see the body's variables later too.
            own = set().union(*(_targets(g.target) for g in node.generators))
            for sub in walk_tree(node):
                if sub is not node and (isinstance(sub, SCOPES) or isinstance(
                        sub, ast.GeneratorExp)):
                    frees, writes = scope_frees(sub)
                    cells |= (frees - own) & local_names
                    nested_writers |= (writes - own) & (local_names | declared)

    # Variables of an enclosing function (a desync function made by a factory) are
    # objects outside the body, as module-level ones are: their changes are ordered.
    enclosing = {node.id for node in nodes if isinstance(node, ast.Name)
                 and node.id not in local_names and node.id not in declared
                 and node.id not in module_names and not hasattr(builtins, node.id)}
    facts = Facts(locals=local_names, params=params, declared=declared, cells=cells,
                  nested_writers=nested_writers, local_functions={},
                  module_names=set(module_names) | enclosing, aliases=Aliases(),
                  effected=set(), pure_methods=frozenset(pure_methods))
    facts.imports = set(imports) | {(a.asname or a.name).split(".")[0] for node in nodes
                                     if isinstance(node, (ast.Import, ast.ImportFrom))
                                     for a in node.names}
    facts.nodes = nodes   # one walk of a long body serves the lowering too
    facts.module_values = frozenset(objects)
    facts.outside_unknown = frozenset(enclosing)
    facts.imports_table = import_table if import_table is not None else {}
    if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in nodes):
        # ``import warnings`` in the body: its calls are known as the module's are
        # (``warnings.warn(..., 2)`` names the body's caller: run as written).
        from .callees import import_table as imports_of
        own = {name: target for name, target in
               imports_of(ast.Module(body=fn.body, type_ignores=[])).items()
               if name not in params}
        if own:
            facts.imports_table = {**facts.imports_table, **own}
    _Classes(facts, objects).run(fn)
    _through_local_functions(facts)
    facts.reads_locals = _reads_locals(nodes, facts)
    facts.logged = _logged_names(fn, local_names, nodes, facts.reads_locals)
    return facts


def _through_local_functions(facts) -> None:
    """A nested def that names another (``consume`` calling ``take_action``) does
    what that one does: its writes and changes, to any depth."""
    functions = facts.local_functions
    changed = True
    while changed:
        changed = False
        for function in functions.values():
            for name in function.captured:
                inner = functions.get(name)
                if inner is None or inner is function:
                    continue
                if inner.mutates and not function.mutates:
                    function.mutates = changed = True
                if not inner.writes <= function.writes:
                    function.writes = function.writes | inner.writes
                    changed = True


def _reads_locals(nodes, facts) -> bool:
    """Does the body read its variables by name (``locals()``, ``eval(text)``)? Then
    every name it binds is read everywhere."""
    from .callees import reads_frame
    return any(isinstance(node, ast.Call) and reads_frame(
        node, facts.imports_table, facts.module_names) == "locals" for node in nodes)


class _Classes:
    """Fills in alias classes, local functions and effected classes."""

    def __init__(self, facts: Facts, objects):
        self.facts = facts
        self.aliases = facts.aliases
        self.objects = set(objects)
        self.comprehension_stack: list[dict] = []
        self.changed_receivers: list[str] = []   # objects a method may have changed

    # The class of a name in the current position (comprehension variables are
    # their own names).
    def name_node(self, name: str) -> str | None:
        for frame in reversed(self.comprehension_stack):
            if name in frame:
                return frame[name]
        facts = self.facts
        if name in facts.imports:
            return None  # a module or an imported function: not an object of this body
        if name in facts.locals or name in facts.declared:
            return self.aliases.find(name)
        if name in facts.module_names:
            return self.aliases.find(name)
        return None  # a builtin: not an object of this body

    def effect(self, node: str | None):
        if node is not None:
            self.facts.effected.add(self.aliases.find(node))

    def stored_into(self, holder: str | None):
        """A store or ``del`` may run a property setter or a ``__setitem__`` of the
        user's that changes what the object holds (``self.p = v`` appending to
        ``self.log``): those objects are changed too, when the store is not a plain
        one (the runtime tells, ``Scope.store``)."""
        if holder is not None:
            self.changed_receivers.append(holder)

    def write_variable(self, name: str):
        """A write to a closure or declared variable: an effect on its box."""
        facts = self.facts
        if name in facts.cells or name in facts.declared:
            facts.effected.add("@" + name)

    def run(self, fn):
        for stmt in fn.body:
            self.stmt(stmt)
        # A method may change what its object holds in its attributes too
        # (``self.items.append`` in ``bx.add(v)``, where ``bx.items`` is the body's
        # ``acc``): once every link is known (a loop may make one after the call), all
        # of it is effected. Not what it holds as contents: ``out.append(x)`` does
        # not change ``x``.
        for receiver in self.changed_receivers:
            for root in self.aliases.reach_fields(receiver):
                self.effect(root)
        # Classes may have merged after being marked: keep only roots.
        aliases = self.aliases
        self.facts.effected = {aliases.find(n) for n in self.facts.effected}

    # -- statements --------------------------------------------------------------
    def stmt(self, node):
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is not None:
            method(node)
            return
        for child in child_nodes(node):
            if isinstance(child, ast.stmt):
                self.stmt(child)
            elif isinstance(child, ast.expr):
                self.expr(child)
            elif isinstance(child, (ast.excepthandler, ast.match_case, ast.withitem)):
                self.other(child)

    def other(self, node):
        if isinstance(node, ast.ExceptHandler):
            if node.type is not None:
                self.expr(node.type)
            for stmt in node.body:
                self.stmt(stmt)
        elif isinstance(node, ast.match_case):
            if node.guard is not None:
                self.expr(node.guard)
            for stmt in node.body:
                self.stmt(stmt)
        elif isinstance(node, ast.withitem):
            value = self.expr(node.context_expr)
            if node.optional_vars is not None:
                self.bind(node.optional_vars, value)

    def stmt_Assign(self, node):
        value = self.expr(node.value)
        if value is None and len(node.targets) > 1:
            # ``a = b = make()``: whatever the value is, the targets hold one object.
            value = self.aliases.fresh("value")
        for target in node.targets:
            self.bind(target, value)
            if isinstance(node.value, ast.Lambda) and isinstance(target, ast.Name):
                self.local_function(target.id, node.value)

    def stmt_AnnAssign(self, node):
        if node.value is not None:
            self.bind(node.target, self.expr(node.value))

    def stmt_AugAssign(self, node):
        value = self.expr(node.value)
        target = node.target
        if isinstance(target, ast.Name):
            self.write_variable(target.id)
            mine = self.name_node(target.id)
            if mine is not None and value is not None:
                self.aliases.union(self.aliases.contents(mine), self.aliases.contents(value))
            self.effect(mine)  # ``xs += ys`` extends a list in place
            return
        holder = self.expr(target.value)
        if isinstance(target, ast.Subscript):
            self.expr(target.slice)
            element = self.aliases.contents(holder) if holder else None
        else:
            element = self.aliases.field(holder, target.attr) if holder else None
        if element is not None:
            # (the old value is changed in place: ``alias = b.items`` sees it)
            self.facts.expr_class[id(target)] = element
        self.effect(holder)
        self.effect(element)
        self.stored_into(holder)

    def stmt_For(self, node):
        iterable = self.expr(node.iter)
        element = self.aliases.contents(iterable) if iterable else None
        self.bind(node.target, element)
        for stmt in node.body + node.orelse:
            self.stmt(stmt)

    def stmt_Delete(self, node):
        for target in node.targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                holder = self.expr(target.value)
                if isinstance(target, ast.Subscript):
                    self.expr(target.slice)
                self.effect(holder)
                self.stored_into(holder)

    def stmt_FunctionDef(self, node):
        for part in _evaluated_outside(node):
            self.expr(part)
        self.local_function(node.name, node)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node):
        for part in _evaluated_outside(node):
            self.expr(part)
        frees, writes = scope_frees(node)
        for name in writes:
            self.effect(self.name_node(name))
            self.write_variable(name)

    def stmt_Global(self, node):
        return None

    stmt_Nonlocal = stmt_Global

    # -- bindings -------------------------------------------------------------------
    def bind(self, target, value):
        aliases = self.aliases
        if isinstance(target, ast.Name):
            if not any(target.id in frame for frame in self.comprehension_stack):
                self.write_variable(target.id)
            mine = self.name_node(target.id)
            if mine is not None:
                aliases.union(mine, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            element = aliases.contents(value) if value else None
            for item in target.elts:
                self.bind(item.value if isinstance(item, ast.Starred) else item,
                          value if isinstance(item, ast.Starred) else element)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, value)
        elif isinstance(target, ast.Attribute):
            holder = self.expr(target.value)
            if holder is not None:
                stored = aliases.union(aliases.field(holder, target.attr), value)
                self.facts.expr_class[id(target)] = stored   # (see Lowering.store_step)
            self.effect(holder)
            self.stored_into(holder)
        elif isinstance(target, ast.Subscript):
            holder = self.expr(target.value)
            key = self.expr(target.slice)
            if holder is not None:
                inner = aliases.contents(holder)
                aliases.union(inner, value)
                aliases.union(inner, key)
                self.facts.expr_class[id(target)] = aliases.find(inner)
            self.effect(holder)
            self.stored_into(holder)

    def local_function(self, name, scope):
        frees, writes = scope_frees(scope)
        facts = self.facts
        captured = {n for n in frees if n in facts.locals or n in facts.declared}
        mutates = _mutates_captured(scope, captured)
        outside = {n for n in frees if n not in facts.locals and n not in facts.declared}
        earlier = facts.local_functions.get(name)
        if earlier is not None:   # (a name bound to two functions: what either reads)
            outside |= earlier.outside
        facts.local_functions[name] = LocalFunction(captured, writes, mutates, outside)
        node = self.name_node(name)
        for free in captured:
            free_node = self.name_node(free)
            if node is not None and free_node is not None:
                # A function reaches what it captured: a task reading it waits for them.
                self.aliases.union(self.aliases.contents(node), free_node)
            if mutates:
                self.effect(free_node)
                for root in self.aliases.reach(free_node):
                    self.effect(root)
        for written in writes:
            self.effect(self.name_node(written))
            self.write_variable(written)

    # -- expressions: the class of the object an expression gives ---------------
    def expr(self, node) -> str | None:
        if node is None:
            return None
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is not None:
            result = method(node)
        else:
            result = None
            for child in child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)
        if result is not None:
            self.facts.expr_class[id(node)] = result
        return result

    def expr_Name(self, node):
        return self.name_node(node.id)

    def expr_Constant(self, node):
        return None

    def expr_Attribute(self, node):
        holder = self.expr(node.value)
        if holder is None:
            return None
        return self.aliases.field(holder, node.attr)

    def expr_Subscript(self, node):
        holder = self.expr(node.value)
        self.expr(node.slice)
        return self.aliases.contents(holder) if holder is not None else None

    def expr_Starred(self, node):
        return self.expr(node.value)

    def expr_NamedExpr(self, node):
        value = self.expr(node.value)
        self.bind(node.target, value)
        return value

    def _join(self, values, hint="v"):
        result = None
        for value in values:
            result = self.aliases.union(result, value) if result else value
        return result

    def expr_IfExp(self, node):
        self.expr(node.test)
        return self._join([self.expr(node.body), self.expr(node.orelse)])

    def expr_BoolOp(self, node):
        return self._join([self.expr(v) for v in node.values])

    def _container(self, elements, hint):
        node = self.aliases.fresh(hint)
        inner = self.aliases.contents(node)
        for element in elements:
            self.aliases.union(inner, element)
        return node

    def expr_List(self, node):
        return self._container([self.expr(e) for e in node.elts], "list")

    expr_Tuple = expr_Set = expr_List

    def expr_Dict(self, node):
        parts = [self.expr(k) for k in node.keys if k is not None]
        parts += [self.expr(v) for v in node.values]
        return self._container(parts, "dict")

    def expr_BinOp(self, node):
        left, right = self.expr(node.left), self.expr(node.right)
        if left is None and right is None:
            return None
        # ``a + b`` of lists is a new list of both lists' elements.
        result = self.aliases.fresh("op")
        inner = self.aliases.contents(result)
        for side in (left, right):
            if side is not None:
                self.aliases.union(inner, self.aliases.contents(side))
        return result

    def expr_JoinedStr(self, node):
        for value in node.values:
            self.expr(value)
        return None

    def expr_Compare(self, node):
        self.expr(node.left)
        for comparator in node.comparators:
            self.expr(comparator)
        return None

    def expr_UnaryOp(self, node):
        self.expr(node.operand)
        return None

    def expr_Lambda(self, node):
        for part in _evaluated_outside(node):
            self.expr(part)
        hint = self.aliases.fresh("lambda")
        frees, writes = scope_frees(node)
        captured = {n for n in frees if self.name_node(n) is not None
                    and (n in self.facts.locals or n in self.facts.declared)}
        for free in captured:
            self.aliases.union(self.aliases.contents(hint), self.name_node(free))
        if _mutates_captured(node, captured):
            for free in captured:
                self.effect(self.name_node(free))
        for written in writes:
            self.effect(self.name_node(written))
            self.write_variable(written)
        return hint

    def _comprehension(self, node, elements):
        frame = {}
        self.comprehension_stack.append(frame)
        try:
            for generator in node.generators:
                iterable = self.expr(generator.iter)
                for name in _targets(generator.target):
                    frame[name] = self.aliases.fresh(name)
                element = self.aliases.contents(iterable) if iterable else None
                self.bind(generator.target, element)
                for condition in generator.ifs:
                    self.expr(condition)
            values = [self.expr(e) for e in elements]
        finally:
            self.comprehension_stack.pop()
        self.facts.comprehension_names[id(node)] = frame
        return self._container(values, "comp")

    def _library_changes(self, node, args):
        """``random.shuffle(xs)``, ``heapq.heappush(h, x)``: a library function known to
        change an argument changes that object, as a method of it would; so does a
        builtin class's method called on its object (``list.append(xs, v)``)."""
        from .callees import static_facts
        if unbound_builtin_method(node, self.facts) and args and args[0] is not None:
            self.effect(args[0])
            self.effect(self.aliases.contents(args[0]))
            return
        listed = static_facts(node.func, self.facts.imports_table, self.facts.module_names)
        if listed is None or not listed.mutates:
            return
        given = [(index, arg) for index, (arg, node_arg) in enumerate(zip(args, node.args))
                 if not isinstance(node_arg, ast.Starred)]
        given += [(keyword.arg, arg) for keyword, arg in zip(node.keywords, args[len(node.args):])]
        for where, arg in given:
            if where in listed.mutates and arg is not None:
                self.effect(arg)
                self.effect(self.aliases.contents(arg))

    def expr_ListComp(self, node):
        return self._comprehension(node, [node.elt])

    expr_SetComp = expr_GeneratorExp = expr_ListComp

    def expr_DictComp(self, node):
        return self._comprehension(node, [node.key, node.value])

    def expr_Call(self, node):
        func = node.func
        args = [self.expr(a) for a in node.args]
        args += [self.expr(k.value) for k in node.keywords]
        facts = self.facts
        for bound in handed_methods(node, facts.pure_methods):
            # ``collect(rows, out.append)``: the callee calls it, changing ``out``.
            receiver = self.expr(bound.value)
            if receiver is not None:
                self.effect(receiver)
                self.changed_receivers.append(receiver)
        if not (isinstance(func, ast.Name) and facts.builtin(func.id)):
            self._library_changes(node, args)
        if isinstance(func, ast.Name) and facts.builtin(func.id):
            name = func.id
            if name in MUTATING_BUILTINS and args and args[0] is not None:
                self.effect(args[0])
                self.effect(self.aliases.contents(args[0]))
            if name in ("exec", "eval"):
                for namespace in args[1:3]:  # the globals and locals it may fill
                    if namespace is not None:
                        self.effect(namespace)
                        self.effect(self.aliases.contents(namespace))
            if name in FRESH_BUILTINS:
                return None
            if name in CONTAINER_BUILTINS:
                result = self.aliases.fresh(name)
                inner = self.aliases.contents(result)
                for arg in args:
                    if arg is not None:
                        self.aliases.union(inner, self.aliases.contents(arg))
                        if name in ("min", "max", "next"):
                            self.aliases.union(result, self.aliases.contents(arg))
                if name in LAZY_BUILTINS:
                    # A lazy view reads its arguments when consumed: it refers to them
                    # (as fields, so reading it waits for their changes) without
                    # making them one object (``zip(xs, pages)``).
                    for index, arg in enumerate(args):
                        if arg is not None:
                            self.aliases.union(self.aliases.field(result, f"<arg{index}>"), arg)
                return result
            if name == "super":
                return self.name_node(facts.params[0]) if facts.params else None
            if name == "getattr" and args and args[0] is not None:
                if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                        and isinstance(node.args[1].value, str):
                    # ``getattr(b, "inner")`` is ``b.inner``
                    return self.aliases.field(args[0], node.args[1].value)
                return self.aliases.contents(args[0])
            return None
        if isinstance(func, ast.Attribute):
            receiver = self.expr(func.value)
            if receiver is not None:
                # A method may change its object, store its arguments in it, and
                # return (a part of) it.
                inner = self.aliases.contents(receiver)
                for arg in args:
                    self.aliases.union(inner, arg)
                if func.attr not in facts.pure_methods:
                    self.effect(receiver)
                    self.changed_receivers.append(receiver)
                if func.attr in _LIVE_VIEWS and not node.args:
                    # d.keys(): a live view of d, read as d (changes to d show in it).
                    return self.aliases.union(self.aliases.fresh("view"), receiver)
                return self.aliases.union(self.aliases.fresh("ret"), inner)
            callee = None
        else:
            callee = self.expr(func)
        if isinstance(func, ast.Name) and func.id in facts.local_functions:
            local = facts.local_functions[func.id]
            for written in local.writes:
                self.effect(self.name_node(written))
                self.write_variable(written)
        # A call may return any of its arguments or a part of one.
        if callee is not None:
            self.facts.expr_class[id(func)] = callee
        if not any(a is not None for a in args):
            return None
        result = self.aliases.fresh("ret")
        for arg in args:
            if arg is not None:
                self.aliases.union(result, arg)
        return result


def _mutates_captured(scope, captured) -> bool:
    """Does a nested function change an object it captured (a method call on it, a
    store into it)? Conservative: any method call on a captured name counts."""
    body = scope.body if isinstance(scope.body, list) else [scope.body]
    for node in walk_tree(ast.Module(body=[n if isinstance(n, ast.stmt) else ast.Expr(n)
                                          for n in body], type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and root_name(node.func.value) in captured:
            return True
        if isinstance(node, (ast.Attribute, ast.Subscript)) \
                and isinstance(node.ctx, (ast.Store, ast.Del)) and root_name(node) in captured:
            return True
        if isinstance(node, ast.AugAssign) and root_name(node.target) in captured:
            return True
    return False


# -- names a handler may need as they were at a failure ------------------------------

def _logged_names(fn, local_names, nodes, reads_locals=False) -> set[str]:
    """Names bound inside a ``try`` or ``with`` body and read anywhere outside it."""
    blocks = [n for n in nodes if isinstance(n, (ast.Try, ast.With)) or (
        hasattr(ast, "TryStar") and isinstance(n, ast.TryStar))]
    if not blocks:
        return set()
    loads_total: dict[str, int] = {}
    for node in reads_with_nested(nodes):
        loads_total[node.id] = loads_total.get(node.id, 0) + 1
    logged = set()
    for node in blocks:
        if isinstance(node, ast.Try) or (hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)):
            body = node.body
        elif isinstance(node, ast.With):
            body = node.body
        else:
            continue
        bound = set()
        for stmt in body:
            bound |= _bound_here(stmt)
        inside: dict[str, int] = {}
        for sub in reads_with_nested(scope_nodes(body)):
            inside[sub.id] = inside.get(sub.id, 0) + 1
        loops = _in_loop(fn, node)
        for name in bound & local_names:
            total = loads_total.get(name, 0)
            if total > inside.get(name, 0) or (loops and total) or reads_locals:
                logged.add(name)
    return logged


def reads_with_nested(nodes):
    """``name_reads``, and the names read inside comprehensions, lambdas and nested
    functions among ``nodes`` (``[v for v in r if v <= c]`` in a handler reads ``c``).
    A nested scope's own names are counted too: more logging, never less."""
    for node in nodes:
        if isinstance(node, (*SCOPES, *COMPREHENSIONS)):
            yield from name_reads(walk_tree(node))
        else:
            yield from name_reads((node,))


def name_reads(nodes):
    """The Name nodes that read a variable: loads, and ``x`` of ``x += 1``."""
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            yield node
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            yield node.target


def _in_loop(fn, target) -> bool:
    for node in scope_nodes(fn.body):
        if isinstance(node, (ast.For, ast.While)):
            for stmt in node.body + node.orelse:
                if any(sub is target for sub in scope_nodes([stmt])):
                    return True
    return False
