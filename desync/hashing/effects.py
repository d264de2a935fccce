"""What a function does besides computing a value, inferred from its source.

``infer(fn)`` (a live function) and ``infer_def(hasher, module, qualname)`` (a
parsed one, for builds) return ``desync.runtime.effects.Facts``:

- **The outside world**: every call in the body is resolved the way code hashes
  resolve callees (``codehash.Hasher``): functions of the project are inferred in
  turn (transitively, cycles cut), library calls are looked up in the one table
  (``desync.runtime.effects.listed_facts``), methods named like file operations
  (``read_text``, ``write_bytes``...) count as file access whatever their object.
  Anything unknown (C extensions, unlisted packages) is pure.
- **Program state**: assigning a ``global`` or ``nonlocal`` name, mutating a
  module-level object (item or attribute assignment, ``del``, augmented
  assignment, or a method not known to be read-only), or calling a module-level
  value that may be a bound method (``add = LOG.append``) touches
  ``WORLD_STATE``. The kind stays ``PURE`` (the engine runs it as a call: the
  user promises callees share no hidden state), but it is not cacheable: a hit
  would skip the change.
- **Parameters it mutates** (``Facts.mutates``, by position and name): item or
  attribute assignment on a parameter (or a local bound to part of it), ``del``,
  augmented assignment of ``p.x`` / ``p[i]``, a method call on it not known to be
  read-only (``append``, ``update``, ``sort``... and anything unknown), or passing
  it where a callee mutates its parameter.

The result is conservative for the cache: when in doubt, a parameter is mutated.
"""
from __future__ import annotations

import ast
import builtins
import functools
import os
import sys
import threading
from types import BuiltinFunctionType, FunctionType, ModuleType

from ..runtime import effects as table
from ..runtime.reach import _in_project
from ..runtime.effects import EFFECT, PURE, READS, Facts

_RANK = {PURE: 0, READS: 1, EFFECT: 2}
_BUILTIN_MUTABLES = frozenset({"dict", "list", "set", "bytearray", "object"})
_lock = threading.RLock()
# os.path is posixpath or ntpath at run time; the table lists it under both names.
_MODULE_ALIASES = {"os.path": "os.path"}


def infer(fn) -> Facts | None:
    """Facts of a live function from its source file; None if the source is unreadable."""
    from .live import live_hasher, module_name_for
    if fn.__code__.co_name == "<lambda>":
        return None
    hasher = live_hasher()
    original = getattr(fn, "__desync_original__", fn)
    spec = getattr(fn, "__desync_spec__", None)
    source = spec.source_info[1].source if spec is not None and spec.source_info else None
    module = hasher.project.load(module_name_for(fn), original.__code__.co_filename, source)
    if module is None:
        return None
    qualname = defined_qualname(original, module.defs)
    if qualname is None:
        return None
    return infer_def(hasher, module, qualname)


def defined_qualname(fn, defs):
    """The qualified name ``fn``'s code was defined under, among ``defs``. Not simply
    ``fn.__qualname__``: ``functools.wraps`` copies the wrapped function's onto a
    wrapper, whose own code (what it prints, what it logs) is elsewhere."""
    code = fn.__code__
    qualname = getattr(code, "co_qualname", None) or fn.__qualname__
    if qualname.rpartition(".")[2] == code.co_name and qualname in defs:
        return qualname
    # (3.10 has no co_qualname: the def of that name that starts on the code's line.)
    for candidate, node in defs.items():
        if getattr(node, "name", None) == code.co_name and code.co_firstlineno in (
                node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))):
            return candidate
    return None


def infer_source(source: str, filename: str, qualname: str) -> Facts | None:
    """Facts of the function ``qualname`` defined in ``source`` (the text of the file
    ``filename``), for ``desync explain``; None if it is not defined there."""
    import os
    from .live import live_hasher
    hasher = live_hasher()
    name = os.path.splitext(os.path.basename(filename))[0] or "__main__"
    module = hasher.project.load(name, filename, source)
    if module is None or qualname not in module.defs:
        return None
    return infer_def(hasher, module, qualname)


def infer_def(hasher, module, qualname) -> Facts:
    with _lock:
        memo = _memo_for(hasher)
        return _Inferrer(hasher, memo).facts(module, qualname, ())


def _memo_for(hasher):
    """Facts of functions, kept on the hasher: they live as long as its hashes."""
    memo = getattr(hasher, "_desync_effects", None)
    if memo is None:
        memo = hasher._desync_effects = {}
    return memo


def encode(facts: Facts) -> tuple:
    """A literal form of facts, for built modules (``__desync_facts__``)."""
    return (facts.kind, tuple(sorted(facts.world)),
            tuple(sorted(facts.mutates, key=lambda m: (isinstance(m, str), str(m)))),
            facts.reason)


def _params(node):
    """[(position or None, name)] of a def's parameters."""
    args = node.args
    found = []
    for index, arg in enumerate([*args.posonlyargs, *args.args]):
        found.append((index, arg.arg))
    for arg in args.kwonlyargs:
        found.append((None, arg.arg))
    return found


def _method_owners(node) -> set:
    """The names whose attributes a dict, list, tuple or set display holds
    (``{"a": self.on_a, "b": self.on_b}``): bound methods, called later by key."""
    if isinstance(node, ast.Dict):
        items = node.values
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = node.elts
    else:
        return set()
    return {_root(item) for item in items if isinstance(item, ast.Attribute)} - {None}


def _is_getattr(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "getattr" and bool(node.args) \
        and isinstance(node.args[0], (ast.Name, ast.Attribute))


_DISPATCH = Facts(EFFECT, table.WORLD_ALL, reason="calls a method found by name")


def _through(node):
    """``x`` for ``type(x)`` and ``vars(x)``: a change through them changes ``x``
    (``type(self).count += 1``, ``vars(o)["a"] = v``); else ``node``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in ("type", "vars") and len(node.args) == 1 and not node.keywords:
        return node.args[0]
    return node


def _root(node):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == "vars":
        node = _through(node)   # (not ``type(x)`` itself: ``type(x).mro()`` reads)
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = _through(node.value)
    return node.id if isinstance(node, ast.Name) else None


def _is_super(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "super"


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return None


def _made_from_own_classes(node, module) -> set:
    """Local names every assignment of which is ``Name(...)`` for a class ``Name`` the
    module defines at its top level (not a parameter, not anything else)."""
    made, other = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign) and len(sub.targets) == 1 \
                and isinstance(sub.targets[0], ast.Name):
            value = sub.value
            own = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                and value.func.id in module.classes
            (made if own else other).add(sub.targets[0].id)
        elif isinstance(sub, (ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr,
                              ast.comprehension)):
            for target in ast.walk(getattr(sub, "target", sub)):
                if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store):
                    other.add(target.id)
    params = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)} \
        if hasattr(node, "args") else set()
    return made - other - params


def _names_a_module(node, imported, module) -> bool:
    """Is ``node`` (``cf`` in ``cf.wait(fs)``, ``concurrent.futures``) a module, the
    whole dotted path of it (``other.EV`` is an object of the module ``other``)?"""
    parts = _dotted(node)
    if not parts:
        return False
    name = parts[0]
    bindings = [imported[name]] if name in imported else module.bindings.get(name, ())
    for binding in bindings:
        if binding[0] not in ("module", "from"):
            continue
        if ".".join((*binding[1:], *parts[1:])) in sys.modules:
            return True
    return False


def _imported_object(module, name, through_attribute) -> bool:
    """Is ``name`` an object another module holds, imported from it by name (``from
    settings import SEEN``, then ``SEEN.append(x)`` changes that module's state)? Not a
    module, a function, or a class (unless what is changed is something the class
    holds, ``Config.tags.append(t)``, not ``Config.create(x)``)."""
    bindings = module.bindings.get(name, ())
    if len(bindings) != 1 or bindings[0][0] != "from":
        return False
    source, attribute = bindings[0][1], bindings[0][2]
    if f"{source}.{attribute}" in sys.modules:
        return False
    held = sys.modules.get(source)
    if held is None or not _in_project(vars(held)):
        return False   # (``from sys import stdout``: the standard library's, known by name)
    value = vars(held).get(attribute)
    if value is None or isinstance(value, _CODE_VALUES):
        return False
    if issubclass(type(value), type):
        return through_attribute
    return not isinstance(value, _IMMUTABLE_VALUES)


# What a module's name may hold that no change through it can touch: code, and values
# that cannot change.
_CODE_VALUES = (FunctionType, BuiltinFunctionType, ModuleType)
_IMMUTABLE_VALUES = (int, float, complex, str, bytes, bool, tuple, frozenset)


def _object_of_a_module(module, node) -> bool:
    """Is ``node`` (``settings.SEEN`` in ``settings.SEEN.append(x)``) a mutable object
    an imported module holds, reached through the module's name?"""
    if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
        return False
    bindings = module.bindings.get(node.value.id, ())
    if len(bindings) != 1 or bindings[0][0] != "module":
        return False
    held = sys.modules.get(bindings[0][1])
    if held is None or not _in_project(vars(held)):
        return False   # (``sys.__stdout__.write``: the standard library's, known by name)
    value = vars(held).get(node.attr)
    return value is not None and not isinstance(
        value, (*_CODE_VALUES, type, *_IMMUTABLE_VALUES))


def _module_objects(module) -> set:
    found = getattr(module, "_desync_objects", None)
    if found is None:
        found = set()
        for node in module.tree.body:
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                targets = [node.target]
            for target in targets:
                # (names bound: ``A = ...``, ``A, B = ...``; not ``hit.hooks = ...``,
                # which binds no name)
                stack = [target]
                while stack:
                    sub = stack.pop()
                    if isinstance(sub, ast.Name):
                        found.add(sub.id)
                    elif isinstance(sub, (ast.Tuple, ast.List)):
                        stack.extend(sub.elts)
                    elif isinstance(sub, ast.Starred):
                        stack.append(sub.value)
        module._desync_objects = found
    return found


def _module_values(module) -> dict:
    """Module-level names assigned exactly once, to the expression they are bound to."""
    found = getattr(module, "_desync_values", None)
    if found is None:
        found, seen = {}, set()
        for node in module.tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name in seen:
                    found.pop(name, None)
                else:
                    found[name] = node.value
                seen.add(name)
        module._desync_values = found
    return found


# Calls whose result is (an item of) the object they are called on: a change through
# it changes that object (``OPTS.get(k).append(v)``, ``for row in TABLE.values()``).
_ITEM_ACCESSORS = frozenset({"get", "setdefault", "values", "items", "pop", "popitem",
                             "__getitem__"})
# Builtins giving the items of what they are given, for a ``for`` loop's target.
_ITEMS_OF = frozenset({"list", "tuple", "sorted", "reversed", "iter", "enumerate", "zip",
                       "filter"})
# Builtins making a new container of the same items (a change to an item is shared).
_COPIES = frozenset({"dict", "set", "frozenset"})
# Library functions giving the items of what they are given (by their last name).
_LIBRARY_ITEMS_OF = frozenset({"chain", "islice", "deque", "compress", "takewhile",
                               "dropwhile", "cycle"})


def _last_name(func):
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else None


def _unpacked(target, value):
    """(target, expression, items meant) for an assignment: ``s, t = LOG, TABLE``
    pairwise; ``s, *rest = things`` each name from the items of ``things``."""
    if isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) \
                and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts)):
            return [pair for t, v in zip(target.elts, value.elts) for pair in _unpacked(t, v)]
        return [(target, value, True)]
    if isinstance(target, ast.Starred):
        return [(target.value, value, True)]
    return [(target, value, False)]


