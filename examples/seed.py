"""The seed example: two independent 2 s calls finish in about 2 s, not 4 s.

    python examples/seed.py

DESYNC_EXAMPLE_SCALE=0.1 shrinks every sleep (the test suite uses it).
"""
import os
import time

from desync import desync

SCALE = float(os.environ.get("DESYNC_EXAMPLE_SCALE", "1"))


def inner():
    time.sleep(2 * SCALE)


@desync
def outer():
    inner()
    inner()


def plain_outer():
    inner()
    inner()


if __name__ == "__main__":
    start = time.perf_counter()
    plain_outer()
    plain = time.perf_counter() - start
    start = time.perf_counter()
    outer()
    concurrent = time.perf_counter() - start
    print(f"plain Python: {plain:.2f} s")
    print(f"@desync:      {concurrent:.2f} s  (the two inner() calls ran together)")
