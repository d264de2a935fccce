"""The call cache: a called function whose code and inputs are unchanged is not run again.

A key holds everything a call's result depends on (docs/cache.md):

- the callee's transitive code hash from source (``desync.hashing``, or what a
  build embedded), its module and qualified name;
- what its code reads at run time, found from ``__code__.co_names`` in its
  globals, transitively over the functions it reaches: module-level constants by
  content, other module-level values by content on every call, closure cells and
  defaults of the functions reached, the ``name==version`` of installed
  distributions it uses, and the Python version;
- a content hash of its inputs, closure cells and defaults (``inputhash``).

Callees that touch the outside world or mutate their arguments are not cached
(``effects.facts_of``: one table, plus inference from source); ``nocache`` and
``cacheable`` override. Callees cheaper than a lookup are not cached either
(measured on their first calls, re-checked now and then).

A hit returns what plain Python would have: an immutable result as it is, and a
mutable one as an object of its own (each call builds a new list in plain Python),
with the objects the callee took from its world (a sentinel, a registry) shared by
reference (``frozen``). A result that shares a mutable object with the call's
inputs is not cached. The on-disk store returns equal copies (pickles).

Memory is bounded in bytes (sizes estimated while hashing the result) with a
scan-resistant policy: a small FIFO window in front of a main area kept by CLOCK,
where a newcomer displaces an entry only if it was asked for more often
(W-TinyLFU's admission, with exact counts for a bounded set of keys). A hit takes
no lock; a miss takes one lock round trip, plus an ``Event`` only when a second
caller waits for the same call.

Split API for executors that run calls elsewhere: ``key_for`` / ``lookup`` /
``store`` all run in the calling process; ``call`` uses them around a local call.
"""
from __future__ import annotations

import builtins
import functools
import hashlib
import itertools
import operator
import sys
import threading
import types
from collections import OrderedDict
from time import perf_counter

from . import effects
from .effects import module_name
from . import frozen as _frozen
from .frozen import Frozen, freeze
from .inputhash import (TooLarge, Unhashable, call_digest, digest_of, plain_key, set_class_token,
                        set_function_token, set_module_token)

DEFAULT_MAX_BYTES = 256 << 20
_IMMUTABLE = frozenset({type(None), bool, int, float, complex, str, bytes, range})
_FunctionType = types.FunctionType


def nocache(fn):
    """Never cache calls of ``fn`` (use as a decorator or a marker)."""
    try:
        fn.__desync_nocache__ = True
    except (AttributeError, TypeError):
        raise TypeError(f"cannot mark {fn!r} as nocache: it takes no attributes; "
                        "wrap it in a def") from None
    return fn


def cacheable(fn):
    """Cache calls of ``fn`` even though it reads or writes the outside world (or
    mutates an argument): you know the result is a function of its inputs, and a
    hit may skip the call's effects. Code hashes and inputs are still checked."""
    try:
        fn.__desync_cacheable__ = True
    except (AttributeError, TypeError):
        raise TypeError(f"cannot mark {fn!r} as cacheable: it takes no attributes; "
                        "wrap it in a def") from None
    return fn


# -- code hashes of callees ---------------------------------------------------------

_code_hashes: dict = {}
_code_lock = threading.RLock()   # (reentrant: a finalizer run by the collector)

# Hashing code from source needs ``ast``; the runtime does not import it. The
# decorator installs the source hasher; built modules carry their hashes instead.
_source_hasher = None


def set_source_hasher(hasher) -> None:
    """``hasher(fn) -> int | None``: the transitive code hash of a function from its source."""
    global _source_hasher
    _source_hasher = hasher


def callee_code_hash(fn) -> int | None:
    """The transitive code hash of a plain Python function, or None if it has none."""
    if type(fn) is not _FunctionType or getattr(fn, "__desync_nocache__", False):
        return None
    code = fn.__code__
    cached = _code_hashes.get(code, False)
    if cached is not False:
        return cached
    value = None
    built = fn.__globals__.get("__desync_code_hashes__")
    if built is not None and getattr(fn, "__desync_spec__", None) is None \
            and fn.__qualname__ in built and is_the_definition(fn):
        value = built[fn.__qualname__]  # built ahead of time: no source to parse
    elif _source_hasher is not None:
        try:
            value = _source_hasher(fn)
        except Exception:  # no readable source, a syntax error on disk: run it uncached
            value = None
    with _code_lock:
        _code_hashes[code] = value
    return value


_NOT_THERE = object()


def is_the_definition(fn) -> bool:
    """Is ``fn`` the function its module defines under its qualified name, the one a
    build's tables (code hashes, facts) describe? Not a function a factory made
    (``make.<locals>.op``: one name, many variants), not an earlier ``def`` of a name
    defined again, not a ``functools.wraps`` wrapper carrying another's name."""
    qualname = fn.__qualname__
    code = fn.__code__
    if "<" in qualname or getattr(code, "co_qualname", qualname) != qualname \
            or code.co_name != qualname.rpartition(".")[2]:
        return False
    parts = qualname.split(".")
    value = fn.__globals__.get(parts[0], _NOT_THERE)
    for part in parts[1:]:   # (a class's own dict: no descriptor runs)
        value = vars(value).get(part, _NOT_THERE) if isinstance(value, type) else _NOT_THERE
    value = getattr(value, "__func__", value)   # a staticmethod or a classmethod
    return getattr(value, "__code__", None) is code


def _identity_of(fn) -> bytes:
    text = f"{fn.__module__}\0{fn.__qualname__}".encode("utf-8", "surrogatepass")
    return b"%d:" % len(text) + text


def _state_of(fn):
    """Closure cells and defaults (they change what a call computes), or None."""
    closure, defaults, kwdefaults = fn.__closure__, fn.__defaults__, fn.__kwdefaults__
    if not (closure or defaults or kwdefaults):
        return None
    cells = []
    for cell in closure or ():
        try:
            cells.append(cell.cell_contents)
        except ValueError:  # an empty cell (``del v``): not a cell holding None
            cells.append(_EMPTY_CELL)
    if kwdefaults:
        return (defaults, cells, sorted(kwdefaults.items()))
    return (defaults, cells)


# -- what a function reads at run time -------------------------------------------------

_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)
_module_kinds: dict = {}     # top-level module name -> "stdlib" | "dist" | "project"
_versions: dict = {}         # top-level module name -> "name==version" or ""
_version_lock = threading.RLock()
_dist_map = None


def _module_kind(top: str) -> str:
    kind = _module_kinds.get(top)
    if kind is None:
        module = sys.modules.get(top)
        path = getattr(module, "__file__", None) or ""
        if not path and module is not None and top not in _STDLIB:
            # A namespace package (no __init__.py): where its folders are.
            path = next(iter(getattr(module, "__path__", None) or ()), "")
        if top in _STDLIB or top.startswith("_") and not path and module is not None:
            kind = "stdlib"
        elif "site-packages" in path or "dist-packages" in path:
            kind = "dist"
        elif module is None:
            # Not in sys.modules: code run from a file without registering it (a plugin
            # exec'd from its spec, ``runpy.run_path``): the program's own, whose
            # functions and globals count, not a library trusted by name.
            kind = "project"
        elif not path:
            kind = "stdlib"  # builtin or namespace module without a file: nothing to read
        else:
            kind = "project"
        if top == "desync":
            kind = "stdlib"  # desync's own runtime is not what the callee computes
        _module_kinds[top] = kind
    return kind


def distribution_version(top: str) -> str:
    """``name==version`` of the installed distribution providing a top-level module
    (empty if none is known). Part of the cache key of code that uses it."""
    found = _versions.get(top)
    if found is not None:
        return found
    global _dist_map
    from importlib import metadata  # only when a callee reaches an installed package
    with _version_lock:
        if _dist_map is None:
            try:
                _dist_map = metadata.packages_distributions()
            except Exception:  # pragma: no cover - broken metadata
                _dist_map = {}
    names = sorted(set(_dist_map.get(top) or [top]))
    parts = []
    for name in names:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except Exception:
            continue
    found = _versions[top] = ",".join(parts)
    return found


class _EmptyCell:
    """Stands in a key for a closure cell with no value."""

    def __reduce__(self):
        return (_EmptyCell, ())


_EMPTY_CELL = _EmptyCell()


def _global_loads(code, out):
    """Names the code (and its nested code) looks up as globals."""
    import dis
    for instruction in dis.get_instructions(code):
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            out.add(instruction.argval)
    for const in code.co_consts:
        if type(const) is types.CodeType:
            _global_loads(const, out)
    return out


def _all_names(code, out):
    out.update(code.co_names)
    for const in code.co_consts:
        if type(const) is types.CodeType:
            _all_names(const, out)
    return out


def _code_bytes(code, out):
    """A run-time stand-in for a reached function's code (its source hash is not
    always at hand): bytecode, names and constants, recursively."""
    out.append(code.co_code)
    out.append(repr((code.co_names, code.co_varnames, code.co_freevars, code.co_argcount,
                     code.co_kwonlyargcount, code.co_flags)).encode("utf-8", "surrogatepass"))
    for const in code.co_consts:
        if type(const) is types.CodeType:
            _code_bytes(const, out)
        else:
            try:
                out.append(digest_of(const, b"k").digest)
            except Unhashable:
                out.append(repr(type(const)).encode())
    return out


