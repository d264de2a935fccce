"""Task timelines: what ran where and when, and what the calling thread waited on.

``DESYNC_TRACE=trace.json`` (or ``desync run --trace trace.json``, or
``with desync.tracing("trace.json"):``) records every task of every desync call
and writes them, when the program ends, in the Trace Event Format that Perfetto
(ui.perfetto.dev) and ``chrome://tracing`` open.

Tracing off costs nothing: ``runtime.scope()`` makes its scope from a class held
in a module variable, and only tracing puts the subclasses below there.
``TracingBody`` records, per desync call:

- the call itself (a slice on the calling thread);
- every task: the callee, the body's line that issued it, when it was issued,
  started and ended, on which thread (or process), its outcome, and for cached
  calls whether the cache answered;
- every effect retired, on the calling thread, in program order;
- every wait of the calling thread: from when to when, at which line, and on what.

Tasks sent to another executor (a process pool, a cluster) are timed where they
run and the times come back with the result; a task that fails there is shown
as the caller saw it (from submission to failure).

Standard library only, like the rest of the runtime.
"""
from __future__ import annotations

import atexit
import io
import itertools
import json
import os
import sys
import threading
import time
from concurrent.futures import Future

from . import engine as _engine
from .tasks import CALL, EFFECT, PURE
from .callers import _line_of
from .engine import Body
from .sequential import SequentialBody

_now = time.perf_counter_ns
_native_id = threading.get_native_id
_ids = itertools.count(1)
_tls = threading.local()
_BLOCK_EXIT = _engine.Block.__exit__.__code__
_OWNER_ENV = "DESYNC_TRACE_OWNER"   # the pid of the process that records

# Event records: tuples, turned into JSON only when the trace is written.
SPAN, TASK, WAIT, REMOTE = range(4)
_KINDS = {CALL: "call", PURE: "expression", EFFECT: "effect"}


class Recorder:
    """The events of one traced run, and where they go."""

    def __init__(self, path=None):
        self.path = os.fspath(path) if path is not None else None
        self.pid = os.getpid()
        self.perf0 = _now()
        self.wall0 = time.time_ns()
        self.records: list = []          # appended from any thread (atomic)
        self.threads: dict = {}          # native thread id -> name
        self.written = False

    # -- recording ----------------------------------------------------------------
    def thread(self) -> int:
        tid = threading.get_native_id()
        if tid not in self.threads:
            self.threads[tid] = threading.current_thread().name
        return tid

    # -- output -------------------------------------------------------------------
    def trace(self) -> dict:
        """The Trace Event Format document (a dict ready for ``json.dump``)."""
        return _document(self)

    def write(self, path=None) -> str | None:
        path = os.fspath(path) if path is not None else self.path
        if path is None:
            return None
        document = self.trace()
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with io.open(temporary, "w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"))
        os.replace(temporary, path)
        self.written = True
        return path


_recorder: Recorder | None = None


def recorder() -> Recorder | None:
    """The recorder in use, or None when tracing is off."""
    return _recorder


def start(path=None) -> Recorder:
    """Start recording (``path``: where ``stop()`` and the end of the program write)."""
    global _recorder
    runtime = sys.modules[__package__]
    if _recorder is not None:
        stop(write=True)
    _recorder = Recorder(path)
    os.environ[_OWNER_ENV] = str(os.getpid())
    runtime._Body = TracingBody
    runtime._Sequential = TracingSequentialBody
    runtime.close_gates()   # calls running as the original would not be recorded
    return _recorder


def stop(write: bool = True) -> Recorder | None:
    """Stop recording; write the trace to its path (if it has one). Returns the recorder."""
    global _recorder
    runtime = sys.modules[__package__]
    found, _recorder = _recorder, None
    runtime._Body = Body
    runtime._Sequential = SequentialBody
    if os.environ.get(_OWNER_ENV) == str(os.getpid()):
        del os.environ[_OWNER_ENV]
    if found is not None and write and found.path is not None and found.pid == os.getpid():
        found.write()
    return found


