"""Qualified names of the functions a code object makes, moved under another name:
code compiled apart from where it stands (a decorator's transpiled function, a try
statement run as a step) makes functions named as plain Python names them."""
from __future__ import annotations

from types import CodeType


def requalified(consts, old, new, anywhere=False):
    """``consts`` with the qualified names of the code objects in them (and, for
    3.10, the qualified-name strings) that start with ``old`` (or hold it, with
    ``anywhere``) moved under ``new``."""
    def under(name):
        return old in name if anywhere else name.startswith(old)

    def moved(value):
        if type(value) is str and under(value):
            return value.replace(old, new, 1)
        if type(value) is CodeType:
            parts = {"co_consts": tuple(moved(item) for item in value.co_consts)}
            qualname = getattr(value, "co_qualname", None)
            if qualname is not None and under(qualname):
                parts["co_qualname"] = qualname.replace(old, new, 1)
            return value.replace(**parts)
        return value
    return tuple(moved(item) for item in consts)
