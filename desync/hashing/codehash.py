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
import io
import os
import sys
import sysconfig
import threading
import tokenize
from dataclasses import dataclass

from ..literals import stable_repr
from .hashes import FunctionHash, hash64  # noqa: F401  (re-exported)

HASH_FORMAT = b"desync-codehash-1"  # bump if the canonical form changes
# Top-level modules of the standard library of any supported Python (3.10-3.13), so
# that what counts as third-party does not depend on the running version.
_STDLIB = frozenset(sys.stdlib_module_names) | {
    "tomllib", "distutils", "imp", "asynchat", "asyncore", "smtpd", "aifc", "audioop",
    "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib",
    "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
    "lib2to3", "__future__"}
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
    defs: dict         # qualname -> FunctionDef (the last definition of that name)
    bindings: dict     # top-level name -> [binding, ...], every definition in source order:
    #                    ("def", qualname) | ("class", qualname) | ("const",) |
    #                    ("module", name) | ("from", module, attr)
    variants: dict = None    # qualname -> [FunctionDef, ...] (all definitions)
    classes: dict = None     # qualname -> ClassDef
    constants: dict = None   # top-level name -> [statement, ...] that assign it


_DESYNC = _norm(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Project:
    """Finds and parses modules by name; caches parsed modules until their file changes.

    ``source_roots``: the folders of the project's own code. A module found
    elsewhere on the path (another checkout on PYTHONPATH, an editable install,
    desync itself) is "outside": versions leave it out, as they leave out installed
    distributions, so they depend on the project's own source alone.
    """

    def __init__(self, roots=None, source_roots=None):
        self.roots = [os.path.abspath(r) for r in (roots if roots is not None else
                                                   [p or os.getcwd() for p in sys.path])]
        self.source_roots = None if source_roots is None else [_norm(r) for r in source_roots]
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
        if _under(real, [_DESYNC]) or (self.source_roots is not None
                                        and not _under(real, self.source_roots)):
            return "outside"
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
                    with io.open(path, "rb") as handle:
                        data = handle.read()
                    # As Python reads a source: a BOM or a coding cookie names the encoding.
                    source = data.decode(tokenize.detect_encoding(io.BytesIO(data).readline)[0])
                tree = ast.parse(source, filename=path)
            except (OSError, SyntaxError, UnicodeDecodeError, LookupError, ValueError):
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
    """Every module-level definition of every name, including those under
    ``if``/``try``/``with`` (``try: from fast import f`` / ``except: def f(...)``)."""
    package = module.name if is_package else module.name.rpartition(".")[0]
    module.variants, module.classes, module.constants = {}, {}, {}

    def absolute(node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        base = package.split(".") if package else []
        if node.level > 1:
            base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def bind(name, binding):
        module.bindings.setdefault(name, []).append(binding)

    def functions(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + node.name
                module.defs[qualname] = node
                module.variants.setdefault(qualname, []).append(node)
                functions(node.body, qualname + ".<locals>.")
            elif isinstance(node, ast.ClassDef):
                module.classes[prefix + node.name] = node
                functions(node.body, prefix + node.name + ".")
            else:
                functions(_sub_bodies(node), prefix)

    def top(body):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                bind(node.name, ("def", node.name))
            elif isinstance(node, ast.ClassDef):
                bind(node.name, ("class", node.name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bind(alias.asname, ("module", alias.name))
                    else:
                        bind(alias.name.split(".")[0], ("module", alias.name.split(".")[0]))
            elif isinstance(node, ast.ImportFrom):
                source = absolute(node)
                for alias in node.names:
                    if alias.name != "*":
                        bind(alias.asname or alias.name, ("from", source, alias.name))
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if isinstance(node, ast.AnnAssign) and node.value is None:
                    continue
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            if sub.id not in module.constants:
                                bind(sub.id, ("const",))
                            module.constants.setdefault(sub.id, []).append(node)
            else:
                top(_sub_bodies(node))

    functions(module.tree.body, "")
    top(module.tree.body)


def _sub_bodies(node) -> list:
    """The statements nested in a compound statement that run in its own scope."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    out = []
    for field in ("body", "orelse", "finalbody"):
        out.extend(getattr(node, field, None) or ())
    for part in getattr(node, "handlers", None) or ():
        out.extend(part.body)
    for part in getattr(node, "cases", None) or ():
        out.extend(part.body)
    return [n for n in out if isinstance(n, ast.stmt)]


# -- what a function's code refers to --------------------------------------------------

def _references(fn: ast.AST):
    """(dotted name, called) of every maximal ``a.b.c`` chain the function reads."""
    found = []

    def chain(node):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            parts.append(node.id)
            return tuple(reversed(parts))
        return None

    def visit(node, parent):
        if isinstance(node, (ast.Attribute, ast.Name)) and not (
                isinstance(parent, ast.Attribute) and parent.value is node):
            parts = chain(node)
            if parts is not None:
                found.append((parts, isinstance(parent, ast.Call) and parent.func is node))
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.arg):   # annotations do not run the code
                visit(child, node)

    # The body, defaults and decorators run; annotations and @desync itself do not count.
    for decorator in fn.decorator_list:
        if not _marks_desync(decorator):
            visit(decorator, fn)
    for default in [*fn.args.defaults, *(d for d in fn.args.kw_defaults if d is not None)]:
        visit(default, fn.args)
    for statement in fn.body:
        visit(statement, fn)
    return found


def _function_locals(fn) -> set[str]:
    names = set()
    args = fn.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            names.add(arg.arg)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node is not fn:
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
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


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            and all(p.isidentifier() for p in node.value.split(".")):
        return tuple(node.value.split("."))   # a string annotation: "Aggregator"
    return None


def _typed_locals(fn) -> dict:
    """name -> ("new", dotted class) | ("annotated", dotted class): locals whose class is
    certain from the code alone. A local bound any other way, anywhere, is left out."""
    stores: dict[str, list] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    value = node.value
                    made = _dotted(value.func) if isinstance(value, ast.Call) else None
                    stores.setdefault(target.id, []).append(("new", made) if made else None)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            stores.setdefault(node.target.id, []).append(None)
    typed = {}
    for name, kinds in stores.items():
        if None not in kinds and len(set(kinds)) == 1:
            typed[name] = kinds[0]
    # A name stored in any other way (loop target, with ... as, augmented, nested
    # scope) is not certain: count every Store of it against the assignments.
    counts: dict[str, int] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    typed = {n: k for n, k in typed.items() if counts.get(n) == len(stores[n])}
    args = fn.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    for arg in params:
        if arg.annotation is not None and counts.get(arg.arg, 0) == 0:
            cls = _dotted(arg.annotation)
            if cls:
                typed[arg.arg] = ("annotated", cls)
        elif arg.arg in typed:
            del typed[arg.arg]   # a parameter rebound by a constructor: not certain
    return typed


def _node_facts(node):
    """What a function node's callees are found from; it depends on the node alone,
    so it is kept on it while its module is cached (a long-lived watch rebuild then
    redoes only what a change touched)."""
    facts = getattr(node, "_desync_facts", None)
    if facts is None:
        facts = (major_hash(node), _function_locals(node), _local_imports(node),
                 tuple(_references(node)), _typed_locals(node))
        node._desync_facts = facts
    return facts


# -- callees and hashes -----------------------------------------------------------------

class Hasher:
    """Hashes functions of one project, memoising what does not depend on a cycle.

    ``third_party``: whether functions of installed distributions count, as
    ``name==version``. Versions and the lockfile leave them out (they depend only
    on the project's own source); the call cache's code keys include them.
    """

    def __init__(self, project: Project, third_party: bool = True):
        self.project = project
        self.third_party = third_party
        self._memo: dict[tuple, FunctionHash] = {}
        self._callees: dict[tuple, list] = {}
        self._foreign: dict[tuple, frozenset] = {}   # (path, qualname) -> top-level names
        self._foreign_now: set = set()

    def major(self, module, qualname) -> int:
        nodes = module.variants.get(qualname) or [module.defs[qualname]]
        if len(nodes) == 1:
            return _node_facts(nodes[0])[0]
        # Several definitions of one name (under if/else): each one counts.
        return hash64(b"variants:" + b",".join(b"%d" % _node_facts(n)[0] for n in nodes))

    def of(self, module: SourceModule, qualname: str) -> FunctionHash:
        with self.project.lock:
            return self._hash(module, qualname)

    def _hash(self, module, qualname) -> FunctionHash:
        """Tarjan's strongly connected components over the call graph, callees first:
        every function is hashed once (a dense web of mutual calls stays linear).

        A function outside any cycle hashes its callees' transitive hashes. In a cycle
        every member reaches every other, so a callee in the same cycle stands as the
        hash of the whole cycle (its members' own code and what the cycle calls out
        to): a change anywhere in it moves every member. A function calling only
        itself stands for itself by its own code."""
        root = (module.path, qualname)
        memo = self._memo.get(root)
        if memo is not None:
            return memo
        where = {root: (module, qualname)}
        index, low, on_stack, stack_nodes = {}, {}, set(), []
        work = [(root, None)]
        edges: dict = {}
        while work:
            key, children = work[-1]
            if children is None:
                index[key] = low[key] = len(index)
                stack_nodes.append(key)
                on_stack.add(key)
                targets = []
                for _, target in self.resolve_callees(*where[key]):
                    if target[0] == "def":
                        child = (target[1].path, target[2])
                        where.setdefault(child, (target[1], target[2]))
                        if child not in self._memo:
                            targets.append(child)
                edges[key] = targets
                children = iter(targets)
                work[-1] = (key, children)
            for child in children:
                if child not in index:
                    work.append((child, None))
                    break
                if child in on_stack:
                    low[key] = min(low[key], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[key])
                if low[key] == index[key]:
                    members = []
                    while True:
                        member = stack_nodes.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == key:
                            break
                    self._hash_component(members, where)
        return self._memo[root]

    def _hash_component(self, members, where):
        inside = set(members)
        cycle = None
        if len(members) > 1:
            parts = []
            for key in sorted(members):
                module, qualname = where[key]
                parts.append(b"%s:%d" % (qualname.encode(), self.major(module, qualname)))
                for name, target in self.resolve_callees(module, qualname):
                    if target[0] == "def" and (target[1].path, target[2]) in inside:
                        continue
                    parts.append(b"%s=%d" % (name.encode(), self._callee_hash(target)))
            cycle = hash64(b"cycle:" + b",".join(parts))
        for key in members:
            module, qualname = where[key]
            callees = {}
            for name, target in self.resolve_callees(module, qualname):
                if target[0] == "def" and (target[1].path, target[2]) in inside:
                    callees[name] = cycle if cycle is not None else \
                        self.major(target[1], target[2])  # calls only itself
                else:
                    callees[name] = self._callee_hash(target)
            self._memo[key] = FunctionHash(self.major(module, qualname),
                                           tuple(sorted(callees.items())))

    def _callee_hash(self, target) -> int:
        kind = target[0]
        if kind == "dist":
            return hash64(b"dist:" + target[1].encode())
        if kind == "const":
            return self.constant(target[1], target[2])
        return self._memo[(target[1].path, target[2])].transitive

    def constant(self, module, name) -> int:
        """The hash of the statements that assign a module-level name."""
        return hash64(b"const:" + b"\0".join(canonical(s) for s in module.constants[name]))

    def reaches(self, module: SourceModule, qualname: str):
        """({name: own code hash}, {name: (direct callee, ...)}) of every function and
        constant of the project this function reaches, and through which of its own
        callees: what a reviewer needs to see which code changed."""
        with self.project.lock:
            own, via = {}, {}
            root = (module.path, qualname)
            for first_name, first in self.resolve_callees(module, qualname):
                if first[0] == "dist":
                    continue
                queue, seen = [first], {root}
                while queue:
                    target = queue.pop()
                    key = (target[1].path, target[2])
                    if key in seen:
                        continue
                    seen.add(key)
                    name = self._display(module, target)
                    via.setdefault(name, set()).add(first_name)
                    if target[0] == "const":
                        own[name] = self.constant(target[1], target[2])
                        continue
                    own[name] = self.major(target[1], target[2])
                    queue.extend(t for _, t in self.resolve_callees(target[1], target[2])
                                 if t[0] != "dist")
            return own, {name: tuple(sorted(names)) for name, names in via.items()}

    @staticmethod
    def _display(module, target) -> str:
        # Callees of the same module are named by qualname alone, so a script run
        # as __main__ and the same file built as a module name them alike.
        if target[1] is module:
            return target[2]
        return f"{target[1].name}.{target[2]}"

    def resolve_callees(self, module: SourceModule, qualname: str):
        """[(display name, target)], sorted, where target is ("def", module, qualname),
        ("const", module, name) or ("dist", "name==version")."""
        key = (module.path, qualname)
        cached = self._callees.get(key)
        if cached is not None:
            return cached
        found = {}
        self._foreign_now = set()
        nodes = module.variants.get(qualname) or [module.defs[qualname]]
        for node in nodes:
            for target in self._targets(module, qualname, node):
                if target[0] == "dist":
                    if self.third_party:
                        found[target[2]] = ("dist", target[1])
                else:
                    found[self._display(module, target)] = target
        result = sorted(found.items())
        self._callees[key] = result
        self._foreign[key] = frozenset(self._foreign_now)
        return result

    def third_party_of(self, module: SourceModule, qualname: str) -> tuple:
        """Top-level names of the modules outside the project and the standard
        library that this function reaches (``("numpy",)``), from the source alone:
        the same whether they are installed or not. Built code carries them, so the
        call cache can key calls by their installed versions at run time."""
        with self.project.lock:
            names, seen, queue = set(), set(), [("def", module, qualname)]
            while queue:
                _, where, name = queue.pop()
                key = (where.path, name)
                if key in seen:
                    continue
                seen.add(key)
                callees = self.resolve_callees(where, name)
                names |= self._foreign[key]
                queue.extend(t for _, t in callees if t[0] == "def")
            return tuple(sorted(names))

    def _targets(self, module, qualname, node):
        _, local, imported, references, typed = _node_facts(node)
        typed = dict(typed)
        typed.update(self._self_type(module, qualname, node))
        for parts, called in references:
            head, attrs = parts[0], parts[1:]
            if head in typed:
                kind, cls = typed[head]
                classes = [cls] if kind != "new" and kind != "annotated" else \
                    [e for e in self._lookup(module, cls) if e[0] == "class"]
                if len(classes) != 1:
                    continue   # not certain which class: not tracked
                if kind == "class_of":   # cls in a classmethod: the class itself
                    entities = self._descend(classes[0], attrs)
                elif attrs:              # an instance: its methods
                    entities = self._method(classes[0], attrs[0])
                else:
                    continue
            elif head in imported:
                entities = self._descend(self._binding(module, imported[head], head), attrs)
            elif head in local:
                continue
            else:
                entities = self._lookup(module, parts)
            for entity in entities:
                if entity[0] in ("def", "const", "dist"):
                    yield entity
                elif entity[0] == "class" and called:
                    # A constructor call runs __new__ and __init__.
                    yield from self._method(entity, "__new__")
                    yield from self._method(entity, "__init__")

    def _self_type(self, module, qualname, node) -> dict:
        """``self`` (or ``cls``) of a method: the class it is defined in."""
        owner = qualname.rpartition(".")[0]
        if not owner or owner not in module.classes:
            return {}
        args = [*node.args.posonlyargs, *node.args.args]
        if not args:
            return {}
        decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
        if "staticmethod" in decorators:
            return {}
        kind = "class_of" if "classmethod" in decorators else "self"
        return {args[0].arg: (kind, ("class", module, owner))}

    # Resolution: a dotted name -> the entities it may be, following imports across
    # the project: ("def" | "class" | "const", module, name), ("module", name),
    # ("dist", "name==version", dotted name). Every definition of a name counts.
    def _lookup(self, module, parts, depth=0) -> list:
        out = []
        for binding in module.bindings.get(parts[0], ()):
            out.extend(self._descend(self._binding(module, binding, parts[0], depth),
                                     parts[1:], depth))
        return out

    def _binding(self, module, binding, name, depth=0):
        kind = binding[0]
        if kind in ("def", "class"):
            return (kind, module, binding[1])
        if kind == "const":
            return ("const", module, name)
        if kind == "module":
            return ("module", binding[1])
        _, source, attr = binding   # from source import attr
        submodule = f"{source}.{attr}" if source else attr
        if self._kind(submodule) is not None:
            return ("module", submodule)
        return ("attribute", source, attr)

    def _descend(self, entity, attrs, depth=0) -> list:
        if depth > 8:
            return []
        kind = entity[0]
        if kind == "attribute":    # from module import name: name in that module
            return self._in_module(entity[1], (entity[2], *attrs), depth + 1)
        if kind == "module":
            return self._in_module(entity[1], attrs, depth + 1) if attrs else [entity]
        if kind == "class" and attrs:
            return self._method(entity, attrs[0])
        if kind == "dist" and attrs:
            return [("dist", entity[1], ".".join([entity[2], *attrs]))]
        return [entity]

    def _in_module(self, name, attrs, depth):
        if not attrs or not name or depth > 8:
            return []
        submodule = f"{name}.{attrs[0]}"
        if self._kind(submodule) is not None:
            return self._descend(("module", submodule), attrs[1:], depth)
        kind = self._kind(name)
        if kind != "source" and name.split(".")[0] not in _STDLIB:
            self._foreign_now.add(name.split(".")[0])
        if kind == "dist" and self.third_party:
            dist = distribution_of(name.split(".")[0])
            return [("dist", dist, ".".join([name, *attrs]))] if dist else []
        if kind != "source" and not (kind == "outside" and self.third_party):
            return []
        module = self.project.module(name)
        return self._lookup(module, attrs, depth + 1) if module is not None else []

    def _kind(self, name):
        path = self.project.locate(name) if name else None
        return None if path is None else self.project.kind_of(path)

    def _method(self, cls, name, seen=None):
        """The method ``name`` of a project class, looked up through its project bases."""
        _, module, qualname = cls
        seen = seen if seen is not None else set()
        if (module.path, qualname) in seen:
            return []
        seen.add((module.path, qualname))
        method = f"{qualname}.{name}"
        if method in module.defs:
            return [("def", module, method)]
        node = module.classes.get(qualname)
        for base in (node.bases if node is not None else ()):
            parts = _dotted(base)
            if not parts:
                continue
            for found in self._lookup(module, parts):
                if found[0] == "class":
                    result = self._method(found, name, seen)
                    if result:
                        return result
        return []
