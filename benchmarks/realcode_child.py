"""One run of a CPython test module against a copy of a standard-library module.

Started by ``realcode_lib.run_tests``; writes one JSON line per event to --events:

    {"event": "imported", "file": ..., "seconds": ...}
    {"event": "import_error", "error": ..., "detail": ...}
    {"event": "start", "id": ...}
    {"event": "outcome", "id": ..., "outcome": "pass|fail|error|skip|xfail|xpass", "t": ...}
    {"event": "end", "seconds": ..., "calls": ..., "exercised": [...]}

SIGUSR1 dumps every thread's stack to --stacks (the parent does that before it
kills a run that stopped making progress).
"""
from __future__ import annotations

import argparse
import faulthandler
import importlib
import json
import os
import pkgutil
import signal
import sys
import time
import traceback
import unittest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--stacks", required=True)
    parser.add_argument("--skip")
    parser.add_argument("--count-calls", action="store_true")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the tests whose id contains this (repeatable)")
    args = parser.parse_args()

    stacks = open(args.stacks, "w")
    faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=True)
    events = open(args.events, "a", buffering=1)

    def emit(**fields):
        events.write(json.dumps(fields) + "\n")
        events.flush()

    # desync and everything it imports come from the real standard library,
    # before the copy goes first on sys.path (the copy may be a module desync uses).
    import desync
    for info in pkgutil.walk_packages(desync.__path__, "desync."):
        if not info.name.endswith("__main__"):
            try:
                importlib.import_module(info.name)
            except Exception:  # optional dependencies of the toolchain
                pass
    import test.support  # noqa: F401  (and what it imports)

    total_calls, codes_called = (lambda: 0), (lambda: set())
    if args.count_calls:
        total_calls, codes_called = _count_desync_calls()

    copy_dir = os.path.abspath(args.dir)
    sys.path.insert(0, copy_dir)
    top = args.module.split(".")[0]
    for name in list(sys.modules):
        if name == top or name.startswith(top + "."):
            del sys.modules[name]
    started = time.perf_counter()
    try:
        module = importlib.import_module(args.module)
    except BaseException as error:
        info = {"filename": getattr(error, "filename", None), "lineno": getattr(error, "lineno", None)}
        emit(event="import_error", error=f"{type(error).__name__}: {error}",
             detail=traceback.format_exc() + json.dumps(info))
        return 3
    where = os.path.abspath(getattr(module, "__file__", "") or "")
    if not where.startswith(copy_dir + os.sep):
        emit(event="import_error", error=f"the tests would import {where}, not the copy",
             detail="")
        return 3
    emit(event="imported", file=where, seconds=time.perf_counter() - started)

    skip = set()
    if args.skip and os.path.exists(args.skip):
        with open(args.skip) as f:
            skip = set(json.load(f))
    for name in list(sys.modules):
        if name == args.test or name.startswith(args.test + "."):
            del sys.modules[name]
    try:
        test_module = importlib.import_module(args.test)
        suite = unittest.TestLoader().loadTestsFromModule(test_module)
    except BaseException as error:
        emit(event="import_error", error=f"test module: {type(error).__name__}: {error}",
             detail=traceback.format_exc())
        return 3

    tests, seen = [], {}
    for case in _flatten(suite):
        test_id = case.id()
        seen[test_id] = seen.get(test_id, 0) + 1
        if seen[test_id] > 1:
            test_id = f"{test_id} #{seen[test_id]}"
        case._realcode_id = test_id
        if test_id not in skip and (not args.only or any(o in test_id for o in args.only)):
            tests.append(case)

    result = Recorder(emit, total_calls)
    started = result.started = time.perf_counter()
    unittest.TestSuite(tests).run(result)
    seconds = time.perf_counter() - started
    calls = total_calls()
    exercised = sorted({getattr(code, "co_qualname", code.co_name) for code in codes_called()
                        if os.path.abspath(code.co_filename).startswith(copy_dir + os.sep)})
    emit(event="end", seconds=seconds, calls=calls, exercised=exercised)
    stacks.close()
    return 0


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item


def _count_desync_calls():
    """Count the calls of each desync function: a call runs the transpiled body, whose
    ``scope()`` looks up the calling code's spec, or (paced) the original function,
    which its gate counts (``Gate.granted``). Returns ``(total calls so far, codes
    called)``, two functions."""
    from desync import runtime
    specs = getattr(runtime, "_specs", None)
    if not isinstance(specs, dict):
        return (lambda: 0), (lambda: set())
    counts: dict = {}

    class Counting(dict):
        def get(self, key, default=None):
            value = dict.get(self, key, default)
            if value is not None and sys._getframe(1).f_code.co_name == "scope":
                code = value[0] if isinstance(value, tuple) else key  # (code, spec)
                counts[code] = counts.get(code, 0) + 1
            return value

    runtime._specs = Counting(specs)
    gates: dict = {}   # every gate asked about, kept (its count must not vanish with it)
    ask = getattr(runtime, "plain", None)
    if ask is not None:
        def asked(gate):
            gates[id(gate)] = gate
            return ask(gate)
        runtime.plain = asked

    def opened():
        return [g for g in gates.values() if g.granted and g.spec is not None]

    def total():
        return sum(counts.values()) + sum(g.granted - max(g.n, 0) for g in opened())

    def codes():
        return set(counts) | {g.spec.fn.__code__ for g in opened()}
    return total, codes


class Recorder(unittest.TestResult):
    """One ``outcome`` event per test; subtest failures count for their test."""

    def __init__(self, emit, calls):
        super().__init__()
        self.emit = emit
        self.calls = calls  # desync calls so far (0 in a plain run)
        self.current = None
        self.outcome = None
        self.detail = []
        self.started = 0.0
        self.test_started = time.perf_counter()   # (3.12.1 stops a skipped test unstarted)

    def _id(self, test):
        return getattr(test, "_realcode_id", None) or test.id()

    def startTest(self, test):
        super().startTest(test)
        self.current = test
        self.test_started = time.perf_counter()
        self.outcome = None
        self.detail = []
        self.emit(event="start", id=self._id(test))

    def stopTest(self, test):
        super().stopTest(test)
        self.emit(event="outcome", id=self._id(test), outcome=self.outcome or "pass",
                  detail="\n".join(self.detail)[-20000:],
                  t=time.perf_counter() - self.started,
                  d=time.perf_counter() - self.test_started, c=self.calls())
        self.current = None

    def _record(self, test, outcome, detail=""):
        if self.current is None or test is not self.current:
            # setUpClass, tearDownModule, ...: an outcome of its own
            self.emit(event="outcome", id=test.id(), outcome=outcome, detail=detail,
                      t=time.perf_counter() - self.started)
            return
        if self.outcome in (None, "pass") or outcome in ("error", "fail") and self.outcome not in ("error", "fail"):
            self.outcome = outcome
        if detail:
            self.detail.append(detail)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "pass")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "fail", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skip", str(reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, "xfail")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "xpass")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "fail" if issubclass(err[0], test.failureException) else "error"
            self._record(test, kind, f"[subtest {subtest._subDescription()}]\n"
                                     + self._exc_info_to_string(err, test))


if __name__ == "__main__":
    sys.exit(main())
