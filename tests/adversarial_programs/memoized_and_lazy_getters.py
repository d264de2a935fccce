"""Getters that hand out one object made on first use: a memoized function
(``functools.lru_cache``/``cache`` returning a dict), or a lazy global (``global
_CFG; if _CFG is None: _CFG = load(); return _CFG``). Plain Python hands out the same
object on every call, so a callee changing it (``get_registry()[k] = v``) changes
module state. desync judged such a callee pure (its cache skipped a repeated
``register("a")``), judged the memoized getter pure (a cache hit handed out a copy,
so the body changed another object than its callees read), and read a local bound to
the lazy getter's object before the callees that change it.
Run: DESYNC_PACING=0 python tests/adversarial_programs/memoized_and_lazy_getters.py"""
import sys, os, time, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _memo_settings  # noqa: E402
from _memo_settings import set_level  # noqa: E402


@functools.lru_cache(maxsize=None)
def get_registry():
    return {}


@functools.cache
def get_seen():
    return []


_CFG = None
_ITEMS = None


def _load():
    return {"n": 0}


def get_config():
    global _CFG
    if _CFG is None:
        _CFG = _load()
    return _CFG


def get_items():
    global _ITEMS
    if _ITEMS is None:
        _ITEMS = []
    return _ITEMS


def add_item(x):
    time.sleep(0.005)
    get_items().append(x)


def _memoize(fn):
    table = {}

    @functools.wraps(fn)
    def remembered(*args):
        if args not in table:
            table[args] = fn(*args)
        return table[args]
    return remembered


@_memoize
def get_bucket(name):
    return []


def register(name, value=1):
    time.sleep(0.01)
    get_registry()[name] = value


def unregister(name):
    time.sleep(0.005)
    get_registry().pop(name, None)


def is_registered(name):
    return name in get_registry()


def note(x):
    time.sleep(0.01)
    get_seen().append(x)


def bump(key):
    time.sleep(0.01)
    cfg = get_config()
    cfg[key] = cfg.get(key, 0) + 1


def file_under(name, x):
    time.sleep(0.005)
    get_bucket(name).append(x)


def _fresh():
    get_registry().clear()
    get_seen().clear()
    get_config().clear()
    get_items().clear()
    get_bucket("a").clear()
    _memo_settings.settings()["level"] = 1
    return ()


def registered_twice_the_same():
    register("a")
    first = dict(get_registry())
    note(1)
    note(1)
    return first, list(get_seen())


def the_registry_read_after_a_callee_registers():
    reg = get_registry()
    register("b", 2)
    first = dict(reg)
    register("c", 3)
    return first, dict(reg)


def counted_through_the_getter_by_the_body():
    reg = get_registry()
    reg["runs"] = reg.get("runs", 0) + 1
    register("x")
    return "x" in reg, reg["runs"]


def a_cached_list_read_after_notes():
    seen = get_seen()
    note(1)
    n = len(seen)
    note(2)
    return n, len(seen)


def a_lazy_config_read_after_bumps():
    cfg = get_config()
    bump("a")
    x = dict(cfg)
    bump("b")
    return x, dict(cfg)


def a_lazy_list_noted_twice_the_same():
    add_item(1)
    add_item(1)
    return list(get_items())


def a_hand_written_memoizer():
    bucket = get_bucket("a")
    file_under("a", 1)
    n = len(bucket)
    file_under("a", 2)
    return n, len(bucket)


def another_modules_memoized_settings():
    s = _memo_settings.settings()
    set_level(3)
    level = s["level"]
    set_level(4)
    return level, s["level"]


def set_twice_the_same_in_another_module():
    set_level(5)
    first = _memo_settings.settings()["level"]
    set_level(1)
    set_level(1)
    return first, _memo_settings.settings()["level"]


def _cached(fn):
    return (fn, _fresh, lambda a: repr(a), 5, True)


_ALL = (registered_twice_the_same, the_registry_read_after_a_callee_registers,
        counted_through_the_getter_by_the_body, a_cached_list_read_after_notes,
        a_lazy_config_read_after_bumps, a_lazy_list_noted_twice_the_same,
        a_hand_written_memoizer, another_modules_memoized_settings,
        set_twice_the_same_in_another_module)
CASES = [(f, _fresh) for f in _ALL] + [_cached(f) for f in _ALL]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
