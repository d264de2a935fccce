# With the cache, a desync call made while its module is being imported hangs:
# hashing an argument on a worker thread pickles an instance of a class of that
# module, and pickle imports the module: the import lock the main thread holds
# (test_dataclasses: @dataclass at import time).
import pathlib, sys, tempfile

MODULE = '''
from desync import desync
class Point:
    def __init__(self, x):
        self.x = x
def norm(p):
    return abs(p.x)
@desync
def total(points):
    return norm(points[0]) + norm(points[1])
RESULT = total([Point(1), Point(-2)])
'''
folder = tempfile.mkdtemp()
pathlib.Path(folder, "repro15_points.py").write_text(MODULE)
sys.path.insert(0, folder)
import repro15_points  # noqa: E402
print(repro15_points.RESULT)
