"""The same API as ``Body``, run in program order on the calling thread.

Used when desync is disabled (``DESYNC_DISABLE=1``, ``desync.disable()``): every
step happens where it stands, so the transpiled code behaves, and raises,
exactly like the original.
"""
from __future__ import annotations

import sys
import threading
import time
from types import TracebackType

from .tasks import UNBOUND, Deferred
from .callers import (_AS_BODY_CODES, _REGION_CODES, _as_body, handling, looks_at_caller,
                      named_like_body)
from .iteration import (_STOPS, _ElementGuarded, _failed_step, _GeneratorExpression,
                        _Owning, _StopsWithConsumer, _take_elements)
from .engine import (_COLLECTORS, _call_method, _consumer, _tls, check_star_parts,
                     unpack_values)


class _NoBlock:
    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NO_BLOCK = _NoBlock()


def _no_wait(tasks):
    return None   # (nothing runs ahead here)




class SequentialBody:
    __slots__ = ("cache", "log", "pace", "began", "keyed", "entries", "uncached", "saved")

    def __init__(self, cache):
        self.cache = cache
        self.log = {}
        self.pace = None   # the function's Pace, when pacing chose this runtime
        self.began = 0.0
        self.keyed = 0     # the cache's hits when the call began
        self.entries = 0   # ... its entries
        self.uncached = 0  # ... its calls too cheap to key
        self.saved = 0.0   # ... and the seconds its hits saved

    def __enter__(self):
        _tls.depth = getattr(_tls, "depth", 0) + 1
        return self

    def __exit__(self, exc_type, exc, tb):
        _tls.depth -= 1
        pace = self.pace
        if pace is not None:
            elapsed = time.perf_counter() - self.began
            cache = self.cache
            # (A look at an idle cache runs this body where the original usually runs,
            # and slower: its time is not the function's usual, nor an outlier.)
            if cache is None or not pace.is_check():
                pace.in_order_took(elapsed)
            if cache is not None:
                # (only hits count as work: a cache that keys a cheap callee now and
                # then to re-check its cost, and never hits, has nothing to give)
                # (many calls too cheap to key count for more only if nothing was
                # stored: a later call may hit it)
                pace.cache_ran(cache.hits != self.keyed, elapsed,
                               cache.uncached - self.uncached if len(cache) <= self.entries
                               else 0, cache.saved - self.saved)
        if exc is not None and tb is not None:
            _drop_runtime_frames(exc)
        if _tls.depth == 0:
            _cleaned.last = None   # (its frames are not kept past the outermost body)
        return False

    def handling(self):
        """First statement of a transpiled ``except`` clause: no desync frames in the
        traceback of the exception it handles."""
        handling()

    def call(self, fn, /, *args, **kwargs):
        if looks_at_caller(fn):
            frame = sys._getframe(1)
            return _as_body(frame, frame.f_lasti)(fn, args, kwargs)
        if self.cache is not None:
            return self.cache.call(fn, args, kwargs)
        return fn(*args, **kwargs)

    def read(self, keys, fn, /, *args, **kwargs):
        if looks_at_caller(fn):
            frame = sys._getframe(1)
            return _as_body(frame, frame.f_lasti)(fn, args, kwargs)
        return self.call(fn, *args, **kwargs)

    def call_star(self, keys, fn, args, kwargs):
        check_star_parts(fn, args, kwargs)
        if looks_at_caller(fn):
            frame = sys._getframe(1)
            return _as_body(frame, frame.f_lasti)(fn, args, kwargs)
        return self.call(fn, *args, **kwargs)

    def method(self, target, keys, obj, name, /, *args, **kwargs):
        bound = getattr(obj, name)
        if looks_at_caller(bound):
            frame = sys._getframe(1)  # a logger's method names its caller: the body's line
            return _as_body(frame, frame.f_lasti)(bound, args, kwargs)
        return bound(*args, **kwargs)

    def look_up(self, obj, name):
        return getattr(obj, name)   # (before the arguments, as Python looks it up)

    def method_bound(self, target, keys, obj, name, bound, /, *args, **kwargs):
        if looks_at_caller(bound):
            frame = sys._getframe(1)
            return _as_body(frame, frame.f_lasti)(bound, args, kwargs)
        return bound(*args, **kwargs)

    def effect_method(self, targets, getter, inputs, name, /, *args, **kwargs):
        bound = getattr(getter(*inputs), name)
        if looks_at_caller(bound):
            frame = sys._getframe(1)
            return _as_body(frame, frame.f_lasti)(bound, args, kwargs)
        return bound(*args, **kwargs)

    def effect(self, targets, fn, /, *args, **kwargs):
        if looks_at_caller(fn):
            frame = sys._getframe(1)
            return _as_body(frame, frame.f_lasti)(fn, args, kwargs)
        return fn(*args, **kwargs)

    effect_call = effect   # (the user's function: no frame of desync's to drop here)

    def store(self, targets, held, fn, /, *args, **kwargs):
        return fn(*args, **kwargs)

    def augment(self, target, op, value, operand):
        return op(value, operand)

    def pure(self, fn, *args):
        return fn(*args)

    def pure_read(self, keys, fn, *args):
        return fn(*args)

    pure_advancing = pure_read

    def collect(self, kind, items):
        return _COLLECTORS[kind](*items)

    # Speculative steps are made only when the code that consumes them gets there.
    def spec(self, keys, fn, /, *args, **kwargs):
        return Deferred(fn, args, kwargs)

    def spec_method(self, keys, obj, name, /, *args, **kwargs):
        return Deferred(_call_method, (obj, name, *args), kwargs)

    def spec_pure(self, keys, fn, *args):
        return Deferred(fn, args, None)

    def region(self, targets, fn, *args, narrow=None, calls=()):
        return named_like_body(fn, sys._getframe(1))(*args)

    def consume(self, consumer, conditions, values, items, stops=None):
        return _consumer(consumer, conditions, values, stops)(*items)

    def get(self, value):
        return value

    def get_after(self, keys, value):
        return value

    def settle_state(self):
        pass

    def settle_module(self, held, attribute=None):
        pass

    def reads_state(self):
        pass

    def settle_global(self, name, attribute=None):
        pass

    def settle_returned(self, value, name, *attributes):
        pass

    def entering(self, manager):
        return manager

    def settle(self, keys):
        return None

    def result(self, value):
        return value

    def barrier(self):
        return None

    finish = barrier

    def iterate(self, keys, iterable, *parts, made_by=None, state=False):
        return iterable

    def spec_iterate(self, keys, items, conditions, values, iterable, *parts, made_by=None,
                     consumer=None):
        # Each element is taken before the next advance, as plain Python takes it; the
        # loop ends where the consumer stops taking (``any`` at a true element).
        stop = _STOPS.get(consumer) if values == 1 else None
        if stop is not None:
            return _StopsWithConsumer(self, iter(iterable), items, conditions,
                                      conditions + 1, stop())
        return _ElementGuarded(self, iter(iterable), items, conditions, conditions + values)

    def generator_expression(self):
        return _GeneratorExpression(None)

    def owning(self, iterable, made_by):
        return _Owning(None, iterable, made_by)

    def take_elements(self, items, start, conditions, width, end=None) -> bool:
        return _take_elements(items, start, conditions, width, _no_wait, _failed_step, end)

    def unpack(self, value, count, after=None):
        return unpack_values(value, count, after)

    def block(self):
        return _NO_BLOCK

    def bind(self, name, value):
        self.log[name] = value
        return value

    def restoring(self, block) -> bool:
        return False   # nothing runs ahead here: every local is as plain Python left it

    def restore(self, block, names):
        log = self.log
        return tuple(log.get(name, UNBOUND) for name in names)

    def use_cells(self, *setters):
        return None

    def distinct(self, *named):
        return None

    def global_value(self, name):
        return None

    def global_keys(self, *named):
        return None

    def track_changes(self, *named):
        return None


