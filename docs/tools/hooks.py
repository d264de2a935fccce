"""MkDocs hook: a page in docs/ that the nav does not list yet is still reachable.

Pages are added by several people at once; one that is not in ``nav`` (in
mkdocs.yml) is appended under "More", titled by its first heading, so it is in
the site's navigation the day it lands.
"""
from __future__ import annotations

import os


def _listed(items, out):
    for item in items or []:
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, dict):
            for value in item.values():
                if isinstance(value, str):
                    out.add(value)
                else:
                    _listed(value, out)
    return out


def _title(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("# "):
                return line[2:].strip().strip("`")
    return os.path.splitext(os.path.basename(path))[0]


def on_config(config, **kwargs):
    nav = config.get("nav")
    if not nav:
        return config
    listed = _listed(nav, set())
    docs = config["docs_dir"]
    extra = []
    for name in sorted(os.listdir(docs)):
        if name.endswith(".md") and name not in listed:
            extra.append({_title(os.path.join(docs, name)): name})
    if extra:
        nav.append({"More": extra})
    return config
