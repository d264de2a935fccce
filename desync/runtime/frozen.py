"""How the call cache keeps a mutable result, so that every holder gets its own.

Plain Python builds a new list each time ``make_row(n)`` runs: two callers never
share it, and one caller appending to its row leaves the other's alone. A cache
that handed the stored object to every hit would make them share it. So a mutable
result is kept *frozen* (pickled) and each hit, and each caller that waited for the
same call, loads a copy of its own.

What the callee did not build, it took from its world: a module-level sentinel, a
registry, a configuration dict. Plain Python hands every caller the very object,
and so does a hit: those objects (``world_ids``: what the callee reads beyond its
arguments, as met while hashing its key), and module-level objects with no state
(a library's ``MISSING`` sentinel), are kept by reference, never copied.

A result no copy could reproduce is not kept (the call runs again): one pickle
cannot write (a lambda, a class made by the call), a NumPy view or array subclass
(a copy would own its memory, or drop the subclass's attributes), an object of
the project whose class chooses what pickle keeps (``__getstate__``...) or whose
library base leaves its attributes out, an exception (its traceback and chain),
and a set whose copy would iterate in another order.
"""
from __future__ import annotations

import copyreg
import io
import pickle
import sys
import threading

# Whether a class is the project's own (the cache installs its test).
is_project_class = None

_loading = threading.local()
_CUSTOM_PICKLING = ("__reduce__", "__reduce_ex__", "__getstate__", "__setstate__",
                    "__getnewargs__", "__getnewargs_ex__")


def chooses_its_pickle(kind) -> bool:
    """A class of the project that decides what pickle keeps of its objects (itself or
    a project base; a builtin base's own pickling, a str's or a Fraction's, is
    faithful)."""
    if is_project_class is None or not is_project_class(kind):
        return False
    if copyreg.dispatch_table and any(klass in copyreg.dispatch_table
                                      for klass in kind.__mro__):
        return True   # ``copyreg.pickle(P, reducer)``: the reducer decides
    return any(name in vars(klass) for klass in kind.__mro__
               if is_project_class(klass) for name in _CUSTOM_PICKLING)


_DEFAULT_REDUCE_EX = object.__reduce_ex__
_DEFAULT_REDUCE = object.__reduce__


def drops_attributes(obj) -> bool:
    """Would pickling this object of the project leave out attributes it holds (a
    subclass of ``Decimal``, ``date`` or ``Counter``, whose base pickles its value
    only)?"""
    kind = type(obj)
    if kind.__reduce_ex__ is _DEFAULT_REDUCE_EX and kind.__reduce__ is _DEFAULT_REDUCE:
        return False   # (object's own pickling keeps the instance's __dict__)
    state = getattr(obj, "__dict__", None)
    if not state or type(state) is not dict or is_project_class is None \
            or not is_project_class(kind):
        return False
    try:
        reduced = obj.__reduce_ex__(5)
    except Exception:
        return False
    return type(reduced) is tuple and (len(reduced) < 3 or not reduced[2])


class NotKept(Exception):
    """The result has no faithful copy."""


class Frozen:
    """A stored mutable result: the pickle of what the call built, plus the objects
    inside it that are shared by reference; or a private copy of a NumPy array
    (copying it again is a memory copy, cheaper than loading a pickle)."""

    __slots__ = ("payload", "shared", "array")

    def __init__(self, payload: bytes, shared: list | None, array=None):
        self.payload = payload
        self.shared = shared
        self.array = array

    def thaw(self):
        array = self.array
        if array is not None:
            return _copy_array(array)
        if self.shared is None:
            return pickle.loads(self.payload)
        saved = getattr(_loading, "shared", None)
        _loading.shared = self.shared
        try:
            return _SharingUnpickler(io.BytesIO(self.payload), self.shared).load()
        finally:
            _loading.shared = saved

    @property
    def nbytes(self) -> int:
        return len(self.payload) if self.array is None else self.array.nbytes


def _copy_array(array):
    copy = array.copy(order="K")
    if not array.flags.writeable:
        copy.flags.writeable = False
    return copy


_CLASS_MODULE = type.__dict__["__module__"].__get__


def class_module(kind) -> str:
    """A class's ``__module__`` as ``type`` keeps it (a metaclass property of that name
    does not run); '' when it is missing or not a string."""
    try:
        name = _CLASS_MODULE(kind)
    except Exception:
        return ""
    return name if type(name) is str else ""


def _module_level(obj) -> bool:
    """Is ``obj`` a module-level value of its class's module (a sentinel), rather than
    an object the call made with no state yet (``Acc()``, to be filled by its caller)?"""
    module = sys.modules.get(class_module(type(obj)))
    return module is not None and any(value is obj for value in list(vars(module).values()))


