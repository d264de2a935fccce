"""Stable hashes of function code: the basis of versions, the cache and the lockfile.

``major``: a 64-bit hash of the function's own code in a canonical form defined
here (not ``ast.dump``, whose fields change between Python versions): no
positions, comments or formatting, no docstrings, no decorators that only mark
desync, not the function's own name.

``callees``: one entry per function the body calls that desync can see, sorted by
name, each the *transitive* hash of that callee (its own code and, in turn, its
callees'). Callees are resolved from source files, never from live objects, so
the run-time path (``f.get_version()``) and the build-time path (the lockfile)
are one implementation and give the same numbers.

Resolution rules (docs/versioning.md): functions defined in the same module or in
a module of the project (a file outside the standard library and site-packages)
are hashed from source; functions from an installed distribution hash as
``name==version``; the standard library, builtins and names bound at run time
(parameters, attributes of objects, global variables) are not tracked.
"""
from __future__ import annotations

import ast
import os
import sys
import sysconfig
import threading
from dataclasses import dataclass

from ..literals import stable_repr
from .hashes import FunctionHash, hash64  # noqa: F401  (re-exported)

HASH_FORMAT = b"desync-codehash-1"  # bump if the canonical form changes
_SKIP_FIELDS = frozenset({"ctx", "type_comment", "kind", "type_ignores"})


# -- canonical form -----------------------------------------------------------------

def _is_docstring(stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _marks_desync(decorator) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        return target.id == "desync"
    return isinstance(target, ast.Attribute) and target.attr == "desync"


def canonical(node: ast.AST) -> bytes:
    """The canonical byte form of a function (or any node)."""
    out: list[str] = []

    def emit(value, top=False):
        if isinstance(value, ast.AST):
            out.append(type(value).__name__)
            out.append("(")
            for name in value._fields:
                if name in _SKIP_FIELDS:
                    continue
                field = getattr(value, name, None)
                if top and name == "name" and isinstance(value, (ast.FunctionDef,
                                                                 ast.AsyncFunctionDef)):
                    continue
                if name == "body" and isinstance(field, list) and field and \
                        isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef,
                                           ast.ClassDef)) and _is_docstring(field[0]):
                    field = field[1:]
                if name == "decorator_list":
                    field = [d for d in field if not _marks_desync(d)]
                if name == "values" and isinstance(value, ast.JoinedStr):
                    # 3.12.1 adds empty literal parts to some format specs.
                    field = [v for v in field if not (isinstance(v, ast.Constant)
                                                      and v.value == "")]
                if field is None or field == []:
                    continue
                out.append(name)
                out.append("=")
                emit(field)
                out.append(";")
            out.append(")")
        elif isinstance(value, list):
            out.append("[")
            for item in value:
                emit(item)
                out.append(",")
            out.append("]")
        elif isinstance(value, str):
            # repr() escapes by the running Python's Unicode database.
            out.append(f"str:{stable_repr(value)}")
        else:
            out.append(f"{type(value).__name__}:{value!r}")

    emit(node, top=True)
    return HASH_FORMAT + b"\0" + "".join(out).encode("utf-8", "surrogatepass")


def major_hash(node: ast.AST) -> int:
    return hash64(canonical(node))


# -- where modules live -------------------------------------------------------------------

