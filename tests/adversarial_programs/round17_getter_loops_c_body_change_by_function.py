# the body changes what a (pending) getter handed out by a function given it; a later callee reads it.
import sys, os, time, heapq
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main

SEEN = []
def get_seen():
    return SEEN
def count():
    return len(SEEN)
def nap(x):
    time.sleep(0.01)
    return x
def fresh():
    SEEN.clear()
    return ()
def heappush_then_callee_counts():
    out = []
    for i in range(3):
        nap(i)
        seen = get_seen()
        heapq.heappush(seen, i)
        out.append(count())
    return out
def list_append_then_callee_counts():
    out = []
    for i in range(3):
        nap(i)
        seen = get_seen()
        list.append(seen, i)
        out.append(count())
    return out

main([(f, fresh, lambda a: repr(SEEN), 5, c) for f in
      (heappush_then_callee_counts, list_append_then_callee_counts) for c in (False, True)])
