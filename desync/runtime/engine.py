"""The engine transpiled code drives: calls out of order, effects in program order.

One ``Scope`` per call of a desync function. The calling ("owner") thread walks
the body in program order and issues *entries* into a reorder buffer (``rob``),
as a processor does:

- a **call** (or a pure expression waiting on one) is a task: it starts as soon
  as its inputs are ready, on the executor, and finishes whenever it finishes;
- an **effect** (a mutation, ``print``, a clock reading, a write to a closure
  variable, ...) is executed by the owner thread when it reaches the head of the
  buffer: after every earlier entry has finished successfully, in program order.

Entries leave the buffer ("retire") in program order. The first entry that
failed stops retirement: its exception is raised in the owner thread, every
later entry is discarded (queued calls never start, effects never happen), so
what happened is exactly what plain Python would have done up to that failure.

Reads of mutable objects are ordered by *keys* (alias classes the compiler
computes): a task that reads an object waits for the last earlier effect on it;
later effects wait for the task anyway, because they wait for every earlier entry.

When the owner needs a value it *helps*: it retires effects and runs its own
queued tasks instead of sleeping, so nested desync functions make progress on
any bounded executor, one worker included.
"""
from __future__ import annotations

import gc
import itertools
import sys
from contextvars import copy_context as _copy_context
import threading
import time
from collections import deque
from time import perf_counter as _clock
from types import (BuiltinFunctionType, BuiltinMethodType, CodeType, FrameType, FunctionType,
                   MethodType, ModuleType, TracebackType)

from . import effects as _effects
from .executors import inside_executor
from .handled import handled_exception, swapped_handled

_CLOCK_WORLD = _effects.WORLD_CLOCK   # readings of it are fences: see Body._call


def _with_world(targets) -> tuple:
    """The compiler's ``"*world"`` (code that may touch anything outside) as every
    part of the world."""
    return (*[t for t in targets if t != "*world"], *_effects.WORLD_ALL)

PENDING, READY, RUNNING, DONE, FAILED, CANCELLED = range(6)
CALL, PURE, EFFECT = range(3)
WINDOW = 8192          # entries in flight before the owner stops issuing and retires
UNBOUND = type("Unbound", (), {"__repr__": lambda self: "<unbound>"})()

_IMMUTABLE = frozenset({int, float, complex, bool, str, bytes, type(None), range,
                        frozenset, type(Ellipsis), type(NotImplemented)})


