"""Functions that set another module's constants (``_project_cfg``)."""
import time

import _project_cfg
import _project_cfg as conf
import _project_cfg_store as store


def apply(debug, limit):
    time.sleep(0.03)
    _project_cfg.DEBUG = debug
    _project_cfg.LIMIT = limit


def set_level(level):
    time.sleep(0.02)
    setattr(conf, "LEVEL", level)


def tick():
    time.sleep(0.01)
    _project_cfg.COUNT += 1


def rename(name):
    time.sleep(0.02)
    conf.NAME, conf.LEVEL = name, "debug"


def _store_limit(limit):
    _project_cfg.LIMIT = limit


def apply_through_a_helper(limit):
    time.sleep(0.02)
    _store_limit(limit)


def widen_through_another_module(width):
    time.sleep(0.02)
    store.set_width(width)
