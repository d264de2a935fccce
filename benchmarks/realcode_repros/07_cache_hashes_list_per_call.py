# With the cache, every call hashes its whole list argument: n calls on an
# n-element list cost O(n^2) (here: one call with a 1M-element list).
import time

from desync import desync


def first(xs):
    return xs[0]


@desync
def probe(xs):
    value = first(xs)
    return value


def cost(n, data={}):
    xs = data.setdefault(n, list(range(n)))
    start = time.perf_counter()
    probe(xs)
    return time.perf_counter() - start


cost(10), cost(1_000_000)  # warm up
print("a call costs the same whatever the list size:", cost(1_000_000) < 20 * cost(10))
