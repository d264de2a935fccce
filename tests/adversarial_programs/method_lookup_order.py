"""Written from session nine's adversarial round on evaluation order.
Run: DESYNC_PACING=0 python tests/adversarial_programs/method_lookup_order.py

Python looks a method up (``obj.name``) before it evaluates the call's arguments:
a missing method fails before their calls (and their prints), and an argument that
replaces the method does not change the one called."""
import math
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def boom(x):
    print("boom", x)
    raise ValueError(f"boom {x}")


def ok(x):
    print("ok", x)
    return x


class Obj:
    def m(self, *a):
        return a


class Swap:
    def m(self, *a):
        return ("old", a)


def replace_m(o):
    o.m = lambda *a: ("new", a)
    return slow(1)


def missing_on_an_object_a_call_made():
    o = Obj()
    return o.missing(boom(1))


def missing_on_a_string():
    s = "abc"
    return s.nothere(ok(1))


def missing_on_an_argument(o):
    return o.missing(ok(1))


def missing_on_a_module():
    return math.nothere(ok(1))


def missing_on_a_slow_object():
    o = slow(Obj())
    return o.missing(ok(1))


def the_handler_that_catches_it():
    o = Obj()
    try:
        return o.missing(boom(1))
    except AttributeError:
        return "attr"
    except ValueError:
        return "value"


def replaced_by_an_argument(o):
    return o.m(replace_m(o))


def in_a_loop_missing_on_the_third_pass(items):
    out = []
    for item in items:
        out.append(item.m(ok(len(out))))
    return out


if __name__ == "__main__":
    main([missing_on_an_object_a_call_made, missing_on_a_string,
          (missing_on_an_argument, lambda: (Obj(),), lambda a: repr(type(a[0]))), missing_on_a_module,
          missing_on_a_slow_object, the_handler_that_catches_it,
          (replaced_by_an_argument, lambda: (Swap(),), lambda a: repr(type(a[0]))),
          (in_a_loop_missing_on_the_third_pass, lambda: ([Obj(), Obj(), "x", Obj()],),
           lambda a: repr([type(x).__name__ for x in a[0]]))])
