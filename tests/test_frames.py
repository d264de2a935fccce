"""Code that looks at its caller sees what plain Python shows it.

Log records name the body's file, function and line; ``warnings.warn`` points
where its ``stacklevel`` says; ``sys._getframe``, ``inspect`` and ``traceback``
see the body's frame and its callers; ``locals()``, ``vars()``, ``dir()`` and
``eval``/``exec`` without a namespace see the variables' values. Each body runs
plain, on threads, on a one-worker executor that is not a thread pool, and
under ``desync.sequential()``.
"""
from __future__ import annotations

import inspect
import logging
import sys
import time
import traceback
import warnings
from concurrent.futures import Executor, Future

import pytest

import desync
from desync import desync as dz


class OneWorker(Executor):
    """Runs each call at once in the submitting thread's place: one worker."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed to the future
            future.set_exception(error)
        return future


def slow(x):
    time.sleep(0.002)
    return x + 1


RECORDS: list = []


class Keep(logging.Handler):
    def emit(self, record):
        RECORDS.append((record.filename, record.funcName, record.lineno, record.getMessage()))


LOG = logging.getLogger("desync.tests.frames")
LOG.addHandler(Keep())
LOG.setLevel(logging.INFO)
LOG.propagate = False


def logs(n):
    a = slow(n)
    LOG.info("a is %s", a)
    b = slow(a)
    LOG.warning("b is %s", b)
    return b


def warns(n):
    a = slow(n)
    warnings.warn("level one", UserWarning)
    warnings.warn("level two", UserWarning, stacklevel=2)
    return a


def frames(n):
    a = slow(n)
    caller = sys._getframe(1).f_code.co_name
    here = inspect.currentframe().f_code.co_name
    line = inspect.currentframe().f_lineno
    stack = [f.name for f in traceback.extract_stack()][-2:]
    outer = [f.function for f in inspect.stack()[1:2]]
    return a, caller, here, line, stack, outer


def variables(n):
    a = slow(n)
    b = slow(a)
    seen = sorted(locals().items())
    also = vars()["b"]
    names = dir()
    total = eval("a + b * 10")
    exec("print_me = a")  # a function's exec cannot bind its locals: no effect either way
    return seen, also, names, total


def logs_in_a_loop(n):
    out = []
    for x in range(n, n + 3):
        try:  # run as one step per iteration: what logs there names this function
            LOG.info("x is %s", slow(x))
            out.append(x)
        except ValueError:
            pass
    return out


def fails_in_a_loop(n):
    for x in range(n, n + 3):
        try:
            value = slow(x)
            if value > n + 2:
                raise KeyError(value)
        except ValueError:
            pass


BODIES = [logs, warns, frames, variables, logs_in_a_loop, fails_in_a_loop]
MODES = ["threads", "one-worker", "sequential"]


def caller_of(fn, n):
    return fn(n)  # the frame sys._getframe(1) and stacklevel=2 point at


def _run(fn, n):
    RECORDS.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = caller_of(fn, n)
        except KeyError as error:  # the traceback from the caller down, as (function, line)
            frames = traceback.extract_tb(error.__traceback__)
            result = [(f.name, f.lineno) for f in frames]
            if sys.version_info < (3, 11):
                # 3.10's with statement keeps the traceback it caught: the body's
                # frame where the failure surfaced and desync's frames come between
                # (docs/debugging.md). The caller and the failing line are exact.
                result = result[:2] + result[-1:]
    where = [(w.filename, w.lineno, str(w.message)) for w in caught]
    return result, list(RECORDS), where


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("body", BODIES, ids=[b.__name__ for b in BODIES])
def test_what_looks_at_the_caller_sees_plain_pythons_frames(body, mode):
    expected = _run(body, 1)
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(body)
    for _ in range(5):
        if mode == "sequential":
            with desync.sequential():
                got = _run(decorated, 1)
        else:
            got = _run(decorated, 1)
        assert got == expected


def test_locals_and_eval_are_accepted_not_refused():
    decorated = dz(cache=False)(variables)
    seen, also, names, total = decorated(1)
    assert dict(seen) == {"a": 2, "b": 3, "n": 1}
    assert also == 3 and names == ["a", "also", "b", "n", "seen"]
    assert total == 32
