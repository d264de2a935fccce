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

import builtins as _builtins
from gc import get_referents as _referents
import sys
import threading
import time
from collections import deque
from contextvars import copy_context as _copy_context
from time import perf_counter as _clock
from types import (BuiltinFunctionType, CodeType, FunctionType, GeneratorType,
                   GetSetDescriptorType, MemberDescriptorType, MethodDescriptorType, MethodType,
                   WrapperDescriptorType)

from . import effects as _effects
from .executors import inside_executor
from .handled import handled_exception, set_handled_traceback, swapped_handled
from .tasks import (_IMMUTABLE, _ITERATOR_TYPES, _NO_TASK, CALL, CANCELLED, DONE, EFFECT, FAILED,
                    PENDING, PURE, READY, RUNNING, UNBOUND, Deferred, Task, _all_deferred,
                    _inside_deferred, _raw, _stateful, _value, immutable)
from .callers import (_WITH_KEEPS_OLD_TRACEBACK, _as_body, _call_got, _final_traceback,
                      _keep_user_frames, _throw, handling, looks_at_caller, named_like_body,
                      outcome)
from .reach import (_MODULE, _NEVER_CHANGED, _PARTIAL, _add_held, _decimal_context_type,
                    _functions_run_by, _global_names, _holds_its_lock, _holds_lock_of,
                    _in_project, _reached_from, _reads_thread_local, _reentrant,
                    _thread_locals_seen)
from .reach import ANY_NAME, _strings_of, may_touch as _may_touch, names_set_on_modules as _names_set_on_modules
from .iteration import (_BUILTIN_ITERATORS, _CHANGING_ITERATORS, _STOPS, _AheadOfBody,
                        _Carried, _DeferredGuarded, _ElementGuarded, _StopsWithConsumer,
                        _may_be_deferred,
                        _GeneratorExpression, _Guarded, _Owning, _RunsAhead, _failed_step,
                        _from_generator, _in_spans, _made_fresh, _reads_module_data,
                        _seen_advancing, _take_elements)

_CLOCK_WORLD = _effects.WORLD_CLOCK   # readings of it are fences: see Body._call


def _with_world(targets) -> tuple:
    """The compiler's ``"*world"`` (code that may touch anything outside) as every
    part of the world."""
    return (*[t for t in targets if t != "*world"], *_effects.WORLD_ALL)

WINDOW = 8192          # entries in flight before the owner stops issuing and retires


_tls = threading.local()

# Room above the recursion limit for desync's bookkeeping after a failure right at
# the limit. The limit is one setting for every thread: each raise and its undo is
# relative and made under one lock, so overlapping threads leave it as it was (a
# value saved and put back would undo another thread's raise, or keep it for good).
# Written out where used: a helper's frame would not fit at the limit. A raise that
# cannot be undone where it was made (that frame is too deep for the lower limit;
# 3.11 counts the call into C) is owed, and undone at the end of a later call.
_ROOM = 200
_room_lock = threading.Lock()
_room_owed: list = []


