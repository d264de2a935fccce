"""The parent side: worker subprocesses, with a watchdog for hangs.

A worker that sends nothing for ``timeout`` seconds while a run is in progress is
hung: it is killed, the run in progress is reported as a ``hang`` mismatch, and
a fresh worker carries on with the next program.
"""
from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RECYCLE_AFTER = 25   # jobs (batches of programs) a worker runs before a fresh one takes over
LOAD_TIMEOUT = 60.0  # seconds a worker may take to load a batch (a run has ``timeout``)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Worker:
    def __init__(self, nice=0):
        self.log = tempfile.NamedTemporaryFile(prefix="fz-worker-", suffix=".log", delete=False)
        self.dir = tempfile.mkdtemp(prefix="fz-")  # the generated modules; removed with the worker
        cmd = [sys.executable, "-m", "tests.fuzz.worker"]
        if nice:
            cmd = ["nice", "-n", str(nice)] + cmd
        env = dict(os.environ, PYTHONHASHSEED=os.environ.get("PYTHONHASHSEED", "0"), FZ_DIR=self.dir)
        env.pop("DESYNC_DISABLE", None)
        # Every call through the engine, however cheap; ``--pacing`` leaves pacing on,
        # so repeated calls go in order and then through the original function.
        env["DESYNC_PACING"] = "1" if os.environ.get("FZ_PACING") == "1" else "0"
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, env=env, start_new_session=True)
        self.buffer = b""
        self.last = None  # the last "run"/"start"/"load" event: what is in progress
        self.job = None
        self.jobs_done = 0

    def submit(self, job):
        self.job = job
        self.proc.stdin.write((json.dumps(job) + "\n").encode())
        self.proc.stdin.flush()

    def read_events(self):
        """Whatever complete events are buffered (after select says readable)."""
        chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
        if not chunk:
            raise EOFError
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self._remove_files()

    def _remove_files(self):
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        try:
            os.unlink(self.log.name)
        except OSError:
            pass

    def release(self):
        """Tell the worker to exit (end of its input), without waiting for it."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def close(self):
        self.release()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
        self._remove_files()

    def stderr_tail(self, n=2000):
        try:
            with open(self.log.name, "rb") as handle:
                return handle.read()[-n:].decode(errors="replace")
        except OSError:
            return ""


def run_jobs(jobs, workers=2, timeout=10.0, nice=0, deadline=None, stop=None):
    """Run fuzz jobs (dicts with start/stop) on ``workers`` processes; yield their events.

    A hang or a dead worker yields {"ev": "mismatch", "diff": ["hang"|"crash"], ...}
    for the run in progress; the job then goes on after that program in a new worker.
    No new job starts after ``deadline`` (a time.monotonic() value) or once ``stop()``.
    """
    pending = jobs if isinstance(jobs, list) else list(jobs)
    sel = selectors.DefaultSelector()
    busy = {}   # worker -> job
    closing = []  # workers told to exit, reaped at the end
    heard = {}  # worker -> when it last spoke

    def start(w):
        if not pending or (deadline is not None and time.monotonic() > deadline) or (stop and stop()):
            # Not w.close() here: a process that ran many programs takes seconds to
            # exit, and waiting for it would starve the watchdog of the other
            # workers' events (a false hang).
            w.release()
            closing.append(w)
            return
        job = pending.pop(0)
        w.last = None
        w.submit(job)
        sel.register(w.proc.stdout, selectors.EVENT_READ, w)
        busy[w] = job
        heard[w] = time.monotonic()

    def lost(w, why, detail):
        """The worker hung or died: report the run in progress, resume after it."""
        job = busy.pop(w)
        sel.unregister(w.proc.stdout)
        w.kill()
        last = w.last or {}
        index = last.get("index")
        events = [{"ev": "mismatch", "index": index, "mode": last.get("mode", last.get("ev")),
                   "plan": last.get("plan"), "diff": [why], "expected": "", "actual": detail,
                   "delay": last.get("delay", 0), "salt": last.get("salt", 0)}]
        resume = job["start"] if index is None else index + 1
        if index is not None:
            events.append({"ev": "done", "index": index, "runs": 0, "lost": why})
        if index is None and why == "crash":
            resume = job["stop"]  # died before its first program: do not loop on it
        if resume < job["stop"]:
            pending.insert(0, dict(job, start=resume))
        start(Worker(nice))
        return events

    for _ in range(min(workers, len(pending))):
        start(Worker(nice))
    try:
        while busy:
            for key, _ in sel.select(timeout=0.5):
                w = key.data
                if w not in busy:
                    continue
                try:
                    events = w.read_events()
                except (EOFError, OSError):
                    yield from lost(w, "crash", "worker died:\n" + w.stderr_tail())
                    continue
                heard[w] = time.monotonic()
                for event in events:
                    if event["ev"] in ("run", "start", "load"):
                        w.last = event
                    if event["ev"] == "idle":
                        sel.unregister(w.proc.stdout)
                        del busy[w]
                        w.jobs_done += 1
                        if w.jobs_done >= RECYCLE_AFTER and pending:
                            # desync keeps every module it decorated (for versions):
                            # after thousands of programs a worker holds millions of
                            # objects, and one garbage collection can outlast the
                            # watchdog (a false hang). A fresh worker carries on.
                            w.release()
                            closing.append(w)
                            w = Worker(nice)
                        start(w)
                        break
                    yield event
            now = time.monotonic()
            for w in list(busy):
                # (loading a batch transpiles and imports every program of it: a cold
                # start on a loaded machine takes seconds, which is no hang of a run)
                # (nor is a worker's own start, before it said anything)
                allowed = max(timeout, LOAD_TIMEOUT) \
                    if w.last is None or w.last.get("ev") == "load" else timeout
                if now - heard[w] > allowed:
                    yield from lost(w, "hang", f"no answer in {allowed:.0f} s\n" + w.stderr_tail(1000))
    finally:
        for w in list(busy):
            w.kill()
        for w in closing:
            w.close()


class Checker:
    """One persistent worker for check jobs (the shrinker's oracle)."""

    def __init__(self, timeout=10.0, nice=0, fresh=False):
        self.timeout = timeout
        self.nice = nice
        self.fresh = fresh  # a new process per check: nothing left over from earlier ones
        self.worker = Worker(nice)

    def check(self, job):
        job = dict(job, job="check")
        if self.fresh:
            self.restart()
        w = self.worker
        w.submit(job)
        deadline = time.monotonic() + self.timeout
        result = None
        last_mode = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.restart()
                return {"status": "mismatch", "mode": last_mode, "diff": ["hang"], "expected": "", "actual": "hang"}
            sel = selectors.DefaultSelector()
            sel.register(w.proc.stdout, selectors.EVENT_READ)
            ready = sel.select(timeout=remaining)
            sel.close()
            if not ready:
                continue
            try:
                events = w.read_events()
            except (EOFError, OSError):
                tail = w.stderr_tail()
                self.restart()
                return {"status": "crash", "error": tail}
            for event in events:
                if event["ev"] == "run":
                    last_mode = event["mode"]
                    deadline = time.monotonic() + self.timeout
                elif event["ev"] == "checked":
                    result = event
                elif event["ev"] == "crash":
                    result = {"status": "crash", "error": event["error"]}
                elif event["ev"] == "idle":
                    return result

    def restart(self):
        self.worker.kill()
        self.worker = Worker(self.nice)

    def close(self):
        self.worker.close()
