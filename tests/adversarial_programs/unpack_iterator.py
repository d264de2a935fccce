"""Written by an adversarial tester (round 3).
Run: DESYNC_PACING=0 python tests/adversarial_programs/unpack_iterator.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contextlib, io, os, sys, time, threading, concurrent.futures, itertools, logging
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow  # noqa: F401,E402


def pgen(n, tag="g"):
    for i in range(n):
        print(tag, "yield", i)
        yield i


class H:
    pass


def unpack_ahead_of_next():          # flaky: races next(it) that waits for slow()
    it = iter([1, 2, 3])
    a = slow(0)
    h = next(it) + a
    x, y = it
    return h, x, y


def unpack_attr_ahead():
    h = H(); h.it = iter([1, 2, 3, 4])
    a = slow(1)
    first = f"{list(itertools.islice(h.it, 2))}{a}"
    x, *rest = h.it
    return first, x, rest


def unpack_gen_ahead_of_print():
    g = pgen(3)
    a = slow(1)
    print("a", a)
    x, y, z = g
    return x, y, z


def unpack_overconsumes():
    it = iter(range(10))
    try:
        a, b = it
    except ValueError as e:
        print("VE", e)
    return list(it)


def unpack_overconsumes_gen():
    try:
        a, b = pgen(5)
    except ValueError as e:
        print("VE", e)
    return 1


def fails_after_three():
    yield 1; yield 2; yield 3
    raise RuntimeError("4th item read")


def unpack_reads_too_far():
    try:
        a, b = fails_after_three()
    except ValueError as e:
        return "VE " + str(e)


if __name__ == "__main__":
    main([unpack_ahead_of_next, unpack_attr_ahead, unpack_gen_ahead_of_print, unpack_overconsumes, unpack_overconsumes_gen, unpack_reads_too_far])
