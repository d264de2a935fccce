"""Written from the tenth adversarial round (CPython's tests of 53 more stdlib modules).
Run: DESYNC_PACING=0 python tests/adversarial_programs/round10_stdlib_shapes_m.py

http.cookies: a method storing through ``dict.__setitem__(self, k, v)`` changes its
object, and the read ``self[k]`` after it waits. ast.NodeVisitor: a method found by
name (``getattr(self, "visit_" + kind)(node)``) may change the object and print: the
calls run in program order. inspect, traceback: desync looks at the values a body
hands on without running their code (a ``__getattribute__`` or ``__class__`` of their
own, a ``__module__`` that raises or is not a string, an iterator type whose
attributes cannot be read). logging: a callee that takes a lock (through a helper
method, a module function, or ``with self.lock``) runs on the calling thread, which
may hold that RLock already."""
import ast
import itertools
import os
import sys
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
from desync import desync  # noqa: E402


class Jar(dict):
    def put(self, key, value):
        time.sleep(0.002)
        dict.__setitem__(self, key, value)

    @desync
    def load(self, pairs):
        got = []
        for key, value in pairs:
            self.put(key, value)
            got.append(self[key])
        return got


def stores_through_the_unbound_method(pairs):
    return Jar().load(pairs)


class Dispatcher:
    def __init__(self):
        self.log = []

    @desync
    def step(self, kind):
        hook = getattr(self, "on_" + kind)
        return hook(kind)

    @desync
    def run(self, kinds):
        for kind in kinds:
            self.step(kind)

    def on_a(self, kind):
        self.log.append(kind)

    def on_b(self, kind):
        time.sleep(0.01)
        print("b")
        self.log.append(kind)


def dispatches_by_name(kinds):
    d = Dispatcher()
    d.run(kinds)
    print("done")
    return d.log


class Names(ast.NodeVisitor):
    def __init__(self):
        self.seen = []

    def visit_Name(self, node):
        time.sleep(0.002)
        self.seen.append(node.id)


def visits_with_a_node_visitor(sources):
    names = Names()
    for source in sources:
        names.visit(ast.parse(source))
        names.seen.append("|")
    return names.seen


class Handler:
    def __init__(self):
        self.lock = threading.RLock()
        self.out = []

    def acquire(self):
        self.lock.acquire()

    def release(self):
        self.lock.release()

    @desync
    def flush(self):
        self.acquire()
        try:
            time.sleep(0.002)
            self.out.append("flushed")
        finally:
            self.release()

    def emit(self, record):
        with self.lock:
            self.out.append(record)

    def count(self):
        with self.lock:   # (read-only: a call that may overlap, but for the held lock)
            time.sleep(0.002)
            return len(self.out)


_module_lock = threading.RLock()


def _acquire_module_lock():
    _module_lock.acquire()


def _release_module_lock():
    _module_lock.release()


@desync
def named(name):
    _acquire_module_lock()
    try:
        return name.upper()
    finally:
        _release_module_lock()


def takes_locks_the_caller_holds(h, records):
    h.flush()
    for record in records:
        h.emit(record)
    counted = h.count()
    _acquire_module_lock()
    try:
        names = [named(r) for r in records]
    finally:
        _release_module_lock()
    return h.out, names, counted


def held_handler():
    h = Handler()
    h.lock.acquire()   # (the caller holds it, as logging's callers do)
    return h


class Listish(list):
    def __iter__(self):
        LOOKED_UP.append("list iter")
        return super().__iter__()


class Dictish(dict):
    def items(self):
        LOOKED_UP.append("items")
        return super().items()


def sized(obj):
    time.sleep(0.002)
    return len(obj)


def keys_containers_without_iterating_them(listish, dictish):
    LOOKED_UP.clear()
    return sized(listish), sized(dictish), list(LOOKED_UP)


LOOKED_UP: list = []


class Proxy:
    def __getattribute__(self, attr):
        LOOKED_UP.append(attr)
        return {}


class Disguised:
    @property
    def __class__(self):
        LOOKED_UP.append("__class__")
        return int


class NoModuleMeta(type):
    @property
    def __module__(cls):
        raise AttributeError("no module")


class NoModule(metaclass=NoModuleMeta):
    pass


class NumberedModule(Exception):
    pass


NumberedModule.__module__ = 42


def kind_of(obj):
    time.sleep(0.002)
    return type(obj).__name__


def looks_without_running_their_code(proxy, disguised, no_module, numbered, code):
    LOOKED_UP.clear()
    names = [kind_of(proxy), kind_of(disguised), kind_of(no_module), kind_of(numbered),
             kind_of(numbered("x"))]
    positions = code.co_positions() if hasattr(code, "co_positions") else code.co_lines()
    first = next(itertools.islice(positions, 1, None))
    return names, first, list(LOOKED_UP)


if __name__ == "__main__":
    main([(stores_through_the_unbound_method, lambda: ([("a", 1), ("b", 2), ("c", 3)],)),
          (dispatches_by_name, lambda: (["b", "a", "b", "a"],)),
          (visits_with_a_node_visitor, lambda: (["x + y", "z", "w * v"],)),
          (keys_containers_without_iterating_them,
           lambda: (Listish([1, 2]), Dictish(a=1)), lambda a: "", 5, True),
          (takes_locks_the_caller_holds, lambda: (held_handler(), ["a", "b"]), lambda a: a[0].out),
          (looks_without_running_their_code,
           lambda: (Proxy(), Disguised(), NoModule, NumberedModule, kind_of.__code__),
           lambda a: "", 5, True)])