def _pay_room():
    """Undo the raises of the recursion limit owed (see ``_ROOM``), where there is room."""
    with _room_lock:
        while _room_owed:
            try:
                sys.setrecursionlimit(sys.getrecursionlimit() - _ROOM)
            except RecursionError:   # still too deep here: a later end undoes it
                return
            _room_owed.pop()


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
    with _room_lock:
        sys.setrecursionlimit(sys.getrecursionlimit() + _ROOM)
    try:
        with scope.lock:
            for task in tasks:
                if task.state == RUNNING:
                    scope._settle_locked(task, FAILED, None, error)
    finally:
        try:
            with _room_lock:
                sys.setrecursionlimit(sys.getrecursionlimit() - _ROOM)
        except RecursionError:   # too deep to undo here (see _ROOM)
            _room_owed.append(_ROOM)


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
                with _room_lock:
                    sys.setrecursionlimit(sys.getrecursionlimit() + _ROOM)
                scope._settle_stranded()
    finally:
        _tls.scope, _tls.inline = outer
        if queue:   # (left by an error, a RecursionError at the limit: see _finish_all)
            scope.abandoned = queue


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
        self.deferring = False                # a speculative call was deferred (see _defer)
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
        self.state_read_from = 0              # seq from which issued entries may read it
        self.state_readers: list = []         # entries that may read it, still pending
        self.state_objects: dict = {}         # id -> the module objects read since then
        self.getter_tasks: dict = {}          # id -> a getter's pending call, read unwaited
        self.shared_objects: dict = {}        # id -> (what a getter handed out, the getter)
        self.getter_of: dict = {}             # id of a getter's pending call -> the getter
        self.wanted = None                    # the calls the owner waits for, if known
        self.global_objects: dict = {}        # global name -> keys of changes to its object
        self.receivers: dict = {}             # id of an object changed -> (it, the effect)
        self.tracking = False                 # record receivers (see track_changes)
        self.tracked = None                   # the names whose effects are, if not all
        self.unkeyed: dict = {}               # ... and the changes the compiler did not key
        self.receivers_held = self.unkeyed_held = 64   # their sizes before pruning
        self.unnamed_change = None            # ... and an effect whose object is not known
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
            if _room_owed:
                try:
                    _pay_room()
                except RecursionError:   # (no room for the call: a later end pays)
                    pass
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
        self.state_readers = []
        self.state_objects.clear()
        self.getter_tasks.clear()
        self.shared_objects.clear()
        self.getter_of.clear()
        self.unkeyed = {}
        self.receivers.clear()   # (the objects the body changed, and their effects)
        self.unnamed_change = None
        self.log.clear()
        self.fence = None
        self.deferring = False
        self.frame = None
        self.cells = None
        self.origins.clear()

    # -- issuing entries (owner thread) ----------------------------------------
    def _spawn(self, kind, fn, args, kwargs, keys, lasti, generated=False, targets=None,
               soft=False, tolerant=False, extra=(), shared_checked=False):
        """Issue an entry. ``soft``: a speculative task outside the buffer, whose
        failure matters only to the entry that consumes it. ``tolerant``: an entry
        that runs once its inputs are settled, failed or not (it looks at them)."""
        if self.abort_seq is not None:
            self._fault_now()
        if kind == EFFECT and not shared_checked and args \
                and (self.getter_tasks or self.shared_objects):
            # (the object changed: a bound method's own, else the first argument's;
            # ``out.append(key)`` hands the getter's result on, no more)
            owner = getattr(fn, "__self__", None)
            shared = self._shared_among((owner,) if owner is not None
                                        and type(owner) is not _MODULE else args[:1])
            if shared:   # (``heapq.heappush(seen, x)``, ``d[k] = v`` on a getter's result)
                task = self._spawn(kind, fn, args, kwargs, keys, lasti, generated, targets,
                                   soft, tolerant, extra, True)
                for obj in shared:
                    self._changing(obj, task, known=True)
                return task
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
        given = False   # a step's result among the inputs (see the judging below)
        for arg in args:
            if type(arg) is Task:
                given = True
                if arg.state != DONE:
                    deps.append(arg)
        if kwargs:
            for arg in kwargs.values():
                if type(arg) is Task:
                    given = True
                    if arg.state != DONE:
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
            task.first_failure = None
        if not deps and given and soft and _made_where_reached(task, self):
            # (a step ahead whose input, settled since it was looked at, runs code:
            # see _settle_locked)
            with self.lock:
                self._settle_locked(task, DONE, Deferred(fn, args, kwargs), None)
            return task
        if not deps and kind == CALL and given and not soft and not tolerant \
                and _runs_inputs(task, self):
            # A step's result the caller saw pending (and left to _settle_locked to
            # judge) settled before it got here: judged now (a callable object whose
            # ``__call__`` prints runs in program order).
            task.kind = kind = EFFECT
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
                elif state != DONE and not tolerant and (broken is None or dep.seq < broken.seq):
                    broken = dep
            task.waiting = waiting
            task.state = PENDING
            if broken is not None and soft and waiting:
                # (a speculative step: an input before the failed one may fail first,
                # as Python takes them left to right; see _settle_locked)
                task.first_failure = broken
            elif broken is not None and soft and _given_a_later_step(task):
                self._settle_locked(task, DONE, Deferred(fn, args, kwargs), None)
            elif broken is not None:
                self._settle_locked(task, CANCELLED, None, broken.error)
            elif waiting == 0 and given and soft and _made_where_reached(task, self):
                self._settle_locked(task, DONE, Deferred(fn, args, kwargs), None)
            elif waiting == 0 and kind == CALL and given and not soft and not tolerant \
                    and _runs_inputs(task, self):
                # An input pending when it was looked at, settled since: what it gave
                # is judged as _settle_locked judges it (a callable object whose
                # ``__call__`` prints runs in program order).
                task.kind = kind = EFFECT
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
            # Handled: from here on it is the body's own exception. ``raise saved``
            # later adds the raising line on top, as in plain Python (the scope's exit
            # must not rebuild it from the failing entry).
            del self.origins[id(error)]
            if _KEEPS_OWN_EXC_INFO:
                set_handled_traceback(error)   # (what a bare ``raise`` re-raises on 3.10)
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
        # (what was discarded reads nothing plain Python reaches: a later change
        # must not wait for it, nor take its failure)
        self.state_readers = []
        self.state_read_from = 0
        self.state_objects.clear()

    # -- settling (any thread) --------------------------------------------------
    def _settle_locked(self, task, state, value, error, flushing=False):
        """Record an outcome and release dependants; (inline, queued) to run next.
        A task's state is set when it is pushed, so one that depends on two failed
        tasks is settled (and counted) once.

        The owner reads states without the lock (``_spawn``, ``_retire``), so the
        order of the writes matters: the value, the error and the taking of the
        dependants come before the state (a task seen settled has its value, not
        the None it was made with, and no dependants left to drop); the inputs are
        let go after it (a task seen pending still has what it was given and the
        function that makes it: a pending ``[show]``, a pending ``map(...)``)."""
        inline, queued = [], []
        if state == FAILED and self.generator_spans is not None and not task.soft \
                and isinstance(error, StopIteration) and _in_spans(task.seq,
                                                                   self.generator_spans):
            # (PEP 479, before its dependants get it; a speculative step's is its
            # consumer's to judge: ``map`` ends quietly on it)
            error = _from_generator(error)
        stack = [(task, state, value, error)]
        abort = self.abort_seq
        while stack:
            task, state, value, error = stack.pop()
            task.value = value
            task.error = error
            dependents, task.dependents = task.dependents, None
            task.state = state
            task.fn = task.args = task.kwargs = None
            self.settled += 1
            if state == FAILED and not task.orphan and not flushing and not task.soft:
                if abort is None or task.seq < abort:
                    abort = self.abort_seq = task.seq
            if not dependents:
                continue
            for dep in dependents:
                if dep.state != PENDING:
                    continue
                if state != DONE and not dep.tolerant:
                    failed = error
                    if dep.soft:
                        # A speculative step fails with its inputs' first failure in
                        # program order (Python evaluates them left to right): known
                        # once every input is settled.
                        first = dep.first_failure
                        if first is None or task.seq < first.seq:
                            dep.first_failure = task
                        dep.waiting -= 1
                        if dep.waiting:
                            continue
                        failed = dep.first_failure.error
                        if _given_a_later_step(dep):
                            # (an input before the failed one may be a call left for
                            # where it is reached: its effects come first, in order)
                            stack.append((dep, DONE, Deferred(dep.fn, dep.args,
                                                              dep.kwargs), None))
                            continue
                    _cancel(dep, failed)
                    stack.append((dep, CANCELLED, None, failed))  # carries the failure it came from
                    continue
                dep.waiting -= 1
                if dep.waiting:
                    continue
                if dep.soft and dep.first_failure is not None:
                    failed = dep.first_failure.error
                    if _given_a_later_step(dep):
                        stack.append((dep, DONE, Deferred(dep.fn, dep.args, dep.kwargs),
                                      None))
                        continue
                    _cancel(dep, failed)
                    stack.append((dep, CANCELLED, None, failed))
                    continue
                if dep.kind == EFFECT:
                    continue  # the owner runs it when it reaches the head
                if abort is not None and dep.seq > abort and not dep.soft:
                    _cancel(dep, None)
                    stack.append((dep, CANCELLED, None, None))
                elif not dep.soft and not dep.tolerant and _runs_inputs(dep, self):
                    # Given, by a step still pending when it was issued, an iterator
                    # (advancing it is a change) or a function with effects: it runs
                    # in program order, made by the owner at the head.
                    dep.kind = EFFECT
                elif dep.soft and _made_where_reached(dep, self):
                    # The same for a step ahead (``make_with(Caller(), x)`` in a branch
                    # not taken): it is not made now, but where plain Python reaches
                    # it, if it does (``outcome`` makes it there, in order).
                    stack.append((dep, DONE, Deferred(dep.fn, dep.args, dep.kwargs), None))
                elif dep.kind == PURE:
                    dep.state = RUNNING
                    inline.append(dep)
                else:
                    dep.state = READY
                    queued.append(dep)
        if self.owner_waiting:
            self.cond.notify_all()
        return inline, queued

    def _holds_doers(self, container, settle=False) -> bool:
        """Functions with effects, or the body's own changes, handed over in a
        container (handlers, a dispatch table, an options dict). ``settle`` (the owner,
        as the call is issued): a lambda over a variable the body is still writing
        is judged once it is written (``(lambda v: zs.append(v),)`` right after
        ``*zs, b = make()``: what ``zs`` will hold decides whether it changes it)."""
        for item in _effects.callables_in(container):
            if settle and type(item) is FunctionType and item.__closure__ is not None \
                    and self.cells:
                self._settle_cells_of(item)
            if self._does_more(item):
                return True
        return False

    def _does_more(self, fn) -> bool:
        """A callable handed to a callee that has effects, changes its arguments, or
        is the body's own change (a lambda of the body changing what it holds)."""
        return _does_more(fn) or (type(fn) is FunctionType and self._changes_own_state(fn))

    def _settle_cells_of(self, fn) -> None:
        cells = self.cells
        keys = [cells[id(cell)] for cell in fn.__closure__ if id(cell) in cells]
        if keys:
            self._wait_keys(keys)   # (an effect already done is skipped there)

    def _built_from_doers(self, task) -> bool:
        """Is a pending step building its value (a list, a dict) from functions with
        effects or of the body's own changes? Known now, while the order of what reads
        the objects they change is decided (when the step is done, too late)."""
        args, kwargs = task.args, task.kwargs
        if args is None:   # settled meanwhile (a worker let go of its inputs)
            return False
        for item in (*args, *(kwargs.values() if kwargs else ())):
            kind = type(item)
            if kind in _HOLDER_KINDS:
                if item and self._holds_doers(item, settle=True):
                    return True   # ``[[show]]``
                continue
            if kind in _PLAIN_VALUES or kind is Task or not callable(item):
                continue
            if kind is FunctionType and item.__closure__ is not None and self.cells:
                self._settle_cells_of(item)   # ``[lambda v: zs.append(v)]``, ``zs`` pending
            if self._does_more(item):
                return True
        return False

    def _changes_own_state(self, fn) -> bool:
        """Is ``fn`` a lambda or ``def`` of this body that changes what its variables
        hold (``lambda v: xs.append(v)``)? The body's own change, made through a
        callee: in program order, after every earlier call succeeded. (A module's
        function changing module state, handed over, runs as it would if called.)"""
        return fn.__closure__ is not None and self.frame is not None \
            and _nested_in(fn.__code__, self.frame.f_code) \
            and _effects.WORLD_STATE in _effects.facts_of(fn).world

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
        with self.lock:
            if task.state != READY:
                return   # cancelled meanwhile: an earlier failure flushed the buffer
            task.state = RUNNING
            fn, args, kwargs = task.fn, task.args, task.kwargs
        fn = _value(fn)
        args = tuple(_value(a) for a in args)
        kwargs = {k: _value(v) for k, v in kwargs.items()} if kwargs else None
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
                with _room_lock:
                    sys.setrecursionlimit(sys.getrecursionlimit() + _ROOM)
                self._settle_stranded()

    def _pop_wanted_locked(self):
        """A queued call the owner waits for (see ``wanted``), taken before older ones:
        the oldest may be a slow call a worker is about to take, while this one (a quick
        call that changes module state, read next) is all the owner needs."""
        wanted = self.wanted
        if wanted and self.foreign_submit is None and self.abort_seq is None:
            for task in wanted:
                if task.state == READY and task.kind == CALL:
                    task.state = RUNNING
                    return task
        return None

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
                with _room_lock:
                    sys.setrecursionlimit(sys.getrecursionlimit() + _ROOM)
            except BaseException:
                # Not even room for that (this frame is at the limit; on 3.10 a call
                # into C counts too): the caller settles it, a frame up (no call here).
                self.stranded = (task, error)
                return
            try:
                self._settle_failed(task, error)
            finally:
                try:
                    with _room_lock:
                        sys.setrecursionlimit(sys.getrecursionlimit() - _ROOM)
                except RecursionError:   # too deep to undo here (see _ROOM)
                    _room_owed.append(_ROOM)

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
        recursion limit by ``_ROOM`` first, a frame above it; it is put back here."""
        try:
            task, error = self.stranded
            self.stranded = None
            self._settle_failed(task, error)
        finally:
            try:
                with _room_lock:
                    sys.setrecursionlimit(sys.getrecursionlimit() - _ROOM)
            except RecursionError:   # too deep to undo here (see _ROOM)
                _room_owed.append(_ROOM)

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
                task = self.owner_running = (self._pop_wanted_locked() or self._pop_locked()) \
                    if self.ready else None
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
                    with _room_lock:
                        sys.setrecursionlimit(sys.getrecursionlimit() + _ROOM)
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
            saved, self.wanted = self.wanted, (task,)
            try:
                self._help_until(lambda: task.state >= DONE)
            finally:
                self.wanted = saved
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
            task = self._spawn(EFFECT, fn, args, kwargs, None, lasti,
                               targets=(*keys, *_PROCESS_WORLD))
            if self.tracking:
                self.unnamed_change = task   # (``settings.SEEN.append`` still pending)
            return task
        owner = getattr(fn, "__self__", None)
        if owner is not None and type(owner) is not _MODULE and not issubclass(type(owner), type) \
                and method_kind(owner, getattr(fn, "__name__", ""), fn) != _effects.PURE:
            # A bound method called through another name (``add = res.append``).
            task = self._spawn(EFFECT, fn, args, kwargs, None, lasti,
                               targets=(*keys, *_world(fn), *_process_world(owner)))
            if not keys:
                self.fence = task  # the compiler did not see its object: order all after
            # (``settings.SEEN.append`` read as ``SEEN``; the compiler did not key it)
            self._changing(owner, task, known=not keys)
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
            # (``WORLD_STATE``: the only world a pure callee has)
            return self._spawn_call(fn, args, kwargs, keys, lasti,
                                    _effects.WORLD_STATE in facts.world)
        if kind == _effects.READS and not facts.mutates:
            return self._spawn_call(fn, args, kwargs, (*keys, *facts.world), lasti,
                                    _effects.WORLD_STATE in facts.world)
        targets = (*keys, *facts.world)
        if facts.mutates and self.tracking:
            task = self._call_changing(fn, args, kwargs, lasti, keys, targets, facts)
            if task is not None:
                return task
        if (facts.mutates and not keys) or _CLOCK_WORLD in facts.world:
            # Mutates an argument the compiler did not see being mutated: order
            # everything after it too. A clock reading too: the calls after it start
            # after it, so ``t0 = perf_counter(); work(); perf_counter() - t0``
            # measures work() as plain Python does.
            task = self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=targets)
            self.fence = task
            if _effects.WORLD_STATE in facts.world or args and _store_changes_state(fn, args):
                self._changes_state(task)
            return task
        task = self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=targets)
        if _effects.WORLD_STATE in facts.world:
            # (``Plugin(name)`` whose ``__init__`` registers it in a module-level list:
            # in order among effects, and the body's reads of that list wait for it)
            self._changes_state(task)
        return task

    def call_star(self, keys, fn, args, kwargs):
        """``fn(*args, **kwargs)`` where the tuple and the dict may be futures."""
        lasti = sys._getframe(1).f_lasti
        if type(args) is Task or type(kwargs) is Task or type(fn) is Task and (
                type(kwargs) is KeywordsError or type(args) is NotIterable):
            parts = self._spawn(PURE, _star_parts, (args, kwargs), None, None, lasti,
                                generated=True)
            return self._spawn(EFFECT if type(fn) is Task else CALL, star_call,
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
                shared = self.shared_objects
                for name in names:
                    value = namespace.get(name)
                    if shared and value is not None:
                        # (``count()`` calling ``get_seen()``: reads what it handed out)
                        changed.extend(obj for obj, getter in list(shared.values())
                                       if getter is value)
                    if value is not None and type(value) not in _NEVER_CHANGED:
                        changed.append(value)
                        _add_held(changed, value, names)
                        if type(value) is dict:   # (``len(REG["a"])`` after ``b.append(1)``)
                            _add_rows(changed, value, target.__code__)
                changed.append(namespace)   # ``globals()["X"] = v``
                changed.append(sys.modules.get(namespace.get("__name__", "")))  # its module
                for cell in target.__closure__ or ():   # what it holds: cells, defaults
                    try:
                        changed.append(cell.cell_contents)
                    except ValueError:
                        pass
                changed.extend(target.__defaults__ or ())
                changed.extend((target.__kwdefaults__ or {}).values())   # (``*, table=TABLE``)
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
                maker = held.fn   # (before the state: let go of only after it is set)
                if held.state != DONE:
                    if _makes_iterator(maker):
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
            if kind is Task:
                if arg.state != DONE:
                    if arg.kind == PURE and self._built_from_doers(arg):
                        return True   # ``[show]`` still being built by a step of its own
                    if arg.state != DONE:   # (it may have settled meanwhile)
                        continue  # judged when it is ready (see _runs_inputs)
                arg = arg.value   # (``[show]`` built by a step of its own)
                kind = type(arg)
            if kind in _HOLDER_KINDS:
                if arg and self._holds_doers(arg, settle=True):
                    return True  # run_all([show, neg], x): the callee calls them
                continue
            if kind in _PLAIN_VALUES:
                continue
            if kind in _ITERATOR_TYPES or (kind not in _CALLABLE_TYPES and _stateful(arg)):
                return True
            if kind not in _CALLABLE_TYPES and _methods_do_more(fn, kind):
                return True   # (``fetch_with(client, x)`` calling ``client.get(x)``, which prints)
            if kind is FunctionType and arg.__closure__ is not None and self.cells:
                # ``key=lambda v: p.key(v)`` while the body's write of ``p`` is still
                # pending: what it runs depends on what ``p`` will hold. Judged once
                # written (the call waits for that write anyway).
                self._settle_cells_of(arg)
            if (kind in _CALLABLE_TYPES or callable(arg)) and self._does_more(arg):
                return True  # (a partial, a class, an object with __call__ too)
        if self.cells is not None and self._closes_over_body(fn, args, kwargs, keys):
            return True
        return False

    def method(self, target, keys, obj, name, /, *args, **kwargs):
        """``obj.name(*args)``: an effect on ``target`` unless the method only reads."""
        return self._method(target, keys, obj, name, args, kwargs, sys._getframe(1).f_lasti)

    def look_up(self, obj, name):
        """``obj.name`` looked up where Python looks it up, before the call's arguments
        are evaluated: ``obj.missing(f())`` fails before ``f()`` is called, and an
        argument that replaces the method does not change the one called. What
        ``method_bound`` then calls. (A receiver still pending: the call looks it up.)"""
        if type(obj) is Task:
            # Its class is not known yet: a step finds out, once it is, whether the
            # lookup must fail (running none of the user's code); the call looks it up.
            self._spawn(PURE, _check_attribute, (obj, name), None, None,
                        sys._getframe(1).f_lasti, generated=True)
            return _LOOKED_UP_LATER
        try:
            return getattr(obj, name)
        except BaseException as error:
            return self._failed_now(error, sys._getframe(1).f_lasti)

    def method_bound(self, target, keys, obj, name, bound, /, *args, **kwargs):
        """``method`` with the method ``look_up`` found (or the failure it had)."""
        if type(bound) is Task:
            return bound   # the lookup failed, in its place: the call is never made
        lasti = sys._getframe(1).f_lasti
        if bound is _LOOKED_UP_LATER:
            return self._method(target, keys, obj, name, args, kwargs, lasti)
        return self._method(target, keys, obj, name, args, kwargs, lasti, bound)

    def _method(self, target, keys, obj, name, args, kwargs, lasti, bound=None):
        if type(obj) is Task and self.getter_tasks.get(id(obj)) is obj:
            self._settle_getter(obj)   # (``seen = get_seen()`` pending, then ``seen.append``)
        if type(obj) is Task and obj.state == DONE:
            obj = obj.value   # (``client = Client()`` made by now: judged as any object)
        if type(obj) is not Task:
            if bound is None:
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
                return self._spawn_call(bound, args, kwargs, keys, lasti,
                                        _changes_module_state(bound))
            if kind == _effects.READS and not changes_arguments \
                    and not self._runs_other_code(bound, args, kwargs, keys):
                return self._spawn_call(bound, args, kwargs, (*keys, *world), lasti,
                                        _changes_module_state(bound))
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
                return self._changed_state_by(bound, task)
            task = self._spawn(EFFECT, bound, args, kwargs, None, lasti, targets=targets)
            self._changing(obj, task)
            return self._changed_state_by(bound, task)
        if _holds_mutable(args, kwargs):
            # The object is still being made, and whether its method changes the
            # objects it is given (``handler.take(words, line)``) is known only from
            # the method: wait for the object. (A call's pending result passed on,
            # ``groups.setdefault(k, []).append(slow(x))``, does not make it wait.)
            return self._method(target, keys, self.get(obj), name, args, kwargs, lasti)
        targets = target if type(target) is tuple else (target,)
        # (what it is is not known yet: its method may touch anything, a file, the
        # environment, module state; ``(Path(d) / name(1)).mkdir()`` before
        # ``os.listdir(d)``, ``Registry().add(v)`` appending to a module-level list)
        task = self._spawn(EFFECT, _call_method, (obj, name, *args), kwargs, None, lasti,
                           targets=(*targets, *_effects.WORLD_ALL))
        self._changes_state(task)
        self._changing(obj, task)
        return task

    def _spawn_call(self, fn, args, kwargs, keys, lasti, changes_state):
        """A call as a task; one that changes module state waits for the reads of it
        issued before (``_state_read``), and the body's later reads wait for it."""
        if not changes_state:
            return self._spawn(CALL, fn, args, kwargs, keys, lasti)
        return self._changes_state(self._spawn(CALL, fn, args, kwargs, keys, lasti,
                                               extra=self._state_read()))

    def _call_changing(self, fn, args, kwargs, lasti, keys, targets, facts):
        """A call that changes arguments (``heapq.heappush(SEEN, v)``), made in order as
        below, whose arguments are remembered as changed: the body reads them under
        other names (``settings.SEEN[0]``)."""
        task = self._spawn(EFFECT, fn, args, kwargs, None, lasti, targets=targets)
        if not keys or _CLOCK_WORLD in facts.world:
            self.fence = task
        if _effects.WORLD_STATE in facts.world or args and _store_changes_state(fn, args):
            self._changes_state(task)   # (``setattr(t, "value", v)`` running a setter)
        for where in facts.mutates:
            value = args[where] if type(where) is int and where < len(args) else \
                kwargs.get(where) if kwargs and type(where) is str else None
            if value is not None:
                self._changing(value, task, known=True)
        return task

    def _changed_state_by(self, bound, task):
        """``task``, remembered among the calls that change module state when the
        Python function behind ``bound`` (``settings.configure`` found on a module
        imported in a ``try``, ``registry.add`` appending to a module-level list) is
        one: the body's later reads of module state wait for it."""
        if _changes_module_state(bound):
            self._changes_state(task)
        return task

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
            if _store_changes_state(fn, args):
                # (``t.value = v`` whose property setter appends to a module-level list:
                # the body's reads of module state after it wait for it)
                self._changes_state(task)
            self._changing(args[0], task)   # (a store's object)
            if type(args[0]) is _MODULE and len(args) > 1 and type(args[1]) is str \
                    and self.tracking:
                # (``settings.SEEN += [x]``: the list itself changes, read as ``SEEN``)
                self._changing(vars(args[0]).get(args[1]), task)
        return task

    def store(self, targets, held, fn, /, *args, **kwargs):
        """A store, ``del`` or augmented store into ``args[0]`` (``fn``, a helper of
        the runtime's) that may also change ``held``, the objects the object holds in
        its attributes: when it runs code of the user's (a property setter,
        ``__setattr__``, ``__setitem__``)."""
        obj = args[0]
        if type(obj) is Task and obj.state == DONE:
            obj = obj.value   # (``svc = Service()``, made by then)
        if type(obj) is Task or not plain_store(obj, fn.__name__, args[1]):
            targets = (*targets, *held)
        return self._effect(targets, fn, args, kwargs, sys._getframe(1).f_lasti, True)

    def _changing(self, obj, task, known=False):
        """Remember the object an effect changes: a callee reading it under another
        name waits for the change (``_globals_pending``)."""
        if self.tracking and task.state < DONE:
            tracked = self.tracked
            if tracked is not None and not known \
                    and not any(key in tracked for key in task.targets or ()):
                return   # (``out.append(v)``: a local of the body)
            if type(obj) is Task:
                if obj.state < DONE:
                    self.unnamed_change = task   # (not known yet: see _settle_changed)
                    return
                obj = obj.value
            if not immutable(obj):
                if known:
                    self.unkeyed_held = _remember_change(self.unkeyed, obj, task,
                                                         self.unkeyed_held)
                self.receivers_held = _remember_change(self.receivers, obj, task,
                                                       self.receivers_held)

    def effect_method(self, targets, getter, inputs, name, /, *args, **kwargs):
        """``groups[k].append(x)``: a method of an object read (``getter(*inputs)``) when
        the call is made, in program order."""
        lasti = sys._getframe(1).f_lasti
        if type(targets) is str:
            targets = (targets,)
        if self.getter_tasks:
            for value in inputs:   # (``Single().items.append(x)``, the instance pending)
                if type(value) is Task and self.getter_tasks.get(id(value)) is value:
                    self._settle_getter(value)
        # (the object is not known before the call: its method may touch a file, the
        # environment, the terminal; ``(Path(d) / name).mkdir()`` then ``os.listdir(d)``)
        return self._spawn(EFFECT, _call_got, (getter, inputs, name, *args), kwargs, None,
                           lasti, targets=(*targets, *_effects.WORLD_ALL))

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
                maker = arg.fn   # (before the state: let go of only after it is set)
                if arg.state != DONE:
                    if _makes_iterator(maker):
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
    def _defer(self, fn, args, kwargs):
        """A speculative call that is an effect: made where the region or consumer
        reaches it. What is issued ahead after it for the same region is deferred too
        (``if stack.pop(): out.append(peek(stack))``: ``peek`` must see the pop)."""
        self.deferring = True
        return Deferred(fn, args, kwargs)

    def spec(self, keys, fn, /, *args, **kwargs):
        """A call plain Python may never make (in a ``try`` body, under a comprehension
        condition, in ``any(...)``): a task whose failure only counts if the code that
        consumes it gets there; an effect is deferred until then."""
        lasti = sys._getframe(1).f_lasti
        if self.deferring or type(fn) is Task or type(fn) is Deferred \
                or _has_deferred(args, kwargs):
            return self._defer(fn, args, kwargs)
        owner = getattr(fn, "__self__", None)
        if owner is not None and type(owner) is not _MODULE and not issubclass(type(owner), type) \
                and method_kind(owner, getattr(fn, "__name__", ""), fn) != _effects.PURE:
            return self._defer(fn, args, kwargs)
        facts = _effects.facts_of(fn)
        # (``lambda v: seen.append(v)``: changes what it holds, WORLD_STATE)
        if facts.mutates or facts.kind == _effects.EFFECT or \
                _effects.WORLD_STATE in facts.world or \
                self._runs_other_code(fn, args, kwargs, keys):
            return self._defer(fn, args, kwargs)
        if (_thread_locals_seen(fn) and _reads_thread_local(fn, args, kwargs)) or (
                type(fn) is FunctionType and _holds_its_lock(fn, args, kwargs)):
            # (what this thread put in a ``threading.local``, or an RLock it holds:
            # made on this thread, where the region reaches it, as ``call`` does)
            return self._defer(fn, args, kwargs)
        if facts.kind == _effects.READS:
            keys = (*keys, *facts.world)
        if self.boxes or self.receivers:   # reads a global the body is changing
            keys = (*keys, *self._globals_pending(fn, args, kwargs))
        return self._spawn(CALL, fn, args, kwargs, keys, lasti, soft=True)

    def spec_method(self, keys, obj, name, /, *args, **kwargs):
        if self.deferring or type(obj) is Task or type(obj) is Deferred:
            return self._defer(_call_method, (obj, name, *args), kwargs)
        try:
            bound = getattr(obj, name)
        except BaseException:
            return self._defer(_call_method, (obj, name, *args), kwargs)
        if method_kind(obj, name, bound) == _effects.EFFECT:
            return self._defer(bound, args, kwargs)
        return self.spec(keys, bound, *args, **kwargs)

    def spec_pure(self, keys, fn, *args):
        """A call-free expression over speculative values."""
        if self.deferring:
            return self._defer(fn, args, None)
        waiting = False
        for arg in args:
            kind = type(arg)
            if kind is Deferred:
                return self._defer(fn, args, None)
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

    def region(self, targets, fn, *args, narrow=None, calls=()):
        """A ``try`` statement run as written, in program order, once the speculative
        calls issued for it are settled: its handlers see what plain Python raised.
        ``narrow``: (keys, ((object, method), ...)) when all it changes is plain
        containers it was given: then only their keys, if they are."""
        lasti = sys._getframe(1).f_lasti
        fn = named_like_body(fn, self.frame)
        self.deferring = False   # (its deferred calls are made in there, in order)
        deferred = [arg for arg in args if type(arg) is Deferred]
        # (a deferred call runs inside it: it may change more than the step shows)
        arguments, state, plain, changers = _region_calls(calls, self.frame) if calls \
            else (False, False, True, ())
        named = _region_changes(narrow[1], self.frame) \
            if narrow is not None and plain and not deferred \
            and not any(_may_be_deferred(arg) for arg in args if type(arg) is Task) else None
        if named is not None:
            changed, worlds = named
            targets = (*narrow[0], *(_effects.WORLD_ALL if "*world" in targets else ()),
                       *worlds)
        elif "*world" in targets:
            targets = _with_world(targets)
        for arg in deferred:
            targets = (*targets, *_deferred_world(arg))
        task = self._spawn(EFFECT, fn, args, None, None, lasti, generated=True,
                           targets=targets, tolerant=True, extra=_inside_deferred(args))
        self._after_deferred(task, deferred)
        if arguments:
            self.fence = task   # (as ``call`` does for such a callee)
        if state or changers:
            self._changes_state(task)   # (``global n; n += 1`` in a callee)
        for changer in changers:
            # (``sorted(xs, key=track)`` or ``note(x)``, appending to a module-level
            # list: the step's change, in order, which a callee reading that list
            # waits for, as for the body's own changes; remembered even where the
            # compiler saw no change to remember, ``_changing``'s ``tracking``)
            reached = [target.__globals__.get(name) for target in
                       _reached_from(_functions_run_by(changer))
                       for name in _global_names(target.__code__)[0]]
            if type(changer) is _PARTIAL:   # ``partial(list.append, NOTED)``
                reached += [*changer.args, *changer.keywords.values()]
            for value in reached:
                if value is not None and type(value) not in _NEVER_CHANGED \
                        and type(value) not in _CALLABLE_VALUES and not immutable(value) \
                        and task.state < DONE:
                    self.receivers[id(value)] = (value, task)
        if named is not None:
            for obj in changed:
                # (``out`` may be a module's list a callee reads by its own name)
                self._changing(obj, task)
        return task

    def _after_deferred(self, task, deferred):
        """What a step that makes deferred calls is, besides its keys: a call that
        changes what it is given (``register(seen, v)``, ``helper.register(seen, v)``)
        makes everything after it wait, as such a call made directly does; one that
        changes module state is a state change the body's reads of globals wait for."""
        if not deferred:
            return
        every = _all_deferred(deferred)
        if _deferred_changes_arguments(every):
            self.fence = task
        if any(_effects.WORLD_STATE in _deferred_world(d) for d in every):
            self._changes_state(task)

    def consume(self, consumer, conditions, values, items, stops=None):
        """A comprehension or a consumed generator whose elements were computed ahead:
        ``consumer`` takes them in order, with their conditions, as plain Python does
        (``stops``: what an element's StopIteration does, see ``_consumer``)."""
        lasti = sys._getframe(1).f_lasti
        self.deferring = False
        make = _consumer(consumer, conditions, values, stops)
        deferred = [i for i in items if type(i) is Deferred]
        if deferred:
            targets = tuple(k for i in deferred for k in _deferred_world(i))
            task = self._spawn(EFFECT, make, tuple(items), None, None, lasti, generated=True,
                               targets=targets, tolerant=True, extra=_inside_deferred(items))
            self._after_deferred(task, deferred)
            return task
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
        if self.state_read_from and self.frame is not None:
            # (``settle_state()`` then ``settle(('@LOG',))``: ``LOG`` is read as module
            # state)
            namespace = self.frame.f_globals
            for key in keys:
                if type(key) is str and key[:1] == "@":
                    value = namespace.get(key[1:])
                    unkeyed = self.unkeyed
                    if unkeyed:
                        # (``APPEND = LOG.append`` called: a change the compiler could
                        # not key; its keyed ones are in order with this read already)
                        self._wait_for_change(unkeyed, value)
                    self._read_object(value)

    def _changes_state(self, task):
        changers = self.state_changers
        if type(task) is Task and task.state < DONE:
            if len(changers) >= 64:   # (a long loop of them: keep only the pending)
                changers[:] = [t for t in changers if t.state < DONE]
            changers.append(task)
        return task

    def _state_read(self) -> tuple:
        """The entries a call that changes module state, about to be issued, waits
        for: those issued since the owner last read module state (see ``settle_state``)
        and still pending. One may make that read when a slow result it also needs
        arrives (``out.append(slow(x) + len(SEEN))`` then ``note(x)``): it must see
        the state as it was before this call, as in plain Python. (Calls that change
        module state do not wait for each other: callees are promised to share no
        hidden state; an effect waits for every earlier entry anyway.)"""
        start = self.state_read_from
        readers = self.state_readers
        if start:
            # (still open after this call: a step issued after it that reads module
            # state, ``filter(lambda w: w >= LEVEL, [note(v), 3])`` with ``note`` a
            # change, is read before the next change; ``seq + 2``: not this call itself)
            self.state_read_from = self.seq + 2
            body = self.frame.f_code if self.frame is not None else None
            objects = self.state_objects
            for task in reversed(self.rob):
                if task.seq < start:
                    break
                if task.state < DONE and _may_read_state(task, body, objects):
                    readers.append(task)
            objects.clear()
        if not readers:
            return ()
        pending = [task for task in readers if task.state < DONE]
        if len(pending) > _READERS_HELD:
            # (a long run of them, all pending: waited for here, so that each later
            # change does not walk them all)
            self._wait_settled(pending)
            pending = []
        self.state_readers = pending
        return tuple(pending)

    def settle_state(self):
        """Before the owner reads a module global some function rebinds: the calls
        issued so far that change module state (``WORLD_STATE``) have run. What is
        issued from here until the next such call may read it (see ``_state_read``)."""
        if not self.state_read_from:
            self.state_read_from = self.seq + 1
        changers = self.state_changers
        if changers:
            pending = [task for task in changers if task.state < DONE]
            changers.clear()
            if pending:
                self._wait_settled(pending)

    def settle_state_of(self, part, words):
        """Before a step of a loop over module state (``part``, held under ``words``):
        the pending calls that change module state and may change it have run (see
        ``reach.may_touch``; ``words`` None: every such call may). Those that cannot
        reach it stay pending: ``for r in APP.routes: hit(r)`` with ``hit`` counting in
        ``APP.requests`` keeps its calls running together."""
        if not self.state_read_from:
            self.state_read_from = self.seq + 1
        changers = self.state_changers
        if not changers:
            return
        pending = [task for task in changers if task.state < DONE]
        if words is None or type(part) is _MODULE:
            relevant = pending
        else:
            relevant = [task for task in pending if _touches(task, part, words)]
        changers[:] = [task for task in pending if task not in relevant]
        if relevant:
            self._wait_settled(relevant)

    def reads_state(self):
        """A step issued next reads module state as it runs (an ``if`` or a ``try`` run
        as one step, after everything before it): the calls after it that change that
        state wait for it (see ``_state_read``)."""
        if not self.state_read_from:
            self.state_read_from = self.seq + 1

    def settle_module(self, held, attribute=None):
        """Before the owner reads module state of another module: an attribute of a
        module of the project (``held`` the module, ``attribute`` the name read:
        ``settings.DEBUG`` after ``settings.configure(True)`` rebinding it), or an
        object imported from one, or a local bound to one (``held`` that object: a
        list ``note()`` appends to). The calls issued so far that change module state
        run first, unless what is read cannot have changed: a module of the standard
        library or of an installed package, a name its module's code never rebinds
        or changes that holds a number or a string, a function (``None``: not known)."""
        if attribute is not None and type(held) is _MODULE:
            stable = _STABLE_ATTRIBUTES.get((id(held), attribute))
            if stable is not None and stable[0] is held \
                    and held.__dict__.get(attribute) is stable[1]:
                return   # (``helpers.work(x)``, ``cfg.N``: see _STABLE_ATTRIBUTES)
        if self.tracking:
            self._settle_changed(held, attribute)
        if (self.state_changers or not self.state_read_from) \
                and _may_have_changed(held, attribute):
            self.settle_state()
        if self.state_read_from:
            self._read_object(held)
            if attribute is not None and (type(held) is _MODULE or issubclass(type(held), type)):
                self._read_object(vars(held).get(attribute))

    def settle_returned(self, value, name, *attributes):
        """Before the owner reads a local bound to what a function of the project
        returned (``seen = get_seen()``, ``name`` and ``attributes`` naming that function
        in the body's module: ``get_seen``, or ``registry``, ``table``): if the function
        hands out module state (``return SEEN``), the local is read as that state, as
        ``settle_module`` reads ``seen = SEEN``: after the calls before it that change
        module state, and before those after it."""
        frame = self.frame
        fn = frame.f_globals.get(name) if frame is not None else None
        getter = fn   # (as the body's module holds it: an alias elsewhere is this object)
        for attribute in attributes:
            if type(fn) is _MODULE:
                fn = getter = fn.__dict__.get(attribute)
            elif issubclass(type(fn), type):   # (``Config.get()``: a class method)
                fn = _class_function(fn, attribute)
            else:
                return   # (only what a namespace holds is looked up: no code of yours runs)
        for _ in range(4):   # (``functools.wraps``: what it wraps hands out)
            if type(fn) is FunctionType and _effects.returns_state(fn) \
                    or type(fn) is _LRU_WRAPPER or _may_keep_instances(fn):
                break   # (``lru_cache``, ``cache``: every call hands out what the first made)
            fn = getattr(fn, "__wrapped__", None) if type(fn) is FunctionType else None
        else:
            return
        if fn is None:
            return
        held = value
        if type(value) is Task:
            if value.state < DONE and not self._state_changes_pending(
                    # (a remembered function's objects or a class's instance are reached
                    # through its name or the globals its code reads; a getter's state
                    # by names of its own)
                    None if type(fn) is FunctionType else _getter_words(fn, name, attributes),
                    getter):
                # Nothing issued so far may change what it hands out: read where it
                # stands, without waiting for it (``page = fetch(u)`` of a remembered
                # fetch keeps a loop's calls together). The calls that change module
                # state issued after this wait for what reads it (see _state_read);
                # a change made through it waits for it first (see _settle_getter).
                if not self.state_read_from:
                    self.state_read_from = self.seq + 1
                self.state_objects[id(value)] = value
                getters = self.getter_tasks
                if len(getters) >= 256:   # (a long loop: only the pending are kept)
                    for key in [k for k, t in getters.items() if t.state >= DONE]:
                        del getters[key]
                getters[id(value)] = value
                self.getter_of[id(value)] = getter
                return
            if value.state < DONE:
                self.get(value)   # (a getter: quick; what it gave decides what follows)
            if value.state != DONE:
                return   # (failed: the read raises it, in its place)
            held = value.value
        if held is None or immutable(held) or type(held) in _NEVER_CHANGED_HELD \
                or type(fn) is FunctionType and _stable_state(fn, held) \
                or type(fn) is not FunctionType and type(fn) is not _LRU_WRAPPER \
                and not _kept_by_class(fn, held):
            return   # (``cfg = get_config()`` of a dict no code changes: as ``cfg = CONFIG``)
        self._shared(held, getter)
        self.settle_module(held)

    def _shared_among(self, args) -> list:
        """The objects among an effect's inputs that a getter handed out (its pending
        calls settled first): a change of module state, which a callee reading that
        state after it waits for."""
        found = []
        for arg in args:
            if type(arg) is Task:
                if self.getter_tasks.get(id(arg)) is arg:
                    self._settle_getter(arg)
                if arg.state != DONE:
                    continue
                arg = arg.value
            held = self.shared_objects.get(id(arg))
            if held is not None and held[0] is arg:
                found.append(arg)
        return found

    def _shared(self, obj, getter=None) -> None:
        shared = self.shared_objects
        if len(shared) >= 256:
            shared.clear()   # (a long loop of getters: the recent ones matter)
        shared[id(obj)] = (obj, getter)

    def _settle_getter(self, task):
        """Before the body changes what a getter's pending call will hand out (read
        unwaited by ``settle_returned``): it is there, and read as module state."""
        self.getter_tasks.pop(id(task), None)
        if task.state < DONE:
            self.get(task)
        if task.state == DONE and task.value is not None and not immutable(task.value):
            self._shared(task.value, self.getter_of.pop(id(task), None))
            self.settle_module(task.value)

    def _state_changes_pending(self, words, getter=None) -> bool:
        """Is a change the body made that the compiler could not name still pending,
        or a call changing module state that may reach what is held under ``words``
        (it names them: ``register(k)`` calling ``get_registry()``; see
        ``reach.may_touch``; ``None``: any such call)?"""
        unnamed = self.unnamed_change
        if unnamed is not None and unnamed.state < DONE:
            return True
        if any(task.state < DONE for _, task in list(self.unkeyed.values())):
            return True   # (the body's own, through a name the compiler could not key)
        shared = self.shared_objects
        if shared and any(task.state < DONE and key in shared
                          for key, (_, task) in list(self.receivers.items())):
            return True   # (the body's own change of what a getter handed out)
        part = _NO_ITEM if getter is None else getter
        return any(task.state < DONE and (words is None or _touches(task, part, words))
                   for task in self.state_changers)

    def settle_global(self, name, attribute=None):
        """``settle_module`` of a module-level name that may not be bound (an import in
        a ``try``, a name bound in an ``if``), read by code run later (a lambda): looked
        up here, so that an unbound one raises only where Python reads it."""
        frame = self.frame
        held = frame.f_globals.get(name, _NO_ITEM) if frame is not None else _NO_ITEM
        if held is not _NO_ITEM:
            self.settle_module(held, attribute)

    def _read_object(self, value):
        """Remember an object of module state the owner read: a step given it reads
        it (see ``_may_read_state``)."""
        if value is not None and not immutable(value) \
                and type(value) not in _NEVER_CHANGED_HELD:
            self.state_objects[id(value)] = value

    def _settle_changed(self, held, attribute):
        """The body's own pending change to what is read, made under another name
        (``settings.OPTS[k] = v`` then ``dict(OPTS)``, ``OPTS[k] = v`` then
        ``len(settings.OPTS)``, a module imported under two names): made first."""
        unnamed = self.unnamed_change
        if unnamed is not None and unnamed.state < DONE:
            self._wait_keys_task(unnamed)   # (what it changes is not known yet)
        receivers = self.receivers
        found = [held]
        if attribute is not None and (type(held) is _MODULE or issubclass(type(held), type)):
            # (a module's or a class's own namespace: looked up without running code)
            found.append(vars(held).get(attribute))
        for value in found:
            self._wait_for_change(receivers, value)

    def _wait_for_change(self, changes, value):
        """Wait for the pending change to ``value`` that ``changes`` remembers, if any."""
        hit = changes.get(id(value))
        if hit is not None and hit[0] is value and hit[1].state < DONE:
            self._wait_keys_task(hit[1])

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

    def iterate(self, keys, iterable, *parts, made_by=None, state=False):
        """The iterator of a ``for`` loop. Advancing an iterator that is its own
        object (a file, a generator) is an effect: everything before each step
        retires first. ``parts``: the iterables a builtin wrapper was made of.
        ``made_by``: the function the iterable expression called; a generator it
        just made, with no effects and no closure, steps ahead of the body's calls
        (``_AheadOfBody``). ``state``: the iterable is module state, which the calls
        of the body may change (see ``_Guarded``)."""
        iterable = self.get_after(keys, iterable) if keys else self.get(iterable)
        iterator = iter(iterable)
        if state:
            for value in (iterable, *[self.get(p) for p in parts]):
                # (``for v in LOG:``, ``for k in OPTS.items():``, ``for t in
                # Config.tags:``, not ``for i in range(cfg.N)``)
                found = _part_of_state(value, self.state_objects)
                if found is not None:
                    return _Guarded(self, iterator, keys, _seen_advancing(
                        iterable, iterator, [self.get(p) for p in parts]), found)
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

    def spec_iterate(self, keys, items, conditions, values, iterable, *parts, made_by=None,
                     consumer=None):
        """The iterator of a loop whose elements are computed ahead into ``items``
        (``conditions`` then ``values`` outcomes each, as ``consume`` takes them).
        Plain Python never advances past an element that fails: if advancing is seen
        (see ``iterate``), the elements so far are taken first, in order, and one
        that fails ends the loop there (``consume`` raises it). ``made_by``: the
        function the loop's iterable expression called; a generator it made just now
        with code that has no effects is the loop's own, and runs ahead. ``consumer``:
        what takes the elements (``"any"``), for the sequential switch back."""
        iterable = self.get_after(keys, iterable) if keys else self.get(iterable)
        iterator = iter(iterable)
        width = conditions + values
        if made_by is not None and _made_fresh(iterator, made_by):
            ahead = _RunsAhead(self, iterator, keys, items, conditions, width)
            ahead.reads_data = _reads_module_data(made_by)
            return ahead
        if _seen_advancing(iterable, iterator, [self.get(p) for p in parts]):
            stop = _STOPS.get(consumer) if consumer is not None and values == 1 else None
            if stop is not None:
                # (no advance past the element where the consumer stops: an ``any``
                # at a true element; the next element's deferred effect never runs)
                return _StopsWithConsumer(self, iterator, items, conditions, width, stop())
            return _ElementGuarded(self, iterator, items, conditions, width)
        if type(iterator) not in _BUILTIN_ITERATORS:
            # (its advancing may raise: an error of its own, after the elements before)
            return _RunsAhead(self, iterator, keys, items, conditions, width)
        guarded = iterator if not keys else self._guarded(iterator, keys, False)
        if type(iterator) in _CHANGING_ITERATORS:
            stop = _STOPS.get(consumer) if consumer is not None and values == 1 else None
            return _DeferredGuarded(self, guarded, items, conditions, width,
                                    stop() if stop is not None else None)
        return guarded

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
            saved, self.wanted = self.wanted, pending
            try:
                self._help_until(lambda: all(t.state >= DONE for t in pending))
            finally:
                self.wanted = saved

    def _guarded(self, iterator, keys, stateful):
        return _Guarded(self, iterator, keys, stateful, None)

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

    def track_changes(self, *named):
        """The body may change an object a callee reads under another name: remember
        the objects its effects change (``_changing``); only those of effects on
        ``named`` (module-level names), if given."""
        self.tracking = True
        self.tracked = frozenset(named) if named else None

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
            if type(value) is Task or value is UNBOUND or immutable(value):
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

    def global_value(self, name):
        """What the module-level ``name`` holds, or ``UNBOUND``."""
        frame = self.frame
        return frame.f_globals.get(name, UNBOUND) if frame is not None else UNBOUND

    def use_cells(self, *setters):
        """The closure cells of the body, from its generated setters: a call given a
        function that reads one must wait for that variable's writes."""
        cells = self.cells
        if cells is None:
            cells = self.cells = {}
        for setter in setters:
            for name, cell in zip(setter.__code__.co_freevars, setter.__closure__ or ()):
                cells[id(cell)] = "@" + name


