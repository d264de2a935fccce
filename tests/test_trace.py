"""Task timelines: DESYNC_TRACE / `desync run --trace` write Trace Event JSON, and
`desync trace --html` draws it in one self-contained page."""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import desync
from desync import runtime
from desync.runtime import trace
from desync.toolchain import timeline

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def _events(document, cat=None):
    return [e for e in document["traceEvents"] if e.get("ph") == "X"
            and (cat is None or cat in e.get("cat", "").split(","))]


def _check_trace_event_format(document):
    """What the format requires of the events we write (Perfetto and Chrome open it)."""
    assert isinstance(document, dict) and isinstance(document["traceEvents"], list)
    json.dumps(document)   # plain JSON through and through
    for event in document["traceEvents"]:
        assert event["ph"] in ("X", "M", "i")
        assert isinstance(event["name"], str)
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int)
        if event["ph"] == "X":
            assert isinstance(event["ts"], (int, float)) and event["ts"] >= 0
            assert isinstance(event["dur"], (int, float)) and event["dur"] >= 0
            assert isinstance(event.get("cat"), str)
        if event["ph"] == "M":
            assert event["name"] in ("process_name", "process_sort_index", "thread_name",
                                     "thread_sort_index")


def _body_lines(path: Path, function: str, needle: str) -> list[int]:
    lines = path.read_text().splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith(f"def {function}("))
    out = []
    for number in range(start + 1, len(lines)):
        text = lines[number]
        if text and not text.startswith((" ", "\t")):
            break
        if needle in text:
            out.append(number + 1)
    return out


@pytest.fixture(scope="module")
def seed_trace(tmp_path_factory):
    """The seed example (README), run as a user runs it, with DESYNC_TRACE set."""
    folder = tmp_path_factory.mktemp("seed")
    path = folder / "trace.json"
    env = dict(os.environ, DESYNC_EXAMPLE_SCALE="0.1", DESYNC_TRACE=str(path))
    out = subprocess.run([sys.executable, str(EXAMPLES / "seed.py")], capture_output=True,
                         text=True, timeout=60, env=env, cwd=folder)
    assert out.returncode == 0, out.stderr
    return json.loads(path.read_text())


def test_the_seed_trace_shows_the_two_inner_calls_overlapping_on_two_threads(seed_trace):
    _check_trace_event_format(seed_trace)
    inner = [e for e in _events(seed_trace, "desync.task") if e["name"] == "inner"]
    assert len(inner) == 2, inner
    first, second = sorted(inner, key=lambda e: e["args"]["line"])
    # Both run at once (0.2 s each at this scale) ...
    assert first["ts"] < second["ts"] + second["dur"] and second["ts"] < first["ts"] + first["dur"]
    overlap = min(first["ts"] + first["dur"], second["ts"] + second["dur"]) - max(
        first["ts"], second["ts"])
    assert overlap > 0.5 * min(first["dur"], second["dur"])
    # ... on two threads ...
    assert first["tid"] != second["tid"]
    # ... each named by the user's file and line in outer().
    assert [first["args"]["line"], second["args"]["line"]] == _body_lines(
        EXAMPLES / "seed.py", "outer", "inner()")
    for event in inner:
        assert Path(event["args"]["file"]) == EXAMPLES / "seed.py"
        assert event["args"]["function"] == "outer"
        assert event["args"]["source"] == "inner()"
        assert event["args"]["outcome"] == "ok"
    # The call itself, on the calling thread, holds both; the thread is named.
    [call] = [e for e in _events(seed_trace, "desync.call") if e["name"] == "outer"]
    assert call["ts"] <= min(e["ts"] for e in inner)
    assert call["ts"] + call["dur"] >= max(e["ts"] + e["dur"] for e in inner) - 1
    names = {e["tid"]: e["args"]["name"] for e in seed_trace["traceEvents"]
             if e.get("name") == "thread_name"}
    assert "calling thread" in names[call["tid"]]
    assert first["tid"] in names and second["tid"] in names
    # The calling thread's wait for them is there too, saying what it waited on.
    waits = [e for e in _events(seed_trace, "desync.wait") if e["tid"] == call["tid"]]
    assert waits and any("end of the call" in e["args"]["on"] for e in waits)


