"""``[tool.desync]`` in pyproject.toml: defaults that command-line flags override.

    [tool.desync]
    paths = ["src"]            # source roots to build and check
    out = "build/desync"       # output folder of the build
    lockfile = "desync.lock"   # relative to the project root
    exclude = ["tests/*"]      # glob patterns, relative to the project root
    cache-dir = ".desync-cache"
    cache-size = "1GB"
    executor = "threads"       # or "processes", or "mypkg.cluster:executor" (a factory)
    max-workers = 8            # workers of the threads or processes pool
    strict-lock = false        # packaging plugins: a stale lockfile fails the build
"""
from __future__ import annotations

import io
import os
import re
import sys

from ..errors import DesyncError

_LISTS = {"paths", "exclude"}
_STRINGS = {"out", "lockfile", "cache-dir"}
_BOOLS = {"strict-lock"}
_KEYS = _LISTS | _STRINGS | _BOOLS | {"cache-size", "executor", "max-workers"}
EXECUTOR_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


class Config:
    """The [tool.desync] settings of one project. (A plain class: dataclasses
    imports inspect and ast, and running built code reads this table.)"""

    def __init__(self, root: str, paths=None, out: str = "build/desync",
                 lockfile: str = "desync.lock", exclude=None, cache_dir: str | None = None,
                 cache_size: int | None = None, pyproject: str | None = None,
                 executor: str | None = None, max_workers: int | None = None,
                 strict_lock: bool = False):
        self.root = root
        self.paths = list(paths or [])
        self.out = out
        self.lockfile = lockfile
        self.exclude = list(exclude or [])
        self.cache_dir = cache_dir
        self.cache_size = cache_size
        self.pyproject = pyproject
        self.executor = executor        # None: threads, unless a function says otherwise
        self.max_workers = max_workers
        self.strict_lock = strict_lock
        self.paths_from = None   # where the paths come from, for error messages

    def __repr__(self):
        return f"Config(root={self.root!r}, paths={self.paths!r}, out={self.out!r})"

    def resolve(self, path: str) -> str:
        return path if os.path.isabs(path) else os.path.normpath(os.path.join(self.root, path))


def find_project_root(start: str | None = None) -> str | None:
    here = os.path.abspath(start or os.getcwd())
    while True:
        if os.path.isfile(os.path.join(here, "pyproject.toml")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    import tomli
    return tomli


def parse_size(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(value), re.IGNORECASE)
    if not match:
        raise ValueError(f"not a size: {value!r} (use bytes, or '500MB', '2GB')")
    number, unit = float(match.group(1)), match.group(2).upper()
    return int(number * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[unit])


def default_paths(root: str) -> list[str]:
    """``src`` when the project has one, else the project folder itself."""
    return ["src"] if os.path.isdir(os.path.join(root, "src")) else ["."]


def source_roots(config: Config, paths) -> list[str]:
    """The folder each source path's modules are named from, as ``import`` names
    them: a folder that is a package (has ``__init__.py``) is named from its parent,
    so ``build app/`` and ``check`` both call its module ``app.core``."""
    roots = []
    for given in paths:
        path = config.resolve(given)
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        while os.path.isfile(os.path.join(folder, "__init__.py")) \
                and os.path.dirname(folder) != folder:
            folder = os.path.dirname(folder)
        if folder not in roots:
            roots.append(folder)
    return roots


def load_config(start: str | None = None) -> Config:
    root = find_project_root(start)
    if root is None:
        # No pyproject.toml: the same defaults as with one, from the current folder.
        here = os.path.abspath(start or os.getcwd())
        return Config(root=here, paths=default_paths(here))
    path = os.path.join(root, "pyproject.toml")
    try:
        with io.open(path, "rb") as handle:
            data = _toml().load(handle)
    except (OSError, ValueError) as error:
        raise DesyncError(f"cannot read [tool.desync]: {error}", path) from error
    tool = data.get("tool", {})
    table = tool.get("desync", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise DesyncError("[tool.desync] must be a table (`[tool.desync]` and its keys), "
                          f"not {table if table is not None else tool!r}", path)
    unknown = set(table) - _KEYS
    if unknown:
        raise DesyncError(f"unknown key(s) in [tool.desync]: {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_KEYS))})", path)
    for key in _LISTS & set(table):
        if not (isinstance(table[key], list) and all(isinstance(v, str) for v in table[key])):
            raise DesyncError(f"[tool.desync] {key} must be a list of strings, "
                              f"not {table[key]!r}", path)
    for key in _STRINGS & set(table):
        if not isinstance(table[key], str):
            raise DesyncError(f"[tool.desync] {key} must be a string, not {table[key]!r}", path)
    for key in _BOOLS & set(table):
        if not isinstance(table[key], bool):
            raise DesyncError(f"[tool.desync] {key} must be true or false, "
                              f"not {table[key]!r}", path)
    config = Config(root=root, pyproject=path)
    config.executor = check_executor(table.get("executor"), "[tool.desync] executor", path)
    config.max_workers = check_max_workers(table.get("max-workers"),
                                           "[tool.desync] max-workers", path)
    if config.max_workers is not None and config.executor not in (None, "threads", "processes"):
        raise DesyncError("[tool.desync] max-workers sizes the 'threads' or 'processes' pool; "
                          f"the factory {config.executor!r} sizes its own executor "
                          "(remove one of the two)", path)
    config.strict_lock = table.get("strict-lock", False)
    config.paths = list(table.get("paths", default_paths(root)))
    config.paths_from = "[tool.desync] paths" if "paths" in table else None
    config.out = table.get("out", config.out)
    config.lockfile = table.get("lockfile", config.lockfile)
    config.exclude = list(table.get("exclude", []))
    cache_dir = table.get("cache-dir")
    config.cache_dir = config.resolve(cache_dir) if cache_dir else None
    if "cache-size" in table:
        try:
            config.cache_size = parse_size(table["cache-size"])
        except ValueError as error:
            raise DesyncError(f"[tool.desync] cache-size: {error}", path) from None
    return config


def check_executor(value, where: str, path: str | None):
    """``"threads"``, ``"processes"``, ``"module:attribute"`` or None, else a DesyncError
    naming the file and key."""
    if value is None or value in ("threads", "processes"):
        return value
    if isinstance(value, str) and EXECUTOR_PATH.fullmatch(value):
        return value
    raise DesyncError(f"{where} must be \"threads\", \"processes\" or the import path of an "
                      f"executor factory such as \"mypkg.cluster:executor\", not {value!r}", path)


def check_max_workers(value, where: str, path: str | None):
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise DesyncError(f"{where} must be a positive whole number, not {value!r}", path)
