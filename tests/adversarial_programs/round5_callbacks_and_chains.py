"""Written from the fifth adversarial round (the fourth round's fixes, pushed further).
Run: DESYNC_PACING=0 python tests/adversarial_programs/round5_callbacks_and_chains.py

A mutating method of the body's object handed to a callee (``cb(d.__setitem__, k,
v)``) is a change later reads wait for; chains in comprehension elements and
conditions short-circuit; a StopIteration from a list comprehension's condition
comes out as it is; a star operand that is not iterable in a display says what
Python says; a callee printing through a module-level instance (made by a factory,
imported, with an inherited method or ``__call__``) prints in program order."""
import collections, sys, os, time  # noqa: E401
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def cb_slow(cb, *a):
    time.sleep(0.02)
    cb(*a)
    return a


def setitem_callback_then_len():
    d = {}
    cb_slow(d.__setitem__, "a", 1)
    return len(d)


def list_setitem_callback():
    xs = [0]
    cb_slow(xs.__setitem__, 0, 5)
    return xs[0]


class Holder:
    def __init__(self):
        self.items = []


def attribute_list_append_callback():
    o = Holder()
    cb_slow(o.items.append, 1)
    return len(o.items)


def deque_append_callback():
    dq = collections.deque()
    cb_slow(dq.append, 1)
    return list(dq)


def f(x):
    return x


def bad(x):
    raise ValueError(f"bad {x}")


def shout(x):
    print("reached", x)
    return x


def chain_as_a_comprehension_element():
    return [2 < f(x) < shout(5) for x in [1, 3]], {x: 2 < f(x) < bad(x) for x in [1]}


def chain_in_a_comprehension_condition_with_a_binding():
    return [x for x in [0] if 0 < x < (w := bad(x))]


def head(xs):
    return next(iter(xs))


def stopiteration_from_a_list_comprehension_condition():
    try:
        return [x for x in [1] if head([])]
    except StopIteration:
        return "StopIteration"
    except RuntimeError:
        return "RuntimeError"


def star_not_iterable_in_a_display():
    return [*slow(5), slow(1)]


class Printer:
    def __init__(self, tag):
        self.tag = tag

    def say(self, x):
        print(self.tag, x)


class Loud(Printer):
    def __call__(self, x):
        self.say(x)


def make(tag):
    return Loud(tag)


MADE = make("made")     # by a factory: no Class(...) to see in the source
CALLED = Loud("called")


def via_factory_slow(x):
    time.sleep(0.02)
    MADE.say(x)
    return x


def via_factory_fast(x):
    MADE.say(x)
    return x


def via_call_slow(x):
    time.sleep(0.02)
    CALLED(x)
    return x


def via_call_fast(x):
    CALLED(x)
    return x


def module_instances_print_in_order():
    return via_factory_slow(1) + via_factory_fast(2) + via_call_slow(3) + via_call_fast(4)


if __name__ == "__main__":
    main([setitem_callback_then_len, list_setitem_callback, attribute_list_append_callback,
          deque_append_callback, chain_as_a_comprehension_element,
          chain_in_a_comprehension_condition_with_a_binding,
          stopiteration_from_a_list_comprehension_condition, star_not_iterable_in_a_display,
          module_instances_print_in_order,
          (module_instances_print_in_order, lambda: (), repr, 5, True)])
