"""The call cache: a called function whose code and inputs are unchanged is not run again.

Key: the callee's transitive code hash (its code and its callees', see
``desync.hashing``), its module and qualified name (two modules may hold identical code
reading different globals), and a content hash of its inputs, closure cells and
defaults. Calls whose callee or inputs cannot be hashed run uncached. Exceptions
are not cached. Values are stored as pickles unless immutable, so a caller that
mutates a result never changes what the next hit returns.
"""
from __future__ import annotations

import threading
import types
from collections import OrderedDict

from .inputhash import Unhashable, hash_call_inputs

DEFAULT_MAX_ENTRIES = 4096
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, frozenset, range)


def nocache(fn):
    """Never cache calls of ``fn`` (use as a decorator or a marker)."""
    try:
        fn.__desync_nocache__ = True
    except (AttributeError, TypeError):
        raise TypeError(f"cannot mark {fn!r} as nocache: it takes no attributes; "
                        "wrap it in a def") from None
    return fn


# -- code hashes of callees ---------------------------------------------------------

_code_hashes: dict = {}
_code_lock = threading.Lock()


# Hashing code from source needs ``ast``; the runtime does not import it. The
# decorator installs the source hasher; built modules carry their hashes instead.
_source_hasher = None


def set_source_hasher(hasher) -> None:
    """``hasher(fn) -> int | None``: the transitive code hash of a function from its source."""
    global _source_hasher
    _source_hasher = hasher


def callee_code_hash(fn) -> int | None:
    """The transitive code hash of a plain Python function, or None if it has none."""
    if type(fn) is not types.FunctionType or getattr(fn, "__desync_nocache__", False):
        return None
    code = fn.__code__
    cached = _code_hashes.get(code, False)
    if cached is not False:
        return cached
    value = None
    built = fn.__globals__.get("__desync_code_hashes__")
    if built is not None and getattr(fn, "__desync_spec__", None) is None \
            and fn.__qualname__ in built:
        value = built[fn.__qualname__]  # built ahead of time: no source to parse
    elif _source_hasher is not None:
        try:
            value = _source_hasher(fn)
        except Exception:  # no readable source, a syntax error on disk: run it uncached
            value = None
    with _code_lock:
        _code_hashes[code] = value
    return value


_identities: dict = {}


def _identity_of(fn) -> bytes:
    """Module and qualified name, length-prefixed: part of every input digest."""
    code = fn.__code__
    identity = _identities.get(code)
    if identity is None:
        text = f"{fn.__module__}\0{fn.__qualname__}".encode("utf-8", "surrogatepass")
        identity = _identities[code] = b"%d:" % len(text) + text
    return identity


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
        if defaults is None or all(type(d) in _SCALAR_TYPES for d in defaults):
            text = repr(defaults).encode("utf-8", "surrogatepass")
            prefix = _identity_of(fn) + b"D%d:" % len(text) + text
            _prefixes[fn.__code__] = (defaults, prefix)
            return prefix, None
    return _identity_of(fn), _state_of(fn)


def _state_of(fn):
    """Closure cells and defaults (they change what a call computes), or None."""
    closure, defaults, kwdefaults = fn.__closure__, fn.__defaults__, fn.__kwdefaults__
    if not (closure or defaults or kwdefaults):
        return None
    cells = []
    for cell in closure or ():
        try:
            cells.append(cell.cell_contents)
        except ValueError:  # an empty cell
            cells.append(None)
    if kwdefaults:
        return (defaults, cells, sorted(kwdefaults.items()))
    return (defaults, cells)


# -- the cache ---------------------------------------------------------------------

class _InFlight:
    __slots__ = ("event",)

    def __init__(self):
        self.event = threading.Event()


class CallCache:
    """Results of calls made by one desync function's body. Picklable."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, directory=None,
                 max_bytes: int | None = None):
        if not isinstance(max_entries, int) or max_entries < 0:
            raise ValueError(f"max_entries must be a non-negative int, not {max_entries!r}")
        self.max_entries = max_entries
        self.store = None
        if directory is not None:
            from .diskstore import DEFAULT_MAX_BYTES, DiskStore
            self.store = DiskStore(directory, max_bytes or DEFAULT_MAX_BYTES)
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict = {}
        self.hits = self.misses = self.uncached = 0

    def __getstate__(self):
        with self._lock:
            entries = list(self._entries.items())
        return {"max_entries": self.max_entries, "store": self.store, "entries": entries}

    def __setstate__(self, state):
        self.__init__(state["max_entries"])
        self.store = state["store"]
        self._entries.update(state["entries"])

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        where = f", disk={self.store.directory!r}" if self.store is not None else ""
        return (f"<desync CallCache {len(self)} entries, {self.hits} hits, "
                f"{self.misses} misses{where}>")

    def clear(self):
        with self._lock:
            self._entries.clear()

    def key(self, fn, args, kwargs):
        code_hash = callee_code_hash(fn)
        if code_hash is None:
            return None
        try:
            prefix, state = _prefix_and_state(fn)
            inputs = hash_call_inputs(args, kwargs, prefix, state)
        except Unhashable:
            return None
        return code_hash, inputs

    def call(self, fn, args, kwargs):
        key = self.key(fn, args, kwargs)
        if key is None:
            self.uncached += 1
            return fn(*args, **kwargs) if kwargs else fn(*args)
        while True:
            found, value = self.lookup(key)
            if found:
                self.hits += 1
                return value
            with self._lock:
                flight = self._inflight.get(key)
                if flight is None:
                    flight = self._inflight[key] = _InFlight()
                    break
            flight.event.wait()  # the same call is running: share its result
        try:
            self.misses += 1
            value = fn(*args, **kwargs) if kwargs else fn(*args)
            self.remember(key, value)
            return value
        finally:
            with self._lock:
                del self._inflight[key]
            flight.event.set()

    def lookup(self, key):
        with self._lock:
            stored = self._entries.get(key, _MISSING)
            if stored is not _MISSING:
                self._entries.move_to_end(key)
        if stored is _MISSING and self.store is not None:
            try:
                payload = self.store.get(*key)
            except OSError:
                payload = None
            if payload is not None:
                stored = ("p", payload)
                self._remember_stored(key, stored)
        if stored is _MISSING:
            return False, None
        kind, data = stored
        if kind == "v":
            return True, data
        import pickle
        try:
            return True, pickle.loads(data)
        except Exception:  # a damaged or stale pickle is a miss
            with self._lock:
                self._entries.pop(key, None)
            if self.store is not None:
                self.store.discard(*key)
            return False, None

    def remember(self, key, value):
        if type(value) in _IMMUTABLE:
            stored = ("v", value)
            payload = None
        else:
            try:
                import cloudpickle
                payload = cloudpickle.dumps(value, protocol=5)
            except Exception:
                return  # an unpicklable result is simply not cached
            stored = ("p", payload)
        self._remember_stored(key, stored)
        if self.store is not None:
            if payload is None:
                import pickle
                payload = pickle.dumps(value, protocol=5)
            try:
                self.store.put(key[0], key[1], payload)
            except OSError:
                pass  # a full or read-only disk must not fail the call

    def _remember_stored(self, key, stored):
        with self._lock:
            self._entries[key] = stored
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


_MISSING = object()