class tracing:
    """``with desync.tracing("trace.json") as rec:`` records the calls made inside
    (and writes the file on exit, if a path is given); ``rec.trace()`` is the
    document. Not reentrant: one trace at a time per process."""

    def __init__(self, path=None):
        self.path = path
        self.recorder = None

    def __enter__(self) -> Recorder:
        self.recorder = start(self.path)
        return self.recorder

    def __exit__(self, *exc):
        stop(write=True)
        return False


def start_from_environment() -> None:
    """``DESYNC_TRACE=path``: trace this process. A process started by it (a pool
    worker, a subprocess) inherits the variable but does not write the file."""
    path = os.environ.get("DESYNC_TRACE", "").strip()
    if not path:
        return
    owner = os.environ.get(_OWNER_ENV)
    if owner is not None and owner != str(os.getpid()):
        return
    start(path)
    atexit.register(_write_at_exit)


def _write_at_exit():
    found = _recorder
    if found is not None and found.pid == os.getpid() and found.path is not None:
        try:
            found.write()
        except OSError as error:  # pragma: no cover - an unwritable path
            print(f"desync: cannot write the trace to {found.path}: {error}", file=sys.stderr)


# -- the traced scope -----------------------------------------------------------------

def _name_of(fn) -> str:
    if fn is None:
        return "?"
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if not isinstance(name, str):
        name = type(fn).__name__
    return name


def _location_of(fn):
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    return code.co_filename, code.co_firstlineno


_callees: dict = {}


def _callee(fn) -> tuple:
    """(name, (file, line) or None) of a callee; remembered per code object."""
    code = getattr(fn, "__code__", None)
    if code is not None:
        found = _callees.get(code)
        if found is None:
            if len(_callees) > 4096:
                _callees.clear()
            found = _callees[code] = (_name_of(fn), (code.co_filename, code.co_firstlineno))
        return found
    return _name_of(fn), None


def _qualname_of(code) -> str:
    runtime = sys.modules[__package__]
    spec = runtime.spec_for(code)
    if spec is not None:
        return spec.qualname
    return getattr(code, "co_qualname", code.co_name)


