"""The setuptools integration: a ``build_py`` that puts transpiled modules in wheels.

    [build-system]
    requires = ["setuptools>=64", "desync-transpiler"]
    build-backend = "setuptools.build_meta"

    [tool.setuptools.cmdclass]
    build_py = "desync.toolchain.plugins.setuptools.build_py"

    [tool.desync]
    paths = ["src"]
    strict-lock = true       # optional: a stale desync.lock fails the build

``build_py`` copies modules as setuptools does, then writes over each module that
has desync functions its transpiled form (the bytes ``python -m desync build``
writes). Editable installs are left alone: there the decorator transpiles.

``find_files`` is registered in the ``setuptools.file_finders`` entry-point group:
for a project with a ``[tool.desync]`` table it adds the lockfile to the sdist, so
a wheel built from the sdist (``python -m build`` does that) can check it.
"""
from __future__ import annotations

import os
import sys

from setuptools.command.build_py import build_py as _build_py


class build_py(_build_py):
    """setuptools' ``build_py``, writing desync modules in their transpiled form."""

    _desync_result = None

    def _desync_build(self):
        if self._desync_result is None:
            from . import transpile_project
            root = os.path.abspath(self.distribution.src_root or os.curdir)
            result = transpile_project(root, where="[tool.desync] strict-lock")
            message = result.stale_message()
            if message is not None:
                sys.stderr.write(f"warning: {message}\n")
            self._desync_result = result
        return self._desync_result

    def _desync_active(self) -> bool:
        return not getattr(self, "editable_mode", False)

    def run(self):
        if self._desync_active():
            self._desync_build()  # fails early: a broken source, a stale lockfile if strict
        super().run()
        if self._desync_active():
            from . import missing_runtime
            count = getattr(self, "_desync_written", 0)
            self.announce(f"desync: {count} transpiled module(s)", level=2)
            missing = missing_runtime(self.distribution.install_requires) if count else None
            if missing is not None:
                sys.stderr.write(f"warning: {missing}\n")

    def build_module(self, module, module_file, package):
        outfile, copied = super().build_module(module, module_file, package)
        if self._desync_active():
            data = self._desync_build().transpiled.get(os.path.realpath(module_file))
            if data is not None:
                with open(outfile, "rb") as handle:
                    current = handle.read()
                if current != data:
                    with open(outfile, "wb") as handle:
                        handle.write(data)
                self._desync_written = getattr(self, "_desync_written", 0) + 1
        return outfile, copied


def find_files(dirname: str = "") -> list:
    """The lockfile of a project with a ``[tool.desync]`` table, for its sdist; else
    nothing (setuptools asks every registered finder, for every project)."""
    root = os.path.abspath(dirname or os.curdir)
    try:
        from ..config import _toml
        with open(os.path.join(root, "pyproject.toml"), "rb") as handle:
            table = _toml().load(handle).get("tool", {}).get("desync")
        if not isinstance(table, dict):
            return []
        lockfile = table.get("lockfile", "desync.lock")
        if not isinstance(lockfile, str) or os.path.isabs(lockfile):
            return []
        path = os.path.normpath(os.path.join(root, lockfile))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            return []
    except Exception:  # an unreadable pyproject.toml is the backend's to report
        return []
    return [os.path.join(dirname, os.path.relpath(path, root))]
