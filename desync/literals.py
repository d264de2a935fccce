"""Text forms of string literals that are the same on every Python version.

``repr(str)`` writes a character as is when ``str.isprintable()`` says so, and
that follows the running interpreter's Unicode database (3.10 has Unicode 13,
3.13 has 15.1): a character added in between is escaped by one and not by the
other. Generated code and code hashes must not depend on the interpreter, so
printability is decided here from ``unicodedata.ucd_3_2_0``, a frozen table that
every Python ships. Characters newer than Unicode 3.2 are escaped.

Standard library only: the compiler and the code hasher both use it.
"""
from __future__ import annotations

import unicodedata

_UCD = unicodedata.ucd_3_2_0
# Python's definition of printable, by general category (str.isprintable).
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Printable in Unicode 3.2, not since (SOFT HYPHEN became a format character in 4.0).
_NO_LONGER_PRINTABLE = frozenset("\xad")


def printable(char: str) -> bool:
    """``char.isprintable()``, by the same Unicode table on every Python."""
    if char < "\x7f":
        return char >= " "
    return _UCD.category(char) not in _UNPRINTABLE and char not in _NO_LONGER_PRINTABLE


def escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def stable_repr(value: str) -> str:
    """``repr(value)`` as Python writes it, with printability from the frozen table."""
    quote = '"' if "'" in value and '"' not in value else "'"
    out = [quote]
    for char in value:
        if char == quote:
            out.append("\\" + char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif printable(char):
            out.append(char)
        else:
            out.append(escape(char))
    out.append(quote)
    return "".join(out)
