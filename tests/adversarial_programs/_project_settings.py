"""A module of the project that other programs here import: its functions rebind
its globals and fill its module-level objects, as a settings module does."""
import time

DEBUG = False
LEVEL = 1
OPTS = {}
SEEN = []
PLUGINS = []


class Config:
    level = 0
    tags = []


class Plugin:
    def __init__(self, name):
        time.sleep(0.01)
        PLUGINS.append(name)
        self.name = name


class Registry:
    def add(self, value):
        time.sleep(0.01)
        SEEN.append(value)
        return value


def set_config(level, tag):
    time.sleep(0.02)
    Config.level = level
    Config.tags.append(tag)


def configure(debug, level=None):
    global DEBUG, LEVEL
    time.sleep(0.02)
    DEBUG = debug
    if level is not None:
        LEVEL = level


def set_opt(key, value):
    time.sleep(0.02)
    OPTS[key] = value


def note(value):
    time.sleep(0.01)
    SEEN.append(value)
    return value


def reset():
    global DEBUG, LEVEL
    DEBUG, LEVEL = False, 1
    OPTS.clear()
    SEEN.clear()
    PLUGINS.clear()
    Config.level = 0
    Config.tags = []
