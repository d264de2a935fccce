"""Errors that desync raises on purpose."""
from __future__ import annotations


class DesyncError(Exception):
    """A construct desync cannot transpile, or a misuse of the API.

    Always names the file, line and construct, so the user can find it.
    """

    def __init__(self, message: str, filename: str | None = None, lineno: int | None = None,
                 construct: str | None = None):
        self.filename = filename
        self.lineno = lineno
        self.construct = construct
        where = ""
        if filename is not None:
            where = f"{filename}:{lineno}: " if lineno is not None else f"{filename}: "
        super().__init__(f"{where}{message}")
