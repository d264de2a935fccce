"""A function of the project that changes module state through a name of its own
(a local alias, a walrus, a defaulted parameter, ``getattr(module, name)``, what a
getter returns, a row of a module-level table): desync must count it as changing
state, as it counts ``LOG.append(x)``. With the default cache, a call repeated with
the same argument runs again (a hit would skip the change: the ``_repeated`` cases
compare what was added, sorted, as calls that change state are promised not to
depend on each other's order); a read of the state before it sees the state before it. Every case failed before effect inference
followed these names: the callees were judged pure, cached and run early.
Run: DESYNC_PACING=0 python tests/adversarial_programs/callee_changes_state_through_its_own_name.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _project_settings as settings  # noqa: E402
import _local_alias_helpers as H  # noqa: E402


def _fresh():
    settings.reset()
    H.reset()
    return ()


def slowly(x):
    time.sleep(0.003 * (4 - x % 4))
    return x


def alias_repeated():
    for x in (1, 1, 2, 1):
        H.note_through_alias(x)
    return sorted(H.LOG)


def alias_read_before():
    out = []
    for x in range(4):
        out.append(slowly(x) + len(H.LOG))
        H.note_through_alias(x)
    return out, list(H.LOG)


def two_aliases_repeated():
    for x in (2, 2, 2):
        H.note_through_two_aliases(x)
    return len(H.LOG)


def walrus_repeated():
    for x in (1, 1):
        H.note_through_walrus(x)
    return sorted(H.LOG)


def walrus_read_before():
    out = []
    for x in range(3):
        out.append(slowly(x) * 10 + len(H.LOG))
        H.note_through_walrus(x)
    return out


def default_repeated():
    for x in (3, 3, 3):
        H.note_through_default(x)
    return sorted(H.LOG)


def or_read_before():
    out = []
    for x in range(4):
        out.append(slowly(x) + sum(H.LOG))
        H.note_through_or(x)
    return out


def getattr_repeated():
    for x in (1, 1):
        H.note_through_getattr(x)
    return sorted(settings.SEEN)


def getattr_local_read_before():
    out = []
    for x in range(3):
        out.append(slowly(x) + len(settings.SEEN))
        H.note_through_getattr_local(x)
    return out


def getter_repeated():
    for x in (4, 4):
        H.note_through_getter(x)
    return sorted(H.LOG)


def getter_local_read_before():
    out = []
    for x in range(3):
        out.append(slowly(x) + len(H.LOG))
        H.note_through_getter_local(x)
    return out


def store_alias_read_before():
    out = []
    for x in range(4):
        out.append(slowly(x) + len(settings.OPTS))
        H.store_through_alias(x, x)
    return out


def row_repeated():
    for x in (1, 1, 1):
        H.append_to_a_row("a", x)
    return {k: sorted(v) for k, v in H.TABLE.items()}


def every_row_read_before():
    out = []
    for x in range(3):
        out.append(slowly(x) + len(H.TABLE["b"]))
        H.append_to_every_row(x)
    return out


def imported_alias_repeated():
    for x in (5, 5):
        H.note_imported_through_alias(x)
    return sorted(settings.SEEN)


def class_alias_read_before():
    out = []
    for x in range(3):
        out.append(slowly(x) + len(settings.Config.tags))
        H.tag_through_class_alias(x)
    return out


def sys_modules_read_before():
    out = []
    for x in range(3):
        out.append(slowly(x) + len(H.LOG))
        H.note_through_sys_modules(x)
    return out


def globals_repeated():
    for x in (1, 1, 1):
        H.count_through_globals(x)
    return H.COUNT


def _state(args):
    return repr([sorted(v) for v in (H.LOG, *H.TABLE.values(), settings.SEEN,
                                      settings.OPTS.items(), settings.Config.tags)])


CASES = [(f, _fresh, _state, 5, True) for f in (
    alias_repeated, alias_read_before, two_aliases_repeated, walrus_repeated,
    walrus_read_before, default_repeated, or_read_before, getattr_repeated,
    getattr_local_read_before, getter_repeated, getter_local_read_before,
    store_alias_read_before, row_repeated, every_row_read_before,
    imported_alias_repeated, class_alias_read_before, sys_modules_read_before,
    globals_repeated)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
