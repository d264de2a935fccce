# Contract today (issue 17 asks desync to infer it): a callee that mutates its
# argument (heapq._siftup(heap, pos), copy.deepcopy's memo, difflib._split_line).
import time

from desync import desync


def push(heap, item):
    time.sleep(0.05)
    heap.append(item)


@desync(cache=False)
def smallest(items):
    heap = []
    for item in items:
        push(heap, item)
    return min(heap)


print(smallest([3, 1, 2]))
