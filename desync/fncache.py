"""Transpiled functions of the decorator alone, cached on disk next to Python's
own bytecode (``__pycache__/<module>.<tag>.desync-fn.pyc``).

The import hook caches whole modules; a module imported without it still has
its ``@desync`` functions transpiled one by one at import. After the first run
the code objects come from here, without parsing or transpiling anything:
importing costs about what a plain import costs. An entry is used only if the
source (its mtime and size, else its bytes), the Python version and desync's
transpiler are the ones it was made from; a damaged file is a miss. ``-B``/``PYTHONDONTWRITEBYTECODE`` are
honoured as by Python's loader.
"""
from __future__ import annotations

import atexit
import hashlib
import io
import marshal
import os
import struct
import sys
import threading
import time
import types
# The import system's own module: always loaded (``importlib`` itself may not be).
from _frozen_importlib_external import MAGIC_NUMBER, cache_from_source

_HEADER = b"DSYF"
_DIGEST = 16                     # bytes of the source's digest
_STAMP = struct.Struct("<qqq")   # the source's mtime, ctime (ns) and size
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

# The source files the generated code depends on: the transpiler and the tables it
# reads. Named rather than listed from the folder (a listing costs more than the
# stats); tests/test_fncache.py keeps this equal to what the compiler imports.
TRANSPILER_FILES = (
    "compiler/__init__.py", "compiler/analyse.py", "compiler/callees.py",
    "compiler/emit.py", "compiler/explain.py", "compiler/graph.py", "compiler/lines.py",
    "compiler/lower.py", "compiler/parse.py", "compiler/unparse.py",
    "literals.py", "runtime/effects.py", "runtime/pacing.py", "runtime/qualnames.py",
)


def desync_fingerprint() -> bytes:
    """Changes whenever the code desync generates may change: a new version, or an
    edit of the transpiler (``TRANSPILER_FILES``) in a development checkout. The rest
    of the runtime is not part of it: generated code only names its public calls,
    which change only with a version. Stat-based: a few syscalls per process."""
    global _fingerprint
    if _fingerprint is None:
        from . import __version__
        package = os.path.dirname(os.path.abspath(__file__))
        stamps = [__version__]
        for name in TRANSPILER_FILES:
            try:
                info = os.stat(os.path.join(package, name))
                stamps.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
            except OSError:
                stamps.append(f"{name}:missing")
        _fingerprint = hashlib.blake2b(";".join(stamps).encode(), digest_size=16).digest()
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
    # Checked as Python checks its own .pyc, by the source's stamp (mtime and size, in
    # ns where Python uses seconds; ctime too, which tar and cp -p cannot set back), so
    # a hit reads nothing but the cache file; a stamp that differs (a touch, a
    # checkout, a copied tree) falls back to the source's digest.
    try:
        status = os.stat(source)
    except OSError:
        return None
    stamp = (status.st_mtime_ns, status.st_ctime_ns, status.st_size)
    cached = b""
    path = _cache_path(source)
    if path is not None:
        try:
            with io.open(path, "rb") as handle:
                cached = handle.read()
        except OSError:
            pass
    prefix = _prefix()
    start = len(prefix) + _DIGEST + _STAMP.size
    valid = cached.startswith(prefix) and len(cached) > start
    if valid and _STAMP.unpack_from(cached, len(prefix) + _DIGEST) == stamp:
        digest = cached[len(prefix):len(prefix) + _DIGEST]
        restamp = False
    else:
        digest = _digest_of(source)
        if digest is None:
            return None
        valid = valid and cached[len(prefix):len(prefix) + _DIGEST] == digest
        restamp = valid   # same source, new stamp: write it, so the next run skips this
    entries = {}
    if valid:
        try:
            loaded = marshal.loads(memoryview(cached)[start:])
        except Exception:   # damaged (ValueError, EOFError, SystemError...): a miss
            loaded = None
        if isinstance(loaded, dict) and all(
                isinstance(code, types.CodeType) for code in loaded.values()):
            entries = loaded
    found = _File(stamp, digest, entries)
    if restamp and entries:
        _mark_dirty(found)
    return found


