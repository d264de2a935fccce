"""Effect inference from source: what a callee touches, and which arguments it mutates."""
from __future__ import annotations

import datetime
import functools
import heapq
import inspect
import json
import logging
import os
import random
import subprocess
import sys
import textwrap
import time
import uuid
import warnings
from pathlib import Path

import pytest

import desync  # noqa: F401  (installs the source providers)
from desync.hashing.effects import infer, infer_source
from desync.runtime.effects import EFFECT, PURE, READS, WORLD_STATE, facts_of

LOG = []
SCALE = 3


def pure(x):
    return x * SCALE + len(str(x))


def sleeps(x):
    time.sleep(0.001)
    return x


def reads_file(path):
    with open(path) as handle:
        return handle.read()


def reads_path(path):
    return Path(path).read_text()


def writes_path(path, text):
    Path(path).write_text(text)


def lists_folder(path):
    return os.listdir(path)


def clock():
    return time.time()


def now():
    return datetime.datetime.now()


def draws():
    return random.random()


def new_id():
    return uuid.uuid4()


def env():
    return os.environ["HOME"]


def env_get():
    return os.environ.get("HOME")


def shows(x):
    print(x)


def asks():
    return input()


def runs_command():
    return subprocess.run(["true"])


def logs(x):
    LOG.append(x)


def counts():
    global SCALE
    SCALE += 1


note = LOG.append
square = lambda x: x * x  # noqa: E731
same_as_pure = pure


def via_bound_alias(x):
    note(x)


def via_lambda(x):
    return square(x)


def via_alias(x):
    return same_as_pure(x)


def appends(xs, x):
    xs.append(x)


def sets_item(d, k):
    d[k] = 1


def deletes(d, k):
    del d[k]


def bumps(o):
    o.count += 1


def sorts_alias(p):
    q = p
    q.sort()


def through_loop(rows):
    for row in rows:
        row.append(0)


def passes_on(ys):
    appends(ys, 1)


def passes_by_keyword(ys):
    appends(xs=ys, x=1)


def heap_push(h):
    heapq.heappush(h, 1)


def dumps_to(obj, fp):
    json.dump(obj, fp)


def keyword_only(*, out):
    out.update(a=1)


def reads_only(xs, d, text):
    return xs.count(1) + len(d.get("a", "")) + len(text.upper()) + len(sorted(xs))


def calls_reader(path):
    return pure(2) + len(reads_file(path))


def recursive(n):
    return 0 if n == 0 else recursive(n - 1) + 1


def recursive_effect(n):
    if n == 0:
        print("done")
        return 0
    return recursive_effect(n - 1)


class Box:
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)

    def size(self):
        return len(self.items)

    def add_twice(self, x):
        self.add(x)
        self.add(x)


class Stack(list):
    def push(self, x):
        super().append(x)

    def depth(self):
        return super().__len__()


class CountingBox(Box):
    def add(self, x):
        super(CountingBox, self).add(x + 1)


class Jar(dict):
    """(round M: http.cookies' BaseCookie.__set stores through the unbound method)"""

    def put(self, key, value):
        dict.__setitem__(self, key, value)

    def tag(self, name):
        object.__setattr__(self, "name", name)

    def peek(self, key):
        return dict.__getitem__(self, key), dict.get(self, key)


def appends_unbound(out, x):
    list.append(out, x)


class Visits:
    """(round M: ast.NodeVisitor.visit finds its method by name)"""

    def visit(self, node):
        handler = getattr(self, "visit_" + type(node).__name__, None)
        return handler(node)

    def visit_now(self, node):
        return getattr(self, "visit_" + node)(node)

    def on_a(self, node):
        print(node)


def prints_through_map(rows):
    return list(map(print, rows))


def prints_through_partial(row):
    import functools
    functools.partial(print, "row:")(row)


def prints_through_alias(row):
    show = print
    show(row)


def sorts_with_print_as_key(rows):
    return sorted(rows, key=print)


def echoes(value):
    sys.displayhook(value)


def registers_at_exit(value):
    import atexit
    atexit.register(print, value)


def imports_by_name(name):
    import importlib
    return importlib.import_module(name)


def absolute_path(name):
    return Path(name).absolute()


def original_stdout(text):
    sys.__stdout__.write(text)


import threading  # noqa: E402

CURRENT = threading.current_thread


def thread_through_alias():
    return CURRENT().name


def makes_a_record(x):
    import logging
    return logging.LogRecord("n", 20, "p", 1, x, None, None).threadName


