"""Content hashes of call inputs and results, stable across processes and
``PYTHONHASHSEED``.

Two inputs get the same digest only if a callee could not tell them apart:

- **Types count**: ``1``, ``1.0``, ``True`` and ``"1"`` differ; so do a tuple and a
  list, a ``str`` and a ``str`` subclass, ``0.0`` and ``-0.0``, and NaNs with
  different bit patterns (floats are hashed by their IEEE bytes).
- **Order counts** wherever it can be seen: dicts in insertion order, and sets and
  frozensets in *iteration* order. Two equal sets can iterate differently (hash
  collisions, or ``PYTHONHASHSEED`` for strings), and a callee that does
  ``list(s)``, ``for x in s``, ``s.pop()`` or ``json.dumps(sorted(...))``... sees
  that order; hashing sets by iteration order means equal sets built the same way
  hit, and equal sets that would iterate differently miss (a miss is always safe).
- **Sharing counts**: ``[a, a]`` and ``[a, copy(a)]`` differ (for mutable
  containers, whose identity a callee can observe by mutating one).

Common values are hashed natively (no pickling): scalars, strings, bytes, tuples,
lists, dicts, sets, named tuples, NumPy arrays and other buffers. Buffers from
4 KiB on get their own SHA-256 digest (hardware-accelerated: about 2 GB/s on one
core here, twice BLAKE2b), large ones in parallel chunks. Any other value makes
the *whole* input go through pickle (one pickler, so sharing between parts is
recorded), plain ``pickle`` first and ``cloudpickle`` if that fails; functions
anywhere in an input are hashed by their code (see ``set_function_token``), not
by name. What cannot be pickled raises ``Unhashable``: the call runs uncached.

The same walk gives, for results, a fingerprint (to check on a hit that the
cached object was not mutated since), a size estimate in bytes, and the ids of the
mutable objects it reaches (a result that shares a mutable object with the call's
inputs is not cached: a hit with equal but distinct inputs would return the wrong
object).
"""
from __future__ import annotations

import hashlib
import io
import struct
import sys

from . import frozen
from .frozen import class_module

_OWN_DIGEST = 4096         # buffers from this size get their own SHA-256 digest
_CHUNK = 4 << 20           # above a few chunks, chunks are hashed in parallel threads
_PARALLEL = 4 * _CHUNK
_MAX_DEPTH = 256
_pack_d = struct.Struct("<d").pack
_pack_dd = struct.Struct("<dd").pack


class TooLarge(Exception):
    """The inputs are bigger than the hashing budget of this call."""


class Unhashable(Exception):
    """These inputs have no stable content hash; the call runs uncached."""


class _NeedsPickle(Exception):
    """A value the native walk does not know: pickle the whole input instead."""


def _buffer_digest(view: memoryview) -> bytes:
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    size = len(view)
    if size < _PARALLEL:
        return hashlib.sha256(view).digest()
    from .executors import default_threads  # hashlib releases the GIL on big buffers
    parts = [view[i:i + _CHUNK] for i in range(0, size, _CHUNK)]
    digests = default_threads().map(lambda part: hashlib.sha256(part).digest(), parts)
    return hashlib.sha256(b"".join(digests)).digest()


def _raw(view) -> bytes:
    """Small buffers go in as they are; others as their digest (tagged, so the two
    never collide)."""
    if view.nbytes < _OWN_DIGEST:
        return b"=" + view.tobytes()
    return b"#" + _buffer_digest(view)


# Hashing functions found in inputs by their code, not their name: the cache installs
# this (it knows code hashes). ``token(fn) -> bytes | None``.
_function_token = None


def set_function_token(token) -> None:
    global _function_token
    _function_token = token


# Classes met while pickling an input (the class of an instance) are hashed by their
# code too: the cache installs this. ``token(cls) -> bytes | None`` (None: by name).
_class_token = None


def set_class_token(token) -> None:
    global _class_token
    _class_token = token


# A module in an input stands for its name and its data (the cache installs this).
_module_token = None


def set_module_token(token) -> None:
    global _module_token
    _module_token = token


def _token_of(fn) -> bytes:
    token = _function_token(fn) if _function_token is not None else None
    if token is None:
        raise Unhashable(f"cannot hash the function {getattr(fn, '__qualname__', fn)!r}")
    return token


