"""Code that looks at its caller sees what plain Python shows it.

Log records name the body's file, function and line; ``warnings.warn`` points
where its ``stacklevel`` says; ``sys._getframe``, ``inspect`` and ``traceback``
see the body's frame and its callers; ``locals()``, ``vars()``, ``dir()`` and
``eval``/``exec`` without a namespace see the variables' values. Each body runs
plain, on threads, on a one-worker executor that is not a thread pool, and
under ``desync.sequential()``.
"""
from __future__ import annotations

import collections
import enum
import inspect
import logging
import sys
import time
import traceback
import typing
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


try:   # (round M, hashlib: an alias bound in a handler is warnings.warn too)
    from _no_such_module import warn_later
except ImportError:
    from warnings import warn as warn_later


def warns_through_an_alias(n):
    a = slow(n)
    warn_later("aliased", DeprecationWarning, stacklevel=2)
    return a


FACTORY = collections.namedtuple   # (reached through a name: judged when called)


def names_its_module(n):
    # Factories that name the module calling them (round M: typing, enum, pickling)
    a = slow(n)
    point = collections.namedtuple("Point", "x y")
    alias = FACTORY("Alias", "x")
    kind = typing.NewType("Kind", int)
    var = typing.TypeVar("T")
    color = enum.Enum("Color", "red green")
    try:
        late = FACTORY("Late", ["a", "b"][:a])
    except ValueError:
        late = None
    return [c.__module__ for c in (point, alias, kind, var, color, late)], a


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


# Helpers of the user's that look at whoever calls them: a logging helper, the usual
# deprecation helpers, functions that read their caller's frame. Called from the body,
# each must see the body's file, function and line, as in plain Python (before, they
# saw desync's runtime: engine.py, the cache's ``call``).
def note(msg):
    LOG.info(msg, stacklevel=2)
    return len(msg)


def note_through(msg):
    return note_deeper(msg)


def note_deeper(msg):
    LOG.info(msg, stacklevel=3)
    return len(msg)


def old_api(x):
    warnings.warn("old_api is deprecated", DeprecationWarning, stacklevel=2)
    return x + 1


def old_api_positional(x):
    warnings.warn("old_api_positional is deprecated", DeprecationWarning, 2)
    return x + 1


def whoami():
    return sys._getframe(1).f_code.co_name


def where_called():
    frame = inspect.currentframe().f_back
    return frame.f_code.co_name, frame.f_lineno


def calling_module():
    return inspect.stack()[1].function


def helpers_look_at_their_caller(n):
    a = slow(n)
    note(f"a is {a}")
    b = old_api(a)
    c = old_api_positional(b)
    who = whoami()
    where = where_called()
    d = slow(b)
    note_through(f"d is {d}")
    return a, b, c, who, where, d, calling_module()


# From the adversarial round on the rule above: a stacklevel forwarded in **kwargs or
# set in a dict of options, warn under another name, a call written over two lines
# (plain Python reports its first line), and a body's own log with stacklevel=2
# (it names the body's caller).
def note_forwarded(msg, **kwargs):
    LOG.info(msg, **kwargs)
    return len(msg)


def deprecate_with_options(what, **options):
    options.setdefault("stacklevel", 2)
    warnings.warn(f"{what} is deprecated", DeprecationWarning, **options)


def deprecate_by_alias(what):
    _warn = warnings.warn
    _warn(f"{what} is old", DeprecationWarning, 2)


def forwards_and_spans_lines(n):
    a = slow(n)
    note_forwarded(f"a is {a}", stacklevel=2)
    deprecate_with_options("x")
    deprecate_by_alias("y")
    LOG.info(
        "over two lines %s", a)
    LOG.warning("this function is deprecated", stacklevel=2)
    where = where_called(
    )
    return a, where


def _name_of_caller(x):
    return sys._getframe(1).f_code.co_name, x


class _Made:
    def __call__(self, x):
        return x


def _hand_to(factory, x):
    return factory(x)