def pretty_prints(x):
    import pprint
    pprint.PrettyPrinter().pprint(x)


def prints_a_month(x):
    import calendar
    calendar.prmonth(2024, x)


def times_a_snippet():
    import timeit
    return timeit.timeit("1 + 1", number=10)


def turns_gc_off():
    import gc
    gc.disable()


def filters_warnings():
    import warnings
    warnings.simplefilter("error")


def sets_a_library_attribute(x):
    import decimal
    decimal.DefaultContext.prec = x


def sets_a_module_flag(x):
    setattr(sys, "desync_test_flag", x)


# Helpers that look past their own frame (called from a frame named like the body,
# in order, never cached), and what only looks like it (each a call like any other).
def my_name():
    return sys._getframe().f_code.co_name       # its own frame


def caller_name():
    return sys._getframe(1).f_code.co_name


def forwards_to_log(msg, **kwargs):
    logging.getLogger("t").info(msg, **kwargs)  # a stacklevel may come in kwargs


def deprecates(msg, **options):
    options.setdefault("stacklevel", 2)
    warnings.warn(msg, DeprecationWarning, **options)


def warns_by_position(msg):
    _warn = warnings.warn
    _warn(msg, DeprecationWarning, 2)


class Reporter:
    def warn(self, x, y, z):
        return x + y + z


def calls_a_method_named_warn(x):
    return Reporter().warn(x, 1, 2)


def own_frame_only():
    return inspect.currentframe().f_code.co_name


@pytest.mark.parametrize("fn, kind, world", [
    # From the seventh adversarial round (verifying the sixth's fixes).
    (thread_through_alias, EFFECT, {"world:process"}),
    (makes_a_record, EFFECT, {"world:clock"}),
    (pretty_prints, EFFECT, {"world:stdout"}),
    (prints_a_month, EFFECT, {"world:stdout"}),
    (times_a_snippet, EFFECT, {"world:clock"}),
    (turns_gc_off, EFFECT, {"world:process"}),
    (filters_warnings, EFFECT, {"world:process"}),
    (sets_a_library_attribute, PURE, {WORLD_STATE}),
    (sets_a_module_flag, PURE, {WORLD_STATE}),
    # From the sixth adversarial round: effects a cache hit used to skip.
    (prints_through_map, EFFECT, {"world:stdout"}),
    (prints_through_partial, EFFECT, {"world:stdout"}),
    (prints_through_alias, EFFECT, {"world:stdout"}),
    (sorts_with_print_as_key, EFFECT, {"world:stdout"}),
    (echoes, EFFECT, {"world:stdout"}),
    (registers_at_exit, EFFECT, {"world:process", "world:stdout"}),
    (imports_by_name, EFFECT, {"world:process"}),
    (absolute_path, READS, {"world:process"}),
    (original_stdout, EFFECT, {"world:stdout"}),
    (pure, PURE, set()),
    (sleeps, PURE, set()),                 # time.sleep reads nothing
    (reads_file, EFFECT, {"world:files"}),
    (reads_path, READS, {"world:files"}),
    (writes_path, EFFECT, {"world:files"}),
    (lists_folder, READS, {"world:files"}),
    (clock, EFFECT, {"world:clock"}),
    (now, EFFECT, {"world:clock"}),
    (draws, EFFECT, {"world:random"}),
    (new_id, EFFECT, {"world:random"}),
    (env, READS, {"world:process"}),
    (env_get, READS, {"world:process"}),
    (shows, EFFECT, {"world:stdout"}),
    (asks, EFFECT, {"world:stdin"}),
    (runs_command, EFFECT, {"world:process"}),
    (logs, PURE, {WORLD_STATE}),      # a call for the engine; never cached
    (via_bound_alias, PURE, {WORLD_STATE}),   # note = LOG.append
    (via_lambda, PURE, set()),
    (via_alias, PURE, set()),
    (counts, PURE, {WORLD_STATE}),
    (calls_reader, EFFECT, {"world:files"}),  # transitively
    (recursive, PURE, set()),
    (recursive_effect, EFFECT, {"world:stdout"}),
    (my_name, PURE, set()),
    (caller_name, EFFECT, {"world:caller"}),
    (forwards_to_log, EFFECT, {"world:stdout", "world:caller"}),
    (deprecates, EFFECT, {"world:stdout", "world:caller"}),
    (warns_by_position, EFFECT, {"world:stdout", "world:caller"}),
    (calls_a_method_named_warn, PURE, set()),
    (own_frame_only, PURE, set()),
])
def test_world(fn, kind, world):
    facts = infer(fn)
    assert (facts.kind, set(facts.world)) == (kind, world), facts
    assert facts_of(fn).cacheable == (kind == PURE and not world)


