"""Written by an adversarial tester (round 3).
Run: DESYNC_PACING=0 python tests/adversarial_programs/getitem_sequence.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contextlib, io, os, sys, time, threading, concurrent.futures, itertools, logging
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402


class PSeq:
    def __init__(self, n):
        self.n = n
    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        print("getitem", i)
        return i


def printing_getitem():
    s = PSeq(3)
    a = slow(1)
    print("a", a)
    return list(s)


class Drain:
    def __init__(self, data):
        self.data = list(data)
    def __getitem__(self, i):
        if not self.data:
            raise IndexError(i)
        return self.data.pop(0)


def draining_getitem():
    d = Drain([1, 2, 3])
    a = slow(1)
    first = f"{list(d)}{a}"
    second = list(d)
    return first, second


if __name__ == "__main__":
    main([printing_getitem, draining_getitem])
