"""`desync watch` prints each rebuild: its time, and every version that moved."""
from __future__ import annotations

import textwrap
import threading
import time

from desync.toolchain.build import Builder
from desync.toolchain.config import load_config
from desync.toolchain.watch import watch


def test_a_rebuild_lists_every_version_that_moved(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n\n'
                                             '[tool.desync]\npaths = ["src"]\n')
    package = tmp_path / "src" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("def twice(x):\n    return 2 * x\n")
    (package / "core.py").write_text("from desync import desync\nfrom app import util\n" + "".join(
        textwrap.dedent(f"""
            @desync
            def job{i}(x):
                return util.twice(x) + {i}
        """) for i in range(6)))
    monkeypatch.chdir(tmp_path)
    lines: list[str] = []
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=watch, args=(Builder(load_config(), None, None, None),),
                              kwargs=dict(out=lines.append, debounce=0.05, stop=stop,
                                          ready=ready), daemon=True)
    thread.start()
    try:
        assert ready.wait(60)
        assert lines[0].startswith("desync watch: rebuilt") and " ms: " in lines[0]
        (package / "util.py").write_text("def twice(x):\n    return x + x\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("versions moved" in l for l in lines):
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(10)
    [head] = [l for l in lines if "versions moved" in l]
    assert head.startswith("desync watch: rebuilt 2 file(s) in ") and "6 versions moved:" in head
    listed = lines[lines.index(head) + 1:lines.index(head) + 7]
    assert sorted(l.split(":")[0].strip() for l in listed) == [f"app.core.job{i}"
                                                                for i in range(6)]
    assert all("1.0 -> 1.1" in l for l in listed), listed


def test_a_file_gone_between_listing_and_reading_does_not_stop_the_watch(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.desync]\npaths = ["src"]\n')
    package = tmp_path / "src" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "core.py").write_text("from desync import desync\n\n@desync\ndef f(x):\n"
                                     "    return x\n")
    monkeypatch.chdir(tmp_path)
    builder = Builder(load_config(), None, None, None)
    real_run, calls = builder.run, []

    def vanishing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:   # an editor's probe file, listed then gone
            raise FileNotFoundError(2, "No such file or directory", str(package / "4913"))
        return real_run(*args, **kwargs)
    monkeypatch.setattr(builder, "run", vanishing)
    lines: list[str] = []
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=watch, args=(builder,), daemon=True,
                              kwargs=dict(out=lines.append, debounce=0.05, stop=stop, ready=ready))
    thread.start()
    try:
        assert ready.wait(60)
        (package / "core.py").write_text("from desync import desync\n\n@desync\ndef f(x):\n"
                                         "    return x + 1\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(calls) < 2:
            time.sleep(0.05)
        time.sleep(0.3)
        assert thread.is_alive(), lines   # the watch goes on
        (package / "core.py").write_text("from desync import desync\n\n@desync\ndef f(x):\n"
                                         "    return x + 2\n")
        while time.monotonic() < deadline and len(calls) < 3:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join(10)
    [gone] = [i for i, line in enumerate(lines) if "4913" in line]
    assert "the next change rebuilds" in lines[gone]
    assert any(line.startswith("desync watch: rebuilt") for line in lines[gone + 1:]), lines
