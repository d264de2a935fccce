"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/method_in_lambda.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402

# A lambda / nested def / default argument / MethodType that reaches a printing method or function
import types

class Printer:
    def __init__(self, tag):
        self.tag = tag
    def key(self, v):
        print(self.tag, v)
        return v

P = Printer("P")

def show(v):
    print("show", v)
    return v

def lambda_method_local():
    p = Printer("lm")
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=lambda v: p.key(v))

def lambda_method_global():
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=lambda v: P.key(v))

def nested_def_method():
    p = Printer("nd")
    def k(v):
        return p.key(v)
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=k)

def lambda_default_fn():
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=lambda v, f=show: f(v))

def methodtype_key():
    m = types.MethodType(lambda self, v: show(v), object())
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=m)

if __name__ == "__main__":
    main([lambda_method_local, lambda_method_global, nested_def_method, lambda_default_fn, methodtype_key])