class TracingBody(Body):
    """``Body`` that records what it does (tracing on only)."""

    def __init__(self, foreign_submit, threads, cache):
        rec = _recorder
        if foreign_submit is not None:
            foreign_submit = _traced_submit(foreign_submit, self)
        if cache is not None:
            cache = probing(cache)
        super().__init__(foreign_submit, threads, cache, frame_depth=3)
        self._tr_rec = rec
        self._tr_code = self.frame.f_code
        self._tr_call = next(_ids)
        self._tr_issued: dict = {}
        self._tr_reason = None
        self._tr_ending = False
        self._tr_owner = rec.thread() if rec is not None else 0
        self._tr_begin = _now()

    # The call as a whole.
    def __exit__(self, exc_type, exc, tb):
        failed = None
        self._tr_reason = "the end of the call: every step issued"
        self._tr_ending = True
        try:
            return super().__exit__(exc_type, exc, tb)
        except BaseException as error:
            failed = error
            raise
        finally:
            rec = self._tr_rec
            if rec is not None:
                error = failed if failed is not None else exc
                rec.records.append((SPAN, self._tr_owner, self._tr_begin, _now(), self._tr_code,
                                    self._tr_call, None if error is None else repr(error)[:200]))

    # Issuing: when each entry was issued.
    def _spawn(self, kind, fn, args, kwargs, keys, lasti, generated=False, targets=None,
               soft=False, tolerant=False, extra=()):
        self._tr_issued[self.seq + 1] = _now()
        return super()._spawn(kind, fn, args, kwargs, keys, lasti, generated, targets, soft,
                              tolerant, extra)

    # Running: every call and expression task, wherever it runs in this process.
    def _invoke(self, task, fn, args, kwargs):
        rec = self._tr_rec
        if rec is None:  # pragma: no cover - made while tracing, run after stop()
            return super()._invoke(task, fn, args, kwargs)
        cached = self.cache is not None and task.kind == CALL and not task.generated
        _tls.cache = None
        tid = _native_id()
        if tid not in rec.threads:
            rec.thread()
        start = _now()
        try:
            value = super()._invoke(task, fn, args, kwargs)
        except BaseException as error:
            self._record_task(rec, task, fn, tid, start, _now(), repr(error)[:200],
                              _tls.cache if cached else None)
            raise
        self._record_task(rec, task, fn, tid, start, _now(), None,
                          _tls.cache if cached else None)
        return value

    def _run_effect(self, task):
        rec = self._tr_rec
        if rec is None:  # pragma: no cover
            return super()._run_effect(task)
        fn = task.fn
        fn = fn.value if type(fn) is _engine.Task else fn
        start = _now()
        super()._run_effect(task)
        error = task.error
        self._record_task(rec, task, fn, self._tr_owner, start, _now(),
                          None if error is None else repr(error)[:200], None)

    def _record_task(self, rec, task, fn, tid, start, end, error, cache):
        rec.records.append((TASK, tid, start, end, self._tr_code, self._tr_call, task.seq, task.kind,
                            task.lasti, None, task.generated, _callee(fn),
                            self._tr_issued.pop(task.seq, None), error, cache))

    # Waiting: the calling thread, and what for.
    def _help_until(self, done, retire=True):
        rec = self._tr_rec
        if rec is None or done():
            return super()._help_until(done, retire)
        frame = self.frame
        line = frame.f_lineno if frame is not None and not self._tr_ending else None
        start = _now()
        try:
            return super()._help_until(done, retire)
        finally:
            rec.records.append((WAIT, self._tr_owner, start, _now(), self._tr_code, self._tr_call,
                                self._tr_reason or "every step issued before it", line))

    def _waiting(self, reason, method, *args):
        outer, self._tr_reason = self._tr_reason, self._tr_reason or reason
        try:
            return method(*args)
        finally:
            self._tr_reason = outer

    def _need(self, task):
        what = _name_of(task.fn) if task.kind == CALL else "an expression"
        line = _line_of(self._tr_code, task.lasti)
        return self._waiting(f"the result of {what} (line {line})", super()._need, task)

    def _wait_keys(self, keys):
        return self._waiting(f"earlier changes to {', '.join(map(str, keys))}",
                             super()._wait_keys, keys)

    def _wait_keys_task(self, task):
        return self._waiting("an earlier call that may change its arguments",
                             super()._wait_keys_task, task)

    def result(self, value):
        return self._waiting("return: every step before it", super().result, value)

    def barrier(self):
        caller = sys._getframe(1).f_code
        if caller is self._tr_code:
            reason = "every step before it: this statement runs as written"
        elif caller is _BLOCK_EXIT:
            reason = "the end of a try or with body: every step in it"
        else:
            reason = "every step issued before"
        return self._waiting(reason, super().barrier)

    def finish(self):
        return self._waiting("the end of the call: every step issued", super().finish)

    def _finish_all(self):
        return self._waiting("the end of the call: tasks still running",
                             super()._finish_all)


