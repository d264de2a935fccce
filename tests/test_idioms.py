"""Idiomatic code runs its slow calls together, with plain Python's results."""
from __future__ import annotations

import time

import pytest

import idiom_shapes as shapes


@pytest.mark.parametrize("name,fn,n", shapes.CASES, ids=[c[0] for c in shapes.CASES])
def test_the_shape_overlaps_its_calls_and_gives_plain_pythons_result(name, fn, n):
    xs = list(range(1, n + 1))
    delay, shapes.D = shapes.D, 0.0
    try:
        expected = fn.__desync_original__(xs)  # plain Python, without the waiting
    finally:
        shapes.D = delay
    started = time.perf_counter()
    got = fn(xs)
    elapsed = time.perf_counter() - started
    assert got == expected
    ideal = shapes.IDEAL.get(name, shapes.D)
    sequential = 2 * n * shapes.D if name == "two-stage pipeline" else n * shapes.D
    # Generous: well under the sequential time, whatever the machine's load.
    assert elapsed < min(3 * ideal, 0.6 * sequential), (name, elapsed)