_cleaned = threading.local()   # (the exception this thread cleaned last, its clean traceback)


def _drop_runtime_frames(error):
    """Tracebacks read as plain Python's: no frames of this module between the body
    and the callee (3.11 and later re-raise the traceback set here). What a body
    deeper in the same exception's way cleaned is kept as it is: a RecursionError
    through thousands of levels is cleaned in time linear in its depth."""
    if sys.version_info < (3, 11):
        return
    tb = error.__traceback__
    if tb is None:
        return
    last = getattr(_cleaned, "last", None)
    done = last[1] if last is not None and last[0] is error else None
    frames = []
    while tb is not None and tb is not done:
        code = tb.tb_frame.f_code
        if code in _REGION_CODES and frames:
            # A try statement run as one step: the body's entry at the line inside it.
            frames[-1] = (frames[-1][0], -1, tb.tb_lineno)
        elif not tb.tb_frame.f_globals.get("__name__", "").startswith("desync.runtime") \
                and code not in _AS_BODY_CODES:
            frames.append((tb.tb_frame, tb.tb_lasti, tb.tb_lineno))
        tb = tb.tb_next
    rebuilt = done
    for frame, lasti, line in reversed(frames):
        rebuilt = TracebackType(rebuilt, frame, lasti, line)
    error.__traceback__ = rebuilt
    _cleaned.last = (error, rebuilt)


__all__ = ["SequentialBody"]
