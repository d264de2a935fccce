"""Step 2: what each name in a desync body is, and which writes must be ordered.

Facts computed once per function, used by the lowering:

- ``locals``: names bound in the function (Python's own scoping rules).
- ``cells``: locals read by a nested lambda, def or class. Those read the variable
  later, at call time, so desync keeps them concrete values, never futures.
- ``keys``: locals that are mutated (method call, item/attribute store, ``del``,
  augmented assignment), grouped with everything that may alias them. Each group
  is one ordering key: its reads and writes run in program order.
- ``try_sync``: for each ``try`` body, the names assigned in it that are read
  elsewhere; they are assigned synchronously so an exception caught by the
  ``except`` leaves them exactly as sequential code would.
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

# Builtins that only compute a value from their arguments: kept inline, never a task.
PURE_BUILTINS = frozenset({
    "abs", "all", "any", "bin", "bool", "bytes", "callable", "chr", "complex", "dict", "divmod",
    "enumerate", "float", "format", "frozenset", "hash", "hex", "id", "int", "isinstance",
    "issubclass", "len", "list", "max", "min", "oct", "ord", "pow", "range", "repr", "reversed",
    "round", "set", "slice", "sorted", "str", "sum", "tuple", "type", "zip",
})
# Builtins with effects outside the program: they keep their order.
EFFECT_BUILTINS = frozenset({"print", "input", "open", "exec", "eval", "breakpoint", "help",
                             "exit", "quit", "__import__"})
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass
class Facts:
    locals: set[str]
    declared: set[str]                  # global or nonlocal
    cells: set[str]
    keys: dict[str, str]                # mutable local -> its ordering key
    local_functions: set[str]           # locals bound by a nested def or lambda
    module_names: set[str]              # names bound at module level (shadow builtins)
    pure_methods: frozenset = frozenset()
    shared_globals: set[str] = field(default_factory=set)  # module objects the body mutates
    try_sync: dict[int, set[str]] = field(default_factory=dict)

    def builtin(self, name: str) -> bool:
        return (name not in self.locals and name not in self.module_names
                and name not in self.declared and hasattr(builtins, name))


def module_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        for target in _bound_by(node):
            names.add(target)
    return names


def module_objects(tree: ast.Module) -> set[str]:
    """Module-level names bound to values (not imports, defs or classes): the shared
    objects whose mutation from a desync body must keep its order."""
    values, other = set(), set()
    for node in tree.body:
        named = other if isinstance(node, (ast.Import, ast.ImportFrom, *DEFINITIONS)) else values
        named.update(_bound_by(node))
    return values - other


def _written_base(node, pure_methods):
    """The name whose object this node writes: ``xs`` for ``xs.append(v)``,
    ``d[k] = v``, ``del o.a``, ``o.n += 1``; None for anything else."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return None if node.func.attr in pure_methods else root_name(node.func.value)
    if isinstance(node, (ast.Attribute, ast.Subscript)) \
            and isinstance(node.ctx, (ast.Store, ast.Del)):
        return root_name(node)
    if isinstance(node, ast.AugAssign):
        return root_name(node.target)
    return None


def _bound_by(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            yield (alias.asname or alias.name).split(".")[0]
    else:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                yield sub.id


def scope_nodes(body):
    """Every node evaluated in this function's own scope (not inside nested scopes),
    plus the nested scopes themselves (as leaves)."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.Lambda, *DEFINITIONS)):
            continue
        if isinstance(node, COMPREHENSIONS):
            # Only walrus targets and the first iterable belong to this scope.
            stack.append(node.generators[0].iter)
            stack.extend(n for n in ast.walk(node) if isinstance(n, ast.NamedExpr))
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def root_name(node: ast.expr) -> str | None:
    """``a`` for ``a``, ``a.b.c``, ``a[i].b``; None otherwise."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def names_in(node: ast.AST) -> list[str]:
    seen = {}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            seen.setdefault(sub.id, None)
    return list(seen)


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, name):
        parent = self.parent.setdefault(name, name)
        if parent != name:
            parent = self.parent[name] = self.find(parent)
        return parent

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low


