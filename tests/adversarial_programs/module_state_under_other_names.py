"""Module state changed by a callee (or through a parameter that is the module's
object), read back by the body under another name: an attribute of an imported
module of the project (``settings.DEBUG`` after ``settings.configure(True)``), a name
imported from one, the module object itself, a default parameter bound to a
module-level list. Each read sees the change, as in plain Python.
Run: DESYNC_PACING=0 python tests/adversarial_programs/module_state_under_other_names.py"""
import functools, sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, check, slow  # noqa: E402
import _project_settings as settings  # noqa: E402
import _project_settings  # noqa: E402
from _project_settings import OPTS, SEEN, configure, set_opt, note  # noqa: E402

LOG = []
TABLE = {}
NOTE_SEEN = functools.partial(list.append, SEEN)


class Own:
    level = 0


def set_own(value):
    time.sleep(0.01)
    Own.level = value


def _fresh():
    settings.reset()
    LOG.clear()
    TABLE.clear()
    Own.level = 0
    return ()


def attribute_after_configure():
    settings.configure(True)
    return settings.DEBUG


def attribute_in_an_expression_after_configure():
    settings.configure(True, level=3)
    return [settings.LEVEL * x for x in (1, 2)], settings.DEBUG and settings.LEVEL


def attribute_in_a_branch_test():
    settings.configure(True)
    if settings.DEBUG:
        return "debug"
    return "quiet"


def attribute_of_the_unaliased_import():
    _project_settings.configure(True, level=5)
    return _project_settings.LEVEL


def imported_dict_after_a_callee_fills_it():
    settings.set_opt("a", slow(1))
    return dict(OPTS), dict(settings.OPTS), len(settings.OPTS)


def imported_dict_method_after_a_callee_fills_it():
    set_opt("b", 2)
    return settings.OPTS.get("b"), OPTS.get("b")


def imported_list_in_a_loop():
    out = []
    for x in range(4):
        note(slow(x))
        out.append(len(SEEN))
    return out


def imported_list_read_after_the_loop():
    # (the notes run concurrently, as calls that change module state do: their
    # order among themselves is not kept, what they leave is read after them all)
    for x in range(4):
        note(x)
    return sorted(SEEN), sum(settings.SEEN)


def configure_from_the_imported_name_then_read_the_attribute():
    configure(True, level=2)
    return settings.DEBUG, settings.LEVEL


def module_object_itself():
    module = sys.modules["_project_settings"]
    settings.configure(True, level=4)
    return module.LEVEL


def module_passed_to_a_function():
    settings.configure(True, level=6)
    return getattr(settings, "LEVEL")


def own_module_through_sys_modules():
    set_table("k", slow(3))
    return dict(sys.modules[__name__].TABLE)


def set_table(key, value):
    time.sleep(0.01)
    TABLE[key] = value


def default_parameter_is_the_module_list(xs=(1, 2, 3), out=LOG):
    for x in xs:
        out.append(slow(x) * 2)
    return list(LOG)


def default_parameter_is_the_module_dict(xs=(1, 2), table=TABLE):
    for x in xs:
        table[x] = slow(x)
    return dict(TABLE), len(TABLE)


def default_parameter_read_by_its_global_name_in_a_loop(xs=(1, 2, 3), out=LOG):
    sizes = []
    for x in xs:
        out.append(slow(x))
        sizes.append(len(LOG))
    return sizes


def default_parameter_is_the_imported_dict(keys=("p", "q"), opts=OPTS):
    for k in keys:
        opts[k] = slow(k)
    return sorted(OPTS), sorted(settings.OPTS)


def the_global_list_changed_then_read_through_the_default(xs=(1, 2), out=LOG):
    for x in xs:
        LOG.append(slow(x))
    return list(out)


def configure_fails_after_a_while():
    try:
        settings.configure(True, level=slow(7))
        raise ValueError(settings.LEVEL)
    except ValueError as e:
        return str(e), settings.DEBUG


def class_attributes_set_by_a_function_of_the_other_module():
    settings.set_config(slow(17), "a")
    return settings.Config.level, list(settings.Config.tags)


def a_constructor_that_registers_itself():
    settings.Plugin(slow("b"))
    return list(settings.PLUGINS)


def local_bound_to_the_other_modules_dict():
    opts = settings.OPTS
    set_opt("w", slow(1))
    return dict(opts)


def local_bound_to_an_imported_list_in_a_loop():
    seen = SEEN
    sizes = []
    for x in range(3):
        note(slow(x))
        sizes.append(len(seen))
    return sizes


def default_parameter_is_the_other_modules_list(seen=settings.SEEN):
    note(slow(3))
    return list(seen)


def alias_of_a_default_parameter(out=LOG):
    alias = out
    log_here(slow(1))
    return len(alias)


def log_here(value):
    time.sleep(0.01)
    LOG.append(value)


def a_method_of_an_instance_changes_module_state():
    registry = settings.Registry()
    registry.add(slow(1))
    return len(SEEN), list(settings.SEEN)


def a_class_of_this_module_changed_by_its_function():
    set_own(slow(4))
    return Own.level


def a_handlers_partial_holds_the_imported_list():
    out = []
    for x in range(6):
        try:
            out.append(fail_on_two(x))
        except ValueError:
            NOTE_SEEN(x)
        out.append(len(SEEN))
    return out


def fail_on_two(x):
    time.sleep(0.01)
    if x % 3 == 2:
        raise ValueError(x)
    return x


CASES = [(f, _fresh) for f in (a_method_of_an_instance_changes_module_state,
                               a_class_of_this_module_changed_by_its_function,
                               a_handlers_partial_holds_the_imported_list,local_bound_to_the_other_modules_dict,
                               local_bound_to_an_imported_list_in_a_loop,
                               default_parameter_is_the_other_modules_list,
                               alias_of_a_default_parameter,class_attributes_set_by_a_function_of_the_other_module,
                               a_constructor_that_registers_itself,
    attribute_after_configure, attribute_in_an_expression_after_configure,
    attribute_in_a_branch_test, attribute_of_the_unaliased_import,
    imported_dict_after_a_callee_fills_it, imported_dict_method_after_a_callee_fills_it,
    imported_list_in_a_loop, imported_list_read_after_the_loop,
    configure_from_the_imported_name_then_read_the_attribute, module_object_itself,
    module_passed_to_a_function, own_module_through_sys_modules,
    default_parameter_is_the_module_list, default_parameter_is_the_module_dict,
    default_parameter_read_by_its_global_name_in_a_loop,
    default_parameter_is_the_imported_dict,
    the_global_list_changed_then_read_through_the_default,
    configure_fails_after_a_while)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
