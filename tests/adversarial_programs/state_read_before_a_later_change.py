"""Module state read by the body in an expression that also waits for a slow result,
then changed by a later call: the read sees the state as it was at that point of the
program, as in plain Python, not the later change (``out.append(slow(x) + len(LOG))``
then ``log(x)`` in a loop). The read is made when the slow result arrives, so the
later call must wait for it.
Run: DESYNC_PACING=0 python tests/adversarial_programs/state_read_before_a_later_change.py"""
import collections, heapq, operator, sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _project_settings as settings  # noqa: E402
from _project_settings import OPTS, SEEN, Registry, note, set_opt  # noqa: E402

LOG = []
LEVEL = 0


def _fresh():
    settings.reset()
    LOG.clear()
    Q.clear()
    global LEVEL
    LEVEL = 0
    return ()


def slowly(x):
    """Later iterations finish first: a read waiting on an early one sees late changes."""
    time.sleep(0.004 * (4 - x % 4))
    return x


def log(x):
    LOG.append(x)
    return x


def bump():
    global LEVEL
    LEVEL += 1


def combine(value, items):
    return value * 100 + len(items)


def log_or_fail(x):
    if x == 3:
        raise ValueError(x)
    LOG.append(x)


def sum_then_log():
    out = []
    for x in range(6):
        out.append(slowly(x) + len(LOG))
        log(x)
    return out


def named_result_then_a_list_of_it():
    out = []
    for x in range(6):
        y = slowly(x)
        out.append([y, len(LOG)])
        log(x)
    return out


def augmented_total():
    total = 0
    for x in range(6):
        total += slowly(x) * (len(LOG) + 1)
        log(x)
    return total


def a_global_rebound_by_a_later_call():
    out = []
    for x in range(6):
        out.append(slowly(x) + LEVEL * 10)
        bump()
    return out


def an_attribute_of_the_other_module():
    out = []
    for x in range(6):
        out.append(slowly(x) + settings.LEVEL * 10)
        settings.configure(False, level=x + 2)
    return out


def an_imported_dict_read_by_its_method():
    out = []
    for x in range(6):
        out.append((slowly(x), OPTS.get("k")))
        set_opt("k", x)
    return out


def printed_after_a_slow_call():
    for x in range(5):
        y = slowly(x)
        print(y, list(LOG))
        log(x)


def handed_to_a_call_with_a_slow_value():
    out = []
    for x in range(6):
        out.append(combine(slowly(x), LOG))
        log(x)
    return out


def imported_list_read_then_noted():
    out = []
    for x in range(6):
        out.append(slowly(x) + len(SEEN))
        note(x)
    return out


def local_bound_to_the_imported_list():
    seen = SEEN
    out = []
    for x in range(6):
        out.append(slowly(x) + len(seen))
        note(x)
    return out


def default_parameter_is_the_log(log_list=LOG):
    out = []
    for x in range(6):
        out.append(slowly(x) + len(log_list))
        log(x)
    return out


def comprehension_then_log():
    out = []
    for r in range(3):
        out.append([slowly(x) + len(LOG) for x in range(4)])
        log(r)
    return out


def a_method_changes_the_state():
    registry = Registry()
    out = []
    for x in range(5):
        out.append(slowly(x) + len(SEEN))
        registry.add(x)
    return out


def read_may_fail():
    out = []
    for x in range(6):
        out.append(slowly(x) + (LOG[-1] if LOG else -1))
        log(x)
    return out


def read_fails_on_the_first_pass():
    out = []
    for x in range(4):
        out.append(slowly(x) + LOG[-1])
        log(x)
    return out


def the_later_change_fails():
    out = []
    for x in range(6):
        out.append(slowly(x) + len(LOG))
        log_or_fail(x)
    return out


def while_loop():
    out = []
    x = 0
    while x < 6:
        out.append(slowly(x) - len(LOG))
        log(x)
        x += 1
    return out


def formatted_string():
    out = []
    for x in range(5):
        out.append(f"{slowly(x)}:{len(LOG)}")
        log(x)
    return out


def generator_expression_summed():
    out = []
    for x in range(4):
        out.append(sum(slowly(v) + len(LOG) for v in (x, x + 1)))
        log(x)
    return out


def inside_a_try():
    out = []
    for x in range(6):
        try:
            out.append(slowly(x) + len(LOG))
        except ValueError:
            out.append(None)
        log(x)
    return out


def inside_a_try_into_a_local():
    total = 0
    for x in range(6):
        try:
            y = slowly(x) + len(LOG)
        except ValueError:
            y = -1
        log(x)
        total = total * 10 + y
    return total


def inside_a_try_rebinding_a_global_read():
    total = 0
    for x in range(6):
        try:
            y = slowly(x) * 10 + LEVEL
        except ValueError:
            y = -1
        bump()
        total = total * 100 + y
    return total


