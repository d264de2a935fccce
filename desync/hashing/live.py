"""Hashes of live function objects, from their source files (or from what a build
embedded in their module, so built code never parses source).

``ast`` and the code hasher are imported only when a function has no embedded hash.
"""
from __future__ import annotations

import os
import threading

from ..errors import DesyncError
from .hashes import FunctionHash, hash64

_project_lock = threading.RLock()   # (reentrant: a finalizer run by the collector)
_hashers: dict = {}


def live_hasher(third_party: bool = True, source_roots=None):
    """One hasher per process and kind, over the modules on ``sys.path``.

    Versions use ``third_party=False`` and the project's source roots (as the
    lockfile does); the call cache's code keys count installed distributions too.
    """
    key = (third_party, None if source_roots is None else tuple(source_roots))
    with _project_lock:
        hasher = _hashers.get(key)
        if hasher is None:
            from .codehash import Hasher, Project
            hasher = _hashers[key] = Hasher(Project(source_roots=key[1]), third_party)
        return hasher


def module_name_for(fn) -> str:
    name = fn.__module__ or "__main__"
    if name == "__main__":
        path = fn.__code__.co_filename
        return os.path.splitext(os.path.basename(path))[0]
    return name


def function_hash(spec, source_roots=None) -> FunctionHash:
    """The FunctionHash (version hashes) of a desync function, from its source."""
    embedded = getattr(spec, "embedded_hash", None)
    if embedded is not None:
        return embedded
    fn = spec.fn
    built = fn.__globals__.get("__desync_hashes__")
    if built and spec.qualname in built:
        major, callees = built[spec.qualname][:2]
        return FunctionHash(major, tuple(tuple(c) for c in callees))
    hasher = live_hasher(third_party=False, source_roots=source_roots)
    original = getattr(fn, "__desync_original__", fn)
    path = original.__code__.co_filename
    source = None
    if spec.source_info is not None:
        source = spec.source_info[1].source
    module = hasher.project.load(module_name_for(fn), path, source)
    if module is None or spec.qualname not in module.defs:
        raise DesyncError(f"cannot read the source of '{spec.qualname}' to compute its version",
                          path, original.__code__.co_firstlineno, "source")
    return hasher.of(module, spec.qualname)


def transitive_code_hash(fn) -> int | None:
    """The transitive code hash of any plain function (a desync one or a callee),
    installed distributions' versions included: the call cache's code key."""
    spec = getattr(fn, "__desync_spec__", None)
    if spec is not None:
        built = fn.__globals__.get("__desync_code_hashes__")
        if built and spec.qualname in built:
            return built[spec.qualname]
        fn = getattr(fn, "__desync_original__", fn)
    if fn.__code__.co_name == "<lambda>":
        return None
    # The name its code was defined under: ``functools.wraps`` copies the wrapped
    # function's ``__qualname__`` onto a wrapper (3.10 has no co_qualname: a wrapper
    # whose code is named otherwise has no hash).
    qualname = getattr(fn.__code__, "co_qualname", None) or fn.__qualname__
    if qualname.rpartition(".")[2] != fn.__code__.co_name:
        return None
    hasher = live_hasher()
    source = spec.source_info[1].source if spec is not None and spec.source_info else None
    module = hasher.project.load(module_name_for(fn), fn.__code__.co_filename, source)
    if module is None or qualname not in module.defs:
        return None
    transitive = hasher.of(module, qualname).transitive
    if len(module.variants.get(qualname) or ()) > 1:
        # Several definitions of one name (a factory's branches, a def made again):
        # their hash covers them all, so the line of this one tells them apart.
        line = fn.__code__.co_firstlineno
        return hash64(b"variant:%d:%d" % (transitive, line))
    return transitive
