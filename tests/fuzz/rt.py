"""What generated programs import: the probe every callee calls, the trace of effects.

One program runs at a time in a worker process, so this state is process-wide;
the harness resets it before every run. Callees reach it only through ``hit``
(a plain function: to desync it is one more call that computes nothing), which
sleeps a tiny random delay to shuffle completion order and raises when its
input is the one chosen for failure. Nothing a program can observe depends on
the order in which callees run: the contract holds.
"""
from __future__ import annotations

import logging
import os
import random
import sys as _sys
import threading
import time
from concurrent.futures import Executor, Future


class FzError(Exception):
    """The program's own exception type (one class for every module instance)."""


EXCEPTIONS = {"ValueError": ValueError, "KeyError": KeyError, "FzError": FzError,
              "ZeroDivisionError": ZeroDivisionError, "KeyboardInterrupt": KeyboardInterrupt}

TRACE: list = []            # ("out", text), ("log", level, msg), ("enter", tag), ...
FAIL: tuple = ()            # (fingerprint of a call, name of the exception it raises)
RECORD: list | None = None  # when a list: every call's fingerprint, in the order made
DELAY_MAX = 0.0             # seconds; 0 for most programs
CACHE = os.environ.get("FZ_CACHE") == "1"   # generated desync functions use the call cache
_delay_rng = random.Random(0)
_delay_lock = threading.Lock()


def reset(fail=None, record=False, delay=0.0, salt=0):
    global FAIL, RECORD, DELAY_MAX
    TRACE.clear()
    FAIL = tuple((fp, kind) for fp, kind in (fail or {}).items())  # immutable: in cache keys
    RECORD = [] if record else None
    DELAY_MAX = delay
    _hooks[:] = [RECORD.append if record else _nothing, _random_pause if delay else _nothing]
    _delay_rng.seed(salt)


def fingerprint(value, depth=0):
    """A picklable, order-independent summary of a callee's input (no addresses)."""
    if depth > 4:
        return "..."
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        tag = "t" if isinstance(value, tuple) else "l"
        return (tag,) + tuple(fingerprint(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return ("d",) + tuple((fingerprint(k, depth + 1), fingerprint(v, depth + 1))
                              for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return ("s",) + tuple(sorted(repr(v) for v in value))
    if callable(value):
        return "fn"
    if hasattr(value, "__dict__"):
        return (type(value).__name__,) + tuple(
            (k, fingerprint(v, depth + 1)) for k, v in sorted(vars(value).items()))
    return type(value).__name__


def describe(fp) -> str:
    name, args, kwargs = fp
    text = ", ".join(_short(a) for a in args)
    if kwargs:
        text += (", " if text else "") + ", ".join(f"{k}={_short(v)}" for k, v in kwargs)
    return f"{name}({text})"


def _short(fp) -> str:
    if isinstance(fp, tuple) and fp and fp[0] in ("t", "l"):
        inner = ", ".join(_short(v) for v in fp[1:])
        return f"({inner})" if fp[0] == "t" else f"[{inner}]"
    return repr(fp) if not isinstance(fp, str) or fp != "fn" else "<fn>"


def hit(name, /, *args, **kwargs):
    """Called first thing by every callee. A pure function of its inputs and of FAIL
    (the plan) as far as desync can tell: recording and delays are test
    instrumentation, behind the hooks ``reset`` puts in ``_hooks``, so the callees
    are judged pure (a generator over them may run ahead), and with ``FZ_CACHE=1``
    they are cached and the cache is fuzzed too."""
    fp = (name, tuple(fingerprint(a) for a in args),
          tuple(sorted((k, fingerprint(v)) for k, v in kwargs.items())))
    for hook in _sys.desync_fuzz_hooks:
        hook(fp)
    for planned, kind in FAIL:
        if planned == fp:
            raise EXCEPTIONS[kind](describe(fp))


def _nothing(*_):
    return None


def _random_pause(_fp):
    with _delay_lock:
        delay = _delay_rng.random() * DELAY_MAX if _delay_rng.random() < 0.7 else 0.0
    if delay:
        time.sleep(delay)


# (record, pause): a list hit only reads; its items are swapped in place by reset, so
# desync's inference sees no module state change in the callees. Kept on ``sys``, a
# module of the standard library: desync counts calling a function taken from the
# project's module state (``for hook in _hooks: hook(fp)``) as a change of module
# state, which would make every callee one; test instrumentation must stay out of its
# sight.
_hooks = [_nothing, _nothing]
_sys.desync_fuzz_hooks = _hooks


def emit(*event):
    """A context manager's enter/exit and other recorded effects."""
    TRACE.append(event)


class TraceWriter:
    """Stands in for sys.stdout: every write is one event in the trace."""

    def write(self, text):
        TRACE.append(("out", text))
        return len(text)

    def flush(self):
        pass


class _TraceHandler(logging.Handler):
    def emit(self, record):
        # funcName: the body that logged (desync makes the call at its turn, from a
        # frame named like the body); the line differs by design between mode files.
        TRACE.append(("log", record.levelname, record.getMessage(), record.funcName))


LOGGER = logging.getLogger("fz")
LOGGER.setLevel(logging.DEBUG)
LOGGER.propagate = False
if not any(isinstance(h, _TraceHandler) for h in LOGGER.handlers):
    LOGGER.addHandler(_TraceHandler())


class OneWorker(Executor):
    """A one-thread executor that is not a ThreadPoolExecutor (desync cannot help it)."""

    def __init__(self):
        self._queue: list = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="fz-one-worker", daemon=True)
        self._thread.start()

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        with self._cond:
            self._queue.append((future, fn, args, kwargs))
            self._cond.notify()
        return future

    def _work(self):
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                future, fn, args, kwargs = self._queue.pop(0)
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 - the future carries it
                future.set_exception(error)
            else:
                future.set_result(result)

    def shutdown(self, wait=True, *, cancel_futures=False):
        pass


NEXT_EXECUTOR = None  # what a module instance being imported puts in EXECUTOR


class DesyncRefused(Exception):
    """@desync raised at decoration time: the program is reported, not crashed on."""


def guard_decorator(real):
    """Wrap the decorator so one refused program does not stop the module's import."""
    def deco(fn=None, **options):
        if fn is None:
            return lambda inner: deco(inner, **options)
        try:
            return real(fn, **options)
        except Exception as error:  # noqa: BLE001 - reported when the program runs
            message = f"{type(error).__name__}: {error}"

            def refused(*args, **kwargs):
                raise DesyncRefused(message)
            refused.__name__ = fn.__name__
            return refused
    return deco
