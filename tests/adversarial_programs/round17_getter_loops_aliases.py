import sys, os, time, functools, heapq
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main

REG = {}
SEEN = []

@functools.lru_cache(maxsize=None)
def get_reg():
    time.sleep(0.02)
    return REG

reg_alias = get_reg

def get_seen():
    time.sleep(0.02)
    return SEEN

def register(k):
    time.sleep(0.03)
    REG[k] = 1

def register_alias(k):
    time.sleep(0.03)
    reg_alias()[k] = 1

def slow(x):
    time.sleep(0.03)
    return x

def fresh():
    REG.clear(); SEEN.clear(); get_reg.cache_clear()
    return ()

# 1: lru getter returning a global; callee changes the global by name
def lru_global_changed_by_name():
    out = []
    for i in range(3):
        register(i)
        reg = get_reg()
        out.append(len(reg))
    return out

# 2: through an alias of the getter
def lru_alias():
    out = []
    for i in range(3):
        register_alias(i)
        reg = get_reg()
        out.append(sorted(reg))
    return out

# 3: body's own change to SEEN pending on slow, then plain getter read
def body_append_then_plain_getter():
    out = []
    for i in range(3):
        SEEN.append(slow(i))
        seen = get_seen()
        out.append(len(seen))
    return out

def body_heappush_then_plain_getter():
    out = []
    for i in range(3):
        heapq.heappush(SEEN, slow(i))
        seen = get_seen()
        out.append(list(seen))
    return out

def body_listappend_then_plain_getter():
    out = []
    for i in range(3):
        list.append(SEEN, slow(i))
        seen = get_seen()
        out.append(i in seen)
    return out

def body_store_then_lru_getter():
    out = []
    for i in range(3):
        REG[i] = slow(i)
        reg = get_reg()
        out.append(f"{len(reg)}")
    return out

def body_store_via_local_then_lru():
    out = []
    r = REG
    for i in range(3):
        r[i] = slow(i)
        reg = get_reg()
        out.append(len(reg))
    return out

CASES = []
for f in [lru_global_changed_by_name, lru_alias, body_append_then_plain_getter,
          body_heappush_then_plain_getter, body_listappend_then_plain_getter,
          body_store_then_lru_getter, body_store_via_local_then_lru]:
    CASES.append((f, fresh, lambda a: repr((REG, SEEN)), 3, False))
    CASES.append((f, fresh, lambda a: repr((REG, SEEN)), 3, True))
main(CASES)
