"""The exception a thread is handling (``sys.exception()``), swapped for a while.

Python links a new exception to the one being handled (``__context__``). Plain
Python runs every call of a desync body while the body's caller handles what it
handles; desync runs calls on worker threads and effects while retiring, maybe
inside an ``__exit__`` that handles another exception. Swapping the handled
exception for the right one keeps ``__context__`` exactly as plain Python sets
it. Only code that lets no exception escape may run swapped: an exception
leaving the ``with`` would restore the swapped value, not the real one.
``ctypes`` is loaded only the first time a swap is really needed.
"""
from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    handled_exception = sys.exception
else:  # pragma: no cover - 3.10
    def handled_exception():
        return sys.exc_info()[1]

_set = None


def _setter():
    global _set
    if _set is None:
        import ctypes
        api = ctypes.pythonapi
        if sys.version_info >= (3, 11):
            function = api.PyErr_SetHandledException
            function.argtypes = [ctypes.py_object]
            function.restype = None

            def set_handled(error):
                try:
                    function(error)
                except ctypes.ArgumentError as failed:
                    raise _as_raised(failed) from None
        else:  # pragma: no cover - 3.10
            function = api.PyErr_SetExcInfo
            function.argtypes = [ctypes.py_object, ctypes.py_object, ctypes.py_object]
            function.restype = None
            incref = api.Py_IncRef
            incref.argtypes = [ctypes.py_object]

            def set_handled(error):
                parts = (None, None, None) if error is None else \
                    (type(error), error, error.__traceback__)
                try:
                    for part in parts:  # PyErr_SetExcInfo steals a reference to each
                        incref(part)
                    function(*parts)
                except ctypes.ArgumentError as failed:
                    raise _as_raised(failed) from None
        _set = set_handled
    return _set


def _as_raised(failed):
    """ctypes reports an error converting an argument as ArgumentError: at the
    recursion limit (a recursive ``__repr__`` of the user's), the RecursionError
    Python would give."""
    if "RecursionError" in str(failed):
        return RecursionError("maximum recursion depth exceeded")
    return failed


def set_handled_traceback(error):
    """3.10: the exception being handled is ``error``, with its own traceback now
    (``sys.exc_info()`` keeps a copy, which a bare ``raise`` re-raises)."""
    _setter()(error)


class swapped_handled:
    """``with swapped_handled(error):`` makes ``error`` (or nothing) the exception
    being handled in this thread, then puts the previous one back."""

    __slots__ = ("want", "previous")

    def __init__(self, want):
        self.want = want

    def __enter__(self):
        previous = self.previous = handled_exception()
        if previous is not self.want:
            _setter()(self.want)
        return self

    def __exit__(self, *exc):
        if handled_exception() is not self.previous:
            _setter()(self.previous)
        return False