_FunctionType = type(_token_of)
_ModuleType = type(sys)
_MethodType = type((lambda: None).__get__(0))   # (types.MethodType)
_IMMUTABLE_ATOMS = frozenset({type(None), bool, int, float, complex, str, bytes, range,
                              type(Ellipsis), type(NotImplemented)})
_MUTABLE_BUILTINS = frozenset({list, dict, set, bytearray})


class _Walk:
    """One pass over a value: the byte stream to digest, the mutable objects met
    (id -> index, for back references and alias checks) and a size estimate."""

    __slots__ = ("out", "memo", "size", "immutable", "limit")

    def __init__(self, limit=None):
        self.out = []
        self.memo = {}
        self.size = 0
        self.immutable = True
        self.limit = limit if limit is not None else float("inf")  # estimated bytes

    def grow(self, size):
        """Count ``size`` estimated bytes; past the budget, stop (before the work)."""
        self.size += size
        if self.size > self.limit:
            raise TooLarge()

    def feed(self, value, depth):
        out = self.out
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            out.append(b"s%d:" % len(data))
            out.append(data)
            self.grow(49 + len(data))
        elif kind is int:
            data = b"%x" % value  # hex: no int_max_str_digits limit for huge ints
            out.append(b"i%d:" % len(data))
            out.append(data)
            self.size += 28 + (len(data) >> 1)
        elif kind is float:
            out.append(b"f" + _pack_d(value))  # IEEE bytes: -0.0 and NaN payloads differ
            self.size += 24
        elif value is None:
            out.append(b"N")
        elif kind is bool:
            out.append(b"T" if value else b"F")
        elif kind is tuple:
            if depth > _MAX_DEPTH:
                raise Unhashable("nested too deeply")
            out.append(b"(%d:" % len(value))
            self.grow(40 + 8 * len(value))
            for item in value:
                self.feed(item, depth + 1)
        elif kind in _MUTABLE_BUILTINS:
            self.container(value, kind, depth)
        elif kind is bytes:
            self.grow(33 + len(value))
            out.append(b"b%d:" % len(value))
            out.append(value if len(value) < _OWN_DIGEST else
                       b"#" + _buffer_digest(memoryview(value)))
        elif kind is frozenset:
            if depth > _MAX_DEPTH:
                raise Unhashable("nested too deeply")
            out.append(b"Z%d:" % len(value))
            self.grow(216 + 40 * len(value))
            for item in value:  # iteration order: see the module docstring
                self.feed(item, depth + 1)
        elif kind is complex:
            out.append(b"c" + _pack_dd(value.real, value.imag))
            self.size += 32
        elif kind is _FunctionType:
            self.immutable = False
            out.append(b"@fn")
            out.append(_token_of(value))
        elif kind is _ModuleType:
            name = value.__name__.encode("utf-8", "surrogatepass")
            out.append(b"M%d:" % len(name) + name)
            if _module_token is not None:  # its settings (``mod.LEVEL``) count too
                out.append(_module_token(value))
        elif kind is range:
            out.append(b"r%r" % ((value.start, value.stop, value.step),))
            self.size += 48
        elif _numpy_array(value):
            self.array(value, depth)
        elif issubclass(kind, tuple) and hasattr(kind, "_fields") and class_module(kind):
            # A named tuple: its class by name, then its items.
            if depth > _MAX_DEPTH:
                raise Unhashable("nested too deeply")
            name = f"{class_module(kind)}.{kind.__qualname__}".encode("utf-8", "surrogatepass")
            out.append(b"n%d:" % len(name) + name + b"%d:" % len(value))
            self.grow(40 + 8 * len(value))
            for item in value:
                self.feed(item, depth + 1)
            # A subclass with methods, class data or instance attributes: those too.
            token = _class_token(kind) if _class_token is not None else None
            if token:
                out.append(token)
            state = getattr(value, "__dict__", None)
            if state is not None:
                # (one that can take attributes: a hit hands out an object of its own)
                self.immutable = False
            if state:
                self.feed(dict(state), depth + 1)
        elif kind is memoryview:
            self.immutable = False
            view = value
            self.grow(200 + view.nbytes)
            out.append(b"m" + view.format.encode() + b"%r%d:" % (view.shape, view.readonly))
            out.append(_raw(view if view.contiguous else memoryview(view.tobytes())))
        else:
            raise _NeedsPickle()

    def container(self, value, kind, depth):
        self.immutable = False
        key = id(value)
        seen = self.memo.get(key)
        if seen is not None and seen >= 0:  # shared, or a cycle (-1: met as a base only)
            self.out.append(b"@%d" % seen)
            return
        self.memo[key] = len(self.memo)
        if depth > _MAX_DEPTH:
            raise Unhashable("nested too deeply")
        out = self.out
        if kind is list:
            out.append(b"[%d:" % len(value))
            self.grow(56 + 8 * len(value))
            for item in value:
                self.feed(item, depth + 1)
        elif kind is dict:
            out.append(b"{%d:" % len(value))  # insertion order: a callee can see it
            self.grow(64 + 48 * len(value))
            for k, v in list(value.items()):
                self.feed(k, depth + 1)
                self.feed(v, depth + 1)
        elif kind is set:
            out.append(b"S%d:" % len(value))
            self.grow(216 + 40 * len(value))
            for item in list(value):  # iteration order: see the module docstring
                self.feed(item, depth + 1)
        else:  # bytearray
            self.grow(57 + len(value))
            out.append(b"y%d:" % len(value))
            out.append(_raw(memoryview(value)))

    def array(self, array, depth):
        self.immutable = False
        if array.dtype.hasobject or array.dtype.fields is not None:
            raise _NeedsPickle()  # object or structured arrays: pickle knows them
        key = id(array)
        seen = self.memo.get(key)
        if seen is not None and seen >= 0:  # (-1: met as a view's base, not yet hashed)
            self.out.append(b"@%d" % seen)
            return
        self.memo[key] = len(self.memo)
        base = array.base  # a view shares memory with its base: count the base as met
        for _ in range(64):
            if base is None:
                break
            self.memo.setdefault(id(base), -1)
            base = getattr(base, "base", None)
        self.grow(112 + array.nbytes)
        order = b"F" if array.flags.f_contiguous and not array.flags.c_contiguous else b"C"
        # Strides count (a callee can read them); so do a subclass and its attributes
        # (np.matrix multiplies differently; a masked array's mask, a unit).
        self.out.append(b"A" + array.dtype.str.encode() + order + b"%r:" % (
            (array.shape, array.strides, array.flags.writeable, array.dtype.metadata),))
        kind = type(array)
        if kind is not sys.modules["numpy"].ndarray:
            name = f"{class_module(kind)}.{kind.__qualname__}".encode("utf-8", "surrogatepass")
            self.out.append(b"S%d:" % len(name) + name)
            token = _class_token(kind) if _class_token is not None else None
            if token:
                self.out.append(token)
            state = getattr(array, "__dict__", None)
            if state:
                self.feed(dict(state), depth + 1)
        if not array.flags.c_contiguous:
            array = sys.modules["numpy"].ascontiguousarray(array)
        # (as bytes: a memoryview cannot hold some dtypes, datetime64 among them)
        view = memoryview(array.reshape(-1).view("u1")) if array.ndim and array.size \
            else memoryview(array.tobytes())
        self.out.append(_raw(view))


