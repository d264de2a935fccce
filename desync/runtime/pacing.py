"""Pacing: when concurrency does not pay, a desync function runs its calls in order.

Running a call concurrently costs tens of microseconds per task (tasks, the reorder
buffer, waking workers). It pays only where calls overlap: callees that wait (I/O,
sleeps, C code that releases the GIL) running side by side. Where they do not (tiny
callees, or pure-Python work that the GIL runs one at a time anyway) it only makes
the function slower, often many times over.

Per function, measured on its own calls: a concurrent call *overlapped* when the
time its tasks took, added up, exceeds its wall time by ``GAIN`` (several tasks ran
at once). After ``CHEAP_RUNS`` calls in a row that did not overlap (a call of many
steps counts as more than one: ``TASKS_PER_RUN`` steps each), the function's
calls run in program order on the calling thread (the runtime ``desync.sequential()``
uses: plain Python's results, the call cache still on). In order, it is checked
again by a *probe*, one call run concurrently: after ``PROBE_EVERY`` calls (doubling
after each probe that confirms, up to ``MAX_PROBE_EVERY``; and never more often than
keeps probes within ``1/SPACING`` of the time spent in order), and right after a call
that took far longer than the function's in-order calls usually do (new inputs may
bring work that overlaps; each such call doubles how much longer the next must be). A probe that overlaps sends the function back to
concurrent calls, and each time back it needs twice as many calls that do not
overlap before it runs in order again. Only functions on desync's threads are
paced: a process pool or a Dask executor is chosen to move work elsewhere.

A function the decorator made from source has its original at hand: in order, its
calls run the original itself, plain Python, through a ``Gate`` (a cell of the
transpiled function). The runtime opens the gate for a batch of ``BATCH`` calls at a
time; the transpiled function's first lines run a call of an open gate without
calling into the runtime, timing it only to spot a call far longer than usual. With
a call cache, the original runs only while the cache is idle for the function (no
call keyed in ``CHEAP_RUNS`` in-order calls in a row; checked again every
``CACHE_RECHECK`` calls, doubling, and spaced by cost as probes are): skipping an idle
cache changes nothing.

Probes and cache checks are spaced by what they cost, not only by count: a call of
100,000 tiny steps runs in order in 4 ms, as a probe in 1.2 s and as a cache check in
75 ms, so one probe every 64 calls would make it five times slower than plain Python.
The cost is kept as a ratio to an in-order call, taken when the probe ran: inputs
that grow or shrink later change both alike.

``DESYNC_PACING=0`` (or ``set_enabled(False)``) turns pacing off: every call runs
concurrently, as the engine's tests need.
"""
from __future__ import annotations

import os
import weakref

GAIN = 1.5             # tasks' time / wall time above which a call overlapped
CHEAP_RUNS = 8         # calls in a row that did not overlap, to go in order
TASKS_PER_RUN = 64     # a call's steps that count as one more call that did not overlap
PROBE_EVERY = 64       # in-order calls between probes, at first
MAX_PROBE_EVERY = 4096
MAX_BACKOFF = 10       # at most CHEAP_RUNS * 2**10 calls to go in order again
OUTLIER = 4.0          # an in-order call this many times its usual time...
OUTLIER_FLOOR = 1e-3   # ... and this much longer: probe the next call
BATCH = 16             # calls a gate runs as the original between two looks at the Pace
CACHE_RECHECK = 64     # original-function calls between two looks at an idle cache, at first
SPACING = 20           # in-order calls between two probes (or checks): this many times
                       # what one costs beyond an in-order call, in in-order calls
MAX_SPACING = 64 * MAX_PROBE_EVERY   # calls, at most, between two probes or checks
MAX_OUTLIER = OUTLIER * 2 ** MAX_BACKOFF
LOOK_GAIN = 1.25       # the original, without the cache, this much faster: it runs instead

PROBING, IN_ORDER = 0, 1
GATE = "__desync_gate__"   # the free variable holding a decorator-made function's Gate

_enabled = os.environ.get("DESYNC_PACING", "1").strip().lower() not in ("0", "false", "no", "off")


def is_enabled() -> bool:
    return _enabled


def set_enabled(enabled: bool) -> None:
    global _enabled
    _enabled = bool(enabled)
    close_gates()


