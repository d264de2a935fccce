"""Long fuzzing runs: ``python -m tests.fuzz --seconds 600 --seed N``.

Generates programs (seed, index), runs each plain and under desync (threads, a
one-worker custom executor, ``desync.sequential()``) with a failure injected at each
call input in turn, groups mismatches by signature, shrinks one per group and
writes a standalone repro for each to ``--out``. ``--modes built`` (not a default)
runs the module as ``python -m desync build`` writes it (see harness.py).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

from .gen import generate
from .pool import ROOT, Checker, run_jobs
from .repro import render
from .shrink import Shrinker, signature, statement_count


def fuzz(seed, count=None, seconds=None, workers=2, size=10, batch=20, fails=4, delay=0.0,
         repeats=1, modes=None, timeout=5.0, nice=0, delay_frac=0.0, clock=False,
         interrupts=False, max_hangs=None, progress=None, ignore=()):
    """Run the fuzzer; returns (stats, {signature: [mismatch events]})."""
    total = count if count is not None else 10 ** 7
    deadline = time.monotonic() + seconds if seconds else None
    jobs = [dict(job="fuzz", seed=seed, start=i, stop=min(i + batch, total), size=size, batch=batch,
                 fails=fails, delay=delay, repeats=repeats, modes=modes, delay_frac=delay_frac,
                 clock=clock, interrupts=interrupts, ignore=list(ignore))
            for i in range(0, total, batch)] if count is not None else _lazy_jobs(
                seed, batch, size, fails, delay, repeats, modes, delay_frac, clock, interrupts, list(ignore))
    started = time.monotonic()
    stats = {"programs": 0, "runs": 0, "mismatching programs": 0, "hangs": 0, "crashes": []}
    groups = defaultdict(list)
    bad_programs = set()
    stop = lambda: max_hangs is not None and stats["hangs"] >= max_hangs  # noqa: E731
    for event in run_jobs(jobs, workers=workers, timeout=timeout, nice=nice, deadline=deadline, stop=stop):
        kind = event["ev"]
        if kind == "done":
            stats["programs"] += 1
            stats["runs"] += event.get("runs", 0)
            if progress and stats["programs"] % 500 == 0:
                progress(stats, groups, time.monotonic() - started)
        elif kind == "mismatch":
            sig = signature(event["mode"], event["diff"], event.get("expected"), event.get("actual"))
            event["signature"] = sig
            if sig.startswith("plain program"):
                stats["plain hangs"] = stats.get("plain hangs", 0) + 1
                continue   # the program, not desync: nothing to shrink
            groups[sig].append(event)
            if event["index"] not in bad_programs:
                bad_programs.add(event["index"])
                stats["mismatching programs"] += 1
            if "hang" in event["diff"]:
                stats["hangs"] += 1
        elif kind == "crash":
            stats["crashes"].append(event["error"])
    stats["seconds"] = time.monotonic() - started
    return stats, groups


class _lazy_jobs(list):
    """An endless job list (bounded only by the deadline)."""

    def __init__(self, seed, batch, size, fails, delay, repeats, modes, delay_frac, clock, interrupts, ignore):
        super().__init__()
        self.next = 0
        self.template = dict(job="fuzz", seed=seed, size=size, batch=batch, fails=fails, delay=delay,
                             repeats=repeats, modes=modes, delay_frac=delay_frac, clock=clock,
                             interrupts=interrupts, ignore=ignore)

    def __bool__(self):
        return True

    def __len__(self):
        return 1 << 30

    def pop(self, index=-1):
        if super().__len__():
            return super().pop(index)
        start = self.next
        self.next += self.template["batch"]
        return dict(self.template, start=start, stop=self.next)

    def insert(self, index, job):
        super().insert(index, job)


def shrink_event(event, seed, size, clock=False, budget=60.0, timeout=5.0, nice=0, repeats=6, ignore=()):
    """Minimise the program of a mismatch event; returns (repro text, body lines, result)."""
    program = generate(seed, event["index"], size=size, clock=clock)
    plan = ast.literal_eval(event["plan"]) if event.get("plan") and event["plan"] != "None" else None
    expected = event.get("expected") or ""
    try:
        plain_error = ast.literal_eval(expected)[1] if expected else None
    except (ValueError, SyntaxError):
        plain_error = None
    mode = event["mode"] if event["mode"] in ("threads", "one-worker", "sequential", "built") else "threads"
    delay = event.get("delay") or 0.0
    checker = Checker(timeout=timeout, nice=nice, fresh="hang" in event["diff"])
    try:
        shrinker = Shrinker(checker, program.sfx, program.method, program.args, plan, mode,
                            delay or 0.003, repeats if mode != "sequential" else 1, event["signature"],
                            plain_error[0] if plain_error else None, budget=budget, ignore=ignore)
        decls = shrinker.run(program.decls)
        last = shrinker.last
        args = shrinker.args
    finally:
        checker.close()
    used_delay = 0.0 if mode == "sequential" else (delay or 0.003)
    text = render(decls, program.sfx, program.method, args, plan, mode, used_delay,
                  note=f"seed {seed} program {event['index']}: {event['signature']}",
                  ignore_context="context" in ignore)
    text += run_repro(text, timeout=max(timeout * 4, 20), ignore_context="context" in ignore)
    return text, statement_count(decls, program.sfx), last


def run_repro(text, times=10, timeout=30.0, ignore_context=False):
    """Run a standalone repro (plain, then desync ``times`` times); its output as comments."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(text)
        path = handle.name
    try:
        flags = ["--ignore-context"] if ignore_context else []
        proc = subprocess.run([sys.executable, "-m", "tests.fuzz.repro", path, "--times", str(times)] + flags,
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        output = proc.stdout + (proc.stderr[-1500:] if proc.returncode not in (0, 1) else "")
        if proc.returncode == 0:
            output += f"(the standalone file did not reproduce in {times} runs)\n"
    except subprocess.TimeoutExpired:
        output = f"desync: hangs (no answer in {timeout:.0f} s)\n"
    finally:
        os.unlink(path)
    return "".join("# " + line + "\n" for line in output.rstrip("\n").splitlines())


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def report(stats, groups, out=sys.stdout):
    rate = stats["programs"] / stats["seconds"] if stats["seconds"] else 0.0
    print(f"{stats['programs']} programs, {stats['runs']} runs in {stats['seconds']:.1f} s "
          f"({rate:.0f} programs/s); {stats['mismatching programs']} programs mismatch; "
          f"{stats['hangs']} hangs"
          + (f" ({stats['plain hangs']} generated programs hang in plain Python: skipped)"
             if stats.get("plain hangs") else ""), file=out)
    for crash in stats["crashes"][:3]:
        print("fuzzer crash:\n" + crash, file=out)
    for sig, events in sorted(groups.items(), key=lambda kv: -len({e["index"] for e in kv[1]})):
        # (a worker lost before its first program has no index)
        programs = sorted({e["index"] for e in events if e["index"] is not None})
        example = f"program {programs[0]}" if programs else "a worker starting"
        print(f"  {len(programs):5} programs  {sig}   e.g. {example}", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--seconds", type=float, default=None, help="run for this long")
    parser.add_argument("--count", type=int, default=None, help="or run this many programs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", type=int, default=12, help="statements per program (roughly)")
    parser.add_argument("--fails", type=int, default=6, help="failure plans per program")
    parser.add_argument("--delay", type=float, default=0.003, help="max callee delay (s) in repeated runs")
    parser.add_argument("--repeats", type=int, default=2, help="runs per concurrent mode and plan")
    parser.add_argument("--modes", default="threads,one-worker,sequential")
    parser.add_argument("--timeout", type=float, default=5.0, help="a run longer than this is a hang")
    parser.add_argument("--clock", action="store_true", help="also generate clock readings")
    parser.add_argument("--interrupts", action="store_true", help="callees may raise KeyboardInterrupt")
    parser.add_argument("--ignore-context", action="store_true",
                        help="do not compare __context__/__suppress_context__ (to see the other bugs)")
    parser.add_argument("--shrink", type=int, default=20, help="shrink this many signatures")
    parser.add_argument("--only", default=None, help="shrink only signatures containing this text")
    parser.add_argument("--shrink-seconds", type=float, default=60.0)
    parser.add_argument("--out", default="fuzz-out", help="folder for repro files and mismatches.jsonl")
    parser.add_argument("--from-events", default=None, metavar="JSONL",
                        help="do not fuzz: shrink the mismatches saved by an earlier run")
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument("--pacing", action="store_true",
                        help="leave pacing on: a program's repeated calls go in order, then "
                             "run its original function (use many --fails and --repeats)")
    parser.add_argument("--cache", action="store_true",
                        help="generated desync functions use the call cache (the default "
                             "users run); repeats then hit")
    parser.add_argument("--stress", action="store_true",
                        help="threads switch every microsecond and the engine has eight workers: "
                             "races between the owner and the workers show (found this way: "
                             "a task's state published before its value)")
    parser.add_argument("--program", type=int, default=None, help="print program INDEX of --seed and exit")
    args = parser.parse_args(argv)
    if args.stress:
        os.environ["FZ_STRESS"] = "1"   # read by the workers (worker.main)
        os.environ["DESYNC_MAX_WORKERS"] = "8"
    if args.pacing:
        os.environ["FZ_PACING"] = "1"   # read by the workers' environment (pool.Worker)
    if args.cache:
        os.environ["FZ_CACHE"] = "1"    # read by tests.fuzz.rt in the workers
    if args.program is not None:
        program = generate(args.seed, args.program, size=args.size, clock=args.clock)
        print(program.module_text())
        print(f"# args: {program.args!r}")
        return 0
    ignore = ["context"] if args.ignore_context else []
    os.makedirs(args.out, exist_ok=True)
    if args.from_events:
        groups = defaultdict(list)
        with open(args.from_events) as handle:
            saved = [json.loads(line) for line in handle if line.strip()]
        for event in saved:
            groups[event["signature"]].append(event)
        run = saved[0]["run"] if saved else {}
        args.seed, args.size, args.clock = run.get("seed", args.seed), run.get("size", args.size), run.get("clock", args.clock)
        ignore = run.get("ignore", ignore)
    else:
        if args.seconds is None and args.count is None:
            args.seconds = 60.0
        print(f"seed {args.seed}", flush=True)
        stats, groups = fuzz(args.seed, count=args.count, seconds=args.seconds, workers=args.workers,
                             size=args.size, fails=args.fails, delay=args.delay, repeats=args.repeats,
                             modes=args.modes.split(","), timeout=args.timeout, nice=args.nice,
                             clock=args.clock, interrupts=args.interrupts, ignore=ignore,
                             progress=lambda s, g, t: print(f"... {s['programs']} programs, {len(g)} signatures, {t:.0f} s", flush=True))
        report(stats, groups)
        run = {"seed": args.seed, "size": args.size, "clock": args.clock, "ignore": ignore}
        with open(os.path.join(args.out, "mismatches.jsonl"), "w") as handle:
            for events in groups.values():
                for event in events:
                    handle.write(json.dumps(dict(event, run=run)) + "\n")
    if not groups or not args.shrink:
        return 0 if not groups else 1
    ranked = sorted(groups.items(), key=lambda kv: -len({e["index"] for e in kv[1]}))
    if args.only:
        ranked = [(sig, events) for sig, events in ranked if args.only in sig]
    for n, (sig, events) in enumerate(ranked[:args.shrink], 1):
        smallest = min(events, key=lambda e: (len(generate(args.seed, e["index"], size=args.size, clock=args.clock).module_text()), e["index"]))
        print(f"\n== [{n}] {sig}: shrinking program {smallest['index']} ({smallest['mode']}) ...", flush=True)
        text, lines, _ = shrink_event(smallest, args.seed, args.size, clock=args.clock,
                                      budget=args.shrink_seconds, timeout=args.timeout, nice=args.nice,
                                      ignore=ignore)
        path = os.path.join(args.out, f"{n:02d}-{_slug(sig)}.py")
        with open(path, "w") as handle:
            handle.write(text)
        print(f"-> {path} ({lines} lines of desync body)\n{text}", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
