"""Round sixteen (application code): a method of the user's that changes its object
other than through ``self.attr.method(...)`` or a store was judged to leave it alone,
so the body read the object before the method ran: ``heapq.heappush(self.heap, x)``,
``list.append(self.heap, x)``, an unpacked or walrus alias, ``getattr(self, "heap")``,
a getter of its own (``self._heap().append(x)``), ``self.index.get(k).append(x)``, a
loop over ``self.index.values()``, a project function given ``self.heap``. A method
under a ``functools.wraps`` decorator (a lock guard, a pass-through) was judged by
the wrapper alone. With the default cache, a callee pushing onto an attribute of its
argument (``heapq.heappush(jobs.heap, x)``) was cached, and a later call skipped it.
Run: DESYNC_PACING=0 python tests/adversarial_programs/round16b_methods_that_change_their_object_indirectly.py"""
import sys, os, time, heapq, bisect, operator, functools, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def slow(x):
    time.sleep(0.01)
    return x


def _put(lst, x):
    lst.append(x)


def passthru(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def plain_decorator(fn):
    def wrapper(*args, **kwargs):   # (no functools.wraps: no __wrapped__)
        return fn(*args, **kwargs)
    return wrapper


def synchronized(fn):
    @functools.wraps(fn)
    def wrapper(self, *args):
        with self._lock:
            return fn(self, *args)
    return wrapper


class Queue:
    def __init__(self):
        self.heap = []
        self.index = {"a": []}
        self._lock = threading.Lock()

    def push(self, x):
        heapq.heappush(self.heap, x)

    def insort(self, x):
        bisect.insort(self.heap, x)

    def put_index(self, x):
        operator.setitem(self.index, x, x)

    def put_unbound(self, x):
        list.append(self.heap, x)

    def put_helper(self, x):
        _put(self.heap, x)

    def put_alias(self, x):
        h, i = self.heap, self.index
        h.append(x)

    def put_walrus(self, x):
        (h := self.heap).append(x)

    def put_getattr(self, x):
        getattr(self, "heap").append(x)

    def put_getter(self, x):
        self._heap().append(x)

    def _heap(self):
        return self.heap

    def put_get(self, x):
        self.index.get("a").append(x)

    def put_values(self, x):
        for row in self.index.values():
            row.append(x)

    def extend_alias(self, x):
        h = self.heap
        h += [x]

    def through_a_bound_alias(self, x):
        add = self.heap.append
        add(x)

    def through_map(self, x):
        list(map(self.heap.append, [x]))

    @plain_decorator
    def wrapped_without_wraps(self, x):
        self.heap.append(x)

    @passthru
    def show(self, x):
        time.sleep(0.01 * (3 - x))
        print("show", x)

    @synchronized
    def add(self, x):
        self.heap.append(x)

    def size(self):
        return len(self.heap)


class Jobs:
    def __init__(self):
        self.heap = []


def enqueue(jobs, x):
    heapq.heappush(jobs.heap, x)
    return x


def enqueue_unbound(jobs, x):
    list.append(jobs.heap, x)
    return x


def through_push():
    q = Queue()
    q.push(slow(1))
    q.push(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_insort():
    q = Queue()
    q.insort(slow(1))
    q.insort(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_index():
    q = Queue()
    q.put_index(slow(1))
    q.put_index(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_unbound():
    q = Queue()
    q.put_unbound(slow(1))
    q.put_unbound(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_helper():
    q = Queue()
    q.put_helper(slow(1))
    q.put_helper(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_alias():
    q = Queue()
    q.put_alias(slow(1))
    q.put_alias(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_walrus():
    q = Queue()
    q.put_walrus(slow(1))
    q.put_walrus(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_getattr():
    q = Queue()
    q.put_getattr(slow(1))
    q.put_getattr(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_getter():
    q = Queue()
    q.put_getter(slow(1))
    q.put_getter(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_get():
    q = Queue()
    q.put_get(slow(1))
    q.put_get(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_put_values():
    q = Queue()
    q.put_values(slow(1))
    q.put_values(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_extend_alias():
    q = Queue()
    q.extend_alias(slow(1))
    q.extend_alias(2)
    return len(q.heap), len(q.index), len(q.index["a"]), q.size()


def through_a_bound_alias_and_handed_over():
    q = Queue()
    q.through_a_bound_alias(slow(1))
    q.through_map(2)
    q.wrapped_without_wraps(slow(3))
    return list(q.heap)


def decorated_methods_print_in_order():
    q = Queue()
    q.show(1)
    q.show(2)
    print("end")


def a_lock_guarded_method_then_a_read():
    q = Queue()
    q.add(slow(1))
    return len(q.heap)


def scheduler():
    q = Queue()
    ready = []
    for job in (5, 13, 3, 1):
        q.push(slow(job))
        if q.heap[0] < 4:
            ready.append(heapq.heappop(q.heap))
    return ready, sorted(q.heap)


def a_callee_pushing_onto_its_arguments_attribute():
    jobs = Jobs()
    enqueue(jobs, 1)
    other = Jobs()
    enqueue(other, 1)
    return jobs.heap, other.heap


def an_unbound_method_pushing_onto_its_arguments_attribute():
    jobs = Jobs()
    enqueue_unbound(jobs, 1)
    other = Jobs()
    enqueue_unbound(other, 1)
    return jobs.heap, other.heap


CASES = [through_push, through_insort, through_put_index, through_put_unbound,
         through_put_helper, through_put_alias, through_put_walrus, through_put_getattr,
         through_put_getter, through_put_get, through_put_values, through_extend_alias] + [
    decorated_methods_print_in_order, a_lock_guarded_method_then_a_read, scheduler,
    through_a_bound_alias_and_handed_over] + [
    (f, lambda: (), lambda a: repr(a), 5, True) for f in (
        a_callee_pushing_onto_its_arguments_attribute,
        an_unbound_method_pushing_onto_its_arguments_attribute)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