def _numpy_array(value):
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray)


# -- the pickle path ---------------------------------------------------------------------

_picklers = None


def _pickler_classes():
    """Picklers that hash functions by code (the token) instead of by name, and
    hand big buffers out of band (hashed, not copied)."""
    global _picklers
    if _picklers is None:
        import pickle

        class Plain(pickle.Pickler):
            def reducer_override(self, obj):
                return _by_token(obj)

        _picklers = [Plain, None]
    if _picklers[1] is None:
        try:
            import cloudpickle
        except ImportError:  # pragma: no cover - a declared dependency
            return _picklers[:1]

        class Cloud(cloudpickle.Pickler):
            def reducer_override(self, obj):
                reduced = _by_token(obj)
                return reduced if reduced is not NotImplemented else super().reducer_override(obj)

        _picklers[1] = Cloud
    return _picklers


_odd_kinds: dict = {}
_ITERATION = ("__iter__", "items", "keys", "values", "__reduce__", "__reduce_ex__")


def _answers_oddly(kind) -> bool:
    """A class whose instances run their own code when looked at (a ``__getattribute__``
    of their own, a ``__class__`` property: proxies, lazy objects): pickling them
    for a key would run it, which plain Python never does."""
    found = _odd_kinds.get(kind)
    if found is None:
        found = type(kind.__getattribute__) is _FunctionType or any(
            "__class__" in vars(base) for base in kind.__mro__[:-1]) or (
            # (a container whose own iteration pickle would run: ``__iter__``, ``items``)
            issubclass(kind, (list, dict, set)) and any(
                name in vars(base) for base in kind.__mro__
                if base not in (list, dict, set, object) for name in _ITERATION))
        if len(_odd_kinds) > 4096:
            _odd_kinds.clear()
        _odd_kinds[kind] = found
    return found


