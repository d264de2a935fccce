"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/callback_programs/kwarg_name_collision.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402

# Internal error: a keyword argument named like a runtime parameter (fn, self, name, obj, target)
def apply(fn, x):
    return fn(x)

def kwf(**kw):
    return sorted(kw.items())

class Box:
    def __init__(self):
        self.items = []
    def put(self, **kw):
        self.items.append(sorted(kw.items()))

def show(v):
    print("show", v)
    return v

def kw_fn():
    a = slow(1)
    return apply(fn=show, x=a)          # TypeError: Body.call() got multiple values for argument 'fn'

def kw_self():
    a = slow(1)
    return kwf(self=a)

def kw_method_name(b):
    a = slow(1)
    b.put(name=a, obj=2, target=3)      # Body.method() got multiple values for argument 'name'
    return b.items

def kw_in_try_loop():
    out = []
    for i in range(2):
        try:
            out.append(kwf(fn=i))       # Body.spec() got multiple values for argument 'fn'
        except ValueError:
            pass
    return out

def kw_dstar():
    a = slow(1)
    return apply(**{"x": a, "fn": show})  # sequential mode only

if __name__ == "__main__":
    main([kw_fn, kw_self, (kw_method_name, lambda: (Box(),), lambda a: repr(a[0].items)),
          kw_in_try_loop, kw_dstar])
