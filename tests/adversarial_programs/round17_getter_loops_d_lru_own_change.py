# the body appends to what an lru getter handed out, then reads it again through the getter.
import sys, os, time, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main

@functools.lru_cache(None)
def get_seen():
    return []

def nap(x):
    time.sleep(0.01)
    return x

def fresh():
    get_seen().clear()
    return ()

def lru_append_then_read_by_getter():
    out = []
    for i in range(3):
        nap(i)
        s = get_seen()
        s.append(i)
        out.append(len(get_seen()))
    return out

main([(lru_append_then_read_by_getter, fresh, lambda a: repr(get_seen()), 5, c) for c in (False, True)])
