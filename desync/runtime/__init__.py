"""The runtime: what generated code imports (as ``__desync_rt__``), and nothing else.

The engine (``engine``: the reorder buffer of one call) and what it stands on:
the tasks it holds (``tasks``), callees that look at their caller's frame and
tracebacks (``callers``), what a callee reaches (``reach``), loops and generators
(``iteration``), what callees do (``effects``); executors, pacing, the sequential
fallback, the call cache and input hashing. Imports only the standard library and
itself (a test pins it, and that no module imports one that imports it back):
built code stays light.
"""
from __future__ import annotations

import gc
import operator
import os
import sys

from time import perf_counter

from .tasks import UNBOUND, Deferred, Task, _value
from .callers import handling, outcome
from .engine import (NESTING, Body, KeywordsError, NotIterable, advancing, advancing_items,
                     learn_names_set_by,
                     keywords_of, keywords_now, nesting, not_iterable, star_call, traced,
                     type_name)
from .pacing import close_gates, open_gate, pace_of
from .sequential import SequentialBody

# id of a transpiled function's code object -> (code, its FunctionSpec). By identity:
# equal code objects (the same def made twice, one file loaded twice) must not share
# options, so every decorated function gets a code object of its own.
_specs: dict = {}
# The classes scope() makes. Tracing (DESYNC_TRACE, desync.tracing) puts recording
# subclasses here: while it is off, a call pays nothing for it.
_Body = Body
_Sequential = SequentialBody
_disabled = os.environ.get("DESYNC_DISABLE", "").strip().lower() not in ("", "0", "false", "no")


def is_enabled() -> bool:
    return not _disabled


def set_enabled(enabled: bool) -> None:
    global _disabled
    _disabled = not enabled
    close_gates()


def register(code, spec) -> None:
    _specs[id(code)] = (code, spec)  # the code is kept alive: its id stays its own


def spec_for(code):
    found = _specs.get(id(code))
    return found[1] if found is not None and found[0] is code else None


def plain(gate):
    """``(original function, its Pace, start time)`` when this call of a decorator-made
    function may run as the original, plain Python: pacing runs its calls in order, its
    call cache (if any) has been idle, tracing and DESYNC_DISABLE are off. Opens the
    gate for the next calls too (``pacing.open_gate``). Else None: the transpiled body
    runs."""
    if _collecting[0]:
        # A finalizer run by the garbage collector, maybe while desync holds a lock on
        # this thread: the original, with none of desync's machinery.
        return gate.fn, _NO_PACE, 0.0, False
    spec = gate.spec
    if spec is None or _disabled or _Body is not Body:
        return None
    pace = spec.pace
    if pace is None or not open_gate(gate, pace, spec.active_cache() is not None):
        return None
    look = pace.looking   # (this call's: a look at the original, timed as such)
    if look:
        pace.looking = False
    return gate.fn, pace, perf_counter(), look


def plain_took(started, value):
    """The original's result, its time recorded (a failing call is not timed)."""
    started[1].in_order_took(perf_counter() - started[2], started[3])
    return value


clock = perf_counter   # what an open gate times its calls with


# name -> weak reference to the lock of a module being imported (only while in use)
from _frozen_importlib import _module_locks   # noqa: E402
from _thread import get_ident as _thread_ident   # noqa: E402


def _importing() -> bool:
    """Does this thread hold a module's import lock (is it running a module's code)?"""
    me = _thread_ident()
    for reference in list(_module_locks.values()):
        lock = reference()
        if lock is not None and getattr(lock, "owner", None) == me:
            return True
    return False


_collecting = [False]   # the cyclic garbage collector is running finalizers


class _NoPace:
    @staticmethod
    def in_order_took(seconds, look):
        return None


_NO_PACE = _NoPace()


def _collection(phase, info):
    _collecting[0] = phase == "start"


gc.callbacks.append(_collection)


_learnt_bodies: set = set()   # code of the bodies whose callees were read (see scope)


