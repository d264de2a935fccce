"""SPEC section 5: the call cache, in memory and on disk."""
from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from desync import CallCache, desync as dz, nocache
from desync.runtime.diskstore import DiskStore, UnsafeStore
from desync.runtime.inputhash import Unhashable, hash_call_inputs, hash_value

runs = []


def inner(value):
    runs.append(value)
    time.sleep(0.1)
    return value + 1


@dz
def outer(value):
    return inner(inner(value))


def test_seed_example_second_call_hits(monkeypatch):
    runs.clear()
    start = time.perf_counter()
    assert outer(0) == 2
    cold = time.perf_counter() - start
    outer.set_cache(outer.get_cache())
    start = time.perf_counter()
    assert outer(0) == 2
    warm = time.perf_counter() - start
    assert runs == [0, 1]          # the second call ran nothing
    assert cold >= 0.2 and warm < cold / 4


def test_cache_pickles_and_moves_between_functions():
    runs.clear()
    outer.set_cache(CallCache())
    outer(10)
    saved = pickle.dumps(outer.get_cache())
    outer.set_cache(CallCache())
    outer.set_cache(pickle.loads(saved))
    outer(10)
    assert runs == [10, 11]
    with pytest.raises(TypeError):
        outer.set_cache({})


def test_input_change_is_a_miss():
    runs.clear()
    outer.set_cache(CallCache())
    outer(1)            # runs inner(1), inner(2)
    outer(2)            # inner(2) hits; inner(3) is new input
    assert runs == [1, 2, 3]


def count_keys(d):
    runs.append(sorted(d))
    return len(d)


@dz
def dict_caller(d, s):
    return count_keys(d), count_keys(dict.fromkeys(s))


def test_equal_dicts_and_sets_hit_whatever_their_order():
    runs.clear()
    dict_caller.set_cache(CallCache())
    dict_caller({"a": 1, "b": 2}, {1, 2, 3})
    dict_caller({"b": 2, "a": 1}, {3, 2, 1})
    assert len(runs) == 2 + (0 if dict.fromkeys({1, 2, 3}) == dict.fromkeys({3, 2, 1}) else 1)
    assert hash_value({"a": 1, "b": 2}) == hash_value({"b": 2, "a": 1})
    assert hash_value({1, 2, 3}) == hash_value({3, 1, 2})
    assert hash_value({"a": 1}) != hash_value({"a": 2})
    assert hash_value(1) != hash_value(1.0) != hash_value("1")
    assert hash_value((1, 2)) != hash_value([1, 2])


def test_numpy_arrays_hash_by_content():
    numpy = pytest.importorskip("numpy")
    a = numpy.arange(1000, dtype=numpy.int64)
    assert hash_value(a) == hash_value(a.copy())
    assert hash_value(a) != hash_value(a.astype(numpy.int32))
    assert hash_value(a) != hash_value(a.reshape(10, 100))
    b = a.copy()
    b[500] = -1
    assert hash_value(a) != hash_value(b)
    assert hash_value(a[::2]) == hash_value(numpy.ascontiguousarray(a[::2]))
    big = numpy.zeros(80 << 17)  # 80 MB: the parallel chunked path
    assert hash_value(big) == hash_value(big.copy())


def test_unhashable_inputs_run_uncached():
    lock = threading.Lock()
    with pytest.raises(Unhashable):
        hash_call_inputs((lock,), None)
    runs.clear()

    @dz
    def uses_lock(x):
        return takes_lock(lock, x)

    assert uses_lock(1) == 1 and uses_lock(1) == 1
    assert runs == [1, 1]


def takes_lock(lock, x):
    runs.append(x)
    return x


@nocache
def fresh(x):
    runs.append(x)
    return x


@dz
def calls_fresh(x):
    return fresh(x)


@dz(cache=False)
def no_cache_at_all(x):
    return inner(x)


