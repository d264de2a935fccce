"""Real code: pure-Python standard-library modules, with ``@desync`` on every
function and method desync accepts, pass CPython's own tests exactly as the
plain modules do (``benchmarks/realcode.py`` runs the full set).

A few quick modules, with ``cache=False`` and with the default cache: every
test's outcome (pass, fail, error, skip, ...) must equal the plain run's, and
no test may hang. The suites run in subprocesses, one module at a time.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import realcode_lib  # noqa: E402

LABELS = ("nocache", "cache")


@functools.lru_cache(maxsize=None)
def _result(module):
    # One plain run and both decorated runs per module. A hang is found in seconds
    # (no CPU used); a test still busy after 30 s is cut (the slowest of these
    # suites' tests takes 6 s under desync, 0.1 s plain).
    return realcode_lib.run_module(module, LABELS, timeout=180, stall=30, idle=10)


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("module", realcode_lib.CI_MODULES)
def test_stdlib_module_passes_its_own_tests_under_desync(module, label):
    result = _result(module)
    assert result.error is None, result.error
    plain, run = result.plain, result.runs[label]
    assert plain.outcomes, f"no tests ran for {module}"
    assert run.import_error is None, run.details.get("<import>", run.import_error)
    assert run.module_file and run.module_file != plain.module_file
    reports = result.reports[label]
    assert sum(len(r.decorated) for r in reports) > 0
    assert run.exercised, "the tests never called a decorated function: not the copy?"
    tests, same, differ = result.compare(label)
    known = {t for t in realcode_lib.KNOWN_DIFFERENCES if t.startswith(f"test.test_{module}.")
             and (label == "cache" or t not in realcode_lib.KNOWN_ONLY_WITH_CACHE)}
    unexpected = {t: v for t, v in differ.items() if t not in known}
    details = "\n".join(f"{test_id}: plain {a}, desync {b}\n{run.details.get(test_id, '')[-1500:]}"
                        for test_id, (a, b) in sorted(unexpected.items())[:10])
    assert unexpected == {}, f"{len(unexpected)} of {tests} tests differ:\n{details}"
    # The documented differences still show: when one goes away, say so here.
    assert set(differ) == known, f"no longer differ: {sorted(known - set(differ))}"
    for test_id in known:  # for the documented reason: the warning names another file
        detail = run.details.get(test_id, "")       # than the test's (assertEqual's diff)
        lines = [line.strip() for line in detail.splitlines()]
        wanted = [line for line in lines if line.startswith("+ ")
                  and line.endswith(f"test_{module}.py")]
        named = [line for line in lines if line.startswith("- ")]
        assert "AssertionError" in detail and wanted and named, (test_id, detail)
    assert run.exit_note is None, run.exit_note
