"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/fns_in_container_arg.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402

# Printing functions passed inside a list / dict to a user function that calls them
def show(v):
    print("show", v)
    return v

def neg(v):
    print("neg", v)
    return -v

def run_all(fns, x):
    return [f(x) for f in fns]

def dispatch(table, k, x):
    return table[k](x)

def list_of_fns():
    a = slow(1)
    print("first", a)
    return run_all([show, neg], 3)

def dict_literal_of_fns():
    a = slow(1)
    print("first", a)
    return dispatch({"a": show}, "a", 3)

def dict_local_of_fns():
    t = {"a": show}
    a = slow(1)
    print("first", a)
    return dispatch(t, "a", 3)

if __name__ == "__main__":
    main([list_of_fns, dict_literal_of_fns, dict_local_of_fns])
