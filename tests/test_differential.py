"""Differential test: generated desync bodies give exactly plain Python's answers.

Thousands of programs that keep the user's promise (pure callees, effects only in
the body) from tests/fuzz/gen.py, each run plain and under desync (threads, a
one-worker custom executor, ``desync.sequential()``), once without failures and
once per chosen call input made to raise. Compared: return value (aliasing
included), exception with its ``__cause__``/``__context__`` chain, the trace of
effects (stdout, logging, context managers' enter/exit and what ``__exit__`` saw),
the arguments, ``self`` and module-level state after the call. A run that takes
longer than a few seconds is a hang.

Reproduce a failure: ``python -m tests.fuzz --seed SEED --size 8 --program INDEX``
prints the program; ``python -m tests.fuzz --seed SEED --size 8 --count N`` re-runs
it all and shrinks one program per kind of mismatch to a standalone repro.
``DESYNC_FUZZ_SEED`` and ``DESYNC_FUZZ_PROGRAMS`` override the defaults. The run
stops early after three hangs (a hang costs its timeout).
"""
from __future__ import annotations

import os
import random
import re
from collections import Counter

import pytest

from tests.fuzz import harness
from tests.fuzz.__main__ import fuzz, report
from tests.fuzz.corpus import PROGRAMS
from tests.fuzz.gen import generate
from tests.fuzz.pool import run_jobs
from tests.fuzz.shrink import signature

SEED = int(os.environ.get("DESYNC_FUZZ_SEED", "20250101"))
PROGRAMS_PER_RUN = int(os.environ.get("DESYNC_FUZZ_PROGRAMS", "1000"))
SIZE = 8          # statements per program, roughly: many small programs
TIMEOUT = 3.0     # seconds for one run before it counts as a hang


def _explain(groups, seed, size, limit=6):
    """Per signature: how many programs, and the smallest one with both outcomes."""
    lines = []
    ranked = sorted(groups.items(), key=lambda kv: -len({e["index"] for e in kv[1]}))
    for sig, events in ranked[:limit]:
        event = min(events, key=lambda e: len(generate(seed, e["index"], size=size).module_text()))
        program = generate(seed, event["index"], size=size)
        body = program.body_text()
        lines += [f"--- {sig} ({len({e['index'] for e in events})} programs); seed {seed} program "
                  f"{event['index']}, mode {event['mode']}, failing call {event.get('plan')}",
                  body, f"args {program.args!r}", *_both(event), ""]
    lines.append(f"rerun and shrink: python -m tests.fuzz --seed {seed} --count "
                 f"{PROGRAMS_PER_RUN} --size {size} --fails 2 --repeats 1")
    return "\n".join(lines)


def _both(event):
    if not event.get("expected"):
        return ["desync: " + (event.get("actual") or "")[:300]]
    only = event.get("diff")
    plain = harness.pretty(event["expected"], only).replace("\n", "\n        ")
    ours = harness.pretty(event["actual"], only).replace("\n", "\n        ")
    return ["plain:  " + plain, "desync: " + ours]


def test_generated_programs_match_plain_python():
    stats, groups = fuzz(SEED, count=PROGRAMS_PER_RUN, workers=2, size=SIZE, batch=20, fails=2,
                         delay=0.001, delay_frac=0.1, repeats=1, timeout=TIMEOUT, max_hangs=3)
    assert not stats["crashes"], "the fuzzer itself crashed:\n" + stats["crashes"][0]
    if groups:
        import io
        out = io.StringIO()
        report(stats, groups, out)
        pytest.fail(f"seed {SEED}: desync differs from plain Python\n{out.getvalue()}\n"
                    + _explain(groups, SEED, SIZE), pytrace=False)
    assert stats["programs"] >= PROGRAMS_PER_RUN, stats


def test_generated_programs_match_plain_python_through_the_build():
    """``python -m desync build`` output (the module transpiled whole, with the facts
    and code hashes the build embeds) runs the programs as plain Python does."""
    stats, groups = fuzz(SEED + 3, count=40, workers=1, size=SIZE, batch=20, fails=2,
                         delay=0.001, delay_frac=0.1, repeats=1, modes=["built"],
                         timeout=TIMEOUT * 2, max_hangs=1)
    assert not stats["crashes"], "the fuzzer itself crashed:\n" + stats["crashes"][0]
    if groups:
        import io
        out = io.StringIO()
        report(stats, groups, out)
        pytest.fail(f"seed {SEED + 3}, built: desync differs from plain Python\n"
                    f"{out.getvalue()}", pytrace=False)
    assert stats["programs"] >= 40, stats


