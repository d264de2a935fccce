"""The same API as ``Body``, run in program order on the calling thread.

Used when desync is disabled (``DESYNC_DISABLE=1``, ``desync.disable()``): the
transpiled code then behaves, and raises, exactly like the original.
"""
from __future__ import annotations

from .engine import _as_keys, _unpack


class _NoBlock:
    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NO_BLOCK = _NoBlock()


class SequentialBody:
    __slots__ = ("cache",)

    def __init__(self, cache):
        self.cache = cache

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def call(self, fn, *args, **kwargs):
        if self.cache is not None:
            return self.cache.call(fn, args, kwargs)
        return fn(*args, **kwargs)

    def read(self, keys, fn, *args, **kwargs):
        return self.call(fn, *args, **kwargs)

    def write(self, keys, fn, *args, **kwargs):
        return fn(*args, **kwargs)

    def store(self, keys, fn, *args):
        return fn(*args)

    def effect(self, fn, *args, **kwargs):
        return fn(*args, **kwargs)

    def eval(self, fn, *args):
        return fn(*args)

    expr = eval

    def read_expr(self, keys, fn, *args):
        return fn(*args)

    def get(self, value, key=None):
        return value

    def unpack(self, value, count, after=None):
        return _unpack(value, count, after)

    def rebind(self, key, value):
        return value

    def barrier(self):
        return None

    def block(self):
        return _NO_BLOCK


__all__ = ["SequentialBody", "_as_keys"]
