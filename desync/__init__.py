"""desync: run the statements of a function concurrently where data allows.

    from desync import desync

    @desync
    def outer():
        inner()
        inner()   # runs together with the first call

Importing this package loads only the decorator and the small runtime; the
transpiler is imported the first time a function needs transpiling.
"""
from __future__ import annotations

import contextlib

from .decorator import desync
from .errors import DesyncError
from .runtime import is_enabled, set_enabled
from .runtime.cache import CallCache, cacheable, nocache

__version__ = "0.1.0"


def disable() -> None:
    """Run every desync function sequentially, in program order (like ``DESYNC_DISABLE=1``)."""
    set_enabled(False)


def enable() -> None:
    set_enabled(True)


def install_import_hook(packages=None):
    """Transpile modules with desync functions as they are imported (bytecode cached).

    Returns the hook: ``hook.uninstall()`` removes it, and ``with
    desync.install_import_hook(): import app`` removes it on exit."""
    from .toolchain.importhook import install_import_hook as install
    return install(packages)


def tracing(path=None):
    """``with desync.tracing("trace.json") as recorder:`` records every task of every
    desync call made inside (like ``DESYNC_TRACE=trace.json``) and writes the
    timeline, in the Trace Event Format, on exit; ``recorder.trace()`` is the
    document itself. ``path=None`` writes nothing."""
    from .runtime.trace import tracing as _tracing
    return _tracing(path)


@contextlib.contextmanager
def sequential():
    """``with desync.sequential():`` runs desync functions in program order, for debugging."""
    previous = is_enabled()
    set_enabled(False)
    try:
        yield
    finally:
        set_enabled(previous)


__all__ = ["desync", "DesyncError", "nocache", "cacheable", "CallCache", "install_import_hook", "disable", "enable", "sequential", "tracing", "is_enabled",
           "__version__"]
