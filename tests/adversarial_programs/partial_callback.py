"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/partial_callback.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402

# A functools.partial of a printing function, held in a local, passed as key / callback
import functools

def add(a, b):
    print("add", a, b)
    return a + b

def apply(fn, x):
    return fn(x)

def pick_partial():
    time.sleep(0.02)
    return functools.partial(add, 100)

def partial_key():
    k = functools.partial(add, 10)
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=k)

def partial_reduce():
    k = functools.partial(add)
    a = slow(1)
    print("first", a)
    return functools.reduce(k, [1, 2, 3])

def partial_apply():
    k = functools.partial(add, 1)
    a = slow(1)
    print("first", a)
    return apply(k, 2)

def partial_in_lambda():
    k = functools.partial(add, 10)
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=lambda v: k(v))

def partial_from_slow_call():          # flaky (about 1 in 5)
    fn = pick_partial()
    print("before")
    return sorted([2, 1], key=fn)

if __name__ == "__main__":
    main([partial_key, partial_reduce, partial_apply, partial_in_lambda, (partial_from_slow_call, lambda: (), repr, 20)])