def scope():
    """The scope for one call of the transpiled function that calls this."""
    code = sys._getframe(1).f_code
    found = _specs.get(id(code))
    spec = found[1] if found is not None and found[0] is code else None
    if traced():
        # A debugger or coverage traces this thread (or new threads): what it follows
        # runs here, in order, every call made (a cache hit would skip what it steps
        # into).
        return _Sequential(None)
    if _collecting[0]:
        # Run by the garbage collector (a ``__del__`` of the user's), maybe inside
        # desync's own submit on this thread, which holds the pool's lock: a call
        # submitted now would wait for that lock forever. Here, in order.
        return _Sequential(None)
    if _module_locks and _importing():
        # Called while this thread imports a module (``TABLE = build(1)`` at a module's
        # top level): a callee's own import that leads back to that module would wait
        # on a worker for the lock this thread holds. Plain Python's calls, here, in
        # order (no cache either: hashing may import what is being imported).
        return _Sequential(None)
    if spec is not None and spec.pace is not None and not _disabled and spec.pace.in_order():
        # Paced: its calls do not overlap, so they run in order (the fast path).
        cache = spec.active_cache()
        body = _Sequential(cache)
        body.pace = spec.pace
        if cache is not None:
            body.keyed = cache.hits
            body.entries = len(cache)
            body.uncached = cache.uncached
            body.saved = cache.saved
        body.began = perf_counter()
        return body
    cache = spec.active_cache() if spec is not None else None
    if _disabled:
        # The switch back: plain Python's calls, every one made (no cache).
        return _Sequential(None)

    if nesting() > NESTING:
        # Deep recursion of desync functions: each concurrent level costs the stack
        # several frames, so deep levels run sequentially (exact, and fewer frames).
        return _Sequential(cache)
    if spec is None:
        from .executors import default_threads
        return _Body(None, default_threads(), None)
    if code not in _learnt_bodies:
        # What the functions this body calls set on the project's modules (``apply()``
        # setting ``cfg.DEBUG``), learnt before its first read of them (marked after:
        # a first call on another thread meanwhile learns it too, not nothing)
        learn_names_set_by(spec.fn)
        _learnt_bodies.add(code)
    _, foreign, threads = spec.executors.resolve()
    if foreign is not None:
        return _Body(foreign, threads, cache)
    body = _Body(foreign, threads, cache)
    body.pace = pace_of(spec)
    body.began = perf_counter()
    return body



# Helpers that stand in for statements inside tasks.
def hashable(value):
    """A set comprehension's element or a dict comprehension's key, as Python adds it."""
    if type(value).__hash__ is None:
        raise TypeError(f"unhashable type: '{type_name(value)}'")
    return value


def hashable_key(key, value):
    """A dict comprehension's value, once its key is known to be hashable."""
    hashable(key)
    return value


def setitem(obj, key, value):
    obj[key] = value


def setattr_(obj, name, value):
    setattr(obj, name, value)


def delitem(obj, key):
    del obj[key]


def delattr_(obj, name):
    delattr(obj, name)


def aug_item(obj, key, op, value):
    obj[key] = op(obj[key], value)


def aug_attr(obj, name, op, value):
    setattr(obj, name, op(getattr(obj, name), value))


def store_aug_item(obj, key, op, current, operand):
    obj[key] = op(current, operand)


def store_aug_attr(obj, name, op, current, operand):
    setattr(obj, name, op(current, operand))


AUG_OPS = {
    "Add": "iadd", "Sub": "isub", "Mult": "imul", "MatMult": "imatmul", "Div": "itruediv",
    "FloorDiv": "ifloordiv", "Mod": "imod", "Pow": "ipow", "LShift": "ilshift",
    "RShift": "irshift", "BitOr": "ior", "BitXor": "ixor", "BitAnd": "iand",
}
iadd, isub, imul, imatmul, itruediv = (operator.iadd, operator.isub, operator.imul,
                                       operator.imatmul, operator.itruediv)
ifloordiv, imod, ipow, ilshift, irshift = (operator.ifloordiv, operator.imod, operator.ipow,
                                           operator.ilshift, operator.irshift)
ior, ixor, iand = operator.ior, operator.ixor, operator.iand

# Simple expressions over values, without a lambda (a function body full of
# lambdas compiles in time quadratic in its length).
from operator import (add, and_, contains, eq, floordiv, ge, getitem, gt, invert, is_,  # noqa: E402,F401
                      is_not, le, lshift, lt, matmul, mod, mul, ne, neg, not_, or_, pos, pow,
                      rshift, sub, truediv, xor)


def user_locals(found, names):
    """``locals()`` of a transpiled body as the user wrote it: only the function's own
    names (not the transpiler's), with values, not futures."""
    return {name: _value(value) for name, value in found.items() if name in names}


_CONTAINERS = frozenset({list, tuple, range, str, bytes, bytearray, dict, set, frozenset,
                         type({}.keys()), type({}.values()), type({}.items())})


def spreadable(*values) -> bool:
    """Can ``any(f(x) for x in xs)`` iterate ``xs`` to its end ahead? Only a container
    of these exact types: an iterator's next items may run code, consume input or
    never end."""
    for value in values:
        if type(value) not in _CONTAINERS:
            return False
    return True


slice_of = slice   # ``xs[1:2]`` as an index passed on (the user may shadow ``slice``)
truth = operator.truth


def tuple_of(*items):
    return items


def list_of(*items):
    return list(items)


def lambda_made(maker, *defaults):
    """``lambda v, j=j: ...`` made once its defaults are there (``maker`` takes them):
    named as the lambda written in the body is (not ``<lambda>.<locals>.<lambda>``)."""
    made = maker(*defaults)
    made.__qualname__ = maker.__qualname__
    return made


if os.environ.get("DESYNC_TRACE"):
    from .trace import start_from_environment
    start_from_environment()

__all__ = ["Body", "SequentialBody", "Task", "Deferred", "outcome", "handling", "keywords_of",
           "keywords_now", "star_call",
           "KeywordsError", "NotIterable", "not_iterable", "UNBOUND", "scope", "register",
           "is_enabled", "set_enabled", "advancing", "advancing_items"]
