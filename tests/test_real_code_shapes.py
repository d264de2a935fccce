"""Shapes found by running CPython's own test suites against standard-library
modules put under @desync: each gave a different answer, hung or leaked before."""
from __future__ import annotations

import gc
import io
import re
import threading
import time
import weakref
from fractions import Fraction

import pytest

from desync import desync


def slow(x):
    time.sleep(0.002)
    return x


def run_with_timeout(fn, *args, seconds=10):
    box = []

    def target():
        try:
            box.append(("ok", fn(*args)))
        except BaseException as error:  # pragma: no cover - reported below
            box.append(("raised", error))
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert box, f"{fn.__qualname__} did not finish in {seconds} s (deadlock)"
    kind, value = box[0]
    if kind == "raised":
        raise value
    return value


# 1. Unpacking into attributes and items stored task objects.
class Ratio:
    pass


@desync(cache=False)
def unpack_into_attributes(x):
    b = Ratio()
    b.num, b.den = x.as_integer_ratio()
    d = {}
    d["n"], d["d"] = slow(x).as_integer_ratio()
    return b.num, b.den, d


def test_unpacking_into_attributes_and_items_stores_values():
    assert unpack_into_attributes(Fraction(3, 4)) == (3, 4, {"n": 3, "d": 4})


# 2. A comprehension variable that is also a later local.
@desync(cache=False)
def comprehension_then_loop(xs):
    ys = [x * 2 for x in xs]
    for x in xs:
        pass
    return ys, x


def test_a_comprehension_variable_that_is_also_a_later_local():
    assert comprehension_then_loop([1, 2, 3]) == ([2, 4, 6], 3)


# 3. A store or an expression that runs a desync function from a desync body.
class Store:
    def __init__(self):
        self.data = {}

    @desync(cache=False)
    def __setitem__(self, key, value):
        self.data[key] = slow(value)

    @property
    def size(self):
        return self._size()

    @desync(cache=False)
    def _size(self):
        return len(slow(self.data))

    @desync(cache=False)
    def rank(self, key):
        return slow(self.data[key])


@desync(cache=False)
def uses_desync_dunders():
    store = Store()
    store["a"] = slow(2)
    store["b"] = 1
    return store.size, sorted(store.data, key=store.rank)


def test_a_store_or_sort_key_running_a_desync_function_does_not_deadlock():
    assert run_with_timeout(uses_desync_dunders) == (2, ["b", "a"])


# 4. Zero-argument super() with *args.
class Base:
    def __init__(self, *args):
        self.args = args


class Child(Base):
    @desync(cache=False)
    def __init__(self, *args):
        super().__init__(*args)
        self.total = sum(slow(a) for a in args)


def test_zero_argument_super_with_star_arguments():
    child = Child(1, 2, 3)
    assert child.args == (1, 2, 3) and child.total == 6


# 5. A for loop advancing its iterator past a pending method call on it.
@desync(cache=False)
def pairs_of_lines(f):
    out = []
    for line in f:
        out.append(line + f.readline())
    return out


def test_a_loop_does_not_advance_an_iterator_past_a_pending_call_on_it():
    text = "".join(f"{i}\n" for i in range(6))
    assert pairs_of_lines(io.StringIO(text)) == pairs_of_lines.__desync_original__(
        io.StringIO(text))


# 6. Values a desync call computed stay alive after it returns.
class Payload:
    pass


def make_payload():
    return Payload()


@desync(cache=False)
def returns_a_count():
    payload = make_payload()
    other = make_payload()
    return len([payload, other])


def test_values_die_when_the_call_returns_without_the_cycle_collector():
    gc.disable()
    try:
        created = []
        original = Payload.__init__

        def tracking(self):
            created.append(weakref.ref(self))
            original(self)
        Payload.__init__ = tracking
        try:
            assert returns_a_count() == 2
        finally:
            Payload.__init__ = original
        assert len(created) == 2
        assert [ref() for ref in created] == [None, None]
    finally:
        gc.enable()