def rebound_or_changed_names(module) -> frozenset:
    """The module-level names the module's own code rebinds or changes in place."""
    found = getattr(module, "_desync_changed", None)
    if found is None:
        from ..compiler.analyse import module_objects, rebound_or_changed
        found = module._desync_changed = rebound_or_changed(module.tree,
                                                            module_objects(module.tree))
    return found


def _names_a_mutating_method(call) -> bool:
    """``getattr(obj, "append")``: a constant name of a method that changes its object
    (not ``getattr(module, "plus_" + kind)``, a function found by name)."""
    return len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) \
        and call.args[1].value in table.MUTATING_METHODS


def _immutable_value(expr) -> bool:
    """Is a module-level name bound to a literal that cannot change (``FMT = "..."``)?"""
    if isinstance(expr, ast.Constant) or isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.Tuple):
        return all(isinstance(item, ast.Constant) for item in expr.elts)
    return False


class _StateNames:
    """Which expressions of one function may give an object module state holds, so
    that a change made through them changes module state: the module's objects and
    classes, objects of the project's modules, and the locals bound to any of them
    (``s = LOG``, ``(s := LOG)``, ``dst = dst or LOG``, ``seen = getattr(settings,
    "SEEN")``, ``log = get_log()`` returning ``LOG``, ``row = TABLE[k]``, ``for row in
    TABLE.values()``). Without this, ``s = LOG; s.append(x)`` was judged pure: cached
    (a second call skipped the change) and run before reads of ``LOG`` before it."""

    def __init__(self, module, node, local, params, declared, objects, classes, imported,
                 depth=0, self_held=frozenset()):
        self.module = module
        self.local = local
        self.params = params
        self.declared = declared
        self.objects = objects
        self.classes = classes
        self.imported = imported
        self.depth = depth
        self.self_held = self_held   # (``self.log`` where a method did ``self.log = LOG``)
        self.owner = _params(node)[0][1] if self_held and _params(node) else None
        self.held = set()        # locals that may be module state
        self.items = set()       # locals whose items may be (a copy of a table, a display)
        self.bound = set()       # locals bound to a method of module state (``add = LOG.append``)
        self.item_of = {}        # a loop's target -> what it iterates (``for hook in HOOKS``)
        self._bind_aliases(node)

    def _bind_aliases(self, node):
        bindings = []   # (target, expression, whether its items are meant)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    bindings.extend(_unpacked(target, sub.value))
            elif isinstance(sub, ast.AnnAssign) and sub.value is not None:
                bindings.extend(_unpacked(sub.target, sub.value))
            elif isinstance(sub, ast.NamedExpr):
                bindings.append((sub.target, sub.value, False))
            elif isinstance(sub, (ast.For, ast.AsyncFor, ast.comprehension)):
                bindings.append((sub.target, sub.iter, True))
                if isinstance(sub.target, ast.Name):
                    self.item_of[sub.target.id] = sub.iter
            elif isinstance(sub, (ast.With, ast.AsyncWith)):
                for item in sub.items:
                    if item.optional_vars is not None:
                        # (``with nullcontext(LOG) as s``: a manager may give what it holds)
                        bindings.append((item.optional_vars, item.context_expr, "with"))
            elif isinstance(sub, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
                # (``lambda s=LOG: s.append(x)``, ``def note(x, out=LOG)``: a default is
                # what the parameter holds when it is not given)
                arguments = sub.args
                positional = [*arguments.posonlyargs, *arguments.args]
                pairs = [*zip(positional[len(positional) - len(arguments.defaults):],
                              arguments.defaults),
                         *((a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)
                           if d is not None)]
                bindings.extend((ast.Name(id=arg.arg, ctx=ast.Store()), default, False)
                                for arg, default in pairs)
        changed = True
        while changed:   # (``first = LOG; second = first``: until nothing is added)
            changed = False
            for target, expr, items in bindings:
                names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
                if items == "with":
                    held = self.holds(expr) or isinstance(expr, ast.Call) and any(
                        self.holds(arg) for arg in (*expr.args, *(k.value for k in expr.keywords)))
                else:
                    held = self.items_held(expr) if items else self.holds(expr)
                if held and not names <= self.held:
                    self.held |= names
                    changed = True
                elif not held and not items and not names <= self.items | self.held \
                        and self.items_held(expr):
                    self.items |= names
                    changed = True
                if not items and isinstance(target, ast.Name) and target.id not in self.bound and (
                        isinstance(expr, ast.Attribute)
                        and expr.attr not in table.READ_ONLY_METHODS
                        and self.holds(expr.value)
                        or _is_getattr(expr) and self.holds(expr.args[0])
                        and _names_a_mutating_method(expr)):
                    self.bound.add(target.id)   # (``add = LOG.append``, ``getattr(LOG, m)``)
                    changed = True

    def items_held(self, expr, depth=0) -> bool:
        """May the items of ``expr`` (what iterating or indexing it gives) be objects of
        module state? Those of state, of a copy of it (``dict(TABLE)``, ``TABLE.copy()``:
        the rows are shared), of a display or comprehension holding some."""
        if depth > 30:
            return False
        if self.holds(expr, depth + 1):
            return True
        if isinstance(expr, ast.Name):
            return expr.id in self.items
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return any(self.holds(e.value if isinstance(e, ast.Starred) else e, depth + 1)
                       or isinstance(e, ast.Starred) and self.items_held(e.value, depth + 1)
                       for e in expr.elts)
        if isinstance(expr, ast.Dict):
            return any(self.holds(value, depth + 1) for value in expr.values)
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self.holds(expr.elt, depth + 1)
        if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Slice):
            return self.items_held(expr.value, depth + 1)   # (``ROWS[:]``)
        if isinstance(expr, ast.DictComp):
            return self.holds(expr.value, depth + 1)
        if isinstance(expr, (ast.IfExp, ast.BoolOp)):
            parts = [expr.body, expr.orelse] if isinstance(expr, ast.IfExp) else expr.values
            return any(self.items_held(part, depth + 1) for part in parts)
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name) and func.id in _ITEMS_OF | _COPIES \
                    and func.id not in self.local and func.id not in self.module.bindings:
                return any(self.items_held(arg, depth + 1) for arg in expr.args)
            if _last_name(func) in _LIBRARY_ITEMS_OF:
                # (``itertools.chain(TABLE.values())``, ``deque([LOG])``)
                return any(self.items_held(arg, depth + 1) for arg in expr.args)
            if isinstance(func, ast.Attribute) and (
                    func.attr in ("copy", "values", "items", "keys")
                    or func.attr == "copy" and _dotted(func.value) == ("copy",)):
                if func.attr == "copy" and _dotted(func.value) == ("copy",):
                    return any(self.items_held(arg, depth + 1) for arg in expr.args)
                return self.items_held(func.value, depth + 1)
        return False

    def holds(self, expr, depth=0) -> bool:
        """May ``expr`` give an object module state holds (or a part of one)?"""
        if depth > 30:
            return False
        if isinstance(expr, ast.NamedExpr):
            return self.holds(expr.value, depth + 1)
        if isinstance(expr, ast.IfExp):
            return self.holds(expr.body, depth + 1) or self.holds(expr.orelse, depth + 1)
        if isinstance(expr, ast.BoolOp):
            return any(self.holds(value, depth + 1) for value in expr.values)
        if isinstance(expr, ast.Name):
            return self._name_holds(expr.id)
        if isinstance(expr, ast.Attribute):
            base = expr.value
            if isinstance(base, ast.Name) and self._is_module(base.id):
                return expr.attr == "__dict__" or self._module_attribute_holds(base.id, expr.attr)
            if isinstance(base, ast.Name) and base.id == self.owner and expr.attr in self.self_held:
                return True   # (``self.log`` bound to ``LOG`` by a method of the class)
            return self.holds(base, depth + 1)
        if isinstance(expr, ast.Subscript):
            if self._is_sys_modules(expr.value):
                return True   # (``sys.modules[name].SEEN``: a module found by name)
            if isinstance(expr.slice, ast.Slice):
                return False   # (``ROWS[:]``: a copy; its items, see items_held)
            return self.items_held(expr.value, depth + 1)
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name) and func.id in ("getattr", "vars", "next") \
                    and expr.args and func.id not in self.local \
                    and func.id not in self.module.bindings:
                target = expr.args[0]
                if isinstance(target, ast.Name) and self._is_module(target.id):
                    return True   # (an attribute of one of the project's modules)
                if func.id == "next":
                    return self.items_held(target, depth + 1)
                return self.holds(target, depth + 1)
            if _last_name(func) == "ChainMap" and any(self.holds(a, depth + 1)
                                                      for a in expr.args):
                return True   # (a view: a store into it is a store into the first map)
            if isinstance(func, ast.Name) and func.id in self.module.classes \
                    and func.id not in self.local and _singleton_class(self.module, func.id):
                return True   # (``Single().items``: the one instance its class keeps)
            if isinstance(func, ast.Name) and func.id in self.module.classes \
                    and func.id not in self.local and any(
                        self.holds(a.value if isinstance(a, ast.Starred) else a, depth + 1)
                        for a in (*expr.args, *(k.value for k in expr.keywords))):
                return True   # (``GivenIt(LOG)``: an instance of the project given it)
            if isinstance(func, ast.Name) and func.id == "globals" and not expr.args \
                    and func.id not in self.local and func.id not in self.module.bindings:
                return True   # (``globals()["X"] = v``)
            if isinstance(func, ast.Attribute) and func.attr in _ITEM_ACCESSORS:
                return self.items_held(func.value, depth + 1)
            if isinstance(func, ast.Name) and func.id not in self.local:
                return self._returns_state(func.id)
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and func.value.id in self.classes and func.value.id not in self.local:
                # (``Config.get()``, ``Registry.table()``: a class method handing out a
                # singleton or a table the class keeps)
                return self._returns_state(f"{func.value.id}.{func.attr}")
        return False

    def _is_sys_modules(self, expr) -> bool:
        parts = _dotted(expr)
        if not parts or parts[-1] != "modules" or len(parts) > 2:
            return False
        bindings = [self.imported[parts[0]]] if parts[0] in self.imported \
            else self.module.bindings.get(parts[0], ())
        if len(parts) == 1:   # (``from sys import modules``)
            return ("from", "sys", "modules") in bindings
        return ("module", "sys") in bindings

    def _name_holds(self, name) -> bool:
        if name in self.held or name in self.declared:
            return True   # (``global _CFG`` then ``_CFG = load()``: still the module's)
        if name in self.local or name in self.params:
            return False   # (a parameter's object is the caller's: ``mutates`` says it)
        if name in self.classes:
            return True
        if name in self.objects:
            return not _immutable_value(_module_values(self.module).get(name))
        if name in self.imported:
            return False
        return _imported_object(self.module, name, True) or self._is_module(name)

    def _is_module(self, name) -> bool:
        return self._project_module(name) is not None

    def _project_module(self, name):
        """The project's module ``name`` (not a local) stands for, imported whole
        (``import settings``, ``from pkg import settings``), or None."""
        if name in self.local or name in self.params:
            return None
        bindings = [self.imported[name]] if name in self.imported \
            else self.module.bindings.get(name, ())
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding[0] == "module":
            held = sys.modules.get(binding[1])
        elif binding[0] == "from":
            held = sys.modules.get(f"{binding[1]}.{binding[2]}" if binding[1] else binding[2])
        else:
            return None
        return held if held is not None and _in_project(vars(held)) else None

    def _module_attribute_holds(self, name, attribute) -> bool:
        value = vars(self._project_module(name)).get(attribute)
        return value is not None and not isinstance(value, (*_CODE_VALUES, *_IMMUTABLE_VALUES))

    def _returns_state(self, name) -> bool:
        """Is ``name`` a function of this module that returns module state (``def
        get_log(): return LOG``)?"""
        if name in self.module.classes or self.depth > 3:
            return False
        if "." in name:   # (a class's method: only one the class itself runs)
            node = self.module.defs.get(name)
            if node is None or not any(_last_name(d) in ("classmethod", "staticmethod")
                                       for d in node.decorator_list):
                return False
        elif name not in self.module.defs:
            # (``reg = get_reg`` an alias, ``from settings import get_config as cfg``:
            # what the name holds in the running program)
            live = _live_value(self.module, name)
            if type(live) is table.LRU_WRAPPER:
                return True
            if type(live) is FunctionType and (live.__name__ != name
                                               or live.__globals__.get(name) is not live):
                return bool(returns_state(live))
            return False
        return _def_returns_state(self.module, self.module.defs.get(name), self.classes,
                                  self.depth + 1)


