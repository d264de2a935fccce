"""Consuming an iterator is a change made in program order, wherever the iterator
is held: the adversarial tester's programs (tests/iterator_programs.py), plain and
under desync, on threads and on a one-worker executor, several runs each."""
from __future__ import annotations

import concurrent.futures
import contextlib
import io
import threading
import time

import pytest

import desync
from desync import desync as dz
from tests import iterator_programs

PROGRAMS = sorted(name for name in vars(iterator_programs) if name.startswith("prog_"))


def _outcome(fn):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            result = "value", repr(fn())
        except Exception as error:  # the program's own errors are part of its outcome
            result = "error", type(error).__name__, str(error)
    return result, printed.getvalue()


@pytest.fixture(scope="module")
def one_worker():
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        yield pool


@pytest.mark.parametrize("name", PROGRAMS)
def test_a_tester_program_gives_what_plain_python_gives(name, one_worker):
    plain = getattr(iterator_programs, name)
    expected = _outcome(plain)
    runs = [(dz(cache=False)(plain), None), (dz(cache=False, executor=one_worker)(plain), None),
            (dz(cache=False)(plain), desync.sequential)]
    for decorated, runner in runs:
        for _ in range(3):
            if runner is None:
                assert _outcome(decorated) == expected
            else:
                with runner():
                    assert _outcome(decorated) == expected


_overlap_lock = threading.Lock()
_overlap = {"now": 0, "most": 0}   # the most calls running at once


def _counted(x):
    with _overlap_lock:
        _overlap["now"] += 1
        _overlap["most"] = max(_overlap["most"], _overlap["now"])
    time.sleep(0.02)
    with _overlap_lock:
        _overlap["now"] -= 1
    return x


def _rows(n):
    for i in range(n):
        row = {"id": i}
        yield row


def _numbers(n):
    for i in range(n):
        yield i * 2


def _over_numbers(n):
    out = []
    for x in _numbers(n):
        out.append(_counted(x))
    return out


def _over_rows(n):
    out = []
    for row in _rows(n):
        out.append(_counted(row["id"] * 2))
    return out


def _over_numbered(n):
    out = []
    for i, x in enumerate(_numbers(n)):
        out.append(_counted(x + i - i))
    return out


@pytest.mark.parametrize("loop", [_over_numbers, _over_rows, _over_numbered])
def test_a_for_statement_over_its_own_generator_overlaps_the_calls(loop):
    # (round 11: it took one step at a time, 10x slower than over a range)
    _overlap["most"] = 0
    assert dz(cache=False)(loop)(8) == [i * 2 for i in range(8)]
    assert _overlap["most"] >= 2
