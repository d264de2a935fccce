"""Scale-out settings: ``[tool.desync] executor`` and ``max-workers``, and the call
cache in front of a process pool (lookups in the caller).

The settings are read once per process, at first use, so each case runs in a
subprocess from a small project folder.
"""
from __future__ import annotations

import os
import sys
import textwrap
from concurrent.futures import Executor, ThreadPoolExecutor

import pytest

from conftest import run_python
from desync import DesyncError, desync
from desync.toolchain.config import load_config


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


@desync(executor="processes")
def crunch_all(n):
    out = []
    for i in range(n):
        out.append(crunch(300_000 + i))
    return out


def test_the_cache_answers_process_pool_calls_in_the_caller(monkeypatch):
    from desync.runtime.executors import default_processes
    pool = default_processes()
    submitted = []
    submit = pool.submit

    def counting(fn, *args, **kwargs):
        submitted.append(fn)
        return submit(fn, *args, **kwargs)

    monkeypatch.setattr(pool, "submit", counting)
    first = crunch_all(8)
    assert first == [crunch(300_000 + i) for i in range(8)]
    assert len(submitted) == 8
    assert crunch_all(8) == first
    assert len(submitted) == 8          # the second run: every call a hit, none shipped


# -- [tool.desync] executor and max-workers ----------------------------------------

APP = '''
import os
import sys
from desync import desync


def where(x):
    return x, os.getpid()


@desync
def inner_body():
    a = where(1)
    b = where(2)
    return [a, b]


@desync
def body():
    a = where(1)
    b = where(2)
    return [a, b]


def probe():
    return os.getpid(), inner_body()   # on a worker: its pid, and where its calls ran


@desync
def nested():
    a = probe()
    return a
'''

CLUSTER = '''
from concurrent.futures import ThreadPoolExecutor

made = []
submitted = []


class Counting(ThreadPoolExecutor.__mro__[1]):   # concurrent.futures.Executor
    def __init__(self):
        self.inner = ThreadPoolExecutor(2)

    def submit(self, fn, /, *args, **kwargs):
        submitted.append(fn)
        return self.inner.submit(fn, *args, **kwargs)


def executor():
    made.append(1)
    return Counting()


not_an_executor = 42
'''


def project(tmp_path, table: str):
    (tmp_path / "pyproject.toml").write_text("[tool.desync]\n" + textwrap.dedent(table))
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "cluster.py").write_text(CLUSTER)
    return tmp_path


def run(folder, code, **env):
    result = run_python(sys.executable, ["-c", textwrap.dedent(code)], cwd=folder,
                        env=dict({"PYTHONPATH": str(folder)}, **env), timeout=120)
    return result


def test_processes_from_the_project_settings(tmp_path):
    folder = project(tmp_path, 'executor = "processes"\nmax-workers = 2\n')
    out = run(folder, '''
        import os, app
        from desync.runtime.executors import default_processes
        pids = {pid for _, pid in app.body()}
        print(os.getpid() in pids, default_processes()._max_workers)
    ''')
    assert out.stdout.split() == ["False", "2"], out.stderr


def test_a_function_that_runs_on_a_worker_runs_its_own_calls_on_threads_there(tmp_path):
    folder = project(tmp_path, 'executor = "processes"\n')
    out = run(folder, '''
        import os, app
        worker, inner = app.nested()
        print(worker != os.getpid(), {pid for _, pid in inner} == {worker})
    ''')
    assert out.stdout.split() == ["True", "True"], out.stderr


def test_threads_sized_by_the_project_settings(tmp_path):
    folder = project(tmp_path, 'executor = "threads"\nmax-workers = 3\n')
    out = run(folder, '''
        import os, app
        from desync.runtime.executors import default_threads
        print({pid for _, pid in app.body()} == {os.getpid()}, default_threads()._max_workers)
    ''')
    assert out.stdout.split() == ["True", "3"], out.stderr


def test_a_factory_named_by_import_path_is_called_once(tmp_path):
    folder = project(tmp_path, 'executor = "cluster:executor"\n')
    out = run(folder, '''
        import app, cluster
        app.body(); app.body(); app.inner_body()
        print(len(cluster.made), len(cluster.submitted))
    ''')
    assert out.stdout.split() == ["1", "6"], out.stderr


