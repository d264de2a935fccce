"""Transpiled functions of the decorator alone, cached on disk next to Python's
own bytecode (``__pycache__/<module>.<tag>.desync-fn.pyc``).

The import hook caches whole modules; a module imported without it still has
its ``@desync`` functions transpiled one by one at import. After the first run
the code objects come from here, without parsing or transpiling anything:
importing costs about what a plain import costs. An entry is used only if the
source bytes, the Python version and desync's transpiler are the ones it was
made from; a damaged file is a miss. ``-B``/``PYTHONDONTWRITEBYTECODE`` are
honoured as by Python's loader.
"""
from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import sys
import threading
import time
# The import system's own module: always loaded (``importlib`` itself may not be).
from _frozen_importlib_external import MAGIC_NUMBER, cache_from_source

_HEADER = b"DSYF"
_lock = threading.Lock()
_files: dict = {}     # source path -> _File
_flush_registered = False


_RECHECK = 2.0  # seconds: a module's decorators run in a burst; one stat serves them all


class _File:
    __slots__ = ("stamp", "digest", "entries", "dirty", "checked")

    def __init__(self, stamp, digest, entries):
        self.stamp = stamp
        self.digest = digest
        self.entries = entries
        self.dirty = False
        self.checked = time.monotonic()


_fingerprint = None


def desync_fingerprint() -> bytes:
    """Changes whenever the code desync generates may change: a new version, or an
    edit of the transpiler (``desync/compiler``) in a development checkout. The
    runtime is not part of it: generated code only names its public calls, which
    change only with a version. Stat-based, so it costs a few syscalls per process."""
    global _fingerprint
    if _fingerprint is None:
        from . import __version__
        digest = hashlib.blake2b(__version__.encode(), digest_size=16)
        compiler = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compiler")
        with os.scandir(compiler) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    digest.update(f"{entry.name}:{info.st_size}:{info.st_mtime_ns};".encode())
        _fingerprint = digest.digest()
    return _fingerprint


def _cache_path(source: str) -> str | None:
    try:
        base = cache_from_source(source)
    except (NotImplementedError, ValueError):
        return None
    return base[: -len(".pyc")] + ".desync-fn.pyc"


def _prefix() -> bytes:
    return _HEADER + MAGIC_NUMBER.ljust(16) + desync_fingerprint()


def _key(fn) -> tuple:
    code = fn.__code__
    return (fn.__qualname__, code.co_firstlineno, code.co_freevars)


def _load(source: str):
    try:
        status = os.stat(source)
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    stamp = (status.st_mtime_ns, status.st_size)
    digest = hashlib.blake2b(data, digest_size=16).digest()
    entries = {}
    path = _cache_path(source)
    if path is not None:
        try:
            with open(path, "rb") as handle:
                cached = handle.read()
        except OSError:
            cached = b""
        prefix = _prefix()
        if cached.startswith(prefix) and cached[len(prefix):len(prefix) + 16] == digest:
            try:
                loaded = marshal.loads(memoryview(cached)[len(prefix) + 16:])
            except (ValueError, EOFError, TypeError):
                loaded = None  # damaged: a miss
            if isinstance(loaded, dict):
                entries = loaded
    return _File(stamp, digest, entries)


def _file(source: str):
    found = _files.get(source)
    if found is not None:
        now = time.monotonic()
        if now - found.checked < _RECHECK:
            return found
        try:
            status = os.stat(source)
        except OSError:
            return None
        if (status.st_mtime_ns, status.st_size) == found.stamp:
            found.checked = now
            return found
    loaded = _load(source)
    if loaded is not None:
        _files[source] = loaded
    return loaded


def lookup(fn):
    """The transpiled code object of ``fn`` from an earlier run, or None."""
    with _lock:
        cached = _file(fn.__code__.co_filename)
        if cached is None:
            return None
        return cached.entries.get(_key(fn))


def store(fn, code) -> None:
    """Keep ``code`` (the transpiled ``fn``) for the next process."""
    global _flush_registered
    with _lock:
        cached = _file(fn.__code__.co_filename)
        if cached is None:
            return
        cached.entries[_key(fn)] = code
        cached.dirty = True
        if not _flush_registered:
            atexit.register(flush)
            _flush_registered = True


def flush() -> None:
    """Write what this process transpiled (at exit: one write per module)."""
    if sys.dont_write_bytecode:
        return
    with _lock:
        dirty = [(source, cached) for source, cached in _files.items() if cached.dirty]
        for source, cached in dirty:
            cached.dirty = False
            path = _cache_path(source)
            if path is None:
                continue
            try:
                data = _prefix() + cached.digest + marshal.dumps(cached.entries)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                temporary = f"{path}.{os.getpid()}.tmp"
                with open(temporary, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            except (OSError, ValueError):
                pass  # read-only tree, unmarshallable constant: work without a cache
