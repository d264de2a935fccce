"""Written from the ninth adversarial round (CPython's tests of 40 more stdlib modules).
Run: DESYNC_PACING=0 python tests/adversarial_programs/round9_stdlib_shapes_more.py

argparse: a nested def that calls another nested def writing the body's objects
(``consume`` -> ``take_action`` -> ``namespace.spam = items``) changes them too, and
the read after it waits. Equal callables that do different things (one prints) are
judged apart."""
import os, sys, time  # noqa: E401
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


class Namespace:
    pass


def nested_defs_two_levels_deep(values):
    namespace = Namespace()

    def take_action(value):
        items = list(getattr(namespace, "spam", None) or [])
        items.append(value)
        namespace.spam = items

    def consume():
        for value in values:
            take_action(value)
    consume()
    return namespace.spam


class Op:
    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Op) and self.name == other.name

    def __hash__(self):
        return hash(self.name)


class Double(Op):
    def __call__(self, x):
        return x * 2


class Shout(Op):
    def __call__(self, x):
        print("shout", x)
        return x


def slow(x):
    time.sleep(0.02)
    return x


def equal_callables_judged_apart(f, x):
    s = slow(x)
    print("before", s)
    return f(x)


if __name__ == "__main__":
    from desync.runtime.effects import facts_of
    facts_of(Double("op"))   # judged first: an equal Shout("op") must not share it
    main([(nested_defs_two_levels_deep, lambda: (["a", "b"],)),
          (equal_callables_judged_apart, lambda: (Shout("op"), 2), lambda a: a[1])])
