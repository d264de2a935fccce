"""The hatchling build-hook plugin ``desync``: wheels ship desync functions transpiled.

    [build-system]
    requires = ["hatchling", "desync-transpiler"]
    build-backend = "hatchling.build"

    [tool.hatch.build.targets.wheel.hooks.desync]
    paths = ["src"]          # optional: else [tool.desync] paths
    strict-lock = true       # optional: a stale desync.lock fails the build

hatchling loads this module through the ``hatch`` entry-point group (the desync
distribution registers it), so nothing is copied into the project. Each module of
the wheel that has desync functions is replaced by its transpiled form, the bytes
``python -m desync build`` writes; other files, the sdist and editable installs
are left as they are.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

OPTIONS = {"paths": "list", "lockfile": "str", "strict-lock": "bool"}
TABLE = "[tool.hatch.build.targets.wheel.hooks.desync]"
# Options hatchling itself reads in every hook's table.
HATCHLING_OPTIONS = {"dependencies", "require-runtime-dependencies",
                     "require-runtime-features", "enable-by-default"}


class DesyncBuildHook(BuildHookInterface):
    PLUGIN_NAME = "desync"

    def initialize(self, version, build_data):
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install runs the source: the decorator transpiles it
        from . import check_options, missing_runtime, transpile_project
        pyproject = os.path.join(self.root, "pyproject.toml")
        options = {k: v for k, v in self.config.items() if k not in HATCHLING_OPTIONS}
        check_options(options, OPTIONS, TABLE, pyproject)
        result = transpile_project(
            self.root, paths=options.get("paths"), lockfile=options.get("lockfile"),
            strict=options.get("strict-lock"), paths_from=f"{TABLE} paths",
            where=f"{TABLE} strict-lock" if "strict-lock" in options
            else "[tool.desync] strict-lock")
        message = result.stale_message()
        if message is not None:
            self.app.display_warning(message)
        self._staging = tempfile.mkdtemp(prefix="desync-wheel-")
        placed = 0
        for included in self.build_config.builder.recurse_included_files():
            data = result.transpiled.get(os.path.realpath(included.path))
            if data is None:
                continue
            target = os.path.join(self._staging, included.distribution_path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
            # A forced inclusion takes the place of the project file at the same path.
            build_data["force_include"][target] = included.distribution_path
            placed += 1
        self.app.display_info(f"desync: {placed} transpiled module(s) in the wheel")
        missing = missing_runtime(self.metadata.core.dependencies) if placed else None
        if missing is not None:
            self.app.display_warning(missing)

    def finalize(self, version, build_data, artifact_path):
        staging = getattr(self, "_staging", None)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
            self._staging = None


@hookimpl
def hatch_register_build_hook():
    return DesyncBuildHook
