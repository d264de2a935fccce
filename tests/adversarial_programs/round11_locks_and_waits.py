"""Written from the eleventh adversarial round (locks the caller holds, locks taken
and given back by two calls, callees that wait for each other).
Run: DESYNC_PACING=0 python tests/adversarial_programs/round11_locks_and_waits.py

A callee that takes an RLock or Condition this thread holds runs on this thread,
wherever the callee finds it: a module-level dict or object, an argument the body
made, a helper function, a method. A callee that takes a lock another call gives
back (``__enter__``/``__exit__`` by hand), waits on a Condition or
Event, or notifies or sets one, runs in program order on this thread: a waiter
that plain Python lets time out times out."""
import collections
import functools
import multiprocessing
import os
import sys
import threading
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _round11_other as other  # noqa: E402

LOCKS = {"a": threading.RLock()}


def add_under_the_dict_lock(x):
    time.sleep(0.005)
    with LOCKS["a"]:
        return x + 1


def holds_a_lock_kept_in_a_module_dict():
    with LOCKS["a"]:
        a = add_under_the_dict_lock(1)
        b = add_under_the_dict_lock(2)
    return a, b


class Namespace:
    pass


shared = Namespace()
shared.lock = threading.RLock()


def add_under_the_object_lock(x):
    time.sleep(0.005)
    with shared.lock:
        return x + 1


def holds_a_lock_kept_on_a_module_object():
    with shared.lock:
        a = add_under_the_object_lock(1)
        b = add_under_the_object_lock(2)
    return a, b


def add_under(lock, x):
    time.sleep(0.005)
    with lock:
        return x + 1


def holds_a_lock_it_made_and_hands_on():
    lock = threading.RLock()
    with lock:
        a = add_under(lock, 1)
        b = add_under(lock, 2)
    return a, b


def holds_a_condition_it_made_and_hands_on():
    cv = threading.Condition()
    with cv:
        a = add_under(cv, 1)
        b = add_under(cv, 2)
    return a, b


HELPER_LOCK = threading.RLock()


def _guarded(x):
    with HELPER_LOCK:
        return x + 1


def add_through_a_helper(x):
    time.sleep(0.005)
    return _guarded(x)


def holds_a_lock_a_helper_takes():
    with HELPER_LOCK:
        a = add_through_a_helper(1)
        b = add_through_a_helper(2)
    return a, b


class Counter:
    def __init__(self):
        self.n = 0

    def peek(self, x):
        time.sleep(0.005)
        with HELPER_LOCK:
            return self.n + x


COUNTER = Counter()


def holds_a_lock_a_method_takes():
    with HELPER_LOCK:
        a = COUNTER.peek(1)
        b = COUNTER.peek(2)
    return a, b


PER_KEY = collections.defaultdict(threading.RLock)


def add_under_the_keys_lock(x):
    time.sleep(0.005)
    with PER_KEY["db"]:
        return x + 1


def holds_a_lock_kept_in_a_defaultdict():
    with PER_KEY["db"]:
        a = add_under_the_keys_lock(1)
        b = add_under_the_keys_lock(2)
    return a, b


def holds_a_lock_handed_on_by_keyword():
    lock = threading.RLock()
    with lock:
        a = add_under(x=1, lock=lock)
        b = add_under(lock=lock, x=2)
    return a, b


def holds_a_new_lock_put_in_a_module_dict():
    LOCKS["a"] = threading.RLock()   # (a new one each run: looked up again each call)
    with LOCKS["a"]:
        a = add_under_the_dict_lock(1)
        b = add_under_the_dict_lock(2)
    return a, b


GUARD = threading.RLock()


def guarded_add(x):
    time.sleep(0.005)
    with GUARD:
        return x + 1


PARTIAL_ADD = functools.partial(guarded_add)
CACHED_ADD = functools.lru_cache(maxsize=None)(guarded_add)


def add_with_a_default_lock(x, _lock=GUARD):
    time.sleep(0.005)
    with _lock:
        return x + 1


class Guarded:
    def __init__(self):
        self.cv = threading.Condition()

    def get(self, x):
        time.sleep(0.005)
        with self.cv:
            return x + 1


GUARDED = Guarded()


