"""Written from session ten's adversarial round on control flow and exceptions.
Run: DESYNC_PACING=0 python tests/adversarial_programs/globals_walrus_and_comprehensions.py

A body declaring ``global X`` reads X after the calls before it that change it; a
walrus in a comprehension binds the body's variable element by element, so a
handler sees the value of the last element that succeeded; a set comprehension's
element and a dict comprehension's key are hashed where Python adds them; ``any``
over ``map`` of a lambda that changes a list of the body stops where Python stops."""
import sys, os, time, contextlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, check, run_module  # noqa: E402

def slow(x, d=0.01):
    time.sleep(d)
    return x

def sp(x):
    time.sleep(0.005)
    print("sp", x)
    return x

def fail_on(x, bad=3, exc=ValueError):
    time.sleep(0.008)
    if x == bad:
        raise exc(f"bad {x}")
    return x * 10

def boom(x):
    time.sleep(0.005)
    raise ValueError(f"boom {x}")

def kboom(x):
    raise KeyError(x)

def pr_fail(x, bad=2):
    print("pr_fail", x)
    if x == bad:
        raise RuntimeError(f"prf {x}")
    return x

def excinfo():
    t, v, tb = sys.exc_info()
    return None if t is None else (t.__name__, str(v))

COUNTER = 0
MODE = "a"
CFG = {"level": 1}
ITEMS = []

def bump(n):
    global COUNTER
    time.sleep(0.005)
    COUNTER += n
    return COUNTER

def set_mode(m):
    global MODE
    time.sleep(0.005)
    MODE = m

def get_mode():
    time.sleep(0.005)
    return MODE

def add_item(x):
    time.sleep(0.005)
    ITEMS.append(x)

def set_level(v):
    time.sleep(0.005)
    CFG["level"] = v

def g_decl_read_after_call():
    global COUNTER
    COUNTER = 0
    bump(2)
    return COUNTER

def g_decl_unrelated_read_after_call():
    global MODE
    MODE = "q"
    set_mode("r")
    if MODE == "r":
        return "seen"
    return "stale " + MODE

def g_nodecl_read_after_call():
    set_mode("r2")
    return MODE

def g_decl_other_name():
    global COUNTER
    COUNTER = 5
    set_mode("m")
    return MODE, COUNTER

def g_decl_body_write_then_callee():
    global MODE
    MODE = slow("w")
    return get_mode()

def g_decl_body_write_in_loop_callee():
    global MODE
    out = []
    for m in "abc":
        MODE = slow(m)
        out.append(get_mode())
    return out

def g_decl_aug_after_call_in_loop():
    global COUNTER
    COUNTER = 0
    for i in range(3):
        bump(1)
        COUNTER += 10
    return COUNTER

def g_decl_list_global_len():
    global ITEMS
    ITEMS = []
    add_item(slow(1))
    add_item(2)
    return len(ITEMS)

def g_nodecl_list_global_len():
    ITEMS.clear()
    add_item(slow(1))
    add_item(2)
    return len(ITEMS)

def g_decl_dict_read():
    global CFG
    CFG = {"level": 1}
    set_level(slow(7))
    return CFG["level"]

def g_if_test_after_call():
    global COUNTER
    COUNTER = 0
    bump(slow(3))
    if COUNTER > 2:
        print("big")
    else:
        print("small")

def g_decl_in_try_handler():
    global COUNTER
    COUNTER = 0
    try:
        bump(1)
        fail_on(3)
    except ValueError:
        return COUNTER

def g_nonlocal_style_closure():
    state = {"n": 0}
    def inc():
        time.sleep(0.005)
        state["n"] += 1
    inc()
    inc()
    return state["n"]

def g_nonlocal_rebind_by_callee():
    n = 0
    def inc():
        nonlocal n
        time.sleep(0.005)
        n += 1
    inc()
    inc()
    return n

def g_nonlocal_rebind_by_callee_passed():
    n = 0
    def inc():
        nonlocal n
        time.sleep(0.005)
        n += 1
    slow(1)
    apply = lambda f: f()
    apply(inc)
    return n

