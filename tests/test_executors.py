"""``executor=`` and ``max_workers=``: threads, processes (cloudpickle), any Executor."""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from desync import DesyncError, desync


def pid_after(delay):
    time.sleep(delay)
    return os.getpid()


def refuse(value):
    raise KeyError(f"no {value}")


@desync(executor="processes", cache=False)
def two_pids():
    first = pid_after(0.6)
    second = pid_after(0.6)
    return first, second


@desync(executor="processes", cache=False)
def fails_in_a_process():
    first = pid_after(0.05)
    refuse(first)
    return first


def test_processes_run_calls_in_other_processes_side_by_side():
    two_pids()  # start the pool's workers before timing
    started = time.perf_counter()
    first, second = two_pids()
    elapsed = time.perf_counter() - started
    assert os.getpid() not in (first, second)
    assert first != second
    assert elapsed < 1.0, elapsed  # sequential takes 1.2 s


def test_an_exception_raised_in_a_process_keeps_its_type_and_message():
    with pytest.raises(KeyError, match="no "):
        fails_in_a_process()


class ShippedError(Exception):
    pass


def refuse_from(value):
    try:
        refuse(value)
    except KeyError as error:
        raise ShippedError("wrapped") from error


def refuse_during(value):
    try:
        refuse(value)
    except KeyError:
        raise ValueError("while handling")


class CodeError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


class Stop(BaseException):
    pass


def refuse_oddly(which):
    if which == "init":
        raise CodeError(1, "bad")
    if which == "exit":
        raise SystemExit(3)
    raise Stop("stop")


@desync(executor="processes", cache=False)
def odd_in_a_process(which):
    first = pid_after(0.01)
    return refuse_oddly(which) if first else None


@pytest.mark.parametrize("which, kind", [("init", CodeError), ("exit", SystemExit),
                                         ("base", Stop)])
def test_exceptions_pickle_cannot_rebuild_or_that_are_not_errors_come_back(which, kind):
    # Round H: CodeError(code, msg) broke the pool (pickle calls __init__ with its one
    # formatted arg), and BaseException subclasses came back with a remote cause.
    with pytest.raises(kind) as caught:
        odd_in_a_process(which)
    assert caught.value.__cause__ is None and not caught.value.__suppress_context__
    if which == "init":
        assert str(caught.value) == "1: bad" and caught.value.code == 1


@desync(executor="processes", cache=False)
def chained_in_a_process(which):
    first = pid_after(0.01)
    return (refuse_from if which == "cause" else refuse_during)(first)


@pytest.mark.parametrize("which", ["cause", "context"])
def test_an_exception_raised_in_a_process_keeps_its_chain(which):
    # Before: the pool's pickling kept only the exception's args and made its cause a
    # _RemoteTraceback, losing `raise ... from` and the exception being handled.
    with pytest.raises((ShippedError, ValueError)) as caught:
        chained_in_a_process(which)
    error = caught.value
    if which == "cause":
        assert type(error) is ShippedError   # the class itself, not a copy
        assert type(error.__cause__) is KeyError and error.__suppress_context__
    else:
        assert error.__cause__ is None and not error.__suppress_context__
        assert type(error.__context__) is KeyError
    assert "no " in str(error.__context__)


def test_closures_are_shipped_by_value_to_a_given_process_pool():
    offset = 100

    def shifted(x):
        return (x + offset, os.getpid())

    with ProcessPoolExecutor(2) as pool:
        @desync(executor=pool, cache=False)
        def body():
            a = shifted(1)
            b = shifted(2)
            return a, b

        (a, pid_a), (b, pid_b) = body()
    assert (a, b) == (101, 102)
    assert os.getpid() not in (pid_a, pid_b)


class CountingExecutor(Executor):
    """A foreign executor: desync must submit to it, and only to it."""

    def __init__(self):
        self.inner = ThreadPoolExecutor(4)
        self.submitted = 0
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.submitted += 1
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, **kwargs):
        self.inner.shutdown(wait)


def test_any_executor_receives_the_calls():
    executor = CountingExecutor()
    try:
        @desync(executor=executor, cache=False)
        def body(n):
            a = pid_after(0.0)
            b = pid_after(0.0)
            c = pid_after(0.0)
            return [a, b, c, n]

        assert body(7) == [os.getpid()] * 3 + [7]
        assert executor.submitted >= 3
    finally:
        executor.shutdown()


def test_max_workers_one_runs_calls_one_at_a_time():
    active, peak = [0], [0]
    lock = threading.Lock()

    def tracked():
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1

    @desync(max_workers=1, cache=False)
    def body():
        tracked()
        tracked()
        tracked()

    body()
    # The calling thread may help run queued tasks, so at most one pool worker
    # plus the caller: never all three at once.
    assert peak[0] <= 2


def plain():
    return 1


def test_a_bad_executor_option_is_a_clear_error():
    with pytest.raises(TypeError, match="executor must be"):
        desync(executor="gpus")(plain)
    with pytest.raises(ValueError, match="max_workers"):
        desync(max_workers=0)(plain)


def test_a_lambda_is_refused_with_a_clear_error():
    with pytest.raises(DesyncError, match="needs a def") as caught:
        desync(lambda: None)
    assert "test_executors.py" in str(caught.value)
