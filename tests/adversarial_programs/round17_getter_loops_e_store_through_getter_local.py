# the body stores into / augments what a getter handed out; a later callee reads it.
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main

D = {}
SEEN = []
def get_d():
    return D
def get_seen():
    return SEEN
def keys():
    return sorted(D)
def count():
    return len(SEEN)
def nap(x):
    time.sleep(0.01)
    return x
def fresh():
    D.clear(); SEEN.clear(); return ()
def item_store_then_callee_reads():
    out = []
    for i in range(3):
        nap(i)
        d = get_d()
        d[i] = i
        out.append(keys())
    return out
def iadd_then_callee_reads():
    out = []
    for i in range(3):
        nap(i)
        seen = get_seen()
        seen += [i]
        out.append(count())
    return out

main([(f, fresh, lambda a: repr((D, SEEN)), 5, c) for f in
      (item_store_then_callee_reads, iadd_then_callee_reads) for c in (False, True)])