# Callees that change their arguments, inferred from their code.
def push(heap, item):
    heap.append(item)
    heap.sort()


@desync
def pushes(items):
    heap = []
    for item in items:
        push(heap, slow(item))
    return list(heap), len(heap)


def test_a_callee_that_changes_its_argument_is_ordered_and_never_cached():
    assert pushes([3, 1, 2]) == ([1, 2, 3], 3)
    assert pushes([3, 1, 2]) == ([1, 2, 3], 3)  # a cache hit would skip the pushes


class Counter:
    def __init__(self, start):
        self.count = start
        self.seen = []


class CountingChild(Counter):
    @desync
    def __init__(self, start, items):
        Counter.__init__(self, start)
        for item in items:
            self.seen.append(slow(item))


def test_an_explicit_base_init_is_never_skipped_by_the_cache():
    for _ in range(3):
        child = CountingChild(5, [1, 2])
        assert child.count == 5 and child.seen == [1, 2]


@desync(cache=False)
def callback_records(text):
    found = []

    def record(match):
        found.append(match.group(0))
        return match.group(0).upper()
    replaced = re.sub(r"[a-z]+", record, text)
    return replaced, found


def test_a_callback_recording_into_a_closure_list_keeps_its_records():
    assert callback_records("ab 12 cd") == ("AB 12 CD", ["ab", "cd"])


@desync(cache=False)
def bound_method_alias(xs):
    res = []
    add = res.append
    for x in xs:
        add(slow(x))
    return res


def test_a_bound_method_through_another_name_keeps_order():
    assert bound_method_alias(list(range(8))) == list(range(8))


# 7. With the cache, every call hashed its whole list argument: n calls on an
# n-element list cost O(n^2). Cheap callees are no longer hashed at all.
def first(xs, i):
    return xs[i]


@desync
def many_reads(xs, n):
    total = 0
    for i in range(n):
        total += first(xs, i)
    return total


def test_cheap_calls_on_a_big_argument_stop_being_hashed():
    from desync.runtime import cache as cache_module
    xs = list(range(20_000))
    hashed = []
    originals = {name: getattr(cache_module, name) for name in ("call_digest", "plain_key")}

    def counting(original):
        def count(*args, **kwargs):
            hashed.append(1)
            return original(*args, **kwargs)
        return count
    for name, original in originals.items():
        setattr(cache_module, name, counting(original))
    try:
        assert many_reads(xs, 2_000) == sum(range(2_000))
    finally:
        for name, original in originals.items():
            setattr(cache_module, name, original)
    assert 0 < len(hashed) < 200  # a few tries, then the callee is known to be cheap


# exec() fills the namespace it is given; a later read of it waits.
@desync(cache=False)
def compile_plural(expression):
    ns = {}
    exec(f"def func(n):\n    return int({slow(expression)})", ns)
    return ns["func"]


def test_exec_fills_its_namespace_before_it_is_read():
    assert compile_plural("n != 1")(2) == 1


# A name read only in the branch a conditional expression does not take.
@desync(cache=False)
def intercept(proportional, y):
    if not proportional:
        ybar = sum(y) / len(y)
    value = 0.0 if proportional else ybar * 2
    return value


def test_a_name_in_the_branch_not_taken_is_not_read():
    assert intercept(True, [1, 2]) == 0.0 and intercept(False, [1, 3]) == 4.0


# Deep recursion: deep levels run sequentially; past the stack's limit, a clean
# RecursionError, never a hang.
@desync(cache=False)
def depth(n):
    if n == 0:
        return 0
    inner = depth(n - 1)
    return inner + 1


def test_deep_recursion_completes_or_raises_recursion_error_without_hanging():
    assert run_with_timeout(depth, 100) == 100
    with pytest.raises(RecursionError):
        run_with_timeout(depth, 100_000)
