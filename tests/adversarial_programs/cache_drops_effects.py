"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/cache_drops_effects.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow, to_stdout  # noqa: F401,E402

# With the DEFAULT cache (cache=True), a callee's effect disappears on the second call:
# logging.getLogger(name).info(...) is judged pure; apply(partial_or_instance) is judged pure.
import functools, logging

lg = logging.getLogger("adv2.cache")
to_stdout(lg)

def slow_log(v):
    time.sleep(0.05)
    logging.getLogger("adv2.cache").info("slow_log %s", v)
    return v * 2

def slow_show(v):
    time.sleep(0.05)
    print("ss", v)
    return v

class SlowPrinter:
    def __call__(self, v):
        time.sleep(0.05)
        print("sp", v)
        return v

PS = functools.partial(slow_show)
SP = SlowPrinter()

def apply(f, x):
    return f(x)

def logs(v):
    return slow_log(v)

def apply_partial(v):
    return apply(PS, v)

def apply_instance(v):
    return apply(SP, v)

if __name__ == "__main__":
    bad = False
    for fn in (logs, apply_partial, apply_instance):
        d = desync(fn)                 # default options: cache=True
        for i in range(3):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                r = d(3)
            pbuf = io.StringIO()
            with contextlib.redirect_stdout(pbuf):
                p = fn(3)
            if (buf.getvalue(), r) != (pbuf.getvalue(), p):
                bad = True
                print(f"  {fn.__name__} call #{i + 1}: plain {pbuf.getvalue()!r} desync {buf.getvalue()!r}")
    print("MISMATCH" if bad else "OK")
