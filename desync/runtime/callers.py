"""Callees that look at their caller's frame, and tracebacks that read as plain
Python's.

A callee that walks the stack (``logging``, ``warnings``, ``inspect``) is made from a
frame named like the desync function's body (``_as_body``); a task's error loses
desync's own frames (``_keep_user_frames``) and ends at the body's line
(``_final_traceback``).
"""
from __future__ import annotations

import sys
from types import BuiltinMethodType, FunctionType, MethodType, ModuleType, TracebackType

from .qualnames import requalified

from .effects import WORLD_CALLER, facts_of
from .tasks import DONE, FAILED, Deferred, Task, _value


def outcome(x, frame=None):
    """The value of a speculative step, or its exception raised here: what plain
    Python gives at this point of the region. (``frame``: the region's, for a step
    nested in another's arguments.)"""
    kind = type(x)
    if kind is Task:
        state = x.state
        if state == DONE:
            value = x.value
            if type(value) is Deferred:   # (left for here: see _made_where_reached)
                return outcome(value, frame if frame is not None else sys._getframe(1))
            return value
        if state >= FAILED and x.error is not None:
            _throw(x.error)
        raise RuntimeError("desync: a speculative step was not settled; please report "
                           "this as a bug")  # pragma: no cover
    if kind is Deferred:
        if x.made:
            if x.error is not None:
                _throw(x.error)
            return x.value
        if frame is None:
            frame = sys._getframe(1)
        try:
            fn = outcome(x.fn, frame)  # ``random.random()``: the callee may be a step ahead
            args = [outcome(a, frame) for a in x.args]
            kwargs = {k: outcome(v, frame) for k, v in x.kwargs.items()} if x.kwargs else {}
            if looks_at_caller(fn):
                # ``LOG.info(...)`` whose logger was itself a step ahead, or ``who(m)`` in
                # another step's arguments: it sees the try statement's frame (named like
                # the body) as its caller, not this one.
                value = _as_body(frame, frame.f_lasti)(fn, args, kwargs)
            else:
                value = fn(*args, **kwargs) if kwargs else fn(*args)
        except BaseException as error:
            x.made, x.error = True, error
            raise
        x.made, x.value = True, value
        return value
    return x


# Python 3.10's with statement re-raises the traceback it caught, not the one
# __exit__ leaves on the exception.
_WITH_KEEPS_OLD_TRACEBACK = sys.version_info < (3, 11)


def _throw(error: BaseException):
    """Raise ``error`` as it is: a ``raise`` statement links it to whatever this
    thread is handling (``__context__``), which plain Python never did."""
    context, suppress = error.__context__, error.__suppress_context__
    try:
        raise error
    finally:
        error.__context__ = context
        error.__suppress_context__ = suppress


def _call_got(getter, inputs, name, /, *args, **kwargs):
    """The effect ``effect_method`` makes (``Scope._run_effect`` unpacks it)."""
    return getattr(getter(*[_value(i) for i in inputs]), name)(*args, **kwargs)


_STACK_WALKERS = frozenset({"logging", "warnings", "collections", "typing", "enum",
                            "dataclasses"})


_FRAME_MODULES = frozenset({"builtins", "sys", "warnings", "_warnings", "inspect"})


def looks_at_caller(fn) -> bool:
    """May ``fn`` look at the frame that calls it? A function of the user's is its
    own caller's frame for what it does; library code (bound methods of loggers,
    ``logging.info``, ``warnings.warn``) may walk up to whoever called it, and so may a
    function of the user's that reads frames or passes a ``stacklevel``. A C method
    of an object (``out.append``) never does: the common effect pays nothing."""
    cls = type(fn)
    if cls is FunctionType:
        # (a helper of the user's that logs with ``stacklevel=2`` or reads
        # ``sys._getframe(1)``: its facts say so)
        return fn.__module__ in _STACK_WALKERS or WORLD_CALLER in facts_of(fn).world
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
        first = code.co_firstlineno
        if first < line:   # starts where the body does (``inspect.getsource`` of it)
            source = "\n" * (first - 1) + "def _(f, a, k):\n" + "\n" * (line - first - 1) \
                + "    return f(*a, **k)\n"
        else:
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
            # (a lambda made in it is the body's: ``p.<locals>.<lambda>``)
            names["co_consts"] = requalified(code.co_consts, code.co_qualname + ".<locals>.",
                                             body.co_qualname + ".<locals>.")
        else:   # 3.10: a function's qualified name is a constant of the code making it
            names["co_consts"] = requalified(
                code.co_consts, f".<locals>.{code.co_name}.<locals>.", ".<locals>.",
                anywhere=True)
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
    # Skip the frames the exception gathered on its way from the failing entry to
    # here (the body, the runtime); keep the callee's own frames below them.
    inner = _past_desync(error.__traceback__, frame)
    line = _line_of(frame.f_code, lasti)
    if inner is not None and inner.tb_frame.f_code in _REGION_CODES:
        # Raised in a try statement run as one step: plain Python shows the body at
        # the line inside it, not the step (nor the runtime's frames that raised a
        # step's outcome there: ``outcome``, ``_throw``).
        line, lasti, inner = inner.tb_lineno, -1, _past_desync(inner.tb_next, frame)
    try:
        error.__traceback__ = TracebackType(inner, frame, lasti if lasti >= 0 else -1, line)
    except (TypeError, ValueError):  # pragma: no cover
        pass


def _past_desync(tb, frame):
    """``tb`` past the body's own frame and desync's."""
    while tb is not None and (tb.tb_frame is frame or tb.tb_frame.f_code in _AS_BODY_CODES
                              or tb.tb_frame.f_globals.get("__name__", "").startswith(
                                  "desync.runtime")):
        tb = tb.tb_next
    return tb


def _line_of(code, lasti):
    line = code.co_firstlineno
    if lasti is None or lasti < 0:
        return line
    for start, end, number in code.co_lines():
        if start <= lasti < end and number is not None:
            return number
    return line
