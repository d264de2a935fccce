"""``@desync(executor=client.get_executor())`` on a real Dask cluster.

One ``LocalCluster`` (two worker processes) for the module, started and stopped
here. The callees below are module functions of this file: Dask ships them to the
workers, which import this module (they inherit the test run's ``sys.path``).
Nothing here measures time: the barrier proves overlap, the pids say where a call
ran, and a counting wrapper says how many calls reached the cluster.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Executor

import pytest

from desync import desync as desync_fn

distributed = pytest.importorskip("distributed", reason="dask[distributed] is in the test extra")


@pytest.fixture(scope="module")
def client():
    import dask
    # Generous timeouts: the workers start on a loaded two-core machine.
    settings = {"distributed.comm.timeouts.connect": "60s",
                "distributed.comm.timeouts.tcp": "120s",
                "distributed.scheduler.work-stealing": False}
    with dask.config.set(settings):
        cluster = distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=2,
                                           dashboard_address=None, host="127.0.0.1",
                                           silence_logs=logging.ERROR)
        client = distributed.Client(cluster, timeout="60s")
        try:
            client.wait_for_workers(2, timeout=120)
            yield client
        finally:
            client.close()
            cluster.close()


def worker_pids(client) -> set:
    return set(client.run(os.getpid).values())


# -- callees, shipped to the workers by reference (this module) -------------------------

def square(x):
    return x * x, os.getpid()


def slow_square(x, delay):
    time.sleep(delay)
    return x * x


def refuse(x, delay):
    time.sleep(delay)
    raise KeyError(f"no {x}")


def reject(x, delay):
    time.sleep(delay)
    raise ValueError(f"not {x}")


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


class Counting(Executor):
    """Counts the calls desync sends to the cluster."""

    def __init__(self, inner):
        self.inner = inner
        self.submitted = 0
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.submitted += 1
        return self.inner.submit(fn, *args, **kwargs)


# -- the tests ----------------------------------------------------------------------------

def test_results_come_from_the_workers(client):
    @desync_fn(executor=client.get_executor(), cache=False)
    def body(n):
        out = []
        for i in range(n):
            out.append(square(i))
        return out

    result = body(12)
    assert [value for value, _ in result] == [i * i for i in range(12)]
    pids = {pid for _, pid in result}
    assert os.getpid() not in pids
    assert pids <= worker_pids(client)


def test_a_closure_is_shipped_by_value(client):
    offset = 1000

    def shifted(x):
        return x + offset, os.getpid()

    @desync_fn(executor=client.get_executor(), cache=False)
    def body():
        a = shifted(1)
        b = shifted(2)
        return a, b

    (a, pid_a), (b, pid_b) = body()
    assert (a, b) == (1001, 1002)
    assert {pid_a, pid_b} <= worker_pids(client)


def test_the_first_error_in_program_order_is_raised_and_later_effects_never_happen(client):
    log = []

    @desync_fn(executor=client.get_executor(), cache=False)
    def body():
        log.append("before")
        a = slow_square(2, 0.0)
        log.append(a)
        b = refuse(3, 0.5)      # fails first in program order, last in time
        c = reject(4, 0.0)      # fails first in time
        log.append("after")
        return a, b, c

    with pytest.raises(KeyError, match="no 3"):
        body()
    assert log == ["before", 4]


class Log:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append((item, os.getpid(), threading.get_ident()))


def test_effects_run_in_program_order_in_the_caller(client):
    @desync_fn(executor=client.get_executor(), cache=False)
    def body(log, delays):
        squares = []
        for i, delay in enumerate(delays):
            value = slow_square(i, delay)     # later calls finish first
            squares.append(value)
            log.add(value)
        return squares

    log = Log()
    assert body(log, [0.4, 0.3, 0.2, 0.1, 0.0]) == [0, 1, 4, 9, 16]
    assert [item for item, _, _ in log.items] == [0, 1, 4, 9, 16]
    assert {(pid, ident) for _, pid, ident in log.items} == {(os.getpid(), threading.get_ident())}


def test_a_long_call_stays_on_the_cluster(client):
    # A cluster's futures never say "running": a call that takes a while must not be
    # taken back and run again in the caller.
    @desync_fn(executor=client.get_executor(), cache=False)
    def body():
        a = square(3)
        b = slow_square(2, 2.5)
        return a, b

    (value, pid), four = body()
    assert (value, four) == (9, 4)
    assert pid in worker_pids(client)


def test_equal_calls_each_run(client):
    # Dask runs an equal "pure" call once; desync runs every call it does not answer
    # from its own cache (the callee may read the outside world).
    @desync_fn(executor=client.get_executor(), cache=False)
    def body():
        a = slow_square(3, 0.2)
        b = slow_square(3, 0.2)
        return a, b

    with distributed.get_task_stream(client) as stream:
        assert body() == (9, 9)
    assert len(stream.data) == 2


def test_the_cache_looks_up_in_the_caller(client):
    executor = Counting(client.get_executor())

    @desync_fn(executor=executor)
    def body(n):
        out = []
        for i in range(n):
            out.append(crunch(20_000 + i))
        return out

    first = body(6)
    assert executor.submitted == 6
    second = body(6)
    assert second == first
    assert executor.submitted == 6          # every call a hit: nothing reached the cluster
    assert body(7)[-1] == crunch(20_006)    # a new input is a miss
    assert executor.submitted == 7


def test_configured_factory_runs_undecorated_functions_on_the_cluster(client, tmp_path,
                                                                     monkeypatch):
    # [tool.desync] executor names a factory: functions that pass no executor= use it.
    from desync import decorator
    (tmp_path / "pyproject.toml").write_text(
        '[tool.desync]\nexecutor = "test_dask:cluster_executor"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(decorator, "_executor_settings", {})
    monkeypatch.setattr(decorator, "_factories", {})
    global _client
    _client = client

    @desync_fn(cache=False)
    def body():
        a = square(5)
        b = square(6)
        return a, b

    (a, pid_a), (b, pid_b) = body()
    assert (a, b) == (25, 36)
    assert {pid_a, pid_b} <= worker_pids(client)


_client = None


def cluster_executor():
    return _client.get_executor()
