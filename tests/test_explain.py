"""`desync explain`: an accurate account, per statement, of what overlaps and what waits."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from desync.compiler.explain import explain_source

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def explain(body: str, name="f") -> str:
    source = ("import time\nfrom desync import desync\n\n@desync\n"
              + textwrap.dedent(body).strip("\n") + "\n")
    return explain_source(source, "example.py", name)


def lines_of(text: str) -> dict:
    """Source line text -> the notes under it."""
    out, current = {}, None
    for line in text.splitlines():
        if line.startswith("    ") and not line.startswith("        "):
            current = line.split(None, 1)[1]
            out[current] = []
        elif line.startswith("        ") and current is not None:
            out[current].append(line.strip())
    return out


def test_a_fan_out_loop_overlaps_its_calls_and_orders_its_appends():
    notes = lines_of(explain("""
        def f(urls):
            pages = []
            for url in urls:
                pages.append(fetch(url))
            return pages
    """))
    assert any("fetch(...)` starts as soon as" in n for n in notes["pages.append(fetch(url))"])
    assert any("in program order if it changes `pages`" in n
               for n in notes["pages.append(fetch(url))"])
    assert any("waits for every call" in n for n in notes["return pages"])


def test_effects_waits_and_sync_points_are_named():
    text = explain("""
        def f(path, xs):
            t0 = time.perf_counter()
            with open(path) as fh:
                data = fh.read()
            if data:
                print(data)
            total = sum(x for x in xs)
            lazy = (g(x) for x in xs)
            return consume(lazy), total, t0
    """)
    notes = lines_of(text)
    assert any("in program order: it reads the clock" in n
               for n in notes["t0 = time.perf_counter()"])
    assert any("entered after everything before it" in n for n in notes["with open(path) as fh:"])
    assert any("needs `data` now" in n for n in notes["if data:"])
    assert any("in program order: it prints" in n for n in notes["print(data)"])
    assert any("consumed lazily" in n for n in notes["lazy = (g(x) for x in xs)"])
    assert "sync points on line(s)" in text


def test_per_item_try_overlaps_and_calls_start_ahead():
    notes = lines_of(explain("""
        def f(xs):
            out = []
            for x in xs:
                try:
                    out.append(parse(x))
                except ValueError:
                    out.append(None)
            return out
    """))
    assert any("iterations overlap" in n for n in notes["try:"])
    assert any("parse(...)` starts ahead" in n for n in notes["out.append(parse(x))"])


def test_cache_decisions_are_shown_per_call():
    notes = lines_of(explain("""
        def f(x):
            a = helper(x)
            b = time.time()
            return a, b
    """))
    assert any("may be answered by the cache" in n for n in notes["a = helper(x)"])
    assert any("not cached: it reads the clock" in n for n in notes["b = time.time()"])


@pytest.mark.parametrize("example", sorted(os.listdir(os.path.join(ROOT, "examples"))))
def test_every_example_explains(example):
    path = os.path.join(ROOT, "examples", example)
    result = subprocess.run([sys.executable, "-m", "desync", "explain", path],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "call site(s) can overlap" in result.stdout
    assert "\033[" not in result.stdout  # piped: plain text


def test_colours_only_when_asked_and_a_missing_function_is_a_clear_error():
    source = "from desync import desync\n@desync\ndef f(x):\n    return g(x)\n"
    assert "\033[" in explain_source(source, "m.py", color=True)
    assert "\033[" not in explain_source(source, "m.py")
    with pytest.raises(LookupError, match="no function 'h'.*desync functions: f"):
        explain_source(source, "m.py", "h")
    result = subprocess.run([sys.executable, "-m", "desync", "explain",
                             os.path.join(ROOT, "examples", "seed.py") + ":nope"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "no function 'nope'" in result.stderr


def test_build_explain_accounts_for_every_built_function(tmp_path):
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "__init__.py").write_text("")
    (tmp_path / "src" / "app" / "jobs.py").write_text(textwrap.dedent("""
        from desync import desync

        def fetch(u):
            return u

        @desync
        def crawl(urls):
            return [fetch(u) for u in urls]

        @desync
        def other(x):
            return fetch(x)
    """))
    result = subprocess.run([sys.executable, "-m", "desync", "build", "--explain", "-q"],
                            capture_output=True, text=True, cwd=tmp_path,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr
    assert "crawl  (jobs.py:" in result.stdout and "other  (jobs.py:" in result.stdout
    assert "comprehension: every element's calls start together" in result.stdout


def test_a_file_without_desync_functions_says_so(tmp_path):
    # (it printed nothing, which reads as "nothing waits")
    plain = tmp_path / "plain.py"
    plain.write_text("def f(x):\n    return x\n")
    result = subprocess.run([sys.executable, "-m", "desync", "explain", str(plain)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "no @desync functions in" in result.stderr
    named = subprocess.run([sys.executable, "-m", "desync", "explain", f"{plain}:f"],
                           capture_output=True, text=True, cwd=ROOT)
    assert named.returncode == 0 and "f  (plain.py:1)" in named.stdout
