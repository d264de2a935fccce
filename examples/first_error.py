"""Errors stay what plain Python gives: the first error in program order wins,
with a traceback into your own code, even when a later task fails sooner.

    python examples/first_error.py
"""
import os
import time
import traceback

from desync import desync

SCALE = float(os.environ.get("DESYNC_EXAMPLE_SCALE", "1"))


def parse(text):
    time.sleep(0.3 * SCALE)
    return int(text)          # raises ValueError for "x"


def check(value):
    raise KeyError(value)     # fails at once, but comes later in the program


@desync
def load(text):
    number = parse(text)
    check("later")
    return number


if __name__ == "__main__":
    try:
        load("x")
    except ValueError as error:
        print("raised, as plain Python would:", repr(error))
        last = traceback.extract_tb(error.__traceback__)[-1]
        print(f"at {os.path.basename(last.filename)}:{last.lineno} in {last.name}(): {last.line}")
