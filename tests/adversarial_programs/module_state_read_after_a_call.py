"""Written from session nine's adversarial round on objects and shared state.
Run: DESYNC_PACING=0 python tests/adversarial_programs/module_state_read_after_a_call.py

A function of the module that changes a module-level object in place (a registry
list, a dict of settings, a counter object) is a call that may start early; but the
body's own read of that object after the call sees the change, as in Python."""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402

REG = []
CFG = {"n": 1}


class Registry:
    def __init__(self):
        self.items = []

    def register(self, v):
        self.items.append(v)


registry = Registry()


def record(v):
    REG.append(v)


def bump():
    CFG["n"] += 1


def enlist(v):
    registry.register(v)


def _reset():
    REG.clear()
    CFG["n"] = 1
    registry.items.clear()


def a_list_a_function_appends_to():
    _reset()
    record(slow(1))
    return len(REG), list(REG)


def a_dict_a_function_changes():
    _reset()
    a = slow(2)
    bump()
    return CFG["n"] + a


def an_object_a_method_changes():
    _reset()
    enlist(slow(3))
    return len(registry.items)


def in_a_loop():
    _reset()
    out = []
    for i in range(3):
        record(slow(i))
        out.append(len(REG))
    return out


if __name__ == "__main__":
    main([a_list_a_function_appends_to, a_dict_a_function_changes,
          an_object_a_method_changes, in_a_loop])
