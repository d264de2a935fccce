"""Written by an adversarial tester (round 3).
Run: DESYNC_PACING=0 python tests/adversarial_programs/dict_views.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contextlib, io, os, sys, time, threading, concurrent.futures, itertools, logging
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402


def view_keys():
    d = {"a": 1}
    ks = d.keys()
    d["b"] = slow(2)
    return sorted(ks), list(ks), "b" in ks, len(ks)


def view_items():
    d = {"a": 1}
    its = d.items()
    d.update(b=slow(2))
    return sorted(its)


def view_values():
    d = {"a": 1}
    vs = d.values()
    d["c"] = slow(5)
    return sum(vs), max(vs), 5 in vs


def view_del_comprehension():
    d = {"a": 1, "b": 2}
    v = d.items()
    k = slow("a")
    del d[k]
    return [key for key, _ in v]


def view_for_loop():
    d = {"a": 1}
    ks = d.keys()
    d["b"] = slow(2)
    out = []
    for k in ks:
        out.append(k)
    return out


if __name__ == "__main__":
    main([view_keys, view_items, view_values, view_del_comprehension, view_for_loop])