def two_reads_two_changes():
    out = []
    for x in range(4):
        a = slowly(x) + len(LOG)
        log(x)
        b = slowly(x + 1) + len(LOG)
        log(-x)
        out.append((a, b))
    return out


def read_before_the_loop_changes_after():
    first = slowly(3) + len(LOG)
    for x in range(4):
        log(x)
    return first, len(LOG)


def dict_of_the_other_module_copied():
    out = []
    for x in range(5):
        out.append((slowly(x), dict(OPTS)))
        set_opt(str(x), x)
    return out


# Reads made by code the statement hands over, and by an ``if`` or a ``try`` run as one
# step (session fourteen's adversarial round: none of these waited)
def filter_lambda():
    out = []
    for x in range(6):
        out.append(list(filter(lambda v: v >= len(LOG), [slowly(x), 3])))
        log(x)
    return out


def sorted_key_lambda():
    out = []
    for x in range(6):
        out.append(sorted([slowly(x), 2, 5], key=lambda v: (v + len(LOG)) % 4))
        log(x)
    return out


def genexp_to_sum():
    out = []
    for x in range(6):
        out.append(slowly(x) + sum(1 for v in range(6) if v in LOG))
        log(x)
    return out


def nested_def_called():
    def helper(v):
        return v + len(LOG) * 10
    out = []
    for x in range(6):
        out.append(helper(slowly(x)))
        log(x)
    return out


def nested_def_earlier_change():
    def cur(v):
        return v + len(SEEN) * 10
    out = []
    for x in range(5):
        note(x)
        out.append(cur(x))
    return out


def if_region():
    out = []
    for x in range(6):
        if slowly(x) % 2:
            out.append(len(LOG))
        log(x)
    return out


def if_region_print():
    for x in range(5):
        if slowly(x) % 2:
            print(x, list(LOG))
        log(x)


def try_handler():
    out = []
    for x in range(6):
        try:
            v = 10 // (slowly(x) % 3)
        except ZeroDivisionError:
            v = len(LOG)
        log(x)
        out.append(v)
    return out


def try_else():
    out = []
    for x in range(6):
        try:
            y = slowly(x)
        except ValueError:
            y = -1
        else:
            y = y + len(LOG) * 10
        log(x)
        out.append(y)
    return out


def raise_reads_state():
    for x in range(6):
        if slowly(x) == 4:
            raise ValueError(list(LOG))
        log(x)




def slow_note(x):
    time.sleep(0.01)
    SEEN.append(x)   # (a name imported from the other module: its state)
    return x


def a_callee_appends_to_an_imported_list():
    out = []
    for x in range(5):
        slow_note(x)
        out.append(sorted([slowly(x), 1, 4], key=lambda v: (v + len(SEEN)) % 3))
    return out


def augmented_through_the_module_then_read_by_the_import():
    out = []
    for x in range(6):
        out.append(slowly(x) + len(SEEN) * 10)
        settings.SEEN += [x]
    return out


def filter_given_a_nested_def():
    def small(v):
        return v < len(LOG)
    out = []
    for x in range(6):
        out.append(list(filter(small, range(slowly(x) + 2))))
        log(x)
    return out



# A loop over module state that a call in the loop changes: each step sees the change
# (a list grown, a dict or deque changed while iterated raises), as in Python.
Q = collections.deque()


def enqueue(x):
    Q.append(x)


def list_extended_no_slow():
    out = []
    log(0)
    for v in LOG:
        if v >= 5:
            break
        out.append(v)
        log(v + 1)
    return out


def imported_list_extended():
    out = []
    note(0)
    for v in SEEN:
        if v >= 5:
            break
        out.append(slowly(v))
        note(v + 1)
    return out


def attribute_list_extended():
    out = []
    note(0)
    for v in settings.SEEN:
        if v >= 5:
            break
        out.append(v)
        note(v + 1)
    return out


def dict_changed_while_iterated():
    set_opt("a", 1)
    out = []
    for k in OPTS:
        out.append(k)
        set_opt(k + "x", 1)
    return out


def deque_changed_while_iterated():
    enqueue(0)
    out = []
    for v in Q:
        out.append(v)
        enqueue(v + 1)
    return out


def enumerate_list_extended():
    out = []
    log(0)
    for i, v in enumerate(LOG):
        if i >= 4:
            break
        out.append((i, v))
        log(v + 1)
    return out


def comprehension_over_list_with_changer():
    log(0)
    return [log(v + 1) for v in LOG if v < 4]


def a_live_view_of_the_imported_dict():
    out = []
    for x in range(4):
        keys = OPTS.keys()
        set_opt(str(x), x)
        out.append(sorted(keys))
    return out