def in_another_calls_arguments_in_a_try(n):
    # (found by the fuzzer: a step ahead in a try body, in the arguments of another
    # step ahead, ran from desync's own list comprehension: its caller was that)
    out = []
    for _ in range(2):
        try:
            out.append(_hand_to(_Made(), _name_of_caller(slow(n))))
        except AttributeError:
            pass
    return out


def _call_each(fns, x):
    return sum(fn(x) for fn in fns)


def in_the_first_iterable_of_a_comprehension_run_as_written(n):
    # (found by the CI seed: the comprehension makes lambdas, so it runs as written
    # in a lambda of desync's; its outermost iterable is the body's to evaluate)
    return [_call_each([lambda v: i], 1) for i in range(len(_name_of_caller(n)[0]))]


BODIES = [logs, warns, warns_through_an_alias, names_its_module, frames, variables, logs_in_a_loop,
          fails_in_a_loop, helpers_look_at_their_caller, forwards_and_spans_lines,
          in_another_calls_arguments_in_a_try,
          in_the_first_iterable_of_a_comprehension_run_as_written]
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
    for got in _runs_in(mode, body, lambda fn: _run(fn, 1), 5):
        assert got == expected


def _runs_in(mode, body, observe, times):
    """``observe(body under desync)`` ``times`` times, in ``mode``."""
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(body)
    for _ in range(times):
        if mode == "sequential":
            with desync.sequential():
                yield observe(decorated)
        else:
            yield observe(decorated)


def test_locals_and_eval_are_accepted_not_refused():
    decorated = dz(cache=False)(variables)
    seen, also, names, total = decorated(1)
    assert dict(seen) == {"a": 2, "b": 3, "n": 1}
    assert also == 3 and names == ["a", "also", "b", "n", "seen"]
    assert total == 32


# -- failures in a statement's header, and variables read by name in its clauses ----------

class Suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


def fail(x):
    raise ValueError(x)


def fails_in_if_test():
    x = 0
    if fail(1) < 8:
        x = 5
    return x


def fails_in_elif_test():
    x = slow(0)
    if x:
        x = 1
    elif fail(x):
        x = 2
    return x


def fails_in_while_test():
    n = 1
    while fail(n):
        n += 1
    return n


def fails_in_for_iterable():
    total = 0
    for v in fail(3):
        total += v
    return total


def fails_in_match_subject():
    match fail(4):
        case 1:
            return "one"
    return "none"


def locals_in_finally():
    x = slow(2)
    try:
        y = slow(3)
    finally:
        return sorted(locals())


def eval_in_handler():
    x = slow(5)
    try:
        fail(1)
    except ValueError:
        return eval("x + 1")


def locals_after_a_try_in_a_loop():
    out = []
    for i in range(2):
        try:
            y = slow(i)
        except ValueError:
            pass
        out.append(sorted(locals()))
    return out


def locals_in_a_handler_in_a_loop():
    out = []
    for i in range(1):
        try:
            fail(1)
        except ValueError:
            out.append(sorted(locals()))
    return out


def locals_after_a_failed_try():
    try:
        a = fail(1)
    except ValueError:
        pass
    return locals()


def locals_after_a_suppressed_with():
    with Suppress():
        a = fail(1)
    return "a" in locals()


def locals_names_what_handlers_and_cases_bind():
    a = (slow(1), slow(2))
    try:
        import json as J   # noqa: F401

        def inner():
            return J
        fail(2)
    except ValueError as e:   # noqa: F841
        match a:
            case (x, y):
                b = slow(x)   # noqa: F841
        return sorted(locals())


CLAUSES = [locals_names_what_handlers_and_cases_bind, fails_in_if_test, fails_in_elif_test, fails_in_while_test, fails_in_for_iterable,
           fails_in_match_subject, locals_in_finally, eval_in_handler,
           locals_after_a_try_in_a_loop, locals_in_a_handler_in_a_loop,
           locals_after_a_failed_try, locals_after_a_suppressed_with]


