"""Callees whose printing or logging desync could not see from their own names: a
logger a helper of the project made (``log = get_logger(name)``), ``print`` under
another name (``say = print``, a lambda, a ``partial``, a closure a factory made, a
table of printers), and a helper calling a method of its argument that prints
(``fetch_with(client, x)`` doing ``client.get(x)``). desync ran them out of order
(their output came before the body's own ``print`` before them) and, with the cache
on, answered the second ``fetch_with`` from the cache without its print. Also a
callee reading a row of a module-level table that the body had just changed
through a getter (``b = get_bucket(); ...; b.append(1); count()``), and a getter's
result read in place inside a loop's ``if`` (``EV.append(len(_reg()))``) while a
property setter grows it.
Run: DESYNC_PACING=0 python tests/adversarial_programs/output_through_helpers_and_arguments.py"""
import sys, os, time, logging, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


class _ToStdout(logging.Handler):
    def emit(self, record):
        sys.stdout.write(record.getMessage() + "\n")


def get_logger(name):
    made = logging.getLogger(name)
    made.propagate = False
    made.setLevel(logging.INFO)
    if not made.handlers:
        made.addHandler(_ToStdout())
    return made


log = get_logger("desync.adversarial.helpers")
say = print
echo = lambda *a: print("echo", *a)  # noqa: E731
shout = functools.partial(print, "!")
PRINTERS = {"p": print}


def _make_printer(prefix):
    def show(*a):
        print(prefix, *a)
    return show


out = _make_printer(">")


def _nap(x):
    time.sleep(0.02 if x == 1 else 0.001)


def fetch_logged(x):
    _nap(x)
    log.info("fetched %s", x)
    return x


def load_said(x):
    _nap(x)
    say("loaded", x)
    return x


def load_echoed(x):
    _nap(x)
    echo(x)
    return x


def load_shouted(x):
    _nap(x)
    shout(x)
    return x


def load_shown(x):
    _nap(x)
    out(x)
    return x


def load_from_table(x):
    _nap(x)
    PRINTERS["p"]("table", x)
    return x


class Client:
    def get(self, x):
        _nap(x)
        print("GET", x)
        return x


def fetch_with(client, x):
    return client.get(x)


REG = {"a": []}


def get_bucket():
    return REG["a"]


def count():
    time.sleep(0.01)
    return len(REG["a"])


EV, ROWS = [], []


def steady(x):
    time.sleep(0.01)
    return (x * 7 + 3) % 97


def _rows():
    return ROWS


class _Keep:
    @property
    def value(self):
        return len(ROWS)

    @value.setter
    def value(self, v):
        ROWS.append(steady(v))


KEEP = _Keep()


def _fresh():
    REG["a"] = []
    EV.clear()
    ROWS.clear()
    return ()


def _with_client():
    _fresh()
    return (Client(),)


def logged_by_a_helpers_logger():
    a = fetch_logged(1)
    b = fetch_logged(2)
    return a + b


def a_method_of_the_argument_prints(client):
    a = fetch_with(client, 1)
    print("mid")
    return a + fetch_with(client, 2)


def the_same_call_twice_prints_twice(client):
    fetch_with(client, 1)
    fetch_with(client, 1)
    return "done"


def a_row_changed_through_a_getter_then_counted():
    b = get_bucket()
    t0 = count()
    b.append(1)
    t1 = count()
    return t0, t1


def a_getters_result_read_in_an_if_while_a_setter_grows_it():
    for v in range(3):
        if steady(v) % 2 == 1:
            EV.append(len(_rows()))
        KEEP.value = v
    return list(EV), list(ROWS)


def printed_said_around_the_bodys_own():
    a = load_said(1)
    print("between")
    return a + load_said(2)


def printed_echoed_around_the_bodys_own():
    a = load_echoed(1)
    print("between")
    return a + load_echoed(2)


def printed_shouted_around_the_bodys_own():
    a = load_shouted(1)
    print("between")
    return a + load_shouted(2)


def printed_shown_around_the_bodys_own():
    a = load_shown(1)
    print("between")
    return a + load_shown(2)


def printed_from_table_around_the_bodys_own():
    a = load_from_table(1)
    print("between")
    return a + load_from_table(2)


_PRINTING = [printed_said_around_the_bodys_own, printed_echoed_around_the_bodys_own,
             printed_shouted_around_the_bodys_own, printed_shown_around_the_bodys_own,
             printed_from_table_around_the_bodys_own]
_ALL = [logged_by_a_helpers_logger, *_PRINTING, a_row_changed_through_a_getter_then_counted,
        a_getters_result_read_in_an_if_while_a_setter_grows_it]
CASES = [(f, _fresh) for f in _ALL] + [
    (a_method_of_the_argument_prints, _with_client, lambda a: "client"),
    (the_same_call_twice_prints_twice, _with_client, lambda a: "client", 5, True),
    (a_method_of_the_argument_prints, _with_client, lambda a: "client", 5, True)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
