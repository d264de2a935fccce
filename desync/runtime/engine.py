"""Tasks and scopes: the dataflow engine that transpiled code drives.

One ``Scope`` per call of a desync function. The calling ("owner") thread walks
the body in program order and creates tasks; a task is queued the moment its
inputs are ready (done-callbacks, never a blocked worker). When the owner must
wait, it *helps*: it runs its own scope's queued tasks instead of sleeping, so a
desync function nested in a task can always make progress on a bounded pool.
"""
from __future__ import annotations

import sys
import threading
from collections import deque

PENDING, QUEUED, RUNNING, DONE, FAILED, CANCELLED = range(6)
POOL, INLINE, LOCAL = range(3)  # run on the pool / in the completing thread / on local threads


class TaskAborted(BaseException):
    """The owner thread read a failed or cancelled task; the scope exit raises the real error."""


class Upstream(BaseException):
    """A try/with block was cut short by a failure from before the block.

    Transpiled ``try`` statements re-raise it before the user's handlers, so an
    ``except`` never catches an error that sequential code raised before the ``try``.
    """


class Task:
    __slots__ = ("block", "seq", "kind", "fn", "args", "kwargs", "cacheable", "state",
                 "value", "error", "origin", "waiting", "dependents")

    def __repr__(self):  # pragma: no cover - debugging aid
        names = ("pending", "queued", "running", "done", "failed", "cancelled")
        fn = getattr(self.fn, "__qualname__", self.fn)
        return f"<desync task #{self.seq} {names[self.state]} {fn}>"


class Block:
    """The tasks started inside one try or with body; all finish before the body is left."""

    __slots__ = ("scope", "parent", "unfinished", "failures", "ended_badly")

    def __init__(self, scope: "Scope", parent: "Block | None"):
        self.scope = scope
        self.parent = parent
        self.unfinished = 0
        self.failures: list[Task] = []
        self.ended_badly: list[Task] = []  # failed or cancelled tasks started in this block

    def __enter__(self):
        self.scope.current = self
        return self

    def __exit__(self, exc_type, exc, tb):
        scope = self.scope
        scope.current = self.parent
        scope._help_until(lambda: self.unfinished == 0)
        if self.failures:
            error = min(self.failures, key=_by_seq).error
            scope._consume(self.failures, self.ended_badly)
            raise _prepared(error)
        if self.parent is not None and self.ended_badly:
            with scope.lock:
                self.parent.ended_badly.extend(self.ended_badly)
            self.ended_badly = []
        if exc_type is TaskAborted or exc_type is Upstream:
            raise Upstream() from None
        return False


def _by_seq(task: Task) -> int:
    return task.seq


def _prepared(error: BaseException) -> BaseException:
    # The error keeps its own traceback (the user's file and line in the task);
    # the TaskAborted we are handling is an implementation detail, hide it.
    # Raised by the caller, so a traceback shows one desync frame, not two.
    if error.__context__ is None or isinstance(error.__context__, (TaskAborted, Upstream)):
        error.__suppress_context__ = True
    return error


def _user_frames(tb):
    """Skip desync's own frames (the task runner, the cache) at the top of a task's traceback."""
    while tb is not None and tb.tb_next is not None \
            and tb.tb_frame.f_globals.get("__name__", "").startswith("desync."):
        tb = tb.tb_next
    return tb


_tls = threading.local()


def _run_inline(scope: "Scope", tasks: list[Task]):
    """Run ready continuations iteratively, so long chains never recurse deeply."""
    queue = getattr(_tls, "inline_queue", None)
    if queue is not None:
        queue.extend((scope, t) for t in tasks)
        return
    queue = _tls.inline_queue = deque((scope, t) for t in tasks)
    try:
        while queue:
            owner, task = queue.popleft()
            owner._execute(task)
    finally:
        _tls.inline_queue = None