def test_opt_outs():
    runs.clear()
    calls_fresh(1)
    calls_fresh(1)
    assert runs == [1, 1]
    runs.clear()
    no_cache_at_all(5)
    no_cache_at_all(5)
    assert runs == [5, 5]
    with pytest.raises(TypeError):
        nocache(len)


def test_builtins_and_lambdas_are_not_cached():
    from desync.runtime.cache import callee_code_hash
    assert callee_code_hash(len) is None
    assert callee_code_hash(lambda: 1) is None
    assert callee_code_hash(CallCache().clear) is None  # a bound method
    assert callee_code_hash(inner) is not None


def flaky(x):
    runs.append(x)
    raise ValueError(x)


@dz
def calls_flaky(x):
    return flaky(x)


def test_exceptions_are_not_cached():
    runs.clear()
    for _ in range(2):
        with pytest.raises(ValueError):
            calls_flaky(3)
    assert runs == [3, 3]


def make_list(n):
    runs.append(n)
    return list(range(n))


@dz
def mutates_result(n):
    xs = make_list(n)
    xs.append("extra")
    return xs


def test_a_mutated_result_does_not_change_the_cache():
    runs.clear()
    assert mutates_result(2) == [0, 1, "extra"]
    assert mutates_result(2) == [0, 1, "extra"]
    assert runs == [2]


def slow_identity(x):
    runs.append(x)
    time.sleep(0.2)
    return x


@dz
def same_call_twice(x):
    return slow_identity(x), slow_identity(x)


def test_identical_calls_in_flight_run_once():
    runs.clear()
    same_call_twice.set_cache(CallCache())
    start = time.perf_counter()
    assert same_call_twice(7) == (7, 7)
    assert runs == [7]
    assert time.perf_counter() - start < 0.35


def test_closure_values_are_part_of_the_key():
    def make(offset):
        def add(x):
            return x + offset
        return add

    @dz
    def use(f, x):
        return f(x)

    assert use(make(1), 1) == 2
    assert use(make(2), 1) == 3


def test_environment_switch_turns_caching_off(tmp_path):
    script = tmp_path / "env_cache.py"
    script.write_text(textwrap.dedent("""
        from desync import desync
        n = []
        def work(x):
            n.append(x)
            return x
        @desync
        def outer():
            return work(1)
        outer(); outer()
        print(len(n))
    """))
    for value, expected in (("0", "2"), ("1", "1")):
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             env=dict(os.environ, DESYNC_CACHE=value), timeout=60)
        assert out.stdout.strip() == expected, out.stderr


# -- the disk store ----------------------------------------------------------------------

def test_disk_store_round_trip_permissions_and_damage(tmp_path):
    store = DiskStore(tmp_path / "c")
    store.put(1, b"\x01" * 16, b"payload")
    assert store.get(1, b"\x01" * 16) == b"payload"
    assert stat.S_IMODE(os.stat(tmp_path / "c").st_mode) == 0o700
    entry = store.entries()[0][0]
    assert stat.S_IMODE(os.stat(entry).st_mode) == 0o600
    with open(entry, "r+b") as handle:   # flip a byte of the payload
        handle.seek(-1, 2)
        handle.write(b"X")
    assert store.get(1, b"\x01" * 16) is None
    assert not os.path.exists(entry)     # a damaged entry is removed
    store.put(2, b"\x02" * 16, b"payload")
    entry = store.entries()[0][0]
    with open(entry, "r+b") as handle:   # truncated
        handle.truncate(5)
    assert store.get(2, b"\x02" * 16) is None


def test_disk_store_refuses_a_folder_others_can_write(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o777)
    with pytest.raises(UnsafeStore):
        DiskStore(folder).get(1, b"x" * 16)


def test_disk_store_stays_within_its_size(tmp_path):
    store = DiskStore(tmp_path / "c", max_bytes=20_000)
    for i in range(100):
        store.put(i, i.to_bytes(16, "big"), b"x" * 1000)
        time.sleep(0.001)
    store.evict()
    info = store.info()
    assert info["bytes"] <= 20_000
    assert store.get(99, (99).to_bytes(16, "big")) == b"x" * 1000   # newest kept
    assert store.get(0, (0).to_bytes(16, "big")) is None            # oldest evicted


