"""Objects a class keeps and hands out (a class method's singleton, ``__new__``
returning the one instance, a metaclass keeping one per class, the Borg's shared
``__dict__``, a ``staticmethod`` over ``lru_cache``), and parts of what a getter
returns bound to a local (``tags = get_config()["tags"]``, ``get_ns().rows``,
``get_cfg().items()``). desync judged the callees changing them pure (the cache
skipped a repeated ``add(1)``), read the locals before the callees that change them,
and ran a callee reading what the body had just changed through a getter
(``get_seen().append(1)``, then ``count()``) before that change.
Run: DESYNC_PACING=0 python tests/adversarial_programs/singletons_and_parts_of_getters.py"""
import sys, os, time, types, functools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402

CONFIG = {"tags": []}
NS = types.SimpleNamespace(rows=[])
CFG = {"a": 0}
SEEN = []


def get_config():
    return CONFIG


def get_ns():
    return NS


def get_cfg():
    return CFG


def get_seen():
    return SEEN


def tag(x):
    time.sleep(0.01)
    CONFIG["tags"].append(x)


def add_everywhere(x):
    time.sleep(0.01)
    NS.rows.append(x)
    CFG["a"] += 1


def count():
    time.sleep(0.005)
    return len(SEEN)


class Config:
    _instance = None

    def __init__(self):
        self.values = {}

    @classmethod
    def get(cls):
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance


def set_value(k, v):
    time.sleep(0.01)
    Config.get().values[k] = v


class Reg:
    @staticmethod
    @functools.lru_cache(None)
    def table():
        return []


def add_row(x):
    time.sleep(0.01)
    Reg.table().append(x)


class Single:
    _inst = None

    def __new__(cls):
        if cls._inst is None:
            cls._inst = super().__new__(cls)
            cls._inst.items = []
        return cls._inst


def add_single(x):
    time.sleep(0.01)
    Single().items.append(x)


def count_single():
    time.sleep(0.005)
    return len(Single().items)


class _KeepOne(type):
    _instances = {}

    def __call__(cls, *args):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args)
        return cls._instances[cls]


class Store(metaclass=_KeepOne):
    def __init__(self):
        self.rows = []


def add_store(x):
    time.sleep(0.01)
    Store().rows.append(x)


class Borg:
    _shared = {}

    def __init__(self):
        self.__dict__ = Borg._shared


def hit():
    time.sleep(0.01)
    b = Borg()
    b.count = getattr(b, "count", 0) + 1


def _fresh():
    CONFIG["tags"].clear()
    NS.rows.clear()
    CFG["a"] = 0
    SEEN.clear()
    Config._instance = None
    Reg.table().clear()
    Single._inst = None
    _KeepOne._instances.clear()
    Borg._shared.clear()
    return ()


def a_part_of_a_getters_result():
    tags = get_config()["tags"]
    tag(1)
    return len(tags)


def an_attribute_and_a_view_of_getters_results():
    rows = get_ns().rows
    view = get_cfg().items()
    add_everywhere(1)
    return len(rows), sorted(view)


def a_class_methods_singleton():
    vals = Config.get().values
    set_value("a", 1)
    first = dict(vals)
    set_value("b", 2)
    return first, dict(Config.get().values)


def a_static_remembered_table():
    add_row(1)
    n = len(Reg.table())
    add_row(1)
    return n, list(Reg.table())


def an_instance_new_hands_out():
    add_single(1)
    add_single(1)
    return list(Single().items)


def an_instance_a_metaclass_keeps():
    s = Store()
    add_store(1)
    n = len(s.rows)
    add_store(1)
    return n, list(Store().rows)


def instances_sharing_one_dict():
    hit()
    hit()
    return Borg().count


def changed_through_a_getter_then_counted_by_a_callee():
    get_seen().append(1)
    n = count()
    get_seen().append(2)
    return n, count()


def changed_through_a_singleton_then_counted_by_a_callee():
    Single().items.append(1)
    n = count_single()
    Single().items.append(2)
    return n, count_single()


_ALL = (a_part_of_a_getters_result, an_attribute_and_a_view_of_getters_results,
        a_class_methods_singleton, a_static_remembered_table, an_instance_new_hands_out,
        an_instance_a_metaclass_keeps, instances_sharing_one_dict,
        changed_through_a_getter_then_counted_by_a_callee,
        changed_through_a_singleton_then_counted_by_a_callee)
CASES = [(f, _fresh) for f in _ALL] + [(f, _fresh, lambda a: repr(a), 5, True) for f in _ALL]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