def _by_token(obj):
    """Functions and classes stand in a hash stream as their code token (both picklers).
    An object of the project whose class chooses what pickle keeps (``__getstate__``
    leaving a field out) is hashed by all its attributes: a callee may read them."""
    kind = type(obj)
    if kind is _FunctionType and obj is not _function_marker:
        return _function_marker, (_token_of(obj),)
    if _answers_oddly(kind):
        raise Unhashable(f"{kind.__qualname__} answers attribute lookups with its own code")
    if kind is _MethodType and type(obj.__func__) is _FunctionType:
        # ``c.op = MethodType(make_op(k), c)``: pickle keeps ``getattr(c, "op")``, not
        # which function it wraps; the function counts, with its object.
        return _function_marker, (_token_of(obj.__func__), obj.__self__)
    if isinstance(obj, type) and _class_token is not None:   # (ABCs and Enums too)
        token = _class_token(obj)
        if token is not None:
            return _function_marker, (token,)
        return NotImplemented
    home = class_module(kind)
    if home != "builtins" and frozen.chooses_its_pickle(kind):
        state = getattr(obj, "__dict__", None)
        if state is None:
            raise Unhashable(f"{kind.__qualname__} chooses what pickle keeps")
        # (a dict's or a list's own items are not in its ``__dict__``: they count too)
        items = dict(dict.items(obj)) if isinstance(obj, dict) else \
            list(list.__iter__(obj)) if isinstance(obj, list) else None
        return _function_marker, (kind, dict(state), items)
    if home != "builtins" and frozen.drops_attributes(obj):
        # A subclass of Decimal, datetime, Counter... with attributes of its own: the
        # base's pickling leaves them out, a callee may read them.
        reduced = obj.__reduce_ex__(5)
        return _function_marker, (kind, reduced[1:3], dict(vars(obj)))
    if home != "builtins" and _named_without_state(obj, kind):
        raise Unhashable(f"a {kind.__qualname__} pickles as its name: its state "
                         "(what a callee reads) would be left out")
    return NotImplemented


_BY_NAME_KINDS: dict = {}   # library class -> does it pickle by name, leaving its state out?


def _named_without_state(obj, kind) -> bool:
    """A library object with attributes that pickles as a name (``getLogger(name)``
    for a ``Logger``): two calls given it at different levels would share a key."""
    state = getattr(obj, "__dict__", None)
    if not state or type(state) is not dict:
        return False
    found = _BY_NAME_KINDS.get(kind)
    if found is not None:
        return found
    enum = sys.modules.get("enum")
    if kind.__reduce_ex__ is _OBJECT_REDUCE_EX and kind.__reduce__ is _OBJECT_REDUCE \
            and getattr(kind, "__getstate__", None) is _OBJECT_GETSTATE:
        found = False   # object's own pickling keeps the instance's __dict__
    elif enum is not None and isinstance(obj, enum.Enum):
        found = False   # a member is its name: its attributes are its definition's
    else:
        try:
            reduced = obj.__reduce_ex__(5)
        except Exception:
            return False   # (pickle will say what is wrong)
        found = isinstance(reduced, str) or (
            isinstance(reduced, tuple) and (len(reduced) < 3 or not reduced[2]))
        if getattr(kind, "__getstate__", None) is not _OBJECT_GETSTATE:
            return found   # (its own __getstate__ may decide object by object)
    _BY_NAME_KINDS[kind] = found
    return found


_OBJECT_REDUCE_EX = object.__reduce_ex__
_OBJECT_REDUCE = object.__reduce__
_OBJECT_GETSTATE = getattr(object, "__getstate__", None)   # (3.11+)


def _function_marker(token):  # pragma: no cover - only named in hash streams, never called
    raise TypeError("a desync hash stream is not meant to be unpickled")