# Pending readers of module state a change waits for as dependencies, at most: past
# that (a long loop of reads with no change between) the owner waits for them once,
# so no change walks a long list.
_READERS_HELD = 256


def _remember_change(changes, obj, task, bound) -> int:
    """``changes[id(obj)] = (obj, task)``; the table's next size ``bound``. A long loop
    changing a fresh object each time keeps only the pending changes, so memory stays
    flat; the next pruning waits until the table has doubled, so the work stays
    constant per change."""
    if len(changes) >= bound:
        for key in [k for k, (_, t) in changes.items() if t.state >= DONE]:
            del changes[key]
        bound = max(64, 2 * len(changes))
    changes[id(obj)] = (obj, task)
    return bound


def _may_read_state(task, body, objects, seen=None) -> bool:
    """Can ``task``, run later, read module state the body reads: a step of the body
    naming a module-level value (``lambda _t1: _t1 + len(SEEN)``), a call given a
    mutable object (``combine(v, LOG)``, ``OPTS.get(k)``) or a function of the body
    naming one? Not a callee's own reads of module state: callees are promised not to
    talk to each other through it (``fetch(u)`` does not make a later ``note(u)`` wait)."""
    fn, args, kwargs = task.fn, task.args, task.kwargs
    if args is None:
        # Settled meanwhile (what it holds is let go of): what it made may still read
        # module state where it is used (a ``filter`` of a lambda naming ``LOG``).
        return seen is not None and task.state == DONE and _advances(task.value)
    kind = type(fn)
    if kind is Task or kind is Deferred:
        return True   # (what it is is not known yet)
    if kind is FunctionType:
        # (a step of the body, or a function it made: a lambda, a nested ``def``)
        if (task.generated or body is not None and _nested_in(fn.__code__, body)) \
                and (_names_state(fn) or _closure_holds(fn, objects)):
            return True
    elif task.kind != EFFECT:   # (an effect's own object is what it changes, in order)
        owner = getattr(fn, "__self__", None)
        if owner is not None and _state_like(owner, objects):
            return True
    for arg in (*args, *(kwargs.values() if kwargs else ())):
        kind = type(arg)
        if kind is Task:
            if _state_like(arg, objects) or arg.state == DONE \
                    and _state_like(arg.value, objects):
                return True   # (``seen = get_seen()``: see Body.settle_returned)
            # What an earlier step made that reads module state when it is used: a
            # ``filter(lambda v: v >= len(LOG), xs)`` consumed here, a speculative step
            # a ``try`` step consumes. (A plain result: module state only if a callee
            # hands it out.)
            if seen is None:
                seen = set()
            if id(arg) not in seen and len(seen) < 64:   # (a bounded walk back)
                seen.add(id(arg))
                if _may_read_state(arg, body, objects, seen):
                    return True
            continue
        if kind in _PLAIN_IMMUTABLE:
            continue
        if kind is FunctionType:
            if body is not None and _nested_in(arg.__code__, body) \
                    and (_names_state(arg) or _closure_holds(arg, objects)):
                return True
        elif kind is GeneratorType:
            # (``sum(1 for v in r if v in LOG)``: the body's generator expression)
            if body is not None and _nested_in(arg.gi_code, body) \
                    and _code_names_state(arg.gi_code, arg.gi_frame.f_globals
                                          if arg.gi_frame is not None else {}):
                return True
        elif _state_like(arg, objects) or _advances(arg):
            return True   # (an iterator may run code of the body's that reads it)
    return False


