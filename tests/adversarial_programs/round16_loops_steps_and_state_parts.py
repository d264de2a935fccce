"""Round sixteen (loops): statements in a loop run as one step (an ``if`` whose test
calls, a ``try``) lost names they bind in ways the step did not hand back (``except E
as err`` of a nested ``try`` unbinding a name bound before the loop: UnboundLocalError;
a ``match`` capture; a walrus in a comprehension or a lambda's default), and ran
``vars()`` inside a comprehension in the step's frame. Loops over module state that a
callee changes saw the change only when the loop named the state itself: not over a
dict's view (``for k, v in REG.items():`` finished where Python raises), a class
attribute, a table's row or an object's attribute (``for v in Cls.tags:``). And
``OrderedDict.move_to_end`` in a loop over that dict ran out of order.
Run: DESYNC_PACING=0 python tests/adversarial_programs/round16_loops_steps_and_state_parts.py"""
import sys, os, time, types
from collections import OrderedDict
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402

REG = {"a": 1, "b": 2}
TABLE = {"rows": [1, 2]}
OBJ = types.SimpleNamespace(d={"a": 1}, items=[1, 2])
LOG = [1, 2]


class Cls:
    tags = [1, 2]


def _fresh():
    REG.clear()
    REG.update(a=1, b=2)
    TABLE["rows"][:] = [1, 2]
    OBJ.d.clear()
    OBJ.d["a"] = 1
    OBJ.items[:] = [1, 2]
    LOG[:] = [1, 2]
    Cls.tags[:] = [1, 2]
    return ()


def g(x):
    time.sleep(0.002 * (3 - x % 3))
    if x == 1:
        raise ValueError(x)
    return x


def reg_add(k):
    time.sleep(0.01)
    REG[k + "x"] = 0
    return k


def grow(rows, x):
    time.sleep(0.01)
    if len(rows) < 4:
        rows.append(x * 10)
    return x


def add_tag(x):
    return grow(Cls.tags, x)


def add_row(x):
    return grow(TABLE["rows"], x)


def add_item(x):
    return grow(OBJ.items, x)


def add_key(k):
    time.sleep(0.01)
    OBJ.d[k + "x"] = 1
    return k


# -- names a step binds ------------------------------------------------------------
def except_as_in_an_if_step_rebound_after():
    err = None
    for x in range(3):
        if g(0) == 0:
            try:
                g(x)
            except ValueError as err:
                pass
    err = "after"
    return err


def except_as_of_a_nested_try_in_a_try_step():
    err = None
    for x in range(3):
        try:
            try:
                g(x)
            except ValueError as err:
                pass
        except KeyError:
            pass
    err = "after"
    return err


def match_capture_in_an_if_step():
    other = None
    for x in range(3):
        if g(0) >= 0:
            match x:
                case 5:
                    pass
                case other:
                    pass
    return other


def match_star_and_rest_in_a_try_step():
    head = rest = extra = None
    for x in range(3):
        try:
            match [g(2), x, x + 1], {"k": x, "z": 0}:
                case [head, *rest], {"k": 0, **extra}:
                    pass
        except ValueError:
            pass
    return head, rest, extra


def walrus_in_a_comprehension_in_a_try_step():
    last = None
    for x in range(4):
        try:
            [last := g(x) * i for i in range(2)]
        except ValueError:
            pass
    return last


def walrus_in_a_lambda_default_in_an_if_step():
    z = None
    fns = []
    for x in range(3):
        if g(0) == 0:
            fns.append(lambda a=(z := x * 2): a)
    return z, [f() for f in fns]


def vars_in_a_comprehension_in_a_try_step():
    y = 5
    out = []
    for x in range(3):
        try:
            g(x)
            out.append(sorted(k for k in vars() if k != "err"))
        except ValueError:
            pass
    return out, y


# -- loops over parts of module state a callee changes --------------------------------
def loop_over_items_of_a_module_dict():
    out = []
    for k, v in REG.items():
        out.append(reg_add(k))
    return out


def loop_over_keys_of_a_module_dict():
    out = []
    for k in REG.keys():
        out.append(reg_add(k))
    return out


def loop_over_a_class_attribute():
    out = []
    for v in Cls.tags:
        out.append(add_tag(v))
    return out


def loop_over_a_row_of_a_table():
    out = []
    for v in TABLE["rows"]:
        out.append(add_row(v))
    return out


def loop_over_a_row_got_from_a_table():
    out = []
    for v in TABLE.get("rows"):
        out.append(add_row(v))
    return out


def loop_over_an_attribute_of_a_module_object():
    out = []
    for v in OBJ.items:
        out.append(add_item(v))
    return out


def loop_over_a_dict_an_object_holds():
    out = []
    for k in OBJ.d:
        out.append(add_key(k))
    return out


def enumerate_over_a_class_attribute():
    out = []
    for i, v in enumerate(Cls.tags):
        out.append((i, add_tag(v)))
    return out


def loop_over_module_state_itself():
    out = []
    for v in LOG:
        out.append(grow(LOG, v))
    return out


# -- a C subclass's own method that changes it ------------------------------------------
def move_to_end_while_iterating():
    d = OrderedDict(a=1, b=2, c=3)
    n = 0
    for k in d:
        n += 1
        d.move_to_end("a")
    return n


def move_to_end_then_read():
    d = OrderedDict(a=1, b=2, c=3)
    d.move_to_end("a")
    first = next(iter(d))
    d.move_to_end("c", last=False)
    return first, list(d)


CASES = [(f, _fresh) for f in (
    except_as_in_an_if_step_rebound_after, except_as_of_a_nested_try_in_a_try_step,
    match_capture_in_an_if_step, match_star_and_rest_in_a_try_step,
    walrus_in_a_comprehension_in_a_try_step, walrus_in_a_lambda_default_in_an_if_step,
    vars_in_a_comprehension_in_a_try_step, loop_over_items_of_a_module_dict,
    loop_over_keys_of_a_module_dict, loop_over_a_class_attribute, loop_over_a_row_of_a_table,
    loop_over_a_row_got_from_a_table, loop_over_an_attribute_of_a_module_object,
    loop_over_a_dict_an_object_holds, enumerate_over_a_class_attribute,
    loop_over_module_state_itself, move_to_end_while_iterating, move_to_end_then_read)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