class TracingSequentialBody(SequentialBody):
    """``SequentialBody`` (desync disabled) that records each call, in program order."""

    __slots__ = ("_tr_rec", "_tr_frame", "_tr_code", "_tr_call", "_tr_begin", "_tr_tid")

    def __init__(self, cache):
        if cache is not None:
            cache = probing(cache)
        super().__init__(cache)
        rec = self._tr_rec = _recorder
        self._tr_frame = sys._getframe(2)
        self._tr_code = self._tr_frame.f_code
        self._tr_call = next(_ids)
        self._tr_tid = rec.thread() if rec is not None else 0
        self._tr_begin = _now()

    def __exit__(self, exc_type, exc, tb):
        rec = self._tr_rec
        if rec is not None:
            rec.records.append((SPAN, self._tr_tid, self._tr_begin, _now(), self._tr_code, self._tr_call,
                                None if exc is None else repr(exc)[:200]))
        self._tr_frame = None
        return super().__exit__(exc_type, exc, tb)

    def _timed(self, kind, fn, run, cached=False):
        rec = self._tr_rec
        if rec is None:  # pragma: no cover
            return run()
        line = self._tr_frame.f_lineno if self._tr_frame is not None else None
        _tls.cache = None
        start = _now()
        try:
            value = run()
        except BaseException as error:
            rec.records.append((TASK, self._tr_tid, start, _now(), self._tr_code, self._tr_call, 0, kind,
                                None, line, False, _callee(fn), None,
                                repr(error)[:200], _tls.cache if cached else None))
            raise
        rec.records.append((TASK, self._tr_tid, start, _now(), self._tr_code, self._tr_call, 0, kind,
                            None, line, False, _callee(fn), None, None,
                            _tls.cache if cached else None))
        return value

    def call(self, fn, /, *args, **kwargs):
        return self._timed(CALL, fn, lambda: SequentialBody.call(self, fn, *args, **kwargs),
                           cached=self.cache is not None)

    def method(self, target, keys, obj, name, /, *args, **kwargs):
        bound = getattr(obj, name)
        return self._timed(EFFECT, bound, lambda: bound(*args, **kwargs))

    def method_bound(self, target, keys, obj, name, bound, /, *args, **kwargs):
        return self._timed(EFFECT, bound, lambda: bound(*args, **kwargs))

    def effect(self, targets, fn, /, *args, **kwargs):
        return self._timed(EFFECT, fn, lambda: fn(*args, **kwargs))

    effect_call = effect

    def store(self, targets, held, fn, /, *args, **kwargs):
        return self._timed(EFFECT, fn, lambda: fn(*args, **kwargs))


# -- tasks run by another executor ------------------------------------------------------

class _Stamped(tuple):
    """(value, start ns, end ns, pid, thread id, thread name): a result timed where it ran."""

    __slots__ = ()


