"""A ``try`` or ``if`` in a loop, run as one step, counts as changing only what its
statements name (a method's object, a stored-into container, an augmented name) and
the world when it calls out, so the next iteration's calls need not wait for it.
Every case here has the next iteration's call read something the step changes some
other way: a C function that changes its argument (``heapq.heappush``), a method of
the user's that keeps what it is given, a setter or ``__setattr__``, a dict subclass,
a builtin consuming an iterator it is given, a method of an object the step made,
a function that changes a module's list, a logger handler that records.
Run: DESYNC_PACING=0 python tests/adversarial_programs/regions_change_only_what_they_name.py"""
import sys, os, time, heapq, logging, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def fetch(x, seen_now):
    time.sleep(0.002)
    if x % 3 == 2:
        raise ValueError(f"bad {x}")
    return (x, seen_now)


def parse(page):
    time.sleep(0.002)
    return {"x": page[0], "seen": page[1]}


def heap_pushed_by_a_c_function(xs, heap):
    out = []
    for x in xs:
        try:
            page = fetch(x, heap[0] if heap else None)
        except ValueError:
            heapq.heappush(heap, -x)
            continue
        out.append(parse(page))
    return out, heap


class Recorder:
    def __init__(self):
        self.seen = []

    def warning(self, message, error):
        self.seen.append(f"{message}: {error}")


def recorder_method_keeps_the_error(xs, rec):
    pages = {}
    for x in xs:
        try:
            page = fetch(x, len(rec.seen))
        except ValueError as e:
            rec.warning("skipping", e)
            continue
        pages[x] = parse(page)
    return pages, rec.seen


class Counted:
    def __init__(self):
        self._n = 0
        self.log = []

    @property
    def n(self):
        return self._n

    @n.setter
    def n(self, value):
        self.log.append(value)
        self._n = value


def setter_records_into_a_list(xs, box):
    out = []
    for x in xs:
        try:
            page = fetch(x, len(box.log))
        except ValueError:
            box.n = x
            continue
        out.append(parse(page))
    return out, box.log


class Noisy:
    def __init__(self, log):
        object.__setattr__(self, "log", log)

    def __setattr__(self, name, value):
        self.log.append(name)
        object.__setattr__(self, name, value)


def setattr_override_records(xs, obj, log):
    out = []
    for x in xs:
        try:
            page = fetch(x, len(log))
        except ValueError:
            obj.last = x
            continue
        out.append(parse(page))
    return out, log


class TellingDict(dict):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def __setitem__(self, key, value):
        self.log.append(key)
        super().__setitem__(key, value)


def dict_subclass_store_with_a_logger(xs, pages, log, logger):
    for x in xs:
        try:
            page = fetch(x, len(log))
        except ValueError as e:
            logger.warning("skip %s", e)
            continue
        pages[x] = parse(page)
    return dict(pages), log


def builtin_consumes_a_given_iterator(xs, it):
    out = []
    for x in xs:
        try:
            page = fetch(x, next(it, None))
        except ValueError:
            out.append(sorted(it))
            continue
        out.append(parse(page))
    return out


def consume_two(it):
    return [next(it, None), next(it, None)]


def function_consumes_a_given_iterator(xs, it):
    out = []
    for x in xs:
        try:
            page = fetch(x, next(it, None))
        except ValueError:
            out.append(consume_two(it))
            continue
        out.append(parse(page))
    return out


class Box:
    def __init__(self):
        self.items = []

    def merge_into(self, target):
        target.extend(self.items)


def made(x):
    box = Box()
    box.items.append(x)
    return box


def method_of_a_made_object_changes_an_input(xs, acc):
    out = []
    for x in xs:
        try:
            page = fetch(x, len(acc))
            box = made(x)
        except ValueError:
            continue
        box.merge_into(acc)
        out.append(parse(page))
    return out, acc


SEEN = []


def note(page):
    SEEN.append(page)


def fetch_global(x):
    time.sleep(0.002)
    if x % 3 == 2:
        raise ValueError(x)
    return (x, len(SEEN))


def function_changes_a_module_list(xs):
    del SEEN[:]
    out = []
    for x in xs:
        try:
            page = fetch_global(x)
        except ValueError:
            continue
        note(page)
        out.append(parse(page))
    return out, list(SEEN)


