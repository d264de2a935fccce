"""What a module's code sets on other modules of the project, read from code objects
(``desync.runtime.reach.names_set_on_modules``): a module of constants that its own
code never rebinds, set by a command-line module's function (``cfg.DEBUG = v``), must
not be judged stable by the reads that follow such a call."""
from __future__ import annotations

import functools
import sys

from desync.runtime.reach import ANY_NAME, names_set_on_modules
from tests import idiom_settings as cfg

MODULES = {"cfg": cfg}


def sets_two(debug):
    cfg.SCALE = debug
    del cfg.CALLS


def _store(v):
    cfg.DONE = v


def sets_through_a_helper(v):
    _store(v)


def _the_module():
    return cfg


def sets_what_a_getter_gives(v):
    _the_module().SCALE = v


def sets_a_module_kept_in_a_dict(v):
    MODULES["cfg"].SCALE = v


def sets_by_a_name_it_is_given(name, v):
    setattr(cfg, name, v)


def sets_through_the_module_dict(v):
    vars(cfg)["SCALE"] = v


def sets_a_module_found_by_name(v):
    sys.modules["tests.idiom_settings"].SCALE = v


class Settings:
    @property
    def scale(self):
        return cfg.SCALE

    @scale.setter
    def scale(self, v):
        cfg.SCALE = v


def sets_nothing(v):
    return cfg.SCALE * v


def test_a_store_and_a_delete_name_the_module_and_the_names():
    assert names_set_on_modules(sets_two) == {cfg: frozenset({"SCALE", "CALLS"})}


def test_functions_it_calls_are_followed():
    assert names_set_on_modules(sets_through_a_helper) == {cfg: frozenset({"DONE"})}
    assert names_set_on_modules(functools.partial(sets_through_a_helper, 1)) \
        == {cfg: frozenset({"DONE"})}
    assert names_set_on_modules(sets_what_a_getter_gives) == {cfg: frozenset({"SCALE"})}
    assert names_set_on_modules(sets_a_module_kept_in_a_dict) == {cfg: frozenset({"SCALE"})}


def test_a_name_not_written_in_the_code_is_any_name():
    assert names_set_on_modules(sets_by_a_name_it_is_given) == {cfg: ANY_NAME}
    assert names_set_on_modules(sets_through_the_module_dict) == {cfg: ANY_NAME}


def sets_a_module_found_by_a_computed_name(package, v):
    sys.modules[package + ".idiom_settings"].SCALE = v


def test_a_module_found_by_name_is_that_module_or_any_module():
    # (the module a string of the code names; else, any module of the project)
    assert names_set_on_modules(sets_a_module_found_by_name) == {cfg: frozenset({"SCALE"})}
    assert names_set_on_modules(sets_a_module_found_by_a_computed_name)[None] \
        == frozenset({"SCALE"})


def test_a_class_brings_its_property_setters():
    assert names_set_on_modules(Settings) == {cfg: frozenset({"SCALE"})}


def test_code_that_sets_nothing_sets_nothing():
    assert names_set_on_modules(sets_nothing) == {}


class Options:
    def set(self, **values):
        for name, value in values.items():
            setattr(self, name, value)
        return self


def sets_options_of_its_own(v):
    Options().set(level=v)
    return cfg.SCALE


HANDLERS = {"scale": _store}


def dispatches(kind, v):
    HANDLERS[kind](v)


def test_setattr_on_its_own_object_is_not_any_name():
    # (``setattr(self, k, v)``: reads of an unrelated module's constants stay stable)
    assert names_set_on_modules(sets_options_of_its_own) == {}


def test_functions_kept_in_a_container_are_followed():
    assert names_set_on_modules(dispatches) == {cfg: frozenset({"DONE"})}


# -- which calls may change a part of module state a loop iterates (reach.may_touch) ---
class _App:
    routes = []
    requests = 0
    table = {"rows": []}


ROUTES_ALIAS = _App.routes


def _counts(route):
    _App.requests += 1


def _adds_a_route(route):
    _App.routes.append(route)


def _adds_through_a_helper(route):
    _adds_a_route(route)


def _adds_through_an_alias(route):
    ROUTES_ALIAS.append(route)


def _adds_a_row(row):
    _App.table["rows"].append(row)


def _reaches_by_name(name, value):
    getattr(_App, name).append(value)


def _clears_every_list():
    for rows in vars(_App).values():
        if isinstance(rows, list):
            rows.clear()


def test_a_call_may_change_a_part_only_if_its_code_can_reach_it():
    from desync.runtime.reach import may_touch
    routes, rows = _App.routes, _App.table["rows"]
    assert not may_touch(_counts, routes, frozenset({"routes"}))
    for fn in (_adds_a_route, _adds_through_a_helper, _adds_through_an_alias,
               _reaches_by_name, _clears_every_list):
        assert may_touch(fn, routes, frozenset({"routes"})), fn.__name__
    assert may_touch(_adds_a_row, rows, frozenset({"rows"}))
    assert not may_touch(_adds_a_row, routes, frozenset({"routes"}))
    assert may_touch(functools.partial(_adds_a_route), routes, frozenset({"routes"}))
    assert may_touch(print, routes, frozenset({"routes"}))   # (no code to read: it may)
