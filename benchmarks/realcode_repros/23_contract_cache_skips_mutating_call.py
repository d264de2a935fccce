# Contract today (issue 17 asks desync to infer it): with the cache, a callee
# that mutates its argument is skipped on a hit (heapq: heappush -> _siftdown).
from desync import desync


def bump(counts):
    counts[0] += 1


@desync
def count(counts):
    bump(counts)


first, second = [0], [0]
count(first)
count(second)
print(first, second)
