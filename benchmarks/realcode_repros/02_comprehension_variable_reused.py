# A comprehension variable that is also a later local raises UnboundLocalError.
from desync import desync


@desync(cache=False)
def double(xs):
    ys = [x * 2 for x in xs]
    for x in xs:
        pass
    return ys


print(double([1, 2, 3]))