@pytest.mark.parametrize("fn, mutated", [
    (appends, {0, "xs"}),
    (sets_item, {0, "d"}),
    (deletes, {0, "d"}),
    (bumps, {0, "o"}),
    (sorts_alias, {0, "p"}),
    (through_loop, {0, "rows"}),
    (passes_on, {0, "ys"}),
    (passes_by_keyword, {0, "ys"}),
    (heap_push, {0, "h"}),
    (dumps_to, {1, "fp"}),
    (keyword_only, {"out"}),
    (reads_only, set()),
    (pure, set()),
    (Box.add, {0, "self"}),
    (Box.size, set()),
    (Box.add_twice, {0, "self"}),
    (Stack.push, {0, "self"}),          # a method of the base class, through super()
    (Stack.depth, set()),
    (CountingBox.add, {0, "self"}),
    (Jar.put, {0, "self"}),
    (Jar.tag, {0, "self"}),
    (Jar.peek, set()),
    (appends_unbound, {0, "out"}),
    (Visits.visit, {0, "self"}),
    (Visits.visit_now, {0, "self"}),
])
def test_mutated_parameters(fn, mutated):
    facts = infer(fn)
    assert set(facts.mutates) == mutated, facts
    assert facts.cacheable == (not mutated)


def measures(box):
    return box.size() + len(box.items)


def fills(box):
    box.add(1)


class Ledger:
    def update(self):       # harmless here; dict.update is not
        return 0


def updates(d):
    d.update(a=1)


def spins(thing):
    thing.whirl()      # a method no class here defines: it may change ``thing``


def test_methods_of_the_project_classes_decide_for_unknown_objects():
    assert infer(measures).mutates == frozenset()
    assert infer(fills).mutates == {0, "box"}
    assert infer(spins).mutates == {0, "thing"}
    assert infer(updates).mutates == {0, "d"}


def test_unknown_source_is_no_inference():
    assert infer(lambda x: x) is None
    assert facts_of(len).kind == PURE
    assert facts_of(print).kind == EFFECT


def _project_package(tmp_path):
    """A project with one package, ``src/app``, for ``desync build``."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\n\n[tool.desync]\npaths = ["src"]\n')
    package = tmp_path / "src" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    return package


def test_built_code_carries_its_facts_and_never_parses(tmp_path):
    package = _project_package(tmp_path)
    (package / "core.py").write_text(textwrap.dedent('''
        import time
        from desync import desync

        def load(path):
            with open(path) as handle:
                return handle.read()

        def work(x):
            time.sleep(0.01)
            return x * 2

        def grow(xs):
            xs.append(1)

        @desync
        def outer(path, x):
            return load(path), work(x)
    '''))
    build = subprocess.run([sys.executable, "-m", "desync", "build"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    built = (tmp_path / "build" / "desync" / "app" / "core.py").read_text()
    assert "__desync_facts__" in built
    data = tmp_path / "data.txt"
    data.write_text("one")
    code = textwrap.dedent(f"""
        import sys
        import app.core as c
        from desync.runtime.effects import facts_of
        first = c.outer({str(data)!r}, 2)
        open({str(data)!r}, "w").write("two")
        second = c.outer({str(data)!r}, 2)
        print(first, second, c.outer.get_cache().hits, facts_of(c.grow).mutates == {{0, "xs"}},
              "ast" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=str(tmp_path / "build" / "desync")))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["('one',", "4)", "('two',", "4)", "1", "True", "False"]


