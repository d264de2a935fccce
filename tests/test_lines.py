"""Built modules keep the source's lines: a traceback from built code names the
line a traceback from the source names, and code outside desync functions is
copied as written."""
from __future__ import annotations

import ast
import json
import sys
import textwrap

import pytest

from conftest import run_python

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
        if result > limit:
            raise IndexError(
                limit,
            )
        return result


    class Service:

        @desync
        def handle(self, x):
            value = fine(x)
            if value > 2:
                raise ValueError(value)
            return value


    @desync
    def guarded(x):
        # A try statement needs lines the source does not have (the block that
        # collects its tasks; in an except clause, the locals it restores):
        # these comment lines and the blank lines below give them room.
        try:
            value = boom(x)


        except ValueError as error:


            raise KeyError(x) from error
        return value
''')

NAMES = ["simple", "direct", "documented", "looping", "nested", "multiline", "handle",
         "guarded"]
# (Every failure above is a callee's or a statement's: an expression evaluated
# in the calling thread or in a task, depending on timing, would give frames
# that differ from run to run, built or not.)

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
                           for f in frames if os.path.basename(f.filename) == "shapes.py"
                           or "desync" + os.sep + "runtime" in f.filename]
    print(json.dumps(lines))
''')


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("lines")
    (root / "src").mkdir()
    (root / "src" / "shapes.py").write_text(SHAPES)
    out = run_python(sys.executable, ["-m", "desync", "build", "src", "--out", "out"], cwd=root)
    assert out.returncode == 0, out.stderr
    return root


def tracebacks(root, folder):
    out = run_python(sys.executable, ["-c", RUN, *NAMES], cwd=root,
                     env={"PYTHONPATH": str(root / folder), "PYTHONDONTWRITEBYTECODE": "1"})
    assert out.returncode == 0, out.stderr
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


# -- the emitter against the lowering's contract, whatever the lowering does -----------------
# Statements the lowering keeps carry their source line; the compound statements it
# adds (the body's scope, a block inside a try) may have no line of their own, the
# line of their first statement, or their parent's.

CONTRACT = textwrap.dedent("""\
    import os


    def run(x):
        '''Docs.'''
        first = os.fspath(x)
        for item in first:

            try:
                value = len(item)
            except TypeError:
                value = 0

        if value:
            return value
        return first
""")


def fake_lowering(source, scope_line):
    tree = ast.parse(source)
    fn = tree.body[-1]
    # Every statement that runs (the docstring may move up with the def).
    user = {id(node) for node in ast.walk(fn) if isinstance(node, ast.stmt)} \
        - {id(fn), id(fn.body[0])}
    ds = ast.Name(id="_ds", ctx=ast.Load())

    def block(body):
        call = ast.Call(func=ast.Attribute(value=ds, attr="block", ctx=ast.Load()),
                        args=[], keywords=[])
        return ast.With(items=[ast.withitem(context_expr=call, optional_vars=None)],
                        body=body)

    for node in ast.walk(fn):
        if isinstance(node, ast.Try):
            node.body = [ast.copy_location(block(node.body), node.body[0])]
    scope_call = ast.Call(func=ast.Attribute(value=ast.Name(id="__desync_rt__", ctx=ast.Load()),
                                             attr="scope", ctx=ast.Load()),
                          args=[], keywords=[])
    scope = ast.With(items=[ast.withitem(context_expr=scope_call,
                                         optional_vars=ast.Name(id="_ds", ctx=ast.Store()))],
                     body=fn.body[1:])
    if scope_line == "first statement":
        ast.copy_location(scope, fn.body[1])
    elif scope_line == "def":
        ast.copy_location(scope, fn)
    fn.body = [fn.body[0], scope]
    runtime = ast.parse("import desync.runtime as __desync_rt__").body[0]
    tree.body.insert(0, ast.copy_location(runtime, tree.body[0]))
    return ast.fix_missing_locations(tree), user


@pytest.mark.parametrize("scope_line", ["first statement", "def", "none (parent's)"])
def test_each_statement_on_its_source_line_whatever_the_headers_carry(scope_line):
    from desync.compiler.emit import source_preserving_lines
    tree, user = fake_lowering(CONTRACT, scope_line)
    text = source_preserving_lines(CONTRACT, tree)
    assert text is not None
    written = ast.parse(text)
    moved = [(type(a).__name__, a.lineno, b.lineno)
             for a, b in zip(ast.walk(tree), ast.walk(written))
             if id(a) in user and a.lineno != b.lineno]
    assert moved == []
    lines = text.splitlines()
    assert lines[0] == "import desync.runtime as __desync_rt__; import os"
    assert lines[3] == "def run(x):" or lines[2] == "def run(x):"   # may move up one line


def test_without_a_free_line_statements_move_down_to_the_next_one():
    # A method right under its class line: the body's scope needs a line, none is
    # free before the first statement, so the body moves down one line, back in
    # place after the function (documented in docs/debugging.md).
    from desync.compiler import Module
    from desync.compiler.emit import source_preserving_lines
    source = textwrap.dedent("""\
        from desync import desync
        class Service:
            @desync
            def handle(self, x):
                value = len(x)
                if value > 2:
                    raise ValueError(value)
                return value

        AFTER = 1
    """)
    text = source_preserving_lines(source, Module(source, "m.py").transpile())
    lines = text.splitlines()
    assert lines[4].strip() == "with __desync_rt__.scope() as _ds:"
    assert lines[6].strip().startswith("if ")
    assert "raise ValueError(" in lines[7]                     # source line 7, built 8
    assert lines[9] == "AFTER = 1"                             # in place again