_KNOWN_IMMUTABLE = {("re", "Pattern"), ("decimal", "Decimal"), ("fractions", "Fraction"),
                    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
                    ("datetime", "timedelta"), ("datetime", "timezone"), ("uuid", "UUID"),
                    ("pathlib", "PurePosixPath"), ("pathlib", "PureWindowsPath"),
                    ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
                    ("ipaddress", "IPv4Address"), ("ipaddress", "IPv6Address")}


def _immutable_object(value) -> bool:
    kind = type(value)
    if (module_name(kind), kind.__qualname__) in _KNOWN_IMMUTABLE:
        return True
    enum = sys.modules.get("enum")
    if enum is not None and isinstance(value, enum.Enum):
        return True
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, (numpy.generic, numpy.dtype))


class _DecimalSettings:
    """Stands in a callee's reads for the decimal context's settings."""

    @staticmethod
    def get(name, default=None):
        import decimal
        context = decimal.getcontext()
        return (context.prec, context.rounding, context.Emin, context.Emax,
                context.capitals, context.clamp,
                tuple(sorted(t.__name__ for t, on in context.traps.items() if on)))


_DECIMAL_SETTINGS = _DecimalSettings()
_DECIMAL_MODULES = frozenset({"decimal", "_decimal", "_pydecimal"})
_DICT, _CELL, _DEFAULTS, _KWDEFAULTS = 0, 1, 2, 3
_ABSENT = object()


class _Reads:
    """What one callee reads beyond its arguments, and how to tell it changed.

    ``watch``: (kind, holder, name, value seen), re-checked by identity on every
    call (a rebinding invalidates the whole record); entries of one namespace are
    checked together (``groups``). ``volatile``: (label, holder, name) of mutable
    values, re-hashed by content on every call."""

    __slots__ = ("watch", "volatile", "digest", "groups", "others", "absent", "effects",
                 "world_only", "seeded", "named")

    def __init__(self):
        self.seeded = False   # the code it runs builds sets or hashes: see _builds_sets
        self.named = set()    # ids of immutable objects it names (``MISSING = object()``)
        self.watch = []
        self.volatile = []
        self.digest = b""
        self.groups = None
        self.others = None
        self.absent = []   # (namespace, names looked up as globals it did not hold)
        self.effects = None  # why a function it may run is not cacheable, if one is not
        self.world_only = []   # (namespace, name) of library data a result may share

    def _group(self):
        by_namespace, others = {}, []
        for kind, holder, name, seen in self.watch:
            if kind == _DICT:
                names, values = by_namespace.setdefault(id(holder), (holder, [], []))[1:]
                names.append(name)
                values.append(seen)
            else:
                others.append((kind, holder, seen))
        self.groups = [(holder, operator.itemgetter(*names), tuple(values))
                       for holder, names, values in by_namespace.values()]
        self.others = others

    def current(self):
        if self.groups is None:
            self._group()
        for holder, getter, seen in self.groups:
            try:
                now = getter(holder)
            except KeyError:  # a name was deleted
                return False
            if len(seen) == 1:
                if now is not seen[0]:
                    return False
                continue
            for a, b in zip(now, seen):
                if a is not b:
                    return False
        for namespace, names in self.absent:  # a global defined since, or a builtin shadowed
            if not namespace.keys().isdisjoint(names):
                return False
        for kind, holder, seen in self.others:
            if kind == _CELL:
                try:
                    now = holder.cell_contents
                except ValueError:
                    now = _ABSENT
            elif kind == _DEFAULTS:
                now = holder.__defaults__
            else:
                now = holder.__kwdefaults__
            if now is not seen:
                return False
        return True

    def volatile_digest(self, world: dict | None = None, limit=None) -> bytes:
        """The content digest of the mutable values read; ``world``: a dict that
        receives the ids of the mutable objects met (a result keeps those by reference).
        ``limit``: a budget in estimated bytes for each value (past it, ``TooLarge``)."""
        parts = []
        for label, holder, name in self.volatile:
            value = holder.get(name, _ABSENT) if name is not None else holder
            if value is _ABSENT:
                parts.append(label + b"-")
                continue
            found = digest_of(value, b"v", limit)
            parts.append(label + found.digest)
            if world is not None:
                world[id(value)] = value
                labels = world.setdefault(_LABELS, {})
                labels[id(value)] = label   # (an argument that is this very object)
                if found.ids:
                    world.update(found.ids)
        return b"".join(parts)

    def world_ids(self) -> dict:
        """Ids of the mutable values read (top level only: for callees whose reads are
        not hashed, marked ``cacheable``)."""
        world = {}
        for label, holder, name in self.volatile:
            value = holder.get(name, _ABSENT) if name is not None else holder
            world[id(value)] = value
        return world


# A set of strings iterates in an order the process's hash seed decides, and hash()
# of a string is the seed's: code that builds sets or hashes may compute another
# result in a process with another seed (``list(set(words))``). Its entries carry
# this process's seed: shared with processes of the same seed only (all of them
# under PYTHONHASHSEED=0 or any fixed seed), in memory as before.
_SEEDED_NAMES = frozenset({"set", "frozenset", "hash", "__hash__"})
# Dict views combined by a set operator (``a.keys() - b.keys()``) make sets too.
_VIEW_NAMES = frozenset({"keys", "items"})
_SEED_MARK = b"|seed:%x" % (hash("desync: the process's hash seed") & 0xFFFFFFFFFFFFFFFF)


def _set_opcodes():
    import opcode
    makes = frozenset(opcode.opmap[name] for name in ("BUILD_SET", "SET_ADD", "SET_UPDATE")
                      if name in opcode.opmap)
    # &, |, -, ^ (and in place): 3.11's BINARY_OP by its argument; 3.10's own opcodes.
    operators = {(opcode.opmap["BINARY_OP"], arg) for arg in (1, 7, 10, 12, 14, 20, 23, 25)} \
        if "BINARY_OP" in opcode.opmap else {
            (opcode.opmap[name], None) for name in (
                "BINARY_AND", "BINARY_OR", "BINARY_SUBTRACT", "BINARY_XOR", "INPLACE_AND",
                "INPLACE_OR", "INPLACE_SUBTRACT", "INPLACE_XOR") if name in opcode.opmap}
    return makes, frozenset(operators)


_SET_OPS = None


def _builds_sets(code) -> bool:
    """Does this code (or code nested in it) make a set (a display, a comprehension,
    a set operator on dict views)?"""
    global _SET_OPS
    if _SET_OPS is None:
        _SET_OPS = _set_opcodes()
    makes, operators = _SET_OPS
    raw = code.co_code
    if not makes.isdisjoint(raw[0::2]):
        return True
    if not _VIEW_NAMES.isdisjoint(code.co_names) and any(
            (raw[i], raw[i + 1]) in operators or (raw[i], None) in operators
            for i in range(0, len(raw), 2)):
        return True
    return any(_builds_sets(const) for const in code.co_consts
               if isinstance(const, types.CodeType))


def _names_an_object(value, named, depth=0) -> bool:
    """Is ``value``, or an item of it (tuples, frozensets), an object the callee names?"""
    if id(value) in named:
        return True
    if depth < 8 and type(value) in (tuple, frozenset):
        return any(_names_an_object(item, named, depth + 1) for item in value)
    return False


