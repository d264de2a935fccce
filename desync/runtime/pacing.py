"""Pacing: when concurrency cannot pay, a desync function runs its calls in order.

A call of a desync function whose every call takes microseconds has nothing worth
overlapping, yet running it concurrently costs tens of microseconds (tasks, the
reorder buffer, waking workers). Per function, measured on its own calls: after
``CHEAP_RUNS`` calls in a row that each finished within ``CHEAP`` seconds running
concurrently, its calls run in program order on the calling thread (the runtime
``desync.sequential()`` uses: plain Python's results, the call cache still on).
An in-order call that takes ``BIG`` seconds or more, or ``SLOW_RUNS`` in a row
that run clearly slower than the concurrent ones did (calls that wait on I/O
overlap even when short), show work worth overlapping: the function goes back to
concurrent calls, and each time back it needs twice as many cheap calls in a row
to go in order again. A function whose calls are sometimes big so runs in order
when concurrency would have paid on a number of calls that grows with the
logarithm of its calls, not with them; a pause of the machine costs one round of
probing. Only
functions on desync's threads are paced: a process pool or a Dask executor is
chosen to move work elsewhere.

``DESYNC_PACING=0`` (or ``set_enabled(False)``) turns pacing off: every call runs
concurrently, as the engine's tests need.
"""
from __future__ import annotations

import os

CHEAP = 250e-6
BIG = 2e-3
CHEAP_RUNS = 16
SLOW_RUNS = 3          # in-order calls clearly slower than concurrent ones, to switch back

MAX_BACKOFF = 10       # at most CHEAP_RUNS * 2**10 cheap calls to go in order again

PROBING, IN_ORDER = 0, 1

_enabled = os.environ.get("DESYNC_PACING", "1").strip().lower() not in ("0", "false", "no", "off")


def is_enabled() -> bool:
    return _enabled


def set_enabled(enabled: bool) -> None:
    global _enabled
    _enabled = bool(enabled)


class Pace:
    """What one desync function's calls have cost so far. Updated without a lock:
    a lost update among racing calls only delays a decision by a call."""

    __slots__ = ("mode", "cheap_runs", "needed", "slow_runs", "returns", "concurrent_time")

    def __init__(self):
        self.mode = PROBING
        self.cheap_runs = 0
        self.needed = CHEAP_RUNS     # cheap calls in a row to go in order
        self.slow_runs = 0
        self.returns = 0             # times it went back from in order to concurrent
        self.concurrent_time = 0.0   # the mean of the current run of cheap concurrent calls

    def in_order(self) -> bool:
        return self.mode == IN_ORDER and _enabled

    def concurrent_took(self, elapsed: float) -> None:
        if self.mode != PROBING:
            return
        if elapsed < CHEAP:
            runs = self.cheap_runs
            self.concurrent_time = (self.concurrent_time * runs + elapsed) / (runs + 1)
            self.cheap_runs = runs + 1
            if runs + 1 >= self.needed:
                self.mode = IN_ORDER
                self.slow_runs = 0
        else:
            self.cheap_runs = 0
            self.concurrent_time = 0.0

    def in_order_took(self, elapsed: float) -> None:
        if self.mode != IN_ORDER:
            return
        if elapsed >= BIG:
            self._back()
        elif elapsed > 2 * self.concurrent_time + 20e-6:
            self.slow_runs += 1
            if self.slow_runs >= SLOW_RUNS:
                self._back()
        else:
            self.slow_runs = 0

    def _back(self):
        self.returns += 1
        self.needed = CHEAP_RUNS << min(self.returns, MAX_BACKOFF)
        self.cheap_runs = 0
        self.concurrent_time = 0.0
        self.mode = PROBING


def pace_of(spec) -> Pace:
    pace = spec.pace
    if pace is None:
        pace = spec.pace = Pace()
    return pace
