"""A module of the project the idiom shapes import (as a settings or helpers module
is): a helper that counts its calls in a module global, and a constant."""
import time

SCALE = 3
CALLS = 0
DONE = []


def work(x, delay):
    global CALLS
    time.sleep(delay)
    CALLS += 1   # (module state: the body's reads of this module's changing names wait)
    return x + 1


def record(x):
    DONE.append(x)   # (module state: a progress list the body reads back)
