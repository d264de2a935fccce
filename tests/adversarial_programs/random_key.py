"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/random_key.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402

# A key drawing from `random`, as a partial or a callable instance: draws happen before earlier draws
import functools

def rkey(v):
    return random.random()

class RK:
    def __call__(self, v):
        return random.random()

def draw(n):
    return [random.random() for _ in range(n)]

def random_key_partial():
    k = functools.partial(rkey)
    a = slow(2)
    x = draw(a)
    return x, sorted([1, 2, 3, 4], key=k)

def random_key_instance():
    k = RK()
    a = slow(2)
    x = draw(a)
    return x, sorted([1, 2, 3, 4], key=k)

if __name__ == "__main__":
    main([random_key_partial, random_key_instance])