_PLAIN_IMMUTABLE = frozenset({int, float, str, bytes, bool, type(None), complex})


def _state_like(value, objects) -> bool:
    """Is ``value`` module state the owner read (``objects``), or a module of the
    project? (Not any mutable object: ``client.get(u)`` given the body's own client
    reads no module state, and a later ``note(u)`` need not wait for it.)"""
    if type(value) is _MODULE:
        return _in_project(value.__dict__)
    found = objects.get(id(value))
    return found is not None and found is value


def _may_keep_instances(cls) -> bool:
    """Is ``cls`` a class whose call may hand out an instance it keeps (a singleton):
    a ``__new__`` of its own, or a metaclass with a ``__call__`` of its own? (Looked up
    in the dicts of the classes: no code of yours runs.)"""
    if not issubclass(type(cls), type):
        return False
    for klass in type.__dict__["__mro__"].__get__(cls):
        if klass is not object and "__new__" in _class_dict(klass) \
                and _effects.module_name(klass) != "builtins":
            return True
    for klass in type.__dict__["__mro__"].__get__(type(cls)):
        if klass is not type and "__call__" in _class_dict(klass) \
                and _effects.module_name(klass) not in ("builtins", "abc"):
            return True
    return False


_class_dict = _effects.class_dict


def _kept_by_class(cls, held) -> bool:
    """Is ``held`` an object a class's own namespace (or a dict in it) holds, as a
    singleton's instance is (``cls._inst``, ``Meta._instances[cls]``)?"""
    spaces = [*type.__dict__["__mro__"].__get__(cls), *type.__dict__["__mro__"].__get__(type(cls))]
    for klass in spaces:
        if klass is object or klass is type:
            continue
        for value in list(_class_dict(klass).values()):
            if value is held or type(value) is dict and len(value) <= 4096 \
                    and any(v is held for v in list(value.values())):
                return True
    return False


