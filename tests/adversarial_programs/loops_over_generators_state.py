"""From session eleven's loops-and-iteration round (459 cases, 4 families, all here).
Run: DESYNC_PACING=0 python tests/adversarial_programs/loops_over_generators_state.py

A loop's own generator runs ahead of the body's calls only if nothing the body does can
change what it reads: data kept in a class, a module or a function it names (not only
the module's own lists) counts; so do the objects a function or a bound method it
hands out reads. The generator ``enumerate`` numbers is closed as the loop ends, as
the loop's own is. PEP 479's RuntimeError keeps its context."""
import sys, os, time, types, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


class Settings:
    limit = 5
    tags = []


class Holder:
    class Inner:
        v = 0
    inst = Inner()


CONFIG = types.ModuleType("config")
CONFIG.LIMIT = 5


def rows_class_limit(n):
    for i in range(n):
        if i >= Settings.limit:
            return
        yield i


def rows_class_list(n):
    for i in range(n):
        yield (i, len(Settings.tags))


def rows_module_limit(n):
    for i in range(n):
        if i >= CONFIG.LIMIT:
            return
        yield i


def rows_fn_attr(n):
    for i in range(n):
        yield (i, getattr(rows_fn_attr, "mark", None))


def rows_instance_in_class(n):
    for i in range(n):
        yield (i, Holder.inst.v)


def rows_vars(n):
    for i in range(n):
        yield (i, vars(Settings)["limit"])


def over_limit():
    return Settings.limit


def rows_helper_reads(n):
    for i in range(n):
        if i >= over_limit():
            return
        yield i


def class_limit_changed_in_body():
    Settings.limit = 5
    out = []
    for i in rows_class_limit(6):
        out.append(slow(i))
        if i == 1:
            Settings.limit = 2
    return out


def class_list_appended_in_body():
    Settings.tags = []
    out = []
    for i, n in rows_class_list(4):
        out.append((slow(i), n))
        Settings.tags.append(i)
    return out


def module_attribute_changed_in_body():
    CONFIG.LIMIT = 5
    out = []
    for i in rows_module_limit(6):
        out.append(slow(i))
        if i == 1:
            CONFIG.LIMIT = 2
    return out


def function_attribute_changed_in_body():
    rows_fn_attr.mark = None
    out = []
    for i, m in rows_fn_attr(4):
        out.append((slow(i), m))
        rows_fn_attr.mark = i
    return out


def instance_kept_in_a_class_changed():
    Holder.inst.v = 0
    out = []
    for i, v in rows_instance_in_class(4):
        out.append((slow(i), v))
        Holder.inst.v += 1
    return out


def class_read_through_vars():
    Settings.limit = 5
    out = []
    for i, v in rows_vars(4):
        out.append((slow(i), v))
        Settings.limit = i
    return out


def helper_reads_what_the_body_changes():
    Settings.limit = 5
    out = []
    for i in rows_helper_reads(6):
        out.append(slow(i))
        Settings.limit = 2
    return out


def set_limit(v):
    Settings.limit = v


def callee_changes_the_class_attribute():
    Settings.limit = 5
    out = []
    for i in rows_class_limit(6):
        out.append(slow(i))
        if i == 1:
            set_limit(2)
    return out


def handed_out_lambda(n):
    buf = []
    for i in range(n):
        buf.append(i)
        yield lambda: list(buf)


def handed_out_bound_method(n):
    buf = []
    for i in range(n):
        buf.append(i)
        yield buf.copy


def handed_out_default(n):
    buf = []
    for i in range(n):
        buf.append(i)
        yield lambda b=buf: len(b)


def handed_out_partial(n):
    buf = []
    for i in range(n):
        buf.append(i)
        yield functools.partial(list, buf)


def call_later(f):
    time.sleep(0.02)
    return f()


def loop_lambdas():
    out = []
    for f in handed_out_lambda(4):
        out.append(call_later(f))
    return out


def loop_bound_methods():
    out = []
    for f in handed_out_bound_method(4):
        out.append(call_later(f))
    return out


def loop_defaults():
    out = []
    for f in handed_out_default(4):
        out.append(call_later(f))
    return out


def loop_partials():
    out = []
    for f in handed_out_partial(4):
        out.append(call_later(f))
    return out


def rows_finally(n):
    try:
        for i in range(n):
            yield i
    finally:
        print("fin rows")


def break_out_of_enumerate():
    for i, r in enumerate(rows_finally(5)):
        if r == 1:
            break
    print("done")


def raise_out_of_enumerate():
    try:
        for i, r in enumerate(rows_finally(5)):
            slow(i)
            if r == 2:
                raise KeyError(r)
    except KeyError:
        print("caught")
    print("done")


def enumerate_to_the_end():
    for i, r in enumerate(rows_finally(3), 1):
        print(slow(i), r)
    print("done")


def next_past_the_end_in_a_genexp(xs):
    it = iter(xs)
    return list(next(it) for _ in range(5))


def next_past_the_end_in_a_tuple(xs):
    it = iter(xs)
    return tuple(next(it) for _ in range(5))


def sum_fails_before_a_later_element_advances(xs):
    it = iter(xs)
    try:
        sum(next(it) for _ in range(2))
    except TypeError as e:
        print("caught", e)
    return list(it)


def max_fails_before_a_later_element_advances(xs):
    it = iter(xs)
    try:
        max(next(it) for _ in range(3))
    except TypeError as e:
        print("caught", e)
    return list(it)


def sum_fails_before_a_later_stop(xs):
    it = iter(xs)
    return sum(next(it) for _ in range(5))


def set_fails_on_an_unhashable_element_first(xs):
    it = iter(xs)
    try:
        return {next(it) for _ in range(5)}, set(next(it) for _ in range(5))
    except TypeError as e:
        print("caught", e)
    return list(it)


def dict_of_pairs_fails_midway(xs):
    it = iter(xs)
    try:
        dict(next(it) for _ in range(4))
    except (TypeError, ValueError) as e:
        print("caught", type(e).__name__)
    return list(it)


CASES = [class_limit_changed_in_body, class_list_appended_in_body,
         module_attribute_changed_in_body, function_attribute_changed_in_body,
         instance_kept_in_a_class_changed, class_read_through_vars,
         helper_reads_what_the_body_changes, callee_changes_the_class_attribute,
         loop_lambdas, loop_bound_methods, loop_defaults, loop_partials,
         break_out_of_enumerate, raise_out_of_enumerate, enumerate_to_the_end,
         (next_past_the_end_in_a_genexp, lambda: ([0, 1],), repr),
         (next_past_the_end_in_a_tuple, lambda: ([0, 1],), repr),
         (sum_fails_before_a_later_element_advances, lambda: (["a", "b", "c"],), repr),
         (max_fails_before_a_later_element_advances, lambda: ([1, "b", 3, 4],), repr),
         (sum_fails_before_a_later_stop, lambda: (["a", "b"],), repr),
         (set_fails_on_an_unhashable_element_first, lambda: ([1, [2], 3, 4, 5, 6],), repr),
         (dict_of_pairs_fails_midway, lambda: ([(1, 2), 3, (4, 5), (6, 7)],), repr)]

if __name__ == "__main__":
    main(CASES)