class Gate:
    """One decorator-made function's way to its original: ``n`` calls left to run as
    ``fn`` before asking again; a call longer than ``slow`` seconds sets ``n`` to -1
    (probe the next call). Held in a closure cell of the transpiled function, so a
    factory's functions, or one module imported twice, each have their own."""

    __slots__ = ("n", "fn", "slow", "spec", "granted", "__weakref__")

    def __init__(self, fn=None, spec=None):
        self.n = 0
        self.fn = fn
        self.slow = _NEVER
        self.spec = spec       # None: closed (what a copy in another process gets)
        self.granted = 0       # calls granted so far (a count for reports)

    def __reduce__(self):
        return (Gate, ())

    def __repr__(self):
        state = "closed" if self.spec is None else f"{self.n} calls left"
        return f"<desync Gate {getattr(self.fn, '__qualname__', None)}: {state}>"


_NEVER = float("inf")
_gates: weakref.WeakSet = weakref.WeakSet()


def close_gates() -> None:
    """Every open gate asks again at its next call (desync turned off, tracing on).
    Gates never opened are not listed, and are closed already."""
    for gate in list(_gates):
        gate.n = 0


def open_gate(gate: Gate, pace: "Pace", cached: bool) -> bool:
    """Let this call and up to ``BATCH - 1`` more run the original?"""
    if gate.n < 0:           # the last call took far longer than usual
        gate.n = 0
        pace.outlier()
    usual = pace.in_order_time
    # Until an in-order call has been timed there is no usual time to compare with:
    # one call at a time.
    pace.gated = True
    batch = pace.grant(cached, BATCH if usual else 1)
    if not batch:
        return False
    if not gate.granted:     # listed once it can be open: decorating stays cheap
        _gates.add(gate)
    gate.n = batch - 1
    gate.granted += batch
    gate.slow = max(pace.outlier_factor * usual, usual + OUTLIER_FLOOR) if usual else _NEVER
    return True


