"""Built modules keep the source's lines: a traceback from built code names the
line a traceback from the source names, and code outside desync functions is
copied as written."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap

import pytest

from desync.compiler import Module
from desync.compiler.emit import source_preserving_lines

SHAPES = textwrap.dedent('''
    """Shapes of desync functions, each failing in its own way."""
    from desync import desync


    def boom(x):
        raise ValueError(x)


    def fine(x):
        return x


    @desync
    def simple(x):
        value = boom(x)
        return value + 1


    @desync
    def direct(x):
        first = fine(x)
        second = fine(first)
        if second > 2:
            raise KeyError(second)
        return second


    @desync
    def documented(x):
        """A docstring.

        Over several lines.
        """
        # A comment block
        # before the first statement.
        first = fine(x)

        second = fine(first)   # a trailing comment
        assert second < 0, "positive"
        return second


    @desync
    def looping(items):
        total = []
        for item in items:
            total.append(fine(item))
            if len(total) > 1:
                raise IndexError(len(total))
        return total


    @desync
    def nested(x):
        def helper(y):
            # a plain function: copied as written
            return boom(y)
        return helper(x)


    @desync
    def multiline(x):
        result = fine(
            x,
        )
        limit = fine(2)
        return result[
            limit
        ]


    class Service:
        @desync
        def handle(self, x):
            value = fine(x)
            return value.missing


    @desync
    def guarded(x):
        # A try block needs two lines the source does not have (the block
        # that collects its tasks, and the re-raise of an upstream failure):
        # this comment and the blank line below give them room.
        try:
            value = boom(x)

        except ValueError as error:
            raise KeyError(x) from error
        return value
''')

NAMES = ["simple", "direct", "documented", "looping", "nested", "multiline", "handle",
         "guarded"]

RUN = textwrap.dedent('''
    import json, os, sys, traceback
    import shapes
    lines = {}
    for name in sys.argv[1:]:
        fn = shapes.Service().handle if name == "handle" else getattr(shapes, name)
        try:
            fn([1, 2] if name == "looping" else 3)
        except Exception as error:
            frames = traceback.extract_tb(error.__traceback__)
            lines[name] = [(f.name, f.lineno, "desync" + os.sep + "runtime" in f.filename)
                           for f in frames if os.path.basename(f.filename) in
                           ("shapes.py", "engine.py")]
    print(json.dumps(lines))
''')


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("lines")
    (root / "src").mkdir()
    (root / "src" / "shapes.py").write_text(SHAPES)
    out = subprocess.run([sys.executable, "-m", "desync", "build", "src", "--out", "out"],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return root


def tracebacks(root, folder):
    env = dict(os.environ, PYTHONPATH=str(root / folder), PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-c", RUN, *NAMES], cwd=root, capture_output=True,
                         text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    import json
    return json.loads(out.stdout)


def user_frames(frames):
    """(function, line) of each frame in shapes.py; a desync body's frame where a
    task's error surfaces (its scope's exit, followed by a runtime frame) is
    marked: that `with` has no line of its own in the source."""
    out = []
    for index, (name, line, runtime) in enumerate(frames):
        if runtime:
            continue
        at_scope_exit = index + 1 < len(frames) and frames[index + 1][2]
        out.append((name, "scope exit" if at_scope_exit else line))
    return out


def test_built_code_raises_on_the_source_lines(built):
    from_source = tracebacks(built, "src")
    from_build = tracebacks(built, "out")
    assert set(from_source) == set(NAMES)
    raised_in_body = 0
    for name in NAMES:
        assert user_frames(from_build[name]) == user_frames(from_source[name]), name
        raised_in_body += ("scope exit" not in dict(user_frames(from_source[name])).values())
    assert raised_in_body >= 5   # most shapes raise from the body itself


def test_code_outside_desync_functions_is_copied_as_written(built):
    source = (built / "src" / "shapes.py").read_text().splitlines()
    output = (built / "out" / "shapes.py").read_text().splitlines()
    tree = ast.parse("\n".join(source))
    desync_lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            desync_lines.update(range(node.decorator_list[0].lineno - 1, node.end_lineno + 2))
    runtime = "; import desync.runtime as __desync_rt__"   # joined to the docstring
    for number, line in enumerate(source, start=1):
        if number not in desync_lines and line.strip():
            assert output[number - 1] in (line, line + runtime), number
