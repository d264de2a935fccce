"""What tests/test_unparse.py has every supported Python unparse (no pytest here:
other interpreters import it bare)."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from desync.compiler import Module
from desync.compiler.emit import source_of
from desync.compiler.unparse import unparse

REPO = Path(__file__).resolve().parent.parent

TRICKY = textwrap.dedent('''
    import os
    from desync import desync

    @desync
    def report(paths, width=4):
        pages = [len(open(p).read()) for p in paths]
        total, *rest = pages
        label = f"{len(pages):>{width}d} pages, {paths[0]!r:^10} '{os.sep}'"
        for (i, page) in enumerate(pages):
            if (n := page) > 3:
                total += n
        match rest:
            case [first, *_] if first > 0:
                kind = "some"
            case {"k": v, **others}:
                kind = f'{v["x"]}'
            case _:
                kind = lambda: None
        return pages, f"{len(pages):>4d} pages", label, kind, "caf\u00e9 \U0001f600"
''')


def corpus() -> dict:
    """Unparsed text of desync's own sources, its tests and a transpiled module."""
    texts = {}
    for path in sorted([*REPO.glob("desync/**/*.py"), *REPO.glob("tests/*.py")]):
        source = path.read_text(encoding="utf-8")
        texts[path.relative_to(REPO).as_posix()] = unparse(ast.parse(source),
                                                           source.splitlines(True))
    texts["transpiled"] = source_of(Module(TRICKY, "tricky.py").transpile())
    return texts