def _owned_array(data, dtype, shape, fortran, writeable):
    numpy = sys.modules.get("numpy")
    if numpy is None:  # loaded from the disk store in a process that has not used it yet
        import importlib
        numpy = importlib.import_module("numpy")
    array = numpy.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    array = array.copy(order="K")
    array.flags.writeable = writeable
    return array


def _shared_object(index):
    """Stands in a frozen result for an object kept by reference."""
    return _loading.shared[index]


class _ResultPickler(pickle.Pickler):
    """Refuses what no copy reproduces; shares stateless objects. (Not called for
    exact lists, dicts, ints...: plain data costs nothing extra.)"""

    def __init__(self, file):
        super().__init__(file, protocol=5)
        self.shared: list = []

    def reducer_override(self, obj):
        kind = type(obj)
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(obj, numpy.ndarray):
            if kind is not numpy.ndarray or obj.base is not None:
                raise NotKept("a NumPy view or array subclass")
            if obj.dtype.hasobject:
                return NotImplemented
            # Loaded as an array that owns its memory (``resize`` works), in its order.
            fortran = obj.flags.f_contiguous and not obj.flags.c_contiguous
            return _owned_array, (obj.tobytes(order="F" if fortran else "C"), obj.dtype,
                                  obj.shape, fortran, obj.flags.writeable)
        if isinstance(obj, BaseException):
            # (pickle keeps its args only: not its traceback, cause or context)
            raise NotKept("an exception as a value")
        if class_module(kind) == "builtins" or issubclass(kind, type):
            return NotImplemented  # builtins are faithful; classes go by reference
        if chooses_its_pickle(kind) or drops_attributes(obj):
            raise NotKept(f"pickle does not keep all of a {kind.__qualname__}")
        try:
            reduced = obj.__reduce_ex__(5)
        except Exception:
            return NotImplemented  # pickle reports it
        if type(reduced) is tuple and len(reduced) >= 2 and reduced[0] is copyreg.__newobj__ \
                and reduced[1] == (kind,) and not any(reduced[2:]) and _module_level(obj):
            self.shared.append(obj)  # a library's sentinel (``dataclasses.MISSING``):
            return _shared_object, (len(self.shared) - 1,)  # plain Python shares it
        return NotImplemented


class _WorldPickler(_ResultPickler):
    def __init__(self, file, world_ids):
        super().__init__(file)
        self.world_ids = world_ids

    def persistent_id(self, obj):
        if id(obj) in self.world_ids:
            self.shared.append(obj)
            return len(self.shared) - 1
        return None


class _SharingUnpickler(pickle.Unpickler):
    def __init__(self, file, shared):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid):
        return self.shared[pid]


def freeze(value, world_ids=None):
    """The stored form of a mutable result, or None when no copy of it would be what
    plain Python returns (then it is not cached). ``world_ids``: ids of objects to
    keep by reference."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and type(value) is numpy.ndarray and value.base is None \
            and not value.dtype.hasobject:
        return Frozen(b"", None, _copy_array(value))
    found = _frozen(value, world_ids)
    if found is None:
        return None
    if _SET in found.payload or _FROZENSET in found.payload:
        # A set rebuilt from its items can iterate in another order than the one that
        # grew and shrank (its table size differs): kept only if the copy's order is
        # the same, as its pickle shows.
        try:
            copy = found.thaw()
            again = _frozen(copy, world_ids)
        except Exception:
            return None
        if again is None or again.payload != found.payload:
            return None
        # Same order now, but a table of another size puts the next item elsewhere:
        # ``s.add(x)`` on the copy would then iterate otherwise.
        if _set_tables(value, []) != _set_tables(copy, []):
            return None
    return found


def _set_tables(value, out, depth=0):
    """The memory size of each set in ``value`` (its table), in a fixed walk order."""
    kind = type(value)
    if depth > 20 or len(out) > 10000:
        out.append(None)   # too deep or too many to compare: counts as differing
        return out
    if kind is set:
        out.append(sys.getsizeof(value))
    elif kind in (list, tuple):
        for item in value:
            _set_tables(item, out, depth + 1)
    elif kind is dict:
        for key, item in value.items():
            _set_tables(key, out, depth + 1)
            _set_tables(item, out, depth + 1)
    elif kind is not frozenset and isinstance(getattr(value, "__dict__", None), dict) \
            and not isinstance(value, type):
        for item in value.__dict__.values():
            _set_tables(item, out, depth + 1)
    elif isinstance(value, set):
        out.append(sys.getsizeof(value))
    return out


_SET, _FROZENSET = pickle.EMPTY_SET, pickle.FROZENSET
SET_OPCODE, FROZENSET_OPCODE = _SET, _FROZENSET   # (a pickle holding a set has one)


def _frozen(value, world_ids):
    buffer = io.BytesIO()
    pickler = _WorldPickler(buffer, world_ids) if world_ids else _ResultPickler(buffer)
    try:
        pickler.dump(value)
    except Exception:  # NotKept, or not picklable
        return None
    return Frozen(buffer.getvalue(), pickler.shared or None)
