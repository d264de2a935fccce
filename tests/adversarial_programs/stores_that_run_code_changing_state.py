"""The body's own store runs code of the user's that changes module state (a property
setter appending to a module-level list, a ``__setitem__``, a ``__setattr__``, a
descriptor's ``__set__``): the body's reads of that state after the store see its
change. Such a store was an effect on its object only: the read of the module's
list did not wait for it (a known gap until session fifteen).
Run: DESYNC_PACING=0 python tests/adversarial_programs/stores_that_run_code_changing_state.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _stores_run_code as S  # noqa: E402


def _fresh():
    S.reset()
    return ()


def work(x):
    time.sleep(0.003 * (4 - x % 4))
    return x


def property_setter_then_read():
    t = S.Tracked()
    out = []
    for x in range(3):
        t.value = work(x)
        out.append(len(S.LOG))
    return out


def property_deleter_then_read():
    t = S.Tracked()
    t.value = 1
    del t.value
    return list(S.LOG)


def setitem_then_read():
    d = S.Recording()
    out = []
    for x in range(3):
        d[x] = work(x)
        out.append(len(S.LOG))
    return out, dict(d)


def setattr_then_read():
    c = S.Counting()
    c.a = work(1)
    c.b = 2
    return S.COUNTS["set"]


def descriptor_then_read():
    w = S.WithLogged()
    w.level = work(3)
    return list(S.LOG), w.level


def builtin_setattr_then_read():
    t = S.Tracked()
    setattr(t, "value", work(1))
    before = len(S.LOG)
    delattr(t, "value")
    return before, list(S.LOG)


def object_given_to_the_body(t):
    t.value = work(2)
    return len(S.LOG)


CASES = [(f, _fresh) for f in (
    property_setter_then_read, property_deleter_then_read, setitem_then_read,
    setattr_then_read, descriptor_then_read, builtin_setattr_then_read)] + [
    (object_given_to_the_body, lambda: (_fresh(), S.Tracked())[1:],
     lambda args: repr((S.LOG, args[0].value)))]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
