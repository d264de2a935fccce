"""Adversarial round fifteen, rule B: functions of another module that set _round15_cfg's constants."""
import functools
import sys
import time

import _round15_cfg as cfg

MODS = {"cfg": cfg}
KEY = "KEYCONST"


def _p():
    time.sleep(0.03)


def via_moddict(v):
    _p()
    MODS["cfg"].MODDICT = v


def _cfg():
    return cfg


def via_getter(v):
    _p()
    _cfg().GETTER = v


def set_named(name, v):
    _p()
    setattr(cfg, name, v)


set_partial = functools.partial(set_named, "PARTIAL")


class Prop:
    @property
    def value(self):
        return cfg.PROP

    @value.setter
    def value(self, v):
        _p()
        cfg.PROP = v


def via_vars(v):
    _p()
    vars(cfg)["VARS"] = v


def via_dunder_dict(v):
    _p()
    cfg.__dict__["DUNDER_DICT"] = v


def via_dict_update(v):
    _p()
    vars(cfg).update(DICT_UPDATE=v)


def via_sys_modules(v):
    _p()
    sys.modules["_round15_cfg"].SYSMOD = v


def via_key_constant(v):
    _p()
    setattr(cfg, KEY, v)


def via_dunder_setattr(v):
    _p()
    cfg.__setattr__("DUNDER_SETATTR", v)
