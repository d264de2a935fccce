"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/callable_instance.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402

# Instances of a class with a printing __call__ (local, global, inline, via lambda)
class Printer:
    def __init__(self, tag):
        self.tag = tag
    def __call__(self, v):
        print("call", self.tag, v)
        return v

P = Printer("P")

def apply(fn, x):
    return fn(x)

def inst_key_local():
    p = Printer("ci")
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=p)

def inst_key_inline():
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=Printer("inl"))

def inst_map_global():
    a = slow(1)
    print("first", a)
    return list(map(P, [2, 1]))

def inst_direct_call_global():         # not even passed along: P(3) called directly
    a = slow(1)
    print("first", a)
    return P(3)

def inst_apply():
    p = Printer("ai")
    a = slow(1)
    print("first", a)
    return apply(p, 2)

def inst_in_lambda():
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=lambda v: P(v))

class BadK:
    def __call__(self, v):
        print("badk", v)
        raise KeyError(v)

def inst_raising_key():
    k = BadK()
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=k)

if __name__ == "__main__":
    main([inst_key_local, inst_key_inline, inst_map_global, inst_direct_call_global,
          inst_apply, inst_in_lambda, inst_raising_key])