def immutable(value, depth=0) -> bool:
    """True for values no effect can change: ordering them is never needed."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return True
    if kind is tuple and depth < 3:
        for item in value:
            if not immutable(item, depth + 1):
                return False
        return True
    return False


class Task:
    """One entry of the reorder buffer: a call, a pure expression or an effect."""

    __slots__ = ("seq", "kind", "fn", "args", "kwargs", "state", "value", "error", "waiting",
                 "dependents", "lasti", "generated", "orphan", "targets", "soft", "tolerant",
                 "context")

    def __repr__(self):  # pragma: no cover - debugging aid
        names = ("pending", "ready", "running", "done", "failed", "cancelled")
        kinds = ("call", "pure", "effect")
        fn = getattr(self.fn, "__qualname__", self.fn)
        return f"<desync {kinds[self.kind]} #{self.seq} {names[self.state]} {fn}>"


def _value(x):
    return x.value if type(x) is Task else x


def _raw(x):
    """Inputs of a region or consumer: settled speculative tasks stay tasks (the
    code looks at their outcome in program order), others become values."""
    return x.value if type(x) is Task and not x.soft else x


class Deferred:
    """A speculative call that turned out to be an effect: it is made, in program
    order, by the region or consumer that reaches it."""

    __slots__ = ("fn", "args", "kwargs")

    def __init__(self, fn, args, kwargs):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs


def outcome(x):
    """The value of a speculative step, or its exception raised here: what plain
    Python gives at this point of the region."""
    kind = type(x)
    if kind is Task:
        state = x.state
        if state == DONE:
            return x.value
        if state >= FAILED and x.error is not None:
            _throw(x.error)
        raise RuntimeError("desync: a speculative step was not settled; please report "
                           "this as a bug")  # pragma: no cover
    if kind is Deferred:
        fn = outcome(x.fn)  # ``random.random()``: the callee may itself be a step ahead
        args = [outcome(a) for a in x.args]
        kwargs = {k: outcome(v) for k, v in x.kwargs.items()} if x.kwargs else {}
        if looks_at_caller(fn):
            # ``LOG.info(...)`` whose logger was itself a step ahead: it sees the try
            # statement's frame (named like the body) as its caller, not this one.
            frame = sys._getframe(1)
            return _as_body(frame, frame.f_lasti)(fn, args, kwargs)
        return fn(*args, **kwargs) if kwargs else fn(*args)
    return x


_tls = threading.local()
_gettrace, _settrace = sys.gettrace, sys.settrace
_thread_trace, _thread_settrace = threading.gettrace, threading.settrace


def traced() -> bool:
    """Is a tracer set on this thread (a debugger, coverage), or for threads started
    from now on (``threading.settrace``: desync's new workers would run under it)?"""
    return _gettrace() is not None or _thread_trace() is not None


NESTING = 24  # desync calls nested deeper than this in one thread run sequentially


def nesting() -> int:
    """How many desync calls this thread is inside (recursion runs them in one thread)."""
    return getattr(_tls, "depth", 0)


def _unrun(scope: "Scope", tasks, error):
    """Settle, as failed with ``error``, the tasks of ``tasks`` that were set running
    but never ran: desync's own frames hit the recursion limit before running them
    (otherwise the call waits for them forever). With some room above the limit to
    do it in."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 200)
    try:
        with scope.lock:
            for task in tasks:
                if task.state == RUNNING:
                    scope._settle_locked(task, FAILED, None, error)
    finally:
        sys.setrecursionlimit(limit)


def _run_inline(scope: "Scope", tasks):
    """Run ready pure continuations iteratively, so long chains never recurse deeply.
    A desync call nested in one of them (a desync property read in an expression)
    runs its own continuations in a loop of its own, never behind the outer task."""
    if getattr(_tls, "scope", None) is scope:
        _tls.inline.extend(tasks)
        return
    outer = getattr(_tls, "scope", None), getattr(_tls, "inline", None)
    queue = _tls.inline = deque(tasks)
    _tls.scope = scope
    try:
        while queue:
            task = queue.popleft()
            try:
                scope._execute(task)
            except BaseException as error:   # (entering it, at the limit)
                scope.stranded = (task, error)
            if scope.stranded is not None:   # (room for these two here: see _execute)
                sys.setrecursionlimit(sys.getrecursionlimit() + 200)
                scope._settle_stranded()
    finally:
        _tls.scope, _tls.inline = outer
        if queue:   # (left by an error, a RecursionError at the limit: see _finish_all)
            scope.abandoned = queue


# Python 3.10's with statement re-raises the traceback it caught, not the one
# __exit__ leaves on the exception.
_WITH_KEEPS_OLD_TRACEBACK = sys.version_info < (3, 11)


def _without_a_failure() -> BaseException:
    """The error of an entry cancelled with none of its own. Near the recursion limit
    that is a RecursionError that dropped the failing entry on its way (3.10 counts
    calls into C): the program's error is the RecursionError. Anywhere else, a bug."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    if depth > sys.getrecursionlimit() - 100:
        return RecursionError("maximum recursion depth exceeded")
    return RuntimeError("desync: an entry was cancelled without a failure; "
                        "please report this as a bug")


def _throw(error: BaseException):
    """Raise ``error`` as it is: a ``raise`` statement links it to whatever this
    thread is handling (``__context__``), which plain Python never did."""
    context, suppress = error.__context__, error.__suppress_context__
    try:
        raise error
    finally:
        error.__context__ = context
        error.__suppress_context__ = suppress


class Block:
    """A ``try`` or ``with`` body: everything it issued retires before it is left.

    So the exception the body's handlers (or the context manager's ``__exit__``)
    see is the one plain Python raised first: a failed call issued in the body
    wins over a later error of the owner thread itself.
    """

    __slots__ = ("scope", "fault_seq", "start_seq", "held")

    def __init__(self, scope: "Scope"):
        self.scope = scope
        self.fault_seq = None
        self.start_seq = scope.seq   # entries issued inside it come after this
        # RLocks and Conditions its ``with`` took (``entering``): while this thread
        # holds one, the calls run here, in order, as a callee may take it again.
        self.held = scope.taking
        scope.taking = 0
        scope.holding += self.held

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            return self._exit(exc_type, exc, tb)
        finally:
            self.scope.holding -= self.held

    def _exit(self, exc_type, exc, tb):
        scope = self.scope
        if exc is None:
            scope.barrier()
            return False
        if exc_type is KeyboardInterrupt or exc_type is SystemExit:
            scope._cancel_all()
            return False
        with swapped_handled(scope.h0):
            fault = scope._retire_all_or_fault()
        if fault is None:
            if exc_type is _Carried:
                _throw(exc.error)   # (so the handlers around see the StopIteration)
            return False  # the owner's own error, every earlier entry done
        self.fault_seq = fault.seq
        scope._raise_fault(fault, self)


class Scope:
    """The state of one running desync call."""

    def __init__(self, foreign_submit, threads, cache, frame_depth=2):
        self.foreign_submit = foreign_submit  # calls go to another executor; None: threads
        self.local_pool = threads             # runs the drainers of this scope's queue
        self.cache = cache
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.ready: deque = deque()           # call tasks ready to run
        self.foreign: deque = deque()         # (task, future) sent to a foreign executor
        self.drainers = 0
        self.max_drainers = getattr(threads, "_max_workers", None) or 8
        self.seq = 0
        self.retired = 0                      # every entry up to this seq has retired
        self.rob: deque = deque()
        self.last_effect: dict = {}           # key -> last unretired effect on it
        self.fence = None                     # an effect every later task must follow
        self.generator_spans = None           # seqs of generator expressions' elements
        self.abort_seq = None                 # the earliest failed entry, if any
        self.spawned = 0                      # entries issued (owner thread only)
        self.settled = 0                      # entries settled (under the lock)
        self.owner_waiting = False
        self.log: dict = {}                   # name -> [[seq, value], ...] (try/with restore)
        self.stranded = None                  # (task, error) _execute could not settle
        self.owner_running = None             # the call this thread took to run itself
        self.abandoned = None                 # continuations an error left unrun
        self.taking = 0                       # reentrant locks a ``with`` is entering
        self.holding = 0                      # ... and that its open blocks hold
        self.cells = None                     # closure cells of the body (their writes are effects)
        self.boxes = False                    # a write to a global or cell was issued
        self.state_changers: list = []        # calls issued that change module state
        self.global_objects: dict = {}        # global name -> keys of changes to its object
        self.receivers: dict = {}             # id of an object changed -> (it, the effect)
        self.tracking = False                 # record receivers (see track_changes)
        self.h0 = handled_exception()
        self.frame = sys._getframe(frame_depth)
        self.origins: dict = {}               # id(error) -> (error, lasti) of raised failures
        self.unrestored = None                # seq of a failure raised while later locals
        # were already bound, until a handler, finally or with exit puts them back
        self.groups: dict = {}                # key -> all keys it stands for (see distinct)
        self.pace = None                      # the function's Pace (scope() sets it)
        self.began = 0.0
        self.busy = 0.0                       # seconds its tasks ran, added up (pacing)

    # -- the function body ------------------------------------------------------
    def __enter__(self):
        _tls.depth = getattr(_tls, "depth", 0) + 1
        return self

    def __exit__(self, exc_type, exc, tb):
        _tls.depth -= 1
        try:
            if exc is None:
                self.barrier()
                return False
            if exc_type is KeyboardInterrupt or exc_type is SystemExit:
                self._cancel_all()
                return False
            with swapped_handled(self.h0):
                fault = self._retire_all_or_fault()
            if fault is not None:
                self._raise_fault(fault, None)
            if exc_type is _Carried:
                exc = exc.error   # a StopIteration a for loop's step carried out
            origin = self.origins.get(id(exc))
            if origin is not None and origin[0] is exc:
                _final_traceback(exc, self.frame, origin[1])
            if exc_type is _Carried:
                _throw(exc)
            return False
        finally:
            self._finish_all()
            if self.pace is not None:
                self.pace.concurrent_took(time.perf_counter() - self.began, self.busy,
                                          self.spawned)

    def _finish_all(self):
        """Structured concurrency: nothing this call started outlives it."""
        if self.rob:
            self._flush(None)
        with self.lock:
            self.abort_seq = 0  # whatever becomes ready from now on is cancelled
            for task in self.ready:
                if task.state == READY:
                    self._settle_locked(task, CANCELLED, None, None)
            self.ready.clear()
        foreign = self.foreign
        while foreign:
            task, future, _ = foreign.popleft()
            if future.cancel():
                with self.lock:
                    if task.state < DONE:
                        self._settle_locked(task, CANCELLED, None, None)
        # What this thread took to run, that a RecursionError right at the limit
        # unwound before it ran or settled (3.10 counts calls into C): no one else
        # will settle it.
        stranded = [self.owner_running, *(self.abandoned or ())]
        self.owner_running = self.abandoned = None
        with self.lock:
            for task in stranded:
                if task is not None and task.state < DONE:
                    self._settle_locked(task, FAILED, None, RecursionError(
                        "maximum recursion depth exceeded"))
        # Until every entry settled, or nothing is left that could settle one: no
        # worker drains this call's queue and none is queued (an entry a RecursionError
        # at the limit dropped on the way in would otherwise be waited for forever).
        self._help_until(lambda: self.settled >= self.spawned or (
            self.drainers == 0 and not self.ready and not self.foreign), retire=False)
        # Break every reference cycle now, so values die when the call returns.
        self.rob.clear()
        self.last_effect.clear()
        self.state_changers = []   # (no call: this runs at any recursion depth)
        self.receivers.clear()   # (the objects the body changed, and their effects)
        self.log.clear()
        self.fence = None
        self.frame = None
        self.cells = None
        self.origins.clear()

    # -- issuing entries (owner thread) ----------------------------------------
    def _spawn(self, kind, fn, args, kwargs, keys, lasti, generated=False, targets=None,
               soft=False, tolerant=False, extra=()):
        """Issue an entry. ``soft``: a speculative task outside the buffer, whose
        failure matters only to the entry that consumes it. ``tolerant``: an entry
        that runs once its inputs are settled, failed or not (it looks at them)."""
        if self.abort_seq is not None:
            self._fault_now()
        if kind == CALL and self.holding:
            kind = PURE   # (inside ``with rlock:``: made here, in order; see Block)
        rob = self.rob
        if len(rob) >= WINDOW:
            self._help_until(lambda: len(rob) < WINDOW // 2, retire=True)
        self.seq += 1
        task = Task()
        task.seq = self.seq
        task.kind = kind
        task.fn = fn
        task.args = args
        task.kwargs = kwargs
        task.value = task.error = None
        task.dependents = []
        task.lasti = lasti
        task.generated = generated
        task.orphan = False
        task.targets = targets
        task.soft = soft
        task.tolerant = tolerant
        # A call may run on another thread: it sees the caller's ContextVars (the
        # decimal context, a request id) as they are when it is issued.
        task.context = _copy_context() if kind == CALL else None
        if not soft:
            rob.append(task)
            # (counted as it enters the buffer, with no call in between that a
            # RecursionError at the limit could stop: _flush settles what it holds)
            self.spawned += 1
        deps = []
        if type(fn) is Task and fn.state != DONE:
            deps.append(fn)
        for arg in args:
            if type(arg) is Task and arg.state != DONE:
                deps.append(arg)
        if kwargs:
            for arg in kwargs.values():
                if type(arg) is Task and arg.state != DONE:
                    deps.append(arg)
        for arg in extra:
            if arg.state != DONE:
                deps.append(arg)
        if kind == EFFECT:
            self._claim(task, targets)
            if not tolerant:
                deps = ()  # its inputs are earlier entries: retired when it is at the head
        elif keys:
            last = self.last_effect
            for key in keys:
                effect = last.get(key)
                if effect is not None and effect.state < DONE:
                    deps.append(effect)
        fence = self.fence
        if kind != EFFECT and fence is not None and fence.state < DONE:
            deps.append(fence)
        if soft:
            self.spawned += 1
        if not deps:
            task.waiting = 0
            if kind == EFFECT:
                task.state = PENDING
                if rob[0] is task:
                    self._run_effect(task)  # nothing before it: it happens now, as in Python
            elif kind == PURE:
                task.state = RUNNING
                try:
                    _run_inline(self, (task,))
                except BaseException as error:
                    _unrun(self, (task,), error)
                    raise
            else:
                task.state = READY
                self._submit((task,))
            if rob and rob[0].state >= DONE:
                self._retire()
            return task
        run_now = submit = None
        with self.lock:
            waiting = 0
            broken = None
            for dep in deps:
                state = dep.state
                if state < DONE:
                    dep.dependents.append(task)
                    waiting += 1
                elif state != DONE and not tolerant:
                    broken = dep
            task.waiting = waiting
            task.state = PENDING
            if broken is not None:
                self._settle_locked(task, CANCELLED, None, broken.error)
            elif waiting == 0 and kind != EFFECT:
                if kind == PURE:
                    task.state = RUNNING
                    run_now = task
                else:
                    task.state = READY
                    submit = task
        if submit is not None:
            self._submit((submit,))
        elif run_now is not None:
            try:
                _run_inline(self, (run_now,))
            except BaseException as error:
                _unrun(self, (run_now,), error)
                raise
        if kind == EFFECT and rob[0] is task and task.waiting == 0:
            self._run_effect(task)
        self._retire()
        return task

    # -- retiring (owner thread) ------------------------------------------------
    def _retire(self):
        """Retire what can retire now; returns the failed entry at the head, if any."""
        rob = self.rob
        while rob:
            task = rob[0]
            state = task.state
            if state == DONE:
                rob.popleft()
                self.retired = task.seq
                task.dependents = None
                continue
            if task.kind == EFFECT and state == PENDING:
                if task.waiting:
                    return None  # a region or consumer waiting for speculative tasks
                self._run_effect(task)
                continue
            if state == FAILED or state == CANCELLED:
                return task
            return None
        return None

    def _run_effect(self, task):
        task.state = RUNNING
        resolve = _raw if task.tolerant else _value
        try:
            fn = _value(task.fn)
            args = [resolve(a) for a in task.args]
            kwargs = task.kwargs
            kwargs = {k: resolve(v) for k, v in kwargs.items()} if kwargs else {}
            if fn is _call_got:  # the receiver first, then the call from the body's frame
                getter, inputs, name = args[0], args[1], args[2]
                fn = getattr(getter(*[_value(i) for i in inputs]), name)
                args = args[3:]
            elif fn is _call_method:  # obj.name(...), its object known only now
                fn = getattr(args[0], args[1])
                args = args[2:]
            frame = self.frame
            started = _clock()
            try:
                if frame is not None and not task.generated and task.lasti is not None \
                        and looks_at_caller(fn):
                    # Made from a frame that reports the body's file, function and
                    # line, for what looks at its caller (logging's records, warnings).
                    value = _as_body(frame, task.lasti)(fn, args, kwargs)
                elif kwargs:
                    value = fn(*args, **kwargs)
                else:
                    value = fn(*args)
            finally:
                self.busy += _clock() - started
        except BaseException as error:
            _keep_user_frames(error, task)
            with self.lock:
                inline, queued = self._settle_locked(task, FAILED, None, error)
        else:
            with self.lock:
                inline, queued = self._settle_locked(task, DONE, value, None)
        if queued:
            self._submit(queued)
        if inline:
            try:
                _run_inline(self, inline)
            except BaseException as error:
                _unrun(self, inline, error)
                raise

    def _retire_all_or_fault(self):
        """Retire every entry; the failed entry that stops it, or None."""
        while True:
            fault = self._retire()
            if fault is not None:
                return fault
            if not self.rob:
                return None
            head = self.rob[0]
            self._help_until(lambda: head.state >= DONE or (
                head.kind == EFFECT and head.waiting == 0), retire=False)

    def handling(self):
        """First statement of a transpiled ``except`` clause: the exception it handles
        reads as plain Python's (``traceback.format_exc()``, ``log.exception``): the
        body's line of the failing call, then the callee's frames, none of desync's."""
        error = sys.exc_info()[1]
        if error is None or error.__traceback__ is None:
            return
        origin = self.origins.get(id(error))
        if origin is not None and origin[0] is error and self.frame is not None:
            _final_traceback(error, self.frame, origin[1])
        else:
            handling()

    def _fault_now(self):
        """An entry failed: retire up to it and raise its error here."""
        fault = self._retire_all_or_fault()
        if fault is not None:
            self._raise_fault(fault, None)

    def _raise_fault(self, fault, block):
        error = fault.error
        if error is None:  # pragma: no cover - a cancelled entry never reaches the head first
            error = _without_a_failure()
        elif isinstance(error, StopIteration) and self.generator_spans is not None \
                and _in_spans(fault.seq, self.generator_spans):
            error = fault.error = _from_generator(error)   # (PEP 479)
        self._flush(fault)
        self.unrestored = fault.seq   # locals bound ahead of it: the next handler puts back
        if block is not None:
            block.fault_seq = fault.seq
        self._truncate_log(fault.seq)
        self.origins[id(error)] = (error, fault.lasti)
        if _WITH_KEEPS_OLD_TRACEBACK:
            # __exit__ cannot fix the traceback there: start it at the failing line now.
            _final_traceback(error, self.frame, fault.lasti)
        _throw(error)

    def _flush(self, fault):
        """Discard every entry still in the buffer (from the failed one on): queued
        calls never start, effects never happen, running calls are left to finish
        unseen."""
        with self.lock:
            for task in self.rob:
                if task.state == RUNNING:
                    task.orphan = True
                elif task.state < DONE:
                    self._settle_locked(task, CANCELLED, None, None, flushing=True)
            self.rob.clear()
            self.abort_seq = None
        self.last_effect.clear()
        self.fence = None
        self.retired = self.seq

    # -- settling (any thread) --------------------------------------------------
    def _settle_locked(self, task, state, value, error, flushing=False):
        """Record an outcome and release dependants; (inline, queued) to run next.
        A task's state is set when it is pushed, so one that depends on two failed
        tasks is settled (and counted) once."""
        inline, queued = [], []
        task.state = state
        if state == FAILED and self.generator_spans is not None and not task.soft \
                and isinstance(error, StopIteration) and _in_spans(task.seq,
                                                                   self.generator_spans):
            # (PEP 479, before its dependants get it; a speculative step's is its
            # consumer's to judge: ``map`` ends quietly on it)
            error = _from_generator(error)
        stack = [(task, value, error)]
        abort = self.abort_seq
        while stack:
            task, value, error = stack.pop()
            state = task.state
            task.value = value
            task.error = error
            task.fn = task.args = task.kwargs = None
            self.settled += 1
            if state == FAILED and not task.orphan and not flushing and not task.soft:
                if abort is None or task.seq < abort:
                    abort = self.abort_seq = task.seq
            dependents, task.dependents = task.dependents, None
            if not dependents:
                continue
            for dep in dependents:
                if dep.state != PENDING:
                    continue
                if state != DONE and not dep.tolerant:
                    dep.state = CANCELLED
                    stack.append((dep, None, error))  # carries the failure it came from
                    continue
                dep.waiting -= 1
                if dep.waiting:
                    continue
                if dep.kind == EFFECT:
                    continue  # the owner runs it when it reaches the head
                if abort is not None and dep.seq > abort and not dep.soft:
                    dep.state = CANCELLED
                    stack.append((dep, None, None))
                elif not dep.soft and not dep.tolerant and _runs_inputs(dep):
                    # Given, by a step still pending when it was issued, an iterator
                    # (advancing it is a change) or a function with effects: it runs
                    # in program order, made by the owner at the head.
                    dep.kind = EFFECT
                elif dep.kind == PURE:
                    dep.state = RUNNING
                    inline.append(dep)
                else:
                    dep.state = READY
                    queued.append(dep)
        if self.owner_waiting:
            self.cond.notify_all()
        return inline, queued

    def _finish(self, task, state, value, error):
        with self.lock:
            inline, queued = self._settle_locked(task, state, value, error)
        if queued:
            self._submit(queued)
        if inline:
            try:
                _run_inline(self, inline)
            except BaseException as error:
                _unrun(self, inline, error)
                raise

    # -- running tasks (any thread) ---------------------------------------------
    def _submit(self, tasks):
        """Queue ready calls. Up to ``max_drainers`` pool jobs per scope run the queue
        (one job per task would cost a Future each); the owner helps while it waits,
        so none of them is ever needed for progress."""
        foreign = self.foreign_submit
        start = 0
        with self.lock:
            for task in tasks:
                if foreign is not None and task.kind == CALL:
                    continue
                self.ready.append(task)
            if self.ready and self.drainers < self.max_drainers:
                start = min(len(self.ready), self.max_drainers - self.drainers)
                self.drainers += start
            if self.owner_waiting:
                self.cond.notify_all()
        if foreign is not None:
            for task in tasks:
                if task.kind == CALL:
                    self._submit_foreign(task)
        for _ in range(start):
            try:
                self.local_pool.submit(self._drain)
            except RuntimeError:  # the pool is shutting down: the owner runs the queue
                with self.lock:
                    self.drainers -= 1

    def _submit_foreign(self, task):
        fn = _value(task.fn)
        args = tuple(_value(a) for a in task.args)
        kwargs = {k: _value(v) for k, v in task.kwargs.items()} if task.kwargs else None
        with self.lock:
            task.state = RUNNING
        # The cache works whatever runs the call: lookups and stores in this process.
        cache = self.cache
        key = None
        if cache is not None and not task.generated:
            key = cache.key_for(fn, args, kwargs)
            if key is not None:
                found, value = cache.lookup(key)
                if found:
                    self._finish(task, DONE, value, None)
                    return
        started = time.perf_counter()
        try:
            future = self.foreign_submit(self, task, fn, args, kwargs)
        except BaseException as error:
            self._finish(task, FAILED, None, error)
            return
        self.foreign.append((task, future, (fn, args, kwargs)))

        def done(fut):
            if fut.cancelled() or task.state >= DONE:
                return
            error = fut.exception()
            if error is None:
                value = fut.result()
                if key is not None:
                    cache.store(key, value, time.perf_counter() - started)
                self._finish(task, DONE, value, None)
            else:
                _chain_under(error, self.h0)
                self._finish(task, FAILED, None, error)
        future.add_done_callback(done)

    def _reclaim_foreign(self, idle_rounds) -> bool:
        """Run here a call still queued on a foreign executor when this call itself
        runs on that executor (its workers may all be busy waiting, like this one),
        or when the executor has made no progress for a long while."""
        if idle_rounds < 50 and inside_executor() != getattr(self.foreign_submit, "token", 0):
            return False
        foreign = self.foreign
        for _ in range(len(foreign)):
            task, future, call = foreign[0]
            if task.state >= DONE or future.done():
                foreign.popleft()
                continue
            if future.cancel():
                foreign.popleft()
                self._call_and_finish(task, *call)
                return True
            foreign.rotate(-1)
        return False

    def _drain(self):
        while True:
            with self.lock:
                task = self._pop_locked()
                if task is None:
                    self.drainers -= 1
                    if self.owner_waiting:   # (the end may be waiting for no drainer)
                        self.cond.notify_all()
                    return
            try:
                self._execute(task)
            except BaseException as error:   # (entering it, at the limit)
                self.stranded = (task, error)
            if self.stranded is not None:   # (room for these two here: see _execute)
                sys.setrecursionlimit(sys.getrecursionlimit() + 200)
                self._settle_stranded()

    def _pop_locked(self):
        """The next queued call, or None; calls after a failure are cancelled."""
        ready = self.ready
        while ready:
            task = ready.popleft()
            if task.state != READY:
                continue
            if self.abort_seq is not None and task.seq > self.abort_seq:
                inline, queued = self._settle_locked(task, CANCELLED, None, None)
                ready.extend(queued)
                continue
            task.state = RUNNING
            return task
        return None

    def _execute(self, task):
        try:
            self._execute_task(task)
        except BaseException as error:
            # desync's own bookkeeping failed after the call (a RecursionError right at
            # the limit, in trimming a traceback or settling): the task settles all the
            # same, or whoever waits for it would wait forever. Its dependants go to
            # the queue, not deeper into this stack. (Some room above the limit to
            # do that in.)
            try:
                limit = sys.getrecursionlimit()
                sys.setrecursionlimit(limit + 200)
            except BaseException:
                # Not even room for that (this frame is at the limit; on 3.10 a call
                # into C counts too): the caller settles it, a frame up (no call here).
                self.stranded = (task, error)
                return
            try:
                self._settle_failed(task, error)
            finally:
                sys.setrecursionlimit(limit)

    def _settle_failed(self, task, error):
        with self.lock:
            if task.state >= DONE:
                inline, queued = [], []
            else:
                inline, queued = self._settle_locked(task, FAILED, None, error)
        if inline or queued:
            self._submit([*queued, *inline])

    def _settle_stranded(self):
        """Settle the task ``_execute`` could not (see there). The caller raised the
        recursion limit by 200 first, a frame above it; it is put back here."""
        try:
            task, error = self.stranded
            self.stranded = None
            self._settle_failed(task, error)
        finally:
            sys.setrecursionlimit(sys.getrecursionlimit() - 200)

    def _execute_task(self, task):
        resolve = _raw if task.tolerant else _value
        try:
            fn = _value(task.fn)
            args = tuple(resolve(a) for a in task.args)
            kwargs = task.kwargs
            if kwargs:
                kwargs = {k: resolve(v) for k, v in kwargs.items()}
        except BaseException as error:  # pragma: no cover - inputs are settled
            self._finish(task, FAILED, None, error)
            return
        context = task.context
        if context is not None:
            context.run(self._call_and_finish, task, fn, args, kwargs)
        else:
            self._call_and_finish(task, fn, args, kwargs)

    def _call_and_finish(self, task, fn, args, kwargs):
        h0 = self.h0
        error = None
        if h0 is not None or handled_exception() is not None:
            # Run it while handling what plain Python would be handling here.
            with swapped_handled(h0):
                try:
                    value = self._invoke(task, fn, args, kwargs)
                except BaseException as caught:
                    error = caught
        else:
            try:
                value = self._invoke(task, fn, args, kwargs)
            except BaseException as caught:
                error = caught
        if error is not None:
            if type(error) is _Reorder and task.generated == ADVANCES:
                self._in_order(task)
                return
            _keep_user_frames(error, task)
            self._finish(task, FAILED, None, error)
        else:
            self._finish(task, DONE, value, None)

    def _in_order(self, task):
        """A task that would advance an iterator: it runs again as an effect, when
        everything before it has retired (the owner runs it at the head)."""
        with self.lock:
            if task.orphan:  # the buffer was flushed while it ran: it never happens
                inline, queued = self._settle_locked(task, CANCELLED, None, None,
                                                     flushing=True)
            else:
                task.kind = EFFECT
                task.state = PENDING
                task.waiting = 0
                if self.owner_waiting:
                    self.cond.notify_all()
                return
        if queued:
            self._submit(queued)
        if inline:
            try:
                _run_inline(self, inline)
            except BaseException as error:
                _unrun(self, inline, error)
                raise

    def _invoke(self, task, fn, args, kwargs):
        started = _clock()
        try:
            cache = self.cache
            if cache is not None and task.kind == CALL and not task.generated:
                return cache.call(fn, args, kwargs)
            if task.generated == ADVANCES:  # ahead of program order (see pure_advancing)
                saved = getattr(_tls, "ahead", None)
                _tls.ahead = getattr(_tls, "depth", 0)
                try:
                    return fn(*args)
                finally:
                    _tls.ahead = saved
            if kwargs:
                return fn(*args, **kwargs)
            return fn(*args)
        finally:
            self.busy += _clock() - started   # (a lost update under a race: a heuristic)

    # -- waiting (owner thread) -------------------------------------------------
    def _help_until(self, done, retire=True):
        """Wait until done() holds, retiring effects (unless ``retire`` is False) and
        running this scope's queued calls meanwhile. With ``retire``, a failed entry
        that blocks the way is raised here."""
        lock = self.lock
        rob = self.rob
        idle = 0
        while True:
            if retire and rob:
                fault = self._retire()
                if fault is not None and not done():
                    self._raise_fault(fault, None)
            with lock:
                if done():
                    return
                task = self.owner_running = self._pop_locked() if self.ready else None
                if task is None and not self.foreign:
                    if retire and rob and (rob[0].state >= DONE or (
                            rob[0].kind == EFFECT and rob[0].state == PENDING
                            and rob[0].waiting == 0)):
                        continue
                    self.owner_waiting = True
                    self.cond.wait()
                    self.owner_waiting = False
                    continue
            if task is not None:
                try:
                    self._execute(task)
                except BaseException as error:   # (entering it, at the limit)
                    self.stranded = (task, error)
                self.owner_running = None
                if self.stranded is not None:   # (room for these two here: see _execute)
                    sys.setrecursionlimit(sys.getrecursionlimit() + 200)
                    self._settle_stranded()
                idle = 0
            elif self._reclaim_foreign(idle):
                idle = 0
            else:
                with lock:
                    if not done() and not self.ready:
                        self.owner_waiting = True
                        woken = self.cond.wait(0.02)
                        self.owner_waiting = False
                        idle = 0 if woken else idle + 1

    def _need(self, task):
        """The value of a task the owner needs now."""
        if task.state != DONE:
            self._help_until(lambda: task.state >= DONE)
            if task.state != DONE:
                # Failed or cancelled: the earliest failure in program order is raised,
                # after every effect before it.
                self._fault_now()
                raise RuntimeError("desync: a failed entry did not stop retirement; "
                                   "please report this as a bug")  # pragma: no cover
        return task.value

    def _wait_keys(self, keys):
        last = self.last_effect
        for key in keys:
            effect = last.get(key)
            if effect is not None and effect.state < DONE:
                self._help_until(lambda: effect.state >= DONE)
                if effect.state != DONE:
                    self._fault_now()

    def _cancel_all(self):
        """KeyboardInterrupt or SystemExit: stop what was issued, finish nothing."""
        self._flush(None)

    # -- restoring locals after a caught failure --------------------------------
    def _truncate_log(self, seq):
        for entries in self.log.values():
            while entries and entries[-1][0] >= seq:
                entries.pop()


def _call_got(getter, inputs, name, /, *args, **kwargs):
    """The effect ``effect_method`` makes (``Scope._run_effect`` unpacks it)."""
    return getattr(getter(*[_value(i) for i in inputs]), name)(*args, **kwargs)


_STACK_WALKERS = frozenset({"logging", "warnings", "collections", "typing", "enum",
                            "dataclasses"})
_FRAME_MODULES = frozenset({"builtins", "sys", "warnings", "_warnings", "inspect"})


def _add_held(changed, value, names):
    """Add ``value``'s classes, and what they and ``value`` hold under ``names``."""
    kind = value if isinstance(value, type) else type(value)
    holders = [*kind.__mro__[:-1]]
    if type(value) is _MODULE:
        holders = [value]   # ``cfg.OPTS["sep"]`` after ``cfg.OPTS["sep"] = v``
    elif not isinstance(value, type):
        changed.extend(holders)
        state = getattr(value, "__dict__", None)
        if type(state) is dict:
            holders.append(value)
    for holder in holders:
        attributes = getattr(holder, "__dict__", None)
        if attributes is None:
            continue
        for name in names:
            held = attributes.get(name)
            if held is not None and type(held) not in _NEVER_CHANGED:
                changed.append(held)


_MAX_REACHED = 48   # functions followed from one callee: a bound on the cost of a call


def _reached_from(run: list) -> list:
    """``run`` and the functions of the user's project their code may call in turn,
    transitively: ``describe()`` calling ``get_level()``, which reads ``CONFIG``, reads
    it too. Followed through the module globals each one names (functions, what they
    wrap, and the methods named on classes and instances of the project); library
    and standard-library code is not followed (it does not read the user's globals)."""
    if not run:
        return run
    found = list(run)
    seen = {id(f) for f in found}
    index = 0
    while index < len(found):
        target = found[index]
        index += 1
        for function in _called_by(target):
            if id(function) not in seen:
                seen.add(id(function))
                found.append(function)
                if len(found) >= _MAX_REACHED:
                    return found
    return found


_called_cache: dict = {}   # code -> (namespace, getter, the values it got, functions)


def _called_by(target) -> tuple:
    """The project functions ``target``'s code names (directly), remembered per code
    with the globals they came from: looked up again only when one is rebound."""
    code = target.__code__
    namespace = target.__globals__
    found = _called_cache.get(code)
    if found is not None and found[0] is namespace:
        getter, seen, later = found[1], found[2], found[4]
        if getter is None:
            now = ()
        elif len(seen) == 1:
            now = (getter(namespace),)
        else:
            now = getter(namespace)
        for a, b in zip(now, seen):
            if a is not b:
                break
        else:
            if not later or not any(name in namespace for name in later):
                return found[3]
    functions = []
    present = []
    later = []
    if _in_project(namespace):
        names = _global_names(code)[0]
        for name in names:
            value = namespace.get(name, _ABSENT)
            if value is _ABSENT:
                if name not in _BUILTIN_NAMES:
                    later.append(name)   # a global not defined yet: looked for each time
                continue
            present.append(name)
            cls = type(value)
            if cls in _NEVER_CHANGED and cls is not FunctionType or cls is _MODULE:
                continue
            if cls is FunctionType or cls is MethodType or cls is _PARTIAL:
                more = _functions_run_by(value)
            else:
                more = _methods_named(value, names)
            functions.extend(f for f in more if f is not target and _in_project(f.__globals__))
    if present:
        getter = _itemgetter(*present)
        seen = (getter(namespace),) if len(present) == 1 else getter(namespace)
    else:
        getter, seen = None, ()
    result = tuple(functions)
    _called_cache[code] = (namespace, getter, seen, result, tuple(later))
    return result


_ABSENT = object()
_BUILTIN_NAMES = frozenset(dir(__import__("builtins")))
_itemgetter = __import__("operator").itemgetter


def _methods_named(value, names) -> list:
    """The functions of a project class (or of an instance's class) that code naming
    ``names`` may run: methods and properties by those names, and what making an
    instance runs."""
    kind = value if isinstance(value, type) else type(value)
    found = []
    if not _in_project(getattr(sys.modules.get(_effects.module_name(kind)), "__dict__", None)):
        return found
    wanted = (*names, "__init__", "__new__", "__post_init__", "__call__") \
        if kind is value else (*names, "__call__")
    for holder in kind.__mro__[:-1]:
        attributes = holder.__dict__
        for name in wanted:
            member = attributes.get(name)
            if member is None:
                continue
            if type(member) in (staticmethod, classmethod):
                member = member.__func__
            elif type(member) is property:
                member = member.fget
            if type(member) is FunctionType:
                found.append(member)
    return found


_project_namespaces: dict = {}   # id of a module namespace -> (it, in the project?)


def _in_project(namespace) -> bool:
    """Is this module namespace the user's code (not the standard library's, not a
    package installed in site-packages, not desync's)?"""
    if namespace is None:
        return False
    found = _project_namespaces.get(id(namespace))
    if found is not None and found[0] is namespace:
        return found[1]
    name = namespace.get("__name__") or ""
    top = name.partition(".")[0]
    path = namespace.get("__file__") or ""
    verdict = top not in _STDLIB_NAMES and top != "desync" \
        and "site-packages" not in path and "dist-packages" not in path
    _project_namespaces[id(namespace)] = (namespace, verdict)
    return verdict


_STDLIB_NAMES = frozenset(getattr(sys, "stdlib_module_names", ())) \
    | frozenset(sys.builtin_module_names)


_THREAD_LOCAL = threading.local
_modules_scanned = [0, False]   # (modules seen, a thread-local among their globals?)


def _thread_locals_seen(fn) -> bool:
    """Does a module of the project, or the namespace ``fn`` was defined in, hold a
    ``threading.local`` at module level? Modules are looked at again whenever one was
    imported since, a namespace when it gains a name: most programs have none, and
    their calls pay two length checks."""
    count = len(sys.modules)
    if count != _modules_scanned[0]:
        found = False
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if type(namespace) is dict and _in_project(namespace) \
                    and _holds_thread_local(namespace):
                found = True
                break
        _modules_scanned[0], _modules_scanned[1] = count, found
    if _modules_scanned[1]:
        return True
    namespace = getattr(fn, "__globals__", None)   # (one not imported: exec, a runner)
    if type(namespace) is not dict:
        return False
    found = _locals_by_namespace.get(id(namespace))
    if found is None or found[0] is not namespace or found[1] != len(namespace):
        found = _locals_by_namespace[id(namespace)] = (
            namespace, len(namespace), _holds_thread_local(namespace))
    return found[2]


def _holds_thread_local(namespace) -> bool:
    for value in list(namespace.values()):
        if issubclass(type(value), _THREAD_LOCAL):   # (type(): no __class__ property runs)
            return True
    return False


_locals_by_namespace: dict = {}   # id of a namespace -> (it, its length, holds a local?)


def _reads_thread_local(fn, args, kwargs) -> bool:
    """Does ``fn``, a function it calls in turn, or an argument, name or hold a
    module-level ``threading.local``?"""
    for value in (*args, *(kwargs.values() if kwargs else ())):
        if issubclass(type(value), _THREAD_LOCAL):
            return True
    for target in _reached_from(_functions_run_by(fn)):
        namespace = target.__globals__
        for name in _global_names(target.__code__)[0]:
            if issubclass(type(namespace.get(name)), _THREAD_LOCAL):
                return True
    return False


_lock_sources: dict = {}   # code -> (namespace, name) of module globals that held locks
_LOOKED_INTO = 32   # items of a module-level container looked at for a lock


def _locks_in(value, found: list) -> None:
    """The RLocks and Conditions ``value`` is, or holds one level down (a module-level
    dict, list or tuple of them, an object's or class's attributes: ``LOCKS["a"]``,
    ``ns.lock``)."""
    kind = type(value)
    if kind in _OWNED_LOCKS:
        found.append(value)
        return
    # (issubclass: ``isinstance`` would run an object's own ``__class__``)
    if issubclass(kind, dict):   # (a defaultdict of per-key locks too)
        items = dict.values(value)
    elif issubclass(kind, list):
        items = list.__iter__(value)
    elif issubclass(kind, tuple):
        items = tuple.__iter__(value)
    elif kind in _NEVER_CHANGED or kind is _MODULE:
        return
    else:
        try:   # (an object's attributes, a class's: ``Settings.lock``)
            items = object.__getattribute__(value, "__dict__").values()
        except Exception:
            return
    try:
        found.extend(item for item in itertools.islice(items, _LOOKED_INTO)
                     if type(item) in _OWNED_LOCKS)
    except RuntimeError:   # (changed by another thread while looked at)
        pass


def _module_lock_sources(fn) -> tuple:
    """The module globals ``fn`` (or a function of the project it calls in turn) names
    that hold a lock, directly or in a container, when first looked at: looked into
    again at each call, since a body may put a new lock there (``LOCKS[k] = RLock()``)."""
    code = fn.__code__
    sources = _lock_sources.get(code)
    if sources is None:
        found = []
        for target in _reached_from([fn]):
            namespace = target.__globals__
            for name in _global_names(target.__code__)[0]:
                locks = []
                _locks_in(namespace.get(name), locks)
                if locks:
                    found.append((namespace, name))
        if len(_lock_sources) > 4096:
            _lock_sources.clear()
        sources = _lock_sources[code] = tuple(found)
    return sources


def _holds_its_lock(fn, args, kwargs=None) -> bool:
    """Does this thread hold an RLock or Condition the function may take: a module-level
    one (or one inside a module-level container), one in its cells, one it is handed
    (by position or keyword)? Only this thread may take it again."""
    sources = _module_lock_sources(fn)
    if sources:
        locks = []
        for namespace, name in sources:
            _locks_in(namespace.get(name), locks)
        if any(lock._is_owned() for lock in locks):
            return True
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if type(value) in _OWNED_LOCKS and value._is_owned():
            return True
    for value in (*args, *kwargs.values()) if kwargs else args:
        if type(value) is Task:
            if value.state != DONE:
                continue
            value = value.value   # (``lock = RLock()`` in the body, then handed on)
        if type(value) in _OWNED_LOCKS and value._is_owned():
            return True
    return False


_lock_names: dict = {}   # class -> names of its instances' attributes that hold RLocks


def _holds_lock_of(obj) -> bool:
    """Does this thread hold an RLock the object keeps (``self.lock``: logging's
    handlers)? Its methods may take it again, which only this thread may do. Which
    attributes hold one is learnt per class, from its first instance seen."""
    try:
        state = object.__getattribute__(obj, "__dict__")
    except Exception:
        return False
    kind = type(obj)
    names = _lock_names.get(kind)
    if names is None:
        names = tuple(name for name, value in list(state.items()) if type(value) is _RLOCK)
        if len(_lock_names) > 4096:
            _lock_names.clear()
        _lock_names[kind] = names
    for name in names:
        lock = state.get(name)
        if type(lock) is _RLOCK and lock._is_owned():
            return True
    return False


def _decimal_context_type():
    decimal = sys.modules.get("decimal")
    return decimal.Context if decimal is not None else None


_names_by_code: dict = {}   # code -> the names it and its nested code look up


def _global_names(code) -> tuple:
    """(names a function's code may read as globals, nested code included (a generator
    expression, a lambda, a nested ``def``), their boxes' keys ``"@name"``)."""
    found = _names_by_code.get(code)
    if found is None:
        names, stack = set(), [code]
        while stack:
            current = stack.pop()
            names.update(current.co_names)
            stack.extend(c for c in current.co_consts if type(c) is _CODE)
        names = tuple(sorted(names))
        found = _names_by_code[code] = (names, tuple("@" + name for name in names))
    return found


def _functions_run_by(fn) -> list:
    """The Python functions a callable runs first: a function, a method's function,
    a partial's, a wrapper's and what it wraps, an object's ``__call__``."""
    found = []
    for _ in range(6):
        cls = type(fn)
        if cls is FunctionType:
            state = fn.__dict__
            if state:
                original = state.get("__desync_original__")
                if original is not None:
                    fn = original   # a desync function: its own code
                    continue
            found.append(fn)
            if not state:
                return found
            registry = state.get("registry")
            if type(registry) is _MAPPING_PROXY and "dispatch" in state:
                # ``functools.singledispatch``: any registered implementation may run.
                found.extend(f for f in registry.values() if type(f) is FunctionType)
            wrapped = state.get("__wrapped__")
            if wrapped is None:
                return found
            fn = wrapped
            continue
        if cls is MethodType:
            fn = fn.__func__
        elif cls is _PARTIAL:
            fn = fn.func
        elif cls is BuiltinFunctionType or cls is type:
            return found
        else:
            wrapped = getattr(fn, "__wrapped__", None)   # functools.lru_cache
            if wrapped is not None:
                call = getattr(cls, "__call__", None)
                if type(call) is FunctionType:   # a class-based decorator's own code
                    found.append(call)
                fn = wrapped
                continue
            call = getattr(cls, "__call__", None)
            if type(call) is not FunctionType:
                return found
            fn = call
    return found


def looks_at_caller(fn) -> bool:
    """May ``fn`` look at the frame that calls it? A function of the user's is its
    own caller's frame for what it does; library code (bound methods of loggers,
    ``logging.info``, ``warnings.warn``) may walk up to whoever called it. A C method
    of an object (``out.append``) never does: the common effect pays nothing."""
    cls = type(fn)
    if cls is FunctionType:
        return fn.__module__ in _STACK_WALKERS
    if cls is BuiltinMethodType:
        owner = fn.__self__
        return owner is None or (type(owner) is ModuleType
                                 and owner.__name__ in _FRAME_MODULES)
    if cls is MethodType:
        return looks_at_caller(fn.__func__)
    return True  # a class, a partial, a callable object: it may run anything


_as_body_cache: dict = {}   # (code of a body, lasti) -> a function that calls as from there
_AS_BODY_CODES: set = set()


def _as_body(frame, lasti):
    """A function ``(fn, args, kwargs) -> fn(*args, **kwargs)`` whose frame has the
    body's file name, function name, globals and the line of the statement at
    ``lasti``: an effect made at retirement is seen by stack-walking code (a log
    record's location, ``warnings.warn``) as made by that statement."""
    code = frame.f_code
    key = (code, lasti)
    found = _as_body_cache.get(key)
    if found is None:
        line = _line_of(code, lasti)
        source = "\n" * max(line - 1, 0) + "def _(f, a, k): return f(*a, **k)\n"
        made = compile(source, code.co_filename, "exec", dont_inherit=True)
        inner = next(c for c in made.co_consts if hasattr(c, "co_code"))
        names = {"co_name": code.co_name}
        if hasattr(code, "co_qualname"):
            names["co_qualname"] = code.co_qualname
        inner = inner.replace(**names)
        _AS_BODY_CODES.add(inner)
        found = FunctionType(inner, frame.f_globals)
        if len(_as_body_cache) > 4096:
            _as_body_cache.clear()
            _AS_BODY_CODES.clear()
            _AS_BODY_CODES.add(inner)
        _as_body_cache[key] = found
    return found


_REGION_CODES: set = set()    # region functions' code, renamed like their body
_region_names: dict = {}


def named_like_body(fn, frame):
    """The function of a try statement run as one step, named like the body it is
    part of: what logs inside it names the body's function, as in plain Python."""
    if frame is None:
        return fn
    code = fn.__code__
    renamed = _region_names.get(code)
    if renamed is None:
        body = frame.f_code
        names = {"co_name": body.co_name}
        if hasattr(body, "co_qualname"):
            names["co_qualname"] = body.co_qualname
        renamed = code.replace(**names)
        if len(_region_names) > 4096:
            _region_names.clear()
        _region_names[code] = renamed
        _REGION_CODES.add(renamed)
    return FunctionType(renamed, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)


def _keep_user_frames(error, task):
    """Drop desync's own frames (the task runner, the cache, a generated wrapper)
    from the top of a task's traceback: it starts in the user's code."""
    tb = error.__traceback__
    generated = task.fn if task.generated else None
    if task.fn is _call_got:
        generated = task.args[0]  # the receiver's getter: desync's code, not the user's
    while tb is not None:
        code = tb.tb_frame.f_code
        if code in _REGION_CODES:
            break  # the user's try statement: _final_traceback shows its line
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith("desync.runtime") or code in _AS_BODY_CODES or (
                generated is not None and getattr(generated, "__code__", None) is code):
            tb = tb.tb_next
            continue
        break
    error.__traceback__ = tb
    task.generated = generated is not None


def handling():
    """First statement of an ``except`` clause run as a step (a ``try`` in a loop):
    desync's own frames dropped from the traceback of the exception it handles (from
    3.11 ``sys.exc_info()`` reads it from the exception; 3.10 keeps its own copy)."""
    error = sys.exc_info()[1]
    tb = error.__traceback__ if error is not None else None
    if tb is None:
        return
    kept = []
    found = False
    while tb is not None:
        code = tb.tb_frame.f_code
        if code in _AS_BODY_CODES or tb.tb_frame.f_globals.get(
                "__name__", "").startswith("desync.runtime"):
            found = True
        else:
            kept.append((tb.tb_frame, tb.tb_lasti, tb.tb_lineno))
        tb = tb.tb_next
    if not found:
        return
    rebuilt = None
    for frame, lasti, line in reversed(kept):
        rebuilt = TracebackType(rebuilt, frame, lasti, line)
    error.__traceback__ = rebuilt


def _final_traceback(error, frame, lasti):
    """The traceback a desync call raises with: the body's line of the failing
    entry, then the callee's frames, as plain Python shows (3.11 and later; on 3.10
    the with statement re-raises the traceback it had)."""
    if frame is None:
        return
    tb = error.__traceback__
    # Skip the frames the exception gathered on its way from the failing entry to
    # here (the body, the runtime); keep the callee's own frames below them.
    inner = tb
    while inner is not None and (inner.tb_frame is frame or inner.tb_frame.f_code in
                                 _AS_BODY_CODES or inner.tb_frame.f_globals.get(
                                     "__name__", "").startswith("desync.runtime")):
        inner = inner.tb_next
    line = _line_of(frame.f_code, lasti)
    if inner is not None and inner.tb_frame.f_code in _REGION_CODES:
        # Raised in a try statement run as one step: plain Python shows the body at
        # the line inside it, not the step.
        line, lasti, inner = inner.tb_lineno, -1, inner.tb_next
    try:
        error.__traceback__ = TracebackType(inner, frame, lasti if lasti >= 0 else -1, line)
    except (TypeError, ValueError):  # pragma: no cover
        pass


def _line_of(code, lasti):
    line = code.co_firstlineno
    if lasti is None or lasti < 0:
        return line
    for start, end, number in code.co_lines():
        if start <= lasti < end and number is not None:
            return number
    return line


# -- the operations transpiled code calls ------------------------------------------

class Body(Scope):
    """The calls transpiled code makes: one method per kind of step."""

    # Calls ------------------------------------------------------------------
    def call(self, fn, /, *args, **kwargs):
        """``fn(*args)``: a task, or an effect if ``fn`` does more than compute."""
        return self._call((), fn, args, kwargs)

    def read(self, keys, fn, /, *args, **kwargs):
        """A call whose arguments reach objects the body mutates (``keys``)."""
        return self._call(keys, fn, args, kwargs)

    def _call(self, keys, fn, args, kwargs, lasti=None):
        if lasti is None:
            lasti = sys._getframe(2).f_lasti
        if fn is _settrace or fn is _thread_settrace:
            # (made now, after everything before: the calls after it check for it)
            self.barrier()
            return fn(*[_value(a) for a in args])
        if traced():
            # The body set a tracer on this thread (a debugger's runcall): the call is
            # made here, in order, where the tracer sees it.
            return self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=keys or ())
        written = self._globals_pending(fn, args, kwargs) if self.boxes or self.receivers \
            else ()
        if written:
            keys = (*keys, *written)   # ``MODE = x; tagged(x)``: tagged reads MODE
        if type(fn) is Task:
            # The callee itself is a future: its kind is known when it is there; if
            # it may change what it is given, wait for it to know.
            if _holds_mutable(args, kwargs):
                return self._call(keys, self.get(fn), args, kwargs, lasti)
            # (``os.environ.update`` read as a value: it may change the environment)
            return self._spawn(EFFECT, fn, args, kwargs, None, lasti,
                               targets=(*keys, *_PROCESS_WORLD))
        owner = getattr(fn, "__self__", None)
        if owner is not None and type(owner) is not _MODULE and not isinstance(owner, type) \
                and method_kind(owner, getattr(fn, "__name__", ""), fn) != _effects.PURE:
            # A bound method called through another name (``add = res.append``).
            task = self._spawn(EFFECT, fn, args, kwargs, None, lasti,
                               targets=(*keys, *_world(fn), *_process_world(owner)))
            if not keys:
                self.fence = task  # the compiler did not see its object: order all after
            return task
        facts = _effects.facts_of(fn)
        kind = facts.kind
        if _effects.WORLD_TRACER in facts.world:
            # A callee setting a tracer (``install()`` calling ``sys.settrace``): made
            # now, after everything before, so the calls after it are traced.
            self.barrier()
            return self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=keys or ())
        if _thread_locals_seen(fn) and _reads_thread_local(fn, args, kwargs):
            # A ``threading.local`` the callee (or a helper of it) reads holds what
            # this thread put there (``_local.user = u``): called here, in order.
            return self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=keys or ())
        if type(fn) is FunctionType and _holds_its_lock(fn, args, kwargs):
            # ``with _lock:`` in the callee, an RLock this thread holds (the caller took
            # it around its call): only this thread may re-enter it. Called here, in
            # order, as in plain Python.
            return self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=keys or ())
        if kind == _effects.PURE and not facts.mutates:
            if self._runs_other_code(fn, args, kwargs, keys) or _iterator_among(args, kwargs):
                # (``sorted(it)``: advancing an iterator is an effect, in program order;
                # one held in a closure variable is changed: the owner's reads wait)
                return self._spawn(EFFECT, fn, args, kwargs, None, lasti,
                                   targets=(*keys, *self._cells_read(fn, args, kwargs)))
            if keys and all_immutable(args, kwargs) and _holds_nothing(fn):
                keys = written  # the keys were the arguments' and none can change
            task = self._spawn(CALL, fn, args, kwargs, keys, lasti)
            if facts.world:   # (``WORLD_STATE``: the only world a pure callee has)
                self._changes_state(task)
            return task
        if kind == _effects.READS and not facts.mutates:
            task = self._spawn(CALL, fn, args, kwargs, (*keys, *facts.world), lasti)
            if _effects.WORLD_STATE in facts.world:
                self._changes_state(task)
            return task
        targets = (*keys, *facts.world)
        if (facts.mutates and not keys) or _CLOCK_WORLD in facts.world:
            # Mutates an argument the compiler did not see being mutated: order
            # everything after it too. A clock reading too: the calls after it start
            # after it, so ``t0 = perf_counter(); work(); perf_counter() - t0``
            # measures work() as plain Python does.
            task = self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=targets)
            self.fence = task
            return task
        return self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=targets)

    def call_star(self, keys, fn, args, kwargs):
        """``fn(*args, **kwargs)`` where the tuple and the dict may be futures."""
        lasti = sys._getframe(1).f_lasti
        if type(args) is Task or type(kwargs) is Task or type(fn) is Task and (
                type(kwargs) is KeywordsError or type(args) is NotIterable):
            parts = self._spawn(PURE, _star_parts, (args, kwargs), None, None, lasti,
                                generated=True)
            return self._spawn(EFFECT if type(fn) is Task else CALL, _star_call,
                               (fn, parts), None, keys or (), lasti, generated=True,
                               targets=keys or ())
        if (type(kwargs) is KeywordsError or type(args) is NotIterable) \
                and type(fn) is not Task:   # (a callee still pending: named once known)
            return self._failed_now(_raised(check_star_parts, fn, args, kwargs), lasti)
        return self._call(keys, fn, tuple(args), dict(kwargs), lasti)

    def _closes_over_body(self, fn, args, kwargs, keys) -> bool:
        """Does a function passed here read a closure variable of the body that the
        compiler did not see passed (so the call does not wait for its writes)?"""
        return any(key not in keys for key in self._cells_read(fn, args, kwargs))

    def _globals_pending(self, fn, args, kwargs=None) -> tuple:
        """The keys of module globals the body is still rebinding or changing
        (``MODE = x``, ``CONFIG["k"] = v``, ``json.LEVEL = v``) that ``fn`` (a function
        of the same module) names, or that are modules passed to it: its call reads
        them after the writes, as in Python."""
        frame = self.frame
        if frame is None:
            return ()
        last = self.last_effect
        receivers = self.receivers
        changed = []   # objects the callee reads that the body may be changing
        found = ()
        run = _functions_run_by(fn)
        for value in (*args, *(kwargs.values() if kwargs else ())):
            if type(value) in _CALLABLE_VALUES:   # ``sorted(xs, key=prio)``
                run += _functions_run_by(value)
        for target in _reached_from(run):
            namespace = target.__globals__
            names, boxes = _global_names(target.__code__)
            if self.boxes and namespace is frame.f_globals:
                objects = self.global_objects
                for name, box in zip(names, boxes):
                    for key in (box, name, *objects.get(name, ())):
                        effect = last.get(key)
                        if effect is not None and effect.state < DONE and key not in found:
                            found += (key,)
            if receivers:
                # Changed under another name (a parameter, ``self``, ``import json as
                # js``): the object itself, its class and bases (``S.level`` after
                # ``Base.level = v``), and what they hold by a name the code reads
                # (``S.tags`` after ``Settings.tags.append(v)``).
                for name in names:
                    value = namespace.get(name)
                    if value is not None and type(value) not in _NEVER_CHANGED:
                        changed.append(value)
                        _add_held(changed, value, names)
                changed.append(namespace)   # ``globals()["X"] = v``
                changed.append(sys.modules.get(namespace.get("__name__", "")))  # its module
                for cell in target.__closure__ or ():   # what it holds: cells, defaults
                    try:
                        changed.append(cell.cell_contents)
                    except ValueError:
                        pass
                changed.extend(target.__defaults__ or ())
        for arg in args:
            if type(arg) is _MODULE:  # ``read(json)`` after ``json.LEVEL = v``
                namespace = frame.f_globals
                for key, effect in list(last.items()):
                    if effect.state < DONE and namespace.get(key) is arg and key not in found:
                        found += (key,)
                changed.append(arg)
        if receivers:
            # An object given to the callee reads its class's attributes through itself
            # (``read_count(self)`` after ``Counter.count += 1``): its classes count.
            for value in (*args, *(kwargs.values() if kwargs else ())):
                kind = type(value)
                if kind not in _NEVER_CHANGED and kind is not Task:
                    changed.extend(kind.__mro__[:-1])
        if receivers and type(fn) is _PARTIAL:   # ``partial(read_cfg, CONFIG)``
            changed.extend(fn.args)
            changed.extend(fn.keywords.values())
        owner = getattr(fn, "__self__", None)
        if receivers and owner is not None and type(owner) is not _MODULE:
            changed.append(owner)   # ``REG.has(n)`` after ``REG.level = v``
            _add_held(changed, owner, run and _global_names(run[0].__code__)[0] or ())
        for value in changed:
            hit = receivers.get(id(value))
            if hit is not None and hit[0] is value and hit[1].state < DONE:
                for key in hit[1].targets or ():
                    if key not in found:
                        found += (key,)
        return found

    def _cells_read(self, fn, args, kwargs) -> tuple:
        """The keys (``"@name"``) of the body's closure variables that ``fn``, or a
        function among its arguments, reads."""
        cells = self.cells
        if not cells:
            return ()
        found = ()
        for candidate in (fn, *args, *(kwargs.values() if kwargs else ())):
            if type(candidate) is FunctionType and candidate.__closure__:
                for cell in candidate.__closure__:
                    key = cells.get(id(cell))
                    if key is not None and key not in found:
                        found += (key,)
        return found

    def _iterators_held(self, fn) -> tuple:
        """The keys of the body's closure variables that ``fn`` (a generated
        expression) reads and that hold an iterator: running ``list(it)`` on one
        advances it, a change later reads of the variable must wait for."""
        cells = self.cells
        found = ()
        for cell in fn.__closure__:
            key = cells.get(id(cell))
            if key is None:
                continue
            try:
                held = cell.cell_contents
            except ValueError:  # not bound yet
                continue
            if type(held) is Task:
                if held.state != DONE:
                    if _makes_iterator(held.fn):
                        found += (key,)
                    continue
                held = held.value
            if _advances(held):
                found += (key,)
        return found

    def collect(self, kind, items):
        """The value of a comprehension: its elements, in order, once all are there."""
        for item in items:
            if type(item) is Task and item.state != DONE:
                return self._spawn(PURE, _COLLECTORS[kind], tuple(items), None, None,
                                   sys._getframe(1).f_lasti, generated=True)
        return _COLLECTORS[kind](*[_value(i) for i in items])

    def _runs_other_code(self, fn, args, kwargs, keys) -> bool:
        """A pure callee given something that runs code when used (an iterator it
        will advance, a function that does more than compute) is an effect."""
        for arg in (*args, *(kwargs.values() if kwargs else ())):
            kind = type(arg)
            if kind in _PLAIN_VALUES:
                if kind in _HOLDERS and arg and _holds_doers(arg):
                    return True  # run_all([show, neg], x): the callee calls them
                continue
            if kind is Task:
                if arg.state != DONE:
                    continue  # judged when it is ready (see _runs_inputs)
                arg = arg.value
                kind = type(arg)
            if kind in _ITERATOR_TYPES or (kind not in _CALLABLE_TYPES and _stateful(arg)):
                return True
            if (kind in _CALLABLE_TYPES or callable(arg)) and _does_more(arg):
                return True  # (a partial, a class, an object with __call__ too)
        if self.cells is not None and self._closes_over_body(fn, args, kwargs, keys):
            return True
        return False

    def method(self, target, keys, obj, name, /, *args, **kwargs):
        """``obj.name(*args)``: an effect on ``target`` unless the method only reads."""
        return self._method(target, keys, obj, name, args, kwargs, sys._getframe(1).f_lasti)

    def _method(self, target, keys, obj, name, args, kwargs, lasti):
        if type(obj) is not Task:
            try:
                bound = getattr(obj, name)
            except BaseException as error:
                return self._failed_now(error, lasti)
            kind, world = _method_facts(obj, name, bound)
            if traced() or _holds_lock_of(obj) or (
                    type(bound) is MethodType and type(bound.__func__) is FunctionType
                    and _holds_its_lock(bound.__func__, args, kwargs)):
                # (a tracer on this thread, or an RLock of the object this thread
                # holds, that the method may take again: called here, in order)
                kind = _effects.EFFECT
            changes_arguments = (args or kwargs) and _changes_arguments(bound)
            if self.boxes or self.receivers:
                keys = (*keys, *self._globals_pending(bound, args, kwargs))  # ``R.read(1)``
            if kind == _effects.PURE and not changes_arguments \
                    and not self._runs_other_code(bound, args, kwargs, keys):
                if immutable(obj) and (not keys or all_immutable(args, kwargs)):
                    keys = ()
                return self._spawn(CALL, bound, args, kwargs, keys, lasti)
            if kind == _effects.READS and not changes_arguments \
                    and not self._runs_other_code(bound, args, kwargs, keys):
                return self._spawn(CALL, bound, args, kwargs, (*keys, *world), lasti)
            # (``target``: the object's key, or a tuple of it and of what it holds)
            targets = target if type(target) is tuple else (target,)
            world = (*world, *_process_world(obj))
            if world:
                targets = (*targets, *world)
            if changes_arguments:
                # ``Base.__init__(self, ...)``, ``self._handle(chunks, line)``: a method
                # that changes what it is given writes those objects, in order. The
                # compiler keyed its object, not always its arguments: what follows
                # waits for it (as for a function that changes its arguments).
                task = self._spawn(EFFECT, bound, args, kwargs, None, lasti,
                                   targets=(*targets, *keys))
                self.fence = task
                self._changing(obj, task)
                return task
            task = self._spawn(EFFECT, bound, args, kwargs, None, lasti, targets=targets)
            self._changing(obj, task)
            return task
        if _holds_mutable(args, kwargs):
            # The object is still being made, and whether its method changes the
            # objects it is given (``handler.take(words, line)``) is known only from
            # the method: wait for the object. (A call's pending result passed on,
            # ``groups.setdefault(k, []).append(slow(x))``, does not make it wait.)
            return self._method(target, keys, self.get(obj), name, args, kwargs, lasti)
        targets = target if type(target) is tuple else (target,)
        return self._spawn(EFFECT, _call_method, (obj, name, *args), kwargs, None, lasti,
                           targets=(*targets, *_PROCESS_WORLD))   # (it may be os.environ)

    def effect(self, targets, fn, /, *args, **kwargs):
        """A known effect (a store, a ``del``, a write to a closure variable), made by
        desync's own code: its frame is not the user's."""
        return self._effect(targets, fn, args, kwargs, sys._getframe(1).f_lasti, True)

    def effect_call(self, targets, fn, /, *args, **kwargs):
        """A call of the user's own function that is an effect (a nested ``def``
        writing the body's variables, ``collect(rows, out.append)``): its frame stays
        in a traceback."""
        return self._effect(targets, fn, args, kwargs, sys._getframe(1).f_lasti, False)

    def _effect(self, targets, fn, args, kwargs, lasti, generated):
        if type(targets) is str:
            targets = (targets,)
        elif "*world" in targets:   # code run as written that calls out (see region)
            targets = _with_world(targets)
        if args:
            process = _process_world(args[0], args[1] if len(args) > 1 else None)
            if process:
                targets = (*targets, *process)
        if not self.boxes and self.frame is not None:
            # A global rebound, or an imported module's attribute set (``json.LEVEL =
            # v``): callees naming it wait (``_globals_pending``; changes to other
            # module-level objects are named by ``global_keys``).
            names = self.frame.f_globals
            self.boxes = any(type(key) is str and (key[:1] == "@" or key in names)
                             for key in targets)
        if args and type(args[0]) is _decimal_context_type():
            # ``ctx.prec = 5`` on the thread's decimal context: the calls after it must
            # take the context it leaves, so it happens now, after what comes before.
            self.barrier()
            return fn(*(_value(a) for a in args), **{k: _value(v) for k, v in kwargs.items()})
        task = self._spawn(EFFECT, fn, args, kwargs, None, lasti, generated=generated,
                           targets=targets)
        if args:
            self._changing(args[0], task)   # (a store's object)
        return task

    def _changing(self, obj, task):
        """Remember the object an effect changes: a callee reading it under another
        name waits for the change (``_globals_pending``)."""
        if self.tracking and type(obj) is not Task and task.state < DONE \
                and not immutable(obj):
            self.receivers[id(obj)] = (obj, task)

    def effect_method(self, targets, getter, inputs, name, /, *args, **kwargs):
        """``groups[k].append(x)``: a method of an object read (``getter(*inputs)``) when
        the call is made, in program order."""
        lasti = sys._getframe(1).f_lasti
        if type(targets) is str:
            targets = (targets,)
        return self._spawn(EFFECT, _call_got, (getter, inputs, name, *args), kwargs, None,
                           lasti, targets=targets)

    def augment(self, target, op, value, operand):
        """``x op= operand`` on a local: in place (an effect) unless ``x`` is immutable."""
        if type(value) is not Task and immutable(value):
            return self.pure(op, value, operand)
        lasti = sys._getframe(1).f_lasti
        return self._spawn(EFFECT, op, (value, operand), None, None, lasti, generated=True,
                           targets=(target,))

    # Pure expressions -------------------------------------------------------
    def pure(self, fn, *args):
        """A call-free expression: computed now if its inputs are there, else a task."""
        fence = self.fence
        return self._pure(fn, args, None, fence is not None and fence.state < DONE)

    def pure_read(self, keys, fn, *args):
        """A call-free expression that reads objects the body mutates: a task while
        a change issued before to one of them is pending."""
        return self._pure(fn, args, keys, self._behind(keys))

    def pure_advancing(self, keys, fn, *args):
        """``pure_read`` of an expression that consumes something it reaches, not
        through its inputs (``list(self.rows)``, ``sorted(ITEMS)``), each marked by
        ``advancing``: run ahead of program order, it stops before advancing an
        iterator and runs again in order, as an effect (see ``_Reorder``)."""
        return self._pure(fn, args, keys, self._behind(keys), ADVANCES)

    def _claim(self, task, keys):
        """Later reads of ``keys`` wait for ``task``, as for a change to them."""
        last = self.last_effect
        groups = self.groups
        for key in keys:
            if groups and key in groups:
                for other in groups[key]:
                    last[other] = task
            else:
                last[key] = task

    def _behind(self, keys) -> bool:
        """Is the fence, or a change issued before to one of ``keys``, pending?"""
        fence = self.fence
        if fence is not None and fence.state < DONE:
            return True
        last = self.last_effect
        for key in keys:
            effect = last.get(key)
            if effect is not None and effect.state < DONE:
                return True
        return False

    def _pure(self, fn, args, keys, waiting, generated=True):
        for arg in args:
            kind = type(arg)
            if kind is Task:
                if arg.state != DONE:
                    if _makes_iterator(arg.fn):
                        # ``it = map(f, xs)`` still pending: consuming it is an effect.
                        return self._spawn(EFFECT, fn, args, None, None,
                                           sys._getframe(2).f_lasti, generated=True, targets=())
                    waiting = True
                    continue
                kind = type(arg.value)  # done: judged by what it made
            if kind not in _PLAIN_VALUES and (kind in _ITERATOR_TYPES or
                                              hasattr(kind, "__next__")):
                # ``list(gen)``: running a generator (or advancing an iterator) is an
                # effect: in program order, when the variables it reads are current.
                return self._spawn(EFFECT, fn, args, None, None, sys._getframe(2).f_lasti,
                                   generated=True, targets=())
        if self.cells and type(fn) is FunctionType and fn.__closure__ is not None:
            held = self._iterators_held(fn)
            if held:
                return self._spawn(EFFECT, fn, args, None, None, sys._getframe(2).f_lasti,
                                   generated=True, targets=held)
        if waiting:
            task = self._spawn(PURE, fn, args, None, keys, sys._getframe(2).f_lasti,
                               generated=generated)
            if generated == ADVANCES and task.state < DONE:
                # It may consume what it reaches through these objects: later reads of
                # them (a function called on them, ``g()`` reading ``h.it``) wait for it.
                self._claim(task, (*(keys or ()), *self._cells_read(fn, (), None)))
            return task
        if generated == ADVANCES and self.rob:
            # Entries before it are not retired: it runs ahead of them, unless what
            # it consumes turns out to be an iterator.
            values = [_value(a) for a in args]
            saved = getattr(_tls, "ahead", None)
            _tls.ahead = getattr(_tls, "depth", 0)
            try:
                return fn(*values)
            except _Reorder:
                pass
            finally:
                _tls.ahead = saved
            return self._spawn(EFFECT, fn, args, None, None, sys._getframe(2).f_lasti,
                               generated=True, targets=keys or ())
        return fn(*[_value(a) for a in args])

    # Speculation ---------------------------------------------------------------
    def spec(self, keys, fn, /, *args, **kwargs):
        """A call plain Python may never make (in a ``try`` body, under a comprehension
        condition, in ``any(...)``): a task whose failure only counts if the code that
        consumes it gets there; an effect is deferred until then."""
        lasti = sys._getframe(1).f_lasti
        if type(fn) is Task or type(fn) is Deferred or _has_deferred(args, kwargs):
            return Deferred(fn, args, kwargs)
        owner = getattr(fn, "__self__", None)
        if owner is not None and type(owner) is not _MODULE and not isinstance(owner, type) \
                and method_kind(owner, getattr(fn, "__name__", ""), fn) != _effects.PURE:
            return Deferred(fn, args, kwargs)
        facts = _effects.facts_of(fn)
        if facts.mutates or facts.kind == _effects.EFFECT or \
                self._runs_other_code(fn, args, kwargs, keys):
            return Deferred(fn, args, kwargs)
        if facts.kind == _effects.READS:
            keys = (*keys, *facts.world)
        if self.boxes or self.receivers:   # reads a global the body is changing
            keys = (*keys, *self._globals_pending(fn, args, kwargs))
        return self._spawn(CALL, fn, args, kwargs, keys, lasti, soft=True)

    def spec_method(self, keys, obj, name, /, *args, **kwargs):
        if type(obj) is Task or type(obj) is Deferred:
            return Deferred(_call_method, (obj, name, *args), kwargs)
        try:
            bound = getattr(obj, name)
        except BaseException:
            return Deferred(_call_method, (obj, name, *args), kwargs)
        if method_kind(obj, name, bound) == _effects.EFFECT:
            return Deferred(bound, args, kwargs)
        return self.spec(keys, bound, *args, **kwargs)

    def spec_pure(self, keys, fn, *args):
        """A call-free expression over speculative values."""
        waiting = False
        for arg in args:
            kind = type(arg)
            if kind is Deferred:
                return Deferred(fn, args, None)
            if kind is Task and arg.state != DONE:
                waiting = True
        if not waiting and keys:
            last = self.last_effect
            waiting = any(last.get(k) is not None and last[k].state < DONE for k in keys)
        if waiting:
            return self._spawn(PURE, fn, args, None, keys, sys._getframe(1).f_lasti,
                               generated=True, soft=True)
        try:
            return fn(*[_value(a) for a in args])
        except BaseException as error:
            return self._settled_soft(error)

    def _settled_soft(self, error):
        self.seq += 1
        return _failed_step(error, self.seq)

    def region(self, targets, fn, *args):
        """A ``try`` statement run as written, in program order, once the speculative
        calls issued for it are settled: its handlers see what plain Python raised."""
        lasti = sys._getframe(1).f_lasti
        fn = named_like_body(fn, self.frame)
        if "*world" in targets:
            targets = _with_world(targets)
        for arg in args:
            if type(arg) is Deferred:
                targets = (*targets, *_deferred_world(arg))
        return self._spawn(EFFECT, fn, args, None, None, lasti, generated=True,
                           targets=targets, tolerant=True, extra=_inside_deferred(args))

    def consume(self, consumer, conditions, values, items, stops=None):
        """A comprehension or a consumed generator whose elements were computed ahead:
        ``consumer`` takes them in order, with their conditions, as plain Python does
        (``stops``: what an element's StopIteration does, see ``_consumer``)."""
        lasti = sys._getframe(1).f_lasti
        make = _consumer(consumer, conditions, values, stops)
        if any(type(i) is Deferred for i in items):
            targets = tuple(k for i in items if type(i) is Deferred
                            for k in _deferred_world(i))
            return self._spawn(EFFECT, make, tuple(items), None, None, lasti, generated=True,
                               targets=targets, tolerant=True, extra=_inside_deferred(items))
        if all(type(i) is not Task or i.state == DONE for i in items):
            return self.pure(make, *[_raw(i) if type(i) is Task else i for i in items])
        return self._spawn(PURE, make, tuple(items), None, None, lasti, generated=True,
                           tolerant=True)

    def _failed_now(self, error, lasti):
        """An error of an expression the owner evaluated ahead of time: it surfaces
        at its place in program order, after earlier failures and effects."""
        _keep_user_frames(error, _NO_TASK)
        self.seq += 1
        task = Task()
        task.seq = self.seq
        task.kind = PURE
        task.fn = task.args = task.kwargs = None
        task.state = FAILED
        task.value = None
        task.error = error
        task.dependents = None
        task.waiting = 0
        task.lasti = lasti
        task.generated = True
        task.orphan = task.soft = task.tolerant = False
        task.targets = None
        self.rob.append(task)
        if self.abort_seq is None:
            self.abort_seq = task.seq
        return task

    # Values the owner needs --------------------------------------------------
    def get(self, value):
        """The owner thread needs a value now (an ``if`` test, a ``for`` iterable...)."""
        fence = self.fence
        if fence is not None and fence.state < DONE:
            self._wait_keys_task(fence)  # a call changed an object the compiler did not see
        if type(value) is Task:
            if value.state == DONE:
                return value.value
            return self._need(value)
        return value

    def get_after(self, keys, value):
        """A value the owner reads after the pending effects on ``keys`` (``len(out)``)."""
        self._wait_keys(keys)
        fence = self.fence
        if fence is not None and fence.state < DONE:
            self._wait_keys_task(fence)
        return self.get(value)

    def _wait_keys_task(self, task):
        self._help_until(lambda: task.state >= DONE)
        if task.state != DONE:
            self._fault_now()

    def settle(self, keys):
        """Wait for the pending writes of closure (or global) variables before the
        owner reads them directly."""
        self._wait_keys(keys)

    def _changes_state(self, task):
        changers = self.state_changers
        if type(task) is Task and task.state < DONE:
            if len(changers) >= 64:   # (a long loop of them: keep only the pending)
                changers[:] = [t for t in changers if t.state < DONE]
            changers.append(task)

    def settle_state(self):
        """Before the owner reads a module global some function rebinds: the calls
        issued so far that change module state (``WORLD_STATE``) have run."""
        changers = self.state_changers
        if changers:
            pending = [task for task in changers if task.state < DONE]
            changers.clear()
            if pending:
                self._wait_settled(pending)

    def result(self, value):
        """``return value``: every entry retires first, as every statement before the
        return ran in plain Python."""
        self.barrier()
        return self.get(value)

    def barrier(self):
        """Retire everything issued so far (before a statement run as written)."""
        if self.rob:
            fault = self._retire_all_or_fault()
            if fault is not None:
                self._raise_fault(fault, None)

    # The end of a body that falls off its end: what is pending retires there, so a
    # failure reaches the call's exit at its own line (a name of its own for traces).
    finish = barrier

    def iterate(self, keys, iterable, *parts, made_by=None):
        """The iterator of a ``for`` loop. Advancing an iterator that is its own
        object (a file, a generator) is an effect: everything before each step
        retires first. ``parts``: the iterables a builtin wrapper was made of.
        ``made_by``: the function the iterable expression called; a generator it
        just made, with no effects and no closure, steps ahead of the body's calls
        (``_AheadOfBody``)."""
        iterable = self.get_after(keys, iterable) if keys else self.get(iterable)
        iterator = iter(iterable)
        if made_by is not None and type(made_by) is FunctionType \
                and made_by.__closure__ is None:
            # (the generator itself, or the one ``enumerate(rows(n))`` numbers)
            source = iterator if not parts else \
                self.get(parts[0]) if type(iterable) is enumerate else None
            if source is not None and _made_fresh(source, made_by):
                return _AheadOfBody(self, iterator, keys, source, _reads_module_data(made_by))
        stateful = _seen_advancing(iterable, iterator, [self.get(p) for p in parts])
        if not stateful and not keys:
            return iterator
        return self._guarded(iterator, keys, stateful)

    def spec_iterate(self, keys, items, conditions, values, iterable, *parts, made_by=None):
        """The iterator of a loop whose elements are computed ahead into ``items``
        (``conditions`` then ``values`` outcomes each, as ``consume`` takes them).
        Plain Python never advances past an element that fails: if advancing is seen
        (see ``iterate``), the elements so far are taken first, in order, and one
        that fails ends the loop there (``consume`` raises it). ``made_by``: the
        function the loop's iterable expression called; a generator it made just now
        with code that has no effects is the loop's own, and runs ahead."""
        iterable = self.get_after(keys, iterable) if keys else self.get(iterable)
        iterator = iter(iterable)
        width = conditions + values
        if made_by is not None and _made_fresh(iterator, made_by):
            ahead = _RunsAhead(self, iterator, keys, items, conditions, width)
            ahead.reads_data = _reads_module_data(made_by)
            return ahead
        if _seen_advancing(iterable, iterator, [self.get(p) for p in parts]):
            return _ElementGuarded(self, iterator, items, conditions, width)
        if type(iterator) not in _BUILTIN_ITERATORS:
            # (its advancing may raise: an error of its own, after the elements before)
            return _RunsAhead(self, iterator, keys, items, conditions, width)
        return iterator if not keys else self._guarded(iterator, keys, False)

    def generator_expression(self):
        """``with _ds.generator_expression():`` around the calls of a generator
        expression's elements: a StopIteration one of them raises comes out as
        RuntimeError, as from a generator (PEP 479)."""
        return _GeneratorExpression(self)

    def owning(self, iterable, made_by):
        """``with _ds.owning(it, f): for x in ...``: see ``_Owning``."""
        return _Owning(self, iterable, made_by)

    def take_elements(self, items, start, conditions, width, end=None) -> bool:
        """``_take_elements`` on this body's threads: after everything issued before,
        a task's outcome once it settles, a deferred effect made here, in order."""
        self.barrier()
        return _take_elements(items, start, conditions, width, self._wait_settled,
                              self._settled_soft, end)

    def _wait_settled(self, tasks):
        pending = [t for t in tasks if t.state < DONE]
        if pending:
            self._help_until(lambda: all(t.state >= DONE for t in pending))

    def _guarded(self, iterator, keys, stateful):
        return _Guarded(self, iterator, keys, stateful)

    def unpack(self, value, count, after=None):
        """``a, *b, c = value``: one value (or future) per target. Unpacking an
        iterator advances it: everything before it happens first."""
        if type(value) is Task:
            if value.state != DONE:
                lasti = sys._getframe(1).f_lasti
                whole = self._spawn(PURE, unpack_values, (value, count, after), None, None,
                                    lasti, generated=True)
                total = count + (0 if after is None else after + 1)
                return [self._spawn(PURE, _item, (whole, i), None, None, lasti, generated=True)
                        for i in range(total)]
            value = value.value
        if type(value) not in _PLAIN_VALUES and (_advances(value) or _iterates_by_code(value)):
            self.barrier()
        return unpack_values(value, count, after)

    # Blocks and restoring locals ---------------------------------------------
    def block(self):
        """The body of a ``try`` or ``with``."""
        return Block(self)

    def entering(self, manager):
        """``with _ds.entering(cm), _ds.block():``: ``cm`` itself. A reentrant lock
        (an RLock, a Condition) this thread takes makes the calls of the block run on
        this thread, in order: a callee may take it again, which only this thread
        may, as plain Python's callee does on this thread."""
        if _reentrant(manager):
            self.taking += 1
        return manager

    def bind(self, name, value):
        """Record a binding of a local that a handler may need as it was at a failure."""
        entries = self.log.get(name)
        if entries is None:
            entries = self.log[name] = deque()
        entries.append((self.seq, value))
        retired = self.retired
        while len(entries) > 1 and entries[1][0] <= retired:
            entries.popleft()
        return value

    def restoring(self, block) -> bool:
        """Must the locals the block bound be put back (a failure raised inside it
        while statements after the failing one were already bound), and not yet done?
        Once: the first handler, finally or with exit to look puts them back, and
        what it binds itself then stands."""
        seq = self.unrestored
        if seq is None or seq <= block.start_seq:
            return False
        self.unrestored = None
        return True

    def restore(self, block, names):
        """The values ``names`` had when the failure a handler caught happened."""
        out = []
        for name in names:
            entries = self.log.get(name)
            out.append(entries[-1][1] if entries else UNBOUND)
        return tuple(out)

    def track_changes(self):
        """The body may change an object a callee reads under another name: remember
        the objects its effects change (``_changing``)."""
        self.tracking = True

    def global_keys(self, *named):
        """``((name, keys), ...)``: module-level objects the body changes, and the keys
        of those changes (``c = CONFIG; c["sub"]["x"] = v``). A callee of this module
        naming one is called after the changes issued before it."""
        self.global_objects = dict(named)
        self.boxes = True

    def distinct(self, *named):
        """``((keys, value), ...)`` of the arguments and module objects: those that
        are one object after all share their effects' order from here on."""
        seen: dict = {}
        for keys, value in named:
            if type(value) is Task or immutable(value):
                continue
            seen.setdefault(id(value), []).append(keys)
        groups = self.groups
        for found in seen.values():
            if len(found) < 2:
                continue
            merged = tuple(sorted({k for keys in found for k in keys} |
                                  {k for keys in found for key in keys
                                   for k in groups.get(key, ())}))
            for key in merged:
                groups[key] = merged

    def use_cells(self, *setters):
        """The closure cells of the body, from its generated setters: a call given a
        function that reads one must wait for that variable's writes."""
        cells = self.cells
        if cells is None:
            cells = self.cells = {}
        for setter in setters:
            for name, cell in zip(setter.__code__.co_freevars, setter.__closure__ or ()):
                cells[id(cell)] = "@" + name


