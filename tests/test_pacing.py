"""Pacing: a desync function whose calls are tiny runs them in order; one whose
calls do real work stays concurrent, and one that starts doing real work goes back."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from desync import CallCache, desync
from desync.runtime import pacing
from desync.runtime.pacing import (CACHE_RECHECK, CHEAP_RUNS, GAIN, TASKS_PER_RUN, IN_ORDER, MAX_BACKOFF, MAX_PROBE_EVERY,
                                   PROBE_EVERY, PROBING, Pace)


@pytest.fixture
def paced():
    pacing.set_enabled(True)
    yield
    pacing.set_enabled(False)  # as conftest leaves it for the engine's tests


def _spec(fn):
    from desync import runtime
    return runtime.spec_for(fn.__code__)


def _gate(fn):
    from desync.decorator import _gate_of
    return _gate_of(fn)


def _probe_due(fn):
    """Will the next call be a probe? (Seen by the runtime, or by the function's gate
    while the original ran.)"""
    gate = _gate(fn)
    return _spec(fn).pace.probe_due or (gate is not None and gate.n < 0)


def _until_in_order(fn, *args, limit=1000):
    """Call until pacing runs ``fn`` in order (8 calls in a row that did not
    overlap; a loaded machine may make some look otherwise, so allow many)."""
    for _ in range(limit):
        fn(*args)
        if _spec(fn).pace.mode == IN_ORDER:
            return
    pytest.fail(f"{fn.__name__} never went in order: {_spec(fn).pace.mode}")


# -- the decision, on synthetic times ---------------------------------------------
CALM = (40e-6, 2e-6)           # (wall time, tasks' time added up): nothing overlapped
LONG_CALM = (5e-3, 1e-3)       # a long call of tiny steps (difflib's shape)
OVERLAPPED = (0.1, 0.4)        # four 0.1 s waits side by side


def _calm(pace, times, runs):
    for _ in range(runs):
        pace.concurrent_took(*times)


def test_calls_that_do_not_overlap_go_in_order_short_or_long(paced):
    for times in (CALM, LONG_CALM):
        pace = Pace()
        _calm(pace, times, CHEAP_RUNS - 1)
        assert pace.mode == PROBING
        _calm(pace, times, 1)
        assert pace.mode == IN_ORDER and pace.in_order()


def test_a_call_of_many_steps_that_did_not_overlap_counts_for_several(paced):
    pace = Pace()
    pace.concurrent_took(*LONG_CALM, tasks=TASKS_PER_RUN * (CHEAP_RUNS - 2))
    assert pace.mode == PROBING              # one call of 6 x 64 steps: 7 observations
    pace.concurrent_took(*LONG_CALM, tasks=3)
    assert pace.mode == IN_ORDER
    overlapping = Pace()
    overlapping.concurrent_took(*OVERLAPPED, tasks=TASKS_PER_RUN * 100)
    assert overlapping.mode == PROBING and overlapping.calm_runs == 0


def test_a_call_that_overlaps_restarts_the_count(paced):
    pace = Pace()
    _calm(pace, CALM, CHEAP_RUNS - 1)
    pace.concurrent_took(*OVERLAPPED)
    _calm(pace, CALM, CHEAP_RUNS - 1)
    assert pace.mode == PROBING
    _calm(pace, CALM, 1)
    assert pace.mode == IN_ORDER
    # The threshold: tasks' time above GAIN times the wall time.
    pace = Pace()
    pace.concurrent_took(1.0, GAIN * 1.0 + 0.01)
    assert pace.calm_runs == 0
    pace.concurrent_took(1.0, GAIN * 1.0 - 0.01)
    assert pace.calm_runs == 1


def _in_order_pace():
    pace = Pace()
    _calm(pace, CALM, CHEAP_RUNS)
    assert pace.mode == IN_ORDER
    return pace


def _run_in_order(pace, calls, elapsed=30e-6):
    """``calls`` calls as scope() makes them; how many ran in order. (In order, 30 us:
    a probe of ``CALM`` costs too little to be spaced by its cost.)"""
    count = 0
    for _ in range(calls):
        if pace.in_order():
            count += 1
            pace.in_order_took(elapsed)
        else:
            pace.concurrent_took(*CALM)
    return count


def test_probes_come_every_so_often_and_less_often_while_they_confirm(paced):
    pace = _in_order_pace()
    every = PROBE_EVERY
    while every < MAX_PROBE_EVERY:
        assert _run_in_order(pace, every) == every
        assert not pace.in_order()          # the probe
        pace.concurrent_took(*CALM)         # ... did not overlap
        every *= 2
        assert pace.probe_every == every
    assert pace.mode == IN_ORDER


def test_a_probe_that_overlaps_goes_back_and_each_return_doubles_the_runs(paced):
    pace = _in_order_pace()
    for back in range(1, MAX_BACKOFF + 3):
        _run_in_order(pace, PROBE_EVERY)
        assert not pace.in_order()          # the probe
        pace.concurrent_took(*OVERLAPPED)
        assert pace.mode == PROBING and not pace.in_order()
        needed = CHEAP_RUNS << min(back, MAX_BACKOFF)
        _calm(pace, CALM, needed - 1)
        assert pace.mode == PROBING
        _calm(pace, CALM, 1)
        assert pace.mode == IN_ORDER, back


def test_an_in_order_call_far_longer_than_usual_makes_the_next_a_probe(paced):
    pace = _in_order_pace()
    _run_in_order(pace, 10, elapsed=5e-6)
    assert pace.in_order()
    pace.in_order_took(0.05)                # new inputs: much more work
    assert not pace.in_order()              # so the next call is a probe
    pace.concurrent_took(*OVERLAPPED)       # and it overlaps
    assert pace.mode == PROBING


def test_off_means_every_call_concurrent():
    pace = _in_order_pace()
    assert pacing.is_enabled() is False and not pace.in_order()


# -- real functions -------------------------------------------------------------------
def cheap(x):
    return x + 1


def where(x):
    # (Through getattr: a call naming threading.get_ident runs on the caller's thread,
    # as in plain Python; this probe, invisible to desync, sees where it runs.)
    return getattr(threading, "get_" + "ident")()


@desync(cache=False)
def tiny(x):
    a = cheap(x)
    b = where(a)
    out = [a]
    out.append(b)
    return out


def test_a_function_of_tiny_calls_ends_up_running_them_on_the_calling_thread(paced):
    me = threading.get_ident()
    results = [tiny(i) for i in range(CHEAP_RUNS + 4)]
    assert [r[0] for r in results] == [i + 1 for i in range(CHEAP_RUNS + 4)]
    _until_in_order(tiny, 3)
    assert tiny(7) == [8, me]               # in order: the callee ran right here
    for _ in range(5):
        assert tiny(1)[1] == me


def nap(x, seconds):
    time.sleep(seconds)
    return x


@desync(cache=False)
def two_naps(seconds):
    a = nap(1, seconds)
    b = nap(2, seconds)
    return a + b


def test_a_function_that_starts_doing_real_work_goes_back_and_overlaps_again(paced):
    assert two_naps(0) == 3
    _until_in_order(two_naps, 0)
    pace = _spec(two_naps).pace
    for _ in range(5):
        assert two_naps(0) == 3
    assert two_naps(0.05) == 3              # in order: 0.1 s, far above its usual
    assert pace.mode == IN_ORDER and _probe_due(two_naps)
    started = time.perf_counter()
    assert two_naps(0.2) == 3               # the probe: concurrent, the naps overlap
    assert time.perf_counter() - started < 0.35
    assert pace.mode == PROBING             # and from now on concurrent


def test_a_function_whose_calls_overlap_is_not_paced(paced):
    for _ in range(CHEAP_RUNS + 4):
        assert two_naps_slow(0.01) == 3
    assert _spec(two_naps_slow).pace.mode == PROBING


@desync(cache=False)
def many_tiny_steps(n):
    out = []
    for i in range(n):
        out.append(cheap(i))
    return out


def test_a_long_call_of_tiny_steps_runs_in_order(paced):
    # Each call takes far longer than its steps' work (difflib's shape): in order,
    # it costs what the steps cost.
    assert many_tiny_steps(300) == list(range(1, 301))
    _until_in_order(many_tiny_steps, 300)
    assert many_tiny_steps(5) == [1, 2, 3, 4, 5]


@desync(cache=False)
def many_more_tiny_steps(n):   # many_tiny_steps again, with a Pace of its own
    out = []
    for i in range(n):
        out.append(cheap(i))
    return out


def test_a_long_call_of_tiny_steps_is_judged_in_a_few_calls(paced):
    # Steps that did not overlap count as observations: not eight long calls, two.
    calls = 0
    while _spec(many_more_tiny_steps).pace is None \
            or _spec(many_more_tiny_steps).pace.mode != IN_ORDER:
        assert many_more_tiny_steps(2000) == list(range(1, 2001))
        calls += 1
        assert calls < 50
    assert calls <= 4


@desync(cache=False)
def two_naps_slow(seconds):
    a = nap(1, seconds)
    b = nap(2, seconds)
    return a + b


def fails_at(x, bad):
    if x == bad:
        raise ValueError(f"bad {x}")
    return x


@desync(cache=False)
def collect(xs, bad):
    out = []
    for x in xs:
        out.append(fails_at(x, bad))
    return out


def test_in_order_calls_give_plain_pythons_results_and_failures(paced):
    assert collect([1, 2, 3], None) == [1, 2, 3]
    _until_in_order(collect, [1, 2, 3], None)
    plain = collect.__desync_original__
    for bad in (1, 2, 3):
        with pytest.raises(ValueError) as got:
            collect([1, 2, 3], bad)
        with pytest.raises(ValueError) as expected:
            plain([1, 2, 3], bad)
        assert str(got.value) == str(expected.value)
        assert got.traceback[-1].name == "fails_at"


def test_a_process_pool_function_is_not_paced(tmp_path):
    script = tmp_path / "pool_app.py"
    script.write_text(textwrap.dedent('''
        from desync import desync, runtime

        def inc(x):
            return x + 1

        @desync(executor="processes", cache=False)
        def twice(x):
            return inc(x) + inc(x)

        if __name__ == "__main__":
            for i in range(20):
                assert twice(i) == 2 * i + 2
            [(code, spec)] = runtime._specs.values()
            print(spec.pace)
    '''))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None"


def test_DESYNC_PACING_0_turns_it_off_in_a_process(tmp_path):
    script = tmp_path / "off_app.py"
    script.write_text(textwrap.dedent('''
        import threading
        from desync import desync, runtime

        def where(x):
            return getattr(threading, "get_" + "ident")()   # (a probe desync cannot see)

        @desync(cache=False)
        def f(x):
            a = where(x)
            b = where(x)
            return a, b

        if __name__ == "__main__":
            for i in range(40):
                f(i)
            [(code, spec)] = runtime._specs.values()
            print(runtime.pacing.is_enabled(), spec.pace.in_order())
    '''))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "DESYNC_PACING": "0"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False False"


# -- in order, as the original function itself --------------------------------------
def caller_code(x):
    return sys._getframe(1).f_code


@desync(cache=False)
def who_calls(x):
    a = caller_code(x)
    return a


@desync
def who_calls_cached(x):
    a = caller_code(x)
    return a


def test_with_an_idle_cache_the_original_function_runs(paced):
    # caller_code looks at frames: the cache never keys it, so the cache has
    # nothing to do and the original runs all the same.
    _until_in_order(who_calls_cached, 1)
    for i in range(CHEAP_RUNS * 4):
        who_calls_cached(i)
    assert _spec(who_calls_cached).pace.cache_idle
    assert who_calls_cached(10_000) is who_calls_cached.__desync_original__.__code__


def worth_caching(x):
    total = 0
    for i in range(20_000):   # ~1 ms of pure Python: worth a lookup
        total += i * x
    return total, caller_hint()


def caller_hint():
    return None


@desync
def uses_its_cache(x):
    a = worth_caching(x % 3)
    return a


def test_with_a_cache_in_use_the_transpiled_body_runs_to_use_it(paced):
    cache = uses_its_cache.get_cache()
    for i in range(200):
        uses_its_cache(i)
    assert _spec(uses_its_cache).pace.mode == IN_ORDER
    assert not _spec(uses_its_cache).pace.cache_idle
    hits = cache.hits
    for i in range(30):
        uses_its_cache(i)
    assert cache.hits >= hits + 29   # the callee ran at most once more


def test_an_idle_cache_is_looked_at_again_less_and_less_often(paced):
    pace = Pace()
    pace.mode = IN_ORDER
    pace.probe_every = MAX_PROBE_EVERY
    for _ in range(CHEAP_RUNS):
        assert pace.grant(True) == 0    # the transpiled body runs, keying nothing
        pace.cache_ran(False)
    assert pace.cache_idle
    granted = []
    for _ in range(3):
        run = 0
        while (batch := pace.grant(True)):
            run += batch
        granted.append(run)
        pace.cache_ran(False)           # the check: still idle
    assert granted == [CACHE_RECHECK, CACHE_RECHECK * 2, CACHE_RECHECK * 4]
    while pace.grant(True):
        pass
    pace.cache_ran(True)                # the check keyed a call: the cache is in use
    assert not pace.cache_idle and pace.grant(True) == 0


def test_probes_and_cache_checks_are_spaced_by_what_they_cost(paced):
    # A call of 100,000 tiny steps: 4 ms in order (the original), 1.2 s as a probe
    # (concurrent), 75 ms as a look at the cache (the transpiled body in order). One
    # probe every 64 calls would make it five times slower than plain Python.
    usual, probe, check = 4e-3, 1.2, 75e-3
    pace = Pace()
    pace.gated = True
    _calm(pace, (probe, probe / 10), CHEAP_RUNS)
    assert pace.mode == IN_ORDER
    for _ in range(CHEAP_RUNS):
        assert pace.grant(True) == 0     # the transpiled body, keying nothing
        pace.cache_ran(False, check)
    assert pace.cache_idle
    since_check = since_probe = 0
    probes = checks = 0
    calls = 0
    while calls < 20_000:
        batch = pace.grant(True)
        if batch:                        # the gate: the first call of a batch is timed
            pace.in_order_took(usual)
            since_check += batch
            since_probe += batch
            calls += batch
            continue
        calls += 1
        if pace.in_order():              # the runtime's choice: in order, a cache check
            assert pace.is_check()
            checks += 1
            # (the first look comes by count: what one costs is not known before)
            assert since_check >= (pacing.SPACING * (check - usual) / usual * 0.9
                                   if checks > 1 else CACHE_RECHECK)
            pace.cache_ran(False, check)
            since_check = 0
        else:                            # a probe, that did not overlap
            probes += 1
            assert since_probe >= pacing.SPACING * (probe - usual) / usual * 0.9
            pace.concurrent_took(probe, probe / 10)
            since_probe = 0
    in_order = calls * usual
    # What probes and checks cost, beside the time the calls ran as the original:
    assert (probes * probe + checks * check) / in_order < 3 / pacing.SPACING, (probes, checks)
    assert probes >= 1 and checks >= 1   # still looked at, now and then


def test_a_look_at_an_idle_cache_is_not_an_outlier_nor_the_usual_time(paced):
    pace = Pace()
    pace.gated = True
    _calm(pace, CALM, CHEAP_RUNS)
    for _ in range(CHEAP_RUNS):
        pace.grant(True)
        pace.cache_ran(False, 1e-3)
    while pace.grant(True):
        pace.in_order_took(50e-6)
    assert pace.is_check() and not pace.probe_due
    # (SequentialBody's exit on a check: no in_order_took, only cache_ran.)
    pace.cache_ran(False, 5e-3)
    assert not pace.probe_due and pace.in_order_time < 1e-4


def test_an_in_order_call_of_many_uncached_steps_counts_for_several(paced):
    pace = Pace()
    _calm(pace, CALM, CHEAP_RUNS)
    pace.cache_ran(False, 1e-3, uncached=TASKS_PER_RUN * (CHEAP_RUNS - 2))
    assert not pace.cache_idle
    pace.cache_ran(False, 1e-3, uncached=TASKS_PER_RUN)
    assert pace.cache_idle
    # A call that keyed a call starts the count again, however many steps it made.
    pace.cache_ran(True, 1e-3, uncached=10 * TASKS_PER_RUN * CHEAP_RUNS)
    assert not pace.cache_idle and pace.cache_calm == 0


def doubled(i):
    return 2 * i


@desync
def long_loop_of_tiny_steps(n):
    out = []
    for i in range(n):
        out.append(doubled(i))
    return out


def test_a_long_in_order_function_is_rarely_probed_or_checked(paced, monkeypatch):
    # 200 calls of 20,000 tiny steps each. The gate counts the calls that ran as the
    # original; the others were concurrent (learning, probes) or the transpiled
    # body in order (the cache's looks).
    outliers = []   # calls a loaded machine stalled: each may bring a probe and a look
    plain_outlier = Pace.outlier
    monkeypatch.setattr(Pace, "outlier", lambda pace: (outliers.append(1), plain_outlier(pace)))
    gate = _gate(long_loop_of_tiny_steps)
    calls, transpiled = 200, []
    for k in range(calls):
        granted, left = gate.granted, max(gate.n, 0)
        assert long_loop_of_tiny_steps(20_000) == [2 * i for i in range(20_000)]
        if gate.granted == granted and max(gate.n, 0) == left:
            transpiled.append(k)
    # Learning takes the first calls (concurrent, then the cache's first look). One
    # more look at the idle cache comes by count, after 64 calls as the original
    # (what a look costs is not known before one ran), and no probe right after it
    # (a look is not timed as a usual call). Beyond it, spaced by cost, the next
    # probe is thousands of calls away and the next look hundreds; counted by calls
    # (a probe every 64, looks after 64, 128...), there were three.
    late = [k for k in transpiled if k >= 2 * CHEAP_RUNS]
    assert len(late) <= 1 + 2 * len(outliers), (transpiled, len(outliers))
    if not outliers:
        assert not any(k + 1 in transpiled for k in late), transpiled
    assert transpiled[:1] == [0]


def test_a_look_at_the_idle_cache_leaves_the_usual_time_and_probes_alone(paced):
    # What the runtime does as a look at the idle cache ends: a call of the
    # transpiled body, far slower than the original's usual time.
    from desync.runtime.sequential import SequentialBody
    pace = Pace()
    pace.gated = True
    _calm(pace, CALM, CHEAP_RUNS)
    for _ in range(CHEAP_RUNS):
        pace.cache_ran(False, 1e-3)
    assert pace.cache_idle
    pace.in_order_took(50e-6)                   # the original's first call
    cache = CallCache()
    body = SequentialBody(cache)
    body.pace, body.began = pace, time.perf_counter() - 0.05   # a 50 ms look
    with body:
        pass
    assert not pace.probe_due and pace.in_order_time == 50e-6
    assert pace.cache_every > CACHE_RECHECK * 2    # the next look spaced by its cost


def test_the_first_probe_is_spaced_by_what_the_last_concurrent_call_cost(paced):
    pace = Pace()
    _calm(pace, (1.0, 0.1), CHEAP_RUNS)          # concurrent: 1 s a call
    assert pace.probe_every == PROBE_EVERY
    pace.in_order_took(4e-3)                     # in order: 4 ms
    assert pace.probe_every >= pacing.SPACING * (1.0 - 4e-3) / 4e-3 * 0.99
    # Back to concurrent and in order again: counted afresh, from 64.
    pace.probe_every = pacing.MAX_SPACING
    pace.probe_due = True
    assert not pace.in_order()
    pace.concurrent_took(*OVERLAPPED)
    assert pace.mode == PROBING
    _calm(pace, CALM, pace.needed)
    assert pace.mode == IN_ORDER and pace.probe_every == PROBE_EVERY


def test_calls_of_two_sizes_do_not_probe_at_every_large_one(paced):
    # One call in three has twenty times the steps: each is far longer than the
    # usual time. Each outlier doubles how far longer the next must be.
    pace = Pace()
    _calm(pace, CALM, CHEAP_RUNS)
    probes = 0
    for i in range(3000):
        if not pace.in_order():
            probes += 1
            pace.concurrent_took(0.2, 0.02)      # a probe: no overlap
            continue
        pace.in_order_took(20e-3 if i % 3 == 0 else 1e-3)
    assert probes <= 8, probes


def make_closure(k):
    @desync(cache=False)
    def adds(x):
        a = cheap(x)
        return a + k, caller_code(x)
    return adds


def test_a_function_with_a_closure_keeps_its_own_cells(paced):
    first, second = make_closure(10), make_closure(20)
    _until_in_order(first, 1)
    _until_in_order(second, 1)
    for _ in range(40):   # several batches of the gate
        assert first(1)[0] == 12 and second(1)[0] == 22   # never the other's original
    assert first(1)[1] is first.__desync_original__.__code__


def make_counter():
    count = 0

    @desync(cache=False)
    def bump(by):
        nonlocal count
        a = cheap(by)
        count += a
        return count
    return bump


def test_a_closure_that_rebinds_its_variable_shares_it_with_the_original(paced):
    bump = make_counter()
    total = 0
    for i in range(300):   # concurrent, then in order, then as the original
        total += i + 1
        assert bump(i) == total
    assert _spec(bump).pace.mode == IN_ORDER and _gate(bump).granted > 0


def test_a_module_imported_afresh_runs_its_own_original(paced, tmp_path):
    # One transpiled code object serves both imports of the module; each must run
    # the original with its own module's globals (test suites import modules afresh).
    (tmp_path / "fresh_mod.py").write_text(textwrap.dedent('''
        from desync import desync

        MARK = object()

        def cheap(x):
            return x + 1

        @desync(cache=False)
        def marked(x):
            a = cheap(x)
            return a, MARK
    '''))
    import importlib
    sys.path.insert(0, str(tmp_path))
    try:
        first = importlib.import_module("fresh_mod")
        del sys.modules["fresh_mod"]
        second = importlib.import_module("fresh_mod")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("fresh_mod", None)
    assert first.MARK is not second.MARK
    assert first.marked.__code__ is second.marked.__code__   # the shared transpiled code
    _until_in_order(first.marked, 1)
    for _ in range(20):
        assert first.marked(1) == (2, first.MARK)
        assert second.marked(1) == (2, second.MARK)


# -- the gate: in order as the original, under stress ----------------------------------
def make_tally():
    seen = []

    @desync
    def tally(x, into=None):
        a = cheap(x)
        if a % 7 == 0:
            raise ValueError(a)
        seen.append(a)
        (into if into is not None else seen).append(-a)
        return len(seen)
    return tally, seen


def test_many_threads_through_one_gate_keep_every_call_and_failure(paced):
    tally, seen = make_tally()
    _until_in_order(tally, 1)
    seen.clear()
    failures = []
    errors = []

    def work(start):
        try:
            for x in range(start, start + 2000):
                try:
                    tally(x)
                except ValueError as error:
                    failures.append(error.args[0])
        except BaseException as error:   # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k * 2000,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    expected_ok = [x + 1 for x in range(16000) if (x + 1) % 7]
    assert sorted(failures) == [x + 1 for x in range(16000) if (x + 1) % 7 == 0]
    assert sorted(v for v in seen if v > 0) == expected_ok          # each call once
    assert sorted(-v for v in seen if v < 0) == expected_ok
    assert _gate(tally).granted > 1000    # most calls ran as the original


def test_disabling_or_tracing_closes_every_gate(paced):
    import desync as package
    tally, seen = make_tally()
    _until_in_order(tally, 1)
    for x in range(40):
        if (x + 1) % 7:
            tally(x)
    assert _gate(tally).n > 0 or _gate(tally).granted > 1
    with package.tracing() as recorder:
        assert _gate(tally).n == 0      # the next call asks the runtime, which records it
        tally(1)
    assert any("tally" in str(event.get("name", "")) for event in recorder.trace()["traceEvents"])
    for x in range(40):
        if (x + 1) % 7:
            tally(x)
    package.disable()
    try:
        assert _gate(tally).n == 0
        assert tally(1) == len(seen)    # disabled: plain Python's answer all the same
    finally:
        package.enable()


def test_a_gate_pickles_closed(paced):
    import pickle
    tally, _ = make_tally()
    _until_in_order(tally, 1)
    copy = pickle.loads(pickle.dumps(_gate(tally)))
    assert copy.spec is None and copy.fn is None and copy.n == 0   # another process asks


class Private:
    @desync
    def scaled(self, x, *, __scale=3, **extra):
        a = cheap(x)
        return a * __scale, extra


def test_a_methods_private_keyword_reaches_the_original(paced):
    # Python mangles a keyword-only ``__scale`` of a method to ``_Private__scale``;
    # an open gate calls the original with it (by its plain name it raised
    # TypeError, or landed in ``**extra``, from the first call the gate ran).
    obj = Private()
    for i in range(200):
        assert obj.scaled(i) == (3 * (i + 1), {})
        assert obj.scaled(i, _Private__scale=1) == (i + 1, {})
    assert _gate(Private.scaled).granted > 0   # the original did run


class PrivateNested:
    def scaler(self):
        @desync
        def scaled(x, *, __scale=3):
            a = cheap(x)
            return a * __scale
        return scaled


def test_a_private_keyword_of_a_function_nested_in_a_method(paced):
    # Python mangles in every scope inside a class body, nested functions too: the
    # decorator found the class only for direct methods (TypeError on every call).
    scaled = PrivateNested().scaler()
    for i in range(200):
        assert scaled(i) == 3 * (i + 1)
        assert scaled(i, _PrivateNested__scale=1) == i + 1
    assert _gate(scaled).granted > 0


def noisy(x):
    print("noisy", x)
    return x


def burns_then_runs(callbacks, x):
    total = sum(range(20_000))   # worth caching
    return total, [cb(x) for cb in callbacks]


@desync
def hands_over_a_printer(i):
    a = burns_then_runs([noisy], i % 3)
    return a


def test_in_order_with_a_cache_in_use_a_handed_over_print_still_happens(paced, capsys):
    _until_in_order(hands_over_a_printer, 0)
    capsys.readouterr()
    for i in range(60):
        hands_over_a_printer(i)
    assert capsys.readouterr().out.count("noisy") == 60


def costly(k):
    time.sleep(0.004)   # worth caching
    return k


@desync
def costly_then_tiny(k):
    a = costly(k // 2)
    for i in range(500):
        a += cheap(i)
    return a


def test_a_call_that_stored_a_result_is_not_taken_for_an_idle_cache(paced):
    # Each in-order call stores costly(k // 2), which the next call hits, among 500
    # calls too cheap to key: those count as more calls that keyed nothing only
    # when nothing was stored (taken for idle at once, the cache missed every hit).
    cache = costly_then_tiny.get_cache()
    for k in range(80):
        assert costly_then_tiny(k) == k // 2 + sum(range(1, 501))
    assert cache.hits >= 25, cache


def _in_use_pace():
    """In order, its cache in use, the original at hand (a decorator's gate)."""
    pace = Pace()
    pace.gated = True
    _calm(pace, CALM, CHEAP_RUNS)
    return pace


def _looked(pace, elapsed):
    """What the runtime does with a look at the original: handed to its call
    (``plain``), then timed as such (``plain_took``)."""
    assert pace.looking
    pace.looking = False
    pace.in_order_took(elapsed, True)


def test_a_cache_that_saves_less_than_its_body_costs_gives_way_to_the_original(paced):
    # Each in-order call of the transpiled body takes 16 ms, and its one hit saves
    # 0.3 ms; the original, without the cache, takes 1.3 ms.
    pace = _in_use_pace()
    looks = 0
    for _ in range(CHEAP_RUNS + 1):
        if pace.grant(True):
            looks += 1
            _looked(pace, 1.3e-3)            # the look: the original, no cache
            break
        pace.in_order_took(16e-3)
        pace.cache_ran(True, 16e-3, saved=0.3e-3)
    assert looks == 1 and pace.cache_idle
    # A later look at the cache: its hits still do not pay for the body.
    while pace.grant(True):
        pace.in_order_took(1.3e-3)
    pace.cache_ran(True, 16e-3, saved=0.3e-3)
    assert pace.cache_idle and pace.cache_every > CACHE_RECHECK * 2


def test_a_look_whose_call_raised_leaves_nothing_behind(paced):
    # (plain_took is not reached when the original raises: the next calls, the
    # transpiled body's, must not be taken for the look.)
    pace = _in_use_pace()
    while not pace.grant(True):
        pace.in_order_took(16e-3)
        pace.cache_ran(True, 16e-3, saved=0.3e-3)
    pace.looking = False                     # handed to its call (plain), which raised
    pace.in_order_took(11e-3)                # the next call: the transpiled body
    assert not pace.cache_idle and pace.in_order_time > 11e-3


def test_a_cache_whose_hits_save_more_than_the_call_takes_is_kept(paced):
    pace = _in_use_pace()
    for _ in range(10 * CACHE_RECHECK):
        assert not pace.grant(True)          # never a look: the original cannot be faster
        pace.in_order_took(20e-6)
        pace.cache_ran(True, 20e-6, saved=1e-3)
    # Hits that save less than the call takes: looked at (at once: overdue), and
    # the cache kept while the body with it is faster.
    pace.cache_ran(True, 20e-6, saved=5e-6)
    assert pace.grant(True) == 1
    _looked(pace, 1e-3)                      # the original: slower
    assert not pace.cache_idle and pace.original_every > CACHE_RECHECK


def answer(k):
    total = 0
    for i in range(20_000):   # ~1 ms: worth caching, answered by a hit every call
        total += i * k
    return total


@desync
def one_costly_answer_among_tiny_calls(n):
    a = answer(7)
    for i in range(n):
        a += cheap(i)
    return a


def test_one_hit_among_thousands_of_tiny_calls_runs_the_original(paced):
    # With the cache in use, every in-order call ran the transpiled body: 3,000 tiny
    # calls cost far more than the one hit saved (15x plain Python's time).
    gate = _gate(one_costly_answer_among_tiny_calls)
    expected = one_costly_answer_among_tiny_calls.__desync_original__(3000)
    for _ in range(150):
        assert one_costly_answer_among_tiny_calls(3000) == expected
    assert gate.granted >= 100, gate.granted
