"""Adversarial round fifteen (second) rule A: project functions changing module state through names."""
import collections
import functools
import itertools
import operator
import time
import weakref
from dataclasses import dataclass, field

import _round15b_other as other

LOG = []
TABLE = {"a": []}


def _pause(x):
    time.sleep(0.002 * (3 - x % 3))


# -- class-level aliases
class ClassBodyAlias:            # class attribute bound in the class body
    log = LOG

    def add(self, x):
        _pause(x)
        self.log.append(x)


def class_body_alias(x):
    ClassBodyAlias().add(x)


class OtherMethodAlias:          # bound in a method other than __init__
    def attach(self):
        self.log = LOG
        return self

    def add(self, x):
        _pause(x)
        self.log.append(x)


def other_method_alias(x):
    OtherMethodAlias().attach().add(x)


class ClsAlias:
    @classmethod
    def bind(cls):
        cls.log = LOG

    def add(self, x):
        _pause(x)
        self.log.append(x)


ClsAlias.bind()


def cls_alias(x):
    ClsAlias().add(x)


class SetattrAlias:
    def __init__(self):
        setattr(self, "log", LOG)

    def add(self, x):
        _pause(x)
        self.log.append(x)


def setattr_alias(x):
    SetattrAlias().add(x)


class ListOfState:
    def __init__(self):
        self.logs = [LOG]

    def add(self, x):
        _pause(x)
        self.logs[0].append(x)


def list_of_state(x):
    ListOfState().add(x)


class ViaGetter:
    def __init__(self):
        self.log = self._default()

    def _default(self):
        return LOG

    def add(self, x):
        _pause(x)
        self.log.append(x)


def via_getter_method(x):
    ViaGetter().add(x)


class GivenIt:
    def __init__(self, log):
        self.log = log

    def add(self, x):
        _pause(x)
        self.log.append(x)


def instance_given_state(x):      # GivenIt(LOG).add(x)
    GivenIt(LOG).add(x)


@dataclass
class DC:
    log: list = field(default_factory=lambda: LOG)


def dataclass_default_factory(x):
    _pause(x)
    DC().log.append(x)


# -- function-level
def _get2():
    return LOG


def _get1():
    return _get2()


def second_getter(x):
    _pause(x)
    _get1().append(x)


def other_module_getter(x):
    _pause(x)
    other.get_log2().append(x)


def closure_alias(x):
    _pause(x)
    s = LOG

    def inner():
        s.append(x)
    inner()


def _gen(x):
    s = LOG
    s.append(x)
    yield x


def generator_alias(x):
    _pause(x)
    list(_gen(x))


def partial_bound(x):
    _pause(x)
    functools.partial(LOG.append)(x)


def partial_unbound(x):
    _pause(x)
    functools.partial(list.append, LOG)(x)


def methodcaller_alias(x):
    _pause(x)
    s = LOG
    operator.methodcaller("append", x)(s)


def getattr_method(x):
    _pause(x)
    getattr(LOG, "append")(x)


def getattr_method_alias(x):
    _pause(x)
    m = getattr(LOG, "append")
    m(x)


def itertools_chain_rows(x):
    _pause(x)
    for row in itertools.chain(TABLE.values()):
        row.append(x)


def islice_rows(x):
    _pause(x)
    for row in itertools.islice(TABLE.values(), 1):
        row.append(x)


def chainmap_store(x):
    _pause(x)
    cm = collections.ChainMap(TABLE)
    cm["a"].append(x)


def chainmap_setitem(x):
    _pause(x)
    cm = collections.ChainMap(TABLE)
    cm["b%d" % len(TABLE)] = x


def weakref_proxy(x):
    _pause(x)
    weakref.proxy(_W).add(x)


class _WS(set):
    pass


_W = _WS()


def exitstack_callback(x):
    import contextlib
    _pause(x)
    with contextlib.ExitStack() as st:
        st.callback(LOG.append, x)


def list_iadd_unbound(x):
    _pause(x)
    list.__iadd__(LOG, [x])


def slice_assign(x):
    _pause(x)
    s = LOG
    s[len(s):] = [x]


def dunder_setitem(x):
    _pause(x)
    s = TABLE
    s.__setitem__("k%d" % len(s), x)


def aug_item(x):
    _pause(x)
    s = TABLE
    s["n"] = s.get("n", 0)
    s["n"] += 1


def map_unbound(x):
    _pause(x)
    list(map(list.append, [LOG], [x]))


def other_put(x):
    _pause(x)
    other.put(LOG, x)


def deque_alias(x):
    _pause(x)
    d = collections.deque([LOG])
    d[0].append(x)


def sorted_rows(x):
    _pause(x)
    for row in sorted(TABLE.values(), key=len):
        row.append(x)


def zip_rows(x):
    _pause(x)
    for k, row in zip(TABLE, TABLE.values()):
        row.append(x)


def dict_items_rows(x):
    _pause(x)
    for k, row in TABLE.items():
        row.append(x)


def reduce_into(x):
    _pause(x)
    functools.reduce(lambda acc, v: acc.append(v) or acc, [x], LOG)


def setdefault_chain(x):
    _pause(x)
    TABLE.setdefault("a", []).append(x)


def sum_of(x):
    _pause(x)
    s = LOG
    s.extend([x])


def reset():
    LOG.clear()
    other.LOG2.clear()
    for k in list(TABLE):
        if k != "a":
            del TABLE[k]
    TABLE["a"].clear()
    _W.clear()


def wrapper_round15_recorder(x):   # the class rule A fixed, reached through a wrapper
    import _round15_state as R
    R.Recorder().add(x)


class PlainInit:                    # exactly the fixed shape: self.log = LOG in __init__
    def __init__(self):
        self.log = LOG

    def add(self, x):
        _pause(x)
        self.log.append(x)


def wrapper_plain_init(x):
    PlainInit().add(x)


def wrapper_plain_init_local(x):
    r = PlainInit()
    r.add(x)


REC_CB = ClassBodyAlias()
REC_OM = OtherMethodAlias().attach()
REC_CLS = ClsAlias()
REC_SA = SetattrAlias()
REC_LS = ListOfState()
REC_VG = ViaGetter()
REC_GI = GivenIt(LOG)
