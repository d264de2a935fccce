"""Callees of the seventeenth round that reach state in ways their names do not show."""
import sys
import time
from _r17_store import *  # noqa: F401,F403


def record(x):
    time.sleep(0.01)
    add(x)  # noqa: F405
    return x


def level_plus(x):
    time.sleep(0.005)
    return x + sys.modules["_r17_store"].LEVEL


class Database:
    def __init__(self):
        self.log = []

    def __enter__(self):
        self.log.append("begin")

    def __exit__(self, *exc):
        self.log.append("commit")


db = Database()


def save(x):
    time.sleep(0.01)
    with db:
        return x * 2


HOOKS = {}


def on(event):
    def deco(fn):
        HOOKS.setdefault(event, []).append(fn)
        return fn
    return deco


@on("save")
def shout(x):
    print("saved", x)


def fire(x):
    for hook in HOOKS["save"]:
        hook(x)


PLUGINS = {}


def plugin(cls):
    PLUGINS[cls.__name__] = cls
    return cls


@plugin
class Shout:
    def run(self, x):
        print("SHOUT", x)


def run_plugin(name, x):
    PLUGINS[name]().run(x)
