"""Hashing: stable hashes of function code, function versions' inputs, the lockfile model.

Used by versions (``desync.version``), the toolchain and the cache's code keys.
May import the standard library, ``desync.errors``, ``desync.literals`` and itself; never
the runtime or the toolchain.
"""