class Pace:
    """What one desync function's calls have cost so far. Updated without a lock:
    racing calls may lose an update, which only delays a decision by a call."""

    __slots__ = ("mode", "calm_runs", "needed", "returns", "since_probe", "probe_every",
                 "probe_due", "in_order_time", "cache_calm", "cache_idle", "cache_every",
                 "cache_left", "probe_cost", "outlier_factor", "gated", "saving",
                 "original_every", "original_left", "looking")

    def __init__(self):
        self.mode = PROBING
        self.calm_runs = 0           # concurrent calls in a row that did not overlap
        self.needed = CHEAP_RUNS
        self.returns = 0             # times it went back from in order to concurrent
        self.since_probe = 0
        self.probe_every = PROBE_EVERY
        self.probe_due = False
        self.in_order_time = 0.0     # running mean of in-order calls' wall time
        self.cache_calm = 0          # in-order calls in a row that keyed no call
        self.cache_idle = False
        self.cache_every = CACHE_RECHECK
        self.cache_left = 0          # original-function calls until the cache is checked
        self.probe_cost = 0.0        # wall time of the last concurrent call
        self.outlier_factor = OUTLIER   # times the usual time a call takes to be an outlier
        self.gated = False           # has the original to run in its place (a decorator's gate)?
        self.saving = 0.0            # seconds of callees an in-order call's hits answer
        self.original_every = CACHE_RECHECK   # calls with the cache in use between looks
        self.original_left = CHEAP_RUNS       # ... at the original without it, until the next
        self.looking = False         # granted a look, not yet handed to its call

    def grant(self, cached: bool, most: int = BATCH) -> int:
        """How many calls, this one first, may run as the original function (0: the
        transpiled body runs: concurrently, as a probe, or in order to use the cache).
        Counts them."""
        if self.mode != IN_ORDER or not _enabled or self.probe_due:
            return 0
        batch = min(most, self.probe_every - self.since_probe)
        if cached and batch > 0:
            if not self.cache_idle:
                # The cache is in use. Its hits may save less than running this body
                # instead of the original costs (one costly call answered, among many
                # tiny ones): now and then, a call of the original, without the cache,
                # says which is faster. (Not when the hits alone save more than the
                # whole call takes: the original cannot be faster.)
                self.original_left -= 1
                if self.original_left > 0 or not self.gated \
                        or self.saving >= self.in_order_time:
                    return 0
                self.looking = True
                self.original_left = self.original_every
                batch = 1
            else:
                batch = min(batch, self.cache_left)
                self.cache_left -= batch
        if batch <= 0:
            return 0
        self.since_probe += batch
        return batch

    def is_check(self) -> bool:
        """Is an in-order call of the transpiled body, now, a look at an idle cache
        (a call the original would have run, and faster)?"""
        return self.gated and self.cache_idle

    def cache_ran(self, keyed: bool, elapsed: float = 0.0, uncached: int = 0,
                  saved: float = 0.0) -> None:
        """An in-order call of the transpiled body ended (``elapsed`` seconds); did it
        key any call? (``uncached``: calls it made too cheap to key; many of them, none
        keyed, count as more than one call that keyed nothing; ``saved``: seconds of
        callees its hits answered.)"""
        if keyed:
            self.saving = saved
            if self.cache_idle and self.gated and 0 < self.in_order_time < elapsed:
                # A look whose hits did not pay for this body: the original, without
                # them, is still faster. Looked at again later, spaced by its cost.
                self.cache_every = self._spaced(min(self.cache_every * 2, MAX_PROBE_EVERY),
                                                elapsed)
                self.cache_left = self.cache_every
                return
            if self.cache_idle:
                self.in_order_time = elapsed   # this body's time from now on
            self.cache_calm = 0
            self.cache_idle = False
            self.cache_every = CACHE_RECHECK
            return
        self.cache_calm += 1 + uncached // TASKS_PER_RUN
        if self.cache_idle:      # a check that found it still idle: look less often
            self.cache_every = self._spaced(min(self.cache_every * 2, MAX_PROBE_EVERY),
                                            elapsed)
            self.cache_left = self.cache_every
        elif self.cache_calm >= CHEAP_RUNS:
            self.cache_idle = True
            self.cache_left = self.cache_every
            # The original runs from now on, faster than this body: its first call
            # sets the usual time afresh (and spaces the next probe by it).
            self.in_order_time = 0.0

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

    def concurrent_took(self, elapsed: float, busy: float, tasks: int = 0) -> None:
        """A concurrent call ended: ``elapsed`` wall seconds, ``busy`` seconds of its
        tasks added up, ``tasks`` steps issued."""
        overlapped = busy > GAIN * elapsed
        self.probe_cost = elapsed
        if self.mode == IN_ORDER:    # a probe
            if overlapped:
                self._back()
            else:
                self.probe_every = self._spaced(min(self.probe_every * 2, MAX_PROBE_EVERY),
                                                elapsed)
            return
        if overlapped:
            self.calm_runs = 0
            return
        # A call of many steps none of which overlapped is that many observations:
        # difflib's find_longest_match makes thousands, and running eight of them
        # concurrently before deciding cost more than the rest of its tests.
        self.calm_runs += 1 + tasks // TASKS_PER_RUN
        if self.calm_runs >= self.needed:
            self.mode = IN_ORDER
            self.since_probe = 0
            self.probe_every = PROBE_EVERY
            self.in_order_time = 0.0
            self.outlier_factor = OUTLIER

    def in_order_took(self, elapsed: float, look: bool = False) -> None:
        """An in-order call took ``elapsed`` seconds (``look``: a call of the original
        run in place of the cache in use, to compare)."""
        if self.mode != IN_ORDER:
            return
        usual = self.in_order_time
        if look:   # the original, without the cache: faster than with it?
            if usual and elapsed * LOOK_GAIN < usual:
                self.cache_idle = True
                self.cache_calm = CHEAP_RUNS
                self.cache_left = self.cache_every
                self.in_order_time = elapsed
            else:
                self.original_every = self._spaced(
                    min(self.original_every * 2, MAX_PROBE_EVERY), elapsed)
                self.original_left = self.original_every
            return
        if usual and elapsed > self.outlier_factor * usual and elapsed - usual > OUTLIER_FLOOR:
            self.outlier()
        if usual:
            # Down fast, up slowly: a gate times one call of each batch it runs, and
            # a usual time left too high would hide outliers and space probes too far.
            self.in_order_time = usual + (elapsed - usual) / (2 if elapsed < usual else 8)
        else:   # the first in-order call: the first probe, spaced by what the calls cost
            self.in_order_time = elapsed
            self.probe_every = self._spaced(self.probe_every, self.probe_cost)

    def _spaced(self, every: int, took: float) -> int:
        """``every`` calls, or more: ``SPACING`` times as many in-order calls as a probe
        (or check) that ``took`` seconds cost beyond an in-order call, now. (A ratio
        taken at the probe, on the inputs of the time: later inputs, larger or
        smaller, change both costs alike.)"""
        usual = self.in_order_time
        if usual > 0 and took > usual:
            return max(every, min(MAX_SPACING, int(SPACING * (took - usual) / usual)))
        return every

    def outlier(self):
        """A call took far longer than usual: new inputs, maybe new work. Does it
        overlap now (the next call is a probe)? Would the cache help now (the next
        in-order call runs the transpiled body)? Each outlier doubles how much longer
        than usual the next must be (until a probe overlaps): inputs of two sizes
        would otherwise bring a probe at every large one."""
        self.probe_due = True
        self.cache_left = 0
        self.outlier_factor = min(self.outlier_factor * 2, MAX_OUTLIER)

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
