"""Written from the eleventh adversarial round (a callee changing its argument by a
spelling inference did not follow). Run:
DESYNC_PACING=0 python tests/adversarial_programs/round11_mutations_by_other_names.py

``vars(o).update(...)``, ``vars(o)[k] = v``, ``d = o.__dict__; d[k] = v``,
``type(o).__setattr__(o, k, v)``, ``operator.methodcaller("__setitem__", k, v)(d)``,
a dict of the object's bound methods, ``operator.attrgetter(name)(o)(x)``: each
changes the object, so the read after the call waits for it, and a cache hit never
skips it."""
import operator
import os
import sys
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


class Record:
    def __init__(self):
        self.a = 0
        self.seen = []

    def set_by_vars(self, v):
        time.sleep(0.005)
        vars(self).update(a=v)

    def set_by_dict_alias(self, v):
        time.sleep(0.005)
        state = self.__dict__
        state["a"] = v

    def set_by_type(self, v):
        time.sleep(0.005)
        type(self).__setattr__(self, "a", v)

    def note_a(self, k):
        time.sleep(0.005)
        self.seen.append(k)

    def note_b(self, k):
        self.seen.append(k)


def set_by_vars_update(o, v):
    time.sleep(0.005)
    vars(o).update(a=v)


def set_by_vars_item(o, v):
    time.sleep(0.005)
    vars(o)["a"] = v


def set_by_method_caller(d, k, v):
    time.sleep(0.005)
    operator.methodcaller("__setitem__", k, v)(d)


def note_through_a_table(r, k):
    table = {"a": r.note_a, "b": r.note_b}
    table[k](k)


def note_through_an_attrgetter(r, k):
    operator.attrgetter("note_" + k)(r)(k)


def changes_through_vars_and_dict(records):
    r1, r2, r3, r4, r5 = records
    r1.set_by_vars(1)
    a = r1.a
    r2.set_by_dict_alias(2)
    b = r2.a
    r3.set_by_type(3)
    c = r3.a
    set_by_vars_update(r4, 4)
    d = r4.a
    set_by_vars_item(r5, 5)
    e = r5.a
    return a, b, c, d, e


def changes_through_a_method_caller(d):
    set_by_method_caller(d, "k", 1)
    return dict(d)


def dispatches_through_tables_and_getters(r):
    for k in "abab":
        note_through_a_table(r, k)
    for k in "ba":
        note_through_an_attrgetter(r, k)
    return list(r.seen)


def records():
    return tuple(Record() for _ in range(5))


def state_of(args):
    return repr([vars(r) for r in args[0]])


if __name__ == "__main__":
    main([(changes_through_vars_and_dict, lambda: (records(),), state_of),
          (changes_through_vars_and_dict, lambda: (records(),), state_of, 3, True),
          (changes_through_a_method_caller, lambda: ({},)),
          (changes_through_a_method_caller, lambda: ({},), repr, 3, True),
          (dispatches_through_tables_and_getters, lambda: (Record(),), lambda a: repr(a[0].seen)),
          (dispatches_through_tables_and_getters, lambda: (Record(),),
           lambda a: repr(a[0].seen), 3, True)])
