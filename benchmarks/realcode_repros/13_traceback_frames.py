# The traceback of an error raised by a nested desync call shows desync's engine
# frames and <lambda> frames, and the outer frame points at the body's first line.
import traceback

from desync import desync


def fail(x):
    raise ValueError(x)


@desync(cache=False)
def inner(x):
    y = x + 1
    return fail(y)


@desync(cache=False)
def outer(x):
    z = x * 2
    return inner(z)


try:
    outer(1)
except ValueError as e:
    print([(f.name, f.lineno) for f in traceback.extract_tb(e.__traceback__)][1:])