def _singleton_class(module, name) -> bool:
    """Does calling the module's class ``name`` hand out an object it keeps: a
    ``__new__`` returning one the class holds (``return cls._inst``), a metaclass of
    the module whose ``__call__`` does, or instances sharing one ``__dict__`` (Borg)?"""
    node = module.classes.get(name)
    if node is None:
        return False
    found = getattr(node, "_desync_singleton", None)
    if found is None:
        found = False
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__new__":
                found = found or _def_returns_state(module, item, first_is_state=True)
            elif isinstance(item, ast.FunctionDef) and item.name == "__init__":
                found = found or any(
                    isinstance(target, ast.Attribute) and target.attr == "__dict__"
                    for sub in ast.walk(item) if isinstance(sub, ast.Assign)
                    for target in sub.targets)
        for keyword in node.keywords:
            meta = module.classes.get(keyword.value.id) if keyword.arg == "metaclass" \
                and isinstance(keyword.value, ast.Name) else None
            for item in (meta.body if meta is not None else ()):
                if isinstance(item, ast.FunctionDef) and item.name == "__call__":
                    found = found or _def_returns_state(module, item, first_is_state=True)
        node._desync_singleton = found
    return found


def _def_returns_state(module, node, classes=None, depth=0, first_is_state=False) -> bool:
    """Does this def of ``module`` return module state (``return LOG``, ``return
    TABLE[k]``, ``return get_log()``)? Cached on the node."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    cache_name = "_desync_returns_state_first" if first_is_state else "_desync_returns_state"
    cached = getattr(node, cache_name, None)
    if cached is None:
        from .codehash import _node_facts
        _, local, imported = _node_facts(node)[:3]
        declared = {n for sub in ast.walk(node) if isinstance(sub, ast.Global)
                    for n in sub.names}
        params = _params(node)
        if params and (first_is_state or any(_last_name(d) == "classmethod"
                                             for d in node.decorator_list)):
            declared.add(params[0][1])   # (``cls``: a class of the module, its state)
        if classes is None:
            classes = {n.name for n in module.tree.body if isinstance(n, ast.ClassDef)}
        inner = _StateNames(module, node, local, {p for _, p in _params(node)},
                            declared, _module_objects(module) - local,
                            classes - local, imported, depth)
        cached = memoized(node) or any(inner.holds(sub.value) for sub in ast.walk(node)
                                       if isinstance(sub, ast.Return) and sub.value is not None)
        setattr(node, cache_name, cached)
    return cached


def memoized(node) -> bool:
    """Is this def under a decorator that remembers its results (``lru_cache``,
    ``functools.cache``, ``cachetools.cached``, a ``memoize`` of the project's)? Every
    call then hands out the object the first one made: shared state, whatever the
    body returns (``get_registry()[k] = v`` changes what the next caller gets)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = (_last_name(target) or "").lower()
        if any(word in name for word in _MEMO_WORDS):
            return True
    return False


# (``cached_property`` and ``cache_clear`` included: an attribute made once is shared too)
_MEMO_WORDS = ("cache", "memo", "once", "singleton", "remember")


def returns_state(fn) -> bool | None:
    """Does a live function return module state (``def get_seen(): return SEEN``)?
    None if its source is unreadable."""
    from .live import live_hasher, module_name_for
    original = getattr(fn, "__desync_original__", fn)
    hasher = live_hasher()
    module = hasher.project.load(module_name_for(fn), original.__code__.co_filename)
    if module is None:
        return None
    qualname = defined_qualname(original, module.defs)
    if qualname is None:
        return None
    with _lock:
        return _def_returns_state(module, module.defs[qualname])


class _ParamParts(_StateNames):
    """Which expressions of a function may give its parameter ``param`` or a part of
    it, so that a change made through them changes the caller's object: ``h, i =
    self.heap, self.index``, ``(h := self.heap)``, ``getattr(self, "heap")``,
    ``self.index.get("a")``, ``for row in self.index.values()``, ``self._heap()`` with
    ``return self.heap``. Without this a method pushing onto ``self.heap`` through
    any of them was judged to leave its object alone."""

    def __init__(self, module, node, local, param, imported, owner_class=None, depth=0):
        self.param = param
        self.owner_class = owner_class
        super().__init__(module, node, local - {param}, set(), set(), {param}, set(),
                         imported, depth)
        # (a name bound as such: not the module of ``decimal.DefaultContext.prec = x``)
        self.held &= {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)
                      and isinstance(sub.ctx, ast.Store)}

    def _name_holds(self, name) -> bool:
        return name == self.param or name in self.held

    def _is_module(self, name) -> bool:
        return False

    def _is_sys_modules(self, expr) -> bool:
        return False

    def _returns_state(self, name) -> bool:
        return False

    def holds(self, expr, depth=0) -> bool:
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name) and func.id in ("globals", "vars") and not expr.args:
                return False
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and func.value.id == self.param and self.owner_class is not None:
                return self._method_returns_part(func.attr)   # (``self._heap()``)
        return super().holds(expr, depth)

    def _method_returns_part(self, name) -> bool:
        node = self.module.defs.get(f"{self.owner_class}.{name}")
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or self.depth > 2:
            return False
        params = _params(node)
        if not params:
            return False
        from .codehash import _node_facts
        _, local, imported = _node_facts(node)[:3]
        inner = _ParamParts(self.module, node, local, params[0][1], imported,
                            self.owner_class, self.depth + 1)
        return any(inner.holds(sub.value) for sub in ast.walk(node)
                   if isinstance(sub, ast.Return) and sub.value is not None)


