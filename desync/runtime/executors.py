"""Where tasks run: the shared thread pool, a process pool, or any Executor.

Thread pools are "helpable" (the waiting thread runs queued tasks itself). Any
other executor gets tasks submitted directly; a process pool gets them shipped
with cloudpickle, imported only then.
"""
from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import Executor, ThreadPoolExecutor

# ProcessPoolExecutor is imported only when processes are asked for: its module
# loads multiprocessing, subprocess and sockets (~25 ms), too much for `import desync`.
_lock = threading.Lock()
_default_threads: ThreadPoolExecutor | None = None
_default_processes = None


def _is_process_pool(executor) -> bool:
    process = sys.modules.get("concurrent.futures.process")
    return process is not None and isinstance(executor, process.ProcessPoolExecutor)


def default_max_workers() -> int:
    value = os.environ.get("DESYNC_MAX_WORKERS")
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"DESYNC_MAX_WORKERS must be a whole number, not {value!r}") from None
    return 32  # tasks are usually I/O or release the GIL; threads are cheap


def default_threads() -> ThreadPoolExecutor:
    global _default_threads
    pool = _default_threads
    if pool is None:
        with _lock:
            if _default_threads is None:
                _default_threads = ThreadPoolExecutor(default_max_workers(),
                                                      thread_name_prefix="desync")
            pool = _default_threads
    return pool


def default_processes():
    global _default_processes
    with _lock:
        if _default_processes is None:
            from concurrent.futures import ProcessPoolExecutor
            _default_processes = ProcessPoolExecutor()
        return _default_processes


_inside = threading.local()


def inside_executor():
    """The token of the foreign executor whose worker runs this thread's task, if any."""
    return getattr(_inside, "token", None)


def _run_marked(token, fn, args, kwargs):
    # A desync call nested in this task can tell it runs on the executor it would
    # submit to, and run its own queued calls itself rather than wait for a worker.
    previous = getattr(_inside, "token", None)
    _inside.token = token
    try:
        return fn(*args, **(kwargs or {}))
    finally:
        _inside.token = previous


def _call_shipped(payload: bytes):
    import cloudpickle
    fn, args, kwargs = cloudpickle.loads(payload)
    return fn(*args, **(kwargs or {}))


def ship_to_processes(executor: Executor):
    def submit(scope, task, fn, args, kwargs):
        import cloudpickle
        return executor.submit(_call_shipped, cloudpickle.dumps((fn, args, kwargs)))
    submit.token = id(executor)
    return submit


def submit_directly(executor: Executor):
    token = id(executor)

    def submit(scope, task, fn, args, kwargs):
        return executor.submit(_run_marked, token, fn, args, kwargs)
    submit.token = token
    return submit


class ExecutorChoice:
    """The ``executor=`` and ``max_workers=`` options of one desync function."""

    def __init__(self, executor=None, max_workers: int | None = None):
        if executor not in (None, "threads", "processes") and not isinstance(executor, Executor):
            raise TypeError("executor must be 'threads', 'processes' or a "
                            f"concurrent.futures.Executor, not {executor!r}")
        if max_workers is not None and (not isinstance(max_workers, int) or max_workers < 1):
            raise ValueError(f"max_workers must be a positive int, not {max_workers!r}")
        self.executor = executor
        self.max_workers = max_workers
        self._own: Executor | None = None
        self._resolved = None

    def resolve(self):
        """(pool, foreign submit or None, local thread pool)."""
        resolved = self._resolved
        if resolved is None:
            resolved = self._resolved = self._make()
        return resolved

    def _make(self):
        executor, workers = self.executor, self.max_workers
        if executor is None or executor == "threads":
            if workers is None:
                pool = default_threads()
            else:
                pool = self._own = ThreadPoolExecutor(workers, thread_name_prefix="desync")
            return pool, None, pool
        if executor == "processes":
            if workers is None:
                pool = default_processes()
            else:
                from concurrent.futures import ProcessPoolExecutor
                pool = ProcessPoolExecutor(workers)
            self._own = pool if workers is not None else None
            return pool, ship_to_processes(pool), default_threads()
        if isinstance(executor, ThreadPoolExecutor):
            return executor, None, executor
        if _is_process_pool(executor):
            return executor, ship_to_processes(executor), default_threads()
        return executor, submit_directly(executor), default_threads()