class _DispatchRegistry:
    """A ``singledispatch`` function's implementations, as a read: (type, function)
    pairs in registration order, taken when the call is made."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def get(self, name, default=None):
        return tuple(self.fn.registry.items())


def _collect_reads(fn, reached=()) -> _Reads:
    """What ``fn`` reads beyond its arguments (and ``reached``: functions whose
    closures and defaults count too, such as a class's methods)."""
    reads = _Reads()
    static = [b"py%x" % sys.hexversion]
    seen_code = set()
    seen_objects = set()
    stack = [(function, False) for function in reached]
    if fn is not None:
        stack.append((fn, True))
    all_names: set = set()       # every name the reached code reads
    class_records: list = []     # (project classes of a class read, data counted)
    module_records: list = []    # project modules read

    def watch(kind, holder, name, value):
        reads.watch.append((kind, holder, name, value))

    def decimal_read():
        # Decimal arithmetic depends on the thread's context (precision, rounding):
        # it is read on every call, like a module-level value.
        if _DECIMAL_SETTINGS not in seen_objects:
            seen_objects.add(_DECIMAL_SETTINGS)
            reads.volatile.append((b"decimal-context", _DECIMAL_SETTINGS, "settings"))

    def value_part(label, holder, name, value, names, depth):
        """Account for one value the code reads (global, attribute, cell, default)."""
        if depth > 6:
            return
        kind = type(value)
        if kind in _IMMUTABLE:
            static.append(label + digest_of(value, b"c").digest)
            return
        try:
            home = value.__name__ if kind is types.ModuleType else module_name(value)
        except Exception:  # a proxy that fails on any attribute
            home = None
        if home in _DECIMAL_MODULES:
            decimal_read()
        if kind is not types.ModuleType:  # a module is read per attribute, each function
            if id(value) in seen_objects:  # reading its own names from it
                return
            seen_objects.add(id(value))
        if kind is _FunctionType:
            top = module_name(value).partition(".")[0]
            where = _module_kind(top) if top else "project"
            if where == "dist":
                static.append(b"dist:" + distribution_version(top).encode())
            elif where == "project":
                stack.append((value, False))
                registry = getattr(value, "registry", None)
                if type(registry) is types.MappingProxyType \
                        and getattr(value, "dispatch", None) is not None:
                    # ``functools.singledispatch``: ``@show.register`` after a call
                    # adds what it runs; read afresh at every call.
                    reads.volatile.append((b"sd:" + value.__qualname__.encode(
                        "utf-8", "surrogatepass"), _DispatchRegistry(value), "registry"))
            return
        if kind is types.ModuleType:
            top = value.__name__.partition(".")[0]
            where = _module_kind(top)
            if where != "project" and top != "desync":
                if where == "dist":
                    static.append(b"dist:" + distribution_version(top).encode())
                # A library module's settings it names (``json.LEVEL``, set by the
                # program) are re-read on every call; its code is its version.
                namespace = vars(value)
                dynamic = not _DYNAMIC_LOOKUPS.isdisjoint(names)  # ``getattr(json, name)``
                for attr in sorted(list(namespace)[:512] if dynamic else names):
                    if attr not in namespace or (id(namespace), attr) in seen_objects:
                        continue
                    seen_objects.add((id(namespace), attr))
                    member = namespace[attr]
                    if type(member) in _IMMUTABLE:
                        reads.volatile.append((b"lib:" + value.__name__.encode() + b"." +
                                               attr.encode(), namespace, attr))
                    elif type(member) in (list, dict, set):
                        # The library's own data (``keyword.kwlist``): not in the key,
                        # but a result holding it shares it, as plain Python does.
                        reads.world_only.append((namespace, attr))
                    elif callable(member) and not isinstance(member, type):
                        # ``mock.patch("json.dumps", ...)``: a library function replaced
                        # is seen (its name and kind stand in the key; its version is
                        # the distribution's).
                        watch(_DICT, namespace, attr, member)
                        static.append(b"lib-fn:" + attr.encode() + b"=" + (
                            f"{type(member).__qualname__}:"
                            f"{getattr(member, '__module__', '')}."
                            f"{getattr(member, '__qualname__', '')}").encode(
                                "utf-8", "surrogatepass"))
            elif where == "project":
                namespace = vars(value)
                module_records.append(namespace)
                if not _DYNAMIC_LOOKUPS.isdisjoint(names) and id(namespace) not in seen_objects:
                    # ``getattr(config, "RATE_" + name)``: its data counts whole, and so
                    # do its functions (``getattr(mod, "g")(x)``; one replaced is seen).
                    seen_objects.add(id(namespace))
                    reads.volatile.append((b"mod:" + value.__name__.encode(),
                                           {"module": value}, "module"))
                    for attr, member in list(namespace.items())[:512]:
                        if type(member) is _FunctionType \
                                and (id(namespace), attr) not in seen_objects:
                            seen_objects.add((id(namespace), attr))
                            watch(_DICT, namespace, attr, member)
                            value_part(b"a:" + attr.encode(), namespace, attr, member,
                                       names, depth + 1)
                for attr in sorted(names):
                    if attr in namespace and (id(namespace), attr) not in seen_objects:
                        seen_objects.add((id(namespace), attr))
                        found = namespace[attr]
                        watch(_DICT, namespace, attr, found)
                        value_part(b"a:" + attr.encode(), namespace, attr, found, names,
                                   depth + 1)
            return
        if isinstance(value, type):
            top = module_name(value).partition(".")[0]
            where = _module_kind(top) if top else "stdlib"
            if where == "dist":
                static.append(b"dist:" + distribution_version(top).encode())
            elif where == "project":
                static.append(b"cls:" + f"{module_name(value)}.{value.__qualname__}".encode())
                klasses = [k for k in (*value.__mro__, *type(value).__mro__)
                           if k is not object and k is not type and _module_kind(
                               module_name(k).partition(".")[0]) == "project"]
                # (a project metaclass's attributes too: ``A.factor`` defined on it)
                # The names the class's own code reads count too (a classmethod reading
                # ``cls.factor``); code looking attributes up by computed names
                # (``getattr``, ``__dict__``) reads them all.
                read = set(names)
                for klass in klasses:
                    for member in vars(klass).values():
                        function = _function_of(member)
                        if function is not None:
                            _all_names(function.__code__, read)
                # A library base's code (``json.JSONEncoder``) reads attributes the
                # project's code never names: then all of its data counts.
                dynamic = not _DYNAMIC_LOOKUPS.isdisjoint(read) or any(
                    k not in klasses and k is not object for k in value.__mro__)
                data = set()
                class_records.append((klasses, data))
                for klass in klasses:
                    attributes = vars(klass)
                    for attr, member in list(attributes.items()):
                        function = _function_of(member)
                        if function is not None:
                            stack.append((function, False))
                            watch(_DICT, attributes, attr, member)   # replaced later
                        elif isinstance(member, type) and attr in read:
                            value_part(b"cn:" + attr.encode(), None, None, member, names,
                                       depth + 1)   # a nested class: ``Config.DB.port``
                        elif (dynamic or attr in read) and not _is_machinery(attr, member):
                            data.add(attr)
                        elif type(member) in _IMMUTABLE:
                            static.append(b"ca:" + attr.encode() + digest_of(member, b"c").digest)
                # Data read by name is re-read on every call, from every class of the
                # MRO (rebound, changed in place, or shadowed later by a subclass).
                for attr in sorted(data):
                    for klass in klasses:
                        reads.volatile.append((b"ca:" + klass.__qualname__.encode() + b"." +
                                               attr.encode(), vars(klass), attr))
            return
        if isinstance(value, (types.BuiltinFunctionType, types.MethodWrapperType,
                              types.WrapperDescriptorType, types.MethodDescriptorType)):
            owner = getattr(value, "__self__", None)
            module = getattr(value, "__module__", None) or \
                getattr(type(owner), "__module__", None) or ""
            top = module.partition(".")[0]
            if top and _module_kind(top) == "dist":
                static.append(b"dist:" + distribution_version(top).encode())
            if owner is None or isinstance(owner, types.ModuleType):
                return
            value = owner  # a bound builtin method: what it reads is its object
        if kind is tuple or kind is frozenset or _immutable_object(value):
            try:
                found = digest_of(value, b"c")
            except Unhashable:
                found = None
            if found is not None and (found.immutable or _immutable_object(value)):
                static.append(label + found.digest)
                reads.named.add(id(value))   # (a result that is it is that object)
                return
        # Any other value: mutable as far as we know, hashed by content on every call
        # (one that cannot be hashed, a lock or a socket, makes the callee uncached
        # unless it is marked ``cacheable``).
        reads.volatile.append((label, holder, name) if name is not None
                              else (label, value, None))
        if kind is dict or kind is list or kind is tuple:
            # A dispatch table (``HANDLERS[kind](x)``): what its functions do counts.
            for item in list(value.values() if kind is dict else value)[:256]:
                if type(item) in _CALLABLES and not effects.facts_of(item).cacheable:
                    reads.effects = effects.facts_of(item).reason or "runs a function with effects"

    while stack:
        g, is_callee = stack.pop()
        code = g.__code__
        if code in seen_code:
            continue
        seen_code.add(code)
        names = _all_names(code, set())
        all_names |= names
        if not reads.seeded:
            reads.seeded = not _SEEDED_NAMES.isdisjoint(names) or _builds_sets(code)
        if not _DECIMAL_MODULES.isdisjoint(names):  # ``import decimal`` in the function
            decimal_read()
        if not is_callee:
            # A function reached from the callee: its code, defaults and closure. (The
            # callee's own are in the input hash and its source hash.)
            static.append(b"fn:" + _identity_of(g))
            static.extend(_code_bytes(code, []))
            watch(_DEFAULTS, g, None, g.__defaults__)
            watch(_KWDEFAULTS, g, None, g.__kwdefaults__)
            for index, default in enumerate(g.__defaults__ or ()):
                value_part(b"d%d" % index, None, None, default, names, 1)
            for name, default in sorted((g.__kwdefaults__ or {}).items()):
                # (``def lookup(k, *, table=TABLE)``: what the default holds is read)
                value_part(b"k:" + name.encode(), None, None, default, names, 1)
            for cell in g.__closure__ or ():
                try:
                    content = cell.cell_contents
                except ValueError:  # empty now: watched, so filling it is seen
                    watch(_CELL, cell, None, _ABSENT)
                    static.append(b"cell:empty")
                    continue
                watch(_CELL, cell, None, content)
                value_part(b"cell", None, None, content, names, 1)
        else:
            # The callee's own cells are inputs; modules, classes and functions in
            # them also stand for code (versions, what those functions read).
            for cell in g.__closure__ or ():
                try:
                    content = cell.cell_contents
                except ValueError:
                    continue
                if isinstance(content, (types.ModuleType, type, _FunctionType)):
                    watch(_CELL, cell, None, content)
                    value_part(b"cell", None, None, content, names, 1)
        namespace = g.__globals__
        loads = _global_loads(code, set())
        absent = tuple(name for name in loads if name not in namespace)
        if absent:
            reads.absent.append((namespace, absent))
            built_in = namespace.get("__builtins__", builtins)
            if type(built_in) is types.ModuleType:
                built_in = vars(built_in)
            for name in absent:  # data put in builtins (``builtins.SCALE = 2``) counts;
                # builtin functions and classes are code (rebinding those is not seen)
                value = built_in.get(name, _ABSENT)
                if value is not _ABSENT and not isinstance(value, (
                        type, types.BuiltinFunctionType)) \
                        and (id(built_in), name) not in seen_objects:
                    seen_objects.add((id(built_in), name))
                    watch(_DICT, built_in, name, value)
                    if type(value) in _IMMUTABLE:
                        value_part(b"b:" + name.encode(), built_in, name, value, names, 0)
        if ("globals" in absent or "vars" in absent) and id(namespace) not in seen_objects:
            # Names computed at run time (``globals()["RATE_" + name]``): the module's
            # data counts whole.
            seen_objects.add(id(namespace))
            module = sys.modules.get(namespace.get("__name__", ""))
            if module is not None and vars(module) is namespace:
                reads.volatile.append((b"globals()", {"module": module}, "module"))
        for name in sorted(names):
            if name in namespace:
                value = namespace[name]
                watch(_DICT, namespace, name, value)
                value_part(b"g:" + name.encode(), namespace, name, value, names, 0)
    # A class or module one function names, another reads from (``helper(Settings)``
    # reading ``cls.level``): the data any reached function names counts.
    for klasses, data in class_records:
        for klass in klasses:
            attributes = vars(klass)
            for attr, member in sorted(attributes.items()):
                if attr in all_names and attr not in data and _function_of(member) is None \
                        and not isinstance(member, type) and not _is_machinery(attr, member):
                    data.add(attr)
                    for holder in klasses:
                        reads.volatile.append((b"ca:" + holder.__qualname__.encode() + b"." +
                                               attr.encode(), vars(holder), attr))
    for namespace in module_records:
        for attr in sorted(all_names):
            if attr in namespace and (id(namespace), attr) not in seen_objects:
                member = namespace[attr]
                if _function_of(member) is None and not isinstance(member, (
                        type, types.ModuleType, types.BuiltinFunctionType)):
                    seen_objects.add((id(namespace), attr))
                    watch(_DICT, namespace, attr, member)
                    value_part(b"a:" + attr.encode(), namespace, attr, member, all_names, 1)
    reads.digest = digest_of(tuple(static), b"R").digest
    return reads


_reads: dict = {}   # code object -> (globals dict, _Reads)


def reads_digest(fn, volatile: bool = True) -> bytes | None:
    """Digest of what ``fn`` reads beyond its arguments now; None if one of those
    values cannot be hashed (then the callee is not cached). ``volatile=False``
    leaves out mutable module-level values (for callees marked ``cacheable``)."""
    found = _reads.get(fn.__code__)
    if found is None or found[0] is not fn.__globals__ or not found[1].current():
        reads = _collect_reads(fn)
        _reads[fn.__code__] = (fn.__globals__, reads)
    else:
        reads = found[1]
    if not reads.volatile or not volatile:
        return reads.digest
    try:
        return reads.digest + reads.volatile_digest()
    except Unhashable:
        return None


# What ``@desync`` gives each function (the API, bound to its spec): not data a call
# reads, and not hashable (the spec holds executors).
_DESYNC_ATTRIBUTES = frozenset({"get_version", "set_version", "get_callees", "get_cache",
                                "set_cache"})


def _data_attributes(fn, prefix: str = "__desync"):
    """``fn.weight = 2``: attributes a call may read (None if there are none)."""
    attributes = fn.__dict__
    desynced = "__desync_spec__" in attributes
    found = {k: v for k, v in attributes.items() if not k.startswith(prefix)
             and not (desynced and k in _DESYNC_ATTRIBUTES)}
    return found or None


def _function_token(fn) -> bytes | None:
    """How a function passed as an input is hashed: its identity, code, what it
    reads, its closure and defaults."""
    top = module_name(fn).partition(".")[0]
    where = _module_kind(top) if top else "project"
    if where != "project":  # a library function: by name (and version)
        name = f"{fn.__module__}.{fn.__qualname__}".encode("utf-8", "surrogatepass")
        version = distribution_version(top).encode() if where == "dist" else b""
        return b"ref:" + name + b"==" + version
    code_hash = callee_code_hash(fn) if fn.__name__ != "<lambda>" else None
    parts = [_identity_of(fn), b"%x" % (code_hash or 0)]
    if code_hash is None:
        parts.extend(_code_bytes(fn.__code__, []))
    busy = _tokenizing.__dict__.setdefault("functions", set())
    if fn in busy:
        # (met again while hashing what it reads: ``COMMANDS = [report, render]`` in the
        # module ``render`` reads through ``globals()``; its reads are hashed already)
        return digest_of(tuple(parts), b"F").digest
    busy.add(fn)
    try:
        read = reads_digest(fn)
    finally:
        busy.discard(fn)
    if read is None:
        return None
    parts.append(read)
    state = _state_of(fn)
    attributes = _data_attributes(fn) if fn.__dict__ else None
    if state is not None or attributes:
        try:
            found = digest_of((state, attributes), b"s")
        except Unhashable:
            return None
        parts.append(found.digest)
        _reached((state, attributes), found)   # what it holds is the callee's world too
    return digest_of(tuple(parts), b"F").digest


set_function_token(_function_token)

_class_tokens: dict = {}


def _class_token(cls) -> bytes | None:
    """How the class of an object in an input is hashed: a class of the project by its
    name, the code of its methods and its data attributes as they are now (and its
    project bases'), so an edited method or a changed class setting is another
    input; an installed package's class by name and version; others by name alone
    (None)."""
    found = _class_tokens.get(cls)
    if found is None:
        found = _class_tokens[cls] = _static_class_token(cls)
    token, holders = found
    if not holders or cls in _tokenizing.__dict__.setdefault("classes", set()):
        return token or None  # (an instance of the class among its own attributes)
    busy = _tokenizing.classes
    busy.add(cls)
    try:
        parts = [token]
        functions = []
        for attributes in holders:
            for attr, member in list(attributes.items()):
                function = _function_of(member)
                if function is not None:   # a method replaced since (``Item.value = f``)
                    functions.append(function)
                    parts.append(attr.encode() + b"=fn:" + _code_digest(function.__code__))
                    continue
                if isinstance(member, type) and not attr.startswith("__"):
                    inner = _class_token(member)   # a nested class (``c.DB.port``)
                    if inner:
                        parts.append(attr.encode() + b"=cls:" + inner)
                    continue
                if _is_machinery(attr, member):
                    continue
                try:
                    found = digest_of(member, b"c", _CLASS_DATA_LIMIT)
                except Unhashable:  # a lock, a socket: a resource, not content
                    parts.append(attr.encode() + b"=?" + type(member).__qualname__.encode())
                    continue
                parts.append(attr.encode() + b"=" + found.digest)
                _reached(member, found)
        # What its methods read beyond the object (``item.total()`` reads ``TAX``).
        functions = tuple(functions)
        known = _class_reads.get(cls)
        if known is None or known[0] != functions or not known[1].current():
            known = _class_reads[cls] = (functions, _collect_reads(None, functions))
        reads = known[1]
        parts.append(reads.digest)
        if reads.volatile:
            parts.append(reads.volatile_digest(getattr(_tokenizing, "world", None),
                                               _CLASS_DATA_LIMIT))
    finally:
        busy.discard(cls)
    return digest_of(tuple(parts), b"C").digest


_tokenizing = threading.local()
_tokenizing.world = None


def _reached(value, found):
    """Record an object an input's class or module holds (see ``key_for``)."""
    world = getattr(_tokenizing, "world", None)
    if world is not None and not found.immutable:
        world[id(value)] = value
        if found.ids:
            world.update(found.ids)
_class_reads: dict = {}   # project class -> (its methods, _Reads of them)
_code_digests: dict = {}  # code object -> digest of its bytes, names and constants


def _code_digest(code) -> bytes:
    found = _code_digests.get(code)
    if found is None:
        found = _code_digests[code] = digest_of(tuple(_code_bytes(code, [])), b"k").digest
    return found
_CLASS_DATA_LIMIT = 1 << 20   # class data bigger than this makes the call uncached


_DYNAMIC_LOOKUPS = frozenset({"getattr", "__dict__", "vars", "hasattr", "globals", "attrgetter",
                              "getmembers", "getattr_static"})


def _function_of(member):
    """The function behind a class member (method, static or class method,
    property getter), or None."""
    if isinstance(member, (staticmethod, classmethod)):
        member = member.__func__
    elif isinstance(member, property):
        member = member.fget
    return member if type(member) is _FunctionType else None


_CALLABLES = frozenset({_FunctionType, types.MethodType, types.BuiltinFunctionType,
                        types.BuiltinMethodType})


def _holds_decimal(args, kwargs) -> bool:
    """Is a Decimal among the arguments (or the items of a list, tuple or dict given)?"""
    decimal_type = sys.modules["decimal"].Decimal
    for value in (*args, *(kwargs.values() if kwargs else ())):
        kind = type(value)
        if kind is decimal_type:
            return True
        if kind is list or kind is tuple or kind is dict:
            items = value.values() if kind is dict else value
            if any(type(item) is decimal_type for item in items):
                return True
    return False




def _runs_effects_given(args, kwargs, fn=None) -> bool:
    """Is something handed to the callee code that prints, writes or changes state
    when the callee runs it: a function (``apply(show, x)``), a class whose
    ``__init__`` does, an object with such a ``__call__``, or such functions in a
    list, tuple or dict (``run_all([show], x)``, a dispatch table)? A hit would skip
    what it does."""
    for value in (*args, *(kwargs.values() if kwargs else ())):
        kind = type(value)
        if kind in effects.DATA_KINDS:
            continue
        if kind in effects.HOLDER_KINDS:
            if value and any(not effects.facts_of(item).cacheable
                             for item in effects.callables_in(value)):
                return True
            continue
        if issubclass(kind, type):   # (not isinstance: it would read ``__class__``)
            # A class: what constructing it does beyond filling the new object (its
            # ``__init__`` setting ``self.x`` is named, not numbered, in ``mutates``).
            facts = effects.facts_of(value)
            if facts.world or any(type(m) is int for m in facts.mutates):
                return True
            continue
        if (kind in _CALLABLES or kind is functools.partial or callable(value)) \
                and not effects.facts_of(value).cacheable:
            return True
        if type(fn) is types.FunctionType and not all(
                facts.cacheable for facts in effects.facts_of_methods_named(fn, kind)):
            return True   # (``fetch_with(client, x)`` calling ``client.get(x)``, which reads)
    return False


def _is_machinery(attr, member) -> bool:
    """Class members that are not data a method reads: dunders, descriptors."""
    return (attr.startswith("__") and attr.endswith("__")) or isinstance(
        member, (staticmethod, classmethod, property, type, types.MemberDescriptorType,
                 types.GetSetDescriptorType))


def _static_class_token(cls):
    """(the token of a class's name and code, its project classes' dicts to read data
    attributes from)."""
    top = module_name(cls).partition(".")[0]
    where = _module_kind(top) if top else "stdlib"
    token = b""
    if where == "dist":
        token = b"cls:" + f"{module_name(cls)}.{cls.__qualname__}=={distribution_version(top)}" \
            .encode("utf-8", "surrogatepass")
    elif where == "project":
        parts = [f"{module_name(cls)}.{cls.__qualname__}".encode("utf-8", "surrogatepass")]
        for klass in cls.__mro__:
            if klass is object or _module_kind(module_name(klass).partition(".")[0]) \
                    != "project":
                continue
            for attr, member in sorted(vars(klass).items()):
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if type(member) is _FunctionType:  # (data: read on each use, above)
                    parts.append(attr.encode() + b"=" + b"".join(_code_bytes(member.__code__, [])))
        token = b"cls:" + digest_of(tuple(parts), b"C").digest
        holders = tuple(vars(klass) for klass in (*cls.__mro__, *type(cls).__mro__)
                        if klass is not object and klass is not type and _module_kind(
                            module_name(klass).partition(".")[0]) == "project")
        return token, holders   # (a project metaclass's attributes count too)
    return token, ()


set_class_token(_class_token)


def _module_token(module) -> bytes:
    """A module passed as an input: its data attributes as they are now (a callee
    reading ``mod.LEVEL`` depends on it), and an installed package's version. A
    library module's own containers are its code's business: only its scalar and
    string settings count; a project module's data counts whole."""
    top = (getattr(module, "__name__", "") or "").partition(".")[0]
    where = _module_kind(top) if top else "stdlib"
    parts = [distribution_version(top).encode()] if where == "dist" else []
    busy = _tokenizing.__dict__.setdefault("modules", set())
    if module in busy:
        # (met again inside its own data: a function in it reads the module whole)
        return digest_of(("module", getattr(module, "__name__", "")), b"m").digest
    busy.add(module)
    try:
        return _module_parts_digest(module, where, parts)
    finally:
        busy.discard(module)


def _module_parts_digest(module, where, parts) -> bytes:
    for attr, member in list(vars(module).items()):
        kind = type(member)
        if kind is _FunctionType and where == "project":
            # ``getattr(m, "handler")(x)``: which function the name holds counts (one
            # replaced later, ``m.handler = v2``, is another input).
            parts.append((attr, member.__qualname__, callee_code_hash(member) or 0))
        elif kind in _IMMUTABLE:
            if not (attr.startswith("__") and attr.endswith("__")):
                parts.append((attr, member))
        elif where == "project" and not _is_machinery(attr, member) and not isinstance(
                member, (types.ModuleType, _FunctionType, types.BuiltinFunctionType)):
            try:
                found = digest_of(member, b"c", _CLASS_DATA_LIMIT)
            except Unhashable:
                parts.append((attr, "?" + kind.__qualname__))
                continue
            parts.append((attr, found.digest))
            _reached(member, found)
    return digest_of(tuple(parts), b"m").digest


set_module_token(_module_token)


def _is_project_class(cls) -> bool:
    top = module_name(cls).partition(".")[0]
    return bool(top) and _module_kind(top) == "project"


_frozen.is_project_class = _is_project_class


def explain(fn) -> tuple[bool, str]:
    """(whether calls of ``fn`` are cached, why): for ``desync explain`` and users."""
    if type(fn) is not _FunctionType:
        return False, f"not a plain Python function ({type(fn).__name__}): no code hash"
    if getattr(fn, "__desync_nocache__", False):
        return False, "marked desync.nocache"
    if callee_code_hash(fn) is None:
        return False, "no code hash (a lambda, or its source cannot be read)"
    forced = getattr(fn, "__desync_cacheable__", False)
    facts = effects.facts_of(fn)
    if not facts.cacheable and not forced:
        return False, facts.reason
    reads = _collect_reads(fn)
    if reads.volatile and not forced:
        try:
            reads.volatile_digest()
        except Unhashable as error:
            return False, f"reads a module-level value that cannot be hashed ({error})"
    stats = _stats.get(fn.__code__)
    if stats is not None and stats.skip:
        return False, "its calls run faster than a lookup costs (checked again now and then)"
    why = "marked desync.cacheable" if forced and not facts.cacheable else facts.reason
    return True, why


# -- adaptivity ------------------------------------------------------------------------

class _Stats:
    """Per callee: is a call worth a lookup? Learnt from the first calls, re-checked
    on one call in ``period`` while skipped."""

    __slots__ = ("cheap", "skip", "period", "countdown", "cost", "measure", "probing",
                 "fruitless", "keyed", "spent", "saved", "ran")

    def __init__(self):
        self.cheap = 0
        self.skip = False
        self.period = 16
        self.countdown = 0
        self.cost = -1.0       # seconds a call takes (a moving average); -1: not known yet
        self.measure = False   # a call was too big to hash: time it, to learn its cost
        self.probing = False   # a call with the first, generous budget is in flight
        self.fruitless = False  # skipped because its lookups did not pay for themselves
        self.keyed = 0          # over the last keyed calls (a window): how many,
        self.spent = 0.0        # the seconds their keys cost,
        self.saved = 0.0        # the seconds their hits saved,
        self.ran = 0.0          # and the seconds the misses ran

    def hit(self, overhead):
        self.spent += overhead
        self.saved += self.cost if self.cost > 0 else 0.0
        if self.fruitless:   # a probe found something again: look every call
            self.fruitless = self.skip = False
            self.period = 16

    def missed(self, overhead, cost):
        """A keyed call that ran (what ``_store`` does inline)."""
        self.keyed += 1
        self.spent += overhead
        self.ran += cost
        if self.keyed >= _FRUITLESS_WINDOW:
            self.judge()

    def judge(self):
        """At the end of a window of keyed calls. Every input new (``loads(text)`` on
        each line of a file): keys that cost a noticeable share of the calls and are
        never used stop being made, as for a callee cheaper than its key (probes go
        on)."""
        if self.spent > self.saved and self.spent > self.ran * _FRUITLESS_SHARE:
            if self.skip:
                self.period = min(self.period * 2, _MAX_PERIOD)
            self.fruitless = self.skip = True
            self.countdown = self.period
        self.keyed = 0
        self.spent = self.saved = self.ran = 0.0

    def was_cheap(self):
        """A call cost less than a lookup would: after a streak, skip keying."""
        self.cheap += 1
        if self.cheap >= _CHEAP_STREAK:
            if self.skip:
                self.period = min(self.period * 2, _MAX_PERIOD)
            self.skip = True
            self.countdown = self.period

    def learn(self, seconds):
        cost = self.cost  # up at once (a slow call must not wait to be cached), down slowly
        self.cost = seconds if seconds > cost else cost * 0.75 + seconds * 0.25

    def hashing_budget(self):
        """Estimated bytes of inputs worth hashing for one call: a lookup may cost up
        to half of the call it would save. Before any call is timed, a generous budget
        (a call made once per process, on big data, is what a disk cache is for)."""
        if self.cost < 0:
            if self.probing:  # calls made while the first runs: not worth hashing big
                return _MIN_BUDGET  # data each (they are timed instead)
            self.probing = True
            return _FIRST_BUDGET
        return max(_MIN_BUDGET, self.cost * 0.5 * _HASH_RATE)


_stats: dict = {}
_CHEAP_STREAK = 3
_FRUITLESS_WINDOW = 64      # keyed calls judged together
_FRUITLESS_SHARE = 0.05     # keys costing under this share of the calls are always made
_MAX_PERIOD = 1024
_HASH_RATE = 100e6          # estimated input bytes hashed per second (a slow machine)
_FIRST_BUDGET = 256 << 20   # about 2.5 s of hashing, once
_MIN_BUDGET = 16 << 10      # about 0.2 ms: small inputs are always worth a look


class _Callee:
    """What the cache knows of one callee (per code object and globals)."""

    __slots__ = ("namespace", "code_hash", "cacheable", "stats", "reads", "defaults",
                 "prefix", "key_prefix")


_callees: dict = {}


def _callee_record(fn) -> _Callee:
    callee = _Callee()
    callee.namespace = fn.__globals__
    callee.code_hash = callee_code_hash(fn)
    callee.cacheable = effects.facts_of(fn).cacheable if callee.code_hash is not None else False
    callee.stats = _stats.setdefault(fn.__code__, _Stats())
    callee.reads = None
    callee.key_prefix = None
    callee.defaults = _MISSING
    callee.prefix = b""
    if fn.__closure__ is None and not fn.__kwdefaults__:
        prefix, state = _prefix_and_state(fn)
        if state is None:
            callee.defaults, callee.prefix = fn.__defaults__, prefix
    _callees[fn.__code__] = callee
    return callee


# -- keys and entries -----------------------------------------------------------------

class CacheKey:
    """One call's key, and what ``store`` needs to judge the result. Opaque; stays in
    the process that made it."""

    __slots__ = ("id", "code_hash", "ids", "stats", "overhead", "world", "named")

    def __init__(self, ident, code_hash, ids, stats, overhead, world=None, named=()):
        self.id = ident               # bytes: everything the result depends on (a digest,
        # or for small plain arguments the exact text the digest would be taken of)
        self.code_hash = code_hash    # the callee's code alone (the disk store's folder)
        self.ids = ids                # mutable objects met in the inputs, for alias checks
        self.stats = stats
        self.overhead = overhead      # seconds spent hashing inputs (a lookup costs about this)
        self.world = world            # ids of mutable objects the callee reads (or None):
        # a result shares these by reference, and gets a copy of the rest
        self.named = named            # ids of immutable objects it names (its sentinels)

    def __repr__(self):
        return f"<desync CacheKey {self.code_hash:016x}/{self.digest().hex()}>"

    def digest(self) -> bytes:
        """16 bytes naming the entry (its file name on disk)."""
        ident = self.id
        return ident if len(ident) == 16 else _blake2b(ident, digest_size=16).digest()


_blake2b = hashlib.blake2b


class _Waiting:
    """Callers waiting for a call another thread is running."""

    __slots__ = ("event", "value", "shared")

    def __init__(self):
        self.event = threading.Event()
        self.value = None
        self.shared = False


_tokens = itertools.count(1)


_MISSING = object()
_UNSET = object()
_LABELS = object()   # (a key of a world dict: the labels of the values read)


class CallCache:
    """Results of calls made by one desync function's body. Picklable (entries
    included, as pickles: loading one gives equal copies)."""

    def __init__(self, max_entries: int | None = None, directory=None,
                 max_bytes: int | None = None, adaptive: bool = True):
        if max_entries is not None and (not isinstance(max_entries, int) or max_entries < 0):
            raise ValueError(f"max_entries must be a non-negative int, not {max_entries!r}")
        if max_bytes is not None and (not isinstance(max_bytes, int) or max_bytes < 0):
            raise ValueError(f"max_bytes must be a non-negative int, not {max_bytes!r}")
        self.max_entries = max_entries
        self.max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
        self.adaptive = adaptive
        self.directory = directory
        self.disk = None
        if directory is not None:
            from .diskstore import DEFAULT_MAX_BYTES as DISK_DEFAULT, DiskStore
            self.disk = DiskStore(directory, max_bytes or DISK_DEFAULT)
        self._lock = threading.Lock()
        self._reset()
        self.hits = self.misses = self.uncached = 0
        self.saved = 0.0   # seconds the callees answered by hits took when they ran

    def _reset(self):
        # Entries live in flat dicts (no object per entry: fewer objects for the
        # garbage collector to walk in a cache of a million small results).
        self._values: dict = {}     # key id -> the result, or its Frozen form
        self._freq: dict = {}       # key id -> how often asked for, if not 1 (capped, aged)
        self._refs: set = set()     # key ids used since the CLOCK hand passed
        self._window: OrderedDict = OrderedDict()   # key id -> size in bytes
        self._main: OrderedDict = OrderedDict()
        self._window_bytes = self._main_bytes = 0
        self._ghost: dict = {}
        self._inflight: dict = {}
        self._waiting: dict = {}
        self._inserts = 0
        self._age_at = 1280
        self._set_limits()

    # -- pickling ---------------------------------------------------------------------
    def __getstate__(self):
        import pickle
        with self._lock:
            entries = list(self._values.items())
        saved = []
        for key, value in entries:
            if type(value) is Frozen and value.shared is None and value.array is None:
                saved.append((key, value.payload))
                continue
            try:
                if type(value) is Frozen:
                    value = value.thaw()
                saved.append((key, pickle.dumps(value, protocol=5)))
            except Exception:
                try:
                    import cloudpickle
                    saved.append((key, cloudpickle.dumps(value, protocol=5)))
                except Exception:
                    continue
        return {"max_entries": self.max_entries, "max_bytes": self.max_bytes,
                "adaptive": self.adaptive, "store": self.disk, "entries": saved}

    def __setstate__(self, state):
        self.__init__(state.get("max_entries"), max_bytes=state.get("max_bytes"),
                      adaptive=state.get("adaptive", True))
        self.disk = state.get("store")
        import pickle
        for key, payload in state.get("entries", ()):
            try:
                self._remember(key, pickle.loads(payload), None, payload)
            except Exception:
                continue

    def __len__(self):
        return len(self._values)

    @property
    def nbytes(self) -> int:
        """Estimated bytes held in memory."""
        return self._window_bytes + self._main_bytes

    def __repr__(self):
        where = f", disk={self.disk.directory!r}" if self.disk is not None else ""
        return (f"<desync CallCache {len(self)} entries, ~{self.nbytes} bytes, {self.hits} hits, "
                f"{self.misses} misses{where}>")

    def clear(self):
        with self._lock:
            self._values.clear()
            self._freq.clear()
            self._refs.clear()
            self._window.clear()
            self._main.clear()
            self._ghost.clear()
            self._window_bytes = self._main_bytes = 0

    # -- the split API ---------------------------------------------------------------
    def key_for(self, fn, args, kwargs) -> CacheKey | None:
        """The key of ``fn(*args, **kwargs)``, or None when the call is not to be cached
        (no code hash, effects, unhashable inputs, or cheaper than a lookup)."""
        if type(fn) is not _FunctionType:
            return None
        callee = _callees.get(fn.__code__)
        if callee is None or callee.namespace is not fn.__globals__:
            callee = _callee_record(fn)
        stats = callee.stats
        if stats.skip and self.adaptive and not (stats.fruitless and self.disk is not None):
            # (A disk store's hits come in later processes: it keys every call.)
            stats.countdown -= 1
            if stats.countdown > 0:
                return None  # cheaper than a lookup: not even hashed
            stats.countdown = stats.period  # this call is a probe
        if callee.code_hash is None:
            return None
        forced = False
        attributes = None
        if fn.__dict__:
            if fn.__dict__.get("__desync_nocache__"):
                return None
            forced = fn.__dict__.get("__desync_cacheable__", False)
            # ``rate.table[k]``: a callee reading its own attributes depends on them.
            attributes = _data_attributes(fn, "__")
        if not forced:
            if fn.__closure__ is not None or fn.__defaults__ or fn.__kwdefaults__:
                # What it does depends on what it holds (``twice(noisy)`` and
                # ``twice(pure)`` share their code): judged per function.
                if not effects.facts_of(fn).cacheable:
                    return None
            elif not callee.cacheable:
                return None
        start = perf_counter()  # what a lookup costs each time: checking what the callee
        reads = callee.reads    # reads (collected again when a global is rebound), hashing
        if reads is None or not reads.current():  # its inputs
            first = reads is None
            reads = callee.reads = _collect_reads(fn)
            callee.key_prefix = None
            if first:  # a one-time cost (versions of packages...): not a lookup's
                start = perf_counter()
        if reads.effects is not None and not forced:
            return None
        try:
            if fn.__closure__ is None and fn.__defaults__ is callee.defaults \
                    and not fn.__kwdefaults__ and attributes is None:
                prefix, state = callee.key_prefix, None
                if prefix is None:
                    prefix = callee.key_prefix = b"%x:" % callee.code_hash + callee.prefix \
                        + reads.digest
            else:
                prefix, state = _prefix_and_state(fn)
                prefix = b"%x:" % callee.code_hash + prefix + reads.digest
                if attributes is not None:
                    state = (state, attributes)
            world = None
            budget = _UNSET   # (asked for once, and only when something is hashed)
            if reads.volatile:
                if forced:
                    world = reads.world_ids()
                else:
                    world = {}
                    # What it reads is hashed on every call too: within the same budget
                    # as its inputs (a cheap lookup into a big table is not keyed).
                    budget = stats.hashing_budget() if self.adaptive else None
                    prefix += reads.volatile_digest(world, budget)
            if reads.world_only:
                world = {} if world is None else world
                for namespace, attr in reads.world_only:
                    member = namespace.get(attr)
                    world[id(member)] = member
            digest = plain_key(args, prefix) if not kwargs and state is None else None
            if digest is not None:
                ids = None   # (plain arguments: no function among them)
            else:
                if not forced and _runs_effects_given(args, kwargs, fn):
                    return None
                if budget is _UNSET:
                    budget = stats.hashing_budget() if self.adaptive else None
                if "decimal" in sys.modules and _holds_decimal(args, kwargs):
                    # Arithmetic on a Decimal argument uses the thread's context.
                    prefix += digest_of(_DECIMAL_SETTINGS.get(None), b"d").digest
                # Objects the inputs' classes and modules hold (``r.DEFAULTS``,
                # ``mod.REGISTRY``) are the callee's world too: a result shares them.
                reached = _tokenizing.world = {}
                try:
                    inputs = call_digest(args, kwargs, prefix, state, budget)
                finally:
                    _tokenizing.world = None
                digest, ids = inputs.digest, inputs.ids
                labels = world.get(_LABELS) if world else None
                if labels:
                    # ``opts is DEFAULTS``: an argument that is an object the callee
                    # reads is not the same input as an equal copy of it.
                    marks = [labels.get(id(v), b"") for v in
                             (*args, *(kwargs.values() if kwargs else ()))]
                    if any(marks):
                        digest = _blake2b(digest + b"|".join(marks), digest_size=16).digest()
                if reached:
                    world = reached if world is None else {**world, **reached}
        except TooLarge:
            # Hashing these inputs would cost more than the call is likely to: the
            # call runs uncached (``first(xs)`` on a long list stays O(1)), and is
            # timed, so a callee that turns out slow gets a bigger budget.
            stats.measure = True
            return None
        except Unhashable:
            return None
        if reads.seeded:
            digest += _SEED_MARK   # (this process's hash seed: see _builds_sets)
        return CacheKey(digest, callee.code_hash, ids, stats, perf_counter() - start, world,
                        reads.named)

    def lookup(self, key: CacheKey, fresh: bool = False):
        """(True, value) on a hit, else (False, None). Never blocks on other calls.
        A mutable value is the caller's own (``fresh`` is accepted for compatibility:
        every hit is fresh)."""
        found, value = self._use(key.id)
        if not found and self.disk is not None:
            found, value = self._disk_lookup(key)
        if found:
            key.stats.hit(key.overhead)
        return found, value

    def store(self, key: CacheKey, value, cost_seconds: float, fresh: bool = False) -> bool:
        """Remember a call's result (``cost_seconds``: how long the call took). Returns
        whether it was kept; cheap calls, results that share mutable objects with
        their inputs and results that can be neither hashed nor copied are not. The
        cache keeps a copy: the caller may change ``value`` afterwards."""
        return self._store(key, value, cost_seconds, None)

    # -- a local call ------------------------------------------------------------------
    def call(self, fn, args, kwargs, fresh: bool = False):
        """``fn(*args, **kwargs)`` through the cache. A mutable result is always the
        caller's own object (``fresh`` is accepted for compatibility)."""
        key = self.key_for(fn, args, kwargs)
        if key is None:
            self.uncached += 1
            callee = _callees.get(getattr(fn, "__code__", None))
            if callee is not None and callee.stats.measure:
                stats = callee.stats
                stats.measure = False
                start = perf_counter()
                value = fn(*args, **kwargs) if kwargs else fn(*args)
                stats.learn(perf_counter() - start)
                if stats.hashing_budget() <= _MIN_BUDGET:  # still not worth a lookup
                    stats.was_cheap()
                return value
            return fn(*args, **kwargs) if kwargs else fn(*args)
        ident = key.id
        while True:
            if ident in self._values:  # (a miss, the common first call, skips the look)
                found, value = self._use(ident)
                if found:
                    self.hits += 1
                    self.saved += max(key.stats.cost, 0.0)
                    key.stats.hit(key.overhead)
                    return value
            if self.disk is not None:
                found, value = self._disk_lookup(key)
                if found:
                    self.hits += 1
                    self.saved += max(key.stats.cost, 0.0)
                    key.stats.hit(key.overhead)
                    return value
            token = next(_tokens)
            if self._inflight.setdefault(ident, token) == token:  # atomic: claims the call
                if ident in self._values:  # stored while we claimed: look again
                    self._release(ident, token)
                    continue
                break
            shared, value = self._wait(ident)
            if shared:
                self.hits += 1
                self.saved += max(key.stats.cost, 0.0)
                key.stats.hit(key.overhead)
                return value
        self.misses += 1
        start = perf_counter()
        try:
            value = fn(*args, **kwargs) if kwargs else fn(*args)
        except BaseException:
            self._release(ident, token)
            raise
        self._store(key, value, perf_counter() - start, token)
        return value

    def _wait(self, ident):
        """Wait for the thread running this call; (True, its value) if it was kept."""
        with self._lock:
            if ident not in self._inflight:
                return False, None  # finished meanwhile: look again
            waiting = self._waiting.get(ident)
            if waiting is None:
                waiting = self._waiting[ident] = _Waiting()
        waiting.event.wait()
        if waiting.shared:
            stored = waiting.value
            if type(stored) is Frozen:
                try:
                    return True, stored.thaw()
                except Exception:
                    return False, None
            return True, stored
        return False, None

    def _release(self, ident, token):
        with self._lock:
            if self._inflight.get(ident) == token:
                del self._inflight[ident]
            waiting = self._waiting.pop(ident, None)
        if waiting is not None:
            waiting.event.set()

    # -- hits ---------------------------------------------------------------------------
    def _use(self, ident):
        """(True, value) if ``ident`` is held: a mutable result as a new object of the
        caller's own. Takes no lock."""
        value = self._values.get(ident, _MISSING)
        if value is _MISSING:
            return False, None
        if type(value) is Frozen:
            try:
                value = value.thaw()
            except Exception:  # a class that moved, a damaged payload: a miss
                self._drop(ident)
                return False, None
        self._refs.add(ident)
        freq = self._freq.get(ident, 1)
        if freq < 15:
            self._freq[ident] = freq + 1  # racy by design: a lost count only ages it sooner
        return True, value

    def _disk_lookup(self, key):
        try:
            payload = self.disk.get(key.code_hash, key.digest())
        except Exception:  # unreadable or unsafe folder: a miss
            payload = None
        if payload is None:
            return False, None
        import pickle
        try:
            value = pickle.loads(payload)
        except Exception:  # a damaged or stale pickle is a miss
            try:
                self.disk.discard(key.code_hash, key.digest())
            except Exception:
                pass
            return False, None
        self._remember(key.id, value, None, payload)
        return True, value

    # -- stores ---------------------------------------------------------------------------
    def _store(self, key, value, cost, token):
        stats = key.stats
        known = stats.cost  # stats.learn(cost), inline: this is every miss's path
        stats.cost = cost if cost > known else known * 0.75 + cost * 0.25
        entry = None
        if self.adaptive and self.disk is None:   # (stats.missed, inline: every miss)
            stats.keyed += 1
            stats.spent += key.overhead
            stats.ran += cost
            if stats.keyed >= _FRUITLESS_WINDOW:
                stats.judge()
        if self.adaptive and cost < key.overhead * 2 + 2e-6:
            stats.was_cheap()
        else:
            kind = type(value)
            if kind in _IMMUTABLE:  # the common case, inline: (+ the key: up to 256 bytes)
                entry = (value, 520 if kind is not str and kind is not bytes
                         else 505 + len(value), 0.0)
            else:
                entry = self._entry_for(value, key.ids, key.world)
            # Each hit of a mutable result copies it (loading a pickle costs about
            # three times writing it): keep it only if that beats running the call.
            if self.adaptive and entry is not None and \
                    cost < key.overhead * 2 + entry[2] * 3 + 2e-6:
                stats.was_cheap()
                entry = None
            elif (stats.cheap or stats.skip) and not stats.fruitless:
                stats.cheap = 0
                stats.skip = False
                stats.period = 16
        kept = False
        ident = key.id
        with self._lock:  # one round trip: insert, and hand the value to any waiter
            if entry is not None:
                kept = self._insert_locked(ident, entry[0], entry[1])
            waiting = None
            if token is not None:
                if self._inflight.get(ident) == token:
                    del self._inflight[ident]
                waiting = self._waiting.pop(ident, None)
                if waiting is not None and kept:
                    waiting.shared = True
                    waiting.value = entry[0]
        if waiting is not None:
            waiting.event.set()
        if kept and self.disk is not None:
            self._disk_put(key, value, entry[0])
        return kept

    def _disk_put(self, key, value, stored):
        import pickle
        if type(stored) is Frozen and stored.shared is not None:
            return   # it holds the callee's own objects: another process has copies
        if stored is value and type(value) not in _IMMUTABLE and (
                _names_an_object(value, key.named)
                or (key.world and _names_an_object(value, key.world))):
            return   # ``TABLE.get(k, MISSING)``: ``r is MISSING`` needs that very object
        try:
            if type(stored) is Frozen and stored.shared is None and stored.array is None:
                payload = stored.payload
            else:
                payload = pickle.dumps(value, protocol=5)
        except Exception:
            try:
                import cloudpickle
                payload = cloudpickle.dumps(value, protocol=5)
            except Exception:
                return  # an unpicklable result is kept in memory only
        if sys.flags.hash_randomization and (_frozen.SET_OPCODE in payload
                                             or _frozen.FROZENSET_OPCODE in payload):
            # A set of strings iterates in an order set by the process's hash seed:
            # another process would get this one's order. Kept in memory only.
            return
        try:
            self.disk.put(key.code_hash, key.digest(), payload)
        except Exception:
            pass  # a full, read-only or unsafe disk must not fail the call

    @staticmethod
    def _entry_for(value, input_ids, world_ids=None, payload=None):
        """(what to keep, size, seconds spent copying) for a result, or None if it must
        not be kept. What is kept: the value itself if immutable or the callee's world's
        own object, else its frozen form (``payload``: its plain pickle, if known)."""
        kind = type(value)
        if kind in _IMMUTABLE:  # (+ the key: up to 256 bytes)
            return value, (520 if kind is not str and kind is not bytes else 505 + len(value)), 0.0
        if not input_ids and not world_ids and kind is not tuple and kind is not frozenset:
            # Nothing it could share with the inputs or the callee's world: no walk,
            # its pickle is all that is kept (and all a hit needs).
            started = perf_counter()
            stored = Frozen(payload, None) if payload is not None else freeze(value)
            if stored is None:
                return None  # no faithful copy: not kept
            return stored, max(stored.nbytes, 64) + 456, perf_counter() - started
        try:
            found = digest_of(value, b"V")
        except Unhashable:
            return None  # no stable content: not kept
        if input_ids and found.ids:
            if not input_ids.keys().isdisjoint(found.ids.keys()):
                return None  # the result is (part of) an input: not kept
        size = max(found.size, 64) + 456
        if found.immutable or (world_ids and id(value) in world_ids):
            return value, size, 0.0  # shared by every caller in plain Python too
        started = perf_counter()
        if payload is not None and not world_ids:
            return Frozen(payload, None), size, perf_counter() - started
        stored = freeze(value, world_ids)
        if stored is None:
            return None
        return stored, max(size, stored.nbytes + 456), perf_counter() - started

    def _remember(self, ident, value, input_ids, payload=None) -> bool:
        entry = self._entry_for(value, input_ids, None, payload)
        if entry is None:
            return False
        with self._lock:
            return self._insert_locked(ident, entry[0], entry[1])

    # -- the policy ------------------------------------------------------------------------
    def _set_limits(self):
        total = self.max_bytes
        window = max(total // 100, 1)
        self._window_max, self._main_max = window, total - window
        count = self.max_entries
        if count is None:
            self._window_count = self._main_count = 1 << 62
        else:
            self._window_count = max(count // 100, 1)
            self._main_count = count - self._window_count

    def _insert_locked(self, ident, stored, size) -> bool:
        if size > self._main_max or self._main_count < 1:
            return False
        if ident in self._values:
            self._unlink(ident)
        self._values[ident] = stored
        if self._ghost:  # a count of 1 is implied: most entries are never asked again
            carried = self._ghost.pop(ident, 0)
            if carried:
                self._freq[ident] = 1 + carried
        window = self._window
        if not window and self._main_bytes + size <= self._main_max \
                and len(self._main) < self._main_count:
            self._main[ident] = size  # while there is room, the window is not needed
            self._main_bytes += size
            self._inserts += 1
            if self._inserts > self._age_at:
                self._age()
            return True
        window[ident] = size
        self._window_bytes += size
        while window and (self._window_bytes > self._window_max or
                          len(window) > self._window_count):
            candidate, candidate_size = window.popitem(last=False)
            self._window_bytes -= candidate_size
            if self._main_bytes + candidate_size <= self._main_max \
                    and len(self._main) < self._main_count:  # room: no contest
                self._main[candidate] = candidate_size
                self._main_bytes += candidate_size
            else:
                self._admit(candidate, candidate_size)
        self._inserts += 1
        if self._inserts > self._age_at:
            self._age()
        return ident in self._values

    def _admit(self, candidate, size):
        main = self._main
        main_max, main_count = self._main_max, self._main_count
        if self._main_bytes + size <= main_max and len(main) < main_count:
            main[candidate] = size
            self._main_bytes += size
            return
        refs, freq = self._refs, self._freq
        victims, freed = [], 0
        passes = 2 * len(main) + 1
        while main and passes and (self._main_bytes + size - freed > main_max or
                                   len(main) + 1 - len(victims) > main_count):
            passes -= 1
            ident, victim_size = main.popitem(last=False)
            if ident in refs:  # used since the hand last passed: a second chance
                refs.discard(ident)
                main[ident] = victim_size
                continue
            victims.append((ident, victim_size))
            freed += victim_size
        if victims and freq.get(candidate, 1) > max(freq.get(v, 1) for v, _ in victims):
            for ident, victim_size in victims:
                self._main_bytes -= victim_size
                self._forget(ident)
            main[candidate] = size
            self._main_bytes += size
        else:  # the newcomer is asked for no more often than what it would displace
            for ident, victim_size in victims:
                main[ident] = victim_size
            self._forget(candidate)

    def _forget(self, ident):
        """Drop an entry that is in neither queue any more; remember how popular it was."""
        self._values.pop(ident, None)
        self._refs.discard(ident)
        ghost = self._ghost
        ghost[ident] = self._freq.pop(ident, 1)
        if len(ghost) > 2 * max(len(self._values), 1024):
            for old in list(ghost)[: len(ghost) // 2]:
                del ghost[old]

    def _age(self):
        """Halve every count now and then, so what was popular long ago fades (and
        drop counts a racing hit left for keys no longer held)."""
        self._inserts = 0
        self._age_at = 10 * max(len(self._values), 128)
        values = self._values
        self._freq = {k: max(f >> 1, 1) for k, f in self._freq.items() if k in values}
        self._refs = {k for k in self._refs if k in values}
        self._ghost = {k: f >> 1 for k, f in self._ghost.items() if f > 1}

    def _unlink(self, ident):
        size = self._window.pop(ident, None)
        if size is not None:
            self._window_bytes -= size
        else:
            size = self._main.pop(ident, None)
            if size is not None:
                self._main_bytes -= size
        self._values.pop(ident, None)
        self._freq.pop(ident, None)
        self._refs.discard(ident)

    def _drop(self, ident):
        with self._lock:
            if ident in self._values:
                self._unlink(ident)


_prefixes: dict = {}
_SCALAR_TYPES = frozenset({int, str, float, bool, type(None), bytes})


def _prefix_and_state(fn):
    """(identity bytes, state or None). A function without closure whose defaults are
    immutable scalars folds its defaults into a cached prefix: the hot path of a hit.
    The cache is checked by identity of the defaults tuple, so reassigning
    ``fn.__defaults__`` is seen."""
    if fn.__closure__ is None and not fn.__kwdefaults__:
        defaults = fn.__defaults__
        cached = _prefixes.get(fn.__code__)
        if cached is not None and cached[0] is defaults:
            return cached[1], None
        if defaults is None or all(type(d) in _SCALAR_TYPES and d == d for d in defaults):
            text = repr(defaults).encode("utf-8", "surrogatepass")
            prefix = _identity_of(fn) + b"D%d:" % len(text) + text
            _prefixes[fn.__code__] = (defaults, prefix)
            return prefix, None
    return _identity_of(fn), _state_of(fn)


__all__ = ["CallCache", "CacheKey", "nocache", "cacheable", "explain", "callee_code_hash",
           "set_source_hasher", "reads_digest", "distribution_version"]
