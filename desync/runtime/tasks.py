"""What the engine's reorder buffer holds: tasks (calls, pure expressions, effects),
their states and kinds, and the speculative calls a region makes later (``Deferred``).
"""
from __future__ import annotations

PENDING, READY, RUNNING, DONE, FAILED, CANCELLED = range(6)   # a task's state
CALL, PURE, EFFECT = range(3)                                 # ... and kind
UNBOUND = type("Unbound", (), {"__repr__": lambda self: "<unbound>"})()

_IMMUTABLE = frozenset({int, float, complex, bool, str, bytes, type(None), range,
                        frozenset, type(Ellipsis), type(NotImplemented)})


def immutable(value, depth=0) -> bool:
    """True for values no effect can change: ordering them is never needed."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return True
    if kind is tuple and depth < 3:
        for item in value:
            if not immutable(item, depth + 1):
                return False
        return True
    return False


class Task:
    """One entry of the reorder buffer: a call, a pure expression or an effect."""

    __slots__ = ("seq", "kind", "fn", "args", "kwargs", "state", "value", "error", "waiting",
                 "dependents", "lasti", "generated", "orphan", "targets", "soft", "tolerant",
                 "context", "first_failure")

    def __repr__(self):  # pragma: no cover - debugging aid
        names = ("pending", "ready", "running", "done", "failed", "cancelled")
        kinds = ("call", "pure", "effect")
        fn = getattr(self.fn, "__qualname__", self.fn)
        return f"<desync {kinds[self.kind]} #{self.seq} {names[self.state]} {fn}>"


def _value(x):
    return x.value if type(x) is Task else x


def _raw(x):
    """Inputs of a region or consumer: settled speculative tasks stay tasks (the
    code looks at their outcome in program order), others become values."""
    return x.value if type(x) is Task and not x.soft else x


class Deferred:
    """A speculative call that turned out to be an effect: it is made, in program
    order, by the region or consumer that reaches it."""

    __slots__ = ("fn", "args", "kwargs", "made", "value", "error")

    def __init__(self, fn, args, kwargs):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        # Made once: ``a = say(x); show(a)`` reaches it twice (as ``a``, and inside
        # the deferred ``show(a)``), and plain Python called ``say`` once.
        self.made = False
        self.value = self.error = None


class _NoTask:
    generated = False
    fn = None


_NO_TASK = _NoTask()


def _all_deferred(args) -> list:
    """The deferred calls among ``args``, and those inside their callees and arguments."""
    found, stack = [], [a for a in args if type(a) is Deferred]
    while stack:
        deferred = stack.pop()
        found.append(deferred)
        stack.extend(a for a in (deferred.fn, *deferred.args,
                                 *(deferred.kwargs or {}).values()) if type(a) is Deferred)
    return found


def _inside_deferred(args) -> list:
    """The tasks a deferred call will read: its region waits for them to settle."""
    return [part for deferred in _all_deferred(args)
            for part in (deferred.fn, *deferred.args, *(deferred.kwargs or {}).values())
            if type(part) is Task]


_ITERATOR_TYPES = frozenset({type(x for x in ()), map, filter, zip, enumerate, reversed})


def _stateful(part) -> bool:
    """Is ``part`` an iterator of its own (advancing it changes it)? Asked of the
    type, never by calling ``iter()``: that runs the object's code (and may raise).
    An iterator over a list is one too: whoever else holds it sees it advance."""
    return hasattr(type(part), "__next__")