def g_decl_print_global():
    global COUNTER
    COUNTER = 0
    bump(4)
    print("counter", COUNTER)


# -- walrus in comprehensions

def w_try_last():
    last = None
    try:
        [last := fail_on(x) for x in range(5)]
    except ValueError:
        pass
    return last

def w_suppress_last():
    last = None
    with contextlib.suppress(ValueError):
        [last := fail_on(x) for x in range(5)]
    return last

def w_finally_prints():
    last = None
    try:
        [last := fail_on(x) for x in range(5)]
    finally:
        print("last", last)

def w_cond_walrus_try():
    seen = None
    try:
        [y for x in range(5) if (seen := fail_on(x)) > 0]
    except ValueError:
        pass
    return seen

def w_gen_sum_try():
    last = None
    try:
        sum((last := fail_on(x)) for x in range(5))
    except ValueError:
        pass
    return last

def w_in_loop_region():
    out = []
    for n in range(2):
        last = None
        try:
            [last := fail_on(x) for x in range(5)]
        except ValueError:
            out.append(last)
    return out

def w_accumulate_try():
    total = 0
    try:
        [total := total + fail_on(x) for x in range(5)]
    except ValueError:
        return total

def w_accumulate_suppress():
    total = 0
    with contextlib.suppress(ValueError):
        [total := total + fail_on(x) for x in range(5)]
    return total

def w_dictcomp_try():
    k = None
    try:
        {(k := x): fail_on(x) for x in range(5)}
    except ValueError:
        pass
    return k

def w_plain_loop_try():
    last = None
    try:
        for x in range(5):
            last = fail_on(x)
    except ValueError:
        pass
    return last


def any_walrus_witness():
    if any((hit := slow(x)) > 2 for x in range(6)):
        return hit

def all_walrus_witness():
    if not all((bad := slow(x)) < 2 for x in range(6)):
        return bad

def any_walrus_list_src():
    xs = [1, 5, 2, 7]
    any((w := slow(x)) > 4 for x in xs)
    return w

def next_walrus():
    return next(y for x in range(6) if (y := slow(x)) > 2), y

def listcomp_cond_walrus_last():
    r = [x for x in range(6) if (last := slow(x)) % 2]
    return r, last

def any_map_then_read():
    seen = []
    any(map(lambda v: seen.append(v) or v > 1, range(5)))
    return seen

def any_walrus_print_after():
    found = any((k := sp(x)) == 1 for x in range(4))
    print("k", k)
    return found


def setcomp_unhashable_element_stops_the_later_elements():
    return {sp(x) for x in [1, [2], 3]}


def dictcomp_unhashable_key_before_a_later_failure():
    return {fail_on(k) if k != 2 else [k]: 0 for k in [1, 2, 3]}


def dictcomp_unhashable_key_in_a_try():
    out = []
    try:
        out.append({(sp(k) if k != 2 else [k]): fail_on(k) for k in [1, 2, 3]})
    except TypeError as error:
        out.append(str(error))
    return out


class _Walk:
    """An iterator that prints as it advances (from the CI seed, session ten)."""

    def __init__(self, xs):
        self.xs, self.i = list(xs), 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.i >= len(self.xs):
            raise StopIteration
        self.i += 1
        print("walk", self.xs[self.i - 1])
        return self.xs[self.i - 1]


def setcomp_over_a_printing_iterator_stops_at_an_unhashable_element():
    return len({[w] if w == 8 else 0 for w in _Walk([8, 3])})


def setcomp_with_a_condition_over_a_printing_iterator():
    return len({[w] if w == 8 else 0 for w in _Walk([8, 3]) if w > 1})


def dictcomp_value_made_before_the_key_fails():
    return len({([w] if w == 8 else 0): sp(w) for w in _Walk([8, 3]) if w > 1})


def dictcomp_over_a_printing_iterator():
    return len({([w] if w == 8 else 0): 1 for w in _Walk([8, 3])})


if __name__ == "__main__":
    run_module(globals(), skip=("bump", "set_mode", "get_mode", "add_item", "set_level"))
