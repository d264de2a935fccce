# Values a desync call computed stay alive after it returns (until gc runs).
import gc
import weakref

from desync import desync


class Thing:
    pass


@desync(cache=False)
def make():
    thing = Thing()
    return weakref.ref(thing)


gc.disable()
print("freed on return:", make()() is None)
