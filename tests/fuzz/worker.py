"""A worker process: reads jobs (JSON lines) on stdin, writes events on its own pipe.

Runs in a subprocess so that a hang (a desync call that never returns) costs only
the worker: the parent kills it and starts another. Events name the program and
run in progress, so the parent can tell which one hung.

Jobs:
  {"job": "fuzz", "seed", "start", "stop", "size", "batch", "fails", "delay", "repeats", "modes", "clock"}
  {"job": "corpus", "seed", "start", "stop", "fails", "delay", "repeats", "modes"}
  {"job": "check", "text", "sfx", "method", "args", "plan", "modes", "delay", "repeats"}
"""
from __future__ import annotations

import ast
import json
import os
import random
import sys
import tempfile
import traceback


class _Spec:
    """What the harness needs of a program when only its text is known."""

    def __init__(self, text, sfx, method, args):
        self._text = text
        self.sfx = sfx
        self.method = method
        self.args = args

    def module_text(self):
        return self._text


def fuzz(job, send, directory):
    from . import harness
    from .gen import generate
    modes = job.get("modes") or list(harness.MODES)
    for first in range(job["start"], job["stop"], job["batch"]):
        indices = range(first, min(first + job["batch"], job["stop"]))
        programs = [generate(job["seed"], i, size=job["size"], clock=job.get("clock", False)) for i in indices]
        send({"ev": "load", "index": first})
        try:
            batch = harness.Batch(programs, directory, modes)
        except harness.BuildFailed:
            # The build refuses the whole module for one program: build each alone.
            for p in programs:
                send({"ev": "load", "index": p.index})
                try:
                    alone = harness.Batch([p], directory, modes)
                except BaseException as error:  # noqa: BLE001
                    send({"ev": "mismatch", "index": p.index,
                          "mode": "built" if isinstance(error, harness.BuildFailed) else "import",
                          "plan": None, "diff": ["import"], "expected": "", "actual": _tb(error),
                          "delay": 0, "salt": 0})
                    send({"ev": "done", "index": p.index, "runs": 0})
                    continue
                try:
                    fuzz_one(job, alone, p, modes, send)
                finally:
                    alone.cleanup()
            continue
        except BaseException as error:  # noqa: BLE001 - a module desync cannot import
            for p in programs:
                send({"ev": "mismatch", "index": p.index, "mode": "import", "plan": None,
                      "diff": ["import"], "expected": "", "actual": _tb(error), "delay": 0, "salt": 0})
                send({"ev": "done", "index": p.index, "runs": 0})
            continue
        try:
            for program in programs:
                fuzz_one(job, batch, program, modes, send)
        finally:
            batch.cleanup()


def corpus(job, send, directory):
    """The hand-written programs of corpus.py, from index ``start`` on."""
    from . import harness
    from .corpus import specs
    modes = job.get("modes") or list(harness.MODES)
    programs = [p for p in specs() if job.get("start", 0) <= p.index < job.get("stop", 1 << 30)]
    if not programs:
        return
    send({"ev": "load", "index": programs[0].index})
    batch = harness.Batch(programs, directory, modes)
    try:
        for program in programs:
            fuzz_one(job, batch, program, modes, send)
    finally:
        batch.cleanup()


