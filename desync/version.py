"""Versions of desync functions: ``major.minor`` from hashes of their code.

- Own code changed since the base version: ``major + 1``, ``minor = 0``.
- Else a callee's code changed: ``minor + 1``.
- Else the base version stands.
"""
from __future__ import annotations

import os
import threading

_MAX64 = 2 ** 64


def _check_hash(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value < _MAX64:
        raise ValueError(f"{what} must be a 64-bit unsigned int, not {value}")


class Version:
    """An immutable, hashable version: ``str(v)`` is ``"major.minor"``.

    Equal when all four fields are equal; ordered by ``(major_version, minor_version)``.
    """

    __slots__ = ("major_hash", "minor_hash", "major_version", "minor_version")

    def __init__(self, major_hash: int, minor_hash, major_version: int = 1,
                 minor_version: int = 0):
        _check_hash(major_hash, "major_hash")
        if isinstance(minor_hash, list):
            minor_hash = tuple(minor_hash)
        elif not isinstance(minor_hash, tuple):
            raise TypeError(f"minor_hash must be a tuple of ints, not {type(minor_hash).__name__}")
        for index, value in enumerate(minor_hash):
            _check_hash(value, f"minor_hash[{index}]")
        for name, value in (("major_version", major_version), ("minor_version", minor_version)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"{name} must not be negative, not {value}")
        set_ = object.__setattr__
        set_(self, "major_hash", major_hash)
        set_(self, "minor_hash", minor_hash)
        set_(self, "major_version", major_version)
        set_(self, "minor_version", minor_version)

    def __setattr__(self, name, value):
        raise AttributeError("Version is immutable")

    def __delattr__(self, name):
        raise AttributeError("Version is immutable")

    def _fields(self):
        return (self.major_hash, self.minor_hash, self.major_version, self.minor_version)

    def __eq__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __reduce__(self):
        return (Version, self._fields())

    def __str__(self):
        return f"{self.major_version}.{self.minor_version}"

    def __repr__(self):
        return (f"Version({self.major_version}.{self.minor_version}, "
                f"major_hash={self.major_hash:#018x}, minor_hash=("
                + ", ".join(f"{h:#018x}" for h in self.minor_hash) + "))")

    def _key(self):
        return (self.major_version, self.minor_version)

    def __lt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() >= other._key()

    def bump_from(self, base: "Version") -> "Version":
        """This version's hashes, numbered relative to a saved base."""
        if not isinstance(base, Version):
            raise TypeError(f"set_version() takes a Version, not {type(base).__name__}")
        if base.major_hash != self.major_hash:
            return Version(self.major_hash, self.minor_hash, base.major_version + 1, 0)
        if base.minor_hash != self.minor_hash:
            return Version(self.major_hash, self.minor_hash, base.major_version,
                           base.minor_version + 1)
        return base


def function_hash(spec):
    from .hashing.live import function_hash as compute
    return compute(spec, _source_roots(spec))


def _source_roots(spec):
    """The source folders of the function's project (as the build sees them), so
    run-time versions count the same code as the lockfile; None outside a project."""
    roots = getattr(spec, "_source_roots", False)
    if roots is False:
        roots = None
        if getattr(spec, "embedded_hash", None) is None \
                and "__desync_hashes__" not in spec.fn.__globals__:
            try:
                from .toolchain.config import find_project_root, load_config, source_roots
                original = getattr(spec.fn, "__desync_original__", spec.fn)
                root = find_project_root(os.path.dirname(os.path.abspath(
                    original.__code__.co_filename)))
                if root is not None:
                    config = load_config(root)
                    roots = source_roots(config, config.paths)
            except Exception:  # a broken pyproject.toml must never break get_version()
                roots = None
        spec._source_roots = roots
    return roots


def _current_version(spec) -> Version:
    hashes = function_hash(spec)
    return Version(hashes.major, hashes.minor)


def version_of(spec) -> Version:
    """The function's version: 1.0 when fresh, or as set by set_version()/the lockfile."""
    if spec._version is not None:
        return spec._version
    version = _current_version(spec)
    recorded = _lockfile_version(spec, version)
    return recorded if recorded is not None else version


def set_version_of(spec, base: Version) -> Version:
    """Number the function's version relative to a saved base version."""
    version = spec._version = _current_version(spec).bump_from(base)
    return version


def callees_of(spec):
    """((callee name, hash), ...): what minor_hash is made of, in order."""
    return function_hash(spec).callees


def _lockfile_version(spec, version):
    """The version the project's lockfile records, if its hashes match this code."""
    built = spec.fn.__globals__.get("__desync_hashes__")
    if built and spec.qualname in built and len(built[spec.qualname]) > 2:
        # Built code carries its lockfile version: no lockfile to find and parse.
        major, minor = built[spec.qualname][2].split(".")
        return Version(version.major_hash, version.minor_hash, int(major), int(minor))
    try:
        entry = _lockfile_entry(spec)
    except Exception:  # a damaged lockfile must never break get_version()
        return None
    if entry is None or entry.major_hash != version.major_hash \
            or tuple(h for _, h in entry.callees) != version.minor_hash:
        return None
    return Version(entry.major_hash, tuple(h for _, h in entry.callees),
                   entry.major_version, entry.minor_version)


_cache_lock = threading.Lock()
_read_cache: dict = {}   # lockfile path -> (mtime, entries)


def _lockfile_entry(spec):
    """The lockfile entry of this function, from the lockfile of its project."""
    from .hashing import lockfile
    from .toolchain.config import find_project_root, load_config
    original = getattr(spec.fn, "__desync_original__", spec.fn)
    source_file = original.__code__.co_filename
    root = find_project_root(os.path.dirname(os.path.abspath(source_file)))
    if root is None:
        return None
    config = load_config(root)
    path = config.resolve(config.lockfile)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return None
    with _cache_lock:
        cached = _read_cache.get(path)
    if cached is not None and cached[0] == mtime:
        entries = cached[1]
    else:
        entries = lockfile.read(path)
        with _cache_lock:
            _read_cache[path] = (mtime, entries)
    module = spec.fn.__module__
    if module == "__main__":
        module = os.path.splitext(os.path.basename(source_file))[0]
    return entries.get(f"{module}.{spec.qualname}")