def _methods_do_more(fn, kind) -> bool:
    """Does ``fn`` (a function of the user's, given an instance of ``kind``, a class
    of the project) name a method of that class that prints, logs or changes its
    object or module state? Its name alone (``client.get(x)``) says nothing of what the
    class made it do: a call of ``fn`` is then an effect, in order. (One that only
    reads the outside world still overlaps; the cache leaves it alone.)"""
    if type(fn) is not FunctionType:
        return False
    return any(facts.kind == _effects.EFFECT or facts.mutates
               or _effects.WORLD_STATE in facts.world
               for facts in _effects.facts_of_methods_named(fn, kind))


def _add_rows(changed, table, code) -> None:
    """Add the rows of a module-level dict a callee reads (``REG["a"]``): all of a
    small one, else those under the keys its code names."""
    if len(table) <= 64:
        changed.extend(v for v in list(dict.values(table)) if type(v) not in _NEVER_CHANGED)
        return
    for key in _strings_of(code):
        row = dict.get(table, key)
        if row is not None and type(row) not in _NEVER_CHANGED:
            changed.append(row)


def _getter_words(fn, name, attributes) -> frozenset:
    """The names a call reaching what ``fn`` (a remembered function or a class) hands
    out would name: its own, and the globals its code reads (``return REG``)."""
    words = {name, *attributes}
    inner = getattr(fn, "__wrapped__", None) if type(fn) is _LRU_WRAPPER else \
        _class_function(fn, "__new__") if issubclass(type(fn), type) else None
    if type(inner) is FunctionType:
        words.update(_global_names(inner.__code__)[0])
    return frozenset(words)


def _class_function(cls, name):
    """The function a class's ``classmethod`` or ``staticmethod`` ``name`` runs, looked
    up in the dicts of its classes (no descriptor of yours runs), or None."""
    found = _effects.class_member(cls, name)
    return found.__func__ if type(found) is classmethod or type(found) is staticmethod \
        else None


