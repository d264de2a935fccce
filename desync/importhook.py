"""The import hook: modules that contain desync functions are transpiled as they
are imported, and the result cached as bytecode in ``__pycache__``.

A module whose source does not contain the word ``desync`` is handed straight to
Python's own loader (one substring search, no parsing). Transpiled bytecode is
cached under a desync-specific name, keyed by the source's hash and desync's own
code, so an edit of either invalidates it; a read-only file system just means no
cache, and ``-B``/``PYTHONDONTWRITEBYTECODE`` are honoured as by Python's loader.
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import threading

_MARKER = b"desync"
_HEADER = b"DSYB"
_fingerprint = None
_lock = threading.Lock()


def desync_fingerprint() -> bytes:
    """Changes whenever desync's transpiler or runtime changes (a version bump or an edit)."""
    global _fingerprint
    if _fingerprint is None:
        from . import __version__
        digest = hashlib.blake2b(__version__.encode(), digest_size=16)
        package = os.path.dirname(os.path.abspath(__file__))
        for folder in ("compiler", "runtime", ""):
            directory = os.path.join(package, folder)
            for name in sorted(os.listdir(directory)):
                if name.endswith(".py"):
                    info = os.stat(os.path.join(directory, name))
                    digest.update(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns};".encode())
        _fingerprint = digest.digest()
    return _fingerprint


def cache_path(source_path: str) -> str:
    base = importlib.util.cache_from_source(source_path)
    return base[: -len(".pyc")] + ".desync.pyc"


def compile_transpiled(data: bytes, path: str):
    """Code for a module's source: transpiled if it has desync functions, else None."""
    from .compiler import Module
    text = importlib.util.decode_source(data)
    module = Module(text, path)
    if not module.all_desync_qualnames():
        return None
    return compile(module.transpile(), path, "exec", dont_inherit=True)


class DesyncLoader(importlib.machinery.SourceFileLoader):
    def get_code(self, fullname):
        path = self.get_filename(fullname)
        data = self.get_data(path)
        if _MARKER not in data:
            return super().get_code(fullname)  # Python's own path and .pyc cache
        key = hashlib.blake2b(data, digest_size=16, key=desync_fingerprint()).digest()
        pyc = cache_path(path)
        try:
            with open(pyc, "rb") as handle:
                cached = handle.read()
            if cached[:4] == _HEADER and cached[4:20] == importlib.util.MAGIC_NUMBER.ljust(16) \
                    and cached[20:36] == key:
                return marshal.loads(cached[36:])
        except (OSError, ValueError, EOFError):
            pass
        code = compile_transpiled(data, path)
        if code is None:
            return super().get_code(fullname)
        if sys.dont_write_bytecode:  # -B or PYTHONDONTWRITEBYTECODE, as Python's own loader
            return code
        try:
            os.makedirs(os.path.dirname(pyc), exist_ok=True)
            temporary = f"{pyc}.{os.getpid()}.tmp"
            with open(temporary, "wb") as handle:
                handle.write(_HEADER + importlib.util.MAGIC_NUMBER.ljust(16) + key +
                             marshal.dumps(code))
            os.replace(temporary, pyc)
        except OSError:
            pass  # read-only tree: work without a cache
        return code


class DesyncFinder(importlib.abc.MetaPathFinder):
    def __init__(self, packages=None):
        self.packages = tuple(packages) if packages else None

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
    """Transpile desync modules as they are imported (all of them, or these packages)."""
    global _installed
    with _lock:
        if _installed is not None:
            sys.meta_path.remove(_installed)
        if isinstance(packages, str):
            packages = [packages]
        _installed = DesyncFinder(packages)
        sys.meta_path.insert(0, _installed)
        return _installed


def uninstall_import_hook() -> None:
    global _installed
    with _lock:
        if _installed is not None:
            sys.meta_path.remove(_installed)
            _installed = None


def run_script(path: str, argv: list[str]) -> None:
    """``python -m desync run SCRIPT``: like ``python SCRIPT`` with the hook on."""
    import types
    install_import_hook()
    path = os.path.abspath(path)
    with open(path, "rb") as handle:
        data = handle.read()
    code = compile_transpiled(data, path) if _MARKER in data else None
    if code is None:
        code = compile(data, path, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(path))
    exec(code, module.__dict__)