def _param_parts(module, qualname, node, params, local, imported) -> dict:
    """``{parameter: _ParamParts}`` for the first parameters of a function."""
    owner = qualname.rpartition(".")[0] if "." in qualname else None
    if owner is not None and owner not in (module.classes or {}):
        owner = None   # (a nested function's: its first parameter is no ``self``)
    return {name: _ParamParts(module, node, local, name, imported, owner)
            for _, name in params[:6]}


class _Outcome:
    __slots__ = ("kind", "world", "mutates", "reasons")

    def __init__(self):
        self.kind = PURE
        self.world = set()
        self.mutates = set()
        self.reasons = []

    def add(self, facts: Facts, where: str):
        if _RANK[facts.kind] > _RANK[self.kind]:
            self.kind = facts.kind
        if facts.kind != PURE or facts.world:
            self.world |= facts.world
            if len(self.reasons) < 3 and facts.reason not in str(self.reasons):
                self.reasons.append(f"{where}: {facts.reason}" if where else facts.reason)

    def facts(self) -> Facts:
        if self.kind == PURE and not self.mutates and not self.world:
            return table.PURE_FACTS
        reasons = list(self.reasons)
        if self.mutates:
            names = sorted(m for m in self.mutates if isinstance(m, str))
            reasons.append("mutates its argument" + ("s " if len(names) > 1 else " ")
                           + ", ".join(names))
        return Facts(self.kind, self.world, self.mutates, "; ".join(reasons))


# Changing module-level state: still a call for the engine (callees share no hidden
# state, by the user's promise), but never cached (a hit would skip the change).
_STATE = Facts(PURE, {table.WORLD_STATE}, reason="changes module-level state")
_FOUND_BY_NAME = Facts(EFFECT, reason="reads a module it finds by name (sys.modules): in order")
# A nested def changing what a variable of the function around it holds (``seen.append``
# on the body's ``seen``): a cache hit would skip the change.
_HELD = Facts(PURE, {table.WORLD_STATE}, reason="changes an object of the function around it")
_BUILTIN_NAMES = frozenset(dir(builtins))
# A lock taken by one call and released by another (``self.acquire()`` ...
# ``self.release()``, logging's ``_acquireLock()``) belongs to the thread that took
# it: such a callee runs on the calling thread (which may hold it already: an RLock
# re-entered). ``with lock:`` inside one call takes and releases it on one thread:
# it stays concurrent (the runtime checks RLocks the caller holds). Waiting on a
# Condition or Event, and notifying or setting one, is how calls talk to each other:
# a waiter plain Python lets time out must time out, so these run in program order.
_LOCKS = Facts(EFFECT, {table.WORLD_PROCESS}, reason="takes a lock: on the calling thread")
_LOCK_METHODS = frozenset({"acquire", "release", "__enter__", "__exit__", "enter_context"})
_SIGNALS = Facts(EFFECT, {table.WORLD_PROCESS}, reason="waits or signals: in program order")
_SIGNAL_METHODS = frozenset({"wait", "wait_for", "notify", "notify_all", "is_set", "locked"})
# Builtins that are effects whatever they are given (not exec/eval: those are
# judged by the namespaces a call passes them).
_EFFECT_BUILTINS = {name: facts for name, facts in table.BUILTINS.items()
                    if facts.kind == EFFECT and not facts.mutates}


def _live_value(module, name):
    """What the module-level ``name`` of ``module`` holds in the running program (the
    module imported, or run as ``__main__``), or None."""
    for candidate in (sys.modules.get(module.name), sys.modules.get("__main__")):
        path = getattr(candidate, "__file__", None)
        if path and os.path.abspath(path) == os.path.abspath(module.path):
            return vars(candidate).get(name)
    return None


def _facts_of_held_callables(module, container, node) -> list:
    """What the callables a module-level container holds do, as the runtime judges
    them: ``TABLE["p"](x)`` with ``TABLE = {"p": print}``, ``for h in HOOKS["save"]:
    h(x)``, ``PLUGINS[name]().run(x)`` (a class: its constructor, and its methods the
    code names), ``for cls in Base.registry.values()``. A call through it prints if
    one of them does."""
    held = _live_of(module, container)
    if held is None:
        return []
    items, found = _items_of(held), []
    if items and all(type(item) in (list, tuple, set, frozenset) for item in items):
        items = [inner for item in items for inner in _items_of(item)]   # (lists of hooks)
    names = None
    for item in items[:64]:
        if issubclass(type(item), type):
            if not table._project_class(item):
                continue
            if names is None:
                names = {sub.attr for sub in ast.walk(node) if isinstance(sub, ast.Attribute)}
            found.append(table.facts_of(item))
            for name in names:
                method = table.class_member(item, name)
                if type(method) is FunctionType:
                    found.append(table.facts_of(method))
        elif callable(item):
            found.append(table.facts_of(item))
    return found


def _facts_of_managing(module, expr, state) -> list:
    """``with db:`` on an object of module state, of a class of the project: what
    its ``__enter__`` and ``__exit__`` do (``self.log.append("begin")`` changes module
    state; a print prints). A library's managers (locks, files) are the table's."""
    if isinstance(expr, ast.Call):
        # (``with Tx(x):``: a new manager of a class of the project; what it changes of
        # itself is its own, what it prints or changes elsewhere counts)
        made = _live_of(module, expr.func)
        if made is None or not issubclass(type(made), type) or not table._project_class(made):
            return []
        kind, own = made, True
    elif state.holds(expr):
        held = _live_of(module, expr)
        if held is None or not table._project_class(type(held)):
            return []
        kind, own = type(held), False
    else:
        return []
    found = []
    for name in ("__enter__", "__exit__", "__aenter__", "__aexit__"):
        method = table.class_member(kind, name)
        if type(method) is FunctionType:
            facts = table.facts_of(method)
            found.append(Facts(facts.kind, facts.world, (), facts.reason))
            if facts.mutates & {0, "self"} and not own:
                found.append(_STATE)   # (changes the object module state holds)
    return found


def _items_of(held) -> list:
    if type(held) is dict:
        return list(held.values())[:64]
    if type(held) in (list, tuple):
        return list(held[:64])
    if type(held) in (set, frozenset):
        return list(held)[:64]
    return []


def _live_of(module, expr, depth=0):
    """The object a module-level expression stands for in the running program, found
    through namespaces only (a module's, a class's, an instance's ``__dict__``, a dict's
    item under a constant, a dict's ``.values()``), or None."""
    if depth > 6:
        return None
    if isinstance(expr, ast.Name):
        return _live_value(module, expr.id)
    if isinstance(expr, ast.Attribute):
        base = _live_of(module, expr.value, depth + 1)
        if base is None:
            return None
        if type(base) is ModuleType:
            return vars(base).get(expr.attr)
        if issubclass(type(base), type):
            return table.class_member(base, expr.attr)
        try:
            own = object.__getattribute__(base, "__dict__")
        except AttributeError:
            return None
        return own.get(expr.attr) if type(own) is dict else None
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
        base = _live_of(module, expr.value, depth + 1)
        return dict.get(base, expr.slice.value) if type(base) is dict else None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and not expr.args \
            and expr.func.attr in ("values", "items", "keys"):
        base = _live_of(module, expr.func.value, depth + 1)
        return base if type(base) is dict else None
    return None


