"""An ``if`` in a loop whose test needs the iteration's call (``page = fetch(url)``
then ``if page is not None:``, or ``if fetch(url):``) runs as one step in program
order, with its test's calls and its branches' leading calls started ahead: the
loop no longer waits there. Each case would see a different answer if the step ran
early, late, or let a speculative call count: failures in the test, in a branch not
taken, in an ``elif``; short circuits; prints and logs in branches; names a branch
binds; counters carried across iterations; objects the next call reads.
Run: DESYNC_PACING=0 python tests/adversarial_programs/if_regions_in_loops.py"""
import sys, os, time, logging
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, to_stdout  # noqa: E402

LOG = to_stdout(logging.getLogger("if_regions"))


def fetch(x):
    time.sleep(0.01)
    if x == 7:
        raise ValueError("fetch 7")
    return None if x % 3 == 0 else x * 10


def loud(x):
    time.sleep(0.01)
    print("loud", x)
    return x % 2 == 0


def check(v):
    time.sleep(0.005)
    if v is None:
        raise TypeError("check None")
    if v == 40:
        raise KeyError(v)
    return v > 20


def parse(v):
    time.sleep(0.01)
    if v is None:
        raise AttributeError("parse None")
    return str(v)


def count_in(seen, x):
    time.sleep(0.01)
    return (x, len(seen))


def register(seen, v):
    seen.append(v)


def filter_on_the_result(xs):
    out = []
    for x in xs:
        page = fetch(x)
        if page is not None:
            out.append(page)
    return out


def filter_on_a_call(xs):
    out = []
    for x in xs:
        if loud(x):
            out.append(x)
    return out


def test_fails_at_one_item(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if check(v):
            out.append(v)
    return out


def branch_call_not_taken_fails(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if v is not None:
            out.append(parse(v))
        else:
            out.append(parse(x))
    return out


def elif_call_fails_only_when_reached(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if v is None:
            out.append("none")
        elif check(v):
            out.append(parse(v))
        else:
            print("small", v)
    return out


def short_circuit_test(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if v is not None and check(v):
            out.append(v)
    return out


def branches_print_and_log(xs):
    total = 0
    for x in xs:
        v = fetch(x)
        if v is None:
            print("skip", x)
            LOG.info("skip %s", x)
        else:
            total += v
            print("add", v, total)
    return total


def counter_carried(xs):
    hits, misses = 0, 0
    for x in xs:
        v = fetch(x)
        if v:
            hits += 1
        else:
            misses += 1
    return hits, misses


def name_bound_before_and_in_a_branch(xs):
    last = None
    out = []
    for x in xs:
        v = fetch(x)
        if v is not None:
            last = v
        out.append((x, last))
    return out, last


def name_bound_only_in_a_branch(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if v is not None:
            shown = str(v)
            out.append(shown)
    return out


def next_call_reads_what_a_branch_changes(xs, seen):
    out = []
    for x in xs:
        v = count_in(seen, x)
        if v[0] % 2:
            register(seen, v)
        out.append(v)
    return out


def branch_stores_items_and_deletes(xs, by):
    for x in xs:
        v = fetch(x)
        if v is None:
            by[x] = "none"
        elif v > 30:
            by[x] = v
            if x - 1 in by:
                del by[x - 1]
    return by


def test_pops_from_a_list(xs):
    queue = list(xs)
    out = []
    for x in xs:
        if queue.pop():
            out.append(fetch(x))
        print("left", len(queue))
    return out


def test_advances_an_iterator(xs):
    it = iter(xs)
    out = []
    for x in xs:
        if next(it, None) is not None and fetch(x):
            out.append(x)
        if x == 4:
            out.append(list(it))
    return out


def branch_raises(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if v is None:
            out.append(None)
        else:
            if v > 50:
                raise LookupError(v)
            out.append(v)
    return out


def nested_ifs(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if v:
            if loud(v // 10):
                out.append(("even", v))
            else:
                out.append(("odd", parse(v)))
    return out


def handled_around_the_loop(xs):
    out = []
    try:
        for x in xs:
            v = fetch(x)
            if v is None:
                print("none", x)
            else:
                out.append(check(v))
    except (KeyError, TypeError, ValueError) as e:
        print("caught", type(e).__name__, e)
    return out


class Caller:
    """A callable object whose call prints."""

    def __call__(self, x):
        print("Caller", x)
        return x + 4


def slow_caller():
    time.sleep(0.01)
    return Caller()


def make_with(factory, x):
    time.sleep(0.005)
    return factory(x)


SHARED = {"it": None}


def give_iter():
    time.sleep(0.01)
    return SHARED["it"]


def branch_not_taken_gets_a_callable_a_call_makes(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if v is None:
            out.append("none")
        elif v > 1000:
            out.append(make_with(slow_caller(), x))
    return out


def branch_not_taken_gets_an_iterator_a_call_gives(xs):
    SHARED["it"] = iter(range(100))
    out = []
    for x in xs:
        v = fetch(x)
        if v is not None and v > 1000:
            out.append(list(give_iter()))
    out.append(next(SHARED["it"]))
    return out


def test_calls_a_callable_a_call_makes_then_fails(xs):
    out = []
    for x in xs:
        v = fetch(x)
        if make_with(slow_caller(), x) == check(v):
            out.append(x)
    return out


XS = lambda: (list(range(1, 7)),)
XS9 = lambda: (list(range(1, 10)),)

CASES = [
    (filter_on_the_result, XS, repr), (filter_on_the_result, XS9, repr),
    (filter_on_a_call, XS, repr),
    (test_fails_at_one_item, XS, repr), (test_fails_at_one_item, XS9, repr),
    (branch_call_not_taken_fails, XS, repr),
    (elif_call_fails_only_when_reached, XS, repr),
    (short_circuit_test, XS, repr), (short_circuit_test, lambda: ([1, 2, 3, 5],), repr),
    (branches_print_and_log, XS, repr), (branches_print_and_log, XS9, repr),
    (counter_carried, XS, repr), (counter_carried, XS9, repr),
    (name_bound_before_and_in_a_branch, XS, repr),
    (name_bound_only_in_a_branch, XS, repr),
    (next_call_reads_what_a_branch_changes, lambda: (list(range(6)), []), repr),
    (branch_stores_items_and_deletes, lambda: (list(range(1, 7)), {}), repr),
    (test_pops_from_a_list, lambda: ([0, 1, 0, 2, 3],), repr),
    (test_advances_an_iterator, XS, repr),
    (branch_raises, XS, repr),
    (nested_ifs, XS, repr),
    (handled_around_the_loop, XS, repr), (handled_around_the_loop, XS9, repr),
    (branch_not_taken_gets_a_callable_a_call_makes, XS, repr),
    (branch_not_taken_gets_an_iterator_a_call_gives, XS, repr),
    (test_calls_a_callable_a_call_makes_then_fails, XS, repr),
]

if __name__ == "__main__":
    main(CASES)
