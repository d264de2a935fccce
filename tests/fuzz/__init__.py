"""A differential fuzzer for desync: generated programs, plain Python against desync.

Black-box: it only decorates generated source with ``@desync(cache=CACHE, ...)`` and
calls it, plain, under threads, under a one-worker custom executor and under
``desync.sequential()``, and compares everything a caller can observe. ``CACHE`` is
False unless ``--cache`` (``FZ_CACHE=1``): then the pure callees are cached with a
cache that keeps even the cheapest calls, and repeats and plans exercise hits.

    gen.py      the program generator (typed ASTs that keep the user's promise)
    prelude.py  the fixed callees and classes every generated module starts with
    rt.py       what generated code imports: the callee probe (delays, injected
                failures), the trace of effects, the one-worker executor
    harness.py  loading a batch of programs, running one, snapshots of outcomes
    corpus.py   hand-written programs of the shapes the issues name
    worker.py   a worker subprocess (hangs cost only the worker)
    pool.py     the parent side: workers with a watchdog; the shrinker's checker
    shrink.py   minimising a mismatching program; mismatch signatures
    repro.py    standalone repro files, and ``python -m tests.fuzz.repro FILE``

Long runs: ``python -m tests.fuzz --seconds 600 --seed N [--out fuzz-out]`` (see
``--help``); ``--program I`` prints program I of a seed. The CI part is
tests/test_differential.py. Workers run with pacing off (every call through the
engine); ``--pacing --fails 6 --repeats 3 --delay 0`` leaves it on, so each program's
repeated calls go in order and then run its original function. ``--clock`` adds
timing code (``perf_counter()`` around a call); those programs run without callee
delays. ``--stress`` switches threads every microsecond with eight engine workers
(races between the owner and the workers). ``--modes built,threads`` runs each batch
also as ``python -m desync build`` writes it (about a second per batch to build).
Each new seed at ``--size 12`` found about one new shape in 4,000 programs in the
2026-11-26 sessions: run new seeds, and add each find to corpus.py (and, when a
person found it, teach gen.py to make the shape).
"""
