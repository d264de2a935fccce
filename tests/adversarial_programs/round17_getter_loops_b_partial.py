# plain getter; a callee changes the state through a module-level functools.partial.
import sys, os, time, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main

SEEN = []

def get_seen():
    return SEEN

def _add_to(dst, x):
    dst.append(x)

ADD = functools.partial(_add_to, SEEN)

def note(x):
    time.sleep(0.03)
    ADD(x)

def fresh():
    SEEN.clear()
    return ()

def plain_getter_after_partial_note():
    out = []
    for i in range(3):
        note(i)
        seen = get_seen()
        out.append(len(seen))
    return out

main([(plain_getter_after_partial_note, fresh, lambda a: repr(SEEN), 5, False),
      (plain_getter_after_partial_note, fresh, lambda a: repr(SEEN), 5, True)])