def _is_logger(value) -> bool:
    """A ``logging`` logger (made by a helper of the project: ``log = setup(name)``)?"""
    logging = sys.modules.get("logging")
    return logging is not None and value is not None \
        and issubclass(type(value), (logging.Logger, logging.LoggerAdapter))


def _logging_facts() -> Facts:
    """What a logger's methods do: log (the table's facts of ``logging.info``)."""
    return table.listed_facts("logging", "info")


class _Inferrer:
    def __init__(self, hasher, memo):
        self.hasher = hasher
        self.memo = memo

    def facts(self, module, qualname, stack) -> Facts:
        key = (module.path, qualname)
        found = self.memo.get(key)
        if found is not None:
            return found
        if key in stack:
            return table.PURE_FACTS  # recursion: its own statements are counted where it starts
        node = module.defs.get(qualname)
        if node is None:
            return table.PURE_FACTS
        result, cut = self._infer(module, qualname, node, stack + (key,))
        if not cut:
            self.memo[key] = result
        return result

    def _infer(self, module, qualname, node, stack):
        from .codehash import _node_facts
        _, local, imported = _node_facts(node)[:3]
        params = _params(node)
        by_name = {name: (pos, name) for pos, name in params}
        declared = set()
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Global, ast.Nonlocal)):
                declared.update(sub.names)
        objects = _module_objects(module) - local
        # The module's classes hold state too (``Config.level = v``, ``Config.tags.append(t)``);
        # not their methods' calls (``Config.create(x)``): a factory changes nothing.
        classes = {n.name for n in module.tree.body if isinstance(n, ast.ClassDef)} - local
        # Names neither its own, the module's nor builtins: the cells of a function
        # around it (or names made at run time, counted the same way).
        # (The parameters of defs and lambdas nested in it are theirs: ``walk(node,
        # acc)`` appending to its own ``acc`` changes no cell.)
        nested_params = {arg.arg for sub in ast.walk(node) if sub is not node
                         and isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                         for arg in (*sub.args.posonlyargs, *sub.args.args,
                                     *sub.args.kwonlyargs, sub.args.vararg, sub.args.kwarg)
                         if arg is not None}
        free = {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)
                and isinstance(sub.ctx, ast.Load)} - local - declared - _BUILTIN_NAMES \
            - set(module.bindings) - set(imported) - nested_params
        state = _StateNames(module, node, local, set(by_name), declared, objects, classes,
                            imported, self_held=self._self_held(module, qualname, stack))
        held = state.held   # locals that may hold module state (``s = LOG``)
        # Functions made here (a nested ``def``, a lambda bound to a name): one given
        # module state may change it (``def put(s): s.append(x)``, then ``put(LOG)``).
        made_functions = {sub.name for sub in ast.walk(node) if sub is not node
                          and isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef))} | {
            sub.targets[0].id for sub in ast.walk(node) if isinstance(sub, ast.Assign)
            and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name)
            and isinstance(sub.value, ast.Lambda)}
        aliases = {}  # local name -> parameter it is (part of)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 \
                    and isinstance(sub.targets[0], ast.Name):
                source = _root(sub.value) if isinstance(
                    _through(sub.value), (ast.Name, ast.Attribute, ast.Subscript)) else None
                if source in by_name and sub.targets[0].id not in by_name:
                    aliases[sub.targets[0].id] = source
            elif isinstance(sub, (ast.For, ast.comprehension)) \
                    and isinstance(sub.target, ast.Name):
                source = _root(sub.iter) if isinstance(
                    sub.iter, (ast.Name, ast.Attribute, ast.Subscript)) else None
                if source in by_name and sub.target.id not in by_name:
                    aliases[sub.target.id] = source  # an item of a parameter
        # (``h, i = self.heap, self.index``, ``(h := self.heap)``, ``row =
        # self.index.get(k)``: locals that may be a parameter's object or a part of it)
        parts_of = _param_parts(module, qualname, node, params, local, imported)
        for name, reach in parts_of.items():
            for held_name in sorted(reach.held):
                if held_name not in by_name:
                    aliases.setdefault(held_name, name)
        state.param_parts = parts_of
        # ``hook = getattr(self, "on_" + kind)``: a method found by name at run time.
        dispatched = {sub.targets[0].id: _root(sub.value.args[0]) for sub in ast.walk(node)
                      if isinstance(sub, ast.Assign) and len(sub.targets) == 1
                      and isinstance(sub.targets[0], ast.Name) and _is_getattr(sub.value)}
        # Locals bound only to a new instance of a class of this module (``flag =
        # Flag()``): its ``set()``/``wait()`` are the class's own, seen by following them.
        made_here = _made_from_own_classes(node, module)
        relative_imports = {alias.asname or alias.name for sub in ast.walk(node)
                            if isinstance(sub, ast.ImportFrom) and sub.level
                            for alias in sub.names}
        made_classes = {sub.targets[0].id: sub.value.func.id for sub in ast.walk(node)
                        if isinstance(sub, ast.Assign) and len(sub.targets) == 1
                        and isinstance(sub.targets[0], ast.Name) and sub.targets[0].id in made_here
                        and isinstance(sub.value, ast.Call) and isinstance(sub.value.func, ast.Name)}
        # ``table = {"a": self.on_a, ...}``: a local display of an object's bound methods.
        tables = {}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 \
                    and isinstance(sub.targets[0], ast.Name):
                owners = _method_owners(sub.value)
                if owners:
                    tables.setdefault(sub.targets[0].id, set()).update(owners)
        out = _Outcome()
        cut = [False]
        called = {id(sub.func) for sub in ast.walk(node) if isinstance(sub, ast.Call)}
        for sub in ast.walk(node):
            if isinstance(sub, (ast.With, ast.AsyncWith)):
                for item in sub.items:
                    for facts in _facts_of_managing(module, item.context_expr, state) \
                            or self._managing_by_source(module, item.context_expr, state,
                                                        stack):
                        out.add(facts, "with ...")   # (``with db:`` of a module's object)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Subscript) and state._is_sys_modules(sub.value) or (
                    isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "get" and state._is_sys_modules(sub.func.value)):
                # (``sys.modules["app.config"].LEVEL``: what it reads is found by name at
                # run time, out of a cache key's sight: never answered from the cache)
                out.add(_FOUND_BY_NAME, "sys.modules[...]")
                break

        def param_of(name):
            if name in by_name:
                return name
            return aliases.get(name)

        def written(name, where):
            if name is None:
                return
            if name in held:
                out.add(_STATE, where)
            param = param_of(name)
            if param is not None:
                pos, pname = by_name[param]
                out.mutates.add(pname)
                if pos is not None:
                    out.mutates.add(pos)
            elif name in declared or (name in objects and name not in local) or name in classes:
                out.add(_STATE, where)
            elif name in free:
                out.add(_HELD, where)
            elif name in imported or (name not in local and any(
                    b[0] in ("module", "from") for b in module.bindings.get(name, ()))):
                # ``decimal.DefaultContext.prec = 9``, ``setattr(sys, "flag", x)``: a
                # module's state, shared by the process (a hit would skip the change)
                out.add(_STATE, where)

        for sub in ast.walk(node):
            if _looks_up(sub):
                out.add(table.LOOKS_UP, "looks at its caller")
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) \
                    and sub.id in _EFFECT_BUILTINS and sub.id not in local \
                    and sub.id not in module.bindings:
                # ``map(print, rows)``, ``key=print``, ``partial(print, ...)``, ``show =
                # print``: a builtin with effects used as a value runs somewhere inside.
                out.add(_EFFECT_BUILTINS[sub.id], sub.id)
            if isinstance(sub, (ast.Attribute, ast.Subscript)) \
                    and isinstance(sub.ctx, (ast.Store, ast.Del)):
                written(_root(sub), "assigns into " + (_root(sub) or "an object"))
                if state.holds(sub.value) or _root(sub) in relative_imports:
                    # (``from . import cfg as c; c.X = v`` in the function: a module's)
                    # (``getattr(m, n)[k] = v``, ``t["a"][0] = v`` with ``t = dict(TABLE)``)
                    out.add(_STATE, "assigns into module state")
            elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
                if sub.target.id in declared or sub.target.id in held:
                    out.add(_STATE, f"changes {sub.target.id}")   # (``s = LOG; s += [x]``)
                if sub.target.id in aliases and not by_name.get(sub.target.id) and isinstance(
                        sub.value, (ast.List, ast.Set, ast.Dict, ast.ListComp, ast.SetComp,
                                    ast.DictComp)):
                    # (``h = self.heap; h += [x]`` extends the list in place; ``n += 1`` on
                    # an item only rebinds the name)
                    written(sub.target.id, f"{sub.target.id} +=")
            elif isinstance(sub, (ast.Assign, ast.AnnAssign, ast.Delete)):
                targets = sub.targets if isinstance(sub, (ast.Assign, ast.Delete)) \
                    else [sub.target]
                for target in targets:
                    for name_node in ast.walk(target):
                        if isinstance(name_node, ast.Name) and name_node.id in declared:
                            out.add(_STATE, f"assigns {name_node.id}")
            elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Load):
                if sub.attr in table.MUTATING_METHODS and id(sub) not in called \
                        and not (isinstance(sub.value, ast.Name)
                                 and state._is_module(sub.value.id)) \
                        and state.holds(sub.value):
                    # (``map(LOG.append, xs)``: a method of module state handed over)
                    out.add(_STATE, f"hands over .{sub.attr} of module state")
                if sub.attr in table.MUTATING_METHODS and id(sub) not in called:
                    for param, reach in state.param_parts.items():
                        if reach.holds(sub.value):
                            # (``map(self.heap.append, xs)``, ``add = self.heap.append``)
                            written(param, f"hands over .{sub.attr} of {param}")
                parts = _dotted(sub)
                if parts and parts[0] in imported:
                    bindings = [imported[parts[0]]]
                elif parts and parts[0] not in local:
                    bindings = module.bindings.get(parts[0], ())
                else:
                    bindings = ()
                for binding in bindings:
                    if binding[0] not in ("module", "from"):
                        continue
                    dotted = ".".join(filter(None, (*binding[1:], *parts[1:])))
                    for name, facts in table.WORLD_OBJECTS.items():
                        if dotted == name or dotted.startswith(name + "."):
                            out.add(facts, name)
                    if id(sub) not in called:
                        # ``_w = warnings.warn; _w(msg, category, 2)``: called where its
                        # arguments are not seen, it may look past its caller.
                        facts = self._listed(dotted)
                        if facts is table.WARN or facts is table.GETFRAME:
                            out.add(facts, dotted)
                            out.add(table.LOOKS_UP, dotted)
            elif isinstance(sub, ast.Call):
                func = sub.func
                if isinstance(func, ast.Name) and func.id in state.bound:
                    out.add(_STATE, f"{func.id}(): a method of module state")   # (``add(x)``)
                elif (isinstance(func, ast.Name) and func.id in held
                      and self._container_may_change(module, state.item_of.get(func.id), stack)
                      or isinstance(func, ast.Subscript) and state.holds(func)
                      and self._container_may_change(module, func.value, stack)
                      or _is_getattr(func) and state.holds(func.args[0])
                      and _names_a_mutating_method(func)):
                    # (``for hook in HOOKS: hook(x)``, ``HANDLERS[k](v)``,
                    # ``globals()[name](v)``, ``getattr(LOG, "append")(x)``: what runs is
                    # not known here; it may change module state)
                    out.add(_STATE, "calls what module state holds")
                    container = state.item_of.get(func.id) if isinstance(func, ast.Name) \
                        else func.value
                    for facts in _facts_of_held_callables(module, container, node):
                        out.add(facts, "calls what module state holds")   # (``TABLE["p"](x)``)
                elif isinstance(func, ast.Name) and func.id in made_functions \
                        and self._changes_what_it_is_given(module, qualname, func.id, sub,
                                                           state, stack):
                    out.add(_STATE, f"gives module state to {func.id}() that changes it")
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) \
                        and isinstance(func.value.func, ast.Name) and func.value.func.id == "type" \
                        and func.attr not in table.READ_ONLY_METHODS and sub.args \
                        and state.holds(sub.args[0]):
                    out.add(_STATE, f"type(...).{func.attr}() of module state")
                if isinstance(func, ast.Attribute) and func.attr not in table.READ_ONLY_METHODS:
                    owner = self._instance_class(module, func.value, made_classes)
                    if owner is not None and f"{owner}.{func.attr}" in module.defs:
                        # (``PlainInit().add(x)``, ``r = PlainInit(); r.add(x)``: what the
                        # class's method does to module state counts here)
                        method = self.facts(module, f"{owner}.{func.attr}", stack)
                        if table.WORLD_STATE in method.world:
                            out.add(_STATE, f"{owner}.{func.attr}()")
                if isinstance(func, ast.Attribute) and _root(func.value) in made_here:
                    pass
                elif isinstance(func, ast.Attribute) and func.attr in _LOCK_METHODS:
                    out.add(_LOCKS, f".{func.attr}()")
                elif isinstance(func, ast.Attribute) and (
                        func.attr in _SIGNAL_METHODS
                        or func.attr == "set" and not sub.args and not sub.keywords) \
                        and not _names_a_module(func.value, imported, module):
                    # (``ev.set()``: an Event's; ``ContextVar.set`` takes a value, and
                    # ``concurrent.futures.wait(fs)`` is a module's function)
                    out.add(_SIGNALS, f".{func.attr}()")
                owners = {_root(func.args[0])} if _is_getattr(func) else \
                    {dispatched.get(func.id)} if isinstance(func, ast.Name) else \
                    self._found_by_name(module, func, imported, tables)
                for owner in owners:
                    if owner is not None and param_of(owner) is not None:
                        # ``getattr(self, name)(x)`` (ast.NodeVisitor.visit), a table of
                        # its bound methods, ``attrgetter(name)(self)(x)``: what runs is
                        # not known here; it may change the object and print: in order.
                        written(owner, f"calls a method of {owner} found by name")
                        out.add(_DISPATCH, f"a method of {owner} found by name")
                if isinstance(func, ast.Call) and self._is_operator(
                        module, func.func, imported, "methodcaller"):
                    for arg in sub.args:   # ``methodcaller("__setitem__", k, v)(d)``
                        if isinstance(arg, ast.Name):
                            written(arg.id, f"methodcaller(...)({arg.id})")
                self._call(module, qualname, node, sub, imported, local, objects | free | held,
                           by_name, param_of, written, out, stack, cut, classes, state)
        return out.facts(), cut[0]

    def _container_may_change(self, module, container, stack) -> bool:
        """May what a module-level container holds (``HOOKS``, ``HANDLERS[kind]``),
        called, change module state? Known only for a display the module never changes
        of its classes and functions (``EXCEPTIONS = {"a": ValueError, ...}``): it may
        if one of them does; anything else may."""
        name = container.id if isinstance(container, ast.Name) else None
        value = _module_values(module).get(name) if name else None
        if isinstance(value, ast.Dict):
            items = value.values
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            items = value.elts
        else:
            return True
        if name in rebound_or_changed_names(module):
            return True   # (filled at run time: ``HOOKS.append(f)`` by a decorator)
        for item in items:
            if not isinstance(item, ast.Name):
                return True
            if item.id in module.classes:
                init = f"{item.id}.__init__"
                if init in module.defs and table.WORLD_STATE in self.facts(
                        module, init, stack).world:
                    return True
            elif item.id in module.defs:
                if table.WORLD_STATE in self.facts(module, item.id, stack).world:
                    return True
            elif item.id in module.bindings or item.id not in _BUILTIN_NAMES \
                    or item.id in _EFFECT_BUILTINS:
                return True
        return False

    @staticmethod
    def _instance_class(module, value, made_classes):
        """The class of the module ``value`` is an instance of: ``Cls(...)`` or a local
        bound only to one; else None."""
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                and value.func.id in module.classes:
            return value.func.id
        if isinstance(value, ast.Name):
            return made_classes.get(value.id)
        return None

    def _changes_what_it_is_given(self, module, qualname, name, call, state, stack) -> bool:
        """Does ``call`` give module state to a function made in ``qualname`` (a nested
        ``def`` or a lambda) where that function changes it? A lambda is not followed:
        given module state, it may."""
        given = [(index, arg) for index, arg in enumerate(call.args)] + \
            [(keyword.arg, keyword.value) for keyword in call.keywords]
        held = [(where, arg) for where, arg in given
                if state.holds(arg.value if isinstance(arg, ast.Starred) else arg)]
        if not held:
            return False
        nested = f"{qualname}.<locals>.{name}"
        if nested not in module.defs or any(isinstance(arg, ast.Starred) for _, arg in given):
            return True
        mutates = self.facts(module, nested, stack).mutates
        return any(where in mutates for where, _ in held)

    def _self_held(self, module, qualname, stack) -> frozenset:
        """For a method: the attributes of its object that a method of its class binds to
        module state (``self.log = LOG`` in ``__init__``)."""
        owner, _, name = qualname.rpartition(".")
        cls = module.classes.get(owner) if owner else None
        if cls is None or len(stack) > 20:
            return frozenset()
        found = getattr(cls, "_desync_self_held", None)
        if found is None:
            from .codehash import _node_facts
            found = set()
            objects = _module_objects(module)
            for item in cls.body:   # (``class K: log = LOG``)
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Name) \
                        and item.value.id in objects \
                        and not _immutable_value(_module_values(module).get(item.value.id)):
                    found.update(t.id for t in item.targets if isinstance(t, ast.Name))
            for method in cls.body:
                if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                        or not _params(method):
                    continue
                first = _params(method)[0][1]
                stores = [(target.attr, sub.value) for sub in ast.walk(method)
                          if isinstance(sub, ast.Assign) for target in sub.targets
                          if isinstance(target, ast.Attribute)
                          and isinstance(target.value, ast.Name) and target.value.id == first]
                if not stores:
                    continue
                _, local, imported = _node_facts(method)[:3]
                names = _StateNames(module, method, local, {p for _, p in _params(method)},
                                    set(), _module_objects(module) - local,
                                    set(module.classes), imported, depth=1)
                found.update(attribute for attribute, value in stores if names.holds(value))
            found = cls._desync_self_held = frozenset(found)
        return found

    def _found_by_name(self, module, func, imported, tables) -> set:
        """The objects whose method ``func`` (what is called) is found at run time:
        ``table[k]`` of a display of bound methods, ``attrgetter(name)(obj)``."""
        if isinstance(func, ast.Subscript):
            if isinstance(func.value, ast.Name):
                return tables.get(func.value.id, set())
            return _method_owners(func.value)
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Call) \
                and self._is_operator(module, func.func.func, imported, "attrgetter"):
            return {_root(arg) for arg in func.args}
        return set()

    @staticmethod
    def _is_operator(module, func, imported, name) -> bool:
        """Is ``func`` ``operator.<name>`` (imported either way)?"""
        parts = _dotted(func)
        if not parts or len(parts) > 2:
            return False
        bindings = [imported[parts[0]]] if parts[0] in imported \
            else module.bindings.get(parts[0], ())
        if len(parts) == 2:
            return parts[1] == name and ("module", "operator") in bindings
        return ("from", "operator", name) in bindings

    def _call(self, module, qualname, node, call, imported, local, objects, by_name,
              param_of, written, out, stack, cut, classes=frozenset(), state=None):
        func = call.func
        if isinstance(func, ast.Attribute) and _through(func.value) is not func.value \
                and call.args and isinstance(call.args[0], ast.Name) \
                and func.attr in table.CHANGING_DUNDERS:
            # ``type(self).__setattr__(self, "a", v)``: changes its first argument.
            written(call.args[0].id, f"{func.attr}({call.args[0].id}, ...)")
        parts = _dotted(func)
        if isinstance(func, ast.Attribute):
            method = func.attr
            root = _root(func.value)
            if method in table.FILE_METHODS and (parts is None or root in local
                                                  or root is None):
                out.add(table.FILE_METHODS[method], f".{method}()")
            elif method == "read" and call.args and root in local \
                    and isinstance(call.args[0], (ast.Name, ast.Attribute, ast.JoinedStr)):
                out.add(table.READ_BY_NAME, ".read(path)")
            if root is not None and method not in table.READ_ONLY_METHODS \
                    and (param_of(root) is not None or root in objects
                         or (root in classes and isinstance(func.value, ast.Attribute))
                         or (root not in local and root not in imported
                             and (_imported_object(module, root,
                                                   isinstance(func.value, ast.Attribute))
                                  or _object_of_a_module(module, func.value)))) \
                    and self._method_mutates(module, method, stack):
                written(root, f"{root}.{method}()")
            if state is not None and method not in table.READ_ONLY_METHODS \
                    and self._method_mutates(module, method, stack):
                for param, reach in getattr(state, "param_parts", {}).items():
                    if reach.holds(func.value):
                        # (``getattr(self, "heap").append(x)``, ``self._heap().append(x)``,
                        # ``self.index.get("a").append(x)``)
                        written(param, f"{param}....{method}()")
            if state is not None and method not in table.READ_ONLY_METHODS \
                    and state.holds(func.value) and self._method_mutates(module, method, stack):
                # (``(s := LOG).append(x)``, ``getattr(settings, "SEEN").append(x)``,
                # ``get_log().append(x)``, ``OPTS.get(k).append(v)``,
                # ``sys.modules[name].SEEN.append(x)``, ``self.log.append(x)`` with
                # ``self.log = LOG`` in ``__init__``)
                out.add(_STATE, f".{method}() of module state")
        if isinstance(func, ast.Attribute) and _is_super(func.value) and by_name:
            # super().append(x) in a method changes the object it was called on.
            receiver = next(iter(by_name))
            if func.attr not in table.READ_ONLY_METHODS \
                    and self._method_mutates(module, func.attr, stack):
                written(receiver, f"super().{func.attr}()")
        if isinstance(func, ast.Attribute) and self._makes_logger(module, func.value, imported):
            out.add(_logging_facts(), f"logging.getLogger(...).{func.attr}()")
            return
        if parts is None:
            return
        head = parts[0]
        if len(parts) == 2 and head in _BUILTIN_MUTABLES and head not in local \
                and head not in module.bindings and parts[1] in table.MUTATING_METHODS \
                and call.args and not isinstance(call.args[0], ast.Starred):
            # ``list.append(self.heap, x)``: the method of a builtin type, given its object
            name, where = _root(call.args[0]), ".".join(parts)
            written(name, f"{where}({name}, ...)")
            self._given_a_part(call.args[0], where, state, written, out)
            return
        callee = None  # Facts of what is called
        where = ".".join(parts)
        offset = 0      # a bound method: its parameter 0 is the object it is called on
        if head in ("self", "cls") and len(parts) == 2 and "." in qualname:
            method = f"{qualname.rpartition('.')[0]}.{parts[1]}"
            if method in module.defs:
                callee = self.facts(module, method, stack)
                offset = 1
                if callee.mutates & {0, "self"}:
                    written(head, f"{where}()")
        elif head in imported:
            callee = self._imported(module, imported[head], parts, stack)
        elif head in local:
            return  # a call on a local or parameter: counted as a method call above
        elif len(parts) == 2 and head in _BUILTIN_MUTABLES and head not in module.bindings:
            # ``dict.__setitem__(self, k, v)``, ``list.append(out, x)``,
            # ``object.__setattr__(self, name, v)``: the method changes its first argument.
            name = parts[1]
            if call.args and isinstance(call.args[0], ast.Name) \
                    and name not in table.READ_ONLY_METHODS \
                    and not (name.startswith("__") and name not in table.CHANGING_DUNDERS):
                written(call.args[0].id, f"{where}()")
            return
        elif head in module.bindings and len(parts) == 2 and (self._makes_logger(
                module, _module_values(module).get(head), imported)
                or _is_logger(_live_value(module, head))):
            callee = _logging_facts()   # ``log = logging.getLogger(__name__)``; ``log.info()``
        elif head in module.bindings and len(parts) == 2 \
                and self._instance_method(module, head, parts[1]) is not None:
            # ``CONSOLE.emit(msg)``, ``CONSOLE = Console()`` a module-level instance of a
            # class of the module: what the method does (prints, logs) counts.
            method = self._instance_method(module, head, parts[1])
            facts = self.facts(module, method, stack)
            if facts.mutates & {0, "self"}:
                written(head, f"{where}()")
            callee = Facts(facts.kind, facts.world, reason=facts.reason)
        elif head in module.bindings:
            # Every module-level definition of the name counts (``if``/``try`` variants).
            found = []
            for binding in module.bindings[head]:
                if binding[0] == "const":
                    if len(parts) == 1:
                        found.append(self._module_value(module, head, stack))
                else:
                    found.append(self._imported(module, binding, parts, stack))
            callee = _strongest([f for f in found if f is not None])
        elif len(parts) == 1:
            callee = table.listed_facts("builtins", head)
            if callee is None and head not in _BUILTIN_NAMES:
                # (bound where the source does not show: ``from .store import *``)
                live = _live_value(module, head)
                if callable(live) and not issubclass(type(live), type):
                    callee = table.facts_of(live)
        if callee is None:
            return
        looks_up = _past_its_caller(callee, call)
        if callee is table.GETFRAME and not looks_up:
            callee = table.PURE_FACTS   # ``sys._getframe().f_code.co_name``: its own frame
        out.add(callee, where)
        if looks_up:
            out.add(table.LOOKS_UP, f"{where}(..., level)")
        if callee.mutates:
            # (a part of an object counts as it: ``grow(Cls.tags, x)``, ``grow(TABLE["rows"],
            # x)``, ``grow(self.items, x)`` change what their root names)
            for index, arg in enumerate(call.args):
                if isinstance(arg, ast.Starred):
                    break
                if index + offset in callee.mutates and isinstance(
                        arg, (ast.Name, ast.Attribute, ast.Subscript)):
                    name = _root(arg)
                    written(name, f"passes {name} to {where}")
                if index + offset in callee.mutates:
                    self._given_a_part(arg, where, state, written, out)
            for keyword in call.keywords:
                if keyword.arg in callee.mutates and isinstance(
                        keyword.value, (ast.Name, ast.Attribute, ast.Subscript)):
                    name = _root(keyword.value)
                    written(name, f"passes {name} to {where}")

    @staticmethod
    def _given_a_part(arg, where, state, written, out):
        """An argument a callee changes that is a parameter's part, or module state,
        reached by an expression (``getattr(self, "heap")``, ``self._heap()``)."""
        if state is None:
            return
        for param, reach in getattr(state, "param_parts", {}).items():
            if reach.holds(arg):
                written(param, f"passes a part of {param} to {where}")
        if state.holds(arg):
            out.add(_STATE, f"passes module state to {where}")

    @staticmethod
    def _instance_method(module, name, method):
        """``Class.method`` when the module binds ``name`` once, to ``Class(...)`` of a
        class the module defines with that method; else None."""
        bindings = module.bindings.get(name, ())
        if len(bindings) != 1 or bindings[0][0] != "const":
            return None
        value = _module_values(module).get(name)
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name):
            return None
        qualname = f"{value.func.id}.{method}"
        return qualname if qualname in module.defs else None

    def _managing_by_source(self, module, expr, state, stack) -> list:
        """``with KEEPER:`` where the module binds ``KEEPER = Keeper()``, a class of the
        module, when the running module is not at hand (a build): what its
        ``__enter__``/``__exit__`` do, from their source."""
        if not isinstance(expr, ast.Name) or not state.holds(expr):
            return []
        made = _module_values(module).get(expr.id)
        if not (isinstance(made, ast.Call) and isinstance(made.func, ast.Name)
                and made.func.id in module.classes):
            return []
        found = []
        for name in ("__enter__", "__exit__", "__aenter__", "__aexit__"):
            qualname = f"{made.func.id}.{name}"
            if qualname in module.defs:
                facts = self.facts(module, qualname, stack)
                found.append(Facts(facts.kind, facts.world, (), facts.reason))
                if facts.mutates & {0, "self"}:
                    found.append(_STATE)
        return found

    @staticmethod
    def _makes_logger(module, expr, imported) -> bool:
        """Is ``expr`` ``logging.getLogger(...)``, however ``logging`` was imported?"""
        if not isinstance(expr, ast.Call):
            return False
        parts = _dotted(expr.func)
        if not parts:
            return False
        for binding in (imported.get(parts[0]), *module.bindings.get(parts[0], ())):
            if binding is None:
                continue
            if binding[0] == "module":
                dotted = ".".join((binding[1], *parts[1:]))
            elif binding[0] == "from":
                dotted = ".".join(filter(None, (binding[1], binding[2], *parts[1:])))
            else:
                continue
            if dotted in ("logging.getLogger", "logging.Logger", "logging.LoggerAdapter"):
                return True
        return False

    def _method_mutates(self, module, method, stack) -> bool:
        """May ``obj.method()`` change ``obj`` (its type unknown)? If the project's
        classes visible from this module (its own and those of the project modules it
        imports) define ``method``, it mutates if one of those does (inferred);
        otherwise, not knowing, it may."""
        if method in table.MUTATING_METHODS:
            return True
        found = []
        for candidate in self._visible_modules(module):
            for qualname in candidate.defs:
                head, _, name = qualname.rpartition(".")
                if name == method and head and "<locals>" not in qualname:
                    found.append((candidate, qualname))
        if not found:
            return True
        for candidate, qualname in found:
            facts = self.facts(candidate, qualname, stack)
            if facts.mutates & {0, "self"} or facts.kind != PURE or facts.world:
                return True
        return False

    def _visible_modules(self, module):
        cached = getattr(module, "_desync_visible", None)
        if cached is None:
            cached = [module]
            names = set()
            for bindings in module.bindings.values():
                for binding in bindings:
                    if binding[0] == "module":
                        names.add(binding[1])
                    elif binding[0] == "from":
                        names.add(binding[1])
                        names.add(f"{binding[1]}.{binding[2]}" if binding[1] else binding[2])
            project = self.hasher.project
            for name in sorted(names):
                if not name:
                    continue
                path = project.locate(name)
                if path is None:  # imported from a folder added to sys.path later
                    path = getattr(sys.modules.get(name), "__file__", None)
                if path is None or not path.endswith(".py") \
                        or project.kind_of(path) != "source":
                    continue
                loaded = project.load(name, path)
                if loaded is not None and loaded is not module:
                    cached.append(loaded)
            module._desync_visible = cached
        return cached

    def _module_value(self, module, name, stack):
        """A call of a module-level value (``add = LOG.append``, ``f = partial(...)``,
        ``square = lambda x: x * x``, ``alias = other``)."""
        value = _module_values(module).get(name)
        if isinstance(value, ast.Name) and value.id not in module.bindings \
                and value.id in _BUILTIN_NAMES:
            return table.listed_facts("builtins", value.id) or table.PURE_FACTS   # (``say = print``)
        live = _live_value(module, name)
        if issubclass(type(live), functools.partial) and table.facts_of(live.func).mutates:
            # (``ADD = partial(add_to, SEEN)``: it changes what it holds, module state)
            return table._joined(table.facts_of(live), _STATE)
        if live is not None and (type(live) is BuiltinFunctionType
                                 and type(getattr(live, "__self__", None)) is ModuleType
                                 or issubclass(type(live), functools.partial)
                                 or type(live) is FunctionType and live.__name__ != name):
            # (``say = print``, ``echo = lambda *a: print(*a)``, ``partial(print, "E")``,
            # ``out = make_printer()``: what the value it holds does, as the runtime
            # judges it)
            return table.facts_of(live)
        if isinstance(value, ast.Lambda):
            return None  # its body is read where it is defined; treated as pure
        if isinstance(value, ast.Name):
            bindings = module.bindings.get(value.id, ())
            if bindings and len(stack) < 50:
                return _strongest([f for f in (self._imported(module, b, (value.id,), stack)
                                              for b in bindings if b[0] != "const")
                                   if f is not None])
        parts = _dotted(value) if isinstance(value, ast.Attribute) else None
        if parts and len(stack) < 50:
            # ``ct = threading.current_thread``: a library function under another name.
            found = [f for f in (self._imported(module, b, tuple(parts), stack)
                                 for b in module.bindings.get(parts[0], ())
                                 if b[0] in ("module", "from")) if f is not None]
            if found:
                return _strongest(found)
        return _STATE  # a bound method, a partial, a callable object: may change state

    def _imported(self, module, binding, parts, stack):
        kind = binding[0]
        if kind == "def" and len(parts) == 1:
            return self.facts(module, binding[1], stack)
        if kind == "class":
            if len(parts) == 2 and f"{binding[1]}.{parts[1]}" in module.defs:
                return self.facts(module, f"{binding[1]}.{parts[1]}", stack)
            return None
        if kind == "module":
            dotted = ".".join((binding[1], *parts[1:]))
        elif kind == "from":
            _, source, attr = binding
            dotted = ".".join(filter(None, (source, attr, *parts[1:])))
        else:
            return None
        for name, facts in table.WORLD_OBJECTS.items():
            if dotted.startswith(name + "."):  # os.environ.get(...), sys.stdin.read()
                method = dotted.rpartition(".")[2]
                return facts if method in table.READ_ONLY_METHODS else \
                    Facts(EFFECT, facts.world, reason=f"changes {name}")
        hasher = self.hasher
        try:
            entities = hasher._descend(hasher._binding(module, binding, parts[0]), parts[1:])
        except Exception:
            entities = []
        found = [self.facts(entity[1], entity[2], stack) for entity in entities
                 if entity[0] == "def"]
        if found:
            return _strongest(found)
        return self._listed(dotted)

    @staticmethod
    def _listed(dotted):
        """The table's entry for a dotted name: the longest module prefix that is listed,
        with the rest as the (possibly qualified) function name."""
        pieces = dotted.split(".")
        for cut in range(len(pieces) - 1, 0, -1):
            module, name = ".".join(pieces[:cut]), ".".join(pieces[cut:])
            module = _MODULE_ALIASES.get(module, module)
            found = table.listed_facts(module, name)
            if found is not None:
                return found
        return None


