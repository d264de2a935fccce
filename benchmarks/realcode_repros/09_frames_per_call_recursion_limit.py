# Each desync call level costs several Python frames: recursion that plain Python
# handles hits RecursionError (tomllib: nested arrays to 0.465 * the limit).
import sys

from desync import desync


@desync(cache=False)
def depth(n):
    if n == 0:
        return 0
    inner = depth(n - 1)
    return inner + 1


print(depth(sys.getrecursionlimit() // 2))
