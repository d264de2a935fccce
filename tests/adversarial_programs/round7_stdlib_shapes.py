"""Written from the seventh adversarial round (CPython's own tests of more standard-
library modules under @desync).
Run: DESYNC_PACING=0 python tests/adversarial_programs/round7_stdlib_shapes.py

fileinput: ``self._readline = self._file.readline`` then ``self._readline()``: the
attribute is read after the store, not the method it hid. collections: a method
that reads the world, given ``map(kwds.pop, ...)``, consumes it before ``if kwds:``."""
import io, os, sys, time  # noqa: E401
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def slow_open(name):
    time.sleep(0.02)
    return io.StringIO("A\nB\n")


class Reader:
    def __init__(self, names):
        self._files = list(names)

    def _readline(self):
        return ""


def method_hidden_by_a_pending_store(reader):
    name = reader._files.pop(0)
    reader._file = slow_open(name)
    reader._readline = reader._file.readline   # hides the method
    return reader._readline()


class Point(tuple):
    def make(self, iterable):
        os.environ.get("HOME")   # reads the world
        time.sleep(0.02)
        return tuple(iterable)


def world_reading_method_consumes_a_lazy_map(point, kwds):
    result = point.make(map(kwds.pop, ("x", "y"), point))
    if kwds:
        raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
    return result


if __name__ == "__main__":
    main([(method_hidden_by_a_pending_store, lambda: (Reader(["t.txt"]),),
           lambda a: a[0]._files),
          (world_reading_method_consumes_a_lazy_map, lambda: (Point((11, 22)), {"x": 100}))])