class _Carried(Exception):
    """A StopIteration raised by the loop body's work, on its way out of a ``for``
    loop's step (raised as such, the loop would end quietly; raised in a generator,
    it would become a RuntimeError). The block or the call around it raises it again."""

    def __init__(self, error):
        super().__init__()
        self.error = error


class _Guarded:
    """A ``for`` loop's iterator that retires what the body issued before each step
    (a stateful iterator) or waits for the keys it reads."""

    __slots__ = ("scope", "iterator", "keys", "stateful")

    def __init__(self, scope, iterator, keys, stateful):
        self.scope, self.iterator, self.keys, self.stateful = scope, iterator, keys, stateful

    def __iter__(self):
        return self

    def __next__(self):
        try:
            if self.stateful:
                self.scope.barrier()
            elif self.keys:
                self.scope._wait_keys(self.keys)
        except StopIteration as error:
            raise _Carried(error) from None
        return next(self.iterator)


class _AheadOfBody:
    """A ``for`` loop's own generator with no effects (``for x in rows(n)``, see
    ``_made_fresh``): each step is taken as soon as the loop asks, while the calls of
    earlier iterations still run; no one can see how far it went. What stays plain
    Python's: an error it raises comes after everything the iterations before it
    did (an earlier failure wins), and while it still holds a mutable value it handed
    out (a window it appends to), a step waits for everything before it."""

    __slots__ = ("scope", "iterator", "keys", "lent", "source", "latest", "reads_data")

    def __init__(self, scope, iterator, keys, source, reads_data):
        self.scope, self.iterator, self.keys, self.lent = scope, iterator, keys, []
        self.source = source   # the generator (``iterator`` may be an ``enumerate``)
        self.latest = None     # the value it handed out last
        self.reads_data = reads_data   # it reads module values (not only code)

    def __iter__(self):
        return self

    def __next__(self):
        scope, lent = self.scope, self.lent
        try:
            if self.keys:
                scope._wait_keys(self.keys)
            if self.reads_data and scope.state_changers:
                scope.settle_state()   # (a call that may rebind what it reads: first)
            if lent:
                # (what it cannot reach now it never can: checked once)
                if _still_held(self.source, lent, self.latest):
                    scope.barrier()
                lent.clear()
        except StopIteration as error:   # an earlier call's, raised in order
            raise _Carried(error) from None
        try:
            value = next(self.iterator)
        except StopIteration:
            raise
        except BaseException as error:   # (an interrupt it raises too: as in Python,
            failure = error              # after what the iterations before it did)
        else:
            if not immutable(value):
                lent.append(value)
                self.latest = value if self.source is self.iterator else value[1]
            return value
        try:
            scope.barrier()   # (an earlier iteration's failure is raised first)
        except StopIteration as error:
            raise _Carried(error) from None
        raise failure


