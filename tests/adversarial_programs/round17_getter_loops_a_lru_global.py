# lru getter handing out a module global; a callee changes that global by its own name.
import sys, os, time, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main

REG = {}

@functools.lru_cache(maxsize=None)
def get_reg():
    return REG

def register(k):
    time.sleep(0.03)
    REG[k] = 1

def fresh():
    REG.clear()
    return ()

def lru_global_changed_by_name():
    out = []
    for i in range(3):
        register(i)
        reg = get_reg()
        out.append(len(reg))
    return out

main([(lru_global_changed_by_name, fresh, lambda a: repr(REG), 5, False),
      (lru_global_changed_by_name, fresh, lambda a: repr(REG), 5, True)])