def test_prune_and_clear(tmp_path):
    store = DiskStore(tmp_path / "c")
    store.put(1, b"a" * 16, b"1")
    store.put(2, b"b" * 16, b"2")
    assert store.prune({1}) == 1
    assert store.info()["entries"] == 1
    assert store.clear() == 1
    assert store.info()["entries"] == 0


DISK_SCRIPT = textwrap.dedent("""
    import sys, time
    from desync import desync
    def work(x):
        print("ran", x, flush=True)
        time.sleep(0.05)
        return {"x": x, "pid": "any"}
    @desync(cache=sys.argv[1])
    def outer(n):
        out = []
        for i in range(n):
            out.append(work(i))
        return out
    assert outer(int(sys.argv[2])) == [{"x": i, "pid": "any"} for i in range(int(sys.argv[2]))]
""")


def test_disk_cache_hits_across_processes_and_survives_concurrent_writers(tmp_path):
    script = tmp_path / "disk_user.py"
    script.write_text(DISK_SCRIPT)
    folder = str(tmp_path / "store")
    procs = [subprocess.Popen([sys.executable, str(script), folder, "20"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outputs]
    later = subprocess.run([sys.executable, str(script), folder, "20"], capture_output=True,
                           text=True, timeout=60)
    assert later.returncode == 0, later.stderr
    assert "ran" not in later.stdout        # every call hit the store
    assert DiskStore(folder).info()["entries"] == 20


def test_cache_cli_info_clear(tmp_path):
    store = DiskStore(tmp_path / "c")
    store.put(1, b"a" * 16, b"1")
    out = subprocess.run([sys.executable, "-m", "desync", "cache", "info", "--dir",
                          str(tmp_path / "c")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "1 entries" in out.stdout
    out = subprocess.run([sys.executable, "-m", "desync", "cache", "clear", "--dir",
                          str(tmp_path / "c")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "removed 1" in out.stdout


def test_input_hashing_edge_cases():
    huge = 10 ** 5000  # str() refuses ints this long; hashing must not
    assert hash_call_inputs((huge,), None) == hash_call_inputs((10 ** 5000,), None)
    assert hash_call_inputs((huge,), None) != hash_call_inputs((huge + 1,), None)
    assert hash_value(huge) != hash_value(huge + 1)
    # the callee's identity and state are part of the digest, on both paths
    assert hash_call_inputs((1,), None, b"a") != hash_call_inputs((1,), None, b"b")
    assert hash_call_inputs((1,), None, b"a", ((2,), [])) != hash_call_inputs((1,), None, b"a")
    assert hash_call_inputs(({"k": 1},), None, b"a") != hash_call_inputs(({"k": 1},), None, b"b")
    # the same arguments by keyword and by position are different calls
    assert hash_call_inputs((1,), None) != hash_call_inputs((), {"x": 1})
    looped = [1, 2]
    looped.append(looped)  # self-referential: hashed (by pickle), never a crash
    assert hash_value(looped) == hash_value(looped)
    assert hash_value([1, [2, [3, [4, [5, [6]]]]]]) == hash_value([1, [2, [3, [4, [5, [6]]]]]])
    assert hash_value((1, "1", 1.0, True, None)) != hash_value((1, "1", 1.0, 1, None))


def test_a_changed_closure_or_default_is_a_miss():
    runs.clear()
    factor = [3]

    def scaled(x, bias=0):
        runs.append(x)
        return x * factor[0] + bias

    cache = CallCache()
    assert cache.call(scaled, (2,), None) == 6
    assert cache.call(scaled, (2,), None) == 6
    factor[0] = 4   # the closure's cell holds the same list, now with other content
    assert cache.call(scaled, (2,), None) == 8
    scaled.__defaults__ = (1,)
    assert cache.call(scaled, (2,), None) == 9
    assert runs == [2, 2, 2]