def _outcome(fn):
    try:
        return ("returned", fn())
    except ValueError as error:
        frames = traceback.extract_tb(error.__traceback__)
        return ("raised", [(f.name, f.lineno) for f in frames if f.filename == __file__
                           and f.name in (fn.__name__, "fail")][-2:])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("body", CLAUSES, ids=[b.__name__ for b in CLAUSES])
def test_header_lines_and_variables_read_by_name_in_clauses_are_plain_pythons(body, mode):
    # Before: a call failing in a header was reported at the body's first line, and
    # locals()/eval() in handlers, finally clauses and a loop's try saw desync's
    # names, futures, or a name the failed call never bound (a RuntimeError).
    expected = _outcome(body)
    for got in _runs_in(mode, body, _outcome, 3):
        assert got == expected


def collect(rows, add):
    for row in rows:
        add(fail(row))


def nested_writer_fails():
    out = []

    def inner(i):
        out.append(i)
        return fail(i)
    return inner(1)


def handed_callback_fails():
    out = []
    collect([1, 2], out.append)
    return out


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("body", [nested_writer_fails, handed_callback_fails],
                         ids=["nested_writer", "handed_callback"])
def test_the_frame_of_a_users_function_run_as_an_effect_stays(body, mode):
    # Before: the nested def's (or collect's) own frame was dropped as if desync had
    # generated it.
    def names(fn):
        try:
            fn()
        except ValueError as error:
            return [f.name for f in traceback.extract_tb(error.__traceback__)
                    if f.filename == __file__][-3:]
    expected = names(body)
    assert expected[-2:] in (["inner", "fail"], ["collect", "fail"])
    for got in _runs_in(mode, body, names, 3):
        assert got == expected


# What a frame's code says: the qualified name (a method's class, the function around a
# nested one), and the first line (the first decorator's, as ``inspect.getsource``
# reads it), for the body's own frame and for the frame a helper sees as its caller.
def code_of_caller():
    frame = sys._getframe(1)
    code = frame.f_code
    return (getattr(code, "co_qualname", code.co_name), code.co_firstlineno,
            len(inspect.getsource(frame).splitlines()))


class Holder:
    @dz(cache=False)
    def method(self, n):
        a = slow(n)
        own = sys._getframe().f_code
        return a, getattr(own, "co_qualname", own.co_name), own.co_firstlineno, \
            code_of_caller()


def make_nested():
    @dz(cache=False)
    def nested(n):
        a = slow(n)
        return a, code_of_caller()
    return nested


def _give_what_the_original_gives(calls, mode):
    for fn, args in calls:
        expected = fn.__desync_original__(*args)
        for _ in range(3):
            if mode == "sequential":
                with desync.sequential():
                    assert fn(*args) == expected
            else:
                assert fn(*args) == expected


@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_frames_carry_the_qualified_name_and_first_line_of_the_original(mode):
    nested = make_nested()
    _give_what_the_original_gives([(Holder.method, (Holder(), 1)), (nested, (1,))], mode)


class Maker:
    """Functions made in a desync method, in a try statement run as one step, and
    in a desync function made by a factory: named as plain Python names them."""

    @dz(cache=False)
    def made(self, n, xs):
        double = lambda v: v * 2   # noqa: E731

        def inner(v):
            return v + n
        keep = {}
        for j in [n]:
            try:
                keep[lambda v, j=j: j] = divmod(n, 4)
                for v, j in xs:
                    pass
            except ArithmeticError:
                pass
        return [f.__qualname__ for f in (double, inner, *keep)], slow(n)


def make_maker():
    @dz(cache=False)
    def made_inside(n):
        return (lambda: n).__qualname__, slow(n)
    return made_inside


@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_functions_made_in_a_body_carry_plain_pythons_qualified_names(mode):
    made_inside = make_maker()
    calls = [(Maker.made, (Maker(), 1, [])), (made_inside, (2,))]
    for fn, args in calls:
        named = repr(fn.__desync_original__(*args))
        assert "Maker.made.<locals>" in named or "make_maker.<locals>" in named
    _give_what_the_original_gives(calls, mode)
