"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/class_and_lru_callback.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402

# A class whose __init__ prints, or an lru_cache/cache-wrapped printing function, passed as key / to map
import functools

class Loud:
    def __init__(self, v):
        print("Loud", v)
        self.v = v
    def __lt__(self, o):
        return self.v < o.v
    def __repr__(self):
        return "L%d" % self.v

@functools.lru_cache(maxsize=None)
def cached_show(v):
    print("cached", v)
    return v

def class_map():
    a = slow(1)
    print("first", a)
    return list(map(Loud, [1, 2]))

def class_key():
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=Loud)

def lru_key():
    cached_show.cache_clear()
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=cached_show)

if __name__ == "__main__":
    main([class_map, class_key, lru_key])