def test_named_shapes_match_plain_python_with_every_failure():
    """The shapes of the issues and those the fuzzer found (corpus.py); every call input
    made to raise each kind of exception (KeyboardInterrupt included) in turn."""
    job = dict(job="corpus", seed=SEED, start=0, stop=len(PROGRAMS), fails=12, delay=0.003,
               repeats=3, modes=None, all_kinds=True, interrupts=True)
    half = len(PROGRAMS) // 2   # (two workers, half the corpus each)
    jobs = [dict(job, stop=half), dict(job, start=half)]
    failures = {}
    for event in run_jobs(jobs, workers=2, timeout=TIMEOUT):
        if event["ev"] == "crash":
            pytest.fail("the fuzzer crashed:\n" + event["error"])
        if event["ev"] == "mismatch":
            sig = signature(event["mode"], event["diff"], event.get("expected"), event.get("actual"))
            failures.setdefault(event["index"], (event, sig))
    if failures:
        lines = []
        for index, (event, sig) in sorted(failures.items()):
            lines += [f"--- {PROGRAMS[index][0]}: {sig} (mode {event['mode']}, failing call {event.get('plan')})",
                      *_both(event)]
        pytest.fail(f"{len(failures)} of {len(PROGRAMS)} named shapes differ\n" + "\n".join(lines),
                    pytrace=False)


# The TypeErrors the generator means to make: ``seq`` and ``kws`` sometimes give what a
# ``*`` or ``**`` operand cannot unpack, ``rows`` lists that a set cannot hold.
UNPACKING_ERROR = re.compile(r"Value after \* must be an iterable|argument after \*\* must be a "
                             r"mapping|argument after \* must be an iterable|got multiple values|"
                             r"'int' object is not a mapping|unhashable type: 'list'")


def test_generated_programs_are_valid_python_that_terminates(tmp_path):
    """Plain Python runs every program to an end without NameError, TypeError and the like
    (but for the unpacking errors the generator means to make)."""
    programs = [generate(SEED + 1, i, size=SIZE) for i in range(300)]
    batch = harness.Batch(programs, str(tmp_path), modes=())
    bad = Counter()
    try:
        for program in programs:
            outcome, recorded = harness.run(batch.plain, program, record=True)
            error = outcome[1]
            if error and error[0] in ("NameError", "UnboundLocalError", "TypeError", "AttributeError",
                                      "RecursionError", "SyntaxError") \
                    and not (error[0] == "TypeError" and UNPACKING_ERROR.search(error[1])):
                bad[error[0]] += 1
                if sum(bad.values()) == 1:
                    first = (program.index, error, program.body_text())
            plans = harness.plans_for(recorded, random.Random(program.index), 1)
            for plan in plans:
                harness.run(batch.plain, program, plan)
    finally:
        batch.cleanup()
    assert not bad, f"invalid programs: {dict(bad)}; first: {first}"


def test_generator_covers_the_shapes():
    features = Counter()
    for i in range(400):
        features.update(generate(SEED, i, size=SIZE).features)
    wanted = {"alias", "multi-target", "setdefault-append", "container-of-lists", "list-in-dict",
              "store-list-in-attr", "module-list", "class-attr", "super", "lambda",
              "default-arg-capture", "closure-stored", "nested-def", "nonlocal-def", "global-def",
              "global-write", "comprehension", "dict-comprehension", "join-genexp", "any/all",
              "lazy-generator", "map", "for", "while", "break", "continue", "for-else",
              "grow-while-iterating", "enumerate", "zip", "if", "match", "match-value-pattern", "try",
              "try-else", "finally", "raise", "raise-from", "bare-raise", "return-in-finally",
              "with-rec", "with-rec-suppress", "with-span", "with-quiet", "with-suppress",
              "redirect_stdout", "print", "print-file", "stdout-write", "logging", "random",
              "event-log", "unpack-into-attr/item", "aug-attr", "aug-item", "f-string", "walrus",
              "star-unpack", "call:summ", "call:scale", "nested-desync", "del",
              "star-args", "double-star", "tally", "maybe-unbound", "lookup-first", "display-chunks",
              "fetch-loop-try", "fetch-loop-try-continue", "fetch-loop-try-unnamed-change",
              "callee-sets-other-module", "other-module-read", "default-is-module-list",
              "other-module-store",
              "read-then-change"}
    missing = wanted - set(features)
    assert not missing, f"the generator never made: {sorted(missing)}"


def test_generated_programs_transpile_the_same_through_every_way_in():
    """The import hook and the build transpile whole modules (the decorator one function
    at a time): every generated program compiles both ways (every generated node placed
    at a line: the whole-module path has no ``fix_missing_locations`` to hide one)."""
    from desync.compiler import Module
    from desync.compiler.emit import compile_function
    from tests.fuzz import prelude
    failures = []
    for index in range(300):
        program = generate(SEED + 2, index, size=SIZE)
        text = prelude.source(True) + "\n\n" + program.module_text() + "\n"
        filename = f"<fuzz {SEED + 2}:{index}>"
        try:
            module = Module(text, filename)
            whole = compile(module.transpile(), filename, "exec", dont_inherit=True)
            for node, qualname, class_name in module.functions():
                compile_function(module.transpile_def(node, plain=True), filename, (),
                                 class_name)
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            failures.append(f"{index}: {type(error).__name__}: {error}")
        else:
            assert whole is not None
    assert not failures, f"{len(failures)} of 300 programs fail: {failures[:5]}"