class TimedCall:
    """The callee, as shipped to another executor: it times itself where it runs."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __getstate__(self):
        return self.fn

    def __setstate__(self, fn):
        self.fn = fn

    def __call__(self, /, *args, **kwargs):
        start = time.time_ns()
        value = self.fn(*args, **kwargs)
        thread = threading.current_thread()
        return _Stamped((value, start, time.time_ns(), os.getpid(), threading.get_native_id(),
                         thread.name))


class _Unwrapping(Future):
    """The future the engine sees for a timed call: the plain result, once recorded."""

    def __init__(self, inner, on_result):
        super().__init__()
        self._inner = inner
        self._on_result = on_result
        inner.add_done_callback(self._copy)

    def cancel(self):
        if not self._inner.cancel():
            return False
        return super().cancel()

    def _copy(self, inner):
        if inner.cancelled():
            super().cancel()
            return
        error = inner.exception()
        if error is not None:
            self._on_result(None, error)
            self.set_exception(error)
            return
        stamped = inner.result()
        self._on_result(stamped, None)
        self.set_result(stamped[0] if type(stamped) is _Stamped else stamped)


def _traced_submit(submit, scope):
    def traced(owner, task, fn, args, kwargs):
        rec = _recorder
        issued = _now()
        future = submit(owner, task, TimedCall(fn), args, kwargs)
        if rec is None:  # pragma: no cover
            return future
        seq, lasti = task.seq, task.lasti
        name, where = _callee(fn)

        def on_result(stamped, error):
            if stamped is not None and type(stamped) is _Stamped:
                _, start, end, pid, tid, thread = stamped
                rec.records.append((REMOTE, pid, tid, thread, start, end, scope._tr_code,
                                    scope._tr_call, seq, lasti, name, where, issued, None))
            else:
                rec.records.append((REMOTE, None, None, "executor (seen from the caller)",
                                    None, _now(), scope._tr_code, scope._tr_call, seq, lasti, name,
                                    where, issued, None if error is None
                                    else repr(error)[:200]))
        return _Unwrapping(future, on_result)
    traced.token = getattr(submit, "token", None)
    return traced


# -- cache hits -------------------------------------------------------------------------

_probing_classes: dict = {}


def probing(cache):
    """A view of ``cache`` (the same state, shared) that tells whether each call it
    answers was a hit: ``_tls.cache`` is set when its ``call`` returns."""
    kind = type(cache)
    if getattr(kind, "_desync_probing", False):
        return cache
    probe = _probing_classes.get(kind)
    if probe is None:
        probe = _probing_classes[kind] = type(f"Probing{kind.__name__}", (_Probe, kind),
                                              {"_desync_probing": True})
    view = object.__new__(probe)
    try:
        view.__dict__ = cache.__dict__
    except (AttributeError, TypeError):  # pragma: no cover - a cache without a __dict__
        return cache
    return view


def _mark(outcome):
    stack = getattr(_tls, "probes", None)
    if stack:
        stack[-1][0] = outcome


class _Probe:
    def call(self, fn, args, kwargs, fresh=False):
        stack = getattr(_tls, "probes", None)
        if stack is None:
            stack = _tls.probes = []
        frame = ["miss"]
        stack.append(frame)
        try:
            return super().call(fn, args, kwargs, fresh)
        finally:
            stack.pop()
            _tls.cache = frame[0]

    def key_for(self, fn, args, kwargs):
        key = super().key_for(fn, args, kwargs)
        if key is None:
            _mark("not cached")
        return key

    def _use(self, ident):
        found = super()._use(ident)
        if found[0]:
            _mark("hit")
        return found

    def _disk_lookup(self, key):
        found = super()._disk_lookup(key)
        if found[0]:
            _mark("hit (disk)")
        return found

    def _wait(self, ident):
        found = super()._wait(ident)
        if found[0]:
            _mark("hit (shared with the same call running)")
        return found


# -- the Trace Event Format -------------------------------------------------------------

MERGE_NS = 200_000   # waits this close, for the same reason, are drawn as one


def _merged_waits(records):
    """The records, with runs of short waits of one call for one reason made one
    (the calling thread waits entry by entry while it retires a buffer)."""
    out, open_waits = [], {}
    for record in records:
        if record[0] != WAIT:
            out.append(record)
            continue
        _, tid, start, end, code, call, reason, line = record
        key = (tid, call, reason, line)
        last = open_waits.get(key)
        if last is not None and start - out[last][3] <= MERGE_NS:
            merged = out[last]
            out[last] = (WAIT, tid, merged[2], max(end, merged[3]), code, call, reason, line,
                         merged[8] + 1)
            continue
        open_waits[key] = len(out)
        out.append((WAIT, tid, start, end, code, call, reason, line, 1))
    return out


def _document(rec: Recorder) -> dict:
    import linecache
    perf0, wall0 = rec.perf0, rec.wall0
    pid = rec.pid
    events: list = []
    threads: dict = {(pid, tid): name for tid, name in rec.threads.items()}
    owners: set = set()

    def us(ns, base):
        return round((ns - base) / 1000, 3)

    def source(filename, line):
        if not line:
            return ""
        text = linecache.getline(filename, line).strip()
        return text if len(text) <= 80 else text[:77] + "..."

    def body_of(code, call):
        return {"function": _qualname_of(code), "call": f"{_qualname_of(code)}#{call}"}

    for record in _merged_waits(list(rec.records)):
        kind = record[0]
        if kind == SPAN:
            _, tid, start, end, code, call, error = record
            owners.add((pid, tid))
            args = {**body_of(code, call), "file": code.co_filename,
                    "line": code.co_firstlineno}
            if error is not None:
                args["raised"] = error
            events.append({"name": _qualname_of(code), "cat": "desync.call", "ph": "X",
                           "ts": us(start, perf0), "dur": us(end, start), "pid": pid,
                           "tid": tid, "args": args})
        elif kind == TASK:
            (_, tid, start, end, code, call, seq, task_kind, lasti, line, generated, callee,
             issued, error, cache) = record
            name, where = callee
            if line is None and lasti is not None:
                line = _line_of(code, lasti)
            text = source(code.co_filename, line)
            label = text if generated and text else name
            args = {**body_of(code, call), "file": code.co_filename, "line": line,
                    "source": text, "kind": _KINDS.get(task_kind, "call"),
                    "callee": name}
            if seq:
                args["step"] = seq
            if where is not None:
                args["callee_file"], args["callee_line"] = where
            if issued is not None:
                args["queued_ms"] = round((start - issued) / 1e6, 3)
            if cache is not None:
                args["cache"] = cache
            args["outcome"] = "ok" if error is None else f"failed: {error}"
            cat = "desync.effect" if task_kind == EFFECT else "desync.task"
            if cache is not None and cache.startswith("hit"):
                cat += ",desync.cache-hit"
            if error is not None:
                cat += ",desync.failed"
            events.append({"name": label, "cat": cat, "ph": "X", "ts": us(start, perf0),
                           "dur": us(end, start), "pid": pid, "tid": tid, "args": args})
        elif kind == WAIT:
            _, tid, start, end, code, call, reason, line, count = record
            args = {**body_of(code, call), "file": code.co_filename, "line": line,
                    "source": source(code.co_filename, line), "on": reason}
            if count > 1:
                args["waits"] = count
            events.append({"name": f"wait: {reason}", "cat": "desync.wait", "ph": "X",
                           "ts": us(start, perf0), "dur": us(end, start), "pid": pid,
                           "tid": tid, "args": args})
        elif kind == REMOTE:
            (_, rpid, tid, thread, start, end, code, call, seq, lasti, name, where, issued,
             error) = record
            line = _line_of(code, lasti)
            args = {**body_of(code, call), "file": code.co_filename, "line": line,
                    "source": source(code.co_filename, line), "kind": "call",
                    "callee": name, "step": seq, "executor": "another executor"}
            if where is not None:
                args["callee_file"], args["callee_line"] = where
            if rpid is None:
                # Not timed where it ran (it failed there): as the caller saw it.
                rpid, tid = pid, -1
                start_us, end_us = us(issued, perf0), us(end, perf0)
                args["times"] = "from submission to failure, seen from the caller"
            else:
                start_us, end_us = us(start, wall0), us(end, wall0)
                args["queued_ms"] = round(start_us / 1000 - (issued - perf0) / 1e6, 3)
            threads.setdefault((rpid, tid), thread if rpid == pid
                               else f"{thread} (process {rpid})")
            args["outcome"] = "ok" if error is None else f"failed: {error}"
            cat = "desync.task" if error is None else "desync.task,desync.failed"
            events.append({"name": name, "cat": cat, "ph": "X", "ts": start_us,
                           "dur": round(end_us - start_us, 3), "pid": rpid, "tid": tid,
                           "args": args})
    events.sort(key=lambda e: (e["ts"], -e["dur"]))
    meta: list = []
    processes = sorted({p for p, _ in threads} | {e["pid"] for e in events})
    for process in processes:
        name = "desync (calling process)" if process == pid else f"worker process {process}"
        meta.append({"name": "process_name", "ph": "M", "pid": process, "tid": 0,
                     "args": {"name": name}})
        meta.append({"name": "process_sort_index", "ph": "M", "pid": process, "tid": 0,
                     "args": {"sort_index": 0 if process == pid else 1}})
    for index, ((process, tid), name) in enumerate(sorted(
            threads.items(), key=lambda item: (item[0] not in owners, item[0]))):
        meta.append({"name": "thread_name", "ph": "M", "pid": process, "tid": tid,
                     "args": {"name": name + (" (calling thread)" if (process, tid) in owners
                                              else "")}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": process, "tid": tid,
                     "args": {"sort_index": index}})
    return {"traceEvents": meta + events, "displayTimeUnit": "ms",
            "otherData": {"producer": "desync", "python": sys.version.split()[0],
                          "argv": list(sys.argv), "pid": pid}}


__all__ = ["Recorder", "TracingBody", "TracingSequentialBody", "recorder", "start", "stop",
           "tracing", "TimedCall"]
