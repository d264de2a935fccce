"""A registry module of the adversarial programs: module state handed out by getters."""
import time

PLUGINS = []
OPTIONS = {"mode": "a"}
TABLES = {"a": [], "b": []}


def plugins():
    return PLUGINS


def options():
    return OPTIONS


def table(name):
    return TABLES[name]


def register(name):
    time.sleep(0.01)
    PLUGINS.append(name)


def set_option(key, value):
    time.sleep(0.01)
    OPTIONS[key] = value


def add_row(name, row):
    time.sleep(0.005)
    TABLES[name].append(row)


def reset():
    PLUGINS.clear()
    OPTIONS.clear()
    OPTIONS["mode"] = "a"
    for rows in TABLES.values():
        rows.clear()