def _digest_of(source: str):
    try:
        with io.open(source, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=_DIGEST).digest()
    except OSError:
        return None


def _file(source: str, fresh: bool = False, exact: bool = False):
    """The entries of ``source``; ``fresh``: its stamp checked now (not once in 2 s);
    ``exact``: its content too (edits within one tick of the clock keep the stamp)."""
    found = _files.get(source)
    if found is not None:
        now = time.monotonic()
        if now - found.checked < _RECHECK and not fresh and not exact:
            return found
        try:
            status = os.stat(source)
        except OSError:
            return None
        if (status.st_mtime_ns, status.st_ctime_ns, status.st_size) == found.stamp \
                and (not exact or _digest_of(source) == found.digest):
            found.checked = now
            return found
    loaded = _load(source)
    if loaded is not None:
        _files[source] = loaded
    return loaded


_served: dict = {}   # source path -> {key of an entry: the original code it was last given}


def lookup(fn):
    """The transpiled code object of ``fn`` from an earlier run, or None."""
    code = fn.__code__
    filename = code.co_filename
    key = (fn.__qualname__, code.co_firstlineno, code.co_freevars)
    with _lock:
        # The same def met again with other code: the module was run again (a reload,
        # an exec), maybe after an edit: the file is checked now, content included.
        served = _served.get(filename)
        if served is None:
            served = _served[filename] = {}
        before = served.get(key)
        served[key] = code
        cached = _file(filename, exact=before is not None and before is not code)
        if cached is None:
            return None
        return cached.entries.get(key)


def store(fn, code, source_digest=None) -> None:
    """Keep ``code`` (the transpiled ``fn``) for the next process, if it was made from
    the text the file holds now (``source_digest``, of the text transpiled: a process
    that outlived an edit transpiles the old text it has, which must not be kept
    under the new file's digest)."""
    filename = fn.__code__.co_filename
    if source_digest is not None and source_digest != _text_digest(filename):
        return
    with _lock:
        cached = _file(filename, fresh=True)
        if cached is None:
            return
        cached.entries[_key(fn)] = code
        _mark_dirty(cached)


def _text_digest(filename: str):
    """Digest of the file's text as ``linecache`` reads it (what the decorator
    transpiles): decoded by its coding cookie, with universal newlines."""
    import tokenize   # (loaded already: the decorator's transpiling path uses linecache)
    try:
        with tokenize.open(filename) as handle:
            text = handle.read()
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _sharing_equal_parts(entries: dict) -> dict:
    """``entries`` with equal line tables, name tuples and string constants made one
    object, as Python's compiler does within a module: marshal then writes each once.
    Functions transpiled one by one share nothing otherwise; for a module of
    similar functions the file shrinks by a third and loads twice as fast."""
    seen: dict = {}

    def share(value):
        # Keyed by exact types: (0,) == (False,), and both must survive as they are.
        if type(value) is bytes or type(value) is str or (
                type(value) is tuple and all(type(item) is str for item in value)):
            return seen.setdefault((type(value), value), value)
        return value

    def rebuilt(code):
        parts = {"co_consts": tuple(rebuilt(item) if isinstance(item, types.CodeType)
                                    else share(item) for item in code.co_consts),
                 "co_names": share(code.co_names),
                 "co_varnames": share(code.co_varnames),
                 "co_linetable": share(code.co_linetable)}
        if hasattr(code, "co_exceptiontable"):   # 3.11+
            parts["co_exceptiontable"] = share(code.co_exceptiontable)
        return code.replace(**parts)

    return {key: rebuilt(code) for key, code in entries.items()}


def _mark_dirty(cached) -> None:
    global _flush_registered
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
                data = (_prefix() + cached.digest + _STAMP.pack(*cached.stamp)
                        + marshal.dumps(_sharing_equal_parts(cached.entries)))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                temporary = f"{path}.{os.getpid()}.tmp"
                with io.open(temporary, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            except (OSError, ValueError):
                pass  # read-only tree, unmarshallable constant: work without a cache
