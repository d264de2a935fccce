"""A settings module of the adversarial programs: a memoized getter of another module."""
import functools
import time


@functools.lru_cache(maxsize=None)
def settings():
    return {"level": 1}


def set_level(level):
    time.sleep(0.01)
    settings()["level"] = level
