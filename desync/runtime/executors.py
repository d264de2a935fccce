"""Where tasks run: the shared thread pool, a process pool, or any Executor.

Thread pools are "helpable" (the waiting thread runs queued tasks itself). Any
other executor gets tasks submitted directly; a process pool gets them shipped
with cloudpickle, imported only then.
"""
from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import CancelledError, Executor, Future, InvalidStateError, \
    ThreadPoolExecutor

# ProcessPoolExecutor is imported only when processes are asked for: its module
# loads multiprocessing, subprocess and sockets (~25 ms), too much for `import desync`.
_lock = threading.Lock()
_default_threads: ThreadPoolExecutor | None = None
_default_processes = None
# The project's configured executor, for functions that pass no ``executor=``.
# ``desync.decorator`` installs the two functions (it reads ``[tool.desync]``; the
# runtime reads no configuration itself); both are called lazily, at first use:
# settings() -> (None, "threads", "processes" or "module:factory", max workers), and
# factory() -> the Executor that the configured factory makes (once per process).
_settings = None
_factory = None


def set_configuration(settings, factory) -> None:
    global _settings, _factory
    _settings, _factory = settings, factory


def configured():
    """(executor setting, max workers) of the project, read the first time it is needed."""
    settings = _settings
    return settings() if settings is not None else (None, None)


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
    setting, workers = configured()
    if workers is not None and setting in (None, "threads"):
        return workers
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
            setting, workers = configured()
            _default_processes = ProcessPoolExecutor(workers if setting == "processes" else None)
        return _default_processes


_inside = threading.local()


def inside_executor():
    """The token of the foreign executor whose worker runs this thread's task, if any."""
    return getattr(_inside, "token", None)


class _CallerContext:
    """The caller's ``contextvars`` context, for an executor in this process. An
    executor that pickles its calls (to run them elsewhere) gets None instead."""

    __slots__ = ("context",)

    def __init__(self, context):
        self.context = context

    def __reduce__(self):
        return _no_context, ()


def _no_context():
    return None


def _run_marked(token, fn, args, kwargs, caller=None):
    # A desync call nested in this task can tell it runs on the executor it would
    # submit to, and run its own queued calls itself rather than wait for a worker.
    if caller is not None and caller.context is not None:  # the caller's ContextVars
        return caller.context.run(_run_marked, token, fn, args, kwargs)
    previous = getattr(_inside, "token", None)
    _inside.token = token
    try:
        return fn(*args, **(kwargs or {}))
    finally:
        _inside.token = previous


def inside_worker() -> bool:
    """Whether this thread runs a call shipped to a process pool or a foreign executor."""
    return getattr(_inside, "token", None) is not None or getattr(_inside, "shipped", False)


class _ShippedFailure(Exception):
    """A shipped call's exception, with its ``__cause__``/``__context__`` chain, as
    cloudpickle bytes: the pool's own pickling keeps only ``args`` and makes the
    cause a ``_RemoteTraceback``."""


def _call_shipped(payload: bytes):
    import cloudpickle
    fn, args, kwargs = cloudpickle.loads(payload)
    previous = getattr(_inside, "shipped", False)
    _inside.shipped = True
    try:
        return fn(*args, **(kwargs or {}))
    except BaseException as error:   # (SystemExit and the like come back too)
        packed = _packed_chain(error)
        if packed is None:
            raise
    finally:
        _inside.shipped = previous
    # Raised here, not in the handler: no __context__ to ship (a pickler that keeps
    # chains, tblib's as installed by Dask, would send the original exception too).
    raise _ShippedFailure(packed)


def _packed_chain(error):
    """(exception, cause index, context index, suppress_context) for every exception
    in the chain, pickled; None if one of them cannot be (then the pool's way)."""
    import cloudpickle
    index: dict = {}
    entries: list = []

    def visit(found):
        if found is None:
            return None
        if id(found) not in index:
            index[id(found)] = len(entries)
            entry = [found, None, None, found.__suppress_context__]
            entries.append(entry)
            entry[1] = visit(found.__cause__)
            entry[2] = visit(found.__context__)
        return index[id(found)]

    visit(error)
    for entry in entries:
        entry[0] = _rebuildable(entry[0], cloudpickle)
    try:
        return cloudpickle.dumps([tuple(entry) for entry in entries])
    except Exception:
        return None


def _rebuildable(error, cloudpickle):
    """``error`` if pickle rebuilds it; else its class, args and attributes, to be put
    back without calling ``__init__`` (``CodeError(code, msg)``, which pickle would
    call with its one formatted ``args``, failing in the caller)."""
    try:
        cloudpickle.loads(cloudpickle.dumps(error))
        return error
    except Exception:
        return _Rebuilt(type(error), error.args, dict(getattr(error, "__dict__", {})))


