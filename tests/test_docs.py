"""The documentation site: every link and picture stays inside the project, and
(when the docs extra is installed) `mkdocs build --strict` passes. CI builds the
site strict in any case (.ci/run)."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)   # (``table[k](x)`` in code is no link)


def _pages():
    return sorted(p for p in DOCS.glob("*.md"))


def test_links_and_pictures_point_inside_the_docs():
    bad = []
    for page in _pages():
        for target in LINK.findall(CODE.sub("", page.read_text(encoding="utf-8"))):
            if target.startswith("#"):
                continue
            path = target.split("#")[0]
            if re.match(r"[a-z][a-z0-9+.-]*:", path) or path.startswith(("/", "..")):
                bad.append(f"{page.name}: {target}")
            elif not (DOCS / path).is_file():
                bad.append(f"{page.name}: {target} (no such file)")
    assert bad == []


def test_every_picture_is_used_and_self_contained():
    used = "".join(p.read_text(encoding="utf-8") for p in _pages())
    for picture in (DOCS / "pictures").glob("*.svg"):
        assert f"pictures/{picture.name}" in used, f"{picture.name} is on no page"
        text = picture.read_text(encoding="utf-8")
        # The SVG namespace and Graphviz's DTD are names, not downloads.
        loaded = re.findall(r"""(?:href|src)\s*=\s*["']([^"'#][^"']*)""", text)
        assert loaded == [], f"{picture.name} loads {loaded}"


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None
                    or importlib.util.find_spec("material") is None,
                    reason="the docs extra is not installed (CI builds the site anyway)")
def test_the_site_builds_strict(tmp_path):
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                          "--site-dir", str(tmp_path / "site")], cwd=REPO, capture_output=True,
                         text=True, timeout=300,
                         env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "site" / "api" / "index.html").is_file()
