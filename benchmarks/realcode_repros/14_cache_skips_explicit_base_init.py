# With the cache, an explicit Base.__init__(self, ...) of a desync Base hits on a
# second, equal fresh object and is skipped: the object is left uninitialised
# (optparse.OptionParser, plistlib._PlistWriter). Classes must be importable.
import sys

from desync import desync


class Base:
    @desync
    def __init__(self, x):
        self.x = x


class Child(Base):
    @desync
    def __init__(self, x):
        Base.__init__(self, x)


sys.modules["repro14"] = sys.modules[__name__]   # as if defined in a module
Base.__module__ = Child.__module__ = "repro14"
print([vars(Child(1)), vars(Child(1))])
