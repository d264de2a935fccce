"""A generator expression or ``map`` whose element's call changes the container it
iterates (``map(lambda w: xs.append(w), xs)``, ``sum(add(xs, w) for w in xs)``):
plain Python makes the call before it takes the next element, so the loop sees the
list grow, or a dict's or set's iterator fails for the change (subclasses too: a
``defaultdict``, a ``Counter``). Found by the fuzzer (seed 93016, program 1376) with
``all(map(...))``; the subclasses by the adversarial round that followed.
Run: DESYNC_PACING=0 python tests/adversarial_programs/elements_change_what_they_iterate.py"""
import sys, os, time
from collections import Counter, defaultdict, deque
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def add(xs, w):
    time.sleep(0.002)
    if len(xs) < 5:
        xs.append(w)
    return w


def put(d, w):
    d[w + 10] = w
    return w


def all_over_map_of_an_appending_lambda(xs):
    return all(map(lambda w: len(xs) < 6 and xs.append(w) or True, xs)), xs


def any_over_map_of_an_appending_lambda(xs):
    return any(map(lambda w: len(xs) < 6 and xs.append(w), xs)), xs


def list_of_map(xs):
    return list(map(lambda w: add(xs, w), xs)), xs


def sum_of_a_generator_expression(xs):
    return sum(add(xs, w) for w in xs), xs


def max_of_a_generator_expression(xs):
    return max((add(xs, w) for w in xs), default=None), xs


def deque_grows(q):
    return sum(add(q, w) for w in q), list(q)


def dict_changes_size(d):
    return sum(put(d, w) for w in d), d


def set_changes_size(s):
    return list(map(lambda w: s.add(w + 1) or w, s)), s


def any_stops_before_the_next_effect(xs):
    # (CI seed 20250101, program 328: the guard above took the second element too)
    return any(map(lambda x: xs.append(x) or True, [*xs, 0])), xs


class Items(list):
    pass


class Members(set):
    pass


def pr(k):
    print("pr", k)
    return k


def subclass_of_list_grows(xs):
    return sum(add(xs, w) for w in xs), list(xs)


def defaultdict_read_in_the_element(d):
    # (``d[k + 1]`` adds a key: the next advance fails, after the print)
    return sum(d[k + 1] + pr(k) for k in d), dict(d)


def counter_changes_size(c):
    return sum(put(c, k) for k in c), dict(c)


def subclass_of_set_changes_size(s):
    return list(map(lambda w: s.add(w + 1) or w, s)), set(s)


CASES = [
    (any_stops_before_the_next_effect, lambda: ([6],), repr),
    (subclass_of_list_grows, lambda: (Items([1]),), repr),
    (defaultdict_read_in_the_element, lambda: (defaultdict(int, {1: 1}),), repr),
    (counter_changes_size, lambda: (Counter({1: 1}),), repr),
    (subclass_of_set_changes_size, lambda: (Members({1}),), repr),
    (all_over_map_of_an_appending_lambda, lambda: ([1],), repr),
    (any_over_map_of_an_appending_lambda, lambda: ([1, 2],), repr),
    (list_of_map, lambda: ([1],), repr),
    (sum_of_a_generator_expression, lambda: ([1, 2],), repr),
    (max_of_a_generator_expression, lambda: ([3],), repr),
    (deque_grows, lambda: (deque([1]),), repr),
    (dict_changes_size, lambda: ({1: 1},), repr),
    (set_changes_size, lambda: ({1},), repr),
]

if __name__ == "__main__":
    main(CASES)