class Listing(logging.Handler):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def emit(self, record):
        self.log.append(record.getMessage())


def logger_handler_records(xs, logger, log):
    # (read through the logger: ``log`` as a separate argument would be one argument
    # holding another, which desync assumes does not happen, in a region or not)
    pages = {}
    missing = 0
    for x in xs:
        try:
            page = fetch(x, len(logger.handlers[0].log))
        except ValueError as e:
            logger.warning("skipping %s", e)
            continue
        if page[0] % 4 == 0:
            missing += 1
            continue
        pages[x] = parse(page)
    return pages, missing, list(log)


def augmented_item_in_place(xs, counts):
    out = []
    for x in xs:
        try:
            page = fetch(x, len(counts["k"]))
        except ValueError:
            counts["k"] += [x]
            continue
        out.append(parse(page))
    return out, counts


def registered(seen, v):
    seen.append(v)


def function_changes_its_argument(xs, seen):
    out = []
    for x in xs:
        try:
            page = fetch(x, len(seen))
        except ValueError:
            registered(seen, x)
            continue
        out.append(parse(page))
    return out, seen


def if_region_pushes_on_a_heap(xs, heap):
    out = []
    for x in xs:
        page = fetch(x % 2, len(heap))
        if page[0] == 1:
            heapq.heappush(heap, x)
        else:
            out.append(parse(page))
    return out, heap


def _logger(log):
    logger = logging.getLogger(f"desync.adversarial.{len(log)}.{id(log)}")
    logger.propagate = False
    logger.handlers[:] = [Listing(log)]
    return logger


CASES = [
    (heap_pushed_by_a_c_function, lambda: (list(range(8)), [5]), repr),
    (recorder_method_keeps_the_error, lambda: (list(range(8)), Recorder()),
     lambda a: repr(a[1].seen)),
    (setter_records_into_a_list, lambda: (list(range(8)), Counted()),
     lambda a: repr(a[1].log)),
    (setattr_override_records, lambda: (lambda log: (list(range(8)), Noisy(log), log))([]),
     lambda a: repr(a[2])),
    (dict_subclass_store_with_a_logger,
     lambda: (lambda log: (list(range(8)), TellingDict(log), log, _logger([])))([]),
     lambda a: repr(a[2])),
    (builtin_consumes_a_given_iterator, lambda: (list(range(8)), iter(range(20))), lambda a: ""),
    (function_consumes_a_given_iterator, lambda: (list(range(8)), iter(range(20))),
     lambda a: ""),
    (method_of_a_made_object_changes_an_input, lambda: (list(range(8)), []), repr),
    (function_changes_a_module_list, lambda: (list(range(8)),), lambda a: repr(SEEN)),
    (logger_handler_records, lambda: (lambda log: (list(range(9)), _logger(log), log))([]),
     lambda a: repr(a[2])),
    (augmented_item_in_place, lambda: (list(range(8)), {"k": []}), repr),
    (function_changes_its_argument, lambda: (list(range(8)), []), repr),
    (if_region_pushes_on_a_heap, lambda: (list(range(8)), []), repr),
]


# Code the step runs without naming it, changing a module list the next call reads
# (found by the round that tried the narrowing: each passed when the step counted
# as changing everything it reaches).
NOTED = []
ADD = functools.partial(list.append, NOTED)


def fetch_noted(x):
    time.sleep(0.002)
    if x % 3 == 2:
        raise ValueError(x)
    return (x, len(NOTED))


def partial_appends_to_a_module_list(xs):
    del NOTED[:]
    out = []
    for x in xs:
        try:
            out.append(fetch_noted(x))
        except ValueError:
            ADD(x)
    return out


def track(v):
    NOTED.append(v)
    return v


def builtin_given_a_key_function(xs):
    del NOTED[:]
    out = []
    for x in xs:
        try:
            out.append(fetch_noted(x))
        except ValueError:
            sorted([x], key=track)
    return out


class ToNoted(logging.Handler):
    def emit(self, record):
        NOTED.append(record.getMessage())


NOTING = logging.getLogger("desync.adversarial.noting")
NOTING.propagate = False
NOTING.handlers[:] = [ToNoted()]


