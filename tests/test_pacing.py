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

from desync import desync
from desync.runtime import pacing
from desync.runtime.pacing import BIG, CHEAP, CHEAP_RUNS, IN_ORDER, MAX_BACKOFF, PROBING, Pace


@pytest.fixture
def paced():
    pacing.set_enabled(True)
    yield
    pacing.set_enabled(False)  # as conftest leaves it for the engine's tests


def _spec(fn):
    from desync import runtime
    return runtime.spec_for(fn.__code__)


def _until_in_order(fn, *args, limit=1000):
    """Call until pacing runs ``fn`` in order (16 cheap calls in a row; a loaded
    machine may make some calls slow, so allow many)."""
    for _ in range(limit):
        fn(*args)
        if _spec(fn).pace.mode == IN_ORDER:
            return
    pytest.fail(f"{fn.__name__} never went in order: {_spec(fn).pace.mode}")


# -- the decision, on synthetic times ---------------------------------------------
def test_cheap_runs_go_in_order(paced):
    pace = Pace()
    for _ in range(CHEAP_RUNS - 1):
        pace.concurrent_took(CHEAP / 4)
        assert pace.mode == PROBING
    pace.concurrent_took(CHEAP / 4)
    assert pace.mode == IN_ORDER and pace.in_order()


def test_a_slower_call_restarts_the_count(paced):
    pace = Pace()
    for _ in range(CHEAP_RUNS - 1):
        pace.concurrent_took(CHEAP / 4)
    pace.concurrent_took(BIG * 10)          # the first call, a pause, or real work
    for _ in range(CHEAP_RUNS - 1):
        pace.concurrent_took(CHEAP / 4)
    assert pace.mode == PROBING
    pace.concurrent_took(CHEAP / 4)
    assert pace.mode == IN_ORDER


def _in_order_pace():
    pace = Pace()
    for _ in range(CHEAP_RUNS + 1):
        pace.concurrent_took(40e-6)
    assert pace.mode == IN_ORDER
    return pace


def test_a_big_call_in_order_goes_back_and_each_return_doubles_the_cheap_runs(paced):
    pace = _in_order_pace()
    pace.in_order_took(3e-6)
    assert pace.mode == IN_ORDER
    for back in range(1, MAX_BACKOFF + 3):
        pace.in_order_took(BIG)
        assert pace.mode == PROBING and not pace.in_order()
        needed = CHEAP_RUNS << min(back, MAX_BACKOFF)
        for _ in range(needed - 1):
            pace.concurrent_took(40e-6)
        assert pace.mode == PROBING
        pace.concurrent_took(40e-6)
        assert pace.mode == IN_ORDER, back


def test_calls_clearly_slower_in_order_go_back_to_concurrent(paced):
    pace = _in_order_pace()
    for _ in range(pacing.SLOW_RUNS - 1):
        pace.in_order_took(200e-6)          # short calls that wait: they overlapped before
    pace.in_order_took(3e-6)                # a fast one: slow ones were hiccups
    for _ in range(pacing.SLOW_RUNS - 1):
        pace.in_order_took(200e-6)
    assert pace.mode == IN_ORDER
    pace.in_order_took(200e-6)
    assert pace.mode == PROBING


def test_off_means_every_call_concurrent():
    pace = _in_order_pace()
    assert pacing.is_enabled() is False and not pace.in_order()


# -- real functions -------------------------------------------------------------------
def cheap(x):
    return x + 1


def where(x):
    return threading.get_ident()


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
    assert pace.mode == IN_ORDER
    assert two_naps(0.05) == 3              # in order: 0.1 s, and it shows the work
    assert pace.mode == PROBING
    started = time.perf_counter()
    assert two_naps(0.2) == 3               # concurrent again: the naps overlap
    assert time.perf_counter() - started < 0.35


def test_a_function_with_real_work_is_not_paced(paced):
    for _ in range(CHEAP_RUNS + 4):
        assert two_naps_slow(0.001) == 3
    pace = _spec(two_naps_slow).pace
    assert pace.mode == PROBING and pace.cheap_runs == 0


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
            return threading.get_ident()

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
