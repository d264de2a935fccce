"""The hash values shared by the code hasher, versions, the cache and built modules.

Kept apart from ``codehash`` (which parses source with ``ast``) so that code built
ahead of time can use the hashes embedded in it without loading any of that.
"""
from __future__ import annotations

import hashlib


def hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


class FunctionHash:
    """The hashes of one function: its own code, and each callee by name."""

    __slots__ = ("major", "callees")

    def __init__(self, major: int, callees: tuple):
        object.__setattr__(self, "major", major)
        object.__setattr__(self, "callees", callees)  # ((name, hash), ...) sorted by name

    def __setattr__(self, name, value):
        raise AttributeError("FunctionHash is immutable")

    def __eq__(self, other):
        return isinstance(other, FunctionHash) and \
            (self.major, self.callees) == (other.major, other.callees)

    def __hash__(self):
        return hash((self.major, self.callees))

    def __repr__(self):
        return f"FunctionHash(major={self.major!r}, callees={self.callees!r})"

    @property
    def minor(self) -> tuple:
        return tuple(h for _, h in self.callees)

    @property
    def transitive(self) -> int:
        data = b"%d" % self.major + b"".join(b",%d" % h for h in self.minor)
        return hash64(data)
