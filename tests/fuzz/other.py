"""A module of the project that generated programs import (``import ... as OTHER``,
``from ... import OPTS as OOPTS``): ``seto`` rebinds its global and fills its dict,
and the body reads them back under the module's name, as settings modules are used.
The harness resets it before every run (through each program's ``_reset``)."""
from tests.fuzz.rt import hit as _hit

LEVEL = 0
OPTS: dict = {}
# Never rebound by this module's own code: the generated programs' ``setstep`` sets
# it from outside (``OTHER.STEP = v``), as a command-line module sets a settings
# module's constant, and resets it (see gen.py's ``_reset``).
STEP = 1


def seto(x):
    global LEVEL
    _hit("seto", x)
    LEVEL = (LEVEL + x) % 97
    OPTS[x % 5] = x
    return x


def bump(x):
    """Changes the module's state as ``seto`` does, but never fails (see prelude.steady)."""
    global LEVEL
    LEVEL = (LEVEL + x + 1) % 97
    OPTS[x % 5] = -x
    return x


def reset():
    global LEVEL
    LEVEL = 0
    OPTS.clear()   # (in place: programs hold it by another name)


def state():
    return {"LEVEL": LEVEL, "OPTS": sorted(OPTS.items()), "STEP": STEP}
