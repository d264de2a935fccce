"""Module state read by the body in an expression that also waits for a slow result,
then changed by a later call: the read sees the state as it was at that point of the
program, as in plain Python, not the later change (``out.append(slow(x) + len(LOG))``
then ``log(x)`` in a loop). The read is made when the slow result arrives, so the
later call must wait for it.
Run: DESYNC_PACING=0 python tests/adversarial_programs/state_read_before_a_later_change.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _project_settings as settings  # noqa: E402
from _project_settings import OPTS, SEEN, Registry, note, set_opt  # noqa: E402

LOG = []
LEVEL = 0


def _fresh():
    settings.reset()
    LOG.clear()
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
    read_before_the_loop_changes_after, dict_of_the_other_module_copied)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
