"""A persistent store of cache entries: one file per entry, shared by processes.

- Writes are atomic (temporary file in the same folder, then ``os.replace``), so a
  crash or a concurrent writer never leaves a half-written entry under a real name.
- Every entry carries a checksum of its key and payload; a damaged or truncated
  entry, or one copied under another entry's name, is a miss, and is removed.
- The folder is private (0700), entries 0600, and entries are only read from a
  folder the current user owns and nobody else can write: they are pickles.
- The total size stays within ``max_bytes``: least recently used entries go first
  (a hit refreshes the entry's modification time).
- Layout: ``<folder>/<code hash>/<input hash>``, so entries of code that no longer
  exists can be pruned by folder.
"""
from __future__ import annotations

import hashlib
import io
import os
import stat
import tempfile

MAGIC = b"DSYC2\n"   # (1: a checksum of the payload alone)
_CHECK = 8
DEFAULT_MAX_BYTES = 1 << 30


class UnsafeStore(Exception):
    """The folder is not private to the current user: its pickles are not loaded."""


_HEX = frozenset("0123456789abcdef")


def _is_hex(name: str, length: int) -> bool:
    return len(name) == length and _HEX.issuperset(name)


def _checksum(code_hash: int, inputs: bytes, payload: bytes) -> bytes:
    check = hashlib.blake2b(b"%016x:" % code_hash + inputs, digest_size=_CHECK)
    check.update(payload)
    return check.digest()


class DiskStore:
    def __init__(self, directory, max_bytes: int = DEFAULT_MAX_BYTES):
        self.directory = os.path.abspath(os.fspath(directory))
        self.max_bytes = int(max_bytes)
        self._written_since_scan = 0
        self._checked = False

    def __reduce__(self):
        return (DiskStore, (self.directory, self.max_bytes))

    # -- safety ---------------------------------------------------------------------
    def _ensure(self):
        if self._checked:
            return
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        info = os.stat(self.directory)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise UnsafeStore(f"cache folder {self.directory} belongs to another user; "
                              "desync does not load pickles from it")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise UnsafeStore(f"cache folder {self.directory} is writable by other users; "
                              "desync does not load pickles from it (chmod 700 it)")
        self._checked = True

    def _path(self, code_hash: int, inputs: bytes) -> str:
        return os.path.join(self.directory, f"{code_hash:016x}", inputs.hex())

    # -- entries --------------------------------------------------------------------
    def get(self, code_hash: int, inputs: bytes) -> bytes | None:
        self._ensure()
        path = self._path(code_hash, inputs)
        try:
            with io.open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        header = len(MAGIC) + _CHECK
        if len(data) < header or not data.startswith(MAGIC) \
                or _checksum(code_hash, inputs, data[header:]) != data[len(MAGIC):header]:
            self._remove(path)  # damaged: a miss, and gone
            return None
        try:
            os.utime(path)  # least recently *used* goes first
        except OSError:
            pass
        return data[header:]

    def put(self, code_hash: int, inputs: bytes, payload: bytes) -> None:
        self._ensure()
        path = self._path(code_hash, inputs)
        folder = os.path.dirname(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + _checksum(code_hash, inputs, payload) + payload)
            os.replace(temporary, path)
        except BaseException:
            self._remove(temporary)
            raise
        self._written_since_scan += len(payload) + len(MAGIC) + _CHECK
        if self._written_since_scan > max(self.max_bytes // 16, 1 << 16) \
                or self._written_since_scan > self.max_bytes:
            self.evict()

    def discard(self, code_hash: int, inputs: bytes) -> None:
        self._remove(self._path(code_hash, inputs))

    @staticmethod
    def _remove(path):
        try:
            os.unlink(path)
        except OSError:
            pass

    # -- the whole store -------------------------------------------------------------
    def entries(self):
        """[(path, code hash hex, size, mtime)] of every entry."""
        found = []
        try:
            folders = list(os.scandir(self.directory))
        except OSError:
            return found
        for folder in folders:
            # Only what desync writes: a folder per code hash (16 hex digits), a file per
            # entry (32). ``cache clear --dir`` pointed at another folder touches nothing.
            if not _is_hex(folder.name, 16) or not folder.is_dir(follow_symlinks=False):
                continue
            try:
                files = list(os.scandir(folder.path))
            except OSError:
                continue
            for entry in files:
                if not _is_hex(entry.name, 32):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found.append((entry.path, folder.name, info.st_size, info.st_mtime))
        return found

    def evict(self) -> int:
        """Drop least recently used entries until the store is within 90% of its bound."""
        self._written_since_scan = 0
        entries = self.entries()
        total = sum(size for _, _, size, _ in entries)
        if total <= self.max_bytes:
            return 0
        removed = 0
        target = int(self.max_bytes * 0.9)
        for path, _, size, _ in sorted(entries, key=lambda e: e[3]):
            if total <= target:
                break
            self._remove(path)
            total -= size
            removed += 1
        return removed

    def info(self) -> dict:
        entries = self.entries()
        per_code: dict[str, int] = {}
        code_bytes: dict[str, int] = {}
        for _, code, size, _ in entries:
            per_code[code] = per_code.get(code, 0) + 1
            code_bytes[code] = code_bytes.get(code, 0) + size
        return {"directory": self.directory, "entries": len(entries),
                "bytes": sum(e[2] for e in entries), "max_bytes": self.max_bytes,
                "code_hashes": per_code, "code_bytes": code_bytes}

    def clear(self) -> int:
        entries = self.entries()
        for path, _, _, _ in entries:
            self._remove(path)
        self._remove_empty_folders()
        return len(entries)

    def prune(self, live_code_hashes) -> int:
        """Drop entries whose code hash is not among the live ones."""
        live = {f"{h:016x}" for h in live_code_hashes}
        removed = 0
        for path, code, _, _ in self.entries():
            if code not in live:
                self._remove(path)
                removed += 1
        self._remove_empty_folders()
        return removed

    def _remove_empty_folders(self):
        try:
            for folder in os.scandir(self.directory):
                if _is_hex(folder.name, 16) and folder.is_dir(follow_symlinks=False):
                    try:
                        os.rmdir(folder.path)
                    except OSError:
                        pass
        except OSError:
            pass
