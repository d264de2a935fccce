"""Random call-and-mutate sequences through the call cache, compared with plain calls.

Each sequence calls callees that build new mutable results or hand back objects of
their world, then changes what it holds at random (appends, item stores, nested
changes). Plain Python is the model: the cache must give the same values and the
same sharing (which holders are one object), whatever hit or waited.
"""
from __future__ import annotations

import random
import threading

import pytest

from desync import CallCache

SENTINEL = object()
REGISTRY = {"hooks": []}


def build_row(n):
    return list(range(n))


def build_table(n):
    return {"k%d" % i: [i] * (i + 1) for i in range(n)}


def with_sentinel(n):
    return [SENTINEL, [n], {"n": n}]


def registry(_name):
    return REGISTRY


def nested(n):
    inner = [n]
    return [inner, inner, (inner, n)]   # shared inside: must stay shared in a copy


CALLEES = [build_row, build_table, with_sentinel, registry, nested]


def mutate(rng, value):
    """One random change to something reachable from ``value``."""
    if isinstance(value, list):
        choice = rng.random()
        if choice < 0.4 or not value:
            value.append(rng.randrange(100))
        elif choice < 0.7 and isinstance(value[0], (list, dict)):
            mutate(rng, value[0])
        else:
            value[rng.randrange(len(value))] = rng.randrange(100)
    elif isinstance(value, dict):
        keys = list(value)
        if keys and rng.random() < 0.6:
            mutate(rng, value[rng.choice(keys)])
        else:
            value["x%d" % rng.randrange(100)] = rng.randrange(100)
    elif isinstance(value, tuple) and value and isinstance(value[0], list):
        mutate(rng, value[0])


def run(seed, call, callees=CALLEES):
    """The sequence for ``seed``, calling through ``call``: (what the holders hold,
    which of them are one object, which are the registry)."""
    rng = random.Random(seed)
    REGISTRY.clear()
    REGISTRY["hooks"] = []
    holders = []
    for _ in range(40):
        if holders and rng.random() < 0.45:
            mutate(rng, rng.choice(holders))
        else:
            fn = rng.choice(callees)
            holders.append(call(fn, rng.randrange(3)))
    first_seen = {}
    sharing = [first_seen.setdefault(id(h), i) for i, h in enumerate(holders)]
    inner_sharing = [h[0] is h[1] for h in holders if isinstance(h, list) and len(h) == 3
                     and isinstance(h[2], tuple)]
    sentinels = [h[0] is SENTINEL for h in holders if isinstance(h, list) and len(h) == 3
                 and isinstance(h[2], dict)]
    is_registry = [h is REGISTRY for h in holders]
    snapshot = repr(holders).replace(repr(SENTINEL), "S")
    return snapshot, sharing, inner_sharing, sentinels, is_registry


def plain(fn, arg):
    return fn(arg)


@pytest.mark.parametrize("seed", range(60))
def test_a_cached_sequence_matches_plain_calls(seed):
    cache = CallCache(adaptive=False)
    expected = run(seed, plain)
    got = run(seed, lambda fn, arg: cache.call(fn, (arg,), None))
    assert got == expected
    again = run(seed, lambda fn, arg: cache.call(fn, (arg,), None))   # all hits now
    assert again == expected


def test_threads_sharing_one_cache_match_plain_calls():
    cache = CallCache(adaptive=False)
    # Threads leave the registry alone (callers racing on one shared object would
    # differ in plain Python too).
    callees = [fn for fn in CALLEES if fn is not registry]
    expected = {seed: run(seed, plain, callees) for seed in range(100, 116)}
    results, errors = {}, []

    def worker(seeds):
        try:
            for seed in seeds:
                for _ in range(3):
                    got = run(seed, lambda fn, arg: cache.call(fn, (arg,), None), callees)
                    if got != expected[seed]:
                        results[seed] = got
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    seeds = list(expected)
    threads = [threading.Thread(target=worker, args=(seeds[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == {}
    assert cache.hits > 0
