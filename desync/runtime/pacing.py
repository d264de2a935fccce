"""Pacing: when concurrency does not pay, a desync function runs its calls in order.

Running a call concurrently costs tens of microseconds per task (tasks, the reorder
buffer, waking workers). It pays only where calls overlap: callees that wait (I/O,
sleeps, C code that releases the GIL) running side by side. Where they do not (tiny
callees, or pure-Python work that the GIL runs one at a time anyway) it only makes
the function slower, often many times over.

Per function, measured on its own calls: a concurrent call *overlapped* when the
time its tasks took, added up, exceeds its wall time by ``GAIN`` (several tasks ran
at once). After ``CHEAP_RUNS`` calls in a row that did not overlap, the function's
calls run in program order on the calling thread (the runtime ``desync.sequential()``
uses: plain Python's results, the call cache still on). In order, it is checked
again by a *probe*, one call run concurrently: after ``PROBE_EVERY`` calls (doubling
after each probe that confirms, up to ``MAX_PROBE_EVERY``), and right after a call
that took far longer than the function's in-order calls usually do (new inputs may
bring work that overlaps). A probe that overlaps sends the function back to
concurrent calls, and each time back it needs twice as many calls that do not
overlap before it runs in order again. Only functions on desync's threads are
paced: a process pool or a Dask executor is chosen to move work elsewhere.

``DESYNC_PACING=0`` (or ``set_enabled(False)``) turns pacing off: every call runs
concurrently, as the engine's tests need.
"""
from __future__ import annotations

import os

GAIN = 1.5             # tasks' time / wall time above which a call overlapped
CHEAP_RUNS = 8         # calls in a row that did not overlap, to go in order
PROBE_EVERY = 64       # in-order calls between probes, at first
MAX_PROBE_EVERY = 4096
MAX_BACKOFF = 10       # at most CHEAP_RUNS * 2**10 calls to go in order again
OUTLIER = 4.0          # an in-order call this many times its usual time...
OUTLIER_FLOOR = 1e-3   # ... and this much longer: probe the next call

PROBING, IN_ORDER = 0, 1

_enabled = os.environ.get("DESYNC_PACING", "1").strip().lower() not in ("0", "false", "no", "off")


def is_enabled() -> bool:
    return _enabled


def set_enabled(enabled: bool) -> None:
    global _enabled
    _enabled = bool(enabled)


class Pace:
    """What one desync function's calls have cost so far. Updated without a lock:
    racing calls may lose an update, which only delays a decision by a call."""

    __slots__ = ("mode", "calm_runs", "needed", "returns", "since_probe", "probe_every",
                 "probe_due", "in_order_time")

    def __init__(self):
        self.mode = PROBING
        self.calm_runs = 0           # concurrent calls in a row that did not overlap
        self.needed = CHEAP_RUNS
        self.returns = 0             # times it went back from in order to concurrent
        self.since_probe = 0
        self.probe_every = PROBE_EVERY
        self.probe_due = False
        self.in_order_time = 0.0     # running mean of in-order calls' wall time

    def would_run_in_order(self) -> bool:
        """What ``in_order`` would say, without counting the call."""
        return self.mode == IN_ORDER and _enabled and not self.probe_due \
            and self.since_probe < self.probe_every

    def in_order(self) -> bool:
        """Run this call in order? (False: run it concurrently, maybe as a probe.)
        Counts the call: ask once per call."""
        if self.mode != IN_ORDER or not _enabled:
            return False
        if self.probe_due or self.since_probe >= self.probe_every:
            self.probe_due = False
            self.since_probe = 0
            return False
        self.since_probe += 1
        return True

    def concurrent_took(self, elapsed: float, busy: float) -> None:
        overlapped = busy > GAIN * elapsed
        if self.mode == IN_ORDER:    # a probe
            if overlapped:
                self._back()
            else:
                self.probe_every = min(self.probe_every * 2, MAX_PROBE_EVERY)
            return
        if overlapped:
            self.calm_runs = 0
            return
        self.calm_runs += 1
        if self.calm_runs >= self.needed:
            self.mode = IN_ORDER
            self.since_probe = 0
            self.in_order_time = 0.0

    def in_order_took(self, elapsed: float) -> None:
        if self.mode != IN_ORDER:
            return
        usual = self.in_order_time
        if usual and elapsed > OUTLIER * usual and elapsed - usual > OUTLIER_FLOOR:
            self.probe_due = True    # much more work than usual: does it overlap?
        self.in_order_time = elapsed if not usual else usual + (elapsed - usual) / 8

    def _back(self):
        self.returns += 1
        self.needed = CHEAP_RUNS << min(self.returns, MAX_BACKOFF)
        self.calm_runs = 0
        self.probe_every = PROBE_EVERY
        self.mode = PROBING


def pace_of(spec) -> Pace:
    pace = spec.pace
    if pace is None:
        pace = spec.pace = Pace()
    return pace
