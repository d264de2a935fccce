"""``python -m desync watch``: rebuild on change, with watchdog.

Events are debounced (editors that save through a temporary file and a rename
produce several), only changed files are transpiled again (plus modules whose
callees changed, since their embedded versions move), the lockfile is updated,
and one line is printed per rebuild: its time and the versions that moved
(one line each when there are more than four). A broken file is reported and the last good
output stays in place. Ctrl-C exits cleanly.
"""
from __future__ import annotations

import os
import threading
import time

from ..errors import DesyncError


CHANGE_EVENTS = {"created", "modified", "moved", "deleted", "closed"}
LISTED = 40   # version changes listed one per line after a rebuild (the first build: a count)


class _Trigger:
    def __init__(self):
        self.event = threading.Event()
        self.last = 0.0

    def poke(self):
        self.last = time.monotonic()
        self.event.set()


def _summary(changes: list[str], shown: int = 4) -> str:
    """One readable line: every change when few, a count when a whole tree is new."""
    if not changes:
        return "no version changes"
    if len(changes) <= shown:
        return "; ".join(changes)
    return "; ".join(changes[:shown - 1]) + f"; and {len(changes) - shown + 1} more"


def watch(builder, out=print, debounce: float = 0.2, stop: threading.Event | None = None,
          ready: threading.Event | None = None) -> int:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    trigger = _Trigger()
    stop = stop or threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            # Reading a file raises "opened"/"closed_no_write" events on Linux: a
            # rebuild must not trigger the next one.
            if event.event_type not in CHANGE_EVENTS:
                return
            # Any file counts (the build mirrors data files too), except caches and
            # the output itself; an editor's temporary files cost one debounced rebuild.
            paths = [str(p) for p in (getattr(event, "src_path", ""),
                                      getattr(event, "dest_path", "")) if p]
            if paths and not any("__pycache__" in p or p.startswith(builder.out)
                                 for p in paths):
                trigger.poke()

    broken = [False]

    def rebuild(first=False):
        started = time.perf_counter()
        try:
            staged, entries, changes = builder.run()
        except DesyncError as error:
            # Every module is parsed: a broken one, with desync functions or not,
            # writes nothing, and the watch goes on.
            out(f"desync watch: {error} (keeping the last good output)")
            broken[0] = True
            return
        except OSError as error:
            if first:
                raise
            # A file gone between listing and reading (an editor's probe or swap
            # file, a tool's scratch file): its removal is a change of its own, and
            # the rebuild it brings reads the tree again.
            out(f"desync watch: {error.filename or ''}: {error.strerror or error} "
                "(keeping the last good output; the next change rebuilds)")
            broken[0] = True
            return
        try:
            if first:
                builder.write_tree(staged)
                written = list(staged)
            else:
                written = builder.write_changed_files(staged)
            builder.write_lockfile(entries)
        except OSError as error:
            if first:
                raise
            out(f"desync watch: cannot write the output: {error} (the next change "
                "rebuilds)")
            broken[0] = True
            return
        elapsed = (time.perf_counter() - started) * 1000
        if first or written or changes or broken[0]:
            broken[0] = False
            if first or len(changes) <= 4:
                summary = _summary(changes)
                out(f"desync watch: rebuilt {len(written)} file(s) in {elapsed:.0f} ms: "
                    f"{summary}")
                return
            # A rebuild that moves many versions lists every one of them.
            out(f"desync watch: rebuilt {len(written)} file(s) in {elapsed:.0f} ms: "
                f"{len(changes)} versions moved:")
            for line in changes[:LISTED]:
                out(f"  {line}")
            if len(changes) > LISTED:
                out(f"  ... and {len(changes) - LISTED} more (see {builder.lockfile})")

    # Watch before the first build, so a save made during it is not missed.
    observer = Observer()
    handler = Handler()
    watched = []
    for given in builder.paths:
        path = builder.config.resolve(given)
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        if folder not in watched:
            observer.schedule(handler, folder, recursive=True)
            watched.append(folder)
    observer.start()
    rebuild(first=True)
    out(f"desync watch: watching {', '.join(watched)} (Ctrl-C to stop)")
    if ready is not None:
        ready.set()
    try:
        while not stop.is_set():
            if not trigger.event.wait(0.1):
                continue
            # Debounce: wait until events stop arriving for a moment.
            while time.monotonic() - trigger.last < debounce and not stop.is_set():
                time.sleep(debounce / 4)
            trigger.event.clear()
            rebuild()
    except KeyboardInterrupt:
        out("desync watch: stopped")
    finally:
        observer.stop()
        observer.join(5)
    return 0
