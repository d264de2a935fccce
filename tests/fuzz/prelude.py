"""The fixed library every generated module starts with: callees, classes, context managers.

Callees keep the user's promise: they never mutate their arguments and share no
state with each other. Each starts with ``_hit(name, *inputs)`` (see rt.py): a
tiny random delay and, when the harness chose this input, an exception.
Objects that programs mutate (Box, Base) are created by the program itself.

The plain module and the desync module are the same text except line 1, so line
numbers agree between them.
"""
from __future__ import annotations

import ast

DESYNC_LINE = "from desync import desync"
PLAIN_LINE = "def desync(fn=None, **options): return fn if fn is not None else (lambda f: f)"

BODY = '''\
desync = _guard(desync)
import contextlib
import heapq
import io
import logging
import os
import random
import sys
import threading
import time
from tests.fuzz.rt import hit as _hit, emit as _emit, FzError, LOGGER as LOG
from tests.fuzz import rt as _rt
EXECUTOR = _rt.NEXT_EXECUTOR
CACHE = _rt.CACHE


def f(x):
    _hit("f", x)
    return (x * 3 + 1) % 97


def g(x, y=1):
    _hit("g", x, y)
    return (x + 2 * y) % 97


def total(xs):
    _hit("total", xs)
    return sum(xs) % 97


def head(xs):
    _hit("head", xs)
    return xs[0] if xs else -1


def mk(x):
    _hit("mk", x)
    return [x, x % 5]


def rows(x):
    _hit("rows", x)
    return [[i, x] for i in range(x % 3)]


def pair(x):
    _hit("pair", x)
    return (x % 7, x // 7 % 7)


def label(x):
    _hit("label", x)
    return f"v{x}"


def shown(x):
    """The one callee with an effect: it prints (desync infers it, and orders it)."""
    _hit("shown", x)
    print("shown", x)
    return (x * 5 + 2) % 97


_SAY = print   # (session seventeen: print under another name was judged a change of state)


def said(x):
    """``shown`` printing through a module-level alias of ``print``."""
    _hit("said", x)
    _SAY("said", x)
    return (x * 5 + 2) % 97


def steady(x):
    """A slow step that is never planned to fail (see harness.plans_for): the
    programs that read module state after it and then change that state must not
    fail between the two, as a function changing module state is a call that may run
    before an earlier failure is known (docs/semantics.md)."""
    _hit("steady", x)
    return (x * 7 + 3) % 97


def walk(xs):
    """A generator that prints as it advances (and may fail at any element)."""
    for x in xs:
        _hit("walk", x)
        print("walk", x)
        yield x


def steps(n):
    """A generator with no effects of its own (it may fail at any element): a loop
    over ``steps(n)`` may run it ahead; its failure counts only where Python gets."""
    for i in range(n):
        _hit("steps", i)
        yield i


def windows(n):
    """A generator that hands out one list it keeps changing (a sliding window): a
    loop over it may not run ahead of the calls given the window."""
    window = []
    for i in range(n):
        _hit("windows", i)
        window.append(i)
        if len(window) > 3:
            del window[0]
        yield window


class Limits:
    cap = 10


def capped(n):
    """A generator that reads a class attribute the body may change (``Limits.cap =
    ...``): a loop over it may not run ahead of those stores."""
    for i in range(n):
        _hit("capped", i)
        if i >= Limits.cap:
            return
        yield i


def closing(n):
    """A generator that prints as it is closed: a loop left early closes it there."""
    try:
        for i in range(n):
            _hit("closing", i)
            yield i
    finally:
        print("closed", n)


def thunks(n):
    """A generator handing out functions that read one list it keeps changing."""
    seen = []
    for i in range(n):
        _hit("thunks", i)
        seen.append(i)
        yield lambda: len(seen)


class Walk:
    """An iterable whose fresh generator prints as it advances."""

    def __init__(self, xs):
        self.xs = list(xs)

    def __iter__(self):
        for x in self.xs:
            _hit("Walk", x)
            print("Walk", x)
            yield x


class Tally:
    """An iterator (its ``__iter__`` is itself) that prints each time it is asked for
    an iterator: unpacking asks once, or twice with a starred target, as Python does."""

    def __init__(self, xs):
        self.xs = list(xs)
        self.i = 0

    def __iter__(self):
        print("Tally iter", self.i)
        return self

    def __next__(self):
        if self.i >= len(self.xs):
            raise StopIteration
        self.i += 1
        _hit("Tally", self.xs[self.i - 1])
        return self.xs[self.i - 1]


def up(s):
    _hit("up", s)
    return s.upper()[:6]


def join(xs):
    _hit("join", xs)
    return "-".join(str(v) for v in xs)[:12]


def apply(fn, x):
    _hit("apply", fn, x)
    return fn(x) % 97


def apply0(fn):
    _hit("apply0", fn)
    return fn() % 97


def apply_each(fns, x):
    """Calls what it is handed in a list, tuple or dict (handlers, a dispatch table)."""
    _hit("apply_each", fns, x)
    return sum(fn(x) for fn in (fns.values() if isinstance(fns, dict) else fns)) % 97


def whoami(x):
    """Reads its caller's frame: names the function that calls it (the body)."""
    _hit("whoami", x)
    return sys._getframe(1).f_code.co_name, x


def who(x):
    """An int from the name of the function that calls it (the body, a lambda...)."""
    _hit("who", x)
    return (x + sum(map(ord, sys._getframe(1).f_code.co_name))) % 97


def note(x):
    """Logs with stacklevel=2: the record names the function that calls it."""
    _hit("note", x)
    LOG.info("note %s", x, stacklevel=2)
    return x


def make_with(factory, x):
    """Calls a class or an object with ``__call__`` it is handed."""
    _hit("make_with", factory, x)
    made = factory(x)
    return getattr(made, "n", made) % 97


class Shouter:
    """A class whose ``__init__`` prints: handing it over hands over a print."""

    def __init__(self, x):
        print("Shouter", x)
        self.n = (x * 3) % 97


class Caller:
    """An object whose ``__call__`` prints."""

    def __call__(self, x):
        print("Caller", x)
        return (x + 4) % 97


def scale(x, *, by=2):
    _hit("scale", x, by=by)
    return (x * by) % 97


def named(fn=0, name=0, keys=0, target=0):
    """Keywords named like the runtime's own parameters."""
    _hit("named", fn, name=name, keys=keys, target=target)
    return (fn * 7 + name + keys * 3 + target) % 97


def summ(*args):
    _hit("summ", *args)
    return sum(args) % 97


def seq(x):
    """A list, or (one input in seven) an int: a ``*`` operand that is not iterable."""
    _hit("seq", x)
    return x if x % 7 == 3 else list(range(x % 4))


def kws(x):
    """``{"y": x}``; or (one input in seven each) an int, a ``**`` operand that is not a
    mapping, or ``{"x": x}``, a keyword given twice next to ``x=...``."""
    _hit("kws", x)
    if x % 7 == 3:
        return x
    return {"x": x} if x % 7 == 5 else {"y": x}


def weigh(box):
    _hit("weigh", box)
    return (box.n + len(box.items)) % 97


def mkbox(x):
    _hit("mkbox", x)
    return Box(x % 10, "m")


def either(x):
    """A Box, or (one input in five) a Cfg, which has no ``add``."""
    _hit("either", x)
    return Cfg(x % 3) if x % 5 == 0 else Box(x % 10, "e")


def cfg(x):
    _hit("cfg", x)
    return Cfg(x % 3)


def nap(x):
    _hit("nap", x)
    time.sleep(0.002)
    return x


class Box:
    def __init__(self, n=0, tag="b"):
        self.n = n
        self.tag = tag
        self.items = []

    def add(self, v):
        self.items.append(v)
        self.n += 1

    def bump(self, v):
        vars(self)["n"] = (self.n + v) % 97   # (a change made through vars())

    # Changes made through a part of the object, not ``self.items.append`` itself
    # (session sixteen: each made the method look as if it left its object alone).
    def push(self, v):
        heapq.heappush(self.items, v)

    def put(self, v):
        held, count = self.items, self.n
        held.append(v + 0 * count)

    def stash(self, v):
        self._held().append(v)

    def _held(self):
        return self.items

    def total(self):
        return (self.n + sum(self.items)) % 97

    @property
    def last(self):
        return self.items[-1] if self.items else None

    @last.setter
    def last(self, v):
        self.items.append(v)   # (a setter that changes another attribute)


class Mode:
    FAST = 0
    SLOW = 1


class Cfg:
    FAST = 0
    SLOW = 1

    def __init__(self, mode):
        self.mode = mode


class Base:
    def __init__(self):
        self.v = 0
        self.log = []

    def fill(self, x):
        self.v = x
        self.log.append(x)

    def get(self):
        return self.v


class Rec:
    def __init__(self, tag, suppress=False):
        self.tag = tag
        self.suppress = suppress

    def __enter__(self):
        _emit("enter", self.tag)
        return self.tag

    def __exit__(self, et, ev, tb):
        _emit("exit", self.tag, et.__name__ if et else None, str(ev) if ev else None)
        return self.suppress and et is not None and issubclass(et, Exception)


@contextlib.contextmanager
def span(tag):
    _emit("open", tag)
    try:
        yield tag + "!"
    except ValueError as e:
        _emit("span-saw", tag, str(e))
        raise
    finally:
        _emit("close", tag)


@contextlib.contextmanager
def quiet(tag):
    _emit("quiet", tag)
    try:
        yield
    except FzError as e:
        _emit("quieted", tag, str(e))
'''