def _stable_state(fn, held) -> bool:
    """Is ``held``, which the getter ``fn`` handed out, an object (or a part of one)
    held by a module-level name of its module that no code of that module changes or
    rebinds, and no other module sets (``return CONFIG`` of a settings dict nothing
    writes)? Such a read is not ordered with the calls that change module state, as a
    read of ``CONFIG`` by name is not (judged the same way: by the module's code)."""
    namespace = fn.__globals__
    module = sys.modules.get(namespace.get("__name__", ""))
    if module is None or module.__dict__ is not namespace:
        return False
    changed = _names_changed_by(module)
    if changed is None:
        return False
    for name in fn.__code__.co_names:
        root = namespace.get(name, _NO_ITEM)
        if root is _NO_ITEM or type(root) in _NEVER_CHANGED_HELD or type(root) is _MODULE:
            continue
        if root is held or isinstance(root, dict) and len(root) <= 4096 \
                and any(v is held for v in dict.values(root)) \
                or type(root) in (list, tuple) and len(root) <= 4096 \
                and any(v is held for v in root):
            return name not in changed and not _set_elsewhere(module, name)
    return False


_LRU_WRAPPER = _effects.LRU_WRAPPER


def _touches(task, part, words) -> bool:
    """May the pending call ``task`` change ``part`` (see ``Body.settle_state_of``)?"""
    args = task.args
    if args is None:
        return task.state < DONE   # (settled meanwhile)
    for arg in (*args, *(task.kwargs.values() if task.kwargs else ())):
        kind = type(arg)
        if arg is part or kind is Task:
            return True   # (given it, or what it is is not known yet)
        if (kind is list or kind is tuple) and any(v is part for v in arg[:64]) \
                or kind is dict and any(v is part for v in list(arg.values())[:64]):
            return True   # (given a display holding it)
    try:
        return _may_touch(task.fn, part, words)
    except Exception:   # (code that cannot be read: it may)
        return True


def _cell_holds_function(cell) -> bool:
    try:
        return type(cell.cell_contents) is FunctionType
    except ValueError:   # (empty)
        return False


def _closure_holds(fn, objects) -> bool:
    """Does a function the body made close over module state the owner read
    (``seen = SEEN`` or ``seen = get_seen()``, then ``lambda w: w >= len(seen)``)?"""
    if not objects:
        return False
    for cell in fn.__closure__ or ():
        try:
            content = cell.cell_contents
        except ValueError:   # (not written yet)
            continue
        if _state_like(content, objects):
            return True
    return False


_DICT_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))


def _part_of_state(value, objects):
    """``(the object, the names that hold it)`` if ``value`` is module state the owner
    read, a live view of it, or a list, dict or set one of those objects holds
    (``Config.tags``: ``{"tags"}``, ``TABLE["rows"]``: ``{"rows"}``, ``OBJ.items``);
    else None. Read without running code of yours."""
    if isinstance(value, _DICT_VIEWS):
        mappings = _referents(value)   # (its ``mapping`` is a proxy; this, the dict)
        if not mappings:
            return None
        value = mappings[0]
    if value is None or immutable(value):
        return None
    if _state_like(value, objects):
        return value, frozenset()
    for held in list(objects.values()):
        kind = type(held)
        if kind is _MODULE:
            continue   # (its names are read as module state by name already)
        if issubclass(type(held), type):
            namespace = vars(held)
        else:
            try:
                namespace = object.__getattribute__(held, "__dict__")
            except (AttributeError, TypeError):
                namespace = None
        if namespace is not None and len(namespace) <= 4096:
            words = frozenset(k for k, v in namespace.items() if v is value and type(k) is str)
            if words:
                return value, words
        if isinstance(held, dict) and len(held) <= 4096:
            words = frozenset(k for k, v in dict.items(held) if v is value and type(k) is str)
            if words:
                return value, words
            if any(v is value for v in dict.values(held)):
                return value, None   # (under a key that is no string: any change counts)
        if (kind is list or kind is tuple) and len(held) <= 4096 \
                and any(v is value for v in held):
            return value, None
    return None


def _names_state(fn) -> bool:
    """Does this function's code name a module-level value of its module that can
    change (not a function, not a module outside the project)?"""
    return _code_names_state(fn.__code__, fn.__globals__)


def _code_names_state(code, namespace) -> bool:
    for name in _global_names(code)[0]:
        value = namespace.get(name, _NO_ITEM)
        if value is _NO_ITEM:
            continue   # (a builtin, or an attribute's name)
        kind = type(value)
        if kind is FunctionType and value.__globals__ is namespace \
                and _effects.returns_state(value) or kind is _LRU_WRAPPER:
            return True   # (``lambda w: w >= len(get_seen())``: a getter of module state)
        if kind in _NEVER_CHANGED_HELD:
            continue
        if kind is _MODULE:
            if _in_project(value.__dict__):
                return True
            continue
        return True
    return False


# desync's store helpers (desync.runtime) -> (the special method a store runs, whether
# it names an attribute)
_STORE_HOOKS = {"setattr_": ("__setattr__", True), "aug_attr": ("__setattr__", True),
                "store_aug_attr": ("__setattr__", True), "delattr_": ("__delattr__", True),
                "setitem": ("__setitem__", False), "aug_item": ("__setitem__", False),
                "store_aug_item": ("__setitem__", False), "delitem": ("__delitem__", False)}
_STORE_CODE: dict = {}   # (class, special method, attribute) -> runs code changing state?


def _store_changes_state(fn, args) -> bool:
    """Does this store of the body run code of the user's that changes module state: a
    property's setter or deleter, a descriptor's ``__set__``, a class's ``__setattr__``
    or ``__setitem__`` (facts of that code, inferred once per class and name)?"""
    if fn is setattr or fn is delattr:   # (the builtins, called by the body)
        hook = ("__setattr__", True) if fn is setattr else ("__delattr__", True)
    else:
        hook = _STORE_HOOKS.get(getattr(fn, "__name__", None))
        if hook is None or getattr(fn, "__module__", None) != "desync.runtime":
            return False
    held = args[0]
    if type(held) is Task:   # (``t = Tracked()`` still pending: the class made it)
        if held.state == DONE:
            kind = type(held.value)
        else:
            kind = held.fn if isinstance(held.fn, type) else None
    else:
        kind = type(held)
    if kind is None or kind.__module__ == "builtins":
        return False
    name = args[1] if hook[1] and len(args) > 1 and type(args[1]) is str else None
    key = (kind, hook[0], name)
    found = _STORE_CODE.get(key)
    if found is None:
        if len(_STORE_CODE) > 4096:
            _STORE_CODE.clear()
        found = _STORE_CODE[key] = any(_changes_module_state(code)
                                       for code in _code_run_by_store(kind, hook[0], name))
    return found


def _code_run_by_store(kind, special, name) -> list:
    found = [getattr(kind, special, None)]
    if name is not None:
        for holder in kind.__mro__:
            member = holder.__dict__.get(name)
            if member is None:
                continue
            if type(member) is property:
                found += [member.fset, member.fdel]
            else:
                found += [getattr(type(member), "__set__", None),
                          getattr(type(member), "__delete__", None)]
            break
    return [code for code in found if type(code) is FunctionType]


def _changes_module_state(bound) -> bool:
    """Is the Python function behind ``bound`` (a function or a bound method) one
    that changes module state?"""
    fn = bound if type(bound) is FunctionType else \
        getattr(bound, "__func__", None) if type(bound) is MethodType else None
    return type(fn) is FunctionType and _effects.WORLD_STATE in _effects.facts_of(fn).world


def _may_have_changed(held, attribute) -> bool:
    """See Body.settle_module."""
    if type(held) is _MODULE:
        if not _in_project(held.__dict__):
            return False
        if attribute is None:
            return True   # (the module itself handed on: anything in it may be read)
        changed = _names_changed_by(held)
        if changed is None or attribute in changed or _set_elsewhere(held, attribute):
            return True
        module, held = held, held.__dict__.get(attribute, _NO_ITEM)
        if held is _NO_ITEM:
            return True
        if held is not None and (type(held) in _NEVER_CHANGED_HELD or immutable(held)):
            if len(_STABLE_ATTRIBUTES) > 4096:
                _STABLE_ATTRIBUTES.clear()
            _STABLE_ATTRIBUTES[(id(module), attribute)] = (module, held)
            return False
        attribute = None
    if held is None or type(held) is Task:
        return True   # (not known what it is)
    if attribute is not None:   # (``configure.__globals__[...]``, ``OPTS.get(k)``)
        return not immutable(held)
    return not (immutable(held) or type(held) in _NEVER_CHANGED_HELD)


_NEVER_CHANGED_HELD = frozenset({FunctionType, BuiltinFunctionType, MethodType})
# (module, what it holds) by (id of the module, name): a function, a number or a string
# its code never rebinds (``helpers.work(x)``, ``cfg.N`` in a loop): settle_module
# returns at once while the name holds that very object
_STABLE_ATTRIBUTES: dict = {}
_changed_names: dict = {}   # id of a module -> (it, names its code rebinds or changes)


def _names_changed_by(module):
    """Module-level names the module's own code declares ``global`` or changes in
    place (read from its source, once per module); None if it cannot be read."""
    found = _changed_names.get(id(module))
    if found is not None and found[0] is module:
        return found[1]
    names = None
    path = getattr(module, "__file__", None)
    embedded = module.__dict__.get("__desync_changed__")
    if type(embedded) is tuple:   # (what ``desync build`` read from the source)
        names = frozenset(embedded)
    elif path and path.endswith(".py") and _source_reader is not None:
        try:
            names = _source_reader(path)
        except Exception:   # (unreadable, not Python after all: not known)
            names = None
    _changed_names[id(module)] = (module, names)
    return names


_source_reader = None   # path -> the names that module's code changes (set by desync)

# Names other modules' code sets on a module (``cfg.DEBUG = v`` in a function of
# cli.py): learnt from the code of each function found to change module state, and of
# what it calls, when first met; a read of such a name is not stable.
_SET_ELSEWHERE: dict = {}   # name of a module -> names


def _set_elsewhere(module, attribute) -> bool:
    """May code of another module set ``module.attribute`` (see learn_names_set_by)?"""
    if not _SET_ELSEWHERE:
        return False
    for key in (module.__dict__.get("__name__"), None):
        names = _SET_ELSEWHERE.get(key)
        if names is ANY_NAME or names is not None and attribute in names:
            return True
    return False


def learn_names_set_by(fn) -> None:
    """What ``fn`` and the functions it may call set on the project's modules (``cfg.DEBUG
    = v`` in ``apply()``): those names may change from now on, whatever the modules
    holding them say of their own code. Learnt from a desync body at its first call
    (before its first read of such a name), and from each function found to change
    module state (one handed to the body, a method)."""
    try:
        found = _names_set_on_modules(fn)
    except Exception:   # (code of a kind not read here: nothing learnt)
        return
    for module, names in found.items():
        owner = None if module is None else module.__dict__.get("__name__")
        known = _SET_ELSEWHERE.get(owner, frozenset())
        if known is ANY_NAME or names is not ANY_NAME and names <= known:
            continue
        _SET_ELSEWHERE[owner] = ANY_NAME if names is ANY_NAME else known | names
        if module is None or names is ANY_NAME:
            _STABLE_ATTRIBUTES.clear()
        else:
            for name in names:
                _STABLE_ATTRIBUTES.pop((id(module), name), None)


_effects.on_state_changer(learn_names_set_by)


def set_source_reader(reader) -> None:
    """Where module sources are read (the compiler's analysis: the runtime does not
    import the compiler, see desync.decorator)."""
    global _source_reader
    _source_reader = reader


def _holds_nothing(fn) -> bool:
    """A callee that reaches no object of the body except through its arguments."""
    if type(fn) is FunctionType:
        return fn.__closure__ is None
    owner = getattr(fn, "__self__", None)
    return owner is None or type(owner) is _MODULE


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


def _cancel(task, error) -> None:
    """Mark a dependant cancelled as it is pushed (so a second failed input skips
    it), its error written first: the owner may read it as soon as it sees the state."""
    task.value = None
    task.error = error
    task.state = CANCELLED


