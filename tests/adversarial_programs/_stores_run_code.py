"""Classes of the project whose stores run code that changes module state: a
property setter appending to a module-level list, a ``__setitem__`` recording keys,
a ``__setattr__`` counting changes, a descriptor's ``__set__``."""
import time

LOG = []
COUNTS = {"set": 0}


class Tracked:
    @property
    def value(self):
        return self._value if hasattr(self, "_value") else None

    @value.setter
    def value(self, v):
        time.sleep(0.01)
        self._value = v
        LOG.append(("value", v))

    @value.deleter
    def value(self):
        time.sleep(0.01)
        LOG.append(("deleted", None))


class Recording(dict):
    def __setitem__(self, key, v):
        time.sleep(0.01)
        LOG.append(("item", key))
        super().__setitem__(key, v)


class Counting:
    def __setattr__(self, name, v):
        time.sleep(0.01)
        COUNTS["set"] += 1
        object.__setattr__(self, name, v)


class Logged:
    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(obj, self.name, None)

    def __set__(self, obj, v):
        time.sleep(0.01)
        LOG.append(("logged", v))
        setattr(obj, self.name, v)


class WithLogged:
    level = Logged()


def reset():
    LOG.clear()
    COUNTS["set"] = 0
