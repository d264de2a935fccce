# A nonlocal written by a nested generator that a callee consumes is read stale
# (statistics.fmean: `for n, x in enumerate(...)` in a generator, then `if not n`).
from math import fsum

from desync import desync


@desync(cache=False)
def fmean(data):
    n = 0

    def count(iterable):
        nonlocal n
        for n, x in enumerate(iterable, start=1):
            yield x

    total = fsum(count(data))
    return total / n if n else "no data"


print(fmean(iter([1.0, 2.0, 3.0])))