def _given_a_later_step(task) -> bool:
    """Is an input of this step a call left for where it is reached (see
    ``_made_where_reached``)? Then the step is too: evaluated there, its inputs
    in order, a failed one raises only once those before it are made."""
    for arg in (task.fn, *task.args, *(task.kwargs.values() if task.kwargs else ())):
        if type(arg) is Task and arg.state == DONE and type(arg.value) is Deferred:
            return True
    return False


def _made_where_reached(task, scope) -> bool:
    """Must a step ahead be left for where plain Python reaches it? When an input
    pending at its issue turned out to run code (``_runs_inputs``), or was itself
    left for later (its value a ``Deferred``)."""
    return _given_a_later_step(task) or _runs_inputs(task, scope)


def _runs_inputs(task, scope) -> bool:
    """Does a ready task get, among inputs that were pending when it was issued, an
    iterator it may advance or (a call) a function that does more than compute?"""
    call = task.kind == CALL
    for arg in (*task.args, *(task.kwargs.values() if task.kwargs else ())):
        if type(arg) is Task:
            value = arg.value
            kind = type(value)
            if _advances(value) or (call and kind not in _PLAIN_VALUES
                                    and callable(value) and _does_more(value)):
                return True
            if call and kind in _HOLDER_KINDS and value and scope._holds_doers(value):
                return True   # ``[show]`` built by a step still pending at the call
        elif _advances(arg):
            return True
    return False


_HOLDER_KINDS = _effects.HOLDER_KINDS


_nested_codes: dict = {}   # code of a body -> the code objects nested in it


def _nested_in(code, body) -> bool:
    nested = _nested_codes.get(body)
    if nested is None:
        found, stack = set(), [body]
        while stack:
            for const in stack.pop().co_consts:
                if type(const) is CodeType:
                    found.add(const)
                    stack.append(const)
        if len(_nested_codes) > 4096:
            _nested_codes.clear()
        nested = _nested_codes[body] = frozenset(found)
    return code in nested


def _does_more(fn) -> bool:
    """A function passed along that has effects or changes its arguments."""
    facts = _effects.facts_of(fn)
    return facts.kind != _effects.PURE or bool(facts.mutates)  # reduce(iadd, lists)


def _iterator_among(args, kwargs) -> bool:
    """Is an argument an iterator, or a pending call's result that will be one?"""
    for arg in (*args, *kwargs.values()) if kwargs else args:
        kind = type(arg)
        if kind is Task:
            maker = arg.fn   # (before the state: let go of only after it is set)
            if arg.state != DONE:
                if _makes_iterator(maker):
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


def _region_calls(calls, frame) -> tuple:
    """For the callees a step runs as written (``Lowerer.region_calls``), looked up
    without running code of the user's (no property is read): (does one change what
    it is given, does one change module state, are they all plain, the functions
    among them or given to them by name that change module state). What cannot be
    told counts as changing arguments. Plain: each is given, by name, only numbers,
    strings and tuples of those (no iterator to advance, no callable to run, no
    ``__hash__`` of the user's), and each function among them is a plain function or
    builtin that changes no argument and no module state (a method's object is
    ``_region_changes``'s)."""
    space = frame.f_globals if frame is not None else {}
    arguments = state = False
    plain = True
    changers = []   # functions among them, or given to them, that change module state
    for kind, what, attr, given in calls:
        if plain and not _plain_given(given, space):
            plain = False
        for name in given[1]:
            handed = _region_value("g", name, space)
            if type(handed) is FunctionType \
                    and _effects.WORLD_STATE in _effects.facts_of(handed).world:
                state = True
                changers.append(handed)
        if kind == "?":
            plain = False
            if _holds_mutable([_raw(v) if type(v) is Task else v for v in what], None):
                arguments = True
            continue
        owner = _region_value(kind, what, space)
        callee = owner if attr is None or owner is _NO_ITEM else _static_method(owner, attr)
        if type(callee) is _PARTIAL:
            held = _effects.facts_of(callee.func)
            if held.mutates or _effects.WORLD_STATE in held.world:
                # (what it holds: ``partial(list.append, NOTED)`` changes NOTED)
                changers.append(callee)
                plain = False
        if callee is _NO_ITEM or _changes_arguments(callee):
            arguments = True
            plain = False
            continue
        if _effects.WORLD_STATE in _effects.facts_of(callee).world:
            if not changers or changers[-1] is not callee:   # (a partial: once)
                changers.append(callee)
            if type(callee) is FunctionType:
                state = True
        if plain and (attr is None or type(owner) is _MODULE):
            plain = _plain_function(callee)
    return arguments, state, plain, changers


def _plain_function(callee) -> bool:
    """A plain function or builtin (not a class's ``__init__``, a partial, a bound
    method) that changes no argument and no module state?"""
    owner = getattr(callee, "__self__", None)
    if not (type(callee) is FunctionType or type(callee) is BuiltinFunctionType and (
            owner is None or type(owner) is _MODULE)
            or issubclass(type(callee), type) and callee.__module__ == "builtins"):
        return False
    facts = _effects.facts_of(callee)
    return not (facts.mutates or _effects.WORLD_STATE in facts.world)


def _region_value(kind, what, space):
    """An input (``"v"``: the value, settled or not) or a global or builtin by name."""
    if kind == "g":
        value = space.get(what, _NO_ITEM)
        return getattr(_builtins, what, _NO_ITEM) if value is _NO_ITEM else value
    if type(what) is Task:
        return what.value if what.state == DONE else _NO_ITEM
    return what


# Objects whose items a store or delete changes, and nothing else.
_ITEM_STORES = frozenset({list, dict, deque, bytearray})


def _region_changes(changes, frame):
    """``(objects, worlds)`` when a step run as written (``Lowerer.narrow_region``)
    changes only what its statements name: each object a method, store or augmented
    assignment names is known not to change anything else (a list, dict, set or deque
    exactly, filled; a read-only method; a logger writing to the terminal; a
    store into a plain object's attribute), a store's key is a number, a string or a
    tuple of those (no ``__hash__`` of the user's), and its calls are plain
    (``_region_calls``, asked first). None otherwise (it may change all it reaches).
    ``worlds``: those of the methods called."""
    space = frame.f_globals if frame is not None else {}
    objects, worlds = [], []
    for kind, what, member, given in changes:
        obj = _region_value(kind, what, space)
        if obj is _NO_ITEM or not _plain_given(given, space):
            return None
        if member == "+=":
            if type(obj) not in _FILLERS and not immutable(obj):
                return None   # (its ``__iadd__`` may do anything)
        elif member == "[]":
            if type(obj) not in _ITEM_STORES:
                return None   # (a ``__setitem__`` of the user's)
        elif member[0] == ".":
            name = member[1:]
            if name.startswith("__") and not name.endswith("__") \
                    or not plain_store(obj, "setattr_", name) \
                    or not plain_store(obj, "delattr_", name):
                return None   # (a setter, a ``__setattr__``; a mangled name is another)
        elif member not in _FILLERS.get(type(obj), ()):
            bound = _static_method(obj, member)
            if bound is _NO_ITEM:
                return None
            kind = method_kind(obj, member, bound)
            if kind != _effects.PURE:
                if type(obj) in _FILLERS or type(bound) is not MethodType \
                        or type(bound.__func__) is not FunctionType:
                    return None   # (``xs.sort()`` runs ``__lt__``s: not followed here)
                # Only a method that changes nothing of the program's: one that only
                # reads, or a logger's whose handlers write to the terminal.
                # One that changes its object may change what the object holds,
                # which the compiler names only in part.
                facts = _effects.facts_of(bound)
                if facts.mutates or _effects.WORLD_STATE in facts.world or (
                        kind == _effects.EFFECT and not _plain_logger(obj)):
                    return None
                worlds.extend(facts.world)
        if not immutable(obj):
            objects.append(obj)
    return objects, worlds


_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None), bytes, complex})


def _plain_given(given, space) -> bool:
    """Is everything given by name (inputs, then globals' names) settled, and a
    number, a string or a tuple of those?"""
    values, names = given
    for value in (*values, *(_region_value("g", name, space) for name in names)):
        if type(value) is Task:
            if value.state != DONE:
                return False
            value = value.value
        kind = type(value)
        if kind is tuple:
            if not all(type(item) in _PLAIN_SCALARS for item in value):
                return False
        elif kind not in _PLAIN_SCALARS:
            return False
    return True


