"""The unparser that writes built code: the same text on every supported Python,
and text that parses on the oldest one (3.10)."""
from __future__ import annotations

import ast
import json
import subprocess

import pytest

from conftest import REPO, run_python
from unparse_corpus import corpus
from desync.compiler.unparse import unparse
from desync.literals import printable, stable_repr

# Each line: source (valid on 3.10) -> what every version must write.
EXPECTED = [
    ("(a, b) = c", "a, b = c"),
    ("for (k, v) in d.items():\n    pass", "for k, v in d.items():\n    pass"),
    ("x = [k for (k, v) in d]", "x = [k for k, v in d]"),
    ("f = lambda: 1", "f = lambda: 1"),
    ("f'{d[\"k\"]}'", "f\"{d['k']}\""),
    ("f\"{len(pages):>4d} pages\"", "f'{len(pages):>4d} pages'"),
    ("f'{a!r:{w}} - {s}'", "f'{a!r:{w}} - {s}'"),
    ("f'''{x['a']} \"q\"'''", "f'''{x['a']} \"q\"'''"),
    ("f'{x=}'", "f'x={x!r}'"),
    ("y = (x := 1)", "y = (x := 1)"),
    ("s = 'caf\\xe9 \\U0001f600'", "s = 'café \\U0001f600'"),
]


@pytest.mark.parametrize("source, expected", EXPECTED)
def test_writes_one_text_whatever_the_python(source, expected):
    assert unparse(ast.parse(source)) == expected


def test_literals_keep_the_users_spelling_when_the_source_is_given():
    source = "x = f(0xFF, 'caf\u00e9', r'\\d+', \"q\", 1_000)\n"
    assert unparse(ast.parse(source), source.splitlines(True)) == source.strip()
    # Implicit concatenation is two tokens: written from the value instead.
    source = "x = ('a' 'b').upper()\n"
    assert unparse(ast.parse(source), source.splitlines(True)) == "x = 'ab'.upper()"


def test_stable_repr_is_repr_for_characters_every_unicode_table_agrees_on():
    agree = 0
    for code in [*range(0x3000), 0xfeff, 0xd800, 0x1f600, 0x10ffff]:
        char = chr(code)
        assert ast.literal_eval(stable_repr(char)) == char
        if printable(char) == char.isprintable():
            assert stable_repr(char) == repr(char), hex(code)
            agree += 1
    assert agree > 0x2000
    assert stable_repr("\U0001f600") == "'\\U0001f600'"   # emoji: Unicode 6.1, escaped
    assert stable_repr("it's") == '"it\'s"' and stable_repr("'\"") == "'\\'\"'"


SCRIPT = "import json, sys; sys.path.insert(0, 'tests'); from unparse_corpus import corpus; " \
         "print(json.dumps(corpus()))"


def test_every_python_writes_the_same_bytes_and_310_parses_them(interpreters):
    others = dict(interpreters)
    if len(others) < 2:
        pytest.skip("only one supported Python on this machine")
    outputs = {}
    for minor, python in sorted(others.items()):
        result = run_python(python, ["-c", SCRIPT], cwd=REPO)
        assert result.returncode == 0, (minor, result.stderr)
        outputs[minor] = json.loads(result.stdout)
    first = min(outputs)
    for minor, texts in outputs.items():
        differing = [name for name in texts if texts[name] != outputs[first][name]]
        assert differing == [], f"{minor} writes other text than {first} for {differing}"
    newest = outputs[max(outputs)]
    assert "f'{len(_ds.get(pages" not in newest["transpiled"]   # no PEP 701 quotes
    check = ("import ast, json, sys; texts = json.load(sys.stdin); "
             "[compile(t, n, 'exec') for n, t in texts.items()]; print('ok')")
    parsed = subprocess.run([others[min(others)], "-c", check], input=json.dumps(newest),
                            text=True, capture_output=True, timeout=120)
    assert parsed.stdout.strip() == "ok", parsed.stderr


def test_round_trip_keeps_the_tree():
    for name, text in corpus().items():
        if name == "transpiled":
            continue
        original = ast.parse((REPO / name).read_text(encoding="utf-8"))
        assert ast.dump(ast.parse(text)) == ast.dump(original), name