def fuzz_one(job, batch, program, modes, send):
    from . import harness
    rng = random.Random(f"plans:{job['seed']}:{program.index}")
    send({"ev": "start", "index": program.index})
    _, recorded = harness.run(batch.plain, program, record=True)
    kinds = ("ValueError", "KeyError", "FzError", "ZeroDivisionError") + (
        ("KeyboardInterrupt",) if job.get("interrupts") else ())
    if job.get("all_kinds"):  # every call input with every kind of exception
        plans = [None] + [{fp: kind} for plan in harness.plans_for(recorded, rng, job["fails"])
                          for fp in plan for kind in kinds]
    else:
        plans = [None] + harness.plans_for(recorded, rng, job["fails"], kinds)
    runs = 0
    delay_first = rng.random() < job.get("delay_frac", 0.0)
    # Callee delays would change what a program's clock readings measure (the plain
    # run has none): a program that reads the clock runs without them.
    reads_clock = "perf_counter" in program.module_text()
    for k, plan in enumerate(plans):
        # Announced like the desync runs: a plain run that never ends (a loop the generator
        # wrote, reached only under this plan) is then reported as the program's, not
        # blamed on the last desync run (the previous plan's sequential run).
        send({"ev": "run", "index": program.index, "mode": "plain", "plan": repr(plan), "delay": 0.0, "salt": 0})
        expected, _ = harness.run(batch.plain, program, plan)
        expected = expected.ignoring(job.get("ignore", ()))
        for mode in modes:
            repeats = job.get("repeats", 1) if mode != "sequential" else 1
            for rep in range(repeats):
                delay = job.get("delay", 0.0) if (rep or delay_first) and not reads_clock else 0.0
                salt = rng.randrange(1 << 30)
                send({"ev": "run", "index": program.index, "mode": mode, "plan": repr(plan), "delay": delay, "salt": salt})
                actual, _ = harness.run(batch.modules[mode], program, plan, mode, delay, salt)
                actual = actual.ignoring(job.get("ignore", ()))
                runs += 1
                if actual != expected:
                    send({"ev": "mismatch", "index": program.index, "mode": mode, "plan": repr(plan),
                          "diff": expected.diff(actual), "expected": repr(expected), "actual": repr(actual),
                          "delay": delay, "salt": salt})
                    break
    send({"ev": "done", "index": program.index, "runs": runs, "plans": len(plans)})


def check(job, send, directory):
    """Run one program: plain once, each mode ``repeats`` times; report the first mismatch."""
    from . import harness
    spec = _Spec(job["text"], job["sfx"], job["method"], tuple(ast.literal_eval(job["args"])))
    plan = ast.literal_eval(job["plan"]) if job.get("plan") else None
    try:
        batch = harness.Batch([spec], directory, job["modes"])
    except BaseException as error:  # noqa: BLE001
        send({"ev": "checked", "status": "import-error", "error": _tb(error)})
        return
    try:
        send({"ev": "run", "mode": "plain"})
        expected, _ = harness.run(batch.plain, spec, plan)
        expected = expected.ignoring(job.get("ignore", ()))
        rng = random.Random(job.get("salt", 0))
        for mode in job["modes"]:
            for rep in range(job.get("repeats", 1) if mode != "sequential" else 1):
                delay = job.get("delay", 0.0) if rep else 0.0
                send({"ev": "run", "mode": mode})
                actual, _ = harness.run(batch.modules[mode], spec, plan, mode, delay, rng.randrange(1 << 30))
                actual = actual.ignoring(job.get("ignore", ()))
                if actual != expected:
                    send({"ev": "checked", "status": "mismatch", "mode": mode, "diff": expected.diff(actual),
                          "expected": repr(expected), "actual": repr(actual)})
                    return
        send({"ev": "checked", "status": "same", "expected": repr(expected)})
    finally:
        batch.cleanup()


def _tb(error):
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))[-3000:]


def main():
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed at the file-descriptor level goes to stderr

    def send(event):
        out.write(json.dumps(event) + "\n")
        out.flush()

    directory = os.environ.get("FZ_DIR") or tempfile.mkdtemp(prefix="fz-")
    sys.setrecursionlimit(3000)
    if os.environ.get("FZ_STRESS") == "1":
        sys.setswitchinterval(1e-6)   # (``--stress``: the owner and the workers interleave)
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            if job["job"] == "fuzz":
                fuzz(job, send, directory)
            elif job["job"] == "corpus":
                corpus(job, send, directory)
            else:
                check(job, send, directory)
        except BaseException as error:  # noqa: BLE001 - a bug of the fuzzer itself
            send({"ev": "crash", "error": _tb(error)})
        send({"ev": "idle"})


if __name__ == "__main__":
    main()