def _norm(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _installed_roots():
    paths = sysconfig.get_paths()
    site = {_norm(paths[k]) for k in ("purelib", "platlib") if k in paths}
    for entry in sys.path:
        if entry and os.path.basename(entry) in ("site-packages", "dist-packages"):
            site.add(_norm(entry))
    stdlib = {_norm(paths[k]) for k in ("stdlib", "platstdlib") if k in paths}
    return site, stdlib


def _under(path: str, roots) -> bool:
    return any(path == root or path.startswith(root + os.sep) for root in roots)


_dist_lock = threading.Lock()
_dist_map = None


def distribution_of(top_level: str) -> str | None:
    """``name==version`` of the installed distribution that provides a top-level package."""
    global _dist_map
    from importlib import metadata
    with _dist_lock:
        if _dist_map is None:
            _dist_map = metadata.packages_distributions()
    names = _dist_map.get(top_level)
    if not names:
        return None
    name = sorted(names)[0]
    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return None


@dataclass
class SourceModule:
    name: str
    path: str
    tree: ast.Module
    defs: dict      # qualname -> FunctionDef
    bindings: dict  # top-level name -> ("def", qualname) | ("module", name) | ("from", module, attr)


class Project:
    """Finds and parses modules by name; caches parsed modules until their file changes."""

    def __init__(self, roots=None):
        self.roots = [os.path.abspath(r) for r in (roots if roots is not None else
                                                   [p or os.getcwd() for p in sys.path])]
        self.site, self.stdlib = _installed_roots()
        self._modules: dict[str, SourceModule | None] = {}
        self._by_path: dict[str, SourceModule] = {}
        self._stamps: dict[str, tuple] = {}
        self._texts: dict[str, str] = {}
        self.lock = threading.RLock()

    # A module is located the way the import system would, among the roots.
    def locate(self, name: str) -> str | None:
        parts = name.split(".")
        for root in self.roots:
            base = os.path.join(root, *parts)
            for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                if os.path.isfile(candidate):
                    return candidate
        return None

    def kind_of(self, path: str) -> str:
        real = _norm(path)
        if _under(real, self.site):
            return "dist"
        if _under(real, self.stdlib):
            return "stdlib"
        return "source"

    def module(self, name: str) -> SourceModule | None:
        with self.lock:
            if name in self._modules:
                return self._modules[name]
            path = self.locate(name)
            module = self.load(name, path) if path else None
            self._modules[name] = module
            return module

    def load(self, name: str, path: str, source: str | None = None) -> SourceModule | None:
        with self.lock:
            key = _norm(path)
            cached = self._by_path.get(key)
            if cached is not None and (source is None or self._texts.get(key) == source):
                return cached
            try:
                if source is None:
                    with open(path, encoding="utf-8") as handle:
                        source = handle.read()
                tree = ast.parse(source, filename=path)
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                return None
            module = SourceModule(name, path, tree, {}, {})
            _index(module, path.endswith("__init__.py"))
            self._by_path[key] = module
            self._stamps[key] = _stamp(path)
            self._texts[key] = source
            return module

    def refresh(self) -> None:
        """Forget modules whose file changed since it was read (long-lived watch builds)."""
        with self.lock:
            stale = [key for key, stamp in self._stamps.items() if _stamp(key) != stamp]
            for key in stale:
                del self._stamps[key]
                self._by_path.pop(key, None)
                self._texts.pop(key, None)
            if stale:
                self._modules.clear()


def _stamp(path: str):
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino


def _index(module: SourceModule, is_package: bool):
    package = module.name if is_package else module.name.rpartition(".")[0]

    def absolute(node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        base = package.split(".") if package else []
        if node.level > 1:
            base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(body, prefix, top):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + node.name
                module.defs[qualname] = node
                if top:
                    module.bindings[node.name] = ("def", qualname)
                visit(node.body, qualname + ".<locals>.", False)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, prefix + node.name + ".", False)
                if top:
                    module.bindings[node.name] = ("class", prefix + node.name)
            elif top and isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        module.bindings[alias.asname] = ("module", alias.name)
                    else:
                        top_name = alias.name.split(".")[0]
                        module.bindings[top_name] = ("module", top_name)
            elif top and isinstance(node, ast.ImportFrom):
                source = absolute(node)
                for alias in node.names:
                    if alias.name != "*":
                        module.bindings[alias.asname or alias.name] = ("from", source, alias.name)
            elif top and isinstance(node, (ast.If, ast.Try)):
                visit(node.body, prefix, top)
    visit(module.tree.body, "", True)


# -- callees and hashes -----------------------------------------------------------------

def _call_targets(fn: ast.AST):
    """Dotted names called anywhere in the function: ``f``, ``mod.f``, ``self.m``."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            parts = []
            target = node.func
            while isinstance(target, ast.Attribute):
                parts.append(target.attr)
                target = target.value
            if isinstance(target, ast.Name):
                parts.append(target.id)
                yield tuple(reversed(parts))


def _function_locals(fn) -> set[str]:
    names = set()
    args = fn.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            names.add(arg.arg)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not fn:
            names.add(node.name)
    return names


def _local_imports(fn) -> dict:
    found = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = ("module", alias.name)
                else:
                    found[alias.name.split(".")[0]] = ("module", alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = ("from", node.module, alias.name)
    return found


def _node_facts(node):
    """(major hash, locals, local imports, call targets) of a function node: they
    depend on the node alone, so they are kept on it while its module is cached
    (a long-lived watch rebuild then redoes only what a change touched)."""
    facts = getattr(node, "_desync_facts", None)
    if facts is None:
        facts = (major_hash(node), _function_locals(node), _local_imports(node),
                 tuple(_call_targets(node)))
        node._desync_facts = facts
    return facts


class Hasher:
    """Hashes functions of one project, memoising what does not depend on a cycle."""

    def __init__(self, project: Project):
        self.project = project
        self._memo: dict[tuple, FunctionHash] = {}

    def major(self, node) -> int:
        return _node_facts(node)[0]

    def of(self, module: SourceModule, qualname: str) -> FunctionHash:
        with self.project.lock:
            result, _ = self._hash(module, qualname, ())
            return result

    def _hash(self, module, qualname, stack):
        key = (module.path, qualname)
        memo = self._memo.get(key)
        if memo is not None:
            return memo, False
        node = module.defs[qualname]
        stack = stack + (key,)
        callees = {}
        cut = False
        for name, target in self.resolve_callees(module, qualname, node):
            if target[0] == "dist":
                callees[name] = hash64(b"dist:" + target[1].encode())
                continue
            _, callee_module, callee_qualname = target
            callee_key = (callee_module.path, callee_qualname)
            if callee_key in stack:  # recursion: the callee's own code stands for it
                callees[name] = self.major(callee_module.defs[callee_qualname])
                cut = True
                continue
            sub, sub_cut = self._hash(callee_module, callee_qualname, stack)
            cut = cut or sub_cut
            callees[name] = sub.transitive
        result = FunctionHash(self.major(node), tuple(sorted(callees.items())))
        if not cut:
            self._memo[key] = result
        return result, cut

    def resolve_callees(self, module: SourceModule, qualname: str, node):
        """[(display name, target)] with target ("source", module, qualname) or ("dist", id)."""
        _, local, imported, targets = _node_facts(node)
        class_prefix = qualname.rpartition(".")[0] if "." in qualname else ""
        found = {}
        for parts in targets:
            head = parts[0]
            if head in ("self", "cls") and len(parts) == 2 and class_prefix:
                method = f"{class_prefix}.{parts[1]}"
                if method in module.defs:
                    found[method] = ("source", module, method)
                continue
            if head in imported:
                target = self.resolve_binding(module, imported[head], parts, 0)
                if target is not None:
                    found[target[0]] = target[1]
                continue
            if head in local:
                nested = f"{qualname}.<locals>.{head}"
                if len(parts) == 1 and nested in module.defs:
                    continue  # a nested def is part of this function's own code
                continue
            target = self.resolve_name(module, parts)
            if target is not None:
                name, resolved = target
                found[name] = resolved
        # Callees of the same module are named by qualname alone, so a script run as
        # __main__ and the same file built as a module list them in the same order.
        named = {}
        for name, target in found.items():
            if target[0] == "source" and target[1] is module:
                name = target[2]
            named[name] = target
        return sorted(named.items())

    def resolve_name(self, module: SourceModule, parts, depth=0):
        if depth > 8:
            return None
        binding = module.bindings.get(parts[0])
        if binding is None:
            return None
        return self.resolve_binding(module, binding, parts, depth)

    def resolve_binding(self, module, binding, parts, depth):
        kind = binding[0]
        if kind == "def" and len(parts) == 1:
            return f"{module.name}.{binding[1]}", ("source", module, binding[1])
        if kind == "class" and len(parts) == 2:
            qualname = f"{binding[1]}.{parts[1]}"
            if qualname in module.defs:
                return f"{module.name}.{qualname}", ("source", module, qualname)
            return None
        if kind == "module":
            return self.resolve_in_module(binding[1], parts[1:], depth)
        if kind == "from":
            _, source, attr = binding
            submodule = f"{source}.{attr}" if source else attr
            if self.project.locate(submodule) or self._is_dist_module(submodule):
                return self.resolve_in_module(submodule, parts[1:], depth)
            return self.resolve_in_module(source, (attr, *parts[1:]), depth)
        return None

    def _is_dist_module(self, name):
        return False

    def resolve_in_module(self, module_name: str, attrs, depth):
        if not attrs or not module_name:
            return None
        # Longest module prefix first: pkg.sub.f -> module pkg.sub, attribute f.
        for cut in range(len(attrs) - 1, -1, -1):
            name = ".".join([module_name, *attrs[:cut]])
            rest = attrs[cut:]
            path = self.project.locate(name)
            if path is None:
                continue
            kind = self.project.kind_of(path)
            if kind == "stdlib":
                return None
            if kind == "dist":
                dist = distribution_of(name.split(".")[0])
                if dist is None:
                    return None
                return ".".join([name, *rest]), ("dist", dist)
            target = self.project.module(name)
            if target is None:
                return None
            return self.resolve_name_in(target, rest, depth + 1)
        top = module_name.split(".")[0]
        if top in sys.builtin_module_names or top in getattr(sys, "stdlib_module_names", ()):
            return None
        return None

    def resolve_name_in(self, module, rest, depth):
        if not rest:
            return None
        if len(rest) == 1 and rest[0] in module.defs:
            return f"{module.name}.{rest[0]}", ("source", module, rest[0])
        return self.resolve_name(module, list(rest), depth)