class Scope:
    """The state of one running desync call."""

    def __init__(self, foreign_submit, threads, cache):
        self.foreign_submit = foreign_submit  # calls go to another executor; None: threads
        self.local_pool = threads             # runs the drainers of this scope's queue
        self.cache = cache
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.ready: deque[Task] = deque()
        self.drainers = 0                     # pool jobs running this scope's queue
        self.max_drainers = getattr(threads, "_max_workers", None) or 8
        self.seq = 0
        self.unfinished = 0
        self.failures: list[Task] = []        # real failures not yet consumed by a block
        self.abort_seq: int | None = None     # tasks after this one in program order are cancelled
        self.keys: dict[str, list] = {}       # key -> [last write, readers since]
        self.since_effect: list[Task] = []
        self.last_effect: Task | None = None
        self.current = Block(self, None)

    # -- context manager: the function body ---------------------------------
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not issubclass(exc_type, Exception) \
                and exc_type not in (TaskAborted, Upstream):
            self._cancel_everything()  # KeyboardInterrupt, SystemExit: stop, don't finish work
        self._help_until(lambda: self.unfinished == 0)
        if self.failures:
            raise _prepared(min(self.failures, key=_by_seq).error)
        if exc_type is TaskAborted or exc_type is Upstream:
            raise RuntimeError("desync: a task was aborted but no failure was recorded; "
                               "please report this as a bug") from exc
        return False

    # -- creating tasks (owner thread only) ---------------------------------
    def _spawn(self, kind, fn, args, kwargs, order, cacheable=False) -> Task:
        if self.abort_seq is not None:
            raise TaskAborted()
        self.seq += 1
        task = Task()
        task.seq = self.seq
        task.kind = kind
        task.fn = fn
        task.args = args
        task.kwargs = kwargs
        task.cacheable = cacheable
        task.state = PENDING
        task.value = task.error = task.origin = None
        task.dependents = []
        block = task.block = self.current
        deps = [a for a in args if a.__class__ is Task]
        if fn.__class__ is Task:
            deps.append(fn)
        if kwargs:
            deps.extend(v for v in kwargs.values() if v.__class__ is Task)
        if order:
            deps.extend(order)
        self.since_effect.append(task)
        run_now = submit = False
        failed_dep = None
        with self.lock:
            self.unfinished += 1
            block.unfinished += 1
            waiting = 0
            for dep in deps:
                state = dep.state
                if state < DONE:
                    dep.dependents.append(task)
                    waiting += 1
                elif state != DONE:
                    failed_dep = dep
            task.waiting = waiting
            if failed_dep is not None:
                inline, queued = self._settle_locked(task, FAILED if failed_dep.state == FAILED
                                                     else CANCELLED, None, None, failed_dep)
                self.cond.notify_all()
                submit = bool(queued)
            elif waiting == 0:
                if kind == INLINE:
                    task.state = RUNNING
                    run_now = True
                else:
                    task.state = QUEUED
                    queued = [task]
                    submit = True
        if submit:
            self._submit(queued)
            if failed_dep is not None:
                _run_inline(self, inline)
        elif failed_dep is not None:
            _run_inline(self, inline)
        if run_now:
            _run_inline(self, [task])
        return task

    def _order(self, reads, writes) -> list[Task]:
        """Tasks a new task must follow: earlier writes of what it reads, and
        earlier reads and writes of what it writes."""
        deps = []
        keys = self.keys
        for key in reads:
            entry = keys.get(key)
            if entry is None:
                entry = keys[key] = [None, []]
            if entry[0] is not None and entry[0].state < DONE:
                deps.append(entry[0])
        for key in writes:
            entry = keys.get(key)
            if entry is None:
                continue
            if entry[0] is not None and entry[0].state < DONE:
                deps.append(entry[0])
            deps.extend(r for r in entry[1] if r.state < DONE)
        return deps

    def _record(self, task, reads, writes):
        keys = self.keys
        for key in writes:
            keys[key] = [task, []]
        for key in reads:
            if key in writes:
                continue
            readers = keys[key][1]
            if len(readers) > 64:
                readers[:] = [r for r in readers if r.state < DONE]
            readers.append(task)

    # -- completing tasks (any thread) --------------------------------------
    def _settle_locked(self, task, state, value, error, failed_dep=None):
        """Record an outcome and propagate it; returns (inline to run, tasks to submit)."""
        inline, queued = [], []
        # A task's state is set when it is pushed, so a task that depends on two
        # failures is settled (and counted) once.
        task.state = state
        stack = [(task, state, value, error, failed_dep)]
        while stack:
            task, state, value, error, failed_dep = stack.pop()
            task.value = value
            task.error = error
            task.fn = task.args = task.kwargs = None
            if state != DONE:
                task.block.ended_badly.append(task)
            if state == FAILED:
                if error is not None:
                    task.origin = task
                    self.failures.append(task)
                    task.block.failures.append(task)
                    if self.abort_seq is None or task.seq < self.abort_seq:
                        self.abort_seq = task.seq
                elif failed_dep is not None:
                    task.origin = failed_dep.origin
            self.unfinished -= 1
            task.block.unfinished -= 1
            dependents, task.dependents = task.dependents, None
            for dep in dependents:
                if dep.state != PENDING:
                    continue
                if state != DONE:
                    dep.state = FAILED if state == FAILED else CANCELLED
                    stack.append((dep, dep.state, None, None, task))
                    continue
                dep.waiting -= 1
                if dep.waiting:
                    continue
                if self.abort_seq is not None and dep.seq > self.abort_seq:
                    dep.state = CANCELLED
                    stack.append((dep, CANCELLED, None, None, None))
                elif dep.kind == INLINE:
                    dep.state = RUNNING
                    inline.append(dep)
                else:
                    dep.state = QUEUED
                    queued.append(dep)
        return inline, queued

    def _finish(self, task, state, value, error):
        with self.lock:
            inline, queued = self._settle_locked(task, state, value, error)
            self.cond.notify_all()
        if queued:
            self._submit(queued)
        if inline:
            _run_inline(self, inline)

    def _submit(self, tasks):
        """Queue ready tasks; start drainers on the thread pool only as needed.

        One pool job per task would cost a Future and a work item each; instead up
        to ``max_drainers`` jobs per scope each run queued tasks until the queue is
        empty. The owner thread also helps while it waits, so none is ever required
        for progress."""
        start = 0
        with self.lock:
            for task in tasks:
                if task.kind == POOL and self.foreign_submit is not None:
                    continue
                self.ready.append(task)
            if self.ready and self.drainers < self.max_drainers:
                start = min(len(self.ready), self.max_drainers - self.drainers)
                self.drainers += start
        if self.foreign_submit is not None:
            for task in tasks:
                if task.kind == POOL:
                    self._submit_foreign(task)
        for _ in range(start):
            try:
                self.local_pool.submit(self._drain)
            except RuntimeError:  # the pool is shut down (interpreter exit): the owner helps
                with self.lock:
                    self.drainers -= 1

    def _submit_foreign(self, task):
        try:
            fn, args, kwargs = self._resolve(task)
            future = self.foreign_submit(self, task, fn, args, kwargs)
        except BaseException as error:  # a pickling error is the task's failure
            self._finish(task, FAILED, None, error)
            return

        def done(fut, task=task):
            if fut.cancelled():
                self._finish(task, CANCELLED, None, None)
                return
            error = fut.exception()
            if error is None:
                self._finish(task, DONE, fut.result(), None)
            else:
                self._finish(task, FAILED, None, error)
        future.add_done_callback(done)

    def _drain(self):
        while True:
            with self.lock:
                task = self._pop_locked()
                if task is None:
                    self.drainers -= 1
                    return
            self._execute(task)

    def _pop(self):
        with self.lock:
            return self._pop_locked()

    def _pop_locked(self):
        """Take the next queued task, or cancel it if an earlier task already failed."""
        while self.ready:
            task = self.ready.popleft()
            if self.abort_seq is not None and task.seq > self.abort_seq:
                inline, queued = self._settle_locked(task, CANCELLED, None, None)
                self.cond.notify_all()
                self.ready.extend(queued)  # cannot be run: abort_seq cancels them next pop
                continue
            task.state = RUNNING
            return task
        return None

    @staticmethod
    def _resolve(task):
        fn = task.fn
        if fn.__class__ is Task:
            fn = fn.value
        args = tuple(a.value if a.__class__ is Task else a for a in task.args)
        kwargs = task.kwargs
        if kwargs:
            kwargs = {k: (v.value if v.__class__ is Task else v) for k, v in kwargs.items()}
        return fn, args, kwargs

    def _execute(self, task):
        try:
            fn, args, kwargs = self._resolve(task)
            if task.cacheable and self.cache is not None:
                value = self.cache.call(fn, args, kwargs)
            elif kwargs:
                value = fn(*args, **kwargs)
            else:
                value = fn(*args)
        except BaseException as error:
            error.__traceback__ = _user_frames(error.__traceback__)
            self._finish(task, FAILED, None, error)
        else:
            self._finish(task, DONE, value, None)

    # -- waiting (owner thread) ---------------------------------------------
    def _help_until(self, done):
        """Wait until done() holds, running this scope's queued tasks meanwhile."""
        lock = self.lock
        while True:
            with lock:
                if done():
                    return
                if not self.ready:
                    self.cond.wait()
                    continue
            task = self._pop()
            if task is not None:
                self._execute(task)

    def _wait_task(self, task):
        if task.state < DONE:
            self._help_until(lambda: task.state >= DONE)
        if task.state != DONE:
            raise TaskAborted()
        return task.value

    def _cancel_everything(self):
        with self.lock:
            self.abort_seq = 0

    def _consume(self, failures, ended_badly):
        """A block raised its first failure: the rest never happened sequentially.

        The block's failed and cancelled tasks become finished-without-effect, so
        work after the ``try`` that is ordered after them (a later append to the
        same list, a print) runs, as it does in plain Python once the exception
        is caught."""
        with self.lock:
            consumed = set(map(id, failures))
            self.failures = [f for f in self.failures if id(f) not in consumed]
            failures.clear()
            self.abort_seq = min((f.seq for f in self.failures), default=None)
            for task in ended_badly:
                task.state = DONE
                task.value = task.error = None
            ended_badly.clear()