def logger_handler_of_the_users(xs):
    del NOTED[:]
    out = []
    for x in xs:
        try:
            out.append(fetch_noted(x))
        except ValueError:
            NOTING.warning("skip %s", x)
    return out


class Hashed:
    def __init__(self, n):
        self.n = n

    def __hash__(self):
        NOTED.append(self.n)
        return self.n

    def __eq__(self, other):
        return isinstance(other, Hashed) and other.n == self.n

    def __lt__(self, other):
        NOTED.append(("lt", self.n))
        return self.n < other.n


def key_hash_runs_in_a_set_add(xs, s, key):
    del NOTED[:]
    out = []
    for x in xs:
        try:
            out.append(fetch_noted(x))
        except ValueError:
            s.add(key)
    return out


def key_hash_runs_in_a_dict_store(xs, d, key):
    del NOTED[:]
    out = []
    for x in xs:
        try:
            out.append(fetch_noted(x))
        except ValueError:
            d[key] = x
    return out


def sort_runs_lt_of_the_users(xs, keys):
    del NOTED[:]
    out = []
    for x in xs:
        try:
            out.append(fetch_noted(x))
        except ValueError:
            keys.sort()
    return out


CASES += [
    (partial_appends_to_a_module_list, lambda: (list(range(8)),), lambda a: repr(NOTED)),
    (builtin_given_a_key_function, lambda: (list(range(8)),), lambda a: repr(NOTED)),
    (logger_handler_of_the_users, lambda: (list(range(8)),), lambda a: repr(NOTED)),
    (key_hash_runs_in_a_set_add, lambda: (list(range(8)), set(), Hashed(1)),
     lambda a: repr(NOTED)),
    (key_hash_runs_in_a_dict_store, lambda: (list(range(8)), {}, Hashed(2)),
     lambda a: repr(NOTED)),
    (sort_runs_lt_of_the_users, lambda: (list(range(8)), [Hashed(3), Hashed(1)]),
     lambda a: repr(NOTED)),
]


def counter_that_becomes_a_list(xs, seen):
    # (``n += ...`` changes ``seen`` in place once ``n`` is it: not a number)
    n = 0
    out = []
    for x in xs:
        if x == 3:
            n = seen
        try:
            page = fetch(x, len(seen))
        except ValueError:
            n += [x]
            continue
        out.append(parse(page))
    return out, seen


def counter_from_an_unpacking(xs, seen):
    n, m = make_pair(seen)
    out = []
    for x in xs:
        try:
            page = fetch(x, len(seen))
        except ValueError:
            n += [x]
            continue
        out.append(parse(page))
    return out, seen


def make_pair(seen):
    return seen, 0


CASES += [
    (counter_that_becomes_a_list, lambda: (list(range(8)), []), repr),
    (counter_from_an_unpacking, lambda: (list(range(8)), []), repr),
]

# The same change, read by the next iteration's call made before the step (fuzz seed
# 93103 program 1374: the read ran while the step's handler was still to come).
def peek_noted(x):
    time.sleep(0.001)
    return (x, len(NOTED))


def fail_some(pair):
    time.sleep(0.01)
    if pair[0] % 3 == 2:
        raise ValueError(pair)
    return pair


def note_directly(v):
    NOTED.append(v)


def key_function_change_read_by_the_next_call(xs):
    out = []
    for x in xs:
        pair = peek_noted(x)
        try:
            out.append(fail_some(pair))
        except ValueError:
            sorted([x], key=track)
    return out


def partial_change_read_by_the_next_call(xs):
    out = []
    for x in xs:
        pair = peek_noted(x)
        try:
            out.append(fail_some(pair))
        except ValueError:
            ADD(x)
    return out


def function_change_read_by_the_next_call(xs):
    out = []
    for x in xs:
        pair = peek_noted(x)
        try:
            out.append(fail_some(pair))
        except ValueError:
            note_directly(x)
    return out


def _noted_cleared():
    del NOTED[:]   # (here: a body naming NOTED orders its callees after its changes)
    return (list(range(8)),)


CASES += [
    (key_function_change_read_by_the_next_call, _noted_cleared, repr),
    (partial_change_read_by_the_next_call, _noted_cleared, repr),
    (function_change_read_by_the_next_call, _noted_cleared, repr),
]

if __name__ == "__main__":
    main(CASES)