def test_built_code_knows_which_functions_hand_out_module_state_without_parsing(tmp_path):
    package = _project_package(tmp_path)
    (package / "reg.py").write_text(textwrap.dedent('''
        import time
        from desync import desync

        SEEN = []

        def get_seen():
            return SEEN

        def fresh():
            return []

        def note(x):
            time.sleep(0.02)
            SEEN.append(x)

        @desync
        def body(xs):
            seen = get_seen()
            for x in xs:
                note(x)
            return len(seen)
    '''))
    build = subprocess.run([sys.executable, "-m", "desync", "build"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    built = (tmp_path / "build" / "desync" / "app" / "reg.py").read_text()
    assert "__desync_returns_state__ = ('get_seen',)" in built
    code = "import sys, app.reg as r; print(r.body([1, 2, 3]), r.body([4]), 'ast' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=str(tmp_path / "build" / "desync"),
                                  DESYNC_PACING="0"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "4", "False"]


def test_a_part_of_module_state_handed_to_a_function_that_changes_it():
    from desync.hashing.effects import infer_source
    source = textwrap.dedent('''
        import types
        LOG = []
        TABLE = {"rows": []}
        OBJ = types.SimpleNamespace(items=[])
        class Cls:
            tags = []
        def grow(rows, x):
            rows.append(x)
        def by_row(x): grow(TABLE["rows"], x)
        def by_class(x): grow(Cls.tags, x)
        def by_attribute(x): grow(OBJ.items, x)
        def by_keyword(x): grow(rows=Cls.tags, x=x)
        def own_list(x): grow([], x)
        def own_part(x):
            mine = {"rows": []}
            grow(mine["rows"], x)
            return mine
        def param_part(box, x): grow(box.items, x)
    ''')
    path = "/nowhere/parts_handed_over.py"
    for name in ("by_row", "by_class", "by_attribute", "by_keyword"):
        facts = infer_source(source, path, name)
        assert WORLD_STATE in facts.world and not facts.cacheable, name
    for name in ("own_list", "own_part"):
        assert infer_source(source, path, name).cacheable, name
    assert infer_source(source, path, "param_part").mutates == {0, "box"}


def test_a_method_changing_its_object_through_a_part_or_an_alias_mutates_it():
    from desync.hashing.effects import infer_source
    source = textwrap.dedent('''
        import heapq
        def _put(lst, x):
            lst.append(x)
        class Queue:
            def push(self, x): heapq.heappush(self.heap, x)
            def unbound(self, x): list.append(self.heap, x)
            def helper(self, x): _put(self.heap, x)
            def unpacked(self, x):
                h, i = self.heap, self.index
                h.append(x)
            def walrus(self, x): (h := self.heap).append(x)
            def by_name(self, x): getattr(self, "heap").append(x)
            def getter(self, x): self._heap().append(x)
            def _heap(self): return self.heap
            def row(self, x): self.index.get("a").append(x)
            def rows(self, x):
                for row in self.index.values():
                    row.append(x)
            def extended(self, x):
                h = self.heap
                h += [x]
            def total(self):
                s = 0
                for row in self.rows:
                    s += row
                return s
            def first(self):
                h = self.heap
                return h[0], sorted(h), list(self.index.values())
            def copied(self, x):
                h = list(self.heap)
                h.append(x)
                return h
        def counts(values):
            for n in values:
                n += 1
            return values
    ''')
    path = "/nowhere/queue_parts.py"
    for name in ("push", "unbound", "helper", "unpacked", "walrus", "by_name", "getter", "row",
                 "rows", "extended"):
        assert {0, "self"} <= infer_source(source, path, f"Queue.{name}").mutates, name
    for name in ("total", "first", "copied"):
        assert not infer_source(source, path, f"Queue.{name}").mutates, name
    assert not infer_source(source, path, "counts").mutates


def test_methods_a_builtin_containers_subclass_adds_change_it():
    from collections import Counter, OrderedDict
    from desync.runtime.engine import method_kind
    ordered, counts = OrderedDict(a=1), Counter("ab")
    assert method_kind(ordered, "move_to_end", ordered.move_to_end) == EFFECT
    assert method_kind(counts, "subtract", counts.subtract) == EFFECT
    for name in ("keys", "items", "get", "copy"):
        assert method_kind(ordered, name, getattr(ordered, name)) == PURE, name
    assert method_kind(ordered, "popitem", ordered.popitem) == EFFECT
    assert method_kind({}, "get", {}.get) == PURE


def test_which_functions_hand_out_module_state():
    from desync.runtime.effects import returns_state
    assert returns_state(_hands_out_log) and returns_state(_hands_out_a_row)
    assert returns_state(_hands_out_through_a_getter)
    assert returns_state(_may_hand_out_log)
    assert not returns_state(_makes_a_new_list) and not returns_state(_copies_the_log)
    assert not returns_state(_counts_the_log)


def test_memoized_and_lazily_made_getters_hand_out_state_and_their_users_change_it():
    source = textwrap.dedent('''
        import functools
        _CFG = None
        @functools.lru_cache(maxsize=None)
        def registry():
            return {}
        @functools.cache
        def seen():
            return []
        def config():
            global _CFG
            if _CFG is None:
                _CFG = {}
            return _CFG
        def plain():
            return {}
        def register(k, v):
            registry()[k] = v
        def note(x):
            seen().append(x)
        def bump(k):
            cfg = config()
            cfg[k] = 1
        def fresh(k):
            d = plain()
            d[k] = 1
            return d
    ''')
    path = "/nowhere/memoized_getters.py"
    for name in ("register", "note", "bump"):
        assert WORLD_STATE in infer_source(source, path, name).world, name
    assert infer_source(source, path, "fresh").cacheable


def test_singletons_and_class_methods_handing_out_what_the_class_keeps_are_state():
    source = textwrap.dedent('''
        class Config:
            _instance = None
            @classmethod
            def get(cls):
                if cls._instance is None:
                    cls._instance = cls()
                return cls._instance
            @classmethod
            def make(cls):
                return cls()
        class Single:
            _inst = None
            def __new__(cls):
                if cls._inst is None:
                    cls._inst = super().__new__(cls)
                return cls._inst
        class Keep(type):
            _all = {}
            def __call__(cls):
                return cls._all.setdefault(cls, super().__call__())
        class Store(metaclass=Keep):
            pass
        class Borg:
            _shared = {}
            def __init__(self):
                self.__dict__ = Borg._shared
        class Plain:
            def __init__(self):
                self.items = []
        def by_class_method(v):
            Config.get().values = v
        def by_new(x):
            Single().items.append(x)
        def by_metaclass(x):
            Store().rows.append(x)
        def by_borg(x):
            Borg().count = x
        def on_a_new_one(x):
            Plain().items.append(x)
            Config.make().items = x
    ''')
    path = "/nowhere/singletons.py"
    for name in ("by_class_method", "by_new", "by_metaclass", "by_borg"):
        assert WORLD_STATE in infer_source(source, path, name).world, name
    assert infer_source(source, path, "on_a_new_one").cacheable


@functools.lru_cache(maxsize=None)
def _remembered_settings():
    return {"level": 1}


def test_a_memoized_function_is_shared_state_not_a_result_to_copy():
    # (a cache hit would hand out a copy: the body would change another dict)
    assert facts_of(_remembered_settings.__wrapped__).cacheable
    facts = facts_of(_remembered_settings)
    # (not a change of state: a loop of remembered fetches still runs together)
    assert not facts.cacheable and WORLD_STATE not in facts.world


_LOG = []
_TABLE = {"a": []}


def _hands_out_log():
    return _LOG


def _hands_out_a_row(name):
    return _TABLE[name]


def _hands_out_through_a_getter():
    return _hands_out_log()


def _may_hand_out_log(shared):
    return _LOG if shared else []


def _makes_a_new_list():
    return [1, 2]


def _copies_the_log():
    return list(_LOG)


def _counts_the_log():
    return len(_LOG)


def test_infer_source_for_explain(tmp_path):
    from desync.hashing.effects import infer_source
    source = "import time\nLOG = []\ndef f(x):\n    return x\ndef g(x):\n    print(x)\n" \
             "def h(x):\n    LOG.append(x)\n"
    path = str(tmp_path / "explained.py")
    assert infer_source(source, path, "f").cacheable
    assert infer_source(source, path, "g").kind == EFFECT
    facts = infer_source(source, path, "h")
    assert facts.kind == PURE and not facts.cacheable
    assert infer_source(source, path, "missing") is None


# -- lambdas: no def to infer from; the facts of what they can call -------------------
def _shows(x):
    print(x)
    return x


_counter = [0]


def test_a_lambda_has_the_facts_of_the_functions_it_calls():
    assert facts_of(lambda v: _shows(v)).kind == EFFECT
    assert facts_of(lambda v: print(v)).kind == EFFECT
    assert facts_of(lambda v: sys.stdout.write(str(v))).kind == EFFECT
    assert facts_of(lambda v: time.time() - v).kind != PURE       # a clock reading
    assert facts_of(lambda v: os.remove(v)).kind == EFFECT
    assert facts_of(lambda v: (lambda w: _shows(w))(v)).kind == EFFECT  # nested code
    show = _shows
    assert facts_of(lambda v: show(v)).kind == EFFECT                 # held in a cell
    inner = lambda w: _shows(w)   # noqa: E731
    assert facts_of(lambda v: inner(v)).kind == EFFECT                # a lambda in a cell


def test_a_lambda_that_only_computes_stays_pure():
    import math
    for fn in (lambda v: v + 1, lambda v: -v[1], lambda v: math.sqrt(v), lambda v: len(v),
               lambda v: sorted(v, key=abs), lambda v: v.name):
        assert facts_of(fn).kind == PURE, fn


# -- a function of the project writing to sys.stdout or sys.stderr --------------------
def _writes_out(x):
    sys.stdout.write(f"{x}\n")
    return x


def _writes_err(x):
    sys.stderr.write(f"{x}\n")
    return x


@pytest.mark.parametrize("fn", [_writes_out, _writes_err])
def test_writing_to_the_terminal_streams_is_an_effect_never_cached(fn):
    facts = facts_of(fn)
    assert facts.kind == EFFECT and not facts.cacheable


def test_a_method_found_by_name_runs_in_program_order():
    # What getattr(self, name) finds is not known from the source: it may print.
    assert infer(Visits.visit).kind == EFFECT and infer(Visits.visit_now).kind == EFFECT


class Guarded:
    """(round M: logging's Handler takes its RLock through helper methods)"""

    def __init__(self):
        self.lock = threading.RLock()

    def acquire(self):
        self.lock.acquire()

    def flush(self):
        self.acquire()

    def emit(self, record):
        with self.lock:
            return record

    def opens(self, path):
        with open(path) as f:
            return f


def test_a_callee_that_takes_a_lock_runs_on_the_calling_thread():
    for fn in (Guarded.acquire, Guarded.flush):
        assert infer(fn).kind == EFFECT, fn
    # (taken and released in one call, on one thread: concurrent as before)
    assert infer(Guarded.emit).kind == PURE and "lock" not in infer(Guarded.opens).reason


class Signals:
    """(round 11: calls that wait for each other, or hand a lock on)"""

    def waits(self, event):
        return event.wait(0.1)

    def waits_for(self, condition):
        with condition:
            return condition.wait_for(lambda: True, 0.1)

    def wakes(self, condition):
        with condition:
            condition.notify_all()

    def sets(self, event):
        event.set()

    def enters(self, lock):
        lock.__enter__()

    def sets_a_context_variable(self, var):
        var.set(1)

    def waits_for_futures(self, fs):
        import concurrent.futures
        return concurrent.futures.wait(fs)


def test_a_callee_that_waits_or_signals_runs_in_program_order():
    for fn in (Signals.waits, Signals.waits_for, Signals.wakes, Signals.sets, Signals.enters):
        facts = infer(fn)
        assert facts.kind == EFFECT, (fn, facts)
    # (a value given to ``set`` is a ContextVar's; ``wait`` of a module is its function)
    for fn in (Signals.sets_a_context_variable, Signals.waits_for_futures):
        facts = infer(fn)
        assert "signals" not in facts.reason and "lock" not in facts.reason, (fn, facts)


class ChangedByOtherNames:
    """(round 11: changes inference did not follow)"""

    def __init__(self):
        self.a = 0

    def through_vars(self, v):
        vars(self).update(a=v)

    def through_a_dict_alias(self, v):
        state = self.__dict__
        state["a"] = v

    def through_its_type(self, v):
        type(self).__setattr__(self, "a", v)

    def through_a_table(self, k):
        table = {"a": self.through_vars, "b": self.through_its_type}
        table[k](1)

    def reads_its_type(self):
        return type(self).mro(), vars(self).get("a")


def item_through_vars(o, v):
    vars(o)["a"] = v


def through_a_method_caller(d, k, v):
    import operator
    operator.methodcaller("__setitem__", k, v)(d)


def through_an_attrgetter(o, name):
    import operator
    operator.attrgetter(name)(o)(1)


def test_changes_through_vars_type_tables_and_operator_getters_are_seen():
    for fn in (ChangedByOtherNames.through_vars, ChangedByOtherNames.through_a_dict_alias,
               ChangedByOtherNames.through_its_type, ChangedByOtherNames.through_a_table):
        assert {0, "self"} <= infer(fn).mutates, fn
    assert {0, "o"} <= infer(item_through_vars).mutates
    assert {0, "d"} <= infer(through_a_method_caller).mutates
    assert {0, "o"} <= infer(through_an_attrgetter).mutates
    # (a method found in a table or by an attrgetter may do anything: in program order)
    assert infer(ChangedByOtherNames.through_a_table).kind == EFFECT
    # Reading through them changes nothing.
    assert not infer(ChangedByOtherNames.reads_its_type).mutates


class Flag:
    """(the review of round 11: a user class whose methods share the signal names)"""

    def __init__(self):
        self.up = False

    def set(self):
        self.up = True

    def wait(self):
        return self.up


def raises_a_flag_of_its_own():
    flag = Flag()
    flag.set()
    return flag.wait()


def test_signal_names_on_an_instance_of_ones_own_class_are_that_class_methods():
    facts = infer(raises_a_flag_of_its_own)
    assert facts.kind == PURE and "signals" not in facts.reason, facts


class _RemoteMethod:
    """xmlrpc.client's _Method, shrunk: any attribute is another remote method, and
    calling one is a request."""

    def __init__(self, log, name):
        self._log, self._name = log, name

    def __getattr__(self, name):
        return _RemoteMethod(self._log, f"{self._name}.{name}")

    def __call__(self, *args):
        self._log.append(self._name)
        return len(self._log)


def _multicall(server, items):
    marshalled = []
    for x in items:
        marshalled.append({"x": x})
    return server.system.multicall(marshalled)


@pytest.mark.parametrize("cache", [False, True])
def test_judging_a_proxy_that_makes_up_attributes_never_calls_it(cache):
    """xmlrpc.client under realcode.py: judging ``server.system.multicall`` read its
    ``__func__`` (made up by the proxy) and called ``__func__.__globals__.get``: a
    request the test server did not expect, sent before the real one."""
    from desync import desync

    class Server:
        def __init__(self):
            self.log = []

        def __getattr__(self, name):
            return _RemoteMethod(self.log, name)

    server = Server()
    desync(cache=cache)(_multicall)(server, [1, 2])
    assert server.log == ["system.multicall"]


# Module state changed through a name of the function's own: each must count as a
# change of module state (never cached, ordered after reads of it), as ``LOG.append``
# does. All were judged pure before effect inference followed these names.
from tests import idiom_settings  # noqa: E402  (a module of the project)

TABLE = {"a": []}
FORMAT = "{}-{}"


def _log():
    return LOG


def changes_through_alias(x):
    s = LOG
    s.append(x)


def changes_through_two_aliases(x):
    first = LOG
    second = first
    second.append(x)


def changes_through_walrus(x):
    (s := LOG).append(x)


def changes_through_defaulted_parameter(x, dst=None):
    dst = dst if dst is not None else LOG
    dst.append(x)


def changes_through_getattr_of_a_module(x):
    getattr(idiom_settings, "DONE").append(x)


def changes_through_getattr_local(x):
    done = getattr(idiom_settings, "DONE")
    done.append(x)


def changes_through_getter(x):
    _log().append(x)


def changes_through_getters_result(x):
    seen = _log()
    seen.append(x)


def stores_through_alias(k, v):
    table = TABLE
    table[k] = v


def changes_a_row(k, v):
    row = TABLE[k]
    row.append(v)


def changes_every_row(v):
    for row in TABLE.values():
        row.append(v)


def changes_a_got_item(k, v):
    TABLE.get(k).append(v)


def changes_through_sys_modules(x):
    sys.modules[__name__].LOG.append(x)


def changes_through_a_module_found_by_name(x):
    module = sys.modules[__name__]
    module.TABLE["a"].append(x)


def stores_into_globals(x):
    globals()["LAST_SEEN"] = x


# What only looks like it: a copy, a string, a new list of the items.
def formats_through_alias(x):
    fmt = FORMAT
    return fmt.format(x, fmt.upper())


def changes_a_copy(x):
    mine = list(LOG)
    mine.append(x)
    table = TABLE.copy()
    table["b"] = x
    return mine, table


def reads_the_rows(k):
    total = 0
    for row in TABLE.values():
        total += len(row)
    return total + len(TABLE.get(k, ()))


@pytest.mark.parametrize("fn, changes", [
    (changes_through_alias, True),
    (changes_through_two_aliases, True),
    (changes_through_walrus, True),
    (changes_through_defaulted_parameter, True),
    (changes_through_getattr_of_a_module, True),
    (changes_through_getattr_local, True),
    (changes_through_getter, True),
    (changes_through_getters_result, True),
    (stores_through_alias, True),
    (changes_a_row, True),
    (changes_every_row, True),
    (changes_a_got_item, True),
    (changes_through_sys_modules, True),
    (changes_through_a_module_found_by_name, True),
    (stores_into_globals, True),
    (formats_through_alias, False),
    (changes_a_copy, False),
    (reads_the_rows, False),
])
def test_module_state_changed_through_a_name_of_its_own(fn, changes):
    facts = infer(fn)
    assert (WORLD_STATE in facts.world) == changes, facts
    assert facts_of(fn).cacheable == (not changes and not facts.mutates)


# From the fifteenth adversarial round: more names of its own, each a change of
# module state; and what only reads through them.
def changes_through_unpacking(x):
    s, t = LOG, TABLE
    s.append(x)


def changes_a_row_of_a_copy(x):
    t = dict(TABLE)
    t["a"].append(x)


def changes_through_a_display(x):
    s = {"log": LOG}["log"]
    s.append(x)


def changes_through_with(x):
    import contextlib
    with contextlib.nullcontext(LOG) as s:
        s.append(x)


def changes_through_a_bound_method(x):
    add = LOG.append
    add(x)


def hands_over_a_bound_method(x):
    list(map(LOG.append, [x]))


def changes_through_augmented_alias(x):
    s = LOG
    s += [x]


def gives_it_to_a_nested_def(x):
    def put(s):
        s.append(x)
    put(LOG)


def reads_it_in_a_nested_def(x):
    def count(s):
        return len(s) + x
    return count(LOG)


def changes_a_fresh_copy(x):
    t = dict(TABLE)
    t["b"] = x
    rows = [LOG, x]
    rows.append(x)
    return t, rows


class KeepsTheLog:
    def __init__(self):
        self.log = LOG

    def add(self, x):
        self.log.append(x)

    def size(self):
        return len(self.log)


@pytest.mark.parametrize("fn, changes", [
    (changes_through_unpacking, True),
    (changes_a_row_of_a_copy, True),
    (changes_through_a_display, True),
    (changes_through_with, True),
    (changes_through_a_bound_method, True),
    (hands_over_a_bound_method, True),
    (changes_through_augmented_alias, True),
    (gives_it_to_a_nested_def, True),
    (KeepsTheLog.add, True),
    (reads_it_in_a_nested_def, False),
    (changes_a_fresh_copy, False),
    (KeepsTheLog.size, False),
])
def test_module_state_changed_through_more_names(fn, changes):
    facts = infer(fn)
    assert (WORLD_STATE in facts.world) == changes, facts


# From the second pass of the fifteenth round: instances and registries of the project
# (each a change of module state), and copies that only look like aliases (none).
HOOKS = [changes_through_alias]


class Remembers:
    log = LOG

    def add(self, x):
        self.log.append(x)


class Holds:
    def __init__(self, log):
        self.log = log

    def add(self, x):
        self.log.append(x)


def uses_an_instance_it_makes(x):
    Remembers().add(x)


def uses_an_instance_given_state(x):
    Holds(LOG).add(x)


def fires_the_hooks(x):
    for hook in HOOKS:
        hook(x)


def changes_through_the_types_method(x):
    type(LOG).append(LOG, x)


def changes_a_slice_copy(x):
    s = LOG[:]
    s.append(x)
    return s


def changes_copied_rows(x):
    rows = [list(r) for r in TABLE.values()]
    rows[0].append(x)
    return rows


@pytest.mark.parametrize("fn, changes", [
    (uses_an_instance_it_makes, True),
    (uses_an_instance_given_state, True),
    (fires_the_hooks, True),
    (changes_through_the_types_method, True),
    (changes_a_slice_copy, False),
    (changes_copied_rows, False),
])
def test_module_state_changed_through_instances_and_registries(fn, changes):
    facts = infer(fn)
    assert (WORLD_STATE in facts.world) == changes, facts


def changes_its_default(x, out=LOG):
    out.append(x)


ERRORS = {"value": ValueError, "key": KeyError}


def raises_by_kind(kind, message):
    raise ERRORS[kind](message)


@pytest.mark.parametrize("fn, changes", [
    (changes_its_default, True),    # (when the caller does not give ``out``)
    (raises_by_kind, False),        # (a table of the builtins' classes, never changed)
])
def test_defaults_and_tables_of_classes(fn, changes):
    facts = infer(fn)
    assert (WORLD_STATE in facts.world) == changes, facts


class _AsksItsFactory:
    """A lazy object (as Django's ``LazyObject``): asking its class loads it."""
    loaded = 0

    @property
    def __class__(self):
        type(self).loaded += 1
        return dict

    def get(self, key):
        return key


_LAZY_SETTINGS = _AsksItsFactory()


def _reads_lazy_settings(key, use):
    return _LAZY_SETTINGS.get(key) if use else key


def test_judging_a_callee_never_loads_a_lazy_object_it_names():
    # (plain Python never asks ``_LAZY_SETTINGS`` its class here: desync must not either)
    _AsksItsFactory.loaded = 0
    infer(_reads_lazy_settings)
    facts_of(_reads_lazy_settings)
    assert _AsksItsFactory.loaded == 0
