"""Packaging plugins: wheels that ship desync functions already transpiled.

- ``hatch``: a hatchling build-hook plugin (entry point ``desync`` in the ``hatch``
  group), configured in ``[tool.hatch.build.targets.wheel.hooks.desync]``.
- ``setuptools``: a ``build_py`` command that transpiles
  (``[tool.setuptools.cmdclass] build_py = "desync.toolchain.plugins.setuptools.build_py"``),
  and a file finder that puts the lockfile in the sdist.

Both run the build of ``python -m desync build`` (same bytes) and read the lockfile,
never write it. The lockfile depends only on the project's own source, so the check
gives the same answer in an isolated build environment, where the project's
third-party dependencies are not installed. This module imports only the toolchain;
the backends' own modules are imported by the plugin modules beside it.
"""
from __future__ import annotations

import os

from ...errors import DesyncError

STRICT_ENV = "DESYNC_STRICT_LOCK"


class PackagedBuild:
    """What a plugin puts in a wheel: {absolute source path: transpiled bytes}, and
    the lockfile lines that differ (empty when the lockfile is up to date)."""

    def __init__(self, transpiled: dict, changes: list, lockfile: str, strict: bool):
        self.transpiled = transpiled
        self.changes = changes
        self.lockfile = lockfile
        self.strict = strict

    def stale_message(self) -> str | None:
        if not self.changes:
            return None
        lines = "\n  ".join(self.changes)
        return (f"desync: {self.lockfile} is stale; `python -m desync build` would change:"
                f"\n  {lines}\n(commit the lockfile that `python -m desync build` writes)")


DISTRIBUTION = "desync-transpiler"


def missing_runtime(requirements) -> str | None:
    """A warning when a wheel with transpiled modules does not depend on desync
    (its modules import ``desync.runtime``), else None."""
    import re
    names = {re.sub(r"[-_.]+", "-", re.split(r"[\s\[<>=!~;@(]", str(r).strip(), 1)[0]).lower()
             for r in requirements or ()}
    if DISTRIBUTION in names:
        return None
    return (f"desync: the wheel's transpiled modules import desync.runtime, but the project "
            f"does not depend on {DISTRIBUTION}: add \"{DISTRIBUTION}\" to [project] "
            "dependencies")


def strict_from_env(default: bool) -> bool:
    """``DESYNC_STRICT_LOCK=1`` makes a stale lockfile fail the build; ``=0`` only warn."""
    value = os.environ.get(STRICT_ENV, "").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    return default


def transpile_project(root: str, paths=None, lockfile: str | None = None,
                      strict: bool | None = None, paths_from: str | None = None,
                      where: str | None = None) -> PackagedBuild:
    """Transpile the project at ``root`` as ``python -m desync build`` would, and check
    its lockfile. ``paths``/``lockfile``/``strict``: a plugin's own options, which win
    over ``[tool.desync]``; ``paths_from`` names where ``paths`` came from in errors.

    Raises DesyncError for a source that does not parse or transpile, and for a stale
    lockfile when strict."""
    from ..build import Builder, collect
    from ..config import load_config
    config = load_config(root)
    if paths is not None:
        config.paths = list(paths)
        config.paths_from = paths_from
    if lockfile is not None:
        config.lockfile = lockfile
    if strict is None:
        strict = config.strict_lock
    strict = strict_from_env(strict)
    builder = Builder(config)
    staged, entries, changes = builder.run()
    if not os.path.isfile(builder.lockfile):
        if entries:
            changes = [f"{builder.lockfile} does not exist: {len(entries)} desync "
                       "function(s) have no recorded version"]
    elif not changes and builder.read_lockfile() != entries:
        changes = [f"{builder.lockfile} differs from what the build writes"]
    sources = {source.rel: source.path
               for source in collect(config, builder.paths, builder.out)}
    transpiled = {os.path.realpath(sources[rel]): staged[rel]
                  for rel in sorted(builder.transpiled)}
    result = PackagedBuild(transpiled, changes, builder.lockfile, strict)
    message = result.stale_message()
    if message is not None and strict:
        raise DesyncError(message + f"\n(strict: {where or 'strict-lock'}; "
                          f"{STRICT_ENV}=0 only warns)", config.pyproject)
    return result


def check_options(options: dict, known: dict, where: str, path: str | None) -> dict:
    """A plugin's option table: unknown keys and wrong types are errors naming it."""
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise DesyncError(f"unknown option(s) in {where}: {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(known))})", path)
    for key, kind in known.items():
        if key not in options:
            continue
        value = options[key]
        if kind == "list":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            text = "a list of strings"
        elif kind == "bool":
            ok, text = isinstance(value, bool), "true or false"
        else:
            ok, text = isinstance(value, str), "a string"
        if not ok:
            raise DesyncError(f"{where} {key} must be {text}, not {value!r}", path)
    return options