# Logging's and warnings' functions and methods: given ``**kwargs``, they may be
# handed a ``stacklevel`` by whoever calls the function forwarding them.
_LEVELLED = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                       "fatal", "log"})


def _looks_up(node) -> bool:
    """Does ``node`` look past its own function's frame: ``frame.f_back``, a
    ``stacklevel`` other than 1 (``log.info(msg, stacklevel=2)``, passed on as a
    variable too, or put in a dict of options: ``kw.setdefault("stacklevel", 2)``),
    keyword arguments forwarded to logging or ``warn`` (``log.info(msg, **kwargs)``)?
    (``warnings.warn(msg, category, 2)`` is read where the callee is resolved.)"""
    if isinstance(node, ast.Attribute):
        return node.attr == "f_back"
    if isinstance(node, ast.Constant):
        return node.value in ("stacklevel", "skip_file_prefixes")
    if not isinstance(node, ast.Call):
        return False
    for keyword in node.keywords:
        if keyword.arg == "stacklevel":
            return not (isinstance(keyword.value, ast.Constant) and keyword.value.value == 1)
        if keyword.arg == "skip_file_prefixes":
            return True   # (3.12: blames the first frame outside those files)
        if keyword.arg is None:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in _LEVELLED:
                return True
    return False


def _past_its_caller(callee, call) -> bool:
    """``warn(msg, category, 2)`` (under any name) and ``sys._getframe(1)`` look past
    the frame that calls them; ``sys._getframe()`` reads that frame only."""
    if callee is table.WARN:
        level = call.args[2] if len(call.args) >= 3 else None
        return level is not None and not (isinstance(level, ast.Constant) and level.value == 1)
    if callee is table.GETFRAME:
        depth = call.args[0] if call.args else None
        return not (depth is None or (isinstance(depth, ast.Constant) and depth.value == 0))
    return False


def _strongest(found):
    """One callee that may be any of several definitions: the union of what they do."""
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    kind = max((f.kind for f in found), key=lambda k: _RANK.get(k, 2))
    world = frozenset().union(*(f.world for f in found))
    mutates = frozenset().union(*(f.mutates for f in found))
    reasons = [f.reason for f in found if f.kind == kind and f.reason]
    return Facts(kind, world, mutates, reasons[0] if reasons else "")
