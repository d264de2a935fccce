"""From session eleven's round on if and try steps in loops (218 cases, 7 families; six
fixed, one documented: a call in a branch not taken still runs, and the step waits for
it). Run: DESYNC_PACING=0 python tests/adversarial_programs/regions_deferred_and_globals.py

A: a call issued ahead for the step must see what an earlier deferred effect of the
same step changes (the test's ``stack.pop()``): what follows a deferred call is deferred.
F: a deferred call bound to a name and passed on is made once.
B: a step that fills a module's list given as an argument: callees reading the global
by its own name wait. C: ``parts += [v]`` changes the list in place.
G: a deferred call that changes module state: the body's reads of it wait.
H: a method of an object the step calls that changes what it is given."""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def peek(seen, x):
    n = len(seen)
    time.sleep(0.008)
    return (x, n)


def A_if_test_pop(xs):
    stack = list(range(12))
    out = []
    for x in xs:
        if stack.pop() % 2:
            out.append(peek(stack, x))
    return out

def A_try_pop_then_len(xs):
    stack = list(range(12))
    out = []
    for x in xs:
        try:
            a = stack.pop()
            out.append(peek(stack, a))
        except ValueError:
            pass
    return out

# F: a deferred effect bound to a name, then passed to a call: runs twice
def show(a):
    time.sleep(0.005)
    return a

def say(x):
    print("say", x)
    return x

def F_if(xs):
    out = []
    a = None
    for x in xs:
        if show(x) % 2:
            a = say(x)
            out.append(show(a))
    return out

def F_try(xs):
    out = []
    for x in xs:
        try:
            a = say(x)
            out.append(show(a))
        except ValueError:
            pass
    return out

# B: narrow region fills a module-level list given as an argument
LOG = []
def reads_log(x):
    n = len(LOG)
    time.sleep(0.008)
    return (x, n)

def B_if(xs, out):
    res = []
    for x in xs:
        v = reads_log(x)
        if v[0] % 2:
            out.append(v)
        res.append(v)
    return res

def B_try(xs, out=LOG):
    for x in xs:
        try:
            out.append(reads_log(x))
        except ValueError:
            pass

# C: augmented assignment to a name in a narrow region
def C_if(xs):
    parts = []
    alias = parts
    for x in xs:
        v = peek(alias, x)
        if v:
            parts += [v]
    return parts

# G: deferred call that changes module state; body reads the global after
COUNT = {"n": 0}
def bump():
    COUNT["n"] += 1

def G_if(xs):
    out = []
    for x in xs:
        if show(x) % 2:
            bump()
        out.append(COUNT["n"])
    return out

# H: deferred bound method that changes its argument
class Helper:
    def register(self, seen, v):
        seen.append(v)

def H_if(xs, seen):
    h = Helper()
    out = []
    for x in xs:
        if show(x) % 2:
            h.register(seen, x)
        out.append(len(seen))
    return out

def register(seen, v):
    seen.append(v)


def F_register_bound_then_shown(xs, seen):
    out = []
    for x in xs:
        if show(x) % 2:
            a = register(seen, x)
            out.append(show(a))
    return out, seen


def reset():
    del LOG[:]
    COUNT["n"] = 0
    return (list(range(1, 8)),)


def reset_log():
    del LOG[:]
    return (list(range(1, 8)), LOG)


CASES = [(A_if_test_pop, reset, repr), (A_try_pop_then_len, reset, repr),
         (F_if, reset, repr), (F_try, reset, repr),
         (F_register_bound_then_shown, lambda: (list(range(1, 8)), []), repr),
         (B_if, reset_log, repr), (B_try, reset, lambda a: repr(LOG)), (C_if, reset, repr),
         (G_if, reset, repr), (H_if, lambda: (list(range(1, 8)), []), repr)]

if __name__ == "__main__":
    main(CASES)
