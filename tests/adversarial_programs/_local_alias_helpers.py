"""Functions of the project that change module state through a name of their own:
a local alias (``s = LOG; s.append(x)``), a walrus, a parameter defaulting to the
module's object, ``getattr(settings, "SEEN")``, a getter's result, a row of a
module-level table. Each must count as changing module state, as its direct form
(``LOG.append(x)``) does: never cached, never moved past a read of that state."""
import sys
import time

import _project_settings as settings
from _project_settings import SEEN

LOG = []
TABLE = {"a": [], "b": []}


def _pause(x):
    time.sleep(0.002 * (3 - x % 3))


def note_through_alias(x):
    _pause(x)
    s = LOG
    s.append(x)


def note_through_two_aliases(x):
    _pause(x)
    first = LOG
    second = first
    second.append(x)


def note_through_walrus(x):
    _pause(x)
    (s := LOG).append(x)


def note_through_default(x, dst=None):
    _pause(x)
    dst = dst if dst is not None else LOG
    dst.append(x)


def note_through_or(x, dst=None):
    _pause(x)
    dst = dst or LOG
    dst.append(x)


def note_through_getattr(x):
    _pause(x)
    getattr(settings, "SEEN").append(x)


def note_through_getattr_local(x):
    _pause(x)
    seen = getattr(settings, "SEEN")
    seen.append(x)


def _log():
    return LOG


def note_through_getter(x):
    _pause(x)
    _log().append(x)


def note_through_getter_local(x):
    _pause(x)
    log = _log()
    log.append(x)


def store_through_alias(key, value):
    _pause(value)
    table = settings.OPTS
    table[key] = value


def append_to_a_row(key, value):
    _pause(value)
    row = TABLE[key]
    row.append(value)


def append_to_every_row(value):
    _pause(value)
    for row in TABLE.values():
        row.append(value)


def note_imported_through_alias(x):
    _pause(x)
    s = SEEN
    s.append(x)


def tag_through_class_alias(x):
    _pause(x)
    config = settings.Config
    config.tags.append(x)


def note_through_sys_modules(x):
    _pause(x)
    sys.modules[__name__].LOG.append(x)


def count_through_globals(x):
    _pause(x)
    globals()["COUNT"] = globals().get("COUNT", 0) + 1


COUNT = 0


def reset():
    global COUNT
    COUNT = 0
    LOG.clear()
    for row in TABLE.values():
        row.clear()