def _plain_logger(obj) -> bool:
    """Is ``obj`` a logger whose records go (through its parents) only to the
    terminal (or to pytest's report), with no handler, filter or formatter of the
    user's?"""
    logging = sys.modules.get("logging")
    if logging is None or type(obj) not in (logging.Logger, logging.RootLogger):
        return False
    plain_handlers = (logging.StreamHandler, logging.NullHandler)
    streams = (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
    logger = obj
    while logger is not None:
        if logger.filters:
            return False
        for handler in logger.handlers:
            kind = type(handler)
            if kind.__module__ == "_pytest.logging" and not handler.filters:
                continue   # (pytest's: records kept for the test's report)
            if kind not in plain_handlers or handler.filters \
                    or type(handler.formatter) not in (logging.Formatter, type(None)) \
                    or kind is logging.StreamHandler and handler.stream not in streams:
                return False
        if not logger.propagate:
            break
        logger = logger.parent
    return True


def _static_method(obj, name):
    """``obj.name`` for a module's function or an object's method, found without
    running a property or ``__getattr__``; ``_NO_ITEM`` if it is something else."""
    if type(obj) is _MODULE:
        return vars(obj).get(name, _NO_ITEM)
    for base in type(obj).__mro__:
        found = vars(base).get(name, _NO_ITEM)
        if found is not _NO_ITEM:
            if type(found) is FunctionType:
                return MethodType(found, obj)
            if type(found) in (staticmethod, classmethod):
                return found.__get__(obj, type(obj))
            if type(found) in (MethodDescriptorType, WrapperDescriptorType,
                               BuiltinFunctionType):
                return found   # (a C method: it changes no argument of the user's)
            return _NO_ITEM    # (a property, a descriptor of the user's: not told)
    try:
        namespace = object.__getattribute__(obj, "__dict__")
    except (AttributeError, TypeError):
        return _NO_ITEM
    return namespace.get(name, _NO_ITEM) if type(namespace) is dict else _NO_ITEM


def _deferred_changes_arguments(deferreds) -> bool:
    """Will one of these deferred calls (``_all_deferred``: those inside them too)
    change what it is given (``register(seen, v)``, a method's ``self.register(seen,
    v)``)? The compiler did not key those objects: what follows the step that runs
    it waits for it, as for such a call made directly."""
    for deferred in deferreds:
        fn = deferred.fn
        if type(fn) is FunctionType or type(fn) is MethodType:
            if _changes_arguments(fn):
                return True
        elif fn is _call_method and _holds_mutable(deferred.args[2:], deferred.kwargs):
            return True   # (its object was not known: nor is what its method changes)
    return False


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


def star_call(fn, parts):
    args, kwargs = parts
    check_star_parts(fn, args, kwargs)
    return fn(*args, **kwargs)


def check_star_parts(fn, args, kwargs) -> None:
    """Raise, as Python words it, what made ``fn(*args, **kwargs)``'s parts unusable."""
    if type(args) is NotIterable:
        raise TypeError(f"{function_str(fn)} argument after * must be an iterable, not "
                        f"{type_name(args.value)}")
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

    __slots__ = ("after_name", "error")

    def __init__(self, after_name, error=None):
        self.after_name = after_name   # " got multiple values for keyword argument 'a'";
        self.error = error             # or None: the mapping's own error, raised as is

    def raise_for(self, fn):
        if self.error is not None:
            raise self.error
        if self.after_name.startswith(" "):
            raise TypeError(function_str(fn) + self.after_name)
        raise TypeError(self.after_name)   # a message that names no callee

    def keys(self):   # ``**kwargs`` of a call that never learns the callee's name
        if self.error is not None:
            raise TypeError("")
        raise TypeError(("a call" if self.after_name.startswith(" ") else "") + self.after_name)


def function_str(fn) -> str:
    """A callable as CPython names it in argument errors: ``module.qualname()``."""
    qualname = getattr(fn, "__qualname__", None)
    if not isinstance(qualname, str):
        return str(fn)
    module = getattr(fn, "__module__", None)
    if isinstance(module, str) and module != "builtins":
        return f"{module}.{qualname}()"
    return f"{qualname}()"


def type_name(value) -> str:
    """The name CPython's messages give ``value``'s type (its ``tp_name``): a class
    statement's name, or a C type's dotted name (``datetime.date``)."""
    kind = type(value)
    if kind.__flags__ & _HEAP_TYPE:
        return kind.__name__
    module = kind.__module__
    return kind.__name__ if module == "builtins" else f"{module}.{kind.__name__}"


_HEAP_TYPE = 1 << 9   # Py_TPFLAGS_HEAPTYPE


class _Unmergeable(Exception):
    """A ``**`` merge CPython fails with a TypeError naming the callee: the words
    after its name."""


def _duplicate(key) -> _Unmergeable:
    return _Unmergeable(f" got multiple values for keyword argument '{key}'")


def _merge_mapping(merged: dict, operand) -> None:
    """``**operand`` of a call merged into ``merged`` as CPython merges it (DICT_MERGE):
    a dict's own entries, else ``keys()`` listed, then each key looked up; a key
    already there is given twice. Raises ``_Unmergeable`` or the mapping's error."""
    failed = None
    try:
        if isinstance(operand, dict) and type(operand).__iter__ is dict.__iter__:
            for key, value in dict.items(operand):   # (its keys() is not called)
                if key in merged:
                    raise _duplicate(key)
                merged[key] = value
            return
        keys = operand.keys()
        if type(keys) is not list:
            if not_iterable(keys):
                failed = TypeError(f"{type_name(operand)}.keys() returned a non-iterable "
                                   f"(type {type_name(keys)})")
            else:
                keys = list(keys)
        if failed is None:
            for key in keys:
                if key in merged:
                    raise _duplicate(key)
                merged[key] = operand[key]
            return
    except AttributeError:   # (anywhere: CPython takes it for "not a mapping")
        failed = _Unmergeable(" argument after ** must be a mapping, not "
                              + type_name(operand))
    except KeyError as error:
        if not _worded_as_duplicate(error):
            raise
        failed = _duplicate(error.args[0])
    raise failed   # (raised here, not in the handler: no __context__, as in Python)


def _worded_as_duplicate(error: KeyError) -> bool:
    """Does CPython word this KeyError, raised while merging ``**``, as a keyword given
    twice? 3.12+: any KeyError of one argument. 3.10 and 3.11: only one still
    unnormalized, which is one that C code raised (a failed lookup in a dict the
    mapping holds), not ``raise KeyError(k)`` and not one raised while handling
    another. (One that went through a ``finally`` of the mapping's own code is
    normalized too: that case is not told apart here.)"""
    if len(error.args) != 1:
        return False
    if sys.version_info >= (3, 12):
        return True
    if error.__context__ is not None:
        return False
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return True
    import opcode   # (only here: a rare error path)
    raising = {opcode.opmap[name] for name in ("RAISE_VARARGS", "RERAISE") if name in opcode.opmap}
    return tb.tb_frame.f_code.co_code[tb.tb_lasti] not in raising


def _merged_keywords(pairs) -> dict:
    """``(name or None, value)`` pairs merged as a call merges its keywords: named ones
    before the first ``**`` are the base, each ``**`` operand and each later group of
    named ones is merged into it (a key twice an error). Raises ``_Unmergeable`` or
    the mapping's own error."""
    merged = {}
    group = {}   # named keywords since the last ** operand
    after_star = False
    for name, value in pairs:
        if name is not None:
            (group if after_star else merged)[name] = value
            continue
        for key, item in group.items():
            if key in merged:
                raise _duplicate(key)
            merged[key] = item
        group = {}
        after_star = True
        _merge_mapping(merged, value)
    for key, item in group.items():
        if key in merged:
            raise _duplicate(key)
        merged[key] = item
    return merged


def keywords_of(*pairs):
    """``{**d, 'k': v, ...}`` for a call: ``(name or None, value)`` pairs merged as the
    call merges them. What fails is a ``KeywordsError``, raised by the call once the
    callee's name is known; so is a key that is not a string, which the call itself
    refuses after every merge."""
    try:
        merged = _merged_keywords(pairs)
    except _Unmergeable as unmergeable:
        return KeywordsError(unmergeable.args[0])
    except Exception as error:   # the mapping's own code failed: its error
        return KeywordsError("", error)
    for key in merged:
        if not isinstance(key, str):
            return KeywordsError("keywords must be strings")
    return merged


def keywords_now(callee, *pairs) -> dict:
    """``keywords_of`` for a merge Python makes before the arguments after it are
    evaluated (``f(**d, k=g())``: a ``d`` that is not a mapping fails before ``g()`` is
    called): fails at once. ``callee()`` gives the function, for the message only."""
    try:
        return _merged_keywords(pairs)
    except _Unmergeable as unmergeable:
        after_name = unmergeable.args[0]
    raise TypeError(function_str(callee()) + after_name)


def _collect_dict(*flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


_COLLECTORS = {"list": lambda *items: list(items), "set": lambda *items: set(items),
               "dict": _collect_dict}
_PLAIN_VALUES = frozenset({int, float, str, bytes, bool, type(None), tuple, list, dict, set,
                           frozenset, complex, range})
_CALLABLE_TYPES = frozenset({FunctionType, type(len), type(_call_method.__get__(0)),
                             type([].append)})


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


_KEEPS_OWN_EXC_INFO = sys.version_info < (3, 11)   # sys.exc_info() has its own traceback
_PLAIN_SLOTS = (GetSetDescriptorType, MemberDescriptorType)   # ``__slots__``, C fields
_plain_stores: dict = {}   # (class, helper, attribute name) -> plain?


def plain_store(obj, helper, where) -> bool:
    """Does ``helper`` (``setattr_``, ``delitem``, ``aug_attr``, ...) on ``obj`` run
    only the interpreter's own code: no property setter, no ``__setattr__``,
    ``__delattr__``, ``__setitem__`` or ``__delitem__`` written in Python?"""
    kind = type(obj)
    attribute = "attr" in helper
    key = (kind, helper, where) if attribute else (kind, helper)
    found = _plain_stores.get(key)
    if found is None:
        found = _judge_store(kind, helper, where, attribute)
        if len(_plain_stores) < 4096:
            _plain_stores[key] = found
    return found


_C_SLOTS = (WrapperDescriptorType, MethodDescriptorType, BuiltinFunctionType, type(None))


def _judge_store(kind, helper, where, attribute) -> bool:
    deleting = helper.startswith("del")
    if not attribute:
        special = "__delitem__" if deleting else "__setitem__"
        # (a function, a classmethod, a partial...: anything but the C type's own slot)
        return isinstance(getattr(kind, special, None), _C_SLOTS)
    special = "__delattr__" if deleting else "__setattr__"
    if not isinstance(getattr(kind, special, None), _C_SLOTS):
        return False
    for klass in kind.__mro__:
        found = klass.__dict__.get(where, _NO_TASK) if type(where) is str else _NO_TASK
        if found is not _NO_TASK:
            mover = type(found)
            return isinstance(found, _PLAIN_SLOTS) or not (
                hasattr(mover, "__set__") or hasattr(mover, "__delete__"))
    return True


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


# What each plain container's methods change: only the container (C code; a key's
# __hash__/__eq__ is not counted as a change, as for any store into a dict).
_FILLERS = {
    list: frozenset({"append", "insert", "__setitem__", "__delitem__"}),
    dict: frozenset({"setdefault", "__setitem__", "__delitem__"}),
    set: frozenset({"add", "discard"}),
    deque: frozenset({"append", "appendleft", "__setitem__", "__delitem__"}),
}


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
    if type(func) is FunctionType and (kind.__module__ or "").startswith(_LIBRARY_WORLDS):
        # Paths, streams, loggers, sockets stand for the world: the effects table
        # knows their methods (3.13's pathlib reads a file through ``PathBase``'s
        # code, which inference of ``Path.read_text`` does not follow).
        facts = _effects.facts_of(bound)
        return _effects.EFFECT if facts.mutates else facts.kind
    if type(func) is FunctionType:
        # A method written in Python: an effect on its object unless inference
        # shows that it leaves its object (and the world) alone. One a decorator
        # wrapped (``functools.wraps``: a lock guard, a retry) does what it wraps too.
        kind = _effects.PURE
        seen = 0
        while type(func) is FunctionType and seen < 8:
            facts = _effects.inferred(func)
            if facts is None or facts.mutates & {0, "self"} \
                    or func.__code__.co_flags & 0x0C and facts.mutates:
                return _effects.EFFECT   # (``*args``: its object may be among them)
            if _effects._RANK[facts.kind] > _effects._RANK[kind]:
                kind = facts.kind
            wrapped = func.__dict__.get("__wrapped__")
            if wrapped is None and func.__closure__:
                # (a decorator's wrapper without ``functools.wraps``: what it holds runs)
                wrapped = next((cell.cell_contents for cell in func.__closure__
                                if _cell_holds_function(cell)), None)
            func, seen = wrapped, seen + 1
        return kind
    for base in kind.__mro__:
        mutating = _MUTATING.get(base)
        if mutating is not None:
            if base is kind or name in mutating:
                return _effects.EFFECT if name in mutating else _effects.PURE
            # (a subclass written in C may add methods of its own that change it:
            # ``OrderedDict.move_to_end``; the ones it names like its base's are read
            # as those)
            if name in _effects.MUTATING_METHODS or name not in _effects.READ_ONLY_METHODS:
                if any(name in vars(sub) for sub in kind.__mro__[:kind.__mro__.index(base)]):
                    return _effects.EFFECT
            return _effects.PURE
    listed = _effects.listed(bound)
    if listed is not None:
        return _effects.EFFECT if listed.mutates else listed.kind
    return _effects.EFFECT  # a method of an unknown type: assume it changes its object


_NO_ITEM = object()
_LOOKED_UP_LATER = object()   # (see Body.look_up)
# Modules whose objects' methods the effects table classifies by owner (see
# ``effects._compute``): they are asked, not inferred.
_LIBRARY_WORLDS = ("pathlib", "_io", "io", "logging", "socket", "ssl", "http.client",
                   "subprocess", "random", "_random")


def _check_attribute(obj, name) -> None:
    """Raise the AttributeError ``obj.name`` raises if Python finds no such attribute
    without running code of the user's: an ordinary lookup (no ``__getattr__``, no
    ``__getattribute__`` of its own) that finds nothing in the class or the instance.
    Anything else is left to the call's own lookup."""
    kind = type(obj)
    if kind.__getattribute__ is not object.__getattribute__ or hasattr(kind, "__getattr__"):
        return
    if any(name in vars(base) for base in kind.__mro__):
        return
    try:
        namespace = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        namespace = None
    if namespace is not None and name in namespace:
        return
    getattr(obj, name)   # (raises: Python's own message)


def unpack_values(value, count, after):
    """Python's unpacking rules, with Python's error messages. Without a starred
    target Python reads one item more than the targets, not the whole iterable (an
    iterator keeps the rest; an endless one ends)."""
    kind = type(value)
    if not hasattr(kind, "__iter__") and not hasattr(kind, "__getitem__"):
        # Raised here, not while handling iter()'s error: its __context__ stays None.
        raise TypeError(f"cannot unpack non-iterable {type_name(value)} object")
    if kind is list or kind is tuple:
        items = list(value)
    else:
        # As Python does: iter() once, then next() (``islice`` or ``for`` would ask
        # the iterator's own ``__iter__`` again, which may be user code with effects).
        iterator = iter(value)
        items = []
        for _ in range(count + 1 if after is None else count):
            item = next(iterator, _NO_ITEM)
            if item is _NO_ITEM:
                break
            items.append(item)
        if after is not None:
            if len(items) < count:
                raise ValueError(f"not enough values to unpack (expected at least "
                                 f"{count + after}, got {len(items)})")
            items.extend(list(iterator))   # (Python lists the rest: __iter__ is asked again)
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