def analyse(fn: ast.FunctionDef, module_names: set[str], pure_methods=frozenset(),
            objects: set[str] = frozenset()) -> Facts:
    declared: set[str] = set()
    local_names: set[str] = set()
    args = fn.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            local_names.add(arg.arg)
    nodes = list(scope_nodes(fn.body))
    for node in nodes:
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local_names.add(node.id)
        elif isinstance(node, DEFINITIONS):
            local_names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local_names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local_names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            local_names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            local_names.add(node.rest)
    local_names -= declared

    cells: set[str] = set()
    local_functions: set[str] = set()
    groups = _UnionFind()
    mutated: set[str] = set()
    shared_globals: set[str] = set()

    def captured(scope):
        inner = scope.body if isinstance(scope, ast.Lambda) else scope
        return {n for n in names_in(inner) if n in local_names}

    for node in nodes:
        if isinstance(node, (ast.Lambda, *DEFINITIONS)):
            free = captured(node)
            cells |= free
            if isinstance(node, DEFINITIONS) and not isinstance(node, ast.ClassDef):
                local_functions.add(node.name)
                for name in free:  # calling the function reads (or writes) what it captured
                    groups.union(node.name, name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            sources = [n for n in names_in(node.value) if n in local_names]
            for target in targets:
                for name in names_in(target):
                    if name in local_names:
                        for source in sources:
                            groups.union(name, source)
                    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) \
                            and isinstance(target, ast.Name):
                        local_functions.add(target.id)
                        for source in captured(node.value):
                            groups.union(target.id, source)
        elif isinstance(node, (ast.For, ast.comprehension)):
            for name in names_in(node.target):
                for source in names_in(node.iter):
                    if name in local_names and source in local_names:
                        groups.union(name, source)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            for name in names_in(node.optional_vars):
                for source in names_in(node.context_expr):
                    if name in local_names and source in local_names:
                        groups.union(name, source)

        # Writes that must be ordered. Module-level objects the body mutates
        # (``log.append(x)``, ``table[k] = v``) are ordered like locals: each gets
        # its own key, so its writes keep program order and later reads wait.
        base = _written_base(node, pure_methods)
        if base in local_names:
            mutated.add(base)
        elif base in objects and base not in declared:
            shared_globals.add(base)

    # Calls of nested functions are found after all defs are known.
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in local_functions:
            mutated.add(node.func.id)

    # A group is named after its first mutated member, so keys read like the code.
    key_of_root: dict[str, str] = {}
    for name in sorted(mutated):
        key_of_root.setdefault(groups.find(name), name)
    keys = {}
    for name in local_names:
        key = key_of_root.get(groups.find(name))
        if key is not None:
            keys[name] = key
    for name in shared_globals:
        keys[name] = name  # a global is never a local of this function: no clash

    facts = Facts(locals=local_names, declared=declared, cells=cells, keys=keys,
                  local_functions=local_functions, module_names=module_names,
                  pure_methods=frozenset(pure_methods), shared_globals=shared_globals)
    facts.try_sync = _try_sync_names(fn, nodes, local_names)
    return facts


def _try_sync_names(fn, nodes, local_names) -> dict[int, set[str]]:
    loads: dict[str, int] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads[node.id] = loads.get(node.id, 0) + 1
    loops = _loop_bodies(fn)
    result = {}
    for node in nodes:
        if not isinstance(node, ast.Try):
            continue
        body = ast.Module(body=node.body, type_ignores=[])
        assigned = {n.id for n in ast.walk(body)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        inside: dict[str, int] = {}
        for sub in ast.walk(body):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                inside[sub.id] = inside.get(sub.id, 0) + 1
        in_loop = id(node) in loops
        result[id(node)] = {
            name for name in assigned & local_names
            if loads.get(name, 0) > inside.get(name, 0) or (in_loop and loads.get(name, 0))
        }
    return result


def _loop_bodies(fn) -> set[int]:
    """ids of statements that sit inside a loop of this function."""
    inside = set()
    for node in ast.walk(fn):
        if isinstance(node, (ast.For, ast.While)):
            for stmt in node.body:
                inside.update(id(n) for n in ast.walk(stmt))
    return inside
