"""A hatchling build hook: wheels ship desync functions already transpiled.

In your project's ``pyproject.toml``::

    [tool.hatch.build.targets.wheel.hooks.custom]
    path = "build_hooks/hatch_desync.py"     # this file, copied into your project
    dependencies = ["desync"]

When a wheel is built, the hook transpiles the sources named by ``[tool.desync]``
(the same transpiler as ``python -m desync build``) and puts each transpiled
module in the wheel in place of its source, so importing the installed package
never transpiles anything. Modules without desync functions, and the sdist, are
left as they are. The lockfile is read, never written: a build that packages
code whose versions differ from ``desync.lock`` prints a warning, or fails when
``DESYNC_STRICT_LOCK=1`` (for release pipelines).
"""
from __future__ import annotations

import os

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class DesyncBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        from desync.toolchain.build import Builder
        from desync.toolchain.config import load_config
        config = load_config(self.root)
        builder = Builder(config)
        staged, entries, changes = builder.run()
        if changes:
            lines = "\n  ".join(changes)
            message = f"desync: {builder.lockfile} is stale; `python -m desync build` " \
                      f"would change:\n  {lines}"
            if os.environ.get("DESYNC_STRICT_LOCK") == "1":
                raise RuntimeError(message)
            self.app.display_warning(message)
        out = os.path.join(self.directory, ".desync-wheel")
        transpiled = 0
        for rel, data in sorted(staged.items()):
            if rel not in builder.transpiled:
                continue
            target = os.path.join(out, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
            # force_include wins over the source file at the same wheel path.
            build_data["force_include"][target] = rel.replace(os.sep, "/")
            transpiled += 1
        self.app.display_info(f"desync: {transpiled} transpiled module(s) in the wheel")