def source(desync_variant: bool) -> str:
    first = DESYNC_LINE if desync_variant else PLAIN_LINE
    return first + "\nfrom tests.fuzz.rt import guard_decorator as _guard\n" + BODY


def _top_level_defs():
    tree = ast.parse(BODY)
    defs = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defs[node.name] = ast.get_source_segment(BODY, node, padded=False)
            if node.decorator_list:
                start = node.decorator_list[0].lineno
                lines = BODY.splitlines()[start - 1:node.end_lineno]
                defs[node.name] = "\n".join(lines)
    return defs


DEFS = _top_level_defs()
# Everything that calls the probe: a repro file puts the plan's failures in its place.
CALLEES = tuple(name for name, text in DEFS.items()
                if "_hit(" in text and text.lstrip().startswith("def "))
DEPENDS = {"mkbox": ("Box",), "cfg": ("Cfg",), "either": ("Box", "Cfg")}
# Callees that compute from their arguments and the plan (``apply`` and ``apply0`` call
# what they are given, which may print): with ``FZ_CACHE=1`` they are marked
# ``desync.cacheable`` too (their probe already reads as pure).
PURE_CALLEES = ("f", "g", "total", "head", "mk", "rows", "pair", "label", "up", "join",
                "scale", "named", "summ", "seq", "kws", "weigh", "mkbox", "cfg", "nap")


def mark_cacheable(module):
    """Mark the pure callees cacheable, and give every desync function of the module a
    cache that keeps even the cheapest calls (the callees take microseconds, less than
    a lookup: the default cache would learn not to look them up)."""
    import desync
    for name in PURE_CALLEES:
        desync.cacheable(getattr(module, name))
    for value in list(vars(module).values()):
        members = vars(value).values() if isinstance(value, type) else (value,)
        for member in members:
            if hasattr(member, "set_cache"):
                member.set_cache(desync.CallCache(adaptive=False))