class _Rebuilt:
    __slots__ = ("kind", "args", "attributes")

    def __init__(self, kind, args, attributes):
        self.kind, self.args, self.attributes = kind, args, attributes

    def __reduce__(self):
        return (_rebuild, (self.kind, self.args, self.attributes))


def _rebuild(kind, args, attributes):
    error = kind.__new__(kind, *args)
    error.args = args
    error.__dict__.update(attributes)
    return error


def _unpacked_chain(packed):
    import cloudpickle
    entries = cloudpickle.loads(packed)
    errors = [entry[0] for entry in entries]
    for error, cause, context, suppress in entries:
        error.__cause__ = errors[cause] if cause is not None else None
        error.__context__ = errors[context] if context is not None else None
        error.__suppress_context__ = suppress
    return errors[0]


class _ShippedFuture(Future):
    """What desync holds for a call sent to a process pool: settled from the pool's
    future, with the exception chain put back; cancelled together with it."""

    def __init__(self, shipped):
        super().__init__()
        self.shipped = shipped

    def cancel(self):
        return self.shipped.cancel() and super().cancel()


def ship_to_processes(executor: Executor):
    def submit(scope, task, fn, args, kwargs):
        import cloudpickle
        shipped = executor.submit(_call_shipped, cloudpickle.dumps((fn, args, kwargs)))
        returned = _ShippedFuture(shipped)

        def settle(done):
            if done.cancelled():
                Future.cancel(returned)
                return
            error = done.exception()
            if error is None:
                returned.set_result(done.result())
                return
            if isinstance(error, _ShippedFailure):
                try:
                    error = _unpacked_chain(error.args[0])
                except Exception as failure:   # a class this process cannot load
                    error = RuntimeError("desync: the exception a call raised in a worker "
                                         f"process cannot be rebuilt here ({failure!r})")
            returned.set_exception(error)

        shipped.add_done_callback(settle)
        return returned
    submit.token = id(executor)
    return submit


def submit_directly(executor: Executor):
    token = id(executor)

    def submit(scope, task, fn, args, kwargs):
        return executor.submit(_run_marked, token, fn, args, kwargs,
                               _CallerContext(task.context))
    submit.token = token
    return submit


def _is_remote(executor) -> bool:
    """A cluster's executor (Dask's ``Client.get_executor()``): its futures stay
    "pending" until the result is back, whether the task waits or runs remotely."""
    return type(executor).__module__.split(".")[0] == "distributed"


class RemoteFuture(Future):
    """The future desync holds for a call sent to a cluster.

    A cluster's own future cannot say whether its task has started, so it can always
    be cancelled, and desync would take a cancelled call back to run it here (as it
    does for a call still queued on a busy pool): a long task would run twice, the
    second time in the caller. This one refuses to be cancelled while its call
    matters, and cancels the remote task once the call is discarded (an earlier
    call failed): queued tasks then never run."""

    def __init__(self, task, remote):
        super().__init__()
        self._task = task
        self._remote = remote
        remote.add_done_callback(self._copy)

    def cancel(self):
        if not getattr(self._task, "orphan", False):
            return False
        self._remote.cancel()
        return super().cancel()

    def _copy(self, remote):
        try:
            if remote.cancelled():
                self.set_exception(CancelledError("the task was cancelled on the cluster"))
            elif remote.exception() is not None:
                self.set_exception(remote.exception())
            else:
                self.set_result(remote.result())
        except InvalidStateError:
            pass  # cancelled here meanwhile


def submit_remotely(executor: Executor):
    token = id(executor)

    def submit(scope, task, fn, args, kwargs):
        # pure=False: Dask would otherwise hand back the result of an earlier equal
        # call still in cluster memory, even for a callee that reads the outside
        # world. What may be reused is the call cache's to decide, in the caller.
        return RemoteFuture(task, executor.submit(_run_marked, token, fn, args, kwargs,
                                                  pure=False))
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
        self._in_worker = None

    def resolve(self):
        """(pool, foreign submit or None, local thread pool)."""
        resolved = self._resolved
        if resolved is None:
            if self.executor is None and inside_worker():
                # A call that already runs on a worker runs its own body's calls on
                # threads there: the project's executor is the caller's to use.
                resolved = self._in_worker
                if resolved is None:
                    resolved = self._in_worker = self._make_for(None)
                return resolved
            resolved = self._resolved = self._make()
        return resolved

    def _make(self):
        if self.executor is not None:
            return self._make_for(self.executor)
        setting, _ = configured()   # no executor= given: the project's, if configured
        if setting is None or setting in ("threads", "processes"):
            return self._make_for(setting)
        if self.max_workers is not None:
            # max_workers= under a configured factory: a private thread pool of that
            # size, as documented for max_workers= alone (these calls stay local).
            return self._make_for(None)
        return self._make_for(_factory())

    def _make_for(self, executor):
        workers = self.max_workers
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
        if _is_remote(executor):
            return executor, submit_remotely(executor), default_threads()
        return executor, submit_directly(executor), default_threads()
