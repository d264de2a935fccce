"""A local bound to what a function of the project returns, when that is module
state (``seen = get_seen()`` with ``return SEEN``), read after a call that changes
that state by its module's name (``note(x)`` appending to ``SEEN``), or before one.
Plain Python reads the object as it is at that line; desync read ``len(seen)`` as
soon as ``seen`` was there, before the ``note`` calls ran. (Calls that change module
state run concurrently with each other, as callees are promised to share no hidden
state: what they append is compared in sorted order.)
Run: DESYNC_PACING=0 python tests/adversarial_programs/locals_bound_to_what_a_getter_returns.py"""
import sys, os, time, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _project_registry as registry  # noqa: E402
from _project_registry import plugins, register  # noqa: E402

SEEN = []
SETTINGS = {"level": 1}
GROUPS = {"x": [], "y": []}


def _fresh():
    SEEN.clear()
    SETTINGS.clear()
    SETTINGS["level"] = 1
    for rows in GROUPS.values():
        rows.clear()
    registry.reset()
    return ()


def get_seen():
    return SEEN


def get_settings():
    return SETTINGS


def group(name):
    return GROUPS[name]


def seen_or_new(shared):
    return SEEN if shared else []


def note(x):
    time.sleep(0.01)
    SEEN.append(x)


def configure(level):
    time.sleep(0.01)
    SETTINGS["level"] = level


def file_under(name, x):
    time.sleep(0.005)
    GROUPS[name].append(x)


def work(x):
    time.sleep(0.003 * (4 - x % 4))
    return x * 10


def seen_through_another_getter():
    return get_seen()


def count_seen():
    time.sleep(0.005)
    return len(SEEN)


def read_after_the_changes():
    seen = get_seen()
    for x in range(4):
        note(x)
    return len(seen), sorted(seen)


def read_before_and_after_a_change():
    seen = get_seen()
    before = list(seen)
    note(1)
    middle = len(seen)
    note(2)
    return before, middle, sorted(seen)


def a_setting_read_after_it_is_set():
    settings = get_settings()
    first = work(1)
    configure(5)
    return first, settings["level"], dict(settings)


def a_setting_read_then_set_in_a_loop():
    settings = get_settings()
    out = []
    for x in range(3):
        out.append(work(x) + settings["level"])
        configure(x + 10)
    return out


def a_row_of_a_table_read_after_filing():
    rows = group("x")
    for x in range(3):
        file_under("x", x)
    return len(rows), sorted(rows)


def a_getter_that_may_hand_out_state():
    mine = seen_or_new(True)
    note(7)
    return list(mine)


def a_getter_of_another_module_by_its_name():
    found = plugins()
    register("a")
    register("b")
    return sorted(found)


def a_getter_called_through_the_module():
    opts = registry.options()
    before = opts.get("mode")
    registry.set_option("mode", "b")
    return before, opts.get("mode"), len(opts)


def a_getter_given_an_argument():
    rows = registry.table("a")
    registry.add_row("a", 1)
    registry.add_row("a", 2)
    return sorted(rows), len(rows)


def read_in_a_comprehension_after_the_loop():
    seen = get_seen()
    for x in range(3):
        note(x)
    return sorted(v * 2 for v in seen)


def passed_to_a_function_after_the_change():
    seen = get_seen()
    note(3)
    note(4)
    return sum(seen), max(seen)


def bound_twice_in_a_loop():
    out = []
    for x in range(3):
        seen = get_seen()
        note(x)
        out.append(len(seen))
    return out


def bound_while_a_change_is_pending():
    note(0)
    seen = get_seen()
    note(1)
    return sorted(seen)


def a_getter_calling_a_getter():
    seen = seen_through_another_getter()
    note(5)
    note(6)
    return sorted(seen)


def changed_through_the_local_then_counted_by_a_callee():
    seen = get_seen()
    seen.append(9)
    first = count_seen()
    seen.append(10)
    return first, count_seen()


def a_getter_called_twice_cached():
    one = get_seen()
    note(1)
    two = get_seen()
    note(2)
    return len(one), len(two), one is two


def read_by_a_lambda_when_a_result_arrives():
    seen = get_seen()
    out = []
    for x in range(4):
        out.append(list(filter(lambda w: w >= len(seen), [work(x), 3])))
        note(x)
    return out


def an_alias_read_by_a_lambda_when_a_result_arrives():
    seen = SEEN
    out = []
    for x in range(4):
        out.append(list(filter(lambda w: w >= len(seen), [work(x), 3])))
        note(x)
    return out


def read_by_a_nested_function_after_the_changes():
    seen = get_seen()

    def count():
        return len(seen)
    for x in range(3):
        note(x)
    return count()


def counted_then_changed_through_the_local_then_counted():
    seen = get_seen()
    first = count_seen()
    seen.append(1)
    return first, count_seen()


def a_row_bound_by_subscript_read_after_filing():
    rows = GROUPS["x"]
    got = GROUPS.get("y")
    file_under("x", 1)
    file_under("y", 2)
    return len(rows), list(got)


def _passthru(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@_passthru
def get_seen_wrapped():
    return SEEN


@functools.lru_cache(None)
def get_seen_remembered():
    return SEEN


def getters_under_decorators_and_in_a_conditional(flag=True):
    a = get_seen_wrapped()
    b = get_seen_remembered()
    c = get_seen() if flag else []
    note(1)
    return len(a), len(b), len(c)


def _cached(fn):
    return (fn, _fresh, lambda a: repr(a), 5, True)


CASES = [(f, _fresh) for f in (
    bound_while_a_change_is_pending, a_getter_calling_a_getter,
    changed_through_the_local_then_counted_by_a_callee, read_by_a_lambda_when_a_result_arrives,
    an_alias_read_by_a_lambda_when_a_result_arrives,
    read_by_a_nested_function_after_the_changes,
    counted_then_changed_through_the_local_then_counted,
    a_row_bound_by_subscript_read_after_filing,
    getters_under_decorators_and_in_a_conditional)] + [
    _cached(a_getter_called_twice_cached), _cached(read_after_the_changes)] + [(f, _fresh) for f in (
    read_after_the_changes, read_before_and_after_a_change, a_setting_read_after_it_is_set,
    a_setting_read_then_set_in_a_loop, a_row_of_a_table_read_after_filing,
    a_getter_that_may_hand_out_state, a_getter_of_another_module_by_its_name,
    a_getter_called_through_the_module, a_getter_given_an_argument,
    read_in_a_comprehension_after_the_loop, passed_to_a_function_after_the_change,
    bound_twice_in_a_loop)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
