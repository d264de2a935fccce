"""Calls out of order, effects in order: each shape that once gave a different
answer from plain Python, run many times with random callee delays, on threads,
on a one-worker executor that is not a ThreadPoolExecutor, and sequentially
(``desync.sequential()``). The plain function is the one before ``@desync``."""
from __future__ import annotations

import contextlib
import functools
import heapq
import io
import json
import logging
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import textwrap
import traceback
from concurrent.futures import Executor, Future

import pytest

import desync
from desync import desync as dz

RUNS = int(os.environ.get("DESYNC_MODEL_RUNS", "20"))
EVENTS: list = []


class OneWorker(Executor):
    """A one-thread executor that is not a ThreadPoolExecutor."""

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def _work(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            future, fn, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:
                future.set_exception(error)

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        self.jobs.put((future, fn, args, kwargs))
        return future

    def shutdown(self, wait=True, **kwargs):
        self.jobs.put(None)


ONE = OneWorker()


# -- callees: pure, with random delays so they finish out of order ------------------

def jit():
    time.sleep(random.random() * 0.002)


def slow(x=None):
    jit()
    return x


def check(i):
    jit()
    if i == 2:
        raise ValueError(i)
    return i


def apply(f):
    jit()
    return f()


def fetch_fail():
    jit()
    raise ValueError("fetch failed")


def chained_failure():
    jit()
    try:
        {}["missing"]
    except KeyError:
        raise ValueError("while looking up")


def interrupt():
    jit()
    raise KeyboardInterrupt()


def sleep_for(seconds):
    time.sleep(seconds)
    return seconds


class Config:
    FAST = "fast"
    SLOW = "slow"

    def __init__(self, mode):
        self.mode = mode


def make_config(mode):
    jit()
    return Config(mode)


class Recorder:
    def __init__(self, name, suppress=False):
        self.name = name
        self.suppress = suppress

    def __enter__(self):
        EVENTS.append(("enter", self.name))
        return self

    def __exit__(self, kind, error, tb):
        EVENTS.append(("exit", self.name, kind.__name__ if kind else None))
        return self.suppress


class StdoutHandler(logging.Handler):
    def emit(self, record):
        sys.stdout.write(f"LOG {record.getMessage()}\n")


LOGGER = logging.getLogger("desync.tests.model")
LOGGER.addHandler(StdoutHandler())
LOGGER.setLevel(logging.INFO)
LOGGER.propagate = False


class Registry:
    items: list = []


class Base:
    def fill(self):
        self.v = slow(41) + 1


class Child(Base):
    def get(self):
        super().fill()
        return self.v


# -- the examples: plain functions (each is run plain and under desync) ---------------

def effects_after_failure():
    count = 0
    try:
        for i in range(5):
            check(i)
            count += 1
    except ValueError:
        pass
    return count


def append_after_failure():
    out = []
    try:
        for i in range(5):
            check(i)
            out.append(i)
    except ValueError:
        pass
    return out


def appends_in_later_iterations():
    out = []
    try:
        for i in range(6):
            out.append(slow(i))
            check(i)
    except ValueError:
        pass
    return out


def argument_appended_when_raising(acc):
    for i in range(5):
        acc.append(slow(i))
        check(i)


def file_untouched_when_the_fetch_fails(path):
    data = fetch_fail()
    with open(path, "w") as fh:
        fh.write(data)


def lambda_captures_loop_value():
    out = []
    for i in range(4):
        out.append(apply(lambda: i))
    return out


def default_arg_at_creation():
    fns = []
    for i in range(4):
        fns.append(lambda i=i: i)
    return [f() for f in fns]


def closures_called_later_see_the_last_value():
    fns = []
    for i in range(4):
        fns.append(lambda: i)
    return [f() for f in fns]


def sorted_key_reads_filled_dict():
    scores = {}
    names = ["b", "a", "c"]
    for n in names:
        scores[n] = slow(ord(n))
    return sorted(names, key=lambda k: scores[k])


def setdefault_chain():
    d = {}
    for i in range(6):
        d.setdefault("k", []).append(slow(i))
    return d


def row_into_table():
    table = []
    row = []
    table.append(row)
    row.append(slow(1))
    return str(table)


def multi_target_alias():
    a = b = []
    a.append(slow(1))
    b.append(2)
    return a


def class_attribute_order():
    Registry.items = []
    for i in range(6):
        Registry.items.append(slow(i))
    return list(Registry.items)


def super_then_read():
    return Child().get()


def context_manager_after_earlier_failure():
    print("before")
    fetch_fail()
    with Recorder("late"):
        print("inside")


def exit_sees_the_body_error():
    with Recorder("cm"):
        x = slow(1)
        check(x + 1)
    return "unreachable"


def suppressed_failure_keeps_the_old_binding():
    value = "old"
    with Recorder("quiet", suppress=True):
        value = check(2)
    return value


def finally_after_a_failing_handler():
    try:
        check(2)
    except ValueError:
        check(2)
    finally:
        EVENTS.append("finally")


def finally_after_a_failing_else():
    try:
        slow(1)
    except ValueError:
        EVENTS.append("handler")
    else:
        check(2)
    finally:
        EVENTS.append("finally")


def finally_after_keyboard_interrupt():
    try:
        slow(1)
        interrupt()
    finally:
        EVENTS.append("finally")


def context_is_clean():
    try:
        fetch_fail()
        raise KeyError("never reached")
    except ValueError as error:
        return type(error.__context__).__name__, error.__suppress_context__


def raise_from_in_a_handler():
    try:
        check(2)
    except ValueError as error:
        raise KeyError("wrapped") from error


def callee_context_is_kept():
    a = slow(1)
    chained_failure()
    return a


def comprehension_var_then_loop():
    squares = [slow(i * i) for i in range(4)]
    total = 0
    for i in range(4):
        total += squares[i]
    return total, i


def iterate_while_appending():
    xs = [0]
    for x in xs:
        if x < 4:
            xs.append(slow(x + 1))
    return xs


def nonlocal_setter():
    x = 0

    def set_x(v):
        nonlocal x
        x = v
    set_x(slow(5))
    return x


def print_to_buffer():
    buf = io.StringIO()
    print(slow("hi"), file=buf)
    return buf.getvalue()


def print_before_clear():
    acc = [1, 2]
    x = slow(0)
    print(x, acc)
    acc.clear()
    return acc


def match_value_pattern_on_a_call_result():
    cfg = make_config("fast")
    match cfg.mode:
        case cfg.FAST:
            return "fast"
        case cfg.SLOW:
            return "slow"
    return "none"


def logging_stdout_and_print_interleave():
    print("one")
    LOGGER.info("two %s", slow(2))
    sys.stdout.write(f"three {slow(3)}\n")
    print("four", slow(4))


def random_draws_after_the_seed():
    random.seed(slow(1234))
    return random.random()


def clock_measures_the_call():
    t0 = time.perf_counter()
    sleep_for(0.03)
    t1 = time.perf_counter()
    return t1 - t0 >= 0.03


@dz(cache=False, executor=ONE)
def nested_on_one_worker(x):
    a = slow(x)
    b = slow(x + 1)
    return a + b


def nested_desync_calls():
    return nested_on_one_worker(1) + nested_on_one_worker(slow(10))


def unpacking_into_attributes_and_items():
    holder = Config("x")
    d = {}
    holder.num, d["den"] = slow((3, 4))
    return holder.num, d


def bound_method_alias():
    res = []
    add = res.append
    for i in range(4):
        add(slow(i))
    return res


def condition_skips_a_failing_element():
    return [check(i) for i in range(5) if i != 2]


def any_stops_before_a_failure():
    return any(check(i) > 0 for i in range(5))


def all_stops_before_a_failure():
    return all(check(i) < 1 for i in range(5))


def any_reaches_a_failure():
    return any(check(i) > 5 for i in range(5))


def map_fails_at_its_element():
    return list(map(check, range(5)))


def sum_with_a_condition():
    return sum(slow(i) for i in range(6) if i % 2)


def condition_reads_a_mutated_set():
    seen = set()
    seen.add(slow(1))
    return [x for x in range(4) if x in seen]


def try_in_a_loop_with_else_and_finally():
    for i in range(5):
        try:
            v = check(i)
        except ValueError:
            print("bad", i)
        else:
            print("ok", v)
        finally:
            EVENTS.append(i)


def try_in_a_loop_lets_other_errors_through():
    out = []
    for i in range(5):
        try:
            out.append(check(i))
        except KeyError:
            out.append(None)
    return out


def try_in_a_loop_defers_effects():
    for i in range(3):
        try:
            print(slow(i))
        except ValueError:
            pass


def try_in_a_loop_raises_from_its_handler():
    for i in range(4):
        try:
            check(i)
        except ValueError as error:
            raise KeyError(i) from error


def try_in_a_loop_keeps_old_binding():
    last = "none"
    for i in range(4):
        try:
            last = check(i)
        except ValueError:
            pass
    return last


def size_of(xs):
    jit()
    return len(xs)


def one_list_under_two_names(a, b):
    a.append(slow(1))
    n = size_of(b)
    a.append(slow(2))
    return n, len(b)


EXAMPLES = [
    (one_list_under_two_names, "same list twice"),
    (condition_skips_a_failing_element, None), (any_stops_before_a_failure, None),
    (all_stops_before_a_failure, None), (any_reaches_a_failure, None),
    (map_fails_at_its_element, None), (sum_with_a_condition, None),
    (condition_reads_a_mutated_set, None), (try_in_a_loop_with_else_and_finally, None),
    (try_in_a_loop_lets_other_errors_through, None), (try_in_a_loop_defers_effects, None),
    (try_in_a_loop_raises_from_its_handler, None), (try_in_a_loop_keeps_old_binding, None),
    (effects_after_failure, None), (append_after_failure, None),
    (appends_in_later_iterations, None), (argument_appended_when_raising, "list"),
    (file_untouched_when_the_fetch_fails, "file"), (lambda_captures_loop_value, None),
    (default_arg_at_creation, None), (closures_called_later_see_the_last_value, None),
    (sorted_key_reads_filled_dict, None), (setdefault_chain, None), (row_into_table, None),
    (multi_target_alias, None), (class_attribute_order, None), (super_then_read, None),
    (context_manager_after_earlier_failure, None), (exit_sees_the_body_error, None),
    (suppressed_failure_keeps_the_old_binding, None), (finally_after_a_failing_handler, None),
    (finally_after_a_failing_else, None), (finally_after_keyboard_interrupt, None),
    (context_is_clean, None), (raise_from_in_a_handler, None), (callee_context_is_kept, None),
    (comprehension_var_then_loop, None), (iterate_while_appending, None),
    (nonlocal_setter, None), (print_to_buffer, None), (print_before_clear, None),
    (match_value_pattern_on_a_call_result, None), (logging_stdout_and_print_interleave, None),
    (random_draws_after_the_seed, None), (clock_measures_the_call, None),
    (nested_desync_calls, None), (unpacking_into_attributes_and_items, None),
    (bound_method_alias, None),
]


def _chain(error):
    out = []
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        out.append((type(error).__name__, str(error), error.__suppress_context__,
                    type(error.__cause__).__name__ if error.__cause__ else None))
        error = error.__cause__ or error.__context__
    return out


def _args(kind):
    if kind == "list":
        return [[]]
    if kind == "same list twice":
        shared = []
        return [shared, shared]
    if kind == "file":
        handle, path = tempfile.mkstemp()
        os.write(handle, b"precious")
        os.close(handle)
        return [path]
    return []


def _after(kind, args):
    if kind == "file":
        with open(args[0]) as fh:
            content = fh.read()
        os.unlink(args[0])
        return content
    return repr(args)


def outcome(fn, kind):
    EVENTS.clear()
    args = _args(kind)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            result = ("returned", repr(fn(*args)))
        except BaseException as error:  # KeyboardInterrupt from a callee included
            result = ("raised", _chain(error))
    return result, out.getvalue(), list(EVENTS), _after(kind, args)


_variants: dict = {}


def variant(fn, mode):
    key = (fn, mode)
    if key not in _variants:
        if mode == "one_worker":
            _variants[key] = dz(cache=False, executor=ONE)(fn)
        else:
            _variants[key] = dz(cache=False)(fn)
    made = _variants[key]
    if mode == "sequential":
        def sequential(*args):
            with desync.sequential():
                return made(*args)
        return sequential
    return made


@pytest.mark.parametrize("mode", ["threads", "one_worker", "sequential"])
@pytest.mark.parametrize("fn,kind", EXAMPLES, ids=[f.__name__ for f, _ in EXAMPLES])
def test_desync_gives_plain_pythons_answer(fn, kind, mode):
    runs = RUNS if mode != "sequential" else 2
    for run in range(runs):
        random.seed(run)
        expected = outcome(fn, kind)
        actual = outcome(variant(fn, mode), kind)
        assert actual == expected, f"run {run}"


# -- shapes checked beyond equality ------------------------------------------------------

def fails_on_its_own_line(x):
    a = slow(x)
    b = check(a)   # the failing call
    return b


def test_the_traceback_names_the_failing_calls_line():
    transpiled = dz(cache=False)(fails_on_its_own_line)
    with pytest.raises(ValueError) as caught:
        transpiled(2)
    error = caught.value
    frames = traceback.extract_tb(error.__traceback__)
    body = [f for f in frames if f.name == "fails_on_its_own_line"]
    assert body and body[-1].line == "b = check(a)   # the failing call"
    assert frames[-1].name == "check"
    if sys.version_info >= (3, 11):  # 3.10 re-raises the traceback the with statement had
        assert [f.name for f in frames[-2:]] == ["fails_on_its_own_line", "check"]
        assert not any("desync" + os.sep + "runtime" in f.filename for f in frames)


def loop_of_appends(urls):
    pages = []
    for u in urls:
        pages.append(sleep_for(u))
    return pages


def test_loop_iterations_still_overlap():
    transpiled = dz(cache=False)(loop_of_appends)
    started = time.perf_counter()
    assert transpiled([0.2] * 6) == [0.2] * 6
    assert time.perf_counter() - started < 0.6  # one at a time: 1.2 s


def _waits(seconds):
    for _ in range(6):
        yield seconds   # (no effects: the loop's own generator runs ahead)


def _over_a_generator_sum(seconds):
    return sum(sleep_for(s) for s in _waits(seconds))


def _over_a_generator_list(seconds):
    return [sleep_for(s) for s in _waits(seconds)]


def _over_a_generator_kept(seconds):
    return [sleep_for(s) for s in _waits(seconds) if s > 0]


def _over_a_generator_map(seconds):
    return list(map(sleep_for, _waits(seconds)))


@pytest.mark.parametrize("fn, expected", [(_over_a_generator_sum, sum([0.2] * 6)),
                                          (_over_a_generator_list, [0.2] * 6),
                                          (_over_a_generator_kept, [0.2] * 6),
                                          (_over_a_generator_map, [0.2] * 6)])
def test_elements_over_a_generator_the_loop_makes_still_overlap(fn, expected):
    transpiled = dz(cache=False)(fn)
    started = time.perf_counter()
    assert transpiled(0.2) == expected
    assert time.perf_counter() - started < 0.6  # one at a time: 1.2 s


def test_a_nested_desync_call_on_a_one_worker_executor_finishes():
    done = threading.Event()
    result = []

    def run():
        result.append(nested_desync_calls())
        done.set()
    threading.Thread(target=run, daemon=True).start()
    assert done.wait(10), "deadlock"
    assert result == [1 + 2 + 10 + 11]


# -- found by the fuzzer (seed 20261126) ------------------------------------------------

def _times_then_score(n, xs, scores):
    k = 0
    while k < 2:
        k += 1
        try:
            n *= xs[0]                     # rebinds a name the try itself reads
            scores.append(fails_at_eight(k, n))
        except ZeroDivisionError:
            pass
    return scores                          # (n is read nowhere else)


def fails_at_eight(k, n):
    if n == 8:
        raise ValueError(f"reached {k}, {n}")
    time.sleep(0.002)
    return k * n


def test_a_try_in_a_loop_sees_the_names_it_rebound_in_the_last_iteration():
    for mode in ("threads", "sequential"):
        plain_scores, ds_scores = [], []
        with pytest.raises(ValueError) as expected:
            _times_then_score(2, [2], plain_scores)
        decorated = dz(cache=False)(_times_then_score)
        with (desync.sequential() if mode == "sequential" else contextlib.nullcontext()):
            with pytest.raises(ValueError) as got:
                decorated(2, [2], ds_scores)
        assert str(got.value) == str(expected.value) == "reached 2, 8"
        assert ds_scores == plain_scores == [4]
        assert _times_then_score(3, [1], []) == decorated(3, [1], []) == [3, 6]


class _Holder:
    def __init__(self):
        self.items = []

    def total(self):
        time.sleep(0.002)
        return sum(self.items)


def _chained(xs):
    a = b = _Holder()
    a.items = xs                           # through one name
    b.items.append(b.total())              # read through the other
    xs.reverse()
    return list(xs)


def test_chained_assignment_names_one_object():
    expected = _chained([5, 2, 1])
    assert expected == [8, 1, 2, 5]
    decorated = dz(cache=False)(_chained)
    for _ in range(5):
        assert decorated([5, 2, 1]) == expected


def _three_operands(flagged, xs, ys):
    out = []
    if flagged.flag and xs and xs[-1].strip() == "":     # textwrap's shape
        out.append("dropped")
    if flagged.flag and fails_at_eight(1, len(xs)) and ys:
        out.append("all true")
    return out


class _Flagged:
    flag = True


def test_a_condition_of_three_operands_keeps_its_third():
    decorated = dz(cache=False)(_three_operands)
    for xs, ys in ((["a", "b "], []), (["a", " "], []), (["a"], [1]), ([], [1])):
        assert decorated(_Flagged(), xs, ys) == _three_operands(_Flagged(), xs, ys), (xs, ys)


class _Handler:
    def take(self, words, line):           # changes its arguments, not its object
        time.sleep(0.002)
        line.append(words.pop())


def _handles(words):
    handler = _Handler()
    line = []
    handler.take(words, line)              # textwrap's self._handle_long_word(chunks, cur_line, ...)
    total = sum(map(len, line))
    return total, list(words), line


def test_a_method_that_changes_its_arguments_is_ordered_with_their_readers():
    decorated = dz(cache=False)(_handles)
    for _ in range(5):
        assert decorated(["ab", "cde"]) == _handles(["ab", "cde"]) == (3, ["ab"], ["cde"])


class _Private:
    def __init__(self):
        self.__count = 0

    def __bump(self, by):
        time.sleep(0.002)
        self.__count += by
        return self.__count

    @dz(cache=False)
    def run(self, xs):
        for x in xs:
            self.__bump(x)                 # a private method, through the mangled name
        seen = self.__count                # a private attribute read ...
        self.__last = seen                 # ... and stored
        return seen, self._Private__last


def test_private_names_in_a_class_are_mangled_as_python_does():
    assert _Private().run([1, 2, 3]) == (6, 6)
    assert _Private.run.__desync_original__(_Private(), [1, 2]) == (3, 3)


# -- found by the fuzzer (seed 990017) ---------------------------------------------------

class _Filler:
    def fill(self, x):
        time.sleep(0.001)
        self.filled = x


class _SuperInATry(_Filler):
    @dz(cache=False)
    def run(self, items):
        k = 0
        while k < len(items):
            try:
                super().fill(items[k])      # zero-argument super() in a try in a loop
            except ZeroDivisionError:
                pass
            k += 1
        return self.filled


def test_zero_argument_super_in_a_try_in_a_loop():
    assert _SuperInATry().run([1, 2, 3]) == 3


def _twice_consumed(xs):
    it = map(fails_at_eight, [1] * len(xs), xs)   # an iterator a call made
    k = 0
    while k < 2:
        k += 1
        ordered = sorted(it, key=lambda v: -v)     # consumes it (a pure-looking expression)
    return ordered, list(it)


def test_an_iterator_made_by_a_call_is_consumed_in_program_order():
    decorated = dz(cache=False)(_twice_consumed)
    for _ in range(10):
        assert decorated([1, 2, 3]) == _twice_consumed([1, 2, 3]) == ([], [])


# -- found by the fuzzer (seed 5150) -----------------------------------------------------

def _reads_before_rebinding(m):
    seen = []

    def bump():
        nonlocal m
        m += 8
        return m

    first = (m, bump())                     # m is read before bump rebinds it
    seen.append(m)
    second = str(m) + str(bump())           # (an operator: always was in order)
    print_like = _record(m, bump())         # a call's arguments, left to right
    return first, seen, second, print_like


def _record(*values):
    time.sleep(0.001)
    return values


def test_a_variable_is_read_before_a_later_call_rebinds_it():
    expected = _reads_before_rebinding(0)
    assert expected == ((0, 8), [8], "816", (16, 24))
    decorated = dz(cache=False)(_reads_before_rebinding)
    for mode in ("threads", "sequential"):
        with (desync.sequential() if mode == "sequential" else contextlib.nullcontext()):
            for _ in range(3):
                assert decorated(0) == expected, mode


# -- found by the fuzzer (seed 31337) ----------------------------------------------------

def _unpacks_before_popping(d):
    merged = {**d, "b": d.pop("k")}        # d is unpacked before the pop
    return merged, d


def test_a_dict_is_unpacked_before_a_later_part_changes_it():
    decorated = dz(cache=False)(_unpacks_before_popping)
    for _ in range(5):
        assert decorated({"k": 0, "b": 3}) == _unpacks_before_popping({"k": 0, "b": 3}) \
            == ({"k": 0, "b": 0}, {"b": 3})


def _zero_later():
    time.sleep(0.05)
    return 0


def _default_in_finally(n, m, xs):
    xs.insert(0, _zero_later())
    m, n = (n, m)                          # ordered after the insert: n is pending here
    try:
        pass
    finally:
        taken = _call_with(lambda v, n=n: n + v, 1)   # a default evaluated in a clause run as written
    return m, taken, xs


def _call_with(fn, value):
    return fn(value)


def test_a_lambda_default_in_a_finally_clause_gets_the_value():
    decorated = dz(cache=False)(_default_in_finally)
    for _ in range(5):
        assert decorated(3, 4, []) == _default_in_finally(3, 4, [])


def _deletes_then_filters(xs, d):
    keep = Box()                           # a call first: the deletion below waits for it
    del xs[:1]
    d["b"] = len([w for w in [1] if xs])   # the condition reads xs after the deletion
    xs[0:1] = [keep.n]                     # a slice stored through a helper
    return d, xs


class Box:
    def __init__(self):
        time.sleep(0.002)
        self.n = 7


def test_a_comprehension_condition_reads_after_pending_changes_and_slices_are_stored():
    decorated = dz(cache=False)(_deletes_then_filters)
    for xs in ([3], [3, 4, 5]):
        for _ in range(5):
            assert decorated(list(xs), {}) == _deletes_then_filters(list(xs), {})


def _fails_inside(x):
    raise ValueError(f"inner {x}")


@dz(cache=False, executor=OneWorker())
def _inner_on_another_executor(x):
    a = _fails_inside(x)
    return a


def _handles_then_calls(x):
    try:
        raise KeyError(x)
    finally:
        _inner_on_another_executor(x)      # raises while KeyError is being handled


def test_a_failure_on_another_executor_chains_to_what_was_being_handled():
    with pytest.raises(ValueError) as caught:
        _handles_then_calls(1)
    assert isinstance(caught.value.__context__, KeyError)   # as plain Python chains it


# -- seed 777 (pacing on): what Python evaluates first fails first --------------------
def _fails_at_four(x):
    if x == 4:
        raise ValueError("f(4)")
    return x + 1


def _two(x, y=1):
    return x + y


class _Sink:
    def take(self, *parts, **named):
        return parts, named


def _lookup_then_call(n):
    empty = {}
    try:
        _two({}['k'], y=_fails_at_four(n))
    except KeyError:
        return "key first"


def _tuple_first(n):
    try:
        return ({}['k'], _fails_at_four(n))
    except (KeyError, ValueError) as error:
        return type(error).__name__


def _operand_first(n):
    try:
        return [1][5] + _fails_at_four(n)
    except (IndexError, ValueError) as error:
        return type(error).__name__


def _star_first(n):
    try:
        return _two(*[(1, 2)[7]], y=_fails_at_four(n))
    except (IndexError, ValueError) as error:
        return type(error).__name__


def _method_argument_first(n):
    sink = _Sink()
    try:
        return sink.take({}['k'], _fails_at_four(n))
    except (KeyError, ValueError) as error:
        return type(error).__name__


def _division_first(n):
    try:
        return _two(1 // 0, _fails_at_four(n))
    except (ZeroDivisionError, ValueError) as error:
        return type(error).__name__


@pytest.mark.parametrize("fn", [_lookup_then_call, _tuple_first, _operand_first, _star_first,
                                _method_argument_first, _division_first])
@pytest.mark.parametrize("mode", ["threads", "one-worker", "sequential"])
def test_an_expression_evaluated_before_a_call_fails_before_it(fn, mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(fn)
    for _ in range(5):
        if mode == "sequential":
            with desync.sequential():
                assert decorated(4) == fn(4)
        else:
            assert decorated(4) == fn(4)


def _handler_reads_in_a_comprehension(xs):
    c = 1
    try:
        for x in [0]:
            c = _fails_at_four(4 + x)
    except ValueError:
        return [v for v in range(3) if v <= c]


def test_a_handler_that_reads_a_name_only_in_a_comprehension_sees_its_value_before_the_failure():
    decorated = dz(cache=False)(_handler_reads_in_a_comprehension)
    for _ in range(5):
        assert decorated([1]) == [0, 1]


# -- seed 8080: a try run as one step changes a list a lambda also captures -----------
def _slow_value(x):
    time.sleep(0.002)
    return x


def _sum_now(xs):
    return sum(xs)


def _region_changes_a_captured_list(xs):
    size = lambda: len(xs)     # xs is a cell now: the try reads it in place
    sums = []
    for x in [1, 2, 3]:
        sums.append(_sum_now(xs))
        try:
            pass
        finally:
            xs.append(_slow_value(x))
    return sums, size()


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_try_run_as_one_step_orders_its_changes_to_a_captured_list(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _region_changes_a_captured_list)
    for _ in range(5):
        assert decorated([]) == _region_changes_a_captured_list([]) == ([0, 1, 3], 3)


# -- seed 9191: x += call() reads x before the call ----------------------------------
_GLOBAL_TOTAL = 0


def _adds_to_a_global_the_call_rebinds(n):
    global _GLOBAL_TOTAL

    def reset_to(v):
        global _GLOBAL_TOTAL
        _GLOBAL_TOTAL = v
        return v
    _GLOBAL_TOTAL = 100
    _GLOBAL_TOTAL += reset_to(n)
    return _GLOBAL_TOTAL


def _adds_to_a_cell_the_call_rebinds(n):
    total = 100

    def reset_to(v):
        nonlocal total
        total = v
        return v
    total += reset_to(n)
    return total


@pytest.mark.parametrize("fn", [_adds_to_a_global_the_call_rebinds, _adds_to_a_cell_the_call_rebinds])
@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_an_augmented_assignment_reads_its_name_before_the_call_on_the_right(fn, mode):
    decorated = dz(cache=False)(fn)
    for _ in range(5):
        with desync.sequential() if mode == "sequential" else contextlib.nullcontext():
            assert decorated(3) == fn(3) == 103


# -- seed 1212: any()/all() stop where Python stops, over any iterable ---------------
def _fails_at_five(x):
    if x == 5:
        raise ValueError(x)
    return x


def _any_over_a_lazy_map(xs):
    return any(i for i in map(_fails_at_five, xs)), all(map(_fails_at_five, [0] + xs))


def _any_over_an_endless_iterator(xs):
    import itertools
    return any(x > 3 for x in itertools.count()), all(x < 3 for x in itertools.count())


def _any_over_a_file(text):
    handle = io.StringIO(text)
    found = any(line.startswith("#") for line in handle)
    return found, handle.read()      # where any() stopped reading


def _any_over_a_generator(xs):
    seen = []

    def numbers():
        for x in xs:
            seen.append(x)
            yield x
    return any(_fails_at_five(x) > 2 for x in numbers()), seen


def _all_over_containers(xs):
    return (any(_fails_at_five(x) > 3 for x in xs), all(_fails_at_five(x) < 9 for x in xs),
            any(i > 1 for i, x in enumerate(xs)), all(a <= b for a, b in zip(xs, xs[1:])))


@pytest.mark.parametrize("fn, arg", [(_any_over_a_lazy_map, [6, 5, 2]),
                                     (_any_over_an_endless_iterator, None),
                                     (_any_over_a_file, "a\n#b\nc\n"),
                                     (_any_over_a_generator, [1, 3, 5]),
                                     (_all_over_containers, [1, 2, 4])])
@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_any_and_all_stop_where_python_stops(fn, arg, mode):
    decorated = dz(cache=False)(fn)
    with desync.sequential() if mode == "sequential" else contextlib.nullcontext():
        assert decorated(arg) == fn(arg)


# -- seeds 6061 and 1212: a method changes what its object's attributes hold ---------
class _ItemsHolder:
    def __init__(self):
        self.items = []

    def add(self, v):
        self.items.append(v)


def _reads_a_list_an_object_holds(m):
    holder = _ItemsHolder()
    acc = []
    holder.items = acc
    sizes = []
    for v in range(3):
        holder.add(_slow_value(v))
        sizes.append(len(list(acc)))
    return sizes


def _calls_back_a_reader_of_a_held_list(xs):
    holder = _ItemsHolder()
    holder.items = xs
    readers = [lambda: sum(x for x in xs)]
    holder.add(_slow_value(5))
    return [read() for read in readers]


@pytest.mark.parametrize("fn, arg", [(_reads_a_list_an_object_holds, 0),
                                     (_calls_back_a_reader_of_a_held_list, [1])])
@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_method_that_changes_its_objects_attributes_orders_readers_of_them(fn, arg, mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(fn)
    for _ in range(5):
        assert decorated(list(arg) if isinstance(arg, list) else arg) == \
            fn(list(arg) if isinstance(arg, list) else arg)


def _star_call_in_any(xs):
    zs = [1, 2]
    return any(_two(*zs) % 2 == 1 for x in reversed(xs)), all(_two(*zs) > 0 for x in xs)


def test_any_whose_element_cannot_start_ahead_runs_as_written():
    decorated = dz(cache=False)(_star_call_in_any)
    assert decorated([1, 2]) == _star_call_in_any([1, 2]) == (True, True)


# -- seed 7474 (--clock): a clock reading waiting for earlier work still measures
#    the call after it
def _clock_after_pending_work():
    earlier = sleep_for(0.02)      # the reading waits for it (it happens after it)
    t0 = time.perf_counter()
    sleep_for(0.03)                # reads nothing pending: it must still not start before t0
    return time.perf_counter() - t0 >= 0.03, earlier


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_clock_reading_behind_pending_calls_still_measures_the_call_after_it(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _clock_after_pending_work)
    for _ in range(3):
        assert decorated() == (True, 0.02)


# -- seed 7373: a try in a loop binds a name a lambda default reads after it ----------
def _pair(n):
    return n, n + 1


def _lambda_default_reads_what_a_try_bound(xs):
    out = []
    for x in xs:
        try:
            first, second = _pair(x)
        except ArithmeticError:
            pass
        out.append((lambda v, b=second: v * b)(2))
    return out


@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_a_lambda_default_after_a_try_reads_what_the_try_bound(mode):
    decorated = dz(cache=False)(_lambda_default_reads_what_a_try_bound)
    with desync.sequential() if mode == "sequential" else contextlib.nullcontext():
        for _ in range(3):
            assert decorated([1, 2, 3]) == _lambda_default_reads_what_a_try_bound([1, 2, 3])


# -- seed 9292: a comprehension run as written orders its changes to what it reads -----
def _comprehension_that_pops(xs):
    xs.append(_slow_value(3))         # pending: the comprehension waits behind it
    handlers = {v: lambda w, v=v: v + w for v in range(xs.pop())}   # runs as written
    return sorted(handlers), _sum_now(xs), _sum_now(list(xs))


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_comprehension_run_as_written_orders_what_it_changes(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _comprehension_that_pops)
    for _ in range(5):
        assert decorated([4, 6]) == _comprehension_that_pops([4, 6]) == ([0, 1, 2], 10, 10)


# -- seed 1357: a logger imported from another module, called in a try in a loop ---------
def test_a_log_call_made_ahead_in_a_try_names_the_body(tmp_path):
    # The logger is an imported name, so ``LOG.info`` is looked up as a step ahead
    # and the call is made when the try statement gets there: the record must name
    # the body's function, not desync's (the shape of the last session's "does not
    # reproduce" find: its standalone file defined the logger itself).
    (tmp_path / "logsetup_mod.py").write_text(textwrap.dedent('''
        import logging
        RECORDS = []

        class Keep(logging.Handler):
            def emit(self, record):
                RECORDS.append((record.funcName, record.getMessage()))

        LOG = logging.getLogger("desync-test-imported")
        LOG.setLevel(logging.INFO)
        LOG.propagate = False
        LOG.addHandler(Keep())
    '''))
    (tmp_path / "logbody_mod.py").write_text(textwrap.dedent('''
        from desync import desync
        from logsetup_mod import LOG

        def last(out):
            return out[-1] if out else -1

        @desync(cache=False)
        def body(xs):
            out = []
            for x in xs:
                try:
                    LOG.info('%s|%s', x, last(out))
                    out.append(x)
                except ArithmeticError:
                    raise
            return out
    '''))
    sys.path.insert(0, str(tmp_path))
    try:
        import logbody_mod
        import logsetup_mod
        for runner in (contextlib.nullcontext, desync.sequential):
            logsetup_mod.RECORDS.clear()
            with runner():
                assert logbody_mod.body([1, 2]) == [1, 2]
            assert logsetup_mod.RECORDS == [("body", "1|-1"), ("body", "2|1")]
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("logbody_mod", "logsetup_mod"):
            sys.modules.pop(name, None)


# -- seed 2468: any() of an object the body changes; super() in a comprehension --------
def _pops_then_any(xs):
    first = _slow_value(0)     # pending: the pop waits behind it
    xs.pop()
    return any(xs for w in range(1)), all(xs for w in range(2)), first


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_any_of_a_list_takes_its_truth_after_the_changes_before(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _pops_then_any)
    for _ in range(5):
        assert decorated([7]) == _pops_then_any([7]) == (False, False, 0)


class _Counter:
    def get(self):
        return 2


class _UsesSuperInAComprehension(_Counter):
    def get(self):
        return 5

    def run(self, c):
        return [x for x in range(super().get() + 1) if (lambda w: w)(c) % 2 == 0]


def test_zero_argument_super_in_a_comprehension_that_runs_as_written():
    plain = _UsesSuperInAComprehension.run
    decorated = dz(cache=False)(plain)
    obj = _UsesSuperInAComprehension()
    assert decorated(obj, 2) == plain(obj, 2) == [0, 1, 2]


# -- seed 2718: an `if` on a module object the body changes waits for the change ----------
_REGISTRY: list = []


def _registers_then_tests(m):
    _REGISTRY.clear()
    _REGISTRY.append(_slow_value(m))      # pending until the call is done
    if _REGISTRY:
        return "filled"
    return "empty"


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_an_if_on_a_module_object_waits_for_the_changes_before_it(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _registers_then_tests)
    for m in (0, 2):
        assert decorated(m) == _registers_then_tests(m)


# -- seed 1414 (pacing on): random.shuffle changes its list ---------------------------
def _shuffles_then_reads(xs):
    first = _slow_value(xs[0])          # pending: the shuffle waits behind it
    random.shuffle(xs)
    return xs[-1], list(xs), first


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_random_shuffle_is_a_change_of_its_list(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _shuffles_then_reads)
    for seed in range(5):
        random.seed(seed)
        expected = _shuffles_then_reads([1, 2, 3, 4, 5, 6])
        random.seed(seed)
        assert decorated([1, 2, 3, 4, 5, 6]) == expected


# -- seed 8484 (pacing on): an iterator in a closure variable, consumed twice ----------
def _consumes_a_local_iterator_twice(n):
    xs = iter(range(n))
    a = _slow_value(1)                          # pending: the f-string waits for it
    first = f"{list(xs)}{a}"                    # consumes xs, behind the call
    second = max((w for w in list(xs)), default=-1)   # the generator makes xs a cell
    return first, second


def _consumes_a_generator_twice(n):
    it = (w for w in range(n))
    a = _slow_value(1)
    first = f"{list(it)}{a}"
    second = max((len(first) for w in list(it)), default=-1)
    return first, second


def _consumes_a_map_twice(n):
    it = map(str, range(n))
    a = _slow_value(1)
    first = f"{sorted(it)}{a}"
    second = [w for w in (x for x in list(it))]
    return first, second


@pytest.mark.parametrize("fn", [_consumes_a_local_iterator_twice, _consumes_a_generator_twice,
                                _consumes_a_map_twice])
@pytest.mark.parametrize("mode", ["threads", "one-worker", "sequential"])
def test_an_iterator_a_closure_variable_holds_is_consumed_in_program_order(fn, mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(fn)
    runner = desync.sequential if mode == "sequential" else contextlib.nullcontext
    for n in (0, 3):
        with runner():
            assert decorated(n) == fn(n)


# -- an iterator reached through an attribute, an item or a global, consumed twice ------
class _HoldsAnIterator:
    pass


_MODULE_ITERATOR = None


def _consumes_an_attribute_twice(n):
    h = _HoldsAnIterator()
    h.it = iter(range(n))
    a = _slow_value(1)
    first = f"{list(h.it)}{a}"               # waits for the call; consumes h.it
    second = [w for w in list(h.it)]         # nothing to wait for: would run first
    return first, second


def _consumes_an_item_twice(n):
    its = [iter(range(n))]
    a = _slow_value(1)
    first = f"{list(its[0])}{a}"
    second = max((w for w in list(its[0])), default=-1)
    return first, second


def _consumes_a_global_twice(n):
    global _MODULE_ITERATOR
    _MODULE_ITERATOR = iter(range(n))
    a = _slow_value(1)
    first = f"{sorted(_MODULE_ITERATOR)}{a}"
    second = [w for w in tuple(_MODULE_ITERATOR)]
    return first, second


def _consumes_an_iterator_still_being_made(n):
    h = _HoldsAnIterator()
    h.it = iter(range(_slow_value(n)))       # h.it is set once the call is done
    a = _slow_value(1)
    x = h.it                                 # a step that waits: an iterator, unknown yet
    first = f"{list(x)}{a}"
    second = list(x)
    return first, second


def _consumes_through_in_and_star(n):
    h = _HoldsAnIterator()
    h.it = iter(range(n))
    a = _slow_value(1)
    first = (1 in h.it, a)                   # advances h.it past 1
    second = [*h.it]
    return first, second


@pytest.mark.parametrize("fn", [_consumes_an_attribute_twice, _consumes_an_item_twice,
                                _consumes_a_global_twice,
                                _consumes_an_iterator_still_being_made,
                                _consumes_through_in_and_star])
@pytest.mark.parametrize("mode", ["threads", "one-worker", "sequential"])
def test_an_iterator_reached_through_an_object_is_consumed_in_program_order(fn, mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(fn)
    runner = desync.sequential if mode == "sequential" else contextlib.nullcontext
    for n in (0, 3):
        with runner():
            assert decorated(n) == fn(n)


def _sorts_held_lists(data):
    a = _slow_value(1)
    first = sorted(data.rows) + [a]          # a list, not an iterator: may run ahead
    return first, sum(data.rows), [r for r in data.rows]


def test_consuming_a_list_held_in_an_attribute_gives_plain_results():
    data = _HoldsAnIterator()
    data.rows = [3, 1, 2]
    decorated = dz(cache=False)(_sorts_held_lists)
    for _ in range(3):
        assert decorated(data) == _sorts_held_lists(data) == ([1, 2, 3, 1], 6, [3, 1, 2])


# Failures at every step around a consumption that runs again in order: the right
# error, and no step left behind (a flushed step that asks to run in order again).
def _fails_at(step, failing):
    time.sleep(0.001 * (step % 3))
    if step == failing:
        raise ValueError(f"step {step}")
    return step


def _consumes_around_failures(n, failing):
    h = _HoldsAnIterator()
    h.it = iter(range(n))
    a = _fails_at(1, failing)
    first = f"{list(h.it)}{a}{_fails_at(2, failing)}"
    b = _fails_at(3, failing)
    second = [w for w in list(h.it)] + [b, _fails_at(4, failing)]
    return first, second


def _outcome(fn, *args):
    try:
        return "value", fn(*args)
    except ValueError as error:
        return "error", str(error)


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_consumptions_run_again_in_order_under_failures_at_every_step(mode):
    executor = OneWorker() if mode == "one-worker" else None
    decorated = dz(cache=False, executor=executor)(_consumes_around_failures)
    for _ in range(40):
        for failing in range(6):
            assert _outcome(decorated, 3, failing) == _outcome(_consumes_around_failures, 3,
                                                               failing)


# -- a key function that prints runs where plain Python runs it -------------------------
def _shows(x):
    print(x)
    return -x


def _slow_list(xs):
    time.sleep(0.02)
    return list(xs)


def _picks_shows():
    time.sleep(0.02)
    return _shows


def _sorts_with_a_printing_key(xs, ys):
    a = _slow_list(xs)                        # the first sort waits for it
    first = sorted(a, key=_shows)
    second = sorted(ys, key=_shows)           # nothing to wait for
    return first, second


def _sorts_with_a_lambda_that_prints(xs, ys):
    a = _slow_list(xs)
    first = max(a, key=lambda v: _shows(v))
    second = min(ys, key=lambda v: _shows(v))
    return first, second


def _sorts_with_a_key_still_being_made(xs, ys):
    early = _picks_shows()
    late = _shows                             # ready at once
    first = sorted(xs, key=early)
    second = sorted(ys, key=late)
    return first, second


@pytest.mark.parametrize("fn", [_sorts_with_a_printing_key, _sorts_with_a_lambda_that_prints,
                                _sorts_with_a_key_still_being_made])
@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_key_function_that_prints_runs_in_program_order(fn, mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(fn)

    def printed(f):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            value = f([1, 2, 3], [10, 20, 30])
        return value, out.getvalue().split()
    expected = printed(fn)
    assert expected[1][:3] == ["1", "2", "3"]
    for _ in range(3):
        assert printed(decorated) == expected


# -- fuzzer, seed 20250101 program 506: a library function that changes a parameter ----
def _total_of(xs):
    return sum(xs)


def _shuffles_a_parameter_behind_a_call(xs, m):
    _slow_value(m)                   # pending: the shuffle waits behind it
    random.shuffle(xs)               # changes xs: the compiler must know
    first = _total_of(xs[1:])        # xs[1:] read inline for the call, after the shuffle
    lazily = (x for x in xs if x)    # (a generator reading xs keeps xs a plain variable)
    return first, xs[0], sorted(lazily)


def _pushes_onto_a_parameter_behind_a_call(heap, m):
    _slow_value(m)
    heapq.heappush(heap, -1)
    first = _total_of(heap[:1])
    lazily = (x for x in heap if x)
    return first, len(heap), sorted(lazily)


@pytest.mark.parametrize("fn", [_shuffles_a_parameter_behind_a_call,
                                _pushes_onto_a_parameter_behind_a_call])
@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_library_function_that_changes_a_parameter_orders_later_reads(fn, mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(fn)
    for seed in range(6):
        random.seed(seed)
        expected = fn([3, 6, 0, 5], 1)
        random.seed(seed)
        assert decorated([3, 6, 0, 5], 1) == expected


# -- a keyword argument named like a runtime parameter (fn, self, name, keys...) --------
def _takes_keywords(**given):
    return sorted(given.items())


class _Collects:
    def __init__(self):
        self.items = []

    def put(self, **given):
        self.items.append(sorted(given.items()))


def _calls_with_runtime_names(box):
    a = _slow_value(1)
    first = _takes_keywords(fn=a, self=2, keys=3, targets=4)
    box.put(name=a, obj=2, target=3, getter=4, inputs=5)
    out = []
    for i in range(2):
        try:
            out.append(_takes_keywords(fn=i, keys=i))
        except ValueError:
            pass
    return first, box.items, out, _takes_keywords(**{"fn": a, "name": 1})


@pytest.mark.parametrize("mode", ["threads", "one-worker", "sequential"])
def test_keyword_arguments_may_be_named_like_the_runtimes_parameters(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _calls_with_runtime_names)
    runner = desync.sequential if mode == "sequential" else contextlib.nullcontext
    with runner():
        assert decorated(_Collects()) == _calls_with_runtime_names(_Collects())


# -- a builtin class's method called with its object first changes that object ---------
def _changes_through_unbound_methods(xs, d, box):
    a = _slow_value(4)
    list.append(xs, a)                 # behind the call: xs.append(a)
    first = _total_of(xs[:])           # read inline for the call, after the append
    dict.update(d, k=a)
    object.__setattr__(box, "items", [a])
    lazily = (x for x in xs if x)      # (a generator reading xs keeps xs a plain variable)
    return first, dict(d), list(box.items), sorted(lazily)


@pytest.mark.parametrize("mode", ["threads", "one-worker", "sequential"])
def test_an_unbound_builtin_method_changes_its_first_argument(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _changes_through_unbound_methods)
    runner = desync.sequential if mode == "sequential" else contextlib.nullcontext
    for _ in range(3):
        with runner():
            assert decorated([1], {}, _Collects()) == \
                _changes_through_unbound_methods([1], {}, _Collects())


# -- a bare name as a statement is evaluated (it may be unbound) ------------------------
def _reads_a_bare_name(flag):
    if flag:
        xs = _slow_value(1)
    try:
        xs  # noqa: B018 (the statement under test)
    except NameError as error:
        return type(error).__name__
    return "bound"


@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_a_bare_name_statement_raises_when_unbound(mode):
    decorated = dz(cache=False)(_reads_a_bare_name)
    runner = desync.sequential if mode == "sequential" else contextlib.nullcontext
    with runner():
        assert decorated(False) == _reads_a_bare_name(False) == "UnboundLocalError"
        assert decorated(True) == _reads_a_bare_name(True) == "bound"


# -- a desync function made by a factory changes what it captured, then reads it --------
class _Settable:
    pass


def _makes_a_step(store, obj):
    def step(x):
        b = _slow_value(x)
        store.append(b)         # behind the call
        n = len(store)          # must see the append
        obj.v = b
        return n, obj.v
    return step


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_factory_made_function_orders_changes_to_what_it_captured(mode):
    for x in range(3):
        plain = _makes_a_step([], _Settable())
        decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
            _makes_a_step([], _Settable()))
        assert decorated(x) == plain(x) == (1, x)


# -- a callee reads a global the body rebinds just before calling it -------------------
_MODE = 0


def _tagged(x):
    return x, _MODE


def _rebinds_then_calls(x):
    global _MODE
    a = _tagged(_slow_value(x))   # waits for the call: the rebinding waits behind it
    _MODE = x + 100
    b = _tagged(x)                # reads the new _MODE, as in Python
    return a, b


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_callee_reading_a_global_the_body_rebinds_sees_the_new_value(mode):
    global _MODE
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _rebinds_then_calls)
    for x in range(3):
        _MODE = 0
        expected = _rebinds_then_calls(x)
        _MODE = 0
        assert decorated(x) == expected == ((x, 0), (x, x + 100))


# -- a callee reads a module-level object (or module) the body changes just before ----------
_SETTINGS = {"level": -1, "nested": {"level": -1}}


def _read_level():
    return _SETTINGS["level"]


def _read_nested_level():
    return _SETTINGS["nested"]["level"]


def _read_json_level():
    return json.DESYNC_TEST_LEVEL


def _read_module_level(mod):
    return mod.DESYNC_TEST_LEVEL


def _sets_then_reads(x):
    v = _slow_value(x)
    _SETTINGS["level"] = v        # waits for the call: the read below must wait for it
    a = _read_level()
    json.DESYNC_TEST_LEVEL = v + 1
    b = _read_json_level()
    json.DESYNC_TEST_LEVEL = v + 2
    c = _read_module_level(json)
    settings = _SETTINGS          # through another name, and what it holds
    settings["nested"]["level"] = _slow_value(v + 3)
    d = _read_nested_level()
    return a, b, c, d


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_callee_reading_a_global_object_the_body_changes_sees_the_change(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _sets_then_reads)
    try:
        for x in range(12):   # past the pacing's first calls
            _SETTINGS["level"] = _SETTINGS["nested"]["level"] = json.DESYNC_TEST_LEVEL = -1
            assert decorated(x) == (x, x + 1, x + 2, x + 3)
    finally:
        del json.DESYNC_TEST_LEVEL


# -- the caller's context (ContextVars, the decimal context) reaches the calls -------------
import contextvars  # noqa: E402
import decimal  # noqa: E402

_REQUEST = contextvars.ContextVar("_REQUEST", default="none")


def _tag_with_request(x):
    time.sleep(0.002)
    return x, _REQUEST.get()


def _divide_in_context(x):
    time.sleep(0.002)
    return str(decimal.Decimal(x) / decimal.Decimal(7))


def _calls_reading_context(x):
    a = _tag_with_request(x)
    b = _tag_with_request(x + 1)
    c = _divide_in_context(x + 1)
    d = _divide_in_context(x + 2)
    return a, b, c, d


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_calls_see_the_callers_context(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _calls_reading_context)
    for x in range(10):
        token = _REQUEST.set(f"request-{x}")
        try:
            with decimal.localcontext() as context:
                context.prec = 3 + x % 3
                expected = _calls_reading_context(x)
                assert decorated(x) == expected
        finally:
            _REQUEST.reset(token)


# -- globals() in a body is the body's module namespace ----------------------------------------
_GX = 0


def _read_gx():
    return _GX


def _writes_through_globals(k):
    g = globals()
    g["_GX"] = k
    return _read_gx(), g.get("__name__")


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_globals_in_a_body_is_the_bodys_module(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _writes_through_globals)
    for k in range(1, 5):
        assert decorated(k) == (k, __name__)


# -- callees reading a global the body changes: nested code, wrappers, other names ----------
import functools  # noqa: E402
import json as _json_alias  # noqa: E402

_TABLE = {"v": 0, "w": 0}


class _TableReader:
    def read(self):
        return _TABLE["v"]

    def __call__(self):
        return _TABLE["v"]


_READER = _TableReader()


class _Level:
    level = 0


_LEVEL_INSTANCE = _Level()


def _sum_in_genexpr():
    return sum(_TABLE[k] for k in ("v", "w"))


def _read_with(offset):
    return _TABLE["v"] + offset


def _read_instance_level():
    return _LEVEL_INSTANCE.level


def _read_json_setting():
    return json.DESYNC_TEST_SETTING


def _changes_globals_in_many_ways(x, table=_TABLE):
    a = _slow_value(x)
    table["v"] = a                            # through a parameter that is the global
    r1 = _sum_in_genexpr()                    # named only in a generator expression
    table["v"] = a + 1
    r2 = _READER.read()                       # a bound method
    table["v"] = a + 2
    r3 = functools.partial(_read_with, 0)()   # a partial
    table["v"] = a + 3
    r4 = _READER()                            # an object's __call__
    _Level.level = a + 4
    r5 = _read_instance_level()               # a class attribute read through an instance
    _json_alias.DESYNC_TEST_SETTING = a + 5
    r6 = _read_json_setting()                 # a module changed under another name
    return r1, r2, r3, r4, r5, r6


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_callees_see_global_changes_made_under_any_name(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _changes_globals_in_many_ways)
    try:
        for x in range(10):
            _TABLE["v"] = _TABLE["w"] = 0
            _Level.level = 0
            json.DESYNC_TEST_SETTING = 0
            assert decorated(x) == (x, x + 1, x + 2, x + 3, x + 4, x + 5)
    finally:
        del json.DESYNC_TEST_SETTING


def _tagged_request(x):
    time.sleep(0.002)
    return x, _REQUEST.get()


def _changes_context_between_calls(x):
    a = _slow_value(x)
    _REQUEST.set(f"r{a}")                 # after a pending call: the next call sees it
    b = _tagged_request(1)
    decimal.getcontext().prec = 3 + a % 3
    c = _divide_in_context(1)
    decimal.setcontext(decimal.Context(prec=4 + a % 2))
    d = _divide_in_context(2)
    return b, c, d, decimal.getcontext().prec


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_context_changes_made_by_the_body_reach_the_calls_after_them(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _changes_context_between_calls)
    for x in range(6):
        for run in (_changes_context_between_calls, decorated):
            context = contextvars.copy_context()
            with decimal.localcontext():
                outcome = context.run(run, x)
            if run is _changes_context_between_calls:
                expected = outcome
        assert outcome == expected


_PRIORITY = {"x": 0, "y": 1, "z": 2}


def _priority_of(name):
    time.sleep(0.001)
    return _PRIORITY[name]


def _above_limit(i):
    time.sleep(0.001)
    return i > _TABLE["v"]


def _speculative_reads_of_a_changed_global(x):
    a = _slow_value(x)
    _TABLE["v"] = a
    _PRIORITY["x"] = 5 if a % 2 else -5
    kept = [i for i in range(4) if _above_limit(i)]   # calls under a condition
    anything = any(_above_limit(i) for i in range(4))
    order = sorted(["x", "y", "z"], key=_priority_of)   # a key function
    return kept, anything, order


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_speculative_calls_and_key_functions_see_the_bodys_changes(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _speculative_reads_of_a_changed_global)
    for x in range(6):
        _TABLE["v"], _PRIORITY["x"] = 0, 0
        expected = _speculative_reads_of_a_changed_global(x)
        _TABLE["v"], _PRIORITY["x"] = 0, 0
        assert decorated(x) == expected


# -- round 3: context set through any name or in a finally; globals reached indirectly ------
class _ContextHolder:
    request = contextvars.ContextVar("_ContextHolder.request", default="none")


class _Base:
    level = 0
    tags: list = []


class _Child(_Base):
    pass


_CHILD = _Child()


class _Registry:
    level = 0

    def has(self, n):
        time.sleep(0.001)
        return n < self.level


_REG = _Registry()


def _child_view(x):
    time.sleep(0.002)
    return x, _CHILD.level, len(_CHILD.tags)


def _context_and_indirect_globals(x):
    var = _ContextHolder.request
    out = []
    for i in range(3):
        try:
            out.append(_tagged_by(var, i))
        finally:
            var.set(f"r{x}-{i}")        # in a finally, through a local name
    a = _slow_value(x)
    ctx = decimal.getcontext()
    ctx.prec = 3 + a % 3                # the decimal context through a local name
    c = _divide_in_context(1)
    _Base.level = a                     # a base's attribute, read through a subclass
    _Child.tags.append(a)               # a class list changed in place
    d = _child_view(1)
    _REG.level = a + 2                  # read by a method, under a condition
    kept = [n for n in range(6) if _REG.has(n)]
    return out, c, d, kept


def _tagged_by(var, i):
    time.sleep(0.001)
    return i, var.get()


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_context_and_globals_reached_indirectly_are_ordered(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _context_and_indirect_globals)
    for x in range(6):
        results = []
        for run in (_context_and_indirect_globals, decorated):
            _Base.level, _REG.level = 0, 0
            _Child.tags = []
            with decimal.localcontext():
                results.append(contextvars.copy_context().run(run, x))
        assert results[1] == results[0]


# -- a global read by a function the callee calls in turn -------------------------------------
_DEEP = {"level": -1}
_DEEP_MODE = 0


def _deep_level():
    return _DEEP["level"]


def _via_helper(x):
    return x, _deep_level()          # the callee names no global the body changes


def _via_two_helpers(x):
    return _via_helper(x)            # two calls away


def _deep_mode():
    return _DEEP_MODE


class _Registry:
    scale = 1

    def level(self):
        return _deep_level()

    @property
    def mode(self):
        return _deep_mode()

    @classmethod
    def scaled(cls, x):
        return x * cls.scale + _deep_level()

    @staticmethod
    def plain_level():
        return _deep_level()


_LEVELS_OBJ = _Registry()


def _via_instance():
    return _LEVELS_OBJ.level()


def _via_property():
    return _LEVELS_OBJ.mode


def _via_classmethod(x):
    return _Registry.scaled(x)


def _via_staticmethod():
    return _Registry.plain_level()


def _even(n):
    return _deep_level() if n == 0 else _odd(n - 1)


def _odd(n):
    return _deep_level() + 1000 if n == 0 else _even(n - 1)


def _changes_then_calls_helpers(x):
    global _DEEP_MODE
    v = _slow_value(x)
    _DEEP["level"] = v
    a = _via_helper(x)
    b = _via_two_helpers(x)
    c = _via_instance()
    d = _via_classmethod(x)
    e = _via_staticmethod()
    f = _even(3)
    _DEEP_MODE = _slow_value(v + 5)  # a rebinding, read two calls away
    g = _via_property()
    _DEEP["level"] = _slow_value(v + 7)
    h = sorted([3, 1, 2], key=lambda k: k * _via_helper(k)[1])
    return a, b, c, d, e, f, g, h


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_global_read_by_the_callees_own_callee_is_read_after_the_change(mode):
    global _DEEP_MODE
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _changes_then_calls_helpers)
    for x in range(10):   # past the pacing's first calls
        _DEEP["level"], _DEEP_MODE = -1, 0
        expected = _changes_then_calls_helpers(x)
        assert expected[0] == (x, x) and expected[6] == x + 5
        _DEEP["level"], _DEEP_MODE = -1, 0
        assert decorated(x) == expected


@functools.singledispatch
def _dispatched(x):
    return ("object", x)


@_dispatched.register
def _(x: int):
    return ("int", x, _DEEP["level"])   # only the implementation reads the global


def _changes_then_dispatches(x):
    _DEEP["level"] = _slow_value(x)
    a = _dispatched(x)
    _DEEP["level"] = _slow_value(x + 1)
    b = _dispatched(x)
    return a, b


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_singledispatch_implementation_reading_a_global_waits_for_the_change(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _changes_then_dispatches)
    for x in range(10):
        _DEEP["level"] = -1
        assert decorated(x) == _changes_then_dispatches(x) == (("int", x, x), ("int", x, x + 1))


# -- a threading.local belongs to the thread that set it ------------------------------------
import threading  # noqa: E402

_LOCAL = threading.local()
_CONNECTIONS = []


def _current_user():
    return getattr(_LOCAL, "user", "anon")


def _greet(x):
    time.sleep(0.002)
    return f"{_current_user()}:{x}"     # reads the local through a helper


def _connection():
    if getattr(_LOCAL, "conn", None) is None:
        _LOCAL.conn = f"conn{len(_CONNECTIONS)}"
        _CONNECTIONS.append(_LOCAL.conn)
    return _LOCAL.conn


def _fetch(x):
    time.sleep(0.002)
    return x, _connection()             # one connection per thread


def _read_local(local):
    return getattr(local, "user", "anon")


def _uses_thread_locals(user, n):
    _LOCAL.user = user
    rows = [_fetch(i) for i in range(n)]
    a = _greet(n)
    b = _read_local(_LOCAL)
    _LOCAL.user = user + "!"
    c = _greet(n + 1)
    return [r[0] for r in rows], sorted({r[1] for r in rows}), a, b, c


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_calls_reading_a_thread_local_see_what_the_calling_thread_set(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _uses_thread_locals)
    for x in range(10):
        _LOCAL.__dict__.clear()
        _CONNECTIONS.clear()
        expected = _uses_thread_locals(f"u{x}", 3)
        _LOCAL.__dict__.clear()
        _CONNECTIONS.clear()
        assert decorated(f"u{x}", 3) == expected
        assert expected[1:] == (["conn0"], f"u{x}:3", f"u{x}", f"u{x}!:4")


# -- an item of a dict an imported module holds ------------------------------------------------
def _joined(parts):
    return json.DESYNC_TEST_OPTS["sep"].join(parts)


def _sets_module_option(sep):
    _slow_value(sep)
    json.DESYNC_TEST_OPTS["sep"] = sep    # (``import json``: a module, not a global object)
    return _joined(["u", "v"])


@pytest.mark.parametrize("mode", ["threads", "one-worker"])
def test_a_dict_held_by_an_imported_module_is_read_after_the_bodys_change(mode):
    decorated = dz(cache=False, executor=OneWorker() if mode == "one-worker" else None)(
        _sets_module_option)
    json.DESYNC_TEST_OPTS = {"sep": ","}
    try:
        for sep in "+-" * 6:
            json.DESYNC_TEST_OPTS["sep"] = ","
            assert decorated(sep) == _sets_module_option(sep) == f"u{sep}v"
    finally:
        del json.DESYNC_TEST_OPTS


def test_a_desync_call_at_import_time_whose_callee_closes_an_import_cycle(tmp_path):
    # Round seven (enum's import with the cache on): the callee's own import of a
    # module importing the one being imported waited, on a worker, for the import
    # lock the importing thread held, which waited for the callee: a hang. Calls
    # made while a module is imported run in order on the importing thread.
    (tmp_path / "mod_a.py").write_text(textwrap.dedent('''
        from desync import desync

        def helper(x):
            import mod_b
            return mod_b.double(x)

        @desync
        def build(x):
            return helper(x) + helper(x + 1)

        TABLE = build(1)
    '''))
    (tmp_path / "mod_b.py").write_text("import mod_a\n\ndef double(x):\n    return 2 * x\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, DESYNC_PACING="0", PYTHONPATH=os.pathsep.join([str(tmp_path), root]))
    done = subprocess.run([sys.executable, "-c", "import mod_a; print(mod_a.TABLE)"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "6"


class Parser:
    def __init__(self):
        self.options = {}

    def add(self, name):
        self.options[name] = len(self.options)


def count_options(parser):
    return len(parser.options)


@dz(cache=False)
def fills_and_drops(parser):
    parser.add("x")
    count = count_options(parser)
    del parser.options
    return count


def test_objects_a_body_changed_die_when_it_returns():
    # Round nine (optparse's test_refleak): the facts cache held every bound method
    # it judged, and a scope the objects its effects changed, so instances lived on.
    import gc
    import weakref
    refs = []
    for _ in range(50):
        parser = Parser()
        assert fills_and_drops(parser) == 1
        refs.append(weakref.ref(parser))
        del parser
    gc.collect()
    assert sum(ref() is not None for ref in refs) == 0


def test_a_recursion_error_right_at_the_limit_never_hangs(tmp_path):
    # Round nine (tomllib under test.support.infinite_recursion): a RecursionError
    # raised again in desync's own bookkeeping after a call left its task unsettled,
    # and the caller waited forever. Python raises RecursionError (desync earlier,
    # at about half the depth: documented); it must never hang.
    (tmp_path / "deep.py").write_text(textwrap.dedent('''
        import sys
        from desync import desync

        @desync
        def value(n):
            x = n - 1
            if x >= 0:
                return array(x)
            return 0

        @desync
        def array(n):
            out = []
            out.append(value(n))
            return out

        for limit in range(60, 131):   # (where the limit falls inside desync's frames varies)
            sys.setrecursionlimit(limit)
            try:
                value(20)
                print("ok")
            except RecursionError:
                print("RecursionError")
            if sys.getrecursionlimit() != limit:   # desync's room at the limit, not undone
                print("limit-changed", limit, sys.getrecursionlimit())
    '''))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, DESYNC_PACING="0", PYTHONPATH=root)
    done = subprocess.run([sys.executable, str(tmp_path / "deep.py")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "limit-changed" not in done.stdout, done.stdout
    assert len(done.stdout.split()) == 71


# -- round M: debuggers and coverage trace the calling thread -----------------------------

def _traced_work(x):
    return x + 1


def _calls_work(xs):
    return [_traced_work(x) for x in xs], _traced_work(0)


def _runcall(func, xs):
    sys.settrace(_recorder)
    try:
        return [func(x) for x in xs]
    finally:
        sys.settrace(None)


def _slow_traced_work(x):
    time.sleep(0.01)
    return x + 1


_TRACED: list = []


def _recorder(frame, event, arg):
    if event == "call":
        _TRACED.append(frame.f_code.co_name)
    return None


def test_under_a_tracer_every_call_runs_on_the_traced_thread():
    # (a debugger's breakpoint, coverage's lines: in the callee, on this thread)
    decorated = dz(_calls_work)   # default settings: the cache on
    decorated([1, 2])             # (a first call: anything a hit could serve)
    _TRACED.clear()
    sys.settrace(_recorder)
    try:
        result = decorated([1, 2])
    finally:
        sys.settrace(None)
    assert result == ([2, 3], 1)
    assert _TRACED.count("_traced_work") == 3


def test_a_tracer_the_body_sets_sees_the_calls_after_it():
    _TRACED.clear()
    assert dz(cache=False)(_runcall)(_slow_traced_work, range(8)) == list(range(1, 9))
    assert _TRACED.count("_slow_traced_work") == 8


# -- round M: logging's handlers keep an RLock their callers hold ------------------------

class _KeepsAnRLock:
    def __init__(self):
        self.lock = threading.RLock()
        self.out = [1]

    def count(self):
        with self.lock:   # read-only: a call, but this RLock only its holder may take
            time.sleep(0.002)
            return len(self.out)


def _counts_twice(keeper):
    return keeper.count() + keeper.count()


def test_a_method_taking_an_rlock_the_caller_holds_runs_on_the_callers_thread():
    keeper, result = _KeepsAnRLock(), []

    def run():
        with keeper.lock:
            result.append(dz(cache=False)(_counts_twice)(keeper))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert result == [2], "deadlock: the method took the RLock on a worker"


# -- fuzzer, seed 20250101 program 114: a chained comparison in a comprehension run as
# written (its condition prints) ------------------------------------------------------

def _shown(x):
    print("shown", x)
    return x


def _chained_in_a_written_comprehension(n, rows):
    return [v * 2 for v in map(lambda w: sum(w), rows) if 0 <= v - 1 < _shown(v + n)]


@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_a_chained_comparison_in_a_comprehension_run_as_written(mode, capsys):
    expected = _chained_in_a_written_comprehension(2, [[1], [2, 3]])
    plain_out = capsys.readouterr().out
    decorated = dz(cache=False)(_chained_in_a_written_comprehension)
    with (desync.sequential() if mode == "sequential" else contextlib.nullcontext()):
        assert decorated(2, [[1], [2, 3]]) == expected
    assert capsys.readouterr().out == plain_out


# -- review: a generator's cleanup that raises as the loop is left ------------------------

def _cleanup_fails():
    try:
        yield 1
        yield 2
    finally:
        raise ValueError("cleanup failed")


def _breaks_out_of(n):
    for x in _cleanup_fails():
        break
    return x + n


def _hooked(fn, *args):
    seen = []
    previous, sys.unraisablehook = sys.unraisablehook, lambda info: seen.append(
        (type(info.exc_value).__name__, str(info.exc_value), type(info.object).__name__,
         info.exc_traceback.tb_frame.f_code.co_name))
    try:
        result = fn(*args)
    finally:
        sys.unraisablehook = previous
    return result, seen


@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_a_generator_whose_cleanup_raises_is_reported_to_the_unraisable_hook(mode):
    expected = _hooked(_breaks_out_of, 1)
    assert expected == (2, [("ValueError", "cleanup failed", "generator", "_cleanup_fails")])
    decorated = dz(cache=False)(_breaks_out_of)
    with (desync.sequential() if mode == "sequential" else contextlib.nullcontext()):
        assert _hooked(decorated, 1) == expected


# -- round P: a module-level Condition the caller holds; a tracer set after a pending call --

_CONDITION = threading.Condition()


def _under_the_condition(x):
    time.sleep(0.005)
    with _CONDITION:
        return x + 1


def _calls_under_the_condition():
    return _under_the_condition(1), _under_the_condition(2)


def test_a_callee_taking_a_condition_the_caller_holds_runs_on_the_callers_thread():
    result = []

    def run():
        with _CONDITION:
            result.append(dz(cache=False)(_calls_under_the_condition)())
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert result == [(2, 3)], "deadlock: the callee took the Condition on a worker"


def _sets_a_tracer_after_a_pending_call(xs):
    first = _slow_traced_work(0)
    sys.settrace(_recorder)
    try:
        rest = [_slow_traced_work(x) for x in xs]
    finally:
        sys.settrace(None)
    return first, rest


def test_a_tracer_set_after_a_pending_call_sees_the_calls_after_it():
    _TRACED.clear()
    decorated = dz(cache=False)(_sets_a_tracer_after_a_pending_call)
    assert decorated([1, 2]) == (1, [2, 3])
    assert _TRACED.count("_slow_traced_work") == 2


# -- round 11: tracers set through a helper, or for new threads -------------------------

def _install_the_recorder():
    time.sleep(0.005)
    sys.settrace(_recorder)


def _remove_the_recorder():
    sys.settrace(None)


def _traces_through_helpers():
    first = _slow_traced_work(0)
    _install_the_recorder()
    middle = [_slow_traced_work(1), _slow_traced_work(2)]
    _remove_the_recorder()
    return first, middle, _slow_traced_work(3)


def test_a_tracer_a_helper_sets_sees_the_calls_after_it_and_only_those():
    _TRACED.clear()
    assert dz(cache=False)(_traces_through_helpers)() == (1, [2, 3], 4)
    assert _TRACED.count("_slow_traced_work") == 2


def _traces_new_threads(xs):
    threading.settrace(_recorder)
    try:
        return [_slow_traced_work(x) for x in xs]
    finally:
        threading.settrace(None)


def test_a_tracer_for_new_threads_never_reaches_desyncs_workers():
    # Plain Python calls these on this thread, which threading.settrace leaves
    # untraced; a worker started while it is set would be traced.
    for executor in (None, "threads"):
        _TRACED.clear()
        options = {"executor": executor} if executor else {}
        assert dz(cache=False, **options)(_traces_new_threads)([1, 2, 3]) == [2, 3, 4]
        assert _TRACED == []


# -- round 11: the body reads a module global a callee it called rebinds -------------------

LIMIT = 6


def _set_limit(value):
    global LIMIT
    time.sleep(0.01)
    LIMIT = value


def _reads_the_limit_after_setting_it(slow_first):
    first = _slow_traced_work(slow_first)   # (a call still running before the setter)
    _set_limit(7)
    seen = LIMIT
    _set_limit(seen + 1)
    return first, seen, LIMIT * 2


def test_a_global_a_callee_rebinds_is_read_after_that_call():
    global LIMIT
    for executor in (None, "threads"):
        LIMIT = 6
        options = {"executor": executor} if executor else {}
        assert dz(cache=False, **options)(_reads_the_limit_after_setting_it)(1) == (2, 7, 16)
    LIMIT = 6


def test_a_long_chain_of_instant_calls_is_judged_while_its_inputs_settle(tmp_path):
    # ``a1 = work(a0)``, 200 statements: a call given a step still running looked at
    # that step's inputs, and a worker letting go of them as it settled made the
    # look fail with TypeError (4 fresh processes of 400 chains out of 6, on the code
    # before). A fresh process each time: a warm pool in this one rarely races.
    import subprocess
    import sys
    lines = ["from desync import desync", "def work(v):", "    return v",
             "@desync(cache=False)", "def chain(x):", "    a0 = work(x)"]
    lines += [f"    a{i} = work(a{i - 1})" for i in range(1, 200)]
    lines.append("    return a199")
    (tmp_path / "long_chain.py").write_text("\n".join(lines) + "\n")
    script = ("import long_chain\n"
              "assert all(long_chain.chain(i) == i for i in range(400))\n")
    env = dict(os.environ, DESYNC_PACING="0", PYTHONPATH=os.pathsep.join(
        [str(tmp_path), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]))
    for _ in range(4):
        done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