def holds_a_lock_callees_take_in_many_spellings():
    CACHED_ADD.cache_clear()
    with GUARD:
        a = PARTIAL_ADD(1)
        b = CACHED_ADD(2)
        c = list(map(guarded_add, [3, 4]))
        d = sorted([6, 5], key=guarded_add)
        e = add_with_a_default_lock(7)
    return a, b, c, d, e


def holds_a_condition_an_object_keeps():
    with GUARDED.cv:
        return GUARDED.get(1), GUARDED.get(2)


MP_LOCK = multiprocessing.RLock()


def add_under_mp_lock(x):
    time.sleep(0.005)
    with MP_LOCK:
        return x + 1


def holds_a_multiprocessing_rlock():
    with MP_LOCK:
        return add_under_mp_lock(1), add_under_mp_lock(2)


def add_under_the_other_modules_lock(x):
    time.sleep(0.005)
    with other.LOCK:
        return x + 1


def holds_another_modules_lock():
    with other.LOCK:
        return add_under_the_other_modules_lock(1), add_under_the_other_modules_lock(2)


def wait_for_the_other_event():
    return other.EVENT.wait(0.05)


def set_the_other_event():
    time.sleep(0.005)
    other.EVENT.set()


def waits_for_another_modules_event():
    other.EVENT.clear()
    a = wait_for_the_other_event()
    set_the_other_event()
    b = wait_for_the_other_event()
    c = other.waits_for_the_event()
    other.EVENT.clear()
    return a, b, c


def is_set_after_a_set():
    EVENT.clear()
    a = EVENT_is_set()
    set_event()
    b = EVENT_is_set()
    EVENT.clear()
    return a, b


def EVENT_is_set():
    return EVENT.is_set()


SPLIT = threading.RLock()


def take_by_enter():
    time.sleep(0.005)
    SPLIT.__enter__()


def give_by_exit():
    time.sleep(0.005)
    SPLIT.__exit__(None, None, None)


def owned():
    time.sleep(0.005)
    return SPLIT._is_owned()


def takes_and_gives_by_enter_and_exit():
    take_by_enter()
    a = owned()
    give_by_exit()
    return a, owned()


EVENT = threading.Event()


def wait_for_event():
    return EVENT.wait(0.05)


def set_event():
    time.sleep(0.005)
    EVENT.set()


def waits_for_an_event_set_later():
    EVENT.clear()
    a = wait_for_event()
    set_event()
    b = wait_for_event()
    return a, b


READY = []
CONDITION = threading.Condition()


def produce():
    time.sleep(0.005)
    with CONDITION:
        READY.append(1)
        CONDITION.notify()


def consume():
    with CONDITION:
        return bool(CONDITION.wait_for(lambda: READY, timeout=0.05))


def consumes_before_the_producer_runs():
    READY.clear()
    first = consume()
    produce()
    return first, consume()


if __name__ == "__main__":
    main([(holds_a_lock_kept_in_a_module_dict, lambda: (), lambda a: "", 3),
          (holds_a_lock_kept_on_a_module_object, lambda: (), lambda a: "", 3),
          (holds_a_lock_it_made_and_hands_on, lambda: (), lambda a: "", 3),
          (holds_a_condition_it_made_and_hands_on, lambda: (), lambda a: "", 3),
          (holds_a_lock_a_helper_takes, lambda: (), lambda a: "", 3),
          (holds_a_lock_kept_in_a_defaultdict, lambda: (), lambda a: "", 3),
          (holds_a_lock_handed_on_by_keyword, lambda: (), lambda a: "", 3),
          (holds_a_new_lock_put_in_a_module_dict, lambda: (), lambda a: "", 3),
          (holds_a_lock_callees_take_in_many_spellings, lambda: (), lambda a: "", 3),
          (holds_a_condition_an_object_keeps, lambda: (), lambda a: "", 3),
          (holds_a_multiprocessing_rlock, lambda: (), lambda a: "", 3),
          (holds_another_modules_lock, lambda: (), lambda a: "", 3),
          (waits_for_another_modules_event, lambda: (), lambda a: "", 3),
          (is_set_after_a_set, lambda: (), lambda a: "", 3),
          (holds_a_lock_a_method_takes, lambda: (), lambda a: "", 3),
          (takes_and_gives_by_enter_and_exit, lambda: (), lambda a: "", 3),
          (waits_for_an_event_set_later, lambda: (), lambda a: "", 3),
          (consumes_before_the_producer_runs, lambda: (), lambda a: "", 3)])
