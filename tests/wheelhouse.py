"""A local wheel folder for isolated builds, made without the network.

An isolated ``python -m build`` installs the project's build requirements into a
fresh environment. The tests point it at a folder of wheels (``PIP_NO_INDEX=1``,
``PIP_FIND_LINKS``), so nothing is fetched. That folder holds:

- the desync wheel, built from this checkout (``pip wheel --no-build-isolation``:
  hatchling is in the test extra);
- wheels of the build backends and of desync's own dependencies *repacked from
  the installed distributions* of this environment: a wheel's files are exactly
  what its ``RECORD`` lists under site-packages, so zipping them again (with a
  fresh ``RECORD``) gives an installable wheel of the same version. This works
  offline and in CI (the install step of CI brings the backends: hatchling,
  setuptools and build are in the test extra), where downloading at test time
  would need the network.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

SKIPPED = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_line(name: str, data: bytes) -> list:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def write_wheel(path: Path, files: dict, dist_info: str) -> Path:
    """A wheel at ``path`` holding ``files`` ({archive name: bytes}) and a RECORD."""
    rows = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
            rows.append(_record_line(name, data))
        record = f"{dist_info}/RECORD"
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerows(rows + [[record, "", ""]])
        archive.writestr(record, text.getvalue())
    return path


def simple_wheel(folder: Path, name: str, version: str, modules: dict) -> Path:
    """A pure-Python wheel of ``modules`` ({path in the wheel: source text})."""
    dist_info = f"{_normal(name)}-{version}.dist-info"
    files = {path: text.encode() for path, text in modules.items()}
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\n"
                                      f"Version: {version}\n").encode()
    files[f"{dist_info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: desync-tests\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    return write_wheel(folder / f"{_normal(name)}-{version}-py3-none-any.whl", files, dist_info)


def _tags(wheel_text: str) -> str:
    tags = [line.split(":", 1)[1].strip() for line in wheel_text.splitlines()
            if line.startswith("Tag:")]
    parts = [[], [], []]
    for tag in tags:
        for index, part in enumerate(tag.split("-")):
            if part not in parts[index]:
                parts[index].append(part)
    return "-".join(".".join(p) for p in parts)


def repack(name: str, folder: Path) -> Path:
    """A wheel of the installed distribution ``name``, from its installed files."""
    dist = metadata.distribution(name)
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        raise ValueError(f"{name} is an editable install: build its wheel instead")
    wheel_text = dist.read_text("WHEEL")
    if not wheel_text:
        raise ValueError(f"{name} was not installed from a wheel (no WHEEL file)")
    files = {}
    dist_info = None
    for entry in dist.files or ():
        posix = entry.as_posix()
        parts = posix.split("/")
        if parts[0] == ".." or "__pycache__" in parts or posix.endswith(".pyc"):
            continue  # scripts (made again from entry points) and bytecode
        if parts[0].endswith(".dist-info"):
            dist_info = parts[0]
            if parts[-1] in SKIPPED:
                continue
        files[posix] = Path(dist.locate_file(entry)).read_bytes()
    version = dist.version
    path = folder / f"{_normal(dist.metadata['Name'])}-{version}-{_tags(wheel_text)}.whl"
    return write_wheel(path, files, dist_info)


def requirement_closure(names) -> list:
    """The installed distributions ``names`` need, themselves included (markers
    evaluated for this interpreter, extras left out)."""
    environment = default_environment()
    environment["extra"] = ""
    seen, order, todo = set(), [], list(names)
    while todo:
        name = todo.pop()
        key = _normal(name)
        if key in seen:
            continue
        seen.add(key)
        order.append(name)
        for text in metadata.distribution(name).requires or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                todo.append(requirement.name)
    return order


def build_wheelhouse(folder: Path, repo: Path, backends=("hatchling", "setuptools")) -> Path:
    """The desync wheel of this checkout, and wheels of the backends and of what
    desync needs at run time, all in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation",
                             "--no-deps", "-q", str(repo), "-w", str(folder)],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"building the desync wheel failed:\n{result.stderr}")
    desync = next(folder.glob("desync_transpiler-*.whl"))
    with zipfile.ZipFile(desync) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(meta).decode()
    environment = default_environment()
    environment["extra"] = ""
    runtime = [Requirement(line.split(":", 1)[1].strip()) for line in text.splitlines()
               if line.startswith("Requires-Dist:")]
    needed = [r.name for r in runtime if r.marker is None or r.marker.evaluate(environment)]
    for name in requirement_closure(list(backends) + needed):
        if _normal(name) == "desync_transpiler":
            continue
        repack(name, folder)
    return folder


def offline_env(wheelhouse: Path, **extra) -> dict:
    """The environment of a build or install that may use ``wheelhouse`` only."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("PIP_"):
            del env[key]
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse),
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_CONFIG_FILE=os.devnull)
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env