class _ElementGuarded:
    """``spec_iterate``'s iterator: before each advance after the first, the elements
    the loop computed so far are taken; one that fails ends the loop."""

    __slots__ = ("scope", "iterator", "items", "conditions", "width", "taken")

    def __init__(self, scope, iterator, items, conditions, width):
        self.scope, self.iterator, self.items = scope, iterator, items
        self.conditions, self.width, self.taken = conditions, width, len(items)

    def __iter__(self):
        return self

    def __next__(self):
        self._take(len(self.items))
        return next(self.iterator)

    def _take(self, end):
        """Take the elements up to ``end``; the loop ends at one that fails."""
        try:
            stop = self.scope.take_elements(self.items, self.taken, self.conditions,
                                            self.width, end)
        except StopIteration as error:   # an earlier call's, raised in order
            raise _Carried(error) from None
        self.taken = end
        if stop:
            raise StopIteration


def _failed_step(error, seq=0):
    """A speculative step that failed already: its code raises ``error`` if it gets
    there (``outcome``)."""
    _keep_user_frames(error, _NO_TASK)
    task = Task()
    task.seq = seq
    task.kind = PURE
    task.fn = task.args = task.kwargs = task.value = task.targets = None
    task.state = FAILED
    task.error = error
    task.dependents = None
    task.waiting = 0
    task.lasti = -1
    task.generated = task.soft = True
    task.orphan = task.tolerant = False
    return task


