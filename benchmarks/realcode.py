"""Real code under ``@desync``: standard-library modules against CPython's own tests.

    python benchmarks/realcode.py                    # the 16 default modules, cache=False
    python benchmarks/realcode.py --cache            # the same with the default @desync (cache on)
    python benchmarks/realcode.py --both             # both settings (one plain run per module)
    python benchmarks/realcode.py fractions heapq    # chosen modules (any stdlib module name)
    python benchmarks/realcode.py --list             # the modules the harness knows
    python benchmarks/realcode.py -v --tracebacks fractions   # why tests differ

Each module is copied, decorated (``@desync(cache=False)`` or ``@desync`` on every
function and method desync accepts), and CPython's ``test.test_<module>`` runs in a
subprocess against the plain copy and the decorated one; every test's outcome is
compared. One module at a time (run it under ``nice`` on a shared machine).
See ``realcode_lib.py`` for how.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import realcode_lib as lib  # noqa: E402


def _summary_row(result: lib.ModuleResult, label: str):
    plain = result.plain
    run = result.runs.get(label)
    if result.error or run is None:
        return [result.name, "-", "-", "-", "-", "-", "-", "-", "-", result.error or "not run"]
    tests, same, differ = result.compare(label)
    reports = result.reports.get(label, [])
    decorated = sum(len(r.decorated) for r in reports)
    refused = sum(len(r.refused) for r in reports)
    crashed = sum(len(r.crashed) for r in reports)
    ratio = run.test_seconds / plain.test_seconds if plain.test_seconds else float("nan")
    notes = []
    if run.import_error:
        notes.append("IMPORT: " + run.import_error.splitlines()[0][:70])
    hung = [h for h, _ in run.hangs]
    if hung:
        notes.append(f"{len(hung)} hang(s)")
    if run.exit_note:
        notes.append(run.exit_note.splitlines()[0][:60])
    if crashed:
        notes.append(f"{crashed} transpile crash(es)")
    status = "SAME" if result.identical(label) else "DIFF"
    return [result.name, str(tests), str(same), str(len(differ)),
            f"{plain.test_seconds:.2f}", f"{run.test_seconds:.2f}", f"{ratio:.1f}x",
            f"{decorated}/{refused}", f"{len(run.exercised)}/{run.calls}",
            status + ("  " + "; ".join(notes) if notes else "")]


HEADER = ["module", "tests", "same", "differ", "plain s", "desync s", "ratio",
          "decorated/refused", "exercised/calls", "result"]


def print_table(results, label, out=sys.stdout):
    rows = [HEADER] + [_summary_row(r, label) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    title = {"nocache": "@desync(cache=False)", "cache": "@desync (default cache)"}[label]
    print(f"\n== {title} ==", file=out)
    for row in rows:
        print("  ".join(cell.rjust(w) if i else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))) + "  " + row[-1], file=out)
    identical = sum(1 for r in results if label in r.runs and r.identical(label))
    plain = sum(r.plain.test_seconds for r in results if r.plain)
    desync = sum(r.runs[label].test_seconds for r in results if label in r.runs)
    print(f"{identical} of {len(results)} modules give identical outcomes; "
          f"test time {plain:.1f} s plain, {desync:.1f} s under desync", file=out)


def timing(result: lib.ModuleResult, label: str):
    """Seconds plain and under desync over the tests with the same outcome in both
    runs (a fair ratio even when some tests fail or hang), and per-call overhead."""
    plain, run = result.plain, result.runs.get(label)
    if plain is None or run is None or run.import_error:
        return None
    same = [t for t, o in run.outcomes.items() if plain.outcomes.get(t) == o]
    a = sum(plain.durations.get(t, 0.0) for t in same)
    b = sum(run.durations.get(t, 0.0) for t in same)
    per_call = (run.test_seconds - plain.test_seconds) / run.calls * 1e6 if run.calls else float("nan")
    return {"tests": len(same), "plain": a, "desync": b, "ratio": b / a if a else float("nan"),
            "calls": run.calls, "per_call_us": per_call,
            # import time: one import (a run that resumed after hangs imported again)
            "import_plain": plain.import_seconds / (plain.restarts + 1),
            "import_desync": run.import_seconds / (run.restarts + 1)}


def print_timings(results, label, out=sys.stdout):
    title = {"nocache": "@desync(cache=False)", "cache": "@desync (default cache)"}[label]
    print(f"\n== time, {title}: tests with the same outcome in both runs ==", file=out)
    print(f"{'module':<14}{'tests':>6}{'plain s':>10}{'desync s':>10}{'ratio':>9}"
          f"{'calls':>10}{'us/call':>9}{'import s':>16}", file=out)
    total_a = total_b = 0.0
    for result in results:
        t = timing(result, label)
        if t is None:
            print(f"{result.name:<14}{'-':>6}", file=out)
            continue
        total_a += t["plain"]
        total_b += t["desync"]
        print(f"{result.name:<14}{t['tests']:>6}{t['plain']:>10.2f}{t['desync']:>10.2f}"
              f"{t['ratio']:>8.1f}x{t['calls']:>10}{t['per_call_us']:>9.1f}"
              f"{t['import_plain']:>8.2f}/{t['import_desync']:<7.2f}", file=out)
    if total_a:
        print(f"{'all':<14}{'':>6}{total_a:>10.2f}{total_b:>10.2f}{total_b / total_a:>8.1f}x",
              file=out)


def print_details(results, label, tracebacks, out=sys.stdout):
    for result in results:
        run = result.runs.get(label)
        if run is None:
            continue
        lines = []
        if run.import_error:
            lines.append(f"  import error: {run.import_error}")
            if tracebacks:
                lines.append(_indent(run.details.get("<import>", ""), 6))
        for report in result.reports.get(label, []):
            for qualname, error in report.crashed.items():
                lines.append(f"  transpiler crash on {qualname}: {error}")
        _, _, differ = result.compare(label) if result.plain else (0, 0, {})
        if run.import_error:
            differ = {}  # every test is missing: the import error says why
        for test_id, (a, b) in differ.items():
            lines.append(f"  {test_id}: plain {a}, desync {b}")
            if tracebacks and run.details.get(test_id):
                lines.append(_indent(_tail(run.details[test_id], 40 if b in ("hang", "timeout") else 25), 6))
        for test_id, stacks in run.hangs:
            if test_id.startswith("<"):  # outside a test: the tests' details do not show it
                lines.append(f"  {run.exit_note or 'hang'}")
                if tracebacks:
                    lines.append(_indent(lib.summarize_stacks(stacks), 6))
        if run.exit_note and not run.hangs:
            lines.append(f"  {run.exit_note}")
        if lines:
            print(f"\n-- {result.name} ({label})", file=out)
            print("\n".join(lines), file=out)


def _tail(text, n):
    return "\n".join(text.rstrip().splitlines()[-n:])


def _indent(text, n):
    return "\n".join(" " * n + line for line in text.splitlines())


def report(results, labels, tracebacks):
    for label in labels:
        print_table(results, label)
    for label in labels:
        print_timings(results, label)
    for label in labels:
        print_details(results, label, tracebacks)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="standard-library modules (default: the 16)")
    parser.add_argument("--cache", action="store_true", help="decorate with @desync (cache on)")
    parser.add_argument("--both", action="store_true", help="cache=False and the default cache")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds for one run of a module's tests (default 1800)")
    parser.add_argument("--stall", type=float, default=600,
                        help="seconds one test may run before it is a 'timeout' (default 600)")
    parser.add_argument("--idle", type=float, default=10,
                        help="seconds without CPU use in one test before it is a 'hang' "
                             "(a deadlock; at least 3x the test's plain time; default 10)")
    parser.add_argument("--json", help="write every outcome and detail to this file")
    parser.add_argument("--tracebacks", action="store_true", help="show why tests differ")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument("--workdir", help="where the temporary copies go")
    parser.add_argument("--list", action="store_true", help="list the known modules")
    parser.add_argument("--plain", action="append", default=[], metavar="QUALNAME",
                        help="leave this function undecorated, to look past a failure "
                             "that hides the rest of a suite (repeatable)")
    parser.add_argument("--report", metavar="FILE",
                        help="print the tables of a run saved with --json, run nothing")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="run only the tests whose id contains TEXT (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    if args.list:
        for group, table in (("default", lib.DEFAULT_MODULES), ("extra", lib.EXTRA_MODULES)):
            for spec in table.values():
                print(f"{group:8} {spec.name:14} {spec.test:24} {spec.note}")
        return 0
    labels = ("nocache", "cache") if args.both else (("cache",) if args.cache else ("nocache",))
    if args.report:
        results = lib.load_results(args.report)
        if args.modules:
            results = [r for r in results if r.name in args.modules]
        labels = [label for label in ("nocache", "cache") if any(label in r.runs for r in results)]
        report(results, labels, args.tracebacks)
        return 0
    names = args.modules or list(lib.DEFAULT_MODULES)
    log = (lambda m: print(m, file=sys.stderr, flush=True)) if args.verbose else None
    print(f"realcode: Python {sys.version.split()[0]}, {len(names)} module(s), "
          f"{', '.join(labels)}", flush=True)
    results = []
    for name in names:
        started = time.monotonic()
        try:
            result = lib.run_module(name, labels, timeout=args.timeout, stall=args.stall,
                                    idle=args.idle,
                                    workdir=args.workdir, keep=args.keep, only=args.only,
                                    plain_functions=args.plain,
                                    log=log)
        except Exception as error:  # the harness could not even set the module up
            result = lib.ModuleResult(name, lib.module_spec(name).test, error=f"{type(error).__name__}: {error}")
        results.append(result)
        marks = ", ".join(f"{label}: {'same' if label in result.runs and result.identical(label) else 'DIFF'}"
                          for label in labels)
        print(f"  {name:<14} {time.monotonic() - started:6.1f} s   {marks}", flush=True)
    report(results, labels, args.tracebacks)
    if args.json:
        with open(args.json, "w") as f:
            json.dump([r.as_dict() for r in results], f, indent=1)
    return 0 if all(r.identical(label) for r in results for label in labels) else 1


if __name__ == "__main__":
    sys.exit(main())
