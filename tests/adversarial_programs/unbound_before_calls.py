"""Written from session nine's adversarial round on evaluation order.
Run: DESYNC_PACING=0 python tests/adversarial_programs/unbound_before_calls.py

A name Python reads before a call in the same statement fails before that call: a
local bound on one path only (UnboundLocalError), a function that is not defined
(NameError). Its error wins over the call's, and the call's prints never happen.
Python also reads the function before its arguments: one they rebind is the old one."""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def boom(x):
    print("boom", x)
    raise ValueError(f"boom {x}")


def ok(*x):
    print("ok", x)
    return x


def argument_before_a_failing_call(flag):
    if flag:
        x = 1
    return ok(x, boom(1))


def function_not_defined():
    return undefined_function(boom(1))  # noqa: F821


def augmented_before_a_call(flag):
    if flag:
        x = 1
    x += ok(1)
    return x


def container_before_its_key(flag):
    if flag:
        x = {}
    x[boom(1)] = ok(2)
    return x


def list_display(flag):
    if flag:
        x = 1
    return [x, boom(1)]


def comparison(flag):
    if flag:
        x = 1
    return x < boom(1)


def receiver_before_the_arguments(flag):
    if flag:
        x = []
    x.append(ok(1))
    return x


def keyword_argument(flag):
    if flag:
        x = 1
    return ok(a=x, b=boom(1))


def deleted_before_a_call():
    x = 1
    del x
    return ok(x, ok(1))  # noqa: F821


def caught_as_unbound(flag):
    if flag:
        x = 1
    try:
        return ok(x, boom(1))
    except UnboundLocalError:
        return "unbound"
    except ValueError:
        return "value"


def _old(*a):
    return ("old", a)


def replaced(*a):
    return ("replaced", a)


def rebind():
    global callee
    callee = replaced
    return slow(1)


callee = _old


def the_function_read_before_its_arguments():
    global callee
    callee = _old
    return callee(rebind())


if __name__ == "__main__":
    main([(argument_before_a_failing_call, lambda: (False,)), function_not_defined,
          (augmented_before_a_call, lambda: (False,)), (container_before_its_key, lambda: (False,)),
          (list_display, lambda: (False,)), (comparison, lambda: (False,)),
          (receiver_before_the_arguments, lambda: (False,)), (keyword_argument, lambda: (False,)),
          deleted_before_a_call, (caught_as_unbound, lambda: (False,)),
          the_function_read_before_its_arguments])
