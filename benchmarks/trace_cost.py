"""What tracing costs: off (must be nothing) and on (stated here).

    python benchmarks/trace_cost.py           # about 20 s
    python benchmarks/trace_cost.py --quick

Three ways of running the same desync bodies, interleaved in one process so a
noisy shared machine moves them together:

- ``before``: ``runtime.scope()`` as it was before tracing existed (it made a
  ``Body`` directly), put back for the comparison;
- ``off``: this runtime, tracing off (``scope()`` makes the class held in
  ``runtime._Body``: the same work);
- ``on``: tracing on (``desync.tracing()``): every task, effect and wait recorded.

Reported per task (200 independent cheap calls in one body; a chain of 200
dependent ones), per desync call (a body with one trivial call), and the seed
example's wall time. Nothing is asserted: goals are printed with ok / MISSED.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import desync  # noqa: E402
from desync import runtime  # noqa: E402
from desync.runtime import Body, SequentialBody, pacing  # noqa: E402

# What tracing costs the concurrent engine: pacing would run the small bodies here in
# order after a few calls (and "before" does not pace). benchmarks/run.py's "small"
# section measures pacing itself.
pacing.set_enabled(False)

TASKS = 200


def scope_before():
    """runtime.scope() before the tracing hook: Body made directly."""
    spec = runtime._specs.get(sys._getframe(1).f_code)
    cache = spec.active_cache() if spec is not None else None
    if runtime._disabled or runtime.nesting() > runtime.NESTING:
        return SequentialBody(cache)
    if spec is None:
        from desync.runtime.executors import default_threads
        return Body(None, default_threads(), None)
    _, foreign, threads = spec.executors.resolve()
    return Body(foreign, threads, cache)


def load(source: str, folder: str, name: str):
    from run import load_generated  # benchmarks/run.py, beside this script
    return load_generated(source, name, folder)


def source() -> str:
    lines = ["import time", "from desync import desync", "", "def work(v):", "    return v", "",
             "def nap():", "    time.sleep(0.1)", "",
             "@desync(cache=False)", "def fan(x):"]
    lines += [f"    r{i} = work(x + {i})" for i in range(TASKS)]
    lines.append("    return (" + ", ".join(f"r{i}" for i in range(TASKS)) + ",)")
    lines += ["", "@desync(cache=False)", "def chain(x):", "    a0 = work(x)"]
    lines += [f"    a{i} = work(a{i - 1})" for i in range(1, TASKS)]
    lines.append(f"    return a{TASKS - 1}")
    lines += ["", "@desync(cache=False)", "def one(x):", "    return work(x)"]
    lines += ["", "@desync(cache=False)", "def seed():", "    nap()", "    nap()"]
    return "\n".join(lines) + "\n"


class Mode:
    def __init__(self, name):
        self.name = name
        self.tracer = None

    def __enter__(self):
        runtime.scope = scope_before if self.name == "before" else ORIGINAL_SCOPE
        if self.name == "on":
            self.tracer = desync.tracing()
            self.tracer.__enter__()
        return self

    def __exit__(self, *exc):
        if self.tracer is not None:
            self.tracer.__exit__(None, None, None)
        runtime.scope = ORIGINAL_SCOPE
        return False


ORIGINAL_SCOPE = runtime.scope


def measure(fn, modes, rounds, inner):
    """{mode: seconds per fn() call, the best round}: the modes interleaved, their order
    reversed every other round (the best round is the one least disturbed by the other
    work of a shared machine; the median moves with it)."""
    times = {mode: [] for mode in modes}
    for number in range(rounds):
        for mode in (modes if number % 2 == 0 else modes[::-1]):
            with Mode(mode):
                started = time.perf_counter()
                for _ in range(inner):
                    fn()
                times[mode].append((time.perf_counter() - started) / inner)
    return {mode: min(values) for mode, values in times.items()}


def line(what, value, unit, goal=None, met=None):
    mark = "" if met is None else ("  ok" if met else "  MISSED")
    goal_text = f"   goal: {goal}" if goal else ""
    print(f"  {what:<46} {value:>10.3f} {unit:<4}{goal_text}{mark}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rounds = 10 if args.quick else 40
    modes = ("before", "off", "on")
    with tempfile.TemporaryDirectory() as folder:
        module = load(source(), folder, "trace_cost_bodies")
        for fn in (module.fan, module.chain, module.one):   # warm up (pools, caches)
            for mode in modes:
                with Mode(mode):
                    fn(1)
        print(f"desync tracing cost: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        for title, fn, count, inner, unit_name in (
                (f"{TASKS} independent cheap calls in one body", lambda: module.fan(1), TASKS,
                 3, "per task"),
                (f"a chain of {TASKS} dependent cheap calls", lambda: module.chain(1), TASKS,
                 3, "per task"),
                ("a desync call with one trivial call", lambda: module.one(1), 1, 300,
                 "per call")):
            result = measure(fn, modes, rounds, inner)
            per = {mode: seconds / count * 1e6 for mode, seconds in result.items()}
            print(title)
            for mode in modes:
                line(f"{mode}, {unit_name}", per[mode], "us")
            line("off / before (tracing off costs nothing)", per["off"] / per["before"], "x",
                 "<= 1.05", per["off"] / per["before"] <= 1.05)
            line("on - off, per task recorded" if count > 1 else "on - off, per call",
                 per["on"] - per["off"], "us")
            line("on / off", per["on"] / per["off"], "x")
        result = measure(module.seed, ("off", "on"), 3 if args.quick else 5, 1)
        print("the seed example (two 0.1 s calls; ideal 0.1 s)")
        for mode in ("off", "on"):
            line(f"{mode}, wall time", result[mode] * 1000, "ms")
        line("on / off", result["on"] / result["off"], "x", "<= 1.05",
             result["on"] / result["off"] <= 1.05)


if __name__ == "__main__":
    main()
