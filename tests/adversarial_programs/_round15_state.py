"""Adversarial round fifteen, rule A: project functions that change module-level objects through names desync does not follow."""
import contextlib
import copy
import sys
import time

import _project_settings as settings

LOG = []
TABLE = {"a": []}


def _pause(x):
    time.sleep(0.002 * (3 - x % 3))


def tuple_unpack(x):            # a, b = LOG, TABLE
    _pause(x)
    s, t = LOG, TABLE
    s.append(x)


def star_unpack(x):             # s, *_ = [LOG, None]
    _pause(x)
    s, *_ = [LOG, None]
    s.append(x)


def with_target(x):             # with ... as s
    _pause(x)
    with contextlib.nullcontext(LOG) as s:
        s.append(x)


def for_over_tuple(x):          # for s in (LOG,)
    _pause(x)
    for s in (LOG,):
        s.append(x)


def comprehension_target(x):    # [... for s in [LOG]]
    _pause(x)
    [s.append(x) for s in [LOG]]


def display_item(x):            # s = [LOG][0] / {"k": LOG}["k"]
    _pause(x)
    s = {"log": LOG}["log"]
    s.append(x)


def rows_by_comprehension(x):   # rows = [TABLE[k] for k in ...]
    _pause(x)
    rows = [TABLE[k] for k in ("a",)]
    rows[0].append(x)


def shallow_copy(x):            # copy.copy(TABLE) / dict(TABLE) / TABLE.copy(): rows shared
    _pause(x)
    t = dict(TABLE)
    t["a"].append(x)


def next_of_values(x):          # next(iter(TABLE.values()))
    _pause(x)
    next(iter(TABLE.values())).append(x)


def vars_of_module(x):          # vars(settings)["SEEN"] / settings.__dict__["SEEN"]
    _pause(x)
    vars(settings)["SEEN"].append(x)


def getattr_of_sys_modules(x):  # getattr(sys.modules[__name__], "LOG")
    _pause(x)
    getattr(sys.modules[__name__], "LOG").append(x)


def bound_method_alias(x):      # add = LOG.append; add(x)
    _pause(x)
    add = LOG.append
    add(x)


def map_bound_method(x):        # list(map(LOG.append, [x]))
    _pause(x)
    list(map(LOG.append, [x]))


def type_method(x):             # type(LOG).append(LOG, x)
    _pause(x)
    type(LOG).append(LOG, x)


def nested_def_given_it(x):     # def put(s): s.append(x); put(LOG)
    _pause(x)

    def put(s):
        s.append(x)
    put(LOG)


def lambda_default(x):          # (lambda s=LOG: s.append(x))()
    _pause(x)
    f = lambda s=LOG: s.append(x)  # noqa: E731
    f()


def iadd_alias(x):              # s = LOG; s += [x]
    _pause(x)
    s = LOG
    s += [x]


class Recorder:                 # self.log = LOG; self.log.append(x)
    def __init__(self):
        self.log = LOG

    def add(self, x):
        _pause(x)
        self.log.append(x)


def reset():
    LOG.clear()
    TABLE["a"].clear()
    settings.reset()
