# Recursion past the limit raises RecursionError in plain Python; under desync,
# when the limit is hit inside the engine (a store's task), the call never
# returns (json: test_highly_nested_objects_decoding).
from desync import desync


@desync(cache=False)
def nest(box, n):
    box["n"] = n
    if n:
        nest(box, n - 1)


def at_depth(k):  # the limit is hit at a different point for each k
    return nest({}, 100_000) if k == 0 else at_depth(k - 1)


for k in range(50):
    try:
        at_depth(k)
    except RecursionError:
        pass
print("every depth raised RecursionError")