def test_the_environment_overrides_the_project_settings(tmp_path):
    folder = project(tmp_path, 'executor = "processes"\n')
    out = run(folder, '''
        import app, cluster
        app.body()
        print(len(cluster.made), len(cluster.submitted))
    ''', DESYNC_EXECUTOR="cluster:executor")
    assert out.stdout.split() == ["1", "2"], out.stderr


def test_an_explicit_executor_wins_over_the_settings(tmp_path):
    folder = project(tmp_path, 'executor = "cluster:executor"\n')
    (folder / "local.py").write_text(textwrap.dedent('''
        from desync import desync
        from app import where

        @desync(executor="threads")
        def local():
            a = where(1)
            b = where(2)
            return [a, b]
    '''))
    out = run(folder, '''
        import os, cluster, local
        print({pid for _, pid in local.local()} == {os.getpid()}, len(cluster.made))
    ''')
    assert out.stdout.split() == ["True", "0"], out.stderr


@pytest.mark.parametrize("setting, message", [
    ('"cluster:not_an_executor"', "gave int, not a concurrent.futures.Executor"),
    ('"nowhere.at.all:executor"', "cannot import 'nowhere.at.all'"),
    ('"cluster:missing"', "'cluster' has no attribute 'missing'"),
])
def test_a_bad_factory_fails_the_first_call_naming_the_file_and_key(tmp_path, setting, message):
    folder = project(tmp_path, f"executor = {setting}\n")
    out = run(folder, '''
        import app
        app.body()
    ''')
    assert out.returncode != 0
    assert "[tool.desync] executor in " + str(folder / "pyproject.toml") in out.stderr
    assert message in out.stderr


@pytest.mark.parametrize("table, message", [
    ("executor = 3\n", '[tool.desync] executor must be "threads", "processes" or the import '
                       "path of an executor factory"),
    ('executor = "cluster"\n', "not 'cluster'"),
    ("max-workers = 0\n", "[tool.desync] max-workers must be a positive whole number, not 0"),
    ('max-workers = "8"\n', "[tool.desync] max-workers must be a positive whole number"),
    ('executor = "cluster:executor"\nmax-workers = 2\n', "the factory 'cluster:executor' "
                                                         "sizes its own executor"),
    ('strict-lock = "yes"\n', "[tool.desync] strict-lock must be true or false"),
])
def test_bad_settings_name_the_file_and_key(tmp_path, table, message):
    folder = project(tmp_path, table)
    with pytest.raises(DesyncError) as caught:
        load_config(str(folder))
    assert str(caught.value).startswith(str(folder / "pyproject.toml") + ": ")
    assert message in str(caught.value)


def test_settings_are_read_at_the_first_call_not_at_import(tmp_path):
    folder = project(tmp_path, "executor = 3\n")
    out = run(folder, '''
        import sys
        import app                       # decorating reads no settings
        print('desync.toolchain.config' in sys.modules, 'tomllib' in sys.modules)
        try:
            app.body()
        except Exception as error:
            print(type(error).__name__)
    ''')
    assert out.stdout.split() == ["False", "False", "DesyncError"], out.stderr


def test_the_settings_are_documented_with_the_config_module():
    from desync.toolchain import config
    for key in ("executor", "max-workers", "strict-lock"):
        assert key in config.__doc__
    assert os.path.basename(config.__file__) == "config.py"


# -- one def, decorated with different executors ------------------------------------

def thread_name():
    import threading
    # (Through getattr: a call naming current_thread runs on the caller's thread, as
    # in plain Python; this probe, invisible to desync, sees where it runs.)
    return getattr(threading, "current_" + "thread")().name


def make_body(executor):
    @desync(executor=executor, cache=False)
    def body():
        a = thread_name()
        return a
    return body


class Counting(Executor):
    def __init__(self):
        self.inner = ThreadPoolExecutor(2)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, **kwargs):
        self.inner.shutdown(wait)


def test_one_def_decorated_with_two_executors_keeps_each():
    first, second = Counting(), Counting()
    try:
        on_first, on_second = make_body(first), make_body(second)
        again = make_body(first)
        on_first()
        assert (first.submitted, second.submitted) == (1, 0)
        on_second()
        assert (first.submitted, second.submitted) == (1, 1)
        again()
        assert (first.submitted, second.submitted) == (2, 1)
        assert on_first.__code__ is not on_second.__code__
        assert again.__code__ is on_first.__code__   # one copy per set of options
    finally:
        first.shutdown()
        second.shutdown()