class _RunsAhead(_ElementGuarded):
    """``spec_iterate``'s iterator over one whose advancing no one else sees (a
    generator that is the loop's own and has no effects, ``map(int, rows)``): it may
    go further than plain Python would, so the elements start together. What stays
    plain Python's: an error it raises is an
    element of its own (raised only if the consumer gets there); at most ``AHEAD``
    elements run ahead of the first one not yet taken (an endless generator stops
    near the failure); and an element that is a deferred effect (it may change what
    the generator reads) is made before the next advance."""

    __slots__ = ("keys", "lent", "latest", "in_step", "reads_data")
    AHEAD = 64

    def __init__(self, scope, iterator, keys, items, conditions, width):
        super().__init__(scope, iterator, items, conditions, width)
        self.keys = keys
        self.lent = []   # (index in items, a mutable element not taken yet)
        self.latest = None   # the element it handed out last
        self.in_step = False   # an element's call may change module state it reads
        self.reads_data = False   # it reads module values (set by spec_iterate)

    def __next__(self):
        items, width = self.items, self.width
        if self.keys:
            try:
                self.scope._wait_keys(self.keys)
            except StopIteration as error:
                raise _Carried(error) from None
        ahead = (len(items) - self.taken) // width
        end = None
        lent = self.lent
        if ahead and self.reads_data and not self.in_step:
            self.in_step = _changes_module_state(items[len(items) - width:])
        held = False
        if lent:
            # (a sliding window, a reused buffer: the next step may change an element
            # whose calls have not run yet, and plain Python ran them before it; what
            # it cannot reach now it never can: checked once)
            held = _still_held(self.iterator, [value for _, value in lent], self.latest)
            lent.clear()
        if ahead and (held or self.in_step
                      or any(type(i) is Deferred for i in items[self.taken:])):
            end = len(items)
        elif ahead >= self.AHEAD:
            end = len(items) - (self.AHEAD // 2) * width
        if end is not None:
            self._take(end)
        index = len(items)
        try:
            value = next(self.iterator)
        except StopIteration:
            raise
        except (KeyboardInterrupt, SystemExit):
            # Not an element: raised here, once the elements before it are taken and
            # none of them failed (one that failed ends the loop first, as in Python).
            self._take(len(items))
            raise
        except BaseException as error:
            items.append(self.scope._settled_soft(error))
            items.extend([None] * (width - 1))
            raise StopIteration from None
        if not immutable(value):
            lent.append((index, value))
            self.latest = value
        return value


class _GeneratorExpression:
    """The entries issued inside: ``_raise_fault`` changes a StopIteration one of them
    raises into RuntimeError; one raised here, in order (sequential), is changed on
    its way out."""

    __slots__ = ("scope", "span")

    def __init__(self, scope):
        self.scope = scope

    def __enter__(self):
        scope = self.scope
        if scope is not None:   # (open until it ends: its calls may fail before that)
            spans = scope.generator_spans
            if spans is None:
                spans = scope.generator_spans = deque()
            while spans and spans[0][1] is not None and spans[0][1] <= scope.retired:
                spans.popleft()   # (every entry in it retired: nothing left to change)
            self.span = [scope.seq + 1, None]
            spans.append(self.span)
        return None

    def __exit__(self, kind, error, traceback):
        scope = self.scope
        if scope is None:
            if isinstance(error, StopIteration):
                raise _from_generator(error)
            return False
        self.span[1] = scope.seq
        return False


def _in_spans(seq, spans) -> bool:
    # (a copy: the owner thread adds spans while a worker's task fails)
    return any(start <= seq and (end is None or seq <= end) for start, end in list(spans))


def _from_generator(error):
    changed = RuntimeError("generator raised StopIteration")
    changed.__cause__ = error
    return changed


class _Owning:
    """A loop over the generator its own call of ``made_by`` made: plain Python drops
    its last reference to it as the loop is left (a ``break``, a ``return``, an
    exception), which closes it: its ``finally`` and ``with`` exits run there. Here
    the body still holds it, so it is closed then: after what came before, unless an
    exception is already on its way (what came before it happened first)."""

    __slots__ = ("scope", "iterable", "made_by")

    def __init__(self, scope, iterable, made_by):
        self.scope, self.iterable, self.made_by = scope, iterable, made_by

    def __enter__(self):
        return None

    def __exit__(self, kind, error, traceback):
        generator = self.iterable
        if type(generator) is Task:
            generator = generator.value if generator.state == DONE else None
        made_by = self.made_by
        if type(generator) is not _GENERATOR or type(made_by) is not FunctionType \
                or made_by.__code__ is not generator.gi_code or generator.gi_frame is None:
            return False
        if error is None and self.scope is not None:
            try:
                self.scope.barrier()
            finally:
                _close(generator)
        else:
            _close(generator)
        return False


def _close(generator):
    try:
        generator.close()
    except BaseException as error:
        # Python closes it as its last reference goes: what its cleanup raises goes to
        # sys.unraisablehook (pytest's check), never up; from the generator's frame.
        tb = error.__traceback__
        if tb is not None and tb.tb_frame.f_code is _close.__code__:
            tb = error.__traceback__ = tb.tb_next
        hook = sys.unraisablehook
        if hook is not sys.__unraisablehook__:
            hook(_Unraisable(type(error), error, tb, None, generator))
            return
        import traceback   # (the default hook's output: no chain)
        print(f"Exception ignored in: {generator!r}", file=sys.stderr)
        traceback.print_exception(type(error), error, tb, chain=False)


class _Unraisable:
    """What ``sys.unraisablehook`` is handed (its own type cannot be made here)."""

    __slots__ = ("exc_type", "exc_value", "exc_traceback", "err_msg", "object")

    def __init__(self, exc_type, exc_value, exc_traceback, err_msg, obj):
        self.exc_type, self.exc_value, self.exc_traceback = exc_type, exc_value, exc_traceback
        self.err_msg, self.object = err_msg, obj


def _made_fresh(iterator, made_by) -> bool:
    """Is ``iterator`` a generator ``made_by`` just made (a generator function's
    call always makes a new one; not started yet), whose code has no effects?"""
    if type(iterator) is not _GENERATOR or type(made_by) is not FunctionType \
            or made_by.__code__ is not iterator.gi_code or iterator.gi_running:
        return False
    frame = iterator.gi_frame
    suspended = getattr(iterator, "gi_suspended", None)   # (3.11 and later)
    if frame is None or (suspended if suspended is not None else frame.f_lasti != -1):
        return False
    facts = _effects.facts_of(made_by)
    if facts.kind != _effects.PURE or facts.world or facts.mutates:
        return False
    # Only over values no one can see it touch: its arguments immutable (a list it
    # extends with ``+=``, an iterator it advances, a callback that prints: round N),
    # and the module objects and cells it names functions, classes, modules or
    # immutable values (not a list, a dict, an iterator of the module's).
    if not all(immutable(value) for value in list(frame.f_locals.values())):
        return False
    held = []   # (what it and the functions of the project it calls read)
    for target in _reached_from([made_by]):
        namespace = target.__globals__
        held.extend(namespace[name] for name in _global_names(target.__code__)[0]
                    if name in namespace)
    for cell in made_by.__closure__ or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:
            pass
    return all(immutable(value) or type(value) in _SHARED_KINDS for value in held)


def _reads_module_data(made_by) -> bool:
    """Does a generator function (or a function of the project it calls) name module
    values that are data, not code (``LIMIT``)? A call that rebinds one may change
    what its next step computes."""
    for target in _reached_from([made_by]):
        namespace = target.__globals__
        for name in _global_names(target.__code__)[0]:
            value = namespace.get(name, _SHARED_KINDS)
            if value is not _SHARED_KINDS and type(value) not in _SHARED_KINDS:
                return True
    return False


def _changes_module_state(group) -> bool:
    """Is one of an element's steps a call that changes module state (``global LIMIT;
    LIMIT = 3``), which the generator computing ahead might read?"""
    for item in group:
        if type(item) is Task and item.fn is not None and _effects.WORLD_STATE in \
                _effects.facts_of(item.fn).world:
            return True
    return False


def _still_held(iterator, elements, latest) -> bool:
    """Can ``iterator`` still reach one of ``elements`` (mutable values it handed out),
    or a mutable object inside one, so that its next step may change it? What it
    holds is followed through containers, objects and the generators and iterators it
    keeps (``gc.get_referents``), up to ``_LOOK_AT`` objects; past that, or at a frame
    it keeps, it is taken as held. ``yield {"id": i}`` holds nothing; ``row = {...};
    yield row`` holds only through ``row`` (``latest``, the value just handed out),
    which it binds anew; ``window.append(x); yield window`` holds it."""
    wanted = set()
    budget = _LOOK_AT
    stack, seen = list(elements), set()
    while stack:
        obj = stack.pop()
        kind = type(obj)
        if kind in _ATOMS or id(obj) in seen or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        if kind is not tuple and kind is not frozenset:
            wanted.add(id(obj))   # (a dict of numbers is mutable, if untracked)
        budget -= 1
        if budget <= 0:
            return True
        stack.extend(gc.get_referents(obj))
    if not wanted:
        return False
    if type(iterator) is _GENERATOR:
        if iterator.gi_frame is None:
            return False   # (finished: it holds nothing any more)
        held = _generator_state(iterator)
        if _at_yield_of_handed_out(iterator):
            for index, value in enumerate(held):
                if value is latest:
                    del held[index]
                    break
    else:
        held = gc.get_referents(iterator)
    stack, seen = held, set()
    while stack:
        obj = stack.pop()
        if id(obj) in wanted:
            return True
        if id(obj) in seen or not gc.is_tracked(obj) or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        budget -= 1
        if budget <= 0:
            return True
        kind = type(obj)
        if kind is _GENERATOR:
            if obj.gi_frame is not None:
                stack.extend(_generator_state(obj))
        elif kind is FrameType:
            return True   # (a frame it keeps: what that reaches is not followed)
        else:
            stack.extend(gc.get_referents(obj))
    return False


_LOOK_AT = 2048   # objects looked at by one check, at most
_ATOMS = frozenset({int, float, complex, str, bytes, bool, type(None)})
_OPAQUE = (type, FunctionType, CodeType, ModuleType, BuiltinFunctionType)   # (code)
_INTERPRETER_FRAMES = sys.version_info >= (3, 11)   # (a generator traverses its variables)


def _generator_state(generator) -> list:
    """What a suspended generator holds: its variables and its value stack."""
    if _INTERPRETER_FRAMES:
        return [r for r in gc.get_referents(generator) if type(r) is not FrameType]
    frame = generator.gi_frame
    skip = (id(frame.f_globals), id(frame.f_builtins))
    return [r for r in gc.get_referents(frame) if id(r) not in skip]


def _at_yield_of_handed_out(generator) -> bool:
    """Is the generator suspended just after ``yield name``, ``name`` a variable it
    only ever yields? Then that variable holds the value just handed out."""
    frame = generator.gi_frame
    names, instructions = _yielded_only(frame.f_code)
    if not names:
        return False
    lasti = frame.f_lasti
    index = next((i for i, instruction in enumerate(instructions)
                  if instruction.offset >= lasti), None)
    if index is None:
        return False
    for at in (index, index - 1):   # (the YIELD_VALUE; in 3.13 the RESUME after it)
        if 0 < at < len(instructions) and instructions[at].opname == "YIELD_VALUE":
            load = instructions[at - 1]
            return load.opname.startswith("LOAD_FAST") and load.argval in names
    return False


_yielded_only_cache: dict = {}


def _yielded_only(code) -> tuple:
    """(the variables of a generator's code whose every read is ``yield name``: what
    they hold is handed out, never changed by it; its instructions)."""
    found = _yielded_only_cache.get(code)
    if found is None:
        import dis   # (only for generators that hand out mutable values)
        loads = {}
        instructions = [i for i in dis.get_instructions(code)
                        if i.opname not in ("CACHE", "EXTENDED_ARG", "NOP")]
        for index, instruction in enumerate(instructions):
            argval = instruction.argval
            # (3.13's superinstructions name two: ``STORE_FAST_LOAD_FAST``)
            names = argval if type(argval) is tuple else (argval,) if type(argval) is str \
                else ()
            if not names or instruction.opname in ("STORE_FAST", "DELETE_FAST"):
                continue
            after = instructions[index + 1].opname if index + 1 < len(instructions) else ""
            yielded = instruction.opname in ("LOAD_FAST", "LOAD_FAST_CHECK") \
                and after == "YIELD_VALUE"
            for name in names:   # (any other use, by any instruction: not only yielded)
                loads[name] = loads.get(name, True) and yielded
        shared = set(code.co_cellvars) | set(code.co_freevars)
        names = frozenset(name for name, only in loads.items() if only and name not in shared)
        found = (names, instructions)
        if len(_yielded_only_cache) > 1024:
            _yielded_only_cache.clear()
        _yielded_only_cache[code] = found
    return found


# What a generator may name and still run ahead: code and constants, not data.
_SHARED_KINDS = frozenset({FunctionType, BuiltinFunctionType, type, ModuleType})


_GENERATOR = type(x for x in ())


def _take_elements(items, start, conditions, width, wait, failed, end=None) -> bool:
    """Take the elements ``items[start:end]`` as the consumer will, and put each back
    settled: a condition as its truth, a deferred call as its value, a failure as a
    failed step (``failed(error)``) the consumer raises. True at the first failure:
    plain Python goes no further. ``wait(tasks)`` waits for tasks to settle."""
    for group in range(start, (len(items) if end is None else end) - width + 1, width):
        for index in range(group, group + width):
            item = items[index]
            try:
                kind = type(item)
                if kind is Task:
                    wait((item,))
                    value = outcome(item)
                elif kind is Deferred:
                    wait(_inside_deferred((item,)))
                    value = items[index] = outcome(item)
                else:
                    value = item
                if index < group + conditions:
                    truth = items[index] = bool(value)
                    if not truth:
                        break   # the element is skipped: its values are never taken
            except BaseException as error:
                items[index] = failed(error)
                return True
    return False


def _seen_advancing(iterable, iterator, parts) -> bool:
    """Is advancing ``iterator`` seen by more than the loop? An iterator someone
    else holds (``iterable`` is its own iterator, a part of the builtin wrapper it
    was made of is, or an object hands out one it holds: ``return self.it``), or
    one whose advancing runs code with effects (a generator ``__iter__`` that
    prints, a ``__next__`` that logs, ``map`` of a function that prints)."""
    if parts:
        if any(_stateful(p) for p in parts):
            return True
        sources = parts
    elif iterator is iterable:
        return _stateful(iterable)
    else:
        sources = (iterable,)
    kind = type(iterator)
    if kind in _BUILTIN_ITERATORS:
        return any(_holds(source, iterator) for source in sources)
    if kind is map or kind is filter:
        return _wrapper_seen(iterator, sources)
    code = getattr(kind, "__next__", None)
    if type(code) is not FunctionType:
        code = getattr(type(iterable), "__iter__", None)
        if type(code) is not FunctionType:
            code = getattr(type(iterable), "__getitem__", None)
            if type(code) is not FunctionType:
                return False
    facts = _effects.facts_of(code)
    if facts.kind != _effects.PURE or facts.world or facts.mutates:
        return True
    # (``yield from self.box.it``, ``return self.d["it"]``, ``yield from SOURCE``:
    # an iterator its object, or the module, holds)
    return _reaches_an_iterator(iterable, code)


def _holds(source, iterator) -> bool:
    held = getattr(source, "__dict__", None)
    if held and any(value is iterator for value in list(held.values())):
        return True
    code = getattr(type(source), "__iter__", None)
    return type(code) is FunctionType and _reaches_an_iterator(source, code)


def _reaches_an_iterator(obj, code) -> bool:
    """Does ``obj`` (two levels into its attributes, dicts, lists and tuples), or a
    module-level value or closure cell of ``code``, hold an iterator?"""
    try:
        state = object.__getattribute__(obj, "__dict__")
    except Exception:
        state = {}
    names = _global_names(code.__code__)[0] if type(code) is FunctionType else ()
    namespace = code.__globals__ if type(code) is FunctionType else {}
    found = [namespace[name] for name in names if name in namespace
             and type(namespace[name]) not in _SHARED_KINDS]
    for cell in (code.__closure__ or ()) if type(code) is FunctionType else ():
        try:
            found.append(cell.cell_contents)
        except ValueError:
            pass
    return _any_iterator(list(state.values()), 2) or _any_iterator(found, 1)


def _any_iterator(values, depth, width=64) -> bool:
    for value in values[:width]:   # (bounded: this runs as each loop starts)
        kind = type(value)
        if kind in _IMMUTABLE or kind in _SHARED_KINDS:
            continue
        if kind in _ITERATOR_TYPES or hasattr(kind, "__next__"):
            return True
        if depth:
            if kind is dict:
                inner = list(value.values())
            elif kind is list or kind is tuple:
                inner = list(value)
            else:
                try:
                    inner = list(object.__getattribute__(value, "__dict__").values())
                except Exception:
                    continue
            if _any_iterator(inner, depth - 1, 16):
                return True
    return False


def _wrapper_seen(wrapper, sources, depth=0) -> bool:
    """``map(fn, ...)`` or ``filter(fn, ...)`` an object made: ``fn``'s effects, or
    an iterator inside it that the object holds, make its advancing seen."""
    try:
        fn, *inner = wrapper.__reduce__()[1]
    except Exception:
        return True
    if fn is not None:
        facts = _effects.facts_of(fn)
        if facts.kind != _effects.PURE or facts.world or facts.mutates:
            return True
    for part in inner:
        if type(part) is map or type(part) is filter:
            if depth > 8 or _wrapper_seen(part, sources, depth + 1):
                return True
        elif any(_holds(source, part) for source in sources):
            return True
    return False


_BUILTIN_ITERATORS = frozenset(type(iter(x)) for x in ([], (), "", b"", range(1), {}, set(),
                                                       {}.values(), {}.items(), bytearray()))


class _NoTask:
    generated = False
    fn = None


_NO_TASK = _NoTask()


def _holds_nothing(fn) -> bool:
    """A callee that reaches no object of the body except through its arguments."""
    if type(fn) is FunctionType:
        return fn.__closure__ is None
    owner = getattr(fn, "__self__", None)
    return owner is None or type(owner) is _MODULE


_MODULE = type(sys)
# Values a callee names that no effect of a body changes in place.
_RLOCK = type(threading.RLock())
_OWNED_LOCKS = frozenset({_RLOCK, threading.Condition})   # (those that know their owner)
_REENTRANT = (threading.Condition, threading._PyRLock)


def _reentrant(manager) -> bool:
    kind = type(manager)
    if kind is _RLOCK or issubclass(kind, _REENTRANT):
        return True
    # (multiprocessing's, without importing it)
    return kind.__name__ in ("RLock", "Condition") \
        and _effects.module_name(kind) == "multiprocessing.synchronize"
_NEVER_CHANGED = frozenset({FunctionType, BuiltinFunctionType, int, float, str, bytes, bool,
                            type(None), tuple, frozenset, range, complex})
_CODE = CodeType
_PARTIAL = __import__("functools").partial
_MAPPING_PROXY = type(type.__dict__)
_CALLABLE_VALUES = frozenset({FunctionType, MethodType, _PARTIAL})   # handed to a callee


def _chain_under(error, handled) -> None:
    """A call run by another executor raised ``error`` while the body was handling
    ``handled``: chain it as Python would have (the first exception raised in the
    call gets ``handled`` as its ``__context__``)."""
    if handled is None:
        return
    seen = set()
    while error is not None and id(error) not in seen and error is not handled:
        seen.add(id(error))
        if error.__context__ is None:
            error.__context__ = handled
            return
        error = error.__context__


ADVANCES = 2   # Task.generated of a pure_advancing step


class _Reorder(Exception):
    """Raised by ``advancing`` in a step run ahead of program order, before it would
    advance an iterator: the step is run again, in order."""


def advancing(value):
    """Marks what an expression consumes (``list(advancing(self.rows))``): the value
    itself, unless this step runs ahead of program order and consuming the value
    changes something (an iterator, or an object whose ``__iter__`` is its own code)."""
    if getattr(_tls, "ahead", None) == getattr(_tls, "depth", 0) and (
            _advances(value) or _iterates_by_code(value)):
        raise _Reorder
    return value


def advancing_items(value):
    """``zip(*advancing_items(self.columns))``: what is unpacked, and its items, marked."""
    advancing(value)
    if type(value) in (list, tuple):
        for item in value:
            advancing(item)
    return value


def _iterates_by_code(value) -> bool:
    """Does iterating ``value`` run its class's own Python code (an ``__iter__`` that
    may change it, or hand out an iterator it shares)?"""
    kind = type(value)
    if kind in _PLAIN_VALUES:
        return False
    through = getattr(kind, "__iter__", None)
    if through is None:  # an old-style sequence: iterated through its __getitem__
        through = getattr(kind, "__getitem__", None)
    return type(through) is FunctionType


def _advances(value) -> bool:
    """Is ``value`` an iterator of its own (consuming it changes it)?"""
    kind = type(value)
    return kind not in _PLAIN_VALUES and (kind in _ITERATOR_TYPES or hasattr(kind, "__next__"))


def _runs_inputs(task) -> bool:
    """Does a ready task get, among inputs that were pending when it was issued, an
    iterator it may advance or (a call) a function that does more than compute?"""
    call = task.kind == CALL
    for arg in (*task.args, *(task.kwargs.values() if task.kwargs else ())):
        if type(arg) is Task:
            value = arg.value
            if _advances(value) or (call and type(value) not in _PLAIN_VALUES
                                    and callable(value) and _does_more(value)):
                return True
        elif _advances(arg):
            return True
    return False


_HOLDERS = frozenset({list, tuple, dict})


def _holds_doers(container) -> bool:
    """Functions with effects handed over in a list, tuple or dict (handlers, a
    dispatch table). Looked for only when the first item is a function: a container
    of data costs one check."""
    items = container.values() if type(container) is dict else container
    first = next(iter(items))
    if type(first) in _PLAIN_VALUES or not callable(first):
        return False
    return any(callable(item) and _does_more(item) for item in itertools.islice(items, 256))


def _does_more(fn) -> bool:
    """A function passed along that has effects or changes its arguments."""
    facts = _effects.facts_of(fn)
    return facts.kind != _effects.PURE or bool(facts.mutates)  # reduce(iadd, lists)


def _iterator_among(args, kwargs) -> bool:
    """Is an argument an iterator, or a pending call's result that will be one?"""
    for arg in (*args, *kwargs.values()) if kwargs else args:
        kind = type(arg)
        if kind is Task:
            if arg.state != DONE:
                if _makes_iterator(arg.fn):
                    return True
                continue
            kind = type(arg.value)
        if kind not in _PLAIN_VALUES and (kind in _ITERATOR_TYPES or hasattr(kind, "__next__")):
            return True
    return False


def _makes_iterator(fn) -> bool:
    """Does calling ``fn`` make an iterator (whose consumption is an effect)?
    ``map``, ``zip``, ``filter``, ``enumerate``..., ``iter``, ``open``, generator
    functions."""
    if type(fn) is type:
        return hasattr(fn, "__next__")
    if fn is iter or fn is open:
        return True
    code = getattr(fn, "__code__", None)
    return code is not None and bool(code.co_flags & _GENERATOR_FLAGS)


_GENERATOR_FLAGS = 0x20 | 0x200   # CO_GENERATOR, CO_ASYNC_GENERATOR


def _holds_mutable(args, kwargs) -> bool:
    """Is an argument an object at hand that a callee could change?"""
    for arg in (*args, *kwargs.values()) if kwargs else args:
        if type(arg) is not Task and not immutable(arg):
            return True
    return False


def all_immutable(args, kwargs) -> bool:
    for arg in args:
        if type(arg) is Task or not immutable(arg):
            return False
    if kwargs:
        for arg in kwargs.values():
            if type(arg) is Task or not immutable(arg):
                return False
    return True


def _call_method(obj, name, /, *args, **kwargs):
    return getattr(obj, name)(*args, **kwargs)


def _has_deferred(args, kwargs) -> bool:
    for arg in args:
        if type(arg) is Deferred:
            return True
    return bool(kwargs) and any(type(v) is Deferred for v in kwargs.values())


def _inside_deferred(args) -> list:
    """The tasks a deferred call will read: its region waits for them to settle."""
    found, stack = [], [a for a in args if type(a) is Deferred]
    while stack:
        deferred = stack.pop()
        parts = [deferred.fn, *deferred.args, *(deferred.kwargs or {}).values()]
        for part in parts:
            if type(part) is Task:
                found.append(part)
            elif type(part) is Deferred:
                stack.append(part)
    return found


def _deferred_world(deferred):
    fn = deferred.fn
    if fn is _call_method or type(fn) in (Task, Deferred):
        return _effects.WORLD_ALL
    return tuple(_effects.facts_of(fn).world) or ()


_CONSUMERS = {"list": list, "set": set, "tuple": tuple, "frozenset": frozenset, "sum": sum,
              "min": min, "max": max, "sorted": sorted, "any": any, "all": all,
              "dict": dict}


def _consumer(consumer, conditions, values, stops=None):
    """fn(*items): the elements (``values`` outcomes each, after ``conditions``
    outcomes that must all hold) fed to the consumer in order, by a generator, as
    the generator expression it stands for: a StopIteration an element raises
    becomes Python's RuntimeError (PEP 479). ``stops="map"``: it ends the elements
    quietly (``map``); ``"raise"``: it comes out as it is (a list comprehension)."""
    take = _CONSUMERS.get(consumer, consumer) if type(consumer) is str else consumer
    width = conditions + values

    def settled(item):
        if stops != "raise":
            return outcome(item)
        try:
            return outcome(item)
        except StopIteration as error:
            raise _Carried(error) from None   # (out of the generator as it is)

    def elements(items):
        for start in range(0, len(items), width):
            for index in range(start, start + conditions):
                if not settled(items[index]):
                    break
            else:
                if stops == "map":
                    try:
                        value = outcome(items[start])
                    except StopIteration:
                        return   # map's function raised it: the map ends there
                    yield value
                elif values == 1:
                    yield settled(items[start + conditions])
                else:
                    yield tuple(settled(items[start + conditions + i]) for i in range(values))

    def make(*items):
        try:
            return take(elements(items))
        except _Carried as carried:
            _throw(carried.error)
    return make


def _raised(fn, *args):
    """The exception ``fn(*args)`` raises."""
    try:
        fn(*args)
    except BaseException as error:
        return error
    return None  # pragma: no cover - raise_for always raises


def _star_parts(args, kwargs):
    return (args if type(args) is NotIterable else tuple(args),
            kwargs if type(kwargs) is KeywordsError else dict(kwargs))


def _star_call(fn, parts):
    args, kwargs = parts
    check_star_parts(fn, args, kwargs)
    return fn(*args, **kwargs)


def check_star_parts(fn, args, kwargs) -> None:
    """Raise, as Python words it, what made ``fn(*args, **kwargs)``'s parts unusable."""
    if type(args) is NotIterable:
        raise TypeError(f"{function_str(fn)} argument after * must be an iterable, not "
                        f"{type(args.value).__name__}")
    if type(kwargs) is KeywordsError:
        kwargs.raise_for(fn)


class NotIterable:
    """``f(*x)`` with an ``x`` that is not iterable (raised by the call, naming it)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def not_iterable(value) -> bool:
    kind = type(value)
    return not hasattr(kind, "__iter__") and not (hasattr(kind, "__getitem__")
                                                  and not issubclass(kind, dict))


class KeywordsError:
    """Why ``f(a=1, **d)``'s keywords cannot be merged; raised, as Python words it,
    with the callee's name once it is known (``raise_for``)."""

    __slots__ = ("template", "error")

    def __init__(self, template, error=None):
        self.template = template   # "{} got multiple values for keyword argument 'a'"
        self.error = error         # an error of the mapping's own code, raised as is

    def raise_for(self, fn):
        if self.error is not None:
            raise self.error
        raise TypeError(self.template.format(function_str(fn)))

    def keys(self):   # ``**kwargs`` of a call that never learns the callee's name
        raise TypeError(self.template.format("a call") if self.error is None else "")


def function_str(fn) -> str:
    """A callable as CPython names it in argument errors: ``module.qualname()``."""
    qualname = getattr(fn, "__qualname__", None)
    if not isinstance(qualname, str):
        return str(fn)
    module = getattr(fn, "__module__", None)
    if isinstance(module, str) and module != "builtins":
        return f"{module}.{qualname}()"
    return f"{qualname}()"


def keywords_of(*pairs):
    """``{**d, 'k': v, ...}`` for a call: ``(name or None, value)`` pairs merged in
    order; a name twice, or a ``**`` operand that is not a mapping, is a
    ``KeywordsError`` (what Python raises, once the callee's name is known)."""
    merged = {}
    for name, value in pairs:
        if name is not None:
            if name in merged:
                return KeywordsError(f"{{}} got multiple values for keyword argument '{name}'")
            merged[name] = value
            continue
        if not hasattr(type(value), "keys"):
            return KeywordsError("{} argument after ** must be a mapping, not "
                                 + type(value).__name__)
        try:
            keys = value.keys()
            items = [(key, value[key]) for key in keys]
        except Exception as error:   # the mapping's own code failed: its error
            return KeywordsError("", error)
        for key, item in items:
            if not isinstance(key, str):
                return KeywordsError("keywords must be strings")
            if key in merged:
                return KeywordsError(f"{{}} got multiple values for keyword argument '{key}'")
            merged[key] = item
    return merged


def _collect_dict(*flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


_COLLECTORS = {"list": lambda *items: list(items), "set": lambda *items: set(items),
               "dict": _collect_dict}
_PLAIN_VALUES = frozenset({int, float, str, bytes, bool, type(None), tuple, list, dict, set,
                           frozenset, complex, range})
_CALLABLE_TYPES = frozenset({FunctionType, type(len), type(_call_method.__get__(0)),
                             type([].append)})
_ITERATOR_TYPES = frozenset({type(x for x in ()), map, filter, zip, enumerate, reversed})


def _world(bound):
    return _effects.facts_of(bound).world


_PROCESS_WORLD = (_effects.WORLD_PROCESS,)


def _process_world(obj, name=None) -> tuple:
    """``os.environ[k] = v``, ``sys.argv = [...]``, ``sys.argv.extend(...)``: a change
    of what the environment's readers read (``os.getenv``, ``parse_args()``), which
    wait for it. (``os`` is loaded by then: the engine's users imported it.)"""
    os_module = sys.modules.get("os")
    if obj is sys:
        return _PROCESS_WORLD if name in ("argv", "path") else ()
    if os_module is None:
        return ()
    if obj is os_module:
        return _PROCESS_WORLD if name in ("environ", "environb") else ()
    if obj is os_module.environ or obj is sys.argv or obj is sys.path \
            or obj is getattr(os_module, "environb", None):
        return _PROCESS_WORLD
    return ()


# Builtin containers: what each method does to its object.
_MUTATING = {
    type(None): frozenset(),
    list: frozenset({"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse",
                     "__setitem__", "__delitem__", "__iadd__", "__imul__"}),
    dict: frozenset({"pop", "popitem", "clear", "update", "setdefault", "__setitem__",
                     "__delitem__", "__ior__"}),
    set: frozenset({"add", "remove", "discard", "pop", "clear", "update", "intersection_update",
                    "difference_update", "symmetric_difference_update", "__ior__", "__iand__",
                    "__isub__", "__ixor__"}),
    bytearray: frozenset({"append", "extend", "insert", "pop", "remove", "clear", "reverse",
                          "__setitem__", "__delitem__", "__iadd__", "__imul__"}),
}


_method_cache: dict = {}


def _method_facts(obj, name, bound):
    """(kind, world keys) of ``obj.name``; cached per type for builtin types."""
    kind_of = type(obj)
    key = (kind_of, name)
    found = _method_cache.get(key)
    if found is not None:
        return found
    kind = method_kind(obj, name, bound)
    world = tuple(_world(bound)) if kind != _effects.PURE else ()
    found = (kind, world)
    if type(getattr(bound, "__func__", None)) is not FunctionType \
            and _effects.module_name(kind_of) == "builtins":
        if len(_method_cache) > 4096:
            _method_cache.clear()
        _method_cache[key] = found  # a user's method may be redefined: not cached
    return found


def _changes_arguments(bound) -> bool:
    """Does this Python function (plain, or bound to its object) change an argument
    other than the object it is bound to?"""
    if type(bound) is FunctionType:
        return bool(_effects.facts_of(bound).mutates)
    func = getattr(bound, "__func__", None)
    if type(func) is not FunctionType:
        return False
    facts = _effects.inferred(func)
    if facts is None:
        return True   # its code cannot be read: order it after what it is given
    code = func.__code__
    own = {0, code.co_varnames[0]} if code.co_argcount else {0}
    return bool(facts.mutates - own)


def method_kind(obj, name, bound) -> str:
    """PURE, READS or EFFECT for ``obj.name(...)`` with ``obj`` at hand."""
    kind = type(obj)
    if kind in _IMMUTABLE or kind is tuple:
        return _effects.PURE
    func = getattr(bound, "__func__", None)
    if type(func) is FunctionType:
        # A method written in Python: an effect on its object unless inference
        # shows that it leaves its object (and the world) alone.
        facts = _effects.inferred(func)
        if facts is None or facts.mutates & {0, "self"}:
            return _effects.EFFECT
        return facts.kind
    for base in kind.__mro__:
        mutating = _MUTATING.get(base)
        if mutating is not None:
            return _effects.EFFECT if name in mutating else _effects.PURE
    listed = _effects.listed(bound)
    if listed is not None:
        return _effects.EFFECT if listed.mutates else listed.kind
    return _effects.EFFECT  # a method of an unknown type: assume it changes its object


def _stateful(part) -> bool:
    """Is ``part`` an iterator of its own (advancing it changes it)? Asked of the
    type, never by calling ``iter()``: that runs the object's code (and may raise).
    An iterator over a list is one too: whoever else holds it sees it advance."""
    return hasattr(type(part), "__next__")


def unpack_values(value, count, after):
    """Python's unpacking rules, with Python's error messages. Without a starred
    target Python reads one item more than the targets, not the whole iterable (an
    iterator keeps the rest; an endless one ends)."""
    kind = type(value)
    if not hasattr(kind, "__iter__") and not hasattr(kind, "__getitem__"):
        # Raised here, not while handling iter()'s error: its __context__ stays None.
        raise TypeError(f"cannot unpack non-iterable {kind.__name__} object")
    if after is None and kind is not list and kind is not tuple:
        items = list(itertools.islice(iter(value), count + 1))
    else:
        items = list(value)
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
