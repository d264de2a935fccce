"""Micro-benchmarks of the call cache: hit, miss overhead, input hashing, disk vs
joblib, hit rate under a scan. Prints figures with their goals; asserts nothing.

    .venv/bin/python benchmarks/cache_bench.py [--quick]

Every comparison is measured side by side in the same run (the machine is shared:
absolute times move from run to run, ratios far less).
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from desync import CallCache  # noqa: E402
from desync.runtime.inputhash import hash_value  # noqa: E402


def best_of(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(what, value, unit, goal=None, met=None):
    verdict = "" if met is None else ("ok" if met else "MISSED")
    goal = f"goal: {goal}" if goal else ""
    print(f"  {what:<52}{value:10.3f} {unit:<5} {goal:<18}{verdict}")


def small(x, y=2):
    return x * y


def work(x):
    """A callee worth caching: about 50 us of work."""
    total = 0
    for i in range(1500):
        total += i * x
    return total


def new_cache(**options):
    try:
        return CallCache(**options)
    except TypeError:  # an older CallCache without these options
        return CallCache()


def bench_hit_and_miss(rounds):
    print("in-memory hit and miss, small arguments (per call)")
    cache = new_cache()
    cache.call(work, (3,), None)
    hit = best_of(lambda: [cache.call(work, (3,), None) for _ in range(rounds)], 5) / rounds
    remembered = functools.lru_cache(None)(work)
    remembered(3)
    lru = best_of(lambda: [remembered(3) for _ in range(rounds)], 5) / rounds
    report("desync hit", hit * 1e6, "us", "<= 3 us", hit <= 3e-6)
    report("functools.lru_cache hit", lru * 1e6, "us")

    # Miss overhead: a trivial callee, with adaptivity off so every call is keyed,
    # looked up and stored: the full price of a miss, minus the call itself.
    counter = iter(range(10 ** 9))

    def misses(cache):
        for _ in range(rounds):
            i = next(counter)
            cache.call(small, (i,), None)

    def plain():
        for _ in range(rounds):
            small(next(counter))
    forced = new_cache(adaptive=False)
    miss = best_of(lambda: misses(forced), 5) / rounds
    base = best_of(plain, 5) / rounds
    report("desync miss overhead (every call keyed and stored)", (miss - base) * 1e6, "us",
           "<= 3 us", miss - base <= 3e-6)
    adaptive = new_cache()
    misses(adaptive)  # learn that small() is cheaper than a lookup
    cheap = best_of(lambda: misses(adaptive), 5) / rounds
    report("desync overhead, cheap callee (adaptive)", (cheap - base) * 1e6, "us", "< 1 us",
           cheap - base < 1e-6)


def rows(n):
    return [[i, i + 1] for i in range(n)]


def table(n):
    return {f"k{i}": list(range(10)) for i in range(n)}


def array(nbytes):
    import numpy
    return numpy.arange(nbytes // 8, dtype=numpy.float64)


def bench_mutable_results(quick):
    """A hit of a mutable result gives the caller an object of its own (plain Python
    builds one per call). Compared with the safe hand-written alternative:
    ``copy.deepcopy`` of an ``lru_cache`` hit."""
    import copy
    print("mutable results: each hit an object of its own (per call)")
    shapes = [("list of 10 pairs", rows, 10), ("list of 1,000 pairs", rows, 1000),
              ("dict of 100 lists", table, 100)]
    if _optional("numpy") is not None:
        shapes += [("NumPy array 64 KB", array, 64 << 10), ("NumPy array 1 MB", array, 1 << 20)]
    for label, make, n in shapes:
        cache = new_cache(adaptive=False)
        cache.call(make, (n,), None)
        repeats = 200 if quick else 2000
        def hits():
            for _ in range(repeats):
                cache.call(make, (n,), None)
        hit = best_of(hits, 5) / repeats
        remembered = functools.lru_cache(None)(make)
        remembered(n)
        def safe_hits():
            for _ in range(repeats):
                copy.deepcopy(remembered(n))
        safe = best_of(safe_hits, 5) / repeats
        def calls():   # (every loop here drops its results as they come)
            for _ in range(repeats):
                make(n)
        run = best_of(calls, 5) / repeats

        def misses():
            for _ in range(repeats):
                cache.clear()
                cache.call(make, (n,), None)
        miss = best_of(misses, 5) / repeats
        report(f"hit, {label}", hit * 1e6, "us")
        if "NumPy" in label:
            # An array is a memory copy either way: what a hit adds is the lookup.
            # (a big copy's own time moves by more than 3 us from run to run)
            report("  desync hit - deepcopy(lru_cache hit)", (hit - safe) * 1e6, "us",
                   "<= 3 us or 15%", hit - safe <= max(3e-6, 0.15 * safe))
        else:
            report("  deepcopy(lru_cache hit) / desync hit", safe / hit, "x", ">= 1",
                   safe >= hit)
        report("  the call itself", run * 1e6, "us")
        report("  a miss, over the call itself (key, keep a copy)", (miss - run) * 1e6, "us")


def bench_hashing(quick):
    print("content hashing of buffers (one input)")
    numpy = _optional("numpy")
    for size in (64 << 10, 256 << 10, 1 << 20, (20 if quick else 100) << 20):
        data = os.urandom(size)
        n = max(3, min(200, (200 << 20) // size))
        seconds = best_of(lambda: [hash_value(data) for _ in range(n)], 5) / n
        label = f"{size >> 10} KB" if size < (1 << 20) else f"{size >> 20} MB"
        report(f"bytes {label}", size / seconds / 1e9, "GB/s", ">= 1.5", size / seconds >= 1.5e9)
        if numpy is not None:
            array = numpy.frombuffer(data, dtype=numpy.float64)
            seconds = best_of(lambda: [hash_value(array) for _ in range(n)], 5) / n
            report(f"NumPy array {label}", size / seconds / 1e9, "GB/s", ">= 1.5",
                   size / seconds >= 1.5e9)


def bench_disk(folder, rounds):
    print("disk hit (memory layer empty) vs joblib.Memory hit")
    disk = CallCache(directory=os.path.join(folder, "desync-disk"))
    disk.call(work, (3,), None)
    few = max(200, rounds // 50)

    def disk_hits():
        for _ in range(few):
            disk.clear()  # drop the in-memory copy so every hit reads the file
            disk.call(work, (3,), None)
    disk_hit = best_of(disk_hits, 5) / few
    report("desync disk hit", disk_hit * 1e6, "us")
    joblib = _optional("joblib")
    if joblib is None:
        print("  joblib not installed: pip install -e '.[bench]'")
        return
    memory = joblib.Memory(os.path.join(folder, "joblib"), verbose=0)
    cached = memory.cache(work)
    cached(3)
    joblib_hit = best_of(lambda: [cached(3) for _ in range(few)], 5) / few
    report("joblib.Memory hit", joblib_hit * 1e6, "us")
    report("joblib hit / desync disk hit", joblib_hit / disk_hit, "x", ">= 2",
           joblib_hit / disk_hit >= 2)


def bench_scan():
    print("hit rate when re-running more distinct calls than the cache holds")
    n, entries = 4200, 4096
    cache = new_cache(max_entries=entries)
    for _ in range(2):
        for i in range(n):
            cache.call(work, (i,), None)
    first = cache.hits
    for i in range(n):
        cache.call(work, (i,), None)
    report(f"second run of {n} calls, cache of {entries} entries, hits %",
           100 * first / n, "%", ">= 50", first / n >= 0.5)
    report("third run, hits %", 100 * (cache.hits - first) / n, "%")


def _optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rounds = 5_000 if args.quick else 50_000
    print(f"desync cache benchmarks: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        bench_hit_and_miss(rounds)
        bench_mutable_results(args.quick)
        bench_hashing(args.quick)
        bench_disk(folder, rounds)
        bench_scan()


if __name__ == "__main__":
    main()
