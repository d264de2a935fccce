"""Make the pictures in docs/pictures/ from real runs of the README's examples.

    python docs/tools/make_pictures.py

Each example runs with tracing on (``desync.tracing``), its sleeps scaled down
ten times, and its timeline is drawn by the same code as
``desync trace trace.json --svg out.svg``. The dataflow picture of ``crawl`` is
drawn from ``desync show --graph`` by Graphviz's ``dot`` when it is installed
(otherwise the committed one stays). Commit what changes.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PICTURES = os.path.join(ROOT, "docs", "pictures")
sys.path.insert(0, ROOT)

import desync  # noqa: E402
from desync.compiler.graph import render  # noqa: E402
from desync.toolchain.timeline import render_svg  # noqa: E402

SCALE = 0.1   # every sleep of the README, ten times shorter

EXAMPLES = textwrap.dedent(f'''
    import time
    from desync import desync

    SCALE = {SCALE}


    def inner():
        time.sleep(2 * SCALE)


    @desync
    def outer():
        inner()
        inner()


    def fetch(url):
        time.sleep(0.5 * SCALE)
        return f"<html>{{url}}</html>"


    @desync
    def crawl(urls):
        pages = []
        for url in urls:
            pages.append(fetch(url))
        return pages


    def parse(text):
        time.sleep(0.3 * SCALE)
        return int(text)


    def check(value):
        raise KeyError(value)


    @desync
    def load(text):
        number = parse(text)
        check("later")
        return number


    def step(value):
        time.sleep(2 * SCALE)
        return value + 1


    @desync
    def twice(value):
        return step(step(value))
''')


def load_examples(folder):
    path = os.path.join(folder, "readme_examples.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(EXAMPLES)
    spec = importlib.util.spec_from_file_location("readme_examples", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_examples"] = module
    spec.loader.exec_module(module)
    return module


def traced(run, cache=False):
    """The trace document of ``run()``; the call cache off unless asked."""
    previous = os.environ.get("DESYNC_CACHE")
    os.environ["DESYNC_CACHE"] = "1" if cache else "0"
    try:
        with desync.tracing() as recorder:
            try:
                run()
            except Exception:
                pass
        return recorder.trace()
    finally:
        if previous is None:
            del os.environ["DESYNC_CACHE"]
        else:
            os.environ["DESYNC_CACHE"] = previous


def only(document, call):
    """The events of one desync call (and the names of the lanes)."""
    events = [e for e in document["traceEvents"]
              if e.get("ph") != "X" or (e.get("args") or {}).get("call") == call]
    used = {(e["pid"], e["tid"]) for e in events if e.get("ph") == "X"}
    events = [e for e in events if e.get("ph") != "M" or e["name"].startswith("process")
              or (e["pid"], e["tid"]) in used]
    return {**document, "traceEvents": events}


def write(name, text):
    path = os.path.join(PICTURES, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {os.path.relpath(path, ROOT)}")


def main():
    os.makedirs(PICTURES, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        examples = load_examples(folder)
        # Warm up (the thread pool; each callee is classified on its first call, which
        # takes milliseconds once): the pictures show the steady state.
        traced(lambda: (examples.outer(), examples.crawl(["a", "b"]), examples.load("1"),
                        examples.twice(100)))

        document = traced(examples.outer)
        write("seed.svg", render_svg(document, width=900, title=(
            "outer(): the two inner() calls run together (sleeps of 0.2 s)")))

        urls = [f"https://example.invalid/{i}" for i in range(6)]
        document = traced(lambda: examples.crawl(urls))
        write("crawl.svg", render_svg(document, width=900, title=(
            "crawl(urls): every fetch() at once; the appends in order, on the calling thread")))

        document = traced(lambda: examples.load("x"))
        write("first_error.svg", render_svg(document, width=900, title=(
            "load(\"x\"): check() fails first, but parse()'s error is the one raised")))

        document = traced(lambda: (examples.twice(0), examples.twice(0)), cache=True)
        calls = sorted({e["args"]["call"] for e in document["traceEvents"]
                        if e.get("cat") == "desync.call"})
        write("cache_miss.svg", render_svg(only(document, calls[0]), width=900, title=(
            "twice(0), first call: step(step(0)), one after the other")))
        write("cache_hit.svg", render_svg(only(document, calls[1]), width=900, title=(
            "twice(0) again: both calls answered by the cache ($)")))

        dot = shutil.which("dot")
        graph = render(EXAMPLES, "readme_examples.py", "crawl", "dot")
        if dot is None:
            print("dot (Graphviz) is not installed: crawl_graph.svg left as it is")
            return
        svg = subprocess.run([dot, "-Tsvg"], input=graph, capture_output=True, text=True,
                             check=True).stdout
        write("crawl_graph.svg", svg)


if __name__ == "__main__":
    main()