def test_the_html_timeline_is_self_contained_and_names_every_task(seed_trace, tmp_path):
    source = tmp_path / "trace.json"
    source.write_text(json.dumps(seed_trace))
    out = tmp_path / "timeline.html"
    result = subprocess.run([sys.executable, "-m", "desync", "trace", str(source), "--html",
                             str(out)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    # Nothing is loaded from anywhere: no URL of any scheme, no external src/href.
    assert not re.search(r"[a-zA-Z][a-zA-Z0-9+.-]*://", page), "a URL in the page"
    assert not re.search(r"""\b(src|href)\s*=""", page, re.I)
    assert "@import" not in page and "url(" not in page.replace("url(#desync-hatch)", "")
    assert page.count("<script") == page.count("<script>")   # inline scripts only
    # Every task is named on the page, with its line.
    tasks = _events(seed_trace, "desync.task") + _events(seed_trace, "desync.effect")
    assert tasks
    for event in tasks:
        assert html.escape(event["name"]) in page
        assert f'{html.escape(event["name"])} :{event["args"]["line"]}' in page
    assert page.count('class="bar task"') + page.count('class="bar hit"') >= 2


def test_desync_run_trace_writes_the_file(tmp_path):
    path = tmp_path / "t.json"
    env = dict(os.environ, DESYNC_EXAMPLE_SCALE="0.05")
    env.pop("DESYNC_TRACE", None)
    out = subprocess.run([sys.executable, "-m", "desync", "run", "--trace", str(path),
                          str(EXAMPLES / "fetch_pages.py")], capture_output=True, text=True,
                         timeout=60, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "traced to" in out.stderr
    document = json.loads(path.read_text())
    _check_trace_event_format(document)
    fetches = [e for e in _events(document, "desync.task") if e["name"] == "fetch"]
    assert len(fetches) == 10
    assert len({e["tid"] for e in fetches}) > 1
    appends = [e for e in _events(document, "desync.effect") if e["name"] == "list.append"]
    # Effects retire in program order, on the calling thread.
    assert [e["args"]["step"] for e in appends] == sorted(e["args"]["step"] for e in appends)
    assert len({e["tid"] for e in appends}) == 1
    summary = subprocess.run([sys.executable, "-m", "desync", "trace", str(path)],
                             capture_output=True, text=True, timeout=60)
    assert summary.returncode == 0 and "crawl#1" in summary.stdout


def _module(tmp_path, name, source):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    sys.path.insert(0, str(tmp_path))
    try:
        import importlib
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_tracing_is_off_unless_asked_and_stop_restores_the_plain_classes(tmp_path):
    assert runtime._Body is runtime.Body
    assert runtime._Sequential is runtime.SequentialBody
    with desync.tracing() as recorder:
        assert runtime._Body is trace.TracingBody
    assert runtime._Body is runtime.Body and runtime._Sequential is runtime.SequentialBody
    assert recorder.trace()["traceEvents"] == []


def test_cache_hits_failures_and_waits_are_marked(tmp_path):
    mod = _module(tmp_path, "traced_cache_mod", """
        import time
        from desync import desync

        def inner(value):
            time.sleep(0.02)
            return value + 1

        def boom(value):
            raise ValueError(value)

        @desync
        def outer(value):
            return inner(inner(value))

        @desync(cache=False)
        def failing(value):
            a = inner(value)
            b = boom(a)
            return b
    """)
    with desync.tracing(tmp_path / "t.json") as recorder:
        assert mod.outer(0) == 2
        assert mod.outer(0) == 2          # both calls answered by the cache now
        with pytest.raises(ValueError):
            mod.failing(1)
    document = json.loads((tmp_path / "t.json").read_text())
    _check_trace_event_format(document)
    assert document == json.loads(json.dumps(recorder.trace()))
    inner = [e for e in _events(document, "desync.task") if e["name"] == "inner"]
    calls = {e["args"]["call"] for e in inner}
    assert len(calls) == 3
    first, second = sorted(c for c in calls if c.startswith("outer"))
    assert [e["args"]["cache"] for e in inner if e["args"]["call"] == first] == ["miss", "miss"]
    assert [e["args"]["cache"] for e in inner if e["args"]["call"] == second] == ["hit", "hit"]
    assert all("desync.cache-hit" in e["cat"] for e in inner if e["args"]["call"] == second)
    [failed] = _events(document, "desync.failed")
    assert failed["name"] == "boom" and failed["args"]["outcome"].startswith("failed: ValueError")
    [call] = [e for e in _events(document, "desync.call") if e["name"] == "failing"]
    assert call["args"]["raised"].startswith("ValueError")
    # The return waited for the inner calls, and says so.
    waits = _events(document, "desync.wait")
    assert any(w["args"]["on"].startswith("return") for w in waits)
    page = timeline.render_html(document)
    assert "$ inner" in page and "\u2717 boom" in page


def test_sequential_runs_are_traced_too(tmp_path):
    mod = _module(tmp_path, "traced_seq_mod", """
        from desync import desync

        def double(x):
            return 2 * x

        @desync(cache=False)
        def twice(x):
            a = double(x)
            b = double(a)
            return b
    """)
    with desync.sequential(), desync.tracing() as recorder:
        assert mod.twice(1) == 4
    tasks = _events(recorder.trace(), "desync.task")
    assert [e["name"] for e in tasks] == ["double", "double"]
    assert tasks[0]["ts"] + tasks[0]["dur"] <= tasks[1]["ts"]   # one after the other
    assert [e["args"]["line"] for e in tasks] == [9, 10]


def test_process_pool_tasks_are_timed_in_the_worker(tmp_path):
    mod = _module(tmp_path, "traced_proc_mod", """
        from desync import desync

        def square(x):
            return x * x

        def fail(x):
            raise KeyError(x)

        @desync(executor="processes", max_workers=2, cache=False)
        def squares(xs):
            return [square(x) for x in xs]

        @desync(executor="processes", max_workers=2, cache=False)
        def failing():
            return fail(3)
    """)
    with desync.tracing() as recorder:
        assert mod.squares([1, 2, 3]) == [1, 4, 9]
        with pytest.raises(KeyError):
            mod.failing()
    document = recorder.trace()
    _check_trace_event_format(document)
    squares = [e for e in _events(document, "desync.task") if e["name"] == "square"]
    assert len(squares) == 3
    assert all(e["pid"] != os.getpid() for e in squares)
    assert all(e["args"]["line"] == 12 for e in squares)
    [failed] = _events(document, "desync.failed")
    assert failed["name"] == "fail" and "KeyError" in failed["args"]["outcome"]
    processes = {e["pid"]: e["args"]["name"] for e in document["traceEvents"]
                 if e.get("name") == "process_name"}
    assert all(e["pid"] in processes for e in squares)


def test_a_process_started_under_desync_trace_does_not_write_the_file(tmp_path):
    path = tmp_path / "t.json"
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import subprocess, sys
        import desync
        subprocess.run([sys.executable, "-c", "import desync, os; print(os.environ.get('DESYNC_TRACE'))"],
                       check=True)
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, DESYNC_TRACE=str(path)))
    assert out.returncode == 0, out.stderr
    assert json.loads(path.read_text())["traceEvents"] == []


def test_the_svg_picture_is_standalone(seed_trace):
    svg = timeline.render_svg(seed_trace, width=900, title="seed")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "inner :" in svg and "outer" in svg
