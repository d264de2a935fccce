"""The import hook: modules that contain desync functions are transpiled as they
are imported, and the result cached as bytecode in ``__pycache__``.

A module whose source does not contain the word ``desync`` is handed straight to
Python's own loader (one substring search, no parsing). Transpiled bytecode is
cached under a desync-specific name, checked against the source's mtime and size
and then its content hash, and against desync's version and transpiler, so an
edit of either invalidates it; a read-only file system just means no cache, and
``-B``/``PYTHONDONTWRITEBYTECODE`` are honoured as by Python's loader.
"""
from __future__ import annotations

from ..errors import DesyncError

import hashlib
import importlib.machinery
import importlib.util
import io
import marshal
import os
import struct
import sys
import threading
import types

from ..fncache import desync_fingerprint  # noqa: F401 (used here, and named here by tests)

_MARKER = b"desync"
_HEADER = b"DSYB"
_lock = threading.Lock()


def cache_path(source_path: str) -> str:
    base = importlib.util.cache_from_source(source_path)
    return base[: -len(".pyc")] + ".desync.pyc"


def compile_transpiled(data: bytes, path: str):
    """Code for a module's source: transpiled if it has desync functions, else None."""
    from ..compiler import Module
    text = importlib.util.decode_source(data)
    try:
        module = Module(text, path)
    except DesyncError as error:
        if isinstance(error.__cause__, SyntaxError):
            # As Python's own loader: ``except SyntaxError`` around an import works.
            raise error.__cause__ from None
        raise
    if not module.all_desync_qualnames():
        return None
    return compile(module.transpile(), path, "exec", dont_inherit=True)


class DesyncLoader(importlib.machinery.SourceFileLoader):
    # Cache file: header, Python's magic, desync's fingerprint, the source's mtime
    # and size (the fast check, as Python's own .pyc), the source's content hash
    # (the exact check when the stat differs, e.g. after a checkout), then code.
    def get_code(self, fullname):
        path = self.get_filename(fullname)
        pyc = cache_path(path)
        try:
            status = os.stat(path)
            stamp = struct.pack("<qq", status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
        cached = _read_cache(pyc)
        if cached is not None and stamp is not None and cached[0] == stamp:
            code = _unmarshal(cached[2])
            if code is not None:
                return code
        data = self.get_data(path)
        if _MARKER not in data:
            return super().get_code(fullname)  # Python's own path and .pyc cache
        content = hashlib.blake2b(data, digest_size=16).digest()
        if cached is not None and cached[1] == content:
            code = _unmarshal(cached[2])
            if code is not None:
                return code
        code = compile_transpiled(data, path)
        if code is None:
            return super().get_code(fullname)
        if not sys.dont_write_bytecode and stamp is not None:  # -B, as Python's own loader
            _write_cache(pyc, stamp, content, code)
        return code


def _unmarshal(data: bytes):
    # A damaged cache file is a miss, whatever marshal makes of it (ValueError,
    # EOFError, SystemError...). Like Python's own .pyc, the file has no checksum:
    # damage that still reads as valid code is not detected (see docs/toolchain.md).
    try:
        code = marshal.loads(data)
    except Exception:
        return None
    return code if isinstance(code, types.CodeType) else None


def _prefix() -> bytes:
    return _HEADER + importlib.util.MAGIC_NUMBER.ljust(16) + desync_fingerprint()


def _read_cache(pyc: str):
    """(stamp, content hash, marshalled code) of a valid cache file, else None."""
    try:
        with io.open(pyc, "rb") as handle:
            cached = handle.read()
    except OSError:
        return None
    prefix = _prefix()
    start = len(prefix)
    if not cached.startswith(prefix) or len(cached) < start + 32:
        return None  # another desync or Python version, or a truncated file: a miss
    view = memoryview(cached)  # no copy of the code bytes before unmarshalling
    return cached[start:start + 16], cached[start + 16:start + 32], view[start + 32:]


def _write_cache(pyc: str, stamp: bytes, content: bytes, code) -> None:
    try:
        os.makedirs(os.path.dirname(pyc), exist_ok=True)
        temporary = f"{pyc}.{os.getpid()}.tmp"
        with io.open(temporary, "wb") as handle:
            handle.write(_prefix() + stamp + content + marshal.dumps(code))
        os.replace(temporary, pyc)
    except OSError:
        pass  # read-only tree: work without a cache


class DesyncFinder:
    """The installed hook. ``uninstall()`` removes it; as a context manager it is
    removed on exit (modules imported meanwhile stay as they were imported)."""
    # A meta path finder by protocol: subclassing importlib.abc.MetaPathFinder
    # would import typing, pathlib and more (15 ms) into every hooked process.

    def __init__(self, packages=None):
        self.packages = tuple(packages) if packages else None

    def uninstall(self) -> None:
        global _installed
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            if _installed is self:
                _installed = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.uninstall()
        return False

    def __repr__(self):
        state = "installed" if self in sys.meta_path else "uninstalled"
        return f"<desync import hook ({state}) for {list(self.packages) if self.packages else 'all modules'}>"

    def wants(self, fullname: str) -> bool:
        if fullname == "desync" or fullname.startswith("desync."):
            return False
        if self.packages is None:
            return True
        return any(fullname == p or fullname.startswith(p + ".") for p in self.packages)

    def find_spec(self, fullname, path=None, target=None):
        if not self.wants(fullname):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        spec.loader = DesyncLoader(spec.loader.name, spec.loader.path)
        return spec


_installed: DesyncFinder | None = None


def install_import_hook(packages=None) -> DesyncFinder:
    """Transpile desync modules as they are imported (all of them, or these packages).

    Returns the hook: ``hook.uninstall()``, or ``with install_import_hook(): ...``."""
    global _installed
    with _lock:
        if _installed in sys.meta_path:
            sys.meta_path.remove(_installed)
        if isinstance(packages, str):
            packages = [packages]
        _installed = DesyncFinder(packages)
        sys.meta_path.insert(0, _installed)
        return _installed


def uninstall_import_hook() -> None:
    hook = _installed
    if hook is not None:
        hook.uninstall()


class ScriptError(Exception):
    """The script cannot be compiled (a syntax error, code desync refuses): what
    ``desync run`` says in one line, where Python would say it too."""


def compile_script(data: bytes, path: str):
    try:
        code = compile_transpiled(data, path) if _MARKER in data else None
        if code is None:
            code = compile(data, path, "exec", dont_inherit=True)
    except DesyncError as error:
        raise ScriptError(str(error)) from None
    except (SyntaxError, UnicodeDecodeError) as error:
        where = f"{path}:{error.lineno}: " if getattr(error, "lineno", None) else f"{path}: "
        raise ScriptError(where + (getattr(error, "msg", None) or str(error))) from None
    return code


def run_script(path: str, argv: list[str]) -> None:
    """``python -m desync run SCRIPT``: like ``python SCRIPT`` with the hook on."""
    import types
    install_import_hook()
    path = os.path.abspath(path)
    with io.open(path, "rb") as handle:
        data = handle.read()
    code = compile_script(data, path)
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(path))
    exec(code, module.__dict__)
