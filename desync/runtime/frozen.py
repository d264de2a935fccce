"""How the call cache keeps a mutable result, so that every holder gets its own.

Plain Python builds a new list each time ``make_row(n)`` runs: two callers never
share it, and one caller appending to its row leaves the other's alone. A cache
that handed the stored object to every hit would make them share it. So a mutable
result is kept *frozen* (pickled, or deep-copied where pickle cannot) and each hit,
and each caller that waited for the same call, gets a copy of its own.

What the callee did not build, it took from its world: a module-level sentinel, a
registry, a configuration dict. Plain Python hands every caller the very object,
and so does a hit: those objects (``world_ids``: what the callee reads beyond its
arguments, as met while hashing its key) are kept by reference, never copied.
"""
from __future__ import annotations

import copy
import io
import pickle


class Frozen:
    """A stored mutable result: the pickle of what the call built, plus the
    objects of the callee's world inside it (loaded by reference)."""

    __slots__ = ("payload", "shared")

    def __init__(self, payload: bytes, shared: list | None):
        self.payload = payload
        self.shared = shared

    def thaw(self):
        if self.shared is None:
            return pickle.loads(self.payload)
        return _WorldUnpickler(io.BytesIO(self.payload), self.shared).load()

    @property
    def nbytes(self) -> int:
        return len(self.payload)


class Copied:
    """A stored mutable result pickle cannot write (a local class, a lambda inside):
    a deep copy, copied again for each holder."""

    __slots__ = ("value", "shared")

    def __init__(self, value, shared: list | None):
        self.value = value
        self.shared = shared

    def thaw(self):
        return _deepcopy(self.value, self.shared)

    @property
    def nbytes(self) -> int:
        return 0


class _WorldPickler(pickle.Pickler):
    def __init__(self, file, world_ids):
        super().__init__(file, protocol=5)
        self.world_ids = world_ids
        self.shared: list = []

    def persistent_id(self, obj):
        if id(obj) in self.world_ids:
            self.shared.append(obj)
            return len(self.shared) - 1
        return None


class _WorldUnpickler(pickle.Unpickler):
    def __init__(self, file, shared):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid):
        return self.shared[pid]


def _deepcopy(value, shared):
    memo = {id(obj): obj for obj in shared} if shared else {}
    return copy.deepcopy(value, memo)


def freeze(value, world_ids=None, copy_too=True):
    """The stored form of a mutable result (``Frozen`` or ``Copied``), or None when it
    can be neither pickled nor copied (then it is not cached). ``world_ids``: ids of
    objects to keep by reference; ``copy_too=False``: a pickle or nothing."""
    try:
        if not world_ids:
            return Frozen(pickle.dumps(value, protocol=5), None)
        buffer = io.BytesIO()
        pickler = _WorldPickler(buffer, world_ids)
        pickler.dump(value)
        return Frozen(buffer.getvalue(), pickler.shared or None)
    except Exception:
        if not copy_too:
            return None
    try:
        shared = [obj for obj in _reachable(value) if id(obj) in world_ids] \
            if world_ids else None
        return Copied(_deepcopy(value, shared), shared or None)
    except Exception:
        return None


def _reachable(value, limit=100_000):
    """Objects reachable from a result through containers and instance dicts (to find
    the world objects a deep copy must keep)."""
    seen, stack, found = set(), [value], []
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.append(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        else:
            state = getattr(obj, "__dict__", None)
            if isinstance(state, dict):
                stack.append(state)
    return found