def _pickled(value):
    """(stream bytes, [(id, obj) of mutable objects met], size)."""
    errors = []
    for cls in _pickler_classes():
        digests = []
        buffer = io.BytesIO()

        def out_of_band(view, digests=digests):
            raw = view.raw()
            digests.append(_raw(raw))
            return False
        try:
            pickler = cls(buffer, protocol=5, buffer_callback=out_of_band)
            pickler.dump(value)
        except Unhashable:
            raise
        except Exception as error:  # not picklable by this pickler: try the next
            errors.append(error)
            continue
        data = buffer.getvalue()
        met = [(key, obj) for key, (_, obj) in pickler.memo.copy().items()
               if type(obj) not in _IMMUTABLE_ATOMS and type(obj) is not tuple]
        return b"P%d:" % len(data) + data + b"".join(digests), met, len(data)
    raise Unhashable(f"cannot hash a {type(value).__name__}: {errors[-1] if errors else ''}")


# -- entry points ------------------------------------------------------------------------

class Digest:
    """The outcome of hashing one value: digest, ids of the mutable objects met (alive
    as long as the value is), size estimate, and whether it is deeply immutable."""

    __slots__ = ("digest", "ids", "size", "immutable")

    def __init__(self, digest, ids, size, immutable):
        self.digest, self.ids, self.size, self.immutable = digest, ids, size, immutable


def digest_of(value, prefix: bytes = b"", limit=None) -> Digest:
    """Hash one value (the whole of it natively, or the whole of it pickled).
    ``limit``: a budget in estimated bytes; past it, ``TooLarge``."""
    walk = _Walk(limit)
    try:
        walk.feed(value, 0)
        stream = b"".join(walk.out)
        ids, size, immutable = walk.memo, walk.size, walk.immutable
    except _NeedsPickle:
        stream, met, size = _pickled(value)
        if limit is not None and size > limit:
            raise TooLarge() from None
        ids = {key: 0 for key, _ in met}
        immutable = False
    except RecursionError:
        raise Unhashable("nested too deeply") from None
    digest = hashlib.blake2b(prefix + stream, digest_size=16).digest()
    return Digest(digest, ids, size, immutable)


def hash_value(value) -> bytes:
    """A 16-byte content digest of one value."""
    return digest_of(value, b"V").digest


_SCALARS = frozenset({int, str, bool, type(None)})


def _is_plain(value, depth=0) -> bool:
    """Ints, strings, bools, None, finite-or-infinite floats (not NaN: its repr drops
    the payload and sign), and tuples of them a few levels deep: ``repr`` is exact
    for these, and they are immutable."""
    for item in value:  # a loop, not all(<genexpr>): this is the hot path of a hit
        kind = type(item)
        if kind in _SCALARS:
            continue
        if kind is float:
            if item != item:
                return False
            continue
        if kind is tuple and depth < 3 and len(item) <= 32 and _is_plain(item, depth + 1):
            continue
        return False
    return True


def hash_call_inputs(args: tuple, kwargs: dict | None, identity: bytes = b"",
                     state=None) -> bytes:
    """Digest of a call's inputs; ``identity`` names the callee, ``state`` its closure
    and defaults."""
    return call_digest(args, kwargs, identity, state).digest


def plain_digest(args: tuple, identity: bytes) -> bytes | None:
    """The digest of small immutable positional arguments (the common case), by
    ``repr``; None when they do not qualify. The same value always takes the same
    path, so hits stay exact."""
    if len(args) <= 32 and _is_plain(args):
        try:
            text = repr(args)
        except ValueError:  # an int too long for str(): the general path hashes it
            return None
        return _blake2b(b"R" + identity + text.encode("utf-8", "surrogatepass"),
                        digest_size=16).digest()
    return None


_blake2b = hashlib.blake2b


def plain_key(args: tuple, identity: bytes) -> bytes | None:
    """Like ``plain_digest``, but short texts are their own key (no digest to compute:
    a dict hashes them faster than BLAKE2b would). Never 16 bytes long, so never equal
    to a digest."""
    if len(args) <= 32 and _is_plain(args):
        try:
            text = repr(args)
        except ValueError:
            return None
        key = b"R" + identity + text.encode("utf-8", "surrogatepass")
        if len(key) <= 256 and len(key) != 16:
            return key
        return _blake2b(key, digest_size=16).digest()
    return None


def call_digest(args: tuple, kwargs: dict | None, identity: bytes = b"", state=None,
                limit=None):
    """``Digest`` of a call's inputs (the fast path of ``plain_digest`` when it applies)."""
    if not kwargs and state is None:
        digest = plain_digest(args, identity)
        if digest is not None:
            return Digest(digest, None, 0, True)
    whole = (state, args, kwargs or None)
    return digest_of(whole, b"G" + identity, limit)
