"""Module state the body itself changes under one name (``settings.OPTS[k] = v``) and
reads back under another (``dict(OPTS)``, imported from the same module): one object,
one order, whichever name the body uses. Also a module reached through a module-level
alias (``ALIAS = settings``), a local bound with ``getattr`` or a conditional.
Run: DESYNC_PACING=0 python tests/adversarial_programs/own_change_read_by_another_name.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _project_settings as settings  # noqa: E402
import _project_settings  # noqa: E402
from _project_settings import OPTS, SEEN, Config, note, set_opt  # noqa: E402

ALIAS = settings
FOUND = sys.modules["_project_settings"]
try:   # (an optional import that fails: its name is never bound)
    from _desync_not_installed_accel import accel
    HAVE_ACCEL = True
except ImportError:
    HAVE_ACCEL = False
if HAVE_ACCEL:
    ACTIVE = settings.OPTS


def _fresh():
    settings.reset()
    return ()


def slowly(x):
    time.sleep(0.004 * (4 - x % 4))
    return x


def stored_by_the_module_read_by_the_import():
    out = []
    for x in range(4):
        settings.OPTS[x] = slowly(x)
        out.append(dict(OPTS))
    return out


def stored_by_the_import_read_by_the_module():
    out = []
    for x in range(4):
        OPTS[x] = slowly(x)
        out.append(len(settings.OPTS))
    return out


def appended_by_the_module_read_by_the_import():
    out = []
    for x in range(4):
        settings.SEEN.append(slowly(x))
        out.append(sum(SEEN))
    return out


def appended_by_the_other_import_name():
    out = []
    for x in range(4):
        _project_settings.SEEN.append(slowly(x))
        out.append(list(settings.SEEN))
    return out


def updated_then_sorted():
    settings.OPTS.update({x: slowly(x) for x in range(3)})
    return sorted(OPTS)


def deleted_then_tested():
    OPTS.update(a=1, b=2)
    out = []
    for key in ("a", "b"):
        del settings.OPTS[key]
        out.append((key in OPTS, slowly(len(OPTS))))
    return out


def class_list_through_the_module():
    Config.tags = []
    for x in range(3):
        settings.Config.tags.append(slowly(x))
    return list(Config.tags)


def read_through_a_module_alias():
    out = []
    for x in range(4):
        settings.set_opt(x, slowly(x))
        out.append(len(ALIAS.OPTS))
    return out


def read_through_a_module_found_at_import():
    out = []
    for x in range(4):
        set_opt(x, slowly(x))
        out.append(len(FOUND.OPTS))
    return out


def changed_through_a_module_alias():
    out = []
    for x in range(4):
        ALIAS.OPTS[x] = slowly(x)
        out.append(len(OPTS))
    return out


def local_bound_with_getattr():
    seen = getattr(settings, "SEEN")
    out = []
    for x in range(4):
        note(slowly(x))
        out.append(len(seen))
    return out


def parameter_given_the_list_by_a_conditional(dst=None):
    dst = SEEN if dst is None else dst
    out = []
    for x in range(4):
        note(slowly(x))
        out.append(len(dst))
    return out


def parameter_given_the_list_by_or(dst=None):
    dst = dst or SEEN
    out = []
    for x in range(4):
        note(slowly(x))
        out.append(sum(dst))
    return out


def an_optional_import_never_read():
    # (its name, unbound, is read only where the import worked: as in Python, no
    # NameError; session fourteen's checks of names read looked it up first)
    out = []
    for x in range(3):
        out.append(accel.run(x) if HAVE_ACCEL else slowly(x))
        out.append((lambda v: accel.run(v)) if HAVE_ACCEL else len(SEEN))
        out.append(ACTIVE if HAVE_ACCEL else len(OPTS))
        note(x)
    return out


CASES = [(f, _fresh) for f in (
    an_optional_import_never_read,
    parameter_given_the_list_by_a_conditional, parameter_given_the_list_by_or,
    stored_by_the_module_read_by_the_import, stored_by_the_import_read_by_the_module,
    appended_by_the_module_read_by_the_import, appended_by_the_other_import_name,
    updated_then_sorted, deleted_then_tested, class_list_through_the_module,
    read_through_a_module_alias, read_through_a_module_found_at_import,
    changed_through_a_module_alias, local_bound_with_getattr)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
