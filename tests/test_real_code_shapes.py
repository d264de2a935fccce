"""Shapes found by running CPython's own test suites against standard-library
modules put under @desync: each gave a different answer, hung or leaked before."""
from __future__ import annotations

import gc
import io
import os
import pathlib
import re
import sys
import textwrap
import threading
import time
import traceback
import weakref
from fractions import Fraction

import pytest

from desync import desync
from desync import sequential as desync_sequential


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


# -- from the real-code run on Python 3.12 and 3.13 ----------------------------------

def _render(n):
    time.sleep(0.03)
    return f"version {n}"


def _name_for(n):
    time.sleep(0.03)
    return f"run{n}"


def _write_then_read(d):
    p = pathlib.Path(d) / "a.txt"
    p.write_text(_render(1))
    made = os.path.join(d, "b.txt")
    open(made, "w").close()
    before = os.path.lexists(made)
    os.remove(made)
    return p.read_text(), p.exists(), before, os.path.lexists(made)


def _mkdir_then_list(d):
    (pathlib.Path(d) / _name_for(1)).mkdir()
    return os.listdir(d)


@pytest.mark.parametrize("body", [_write_then_read, _mkdir_then_list])
def test_file_changes_by_path_methods_come_before_later_reads(tmp_path, body):
    """3.13's pathlib reads through ``PathBase.read_text``: path methods are judged by
    the effects table, not by inference of their code (which called it pure). A
    method of an object still being made (``(Path(d) / name(1)).mkdir()``) may touch
    the file system: ``os.listdir`` waits for it."""
    (tmp_path / "plain").mkdir()
    expected = body(str(tmp_path / "plain"))
    for attempt in range(3):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        assert desync(cache=False)(body)(str(folder)) == expected


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax is 3.12's")
def test_generic_functions_and_methods_are_decorated(tmp_path, monkeypatch):
    """``def first[T](...)`` used to fail at decoration ("compiled code not found")."""
    (tmp_path / "generic_shapes.py").write_text(textwrap.dedent('''
        import time
        from desync import desync

        def slow(x):
            time.sleep(0.002)
            return x

        @desync
        def first[T](items: list[T]) -> T:
            a = slow(items[0])
            b = slow(items[-1])
            return (a, b)

        class Box:
            @desync
            def get[T](self, x: T) -> str:
                return f"{T.__name__}:{slow(x)}"
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    import generic_shapes
    assert generic_shapes.first([1, 2]) == (1, 2)
    assert generic_shapes.Box().get(3) == "T:3"
    assert [t.__name__ for t in generic_shapes.first.__type_params__] == ["T"]


def _old_api(x):
    import warnings   # (imported here only, as functools.partial.__get__ does)
    warnings.warn("_old_api is deprecated", DeprecationWarning, 2)
    return x


def _warned_where(fn):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(1)
        line = sys._getframe().f_lineno - 1
    return [(os.path.basename(w.filename), w.lineno - line) for w in caught]


def test_a_warning_from_a_locally_imported_warnings_names_the_caller():
    assert _warned_where(_old_api) == [("test_real_code_shapes.py", 0)]
    assert _warned_where(desync(cache=False)(_old_api)) == _warned_where(_old_api)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="skip_file_prefixes and "
                    "TypeAliasType are 3.12's")
def test_warnings_skipping_files_and_type_aliases_name_the_caller(tmp_path, monkeypatch):
    package = tmp_path / "skipping_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        import os, warnings
        HERE = os.path.dirname(__file__)

        def old_api(x):
            warnings.warn("old_api is deprecated", DeprecationWarning,
                          skip_file_prefixes=(HERE,))
            return x * 2
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    from skipping_pkg import old_api
    import typing

    def body(x):
        return old_api(x)

    assert _warned_where(desync(cache=False)(body)) == _warned_where(body)

    def alias():
        return typing.TypeAliasType("Pair", tuple[int, int]).__module__

    assert desync(cache=False)(alias)() == alias() == __name__


def _down_plain(n):
    if n == 0:
        raise KeyError("bottom")
    if n == 7:
        try:
            return _down_plain(n - 1)
        except KeyError as error:
            raise ValueError("middle") from error
    return _down_plain(n - 1) + 1


@desync(cache=False)
def _down_fast(n):
    if n == 0:
        raise KeyError("bottom")
    if n == 7:
        try:
            return _down_fast(n - 1)
        except KeyError as error:
            raise ValueError("middle") from error
    return _down_fast(n - 1) + 1


def _frames(error):
    """(function, line within it) of each entry; the two copies' lines counted from
    their ``def`` (the decorated one's code starts at its decorator)."""
    plain_def = _down_plain.__code__.co_firstlineno
    fast_def = _down_fast.__desync_original__.__code__.co_firstlineno + 1
    shown = []
    for entry in traceback.extract_tb(error.__traceback__):
        if entry.name == "_down_plain":
            shown.append(("_down", entry.lineno - plain_def))
        elif entry.name == "_down_fast":
            shown.append(("_down", entry.lineno - fast_def))
        else:
            shown.append((entry.name, entry.line))
    return shown


@pytest.mark.skipif(sys.version_info < (3, 11), reason="3.10 re-raises the traceback as "
                    "the with statement caught it (docs/debugging.md): desync frames stay")
@pytest.mark.parametrize("sequential", [False, True])
def test_tracebacks_through_many_levels_read_as_plain_pythons(sequential):
    """Each level drops desync's frames from what passed through it; a level deeper
    in the same exception's way already did its part (kept as it is: a RecursionError
    through thousands of levels is cleaned in linear time)."""
    import contextlib
    outcomes = []
    for fn in (_down_plain, _down_fast):
        with desync_sequential() if sequential and fn is _down_fast else contextlib.nullcontext():
            with pytest.raises(ValueError) as caught:
                fn(30)
        error = caught.value
        outcomes.append((_frames(error), _frames(error.__cause__)))
    assert outcomes[1] == outcomes[0]