# From the second adversarial round: changes made through a module's attribute by a
# helper, by standard-library functions given the object, through a module-level bound
# method, by the body itself under the name a loop iterates; nested defs in steps.
APPEND = LOG.append


def h_module_attr(x):
    time.sleep(0.01)
    settings.SEEN.append(x)


def f1_helper_module_attr_earlier_change_missing():
    h_module_attr(slowly(1))
    return len(SEEN)


def f1b_helper_module_attr_read_sees_later_change():
    a = slowly(1) + len(settings.SEEN)
    h_module_attr(1)
    return a


def f4_heappush_imported_twice():
    heapq.heappush(SEEN, slowly(5))
    heapq.heappush(SEEN, slowly(3))
    return SEEN[0]


def f4b_setitem_imported_loop():
    out = []
    for x in range(3):
        operator.setitem(OPTS, x, slowly(x))
        out.append(len(OPTS))
    return out


def f5_module_level_bound_append():
    APPEND(slowly(1))
    return len(LOG)


def f8_nested_def_in_try_step():
    def n(v):
        return v + len(LOG) * 10
    out = []
    for x in range(4):
        try:
            out.append(n(slowly(x)))
        except LookupError:
            pass
        log(x)
    return out


def f8b_nested_def_in_if_step():
    def n(v):
        return v + len(LOG) * 10
    out = []
    for x in range(4):
        if slowly(x) >= 0:
            out.append(n(x))
        log(x)
    return out


def f9_for_over_imported_list_body_appends():
    SEEN.append(0)
    out = []
    for v in SEEN:
        if v >= 3:
            break
        out.append(v)
        SEEN.append(slowly(v + 1))
    return out


def f9b_for_over_imported_dict_body_sets_other_name():
    OPTS["a"] = 1
    out = []
    for k in OPTS:
        out.append(k)
        settings.OPTS[k + "x"] = slowly(1)
    return out


def imported_list_appended_then_counted():
    for x in range(4):
        SEEN.append(slowly(x))
    return len(SEEN)



def a_change_inside_the_read_then_another():
    # (fuzzer, seed 20250101 program 797, once the fuzzer's callees counted as changing
    # state: the step reading SEEN, issued after the change inside its own expression,
    # was not waited for by the next change)
    out = []
    for x in range(4):
        out.append(list(filter(lambda w: w >= len(SEEN), [slow_note(x) * 3, 2])))
        settings.set_opt(x, x)
        note(x)
    return out


CASES = [(f, _fresh) for f in (
    sum_then_log, named_result_then_a_list_of_it, augmented_total,
    a_global_rebound_by_a_later_call, an_attribute_of_the_other_module,
    an_imported_dict_read_by_its_method, printed_after_a_slow_call,
    handed_to_a_call_with_a_slow_value, imported_list_read_then_noted,
    local_bound_to_the_imported_list, default_parameter_is_the_log,
    comprehension_then_log, a_method_changes_the_state, read_may_fail,
    read_fails_on_the_first_pass, the_later_change_fails, while_loop, formatted_string,
    generator_expression_summed, inside_a_try, inside_a_try_into_a_local,
    inside_a_try_rebinding_a_global_read, two_reads_two_changes,
    read_before_the_loop_changes_after, dict_of_the_other_module_copied,
    filter_lambda,
    sorted_key_lambda,
    genexp_to_sum,
    nested_def_called,
    nested_def_earlier_change,
    if_region,
    if_region_print,
    try_handler,
    try_else,
    raise_reads_state,
    a_callee_appends_to_an_imported_list,
    augmented_through_the_module_then_read_by_the_import,
    filter_given_a_nested_def, list_extended_no_slow, imported_list_extended,
    attribute_list_extended, dict_changed_while_iterated, deque_changed_while_iterated,
    enumerate_list_extended, comprehension_over_list_with_changer,
    a_live_view_of_the_imported_dict,
    f1_helper_module_attr_earlier_change_missing,
    f1b_helper_module_attr_read_sees_later_change,
    f4_heappush_imported_twice,
    f4b_setitem_imported_loop,
    f5_module_level_bound_append,
    f8_nested_def_in_try_step,
    f8b_nested_def_in_if_step,
    f9_for_over_imported_list_body_appends,
    f9b_for_over_imported_dict_body_sets_other_name,
    imported_list_appended_then_counted, a_change_inside_the_read_then_another)]

# Three processes at once: CASES[:HALF] here, CASES[HALF:FIRST] from
# state_read_before_a_later_change_more.py, the rest from state_read_by_code_run_later.py.
HALF = 14
FIRST = 28

if __name__ == "__main__":
    print("cases:", len(CASES[:HALF]))
    main(CASES[:HALF])
