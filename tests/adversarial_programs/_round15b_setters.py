"""Adversarial round fifteen (second) rule B: functions of another module setting _round15b_cfg's constants."""
import importlib
import time

import _round15b_cfg as cfg
from _round15b_base import Base


def _p():
    time.sleep(0.03)


class _Impl:
    def put(self, v):
        cfg.INST = v


class Holder:
    def __init__(self):
        self.impl = _Impl()

    def apply(self, v):
        _p()
        self.impl.put(v)


HOLDER = Holder()

CALLBACKS = []


def register(f):
    CALLBACKS.append(f)
    return f


@register
def _set_reg(v):
    cfg.REG = v


def fire(v):
    _p()
    for cb in CALLBACKS:
        cb(v)


def via_exec(v):
    _p()
    exec("cfg.EXEC = v", {"cfg": cfg, "v": v})


def via_eval(v):
    _p()
    eval("setattr(cfg, 'EVAL', v)", {"cfg": cfg, "v": v})


def reload_cfg():
    _p()
    importlib.reload(cfg)


class Child(Base):
    pass


CHILD = Child()


def via_local_import(v):
    _p()
    import _round15b_cfg as c
    c.LOCAL = v


def new_opts():
    _p()
    cfg.OPTS = {}


def _set_default(v):
    cfg.DEFAULT = v


def via_default_arg(v, setter=_set_default):
    _p()
    setter(v)


def _set_handler(v):
    cfg.HANDLER = v


HANDLERS = {"h": _set_handler}


def dispatch(k, v):
    _p()
    HANDLERS[k](v)


def _set_globals(v):
    cfg.GLOBALS = v


def via_globals(v):
    _p()
    globals()["_set_globals"](v)


class ModHolder:
    def __init__(self):
        self.mod = cfg

    def put(self, v):
        _p()
        self.mod.INSTMOD = v


MODHOLDER = ModHolder()


def _make():
    m = cfg

    def put(v):
        _p()
        m.CLOSURE_MOD = v
    return put


closure_mod = _make()


def lambda_default(v):
    _p()
    f = lambda v, m=cfg: setattr(m, "LAMBDA_DEFAULT", v)  # noqa: E731
    f(v)


LOG = []
HOOKS = []


def _hook_log(x):
    LOG.append(x)


HOOKS.append(_hook_log)


def fire_log(x):                 # a registry of hooks; a hook changes module state
    time.sleep(0.002 * (3 - x % 3))
    for hook in HOOKS:
        hook(x)