def current_frame_code(depth: int = 2):
    return sys._getframe(depth).f_code


def _unpack(value, count, after):
    """Python's unpacking rules, with Python's error messages."""
    try:
        items = list(value)
    except TypeError:
        if not hasattr(value, "__iter__") and not hasattr(value, "__getitem__"):
            raise TypeError(f"cannot unpack non-iterable {type(value).__name__} object") from None
        raise
    if after is None:
        if len(items) > count:
            raise ValueError(f"too many values to unpack (expected {count})")
        if len(items) < count:
            raise ValueError(f"not enough values to unpack (expected {count}, got {len(items)})")
        return items
    if len(items) < count + after:
        raise ValueError(f"not enough values to unpack (expected at least {count + after}, "
                         f"got {len(items)})")
    end = len(items) - after
    return items[:count] + [items[count:end]] + items[end:]


def _item(items, index):
    return items[index]


def _as_keys(keys):
    return (keys,) if isinstance(keys, str) else keys


class Body(Scope):
    """The calls transpiled code makes: one method per kind of step."""

    def call(self, fn, *args, **kwargs):
        """A call: runs on the pool when its inputs are ready; may hit the cache."""
        return self._spawn(POOL, fn, args, kwargs, None, True)

    def read(self, keys, fn, *args, **kwargs):
        """A call that reads mutable locals: runs after their earlier writes."""
        keys = _as_keys(keys)
        task = self._spawn(POOL, fn, args, kwargs, self._order(keys, ()), True)
        self._record(task, keys, ())
        return task

    def write(self, keys, fn, *args, **kwargs):
        """A method call on a local: ordered after every earlier read and write of it."""
        keys = _as_keys(keys)
        task = self._spawn(LOCAL, fn, args, kwargs, self._order(keys, keys))
        self._record(task, keys, keys)
        return task

    def store(self, keys, fn, *args):
        """An item/attribute assignment, del or augmented assignment: a cheap ordered write."""
        keys = _as_keys(keys)
        task = self._spawn(INLINE, fn, args, None, self._order(keys, keys))
        self._record(task, keys, keys)
        return task

    def effect(self, fn, *args, **kwargs):
        """print(), open(), ...: after all earlier work, in order among themselves."""
        order = [t for t in self.since_effect if t.state < DONE]
        self.since_effect = []
        return self._spawn(LOCAL, fn, args, kwargs, order)

    def eval(self, fn, *args):
        """An expression with calls in a conditional part: one pool task, not cached."""
        return self._spawn(POOL, fn, args, None, None)

    def expr(self, fn, *args):
        """A call-free expression: computed now if its inputs are ready, else as a continuation."""
        for arg in args:
            if arg.__class__ is Task and arg.state != DONE:
                return self._spawn(INLINE, fn, args, None, None)
        return fn(*[a.value if a.__class__ is Task else a for a in args])

    def read_expr(self, keys, fn, *args):
        """A call-free expression that reads mutable locals."""
        keys = _as_keys(keys)
        task = self._spawn(INLINE, fn, args, None, self._order(keys, ()))
        self._record(task, keys, ())
        return task

    def get(self, value, key=None):
        """The owner thread needs a value now (an if test, a return, ...)."""
        if key is not None:
            entry = self.keys.get(key)
            if entry is not None and entry[0] is not None and entry[0].state != DONE:
                self._wait_task(entry[0])
        if value.__class__ is Task:
            if value.state == DONE:
                return value.value
            return self._wait_task(value)
        return value

    def unpack(self, value, count, after=None):
        """``a, *b, c = value``: one future per target."""
        if value.__class__ is not Task:
            return _unpack(value, count, after)
        if value.state == DONE:
            return _unpack(value.value, count, after)
        whole = self._spawn(INLINE, _unpack, (value, count, after), None, None)
        total = count + (0 if after is None else after + 1)
        return [self._spawn(INLINE, _item, (whole, i), None, None) for i in range(total)]

    def rebind(self, key, value):
        """Assign a local that a nested function reads: wait for its readers, keep it concrete."""
        for task in self._order((), (key,)):
            self._wait_task(task)
        self.keys.pop(key, None)
        return self.get(value)

    def barrier(self):
        """Wait for everything started so far (before a global write, say)."""
        self._help_until(lambda: self.unfinished == 0)
        if self.failures:
            raise TaskAborted()

    def block(self):
        return Block(self, self.current)

    def _spawn(self, kind, fn, args, kwargs, order, cacheable=False):
        since = self.since_effect
        if len(since) >= 512:
            since[:] = [t for t in since if t.state < DONE]
        return Scope._spawn(self, kind, fn, args, kwargs, order, cacheable)
