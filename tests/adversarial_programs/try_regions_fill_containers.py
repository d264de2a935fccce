"""A ``try`` in a loop that only fills plain containers it was given
(``out.append(...)``, ``by_key[k] = ...``, ``failed.append(x)`` in a handler) changes
only those containers, so the next iteration's calls need not wait for it. Each case
here would see a stale or too-new value if that were claimed of code that does more:
a subclass whose ``append`` changes another object, a dict subclass, a container
still being made, a container that is also an argument read by the calls, a handler
reading what the calls change, an iterator consumed in the handler.
Run: DESYNC_PACING=0 python tests/adversarial_programs/try_regions_fill_containers.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


class Client:
    def __init__(self):
        self.calls = 0
        self.log = []

    def fetch(self, seen, x):
        time.sleep(0.004)
        if x % 3 == 2:
            raise ValueError(f"bad {x} after {len(seen)}")
        return (x, len(seen))

    def fetch_logged(self, x):
        time.sleep(0.004)
        if x % 3 == 2:
            raise ValueError(x)
        return (x, len(self.log))

    def fetch_counted(self, x):
        time.sleep(0.004)
        self.calls += 1
        if x % 3 == 2:
            raise ValueError(x)
        return x


def peek(x, src):
    time.sleep(0.004)
    if x % 4 == 3:
        raise KeyError(x)
    return (x, len(src), list(src)[-2:])


class Feeding(list):
    """A list whose append also feeds another list (the one the calls read)."""
    def __init__(self, src):
        super().__init__()
        self.src = src

    def append(self, v):
        super().append(v)
        self.src.append(v)


class LoggingDict(dict):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def __setitem__(self, k, v):
        self.log.append(k)
        super().__setitem__(k, v)


def subclass_append_feeds_what_calls_read(out, src):
    for x in range(7):
        try:
            out.append(peek(x, src))
        except KeyError:
            out.append(None)
    return out, src


def subclass_append_feeds_the_clients_log(out, client):
    for x in range(7):
        try:
            out.append(client.fetch_logged(x))
        except ValueError:
            out.append(None)
    return list(out), client.log


def dict_subclass_store_feeds_the_clients_log(out, client):
    for x in range(7):
        try:
            out[x] = client.fetch_logged(x)
        except ValueError as e:
            out[x] = str(e)
    return dict(out), client.log


def dict_subclass_store_logs_into_read_list(out, log):
    for x in range(7):
        try:
            out[x] = peek(x, log)
        except KeyError as e:
            out[x] = str(e)
    return dict(out), log


def same_list_given_twice(out, seen):
    client = Client()
    for x in range(8):
        try:
            out.append(client.fetch(seen, x))
        except ValueError as e:
            out.append(str(e))
    return out


def failures_list_read_by_the_calls(results, failed):
    client = Client()
    for x in range(8):
        try:
            results.append(client.fetch(failed, x))
        except ValueError:
            failed.append(x)
    return results, failed


def handler_reads_what_the_calls_change(out, client):
    for x in range(8):
        try:
            out.append(client.fetch_counted(x))
        except ValueError:
            out.append(("calls", client.calls))
    return out, client.calls


def container_made_by_a_slow_call(src, client):
    out = peek(0, src)[2]
    for x in range(7):
        try:
            out.append(client.fetch(out, x))
        except ValueError:
            out.append(len(out))
    return out


def handler_consumes_an_iterator(xs, client):
    it = iter(range(100))
    out = []
    for x in xs:
        try:
            out.append(client.fetch(out, x))
        except ValueError:
            out.append(max(it, default=None))
        out.append(next(it, "end"))
    return out


def store_by_slice_consumes_a_generator(xs, client):
    out = [0, 0, 0]
    gen = (client.fetch(out, x) for x in xs if x % 3 != 2)
    for x in xs:
        try:
            out[0:1] = [client.fetch(out, x)]
        except ValueError:
            out[1:2] = gen
    return out


def handler_advances_a_generator_that_logs(out, client):
    gen = (client.log.append(v) or v for v in range(100))
    for x in range(7):
        try:
            out.append(client.fetch_logged(x))
        except ValueError:
            out.append(max(zip(gen, range(2)), default=None))
    return out, client.log


def slice_store_advances_a_generator_that_logs(out, client):
    gen = (client.log.append(v) or v for v in range(100))
    for x in range(7):
        try:
            out.append(client.fetch_logged(x))
        except ValueError:
            out[0:1] = zip(gen, range(2))
    return out, client.log


def index_store_out_of_range(out, client):
    for x in range(6):
        try:
            out[x] = client.fetch(out, x)
        except (ValueError, IndexError) as e:
            out.append(type(e).__name__)
    return out


def appended_value_is_a_part_of_the_client(out, client):
    for x in range(6):
        try:
            client.fetch(out, x)
            out.append(client.__dict__)
        except ValueError:
            out.append(dict(client.__dict__))
    return out


def set_and_setdefault(seen, groups):
    client = Client()
    for x in range(8):
        try:
            v = client.fetch(seen, x)
            seen.add(v)
            groups.setdefault(x % 2, v)
        except ValueError:
            seen.discard((x - 1, 0))
    return sorted(seen), groups


def loud(tag, x):
    time.sleep(0.004)
    print(tag, x)
    if x % 4 == 3:
        raise LookupError(f"{tag} {x}")
    return x


class Settable:
    def __init__(self):
        self.seen = []

    @property
    def value(self):
        return self.seen[-1] if self.seen else None

    @value.setter
    def value(self, v):
        print("set", v)
        if v == 5:
            raise AttributeError("no 5")
        self.seen.append(v)


def store_key_computed_after_the_value(out):
    for x in range(8):
        try:
            out[loud("key", x + 1)] = loud("value", x)
        except LookupError as e:
            out[str(e)] = x
    return out


def attribute_store_through_a_setter(box):
    for x in range(8):
        try:
            box.value = loud("value", x)
        except (LookupError, AttributeError) as e:
            print("caught", type(e).__name__, e)
    return box.seen


def index_store_into_a_short_list(out):
    for x in range(8):
        try:
            out[x] = loud("value", x)
        except IndexError:
            out.append(-x)
        except LookupError:
            print("lookup")
    return out


def count_in(seen, x):
    time.sleep(0.004)
    return (x, len(seen))


def register(seen, v):
    seen.append(v)


def deferred_pop_inside_the_step(xs):
    queue = list(xs)
    out = []
    for x in xs:
        try:
            out.append(queue.pop())
        except IndexError:
            out.append(None)
        print("left", len(queue))
    return out


def deferred_call_changes_what_the_next_call_reads(xs, seen):
    out = []
    for x in xs:
        v = count_in(seen, x)
        try:
            register(seen, v)
        except ValueError:
            pass
        out.append(v)
    return out


def make_same():
    shared = []
    return shared, shared


CASES = [
    (subclass_append_feeds_what_calls_read, lambda: (lambda s: (Feeding(s), s))([9]),
     repr),
    (subclass_append_feeds_the_clients_log,
     lambda: (lambda c: (Feeding(c.log), c))(Client()), lambda a: repr(a[1].log)),
    (dict_subclass_store_feeds_the_clients_log,
     lambda: (lambda c: (LoggingDict(c.log), c))(Client()), lambda a: repr(a[1].log)),
    (dict_subclass_store_logs_into_read_list, lambda: (lambda l: (LoggingDict(l), l))([]),
     repr),
    (same_list_given_twice, make_same, repr),
    (failures_list_read_by_the_calls, lambda: ([], []), repr),
    (handler_reads_what_the_calls_change, lambda: ([], Client()), lambda a: repr(a[0])),
    (container_made_by_a_slow_call, lambda: ([1, 2, 3], Client()), lambda a: repr(a[0])),
    (handler_consumes_an_iterator, lambda: (list(range(6)), Client()), lambda a: repr(a[0])),
    (store_by_slice_consumes_a_generator, lambda: (list(range(6)), Client()),
     lambda a: repr(a[0])),
    (handler_advances_a_generator_that_logs, lambda: ([], Client()), lambda a: repr(a[0])),
    (slice_store_advances_a_generator_that_logs, lambda: ([], Client()),
     lambda a: repr(a[0])),
    (index_store_out_of_range, lambda: ([0, 0, 0], Client()), lambda a: repr(a[0])),
    (appended_value_is_a_part_of_the_client, lambda: ([], Client()), lambda a: repr(a[0])),
    (set_and_setdefault, lambda: (set(), {}), repr),
    (store_key_computed_after_the_value, lambda: ({},), repr),
    (attribute_store_through_a_setter, lambda: (Settable(),), lambda a: repr(a[0].seen)),
    (index_store_into_a_short_list, lambda: ([0, 0],), repr),
    (deferred_pop_inside_the_step, lambda: ([0, 1, 0, 2, 3],), repr),
    (deferred_call_changes_what_the_next_call_reads, lambda: (list(range(6)), []), repr),
]

if __name__ == "__main__":
    main(CASES)
