"""The call cache, in memory and on disk: it must never serve a wrong result."""
from __future__ import annotations

import os
import pickle
import random
import stat
import struct
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import desync
from desync import CallCache, cacheable, desync as dz, nocache
from desync.runtime import cache as cache_mod
from desync.runtime.diskstore import DiskStore, UnsafeStore
from desync.runtime.inputhash import Unhashable, hash_call_inputs, hash_value

# Whether a call ran is read from the cache's counters: a callee that recorded its
# runs in a module-level list would change program state, and such a callee is an
# effect (ordered, never cached).


def inner(value):
    time.sleep(0.05)
    return value + 1


@dz
def outer(value):
    return inner(inner(value))


def run_threads(worker, count):
    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def fresh_cache(fn, **options):
    cache = CallCache(**options)
    fn.set_cache(cache)
    return cache


def test_seed_example_second_call_hits():
    cache = fresh_cache(outer)
    assert outer(0) == 2
    outer.set_cache(outer.get_cache())
    assert outer(0) == 2
    assert cache.hits == 2 and cache.misses == 2   # the second call ran nothing


def sleepy(value):            # the README's inner(): sleeps, computes; nothing else
    time.sleep(0.02)
    return value + 1


@dz
def readme_outer(value):
    return sleepy(sleepy(value))


def test_readme_example_is_cached_without_any_marker():
    cache = fresh_cache(readme_outer)
    assert readme_outer(0) == 2 and readme_outer(0) == 2
    assert (cache.hits, cache.misses) == (2, 2)


def test_cache_pickles_and_moves_between_functions():
    fresh_cache(outer)
    outer(10)
    saved = pickle.dumps(outer.get_cache())
    outer.set_cache(CallCache())
    loaded = pickle.loads(saved)
    assert len(loaded) == 2
    outer.set_cache(loaded)
    assert outer(10) == 12
    assert (loaded.hits, loaded.misses) == (2, 0)
    with pytest.raises(TypeError):
        outer.set_cache({})


def test_input_change_is_a_miss():
    cache = fresh_cache(outer)
    outer(1)            # runs inner(1), inner(2)
    outer(2)            # inner(2) hits; inner(3) is new input
    assert (cache.hits, cache.misses) == (1, 3)


# -- issue: dict inputs were hashed ignoring order ----------------------------------------

def keys(d):
    time.sleep(0.01)   # well above a lookup's cost, even on a loaded machine
    return list(d)


@dz
def call_keys(d):
    return keys(d)


def test_dicts_in_another_order_are_another_input():
    fresh_cache(call_keys)
    assert call_keys({"x": 1, "y": 2}) == ["x", "y"]
    assert call_keys({"y": 2, "x": 1}) == ["y", "x"]
    assert call_keys({"x": 1, "y": 2}) == ["x", "y"]
    assert call_keys.get_cache().hits == 1


def test_type_order_and_sharing_sensitive_input_hashes():
    assert hash_value({"a": 1, "b": 2}) != hash_value({"b": 2, "a": 1})
    assert hash_value({"a": 1}) != hash_value({"a": 2})
    values = [1, 1.0, True, "1", b"1", 1 + 0j, (1,), [1], {1}, frozenset({1}), None,
              0.0, -0.0, float("nan"), struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000001))[0],
              -float("nan"), type("S", (str,), {})("1")]
    digests = [hash_value(v) for v in values]
    assert len(set(digests)) == len(values)
    assert hash_call_inputs((0.0,), None) != hash_call_inputs((-0.0,), None)
    assert hash_call_inputs((float("nan"),), None) != hash_call_inputs((-float("nan"),), None)
    shared = [1]
    assert hash_value([shared, shared]) != hash_value([shared, [1]])
    again = [1]
    assert hash_value([shared, shared]) == hash_value([again, again]) != hash_value([[1], [1]])


def test_sets_hash_in_iteration_order():
    a, b = {1, 9}, {9, 1}      # equal sets, and (hash collision) different iteration order
    assert a == b
    assert (list(a) == list(b)) == (hash_value(a) == hash_value(b))
    assert hash_value({1, 2, 3}) == hash_value({1, 2, 3})
    assert hash_value(frozenset({1, 9})) != hash_value({1, 9})


# -- issue: hits returned copies -------------------------------------------------------------

MISSING = object()


def find(table, key):
    time.sleep(0.01)
    return table.get(key, MISSING)


@dz
def lookup(table, key):
    return find(table, key)


def test_in_memory_hits_return_the_very_object():
    cache = fresh_cache(lookup)
    assert [lookup({}, "k") is MISSING for _ in range(3)] == [True, True, True]
    assert cache.hits == 2


def echo(x):
    time.sleep(0.002)
    return x


@dz
def call_echo(x):
    return echo(x)


def test_a_result_that_is_an_input_keeps_aliasing():
    fresh_cache(call_echo)
    a, b = [1, 2], [1, 2]
    assert call_echo(a) is a
    assert call_echo(a) is a
    assert call_echo(b) is b           # equal input, another object: its own result
    t = ("x", 1)
    assert call_echo(t) == t


def make_list(n):
    time.sleep(0.002)
    return list(range(n))


@dz
def mutates_result(n):
    xs = make_list(n)
    xs.append("extra")
    return xs


def test_a_mutated_result_is_never_served():
    cache = fresh_cache(mutates_result)
    assert mutates_result(2) == [0, 1, "extra"]
    assert mutates_result(2) == [0, 1, "extra"]
    assert mutates_result(2) == [0, 1, "extra"]
    assert cache.hits == 2   # each hit an unchanged list of its own, changed by its caller


# -- issue: module constants, closures and defaults --------------------------------------------

MULT = 3


def scaled(x):
    time.sleep(0.002)
    return x * MULT


def via_helper(x):
    return scaled(x) + 1


def test_module_constants_are_part_of_the_key(monkeypatch):
    cache = CallCache(adaptive=False)
    assert cache.call(scaled, (2,), None) == 6
    assert cache.call(via_helper, (2,), None) == 7
    monkeypatch.setattr(sys.modules[__name__], "MULT", 20)
    assert cache.call(scaled, (2,), None) == 40
    assert cache.call(via_helper, (2,), None) == 41   # read by a callee of the callee
    assert cache.hits == 0


TABLE = {"a": 1}


def from_table(k):
    time.sleep(0.002)
    return TABLE.get(k)


def test_mutable_module_values_are_hashed_by_content():
    cache = CallCache(adaptive=False)
    assert cache.call(from_table, ("a",), None) == 1
    assert cache.call(from_table, ("a",), None) == 1
    TABLE["a"] = 2
    try:
        assert cache.call(from_table, ("a",), None) == 2
    finally:
        TABLE["a"] = 1
    assert cache.hits == 1


CONSTANT_SCRIPT = textwrap.dedent("""
    import sys, time
    from desync import desync
    import consts

    def work(x):
        time.sleep(0.01)
        return x * consts.MULT

    @desync(cache=sys.argv[1])
    def outer(x):
        return work(x)

    print(outer(2), outer.get_cache().hits)
""")


def test_a_module_constant_changed_between_processes_gives_the_new_result(tmp_path):
    (tmp_path / "main.py").write_text(CONSTANT_SCRIPT)
    store = str(tmp_path / "store")

    def run():
        out = subprocess.run([sys.executable, "main.py", store], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    (tmp_path / "consts.py").write_text("MULT = 3\n")
    assert run() == ["6", "0"]
    assert run() == ["6", "1"]        # the disk store hits across processes
    (tmp_path / "consts.py").write_text("MULT = 20\n")
    assert run() == ["40", "0"]


def test_attributes_of_a_project_module_read_by_callees_of_callees(tmp_path, monkeypatch):
    (tmp_path / "settings_mod.py").write_text("A = 1\nB = 10\n")
    (tmp_path / "uses_settings.py").write_text(textwrap.dedent("""
        import time
        import settings_mod

        def low(x):
            return x + settings_mod.B

        def top(x):
            time.sleep(0.002)
            return low(x) * settings_mod.A
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    import settings_mod
    import uses_settings
    cache = CallCache(adaptive=False)
    assert cache.call(uses_settings.top, (1,), None) == 11
    monkeypatch.setattr(settings_mod, "B", 20)      # read by low(), not by top()
    assert cache.call(uses_settings.top, (1,), None) == 21
    monkeypatch.setattr(settings_mod, "A", 2)
    assert cache.call(uses_settings.top, (1,), None) == 42
    assert cache.call(uses_settings.top, (1,), None) == 42
    assert cache.hits == 1


def test_a_changed_closure_or_default_is_a_miss():
    factor = [3]

    def scaled_here(x, bias=0):
        return x * factor[0] + bias

    cache = CallCache(adaptive=False)
    assert cache.call(scaled_here, (2,), None) == 6
    assert cache.call(scaled_here, (2,), None) == 6
    factor[0] = 4   # the closure's cell holds the same list, now with other content
    assert cache.call(scaled_here, (2,), None) == 8
    scaled_here.__defaults__ = (1,)
    assert cache.call(scaled_here, (2,), None) == 9
    assert cache.hits == 1


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


def apply(f, x):
    time.sleep(0.002)
    return f(x)


def test_functions_passed_as_inputs_are_hashed_by_code():
    cache = CallCache(adaptive=False)
    assert cache.call(apply, (lambda v: v + 1, 1), None) == 2
    assert cache.call(apply, (lambda v: v * 10, 1), None) == 10
    assert cache.call(apply, (lambda v: v + 1, 1), None) == 2
    assert cache.hits == 1


# -- issue: callees that read the world were cached ---------------------------------------------

def total(path):
    with open(path) as handle:
        return sum(int(line) for line in handle)


@dz
def report(path):
    return total(path)


def test_a_data_file_edited_between_two_calls_gives_the_new_content(tmp_path):
    data = tmp_path / "numbers.csv"
    data.write_text("1\n2\n")
    assert report(str(data)) == 3
    data.write_text("1\n2\n3\n")
    assert report(str(data)) == 6


@cacheable
def total_trusted(path):
    time.sleep(0.002)
    with open(path) as handle:
        return sum(int(line) for line in handle)


def test_cacheable_overrides_inference(tmp_path):
    data = tmp_path / "numbers.csv"
    data.write_text("1\n2\n")
    cache = CallCache(adaptive=False)
    assert cache.call(total_trusted, (str(data),), None) == 3
    data.write_text("5\n")
    assert cache.call(total_trusted, (str(data),), None) == 3   # the user said so
    assert cache.call(total, (str(data),), None) == 5
    assert desync.cacheable is cacheable
    with pytest.raises(TypeError):
        cacheable(len)


def stamp():
    return time.time()


def roll():
    return random.random()


def append_to(xs, value):
    time.sleep(0.002)
    xs.append(value)
    return len(xs)


def test_world_readers_and_mutators_are_not_cached():
    cache = CallCache(adaptive=False)
    for fn, args in ((stamp, ()), (roll, ()), (total, (__file__,))):
        assert cache.key_for(fn, args, None) is None, fn
    xs = []
    assert cache.call(append_to, (xs, 1), None) == 1
    assert cache.call(append_to, (xs, 1), None) == 2
    assert xs == [1, 1]
    assert cache.key_for(sleepy, (1,), None) is not None   # time.sleep reads nothing


# -- issue: third-party versions ----------------------------------------------------------------

def test_the_version_of_an_installed_package_is_in_the_key(tmp_path):
    site = tmp_path / "site-packages"
    (site / "fakepkg").mkdir(parents=True)
    (site / "fakepkg" / "__init__.py").write_text("def scale(x):\n    return x * 2\n")
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        import sys, time
        sys.path.insert(0, sys.argv[2])
        from desync import desync
        import fakepkg

        def work(x):
            time.sleep(0.01)
            return fakepkg.scale(x)

        @desync(cache=sys.argv[1])
        def outer(x):
            return work(x)

        print(outer(2), outer.get_cache().hits)
    """))

    def install(version):
        for old in site.glob("*.dist-info"):
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
        info = site / f"fakepkg-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fakepkg\nVersion: {version}\n")
        (info / "top_level.txt").write_text("fakepkg\n")

    def run():
        out = subprocess.run([sys.executable, "main.py", str(tmp_path / "store"), str(site)],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    install("1.0")
    assert run() == ["4", "0"]
    assert run() == ["4", "1"]
    install("2.0")
    assert run() == ["4", "0"]        # same code, another version: not served


def test_version_lookup_is_part_of_the_key_in_process(monkeypatch):
    numpy = pytest.importorskip("numpy")

    def mean_of(xs):
        return float(numpy.mean(xs))

    cache = CallCache(adaptive=False)
    first = cache.key_for(mean_of, ([1, 2],), None)
    monkeypatch.setattr(cache_mod, "distribution_version", lambda top: "numpy==0.0-test")
    cache_mod._callees.clear()
    second = cache.key_for(mean_of, ([1, 2],), None)
    assert first is not None and second is not None and first.id != second.id


# -- the rest of the contract -----------------------------------------------------------------

def test_numpy_arrays_hash_by_content():
    numpy = pytest.importorskip("numpy")
    a = numpy.arange(1000, dtype=numpy.int64)
    assert hash_value(a) == hash_value(a.copy())
    assert hash_value(a) != hash_value(a.astype(numpy.int32))
    assert hash_value(a) != hash_value(a.reshape(10, 100))
    b = a.copy()
    b[500] = -1
    assert hash_value(a) != hash_value(b)
    # Strides can be read (``a.strides``): a view and its contiguous copy differ.
    assert hash_value(a[::2]) != hash_value(numpy.ascontiguousarray(a[::2]))
    assert hash_value(a[::2]) == hash_value(a.copy()[::2])
    m = numpy.arange(6.0).reshape(2, 3)
    assert hash_value(m) != hash_value(numpy.asfortranarray(m))
    for size in (100, 5000, 70_000, 1 << 20):
        x = numpy.random.default_rng(size).random(size)
        y = x.copy()
        y[-1] += 1
        assert hash_value(x) == hash_value(x.copy()) != hash_value(y)
    big = numpy.zeros(80 << 17)  # 80 MB: the parallel chunked path
    assert hash_value(big) == hash_value(big.copy())


def test_a_view_of_an_input_array_is_not_cached():
    numpy = pytest.importorskip("numpy")

    def tail(a):
        time.sleep(0.002)
        return a[1:]

    cache = CallCache(adaptive=False)
    a, b = numpy.arange(5), numpy.arange(5)
    assert cache.call(tail, (a,), None).base is a
    assert cache.call(tail, (b,), None).base is b


def test_unhashable_inputs_run_uncached():
    lock = threading.Lock()
    with pytest.raises(Unhashable):
        hash_call_inputs((lock,), None)

    @dz
    def uses_lock(x):
        return takes_lock(lock, x)

    cache = fresh_cache(uses_lock)
    assert uses_lock(1) == 1 and uses_lock(1) == 1
    assert (cache.hits, cache.misses, cache.uncached) == (0, 0, 2)


def takes_lock(lock, x):
    time.sleep(0.01)
    return x


@nocache
def fresh(x):
    time.sleep(0.002)
    return x


@dz(cache=False)
def no_cache_at_all(x):
    return sleepy(x)


def test_opt_outs():
    cache = CallCache(adaptive=False)
    assert cache.key_for(fresh, (1,), None) is None
    cache.call(fresh, (1,), None)
    assert len(cache) == 0
    assert no_cache_at_all(5) == 6 and no_cache_at_all.get_cache().hits == 0
    with pytest.raises(TypeError):
        nocache(len)


def test_builtins_and_lambdas_are_not_cached():
    from desync.runtime.cache import callee_code_hash
    assert callee_code_hash(len) is None
    assert callee_code_hash(lambda: 1) is None
    assert callee_code_hash(CallCache().clear) is None  # a bound method
    assert callee_code_hash(inner) is not None


def flaky(x):
    time.sleep(0.002)
    raise ValueError(x)


def test_exceptions_are_not_cached():
    cache = CallCache(adaptive=False)
    for _ in range(2):
        with pytest.raises(ValueError):
            cache.call(flaky, (3,), None)
    assert len(cache) == 0 and cache.misses == 2


def slow_identity(x):
    time.sleep(0.2)
    return [x]


def test_identical_calls_in_flight_run_once():
    cache = CallCache()
    results = []

    def worker():
        results.append(cache.call(slow_identity, (7,), None))

    run_threads(worker, 16)
    assert cache.misses == 1 and cache.hits == 15
    assert all(r == [7] for r in results)


def failing_slowly(x):
    time.sleep(0.05)
    raise KeyError(x)


def test_waiters_on_a_failing_call_run_it_themselves():
    cache = CallCache()
    errors = []

    def worker():
        try:
            cache.call(failing_slowly, (1,), None)
        except KeyError as error:
            errors.append(error)

    run_threads(worker, 4)
    assert len(errors) == 4 and len(cache) == 0


def square_slowly(x):
    time.sleep(0.0005)
    return {"x": x, "sq": x * x}


def test_many_threads_many_keys_stay_correct():
    cache = CallCache(max_entries=64)   # small: eviction runs all the time
    failures = []

    def worker(seed):
        rng = random.Random(seed)
        for _ in range(300):
            x = rng.randrange(100)
            got = cache.call(square_slowly, (x,), None)
            if got != {"x": x, "sq": x * x}:
                failures.append((x, got))

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert cache.hits > 0 and len(cache) <= 64
    assert not cache._inflight and not cache._waiting


def tiny(x):
    return x + 1


def test_calls_cheaper_than_a_lookup_are_not_cached():
    cache = CallCache()
    for i in range(400):
        assert cache.call(tiny, (i,), None) == i + 1
    # Only the first calls and a few probes are keyed (timing noise on a loaded
    # machine may keep one or two of those); the rest are not even hashed.
    assert len(cache) < 20 and cache.uncached > 350
    stats = cache_mod._stats[tiny.__code__]
    assert stats.skip
    # ...and still found worth it once the same callee becomes expensive
    cache2 = CallCache()
    for i in range(40):
        assert cache2.call(sleepy, (1,), None) == 2
    assert cache2.hits == 39


def test_a_scan_larger_than_the_cache_still_hits():
    cache = CallCache(max_entries=4096, adaptive=False)
    for i in range(4200):
        cache.call(square_slowly, (i,), None)
    before = cache.hits
    for i in range(4200):
        cache.call(square_slowly, (i,), None)
    assert (cache.hits - before) / 4200 > 0.9
    assert len(cache) <= 4096


def test_the_memory_bound_is_in_bytes():
    def block(i):
        time.sleep(0.001)
        return bytes([i % 256]) * (1 << 20)

    cache = CallCache(max_bytes=10 << 20, adaptive=False)
    for i in range(40):
        assert cache.call(block, (i,), None)[0] == i % 256
    assert cache.nbytes <= 10 << 20 and 0 < len(cache) <= 10
    huge = CallCache(max_bytes=1 << 20, adaptive=False)
    huge.call(block, (1,), None)       # bigger than the whole cache: not kept
    assert len(huge) == 0


def test_cache_size_setting_bounds_memory(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.desync]\ncache-size = "2MB"\n')
    monkeypatch.chdir(tmp_path)
    from desync.decorator import make_cache
    assert make_cache(True).max_bytes == 2 << 20


def test_split_api_for_executors_elsewhere():
    cache = CallCache()
    key = cache.key_for(sleepy, (4,), None)
    assert cache.lookup(key) == (False, None)
    assert cache.store(key, 5, 0.5) is True
    again = cache.key_for(sleepy, (4,), None)
    assert again.id == key.id and cache.lookup(again) == (True, 5)
    cheap = cache.key_for(make_list, (9,), None)
    assert cache.store(cheap, [1], 1e-9) is False     # cheaper than the lookup
    assert cache.lookup(cheap) == (False, None)
    assert cache.key_for(stamp, (), None) is None
    assert cache.key_for(len, ([],), None) is None


def test_environment_switch_turns_caching_off(tmp_path):
    script = tmp_path / "env_cache.py"
    script.write_text(textwrap.dedent("""
        import time
        from desync import desync
        def work(x):
            time.sleep(0.01)
            return x
        @desync
        def outer():
            return work(1)
        outer(); outer()
        print(outer.get_cache().hits)
    """))
    for value, expected in (("0", "0"), ("1", "1")):
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
    # An entry copied over another's name (its checksum is right for its own key).
    store.put(3, b"\x03" * 16, b"three")
    store.put(3, b"\x04" * 16, b"four")
    paths = sorted(path for path, *_ in store.entries())
    with open(paths[0], "rb") as source, open(paths[1], "wb") as target:
        target.write(source.read())
    assert store.get(3, b"\x04" * 16) is None and store.get(3, b"\x03" * 16) == b"three"


def test_a_damaged_pickle_on_disk_is_a_miss(tmp_path):
    cache = CallCache(directory=tmp_path / "c", adaptive=False)
    assert cache.call(make_list, (3,), None) == [0, 1, 2]
    path = cache.disk.entries()[0][0]
    payload = b"\x80\x05not a pickle at all"
    from desync.runtime.diskstore import MAGIC, _checksum
    code_hash, inputs = int(os.path.basename(os.path.dirname(path)), 16), \
        bytes.fromhex(os.path.basename(path))
    with open(path, "wb") as handle:     # a valid checksum over a broken pickle
        handle.write(MAGIC + _checksum(code_hash, inputs, payload) + payload)
    other = CallCache(directory=tmp_path / "c", adaptive=False)
    assert other.call(make_list, (3,), None) == [0, 1, 2]
    assert other.hits == 0


def test_disk_hits_return_equal_copies(tmp_path):
    first = CallCache(directory=tmp_path / "c", adaptive=False)
    value = first.call(make_list, (4,), None)
    second = CallCache(directory=tmp_path / "c", adaptive=False)
    copy = second.call(make_list, (4,), None)
    assert copy == value and copy is not value and second.hits == 1
    again = second.call(make_list, (4,), None)   # now from memory: still its own object
    assert again == copy and again is not copy and second.hits == 2


def test_disk_store_refuses_a_folder_others_can_write(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o777)
    with pytest.raises(UnsafeStore):
        DiskStore(folder).get(1, b"x" * 16)
    cache = CallCache(directory=folder, adaptive=False)   # the cache runs uncached
    assert cache.call(make_list, (2,), None) == [0, 1]


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
        time.sleep(0.05)
        return {"x": x, "pid": "any"}
    @desync(cache=sys.argv[1])
    def outer(n):
        out = []
        for i in range(n):
            out.append(work(i))
        return out
    assert outer(int(sys.argv[2])) == [{"x": i, "pid": "any"} for i in range(int(sys.argv[2]))]
    print("hits", outer.get_cache().hits)
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
    assert later.stdout.split() == ["hits", "20"]     # every call hit the store
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
    looped.append(looped)  # self-referential: a back reference, never a crash
    assert hash_value(looped) == hash_value(looped)
    other = [1, 2]
    other.append([1, 2, other])
    assert hash_value(looped) != hash_value(other)
    assert hash_value([1, [2, [3, [4, [5, [6]]]]]]) == hash_value([1, [2, [3, [4, [5, [6]]]]]])
    assert hash_value((1, "1", 1.0, True, None)) != hash_value((1, "1", 1.0, 1, None))


def test_clear_and_eviction_racing_hits_never_serve_a_wrong_value():
    cache = CallCache(max_entries=32)
    failures = []
    stop = threading.Event()

    def worker(seed):
        rng = random.Random(seed)
        while not stop.is_set():
            x = rng.randrange(64)
            got = cache.call(square_slowly, (x,), None)
            if got != {"x": x, "sq": x * x}:
                failures.append((x, got))
            if rng.random() < 0.3:
                # A caller that will mutate its result asks for a fresh one: never a
                # shared object, and its object is never served to anyone else.
                mine = cache.call(square_slowly, (x,), None, fresh=True)
                mine["sq"] = -1

    def clearer():
        while not stop.is_set():
            cache.clear()
            time.sleep(0.001)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    threads.append(threading.Thread(target=clearer))
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    assert cache.hits > 0


def test_explain_says_why():
    from desync.runtime.cache import explain
    assert explain(sleepy) == (True, "computes from its arguments")
    cached, why = explain(total)
    assert not cached and "open" in why
    assert explain(fresh) == (False, "marked desync.nocache")
    assert explain(total_trusted) == (True, "marked desync.cacheable")
    assert not explain(len)[0]


def test_fresh_is_accepted_and_every_mutable_result_is_the_callers_own():
    cache = CallCache(adaptive=False)
    first = cache.call(make_list, (3,), None)
    mine = cache.call(make_list, (3,), None, fresh=True)
    assert mine == first and mine is not first and cache.hits == 1
    mine.append(9)
    assert cache.call(make_list, (3,), None) == [0, 1, 2]
    assert cache.call(sleepy, (1,), None, fresh=True) == 2
    key = cache.key_for(make_list, (5,), None)
    stored = [0, 1, 2, 3, 4]
    assert cache.store(key, stored, 1.0, fresh=True) is True   # the cache keeps a copy
    stored.append("changed after the store")
    found, value = cache.lookup(key, fresh=True)
    assert found and value == [0, 1, 2, 3, 4]
    found, other = cache.lookup(key)
    assert found and other == value and other is not value


def test_the_class_of_an_input_counts_by_its_code(tmp_path, monkeypatch):
    boxes = textwrap.dedent("""
        import dataclasses

        @dataclasses.dataclass
        class Box:
            width: int

            def area(self):
                return self.width * {factor}
    """)
    (tmp_path / "measuring.py").write_text(textwrap.dedent("""
        import time
        import boxes_mod

        def measure(box):
            time.sleep(0.002)
            return box.area()
    """))
    monkeypatch.syspath_prepend(str(tmp_path))

    def load(factor):
        (tmp_path / "boxes_mod.py").write_text(boxes.format(factor=factor))
        sys.modules.pop("boxes_mod", None)
        import boxes_mod
        return boxes_mod.Box

    old = load(2)
    import measuring
    measure = measuring.measure
    cache = CallCache(adaptive=False)
    first = cache.key_for(measure, (old(3),), None)
    assert first is not None        # area() does not change the box: cacheable
    assert first.id == cache.key_for(measure, (old(3),), None).id
    assert first.id != cache.key_for(measure, (old(4),), None).id
    new = load(5)          # the same class name, another method body
    assert first.id != cache.key_for(measure, (new(3),), None).id


def first_item(xs):
    return xs[0]


def scan(xs):
    time.sleep(len(xs) * 3e-6)   # a call that costs in proportion to its input
    return len(xs)


def test_inputs_bigger_than_the_call_is_worth_are_not_hashed():
    # A cheap callee given a long list: hashing the list on every call made n calls
    # cost O(n * len): the hashing budget follows what the callee's calls cost.
    cache = CallCache()
    cache.call(first_item, ([1, 2],), None)
    cache.call(first_item, ([3, 4],), None)
    stats = cache_mod._stats[first_item.__code__]
    assert 0 <= stats.cost < 0.01
    big = list(range(1_000_000))
    started = time.perf_counter()
    for _ in range(20):
        assert cache.call(first_item, (big,), None) == 0
    elapsed = time.perf_counter() - started
    # Hashing the list 20 times takes seconds; a budget of a small call's worth
    # stops at once. Generous: a loaded machine.
    assert elapsed < 2.0, elapsed
    assert cache.uncached >= 20


def test_a_callee_found_slow_gets_its_big_inputs_cached():
    cache = CallCache()
    cache.call(scan, ([1],), None)                 # cheap: a small budget
    big = list(range(100_000))                     # 0.3 s of work, ~4 MB to hash
    assert cache.call(scan, (big,), None) == 100_000   # too big to hash: timed
    assert cache.uncached == 1
    assert cache.call(scan, (big,), None) == 100_000   # now worth it: stored
    assert cache.call(scan, (big,), None) == 100_000   # a hit
    assert cache.hits == 1


def load_and_scan(xs):
    time.sleep(0.3)   # worth more than hashing its input twice over
    return len(xs)


def test_a_first_call_on_big_data_is_cached():
    # What a disk cache is for: one call per process, on big data. Before anything
    # is known of the callee, its inputs are hashed whatever their size.
    cache = CallCache()
    big = list(range(100_000))
    assert cache.call(load_and_scan, (big,), None) == 100_000
    assert cache.call(load_and_scan, (big,), None) == 100_000
    assert cache.hits == 1


def test_two_definitions_of_one_name_have_keys_of_their_own(tmp_path, monkeypatch):
    """A factory's two branches, and a def made again, share a qualified name: the
    cache must not answer one with the other's result."""
    (tmp_path / "variants_mod.py").write_text(textwrap.dedent("""
        import time

        def make(double):
            if double:
                def conv(x):
                    time.sleep(0.002)
                    return x * 2
            else:
                def conv(x):
                    time.sleep(0.002)
                    return x * 3
            return conv

        def scale(x):
            return x + 1

        OLD_SCALE = scale

        def scale(x):
            return x + 1000
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("variants_mod", None)
    import variants_mod
    cache = CallCache(adaptive=False)
    twice, thrice = variants_mod.make(True), variants_mod.make(False)
    assert [cache.call(f, (5,), None) for f in (twice, thrice, twice)] == [10, 15, 10]
    assert [cache.call(f, (1,), None) for f in (variants_mod.OLD_SCALE, variants_mod.scale)] \
        == [2, 1001]


# -- issue: a hit handed one mutable result to two holders ---------------------------------
# Plain Python builds a new list on every call of make_list; the cache must not make
# two callers share one (a change through one would show through the other).

@dz
def two_rows(n):
    r = make_list(n)
    s = make_list(n)
    r.append("extra")
    return r, s, r is s


@dz
def row_then_row(n):
    r = make_list(n)
    r.append("x")
    s = make_list(n)
    return r, s


@dz(max_workers=1)
def two_rows_one_worker(n):
    r = make_list(n)
    s = make_list(n)
    r.append("extra")
    return r, s, r is s


@dz(max_workers=1)
def row_then_row_one_worker(n):
    r = make_list(n)
    r.append("x")
    s = make_list(n)
    return r, s


@pytest.mark.parametrize("mode", ["threads", "one-worker", "sequential"])
def test_two_calls_never_share_a_result_they_built(mode):
    first, then = (two_rows_one_worker, row_then_row_one_worker) if mode == "one-worker" \
        else (two_rows, row_then_row)
    fresh_cache(first)
    fresh_cache(then)
    for i in range(6):  # the later rounds hit
        n = i % 2 + 1
        if mode == "sequential":
            with desync.sequential():
                got, seen = first(n), then(n)
        else:
            got, seen = first(n), then(n)
        assert got == (list(range(n)) + ["extra"], list(range(n)), False)
        assert seen == (list(range(n)) + ["x"], list(range(n)))


def test_a_result_handed_out_is_never_the_cached_object():
    cache = CallCache(adaptive=False)
    first = cache.call(make_list, (3,), None)
    second = cache.call(make_list, (3,), None)
    third = cache.call(make_list, (3,), None)
    assert cache.hits == 2
    assert first == second == third == [0, 1, 2]
    assert first is not second and second is not third and first is not third
    second.append("mine")
    assert cache.call(make_list, (3,), None) == [0, 1, 2]
    assert cache.hits == 3


def test_waiters_on_one_call_get_objects_of_their_own():
    cache = CallCache()
    results = []

    def worker():
        mine = cache.call(slow_identity, (7,), None)
        mine.append(threading.get_ident())
        results.append(mine)

    run_threads(worker, 12)
    assert cache.misses == 1 and cache.hits == 11
    assert len({id(r) for r in results}) == 12
    assert all(len(r) == 2 and r[0] == 7 for r in results)


REGISTRY = {"a": [1, 2]}


def registered(name):
    time.sleep(0.003)
    return REGISTRY


def tagged_sentinel(n):
    time.sleep(0.003)
    return [MISSING, n, {"row": list(range(n))}]


def test_objects_from_the_callees_world_keep_their_identity():
    cache = CallCache(adaptive=False)
    for _ in range(3):
        assert cache.call(registered, ("a",), None) is REGISTRY
    first = cache.call(tagged_sentinel, (2,), None)
    second = cache.call(tagged_sentinel, (2,), None)
    assert cache.hits == 3
    assert second[0] is MISSING and first[0] is MISSING       # shared, as in plain Python
    assert second == first and second is not first            # built by the call: its own
    assert second[2]["row"] is not first[2]["row"]


def test_a_hit_from_disk_then_memory_is_never_shared(tmp_path):
    cache = CallCache(directory=str(tmp_path), adaptive=False)
    cache.call(make_list, (4,), None)
    again = CallCache(directory=str(tmp_path), adaptive=False)
    a = again.call(make_list, (4,), None)
    b = again.call(make_list, (4,), None)
    assert again.hits == 2 and a == b == [0, 1, 2, 3] and a is not b


# -- issue: class attributes were missing from keys ------------------------------------------

class Settings:
    level = 1          # rebound between calls
    handlers = {}      # a class-level registry, changed in place
    shared_rows = [[1, 2]]


def scaled_by_class(x):
    time.sleep(0.003)
    return x * Settings.level


def handler_for(name):
    time.sleep(0.003)
    return Settings.handlers.get(name, "missing")


def class_rows():
    time.sleep(0.003)
    return Settings.shared_rows


def test_class_attributes_a_callee_reads_are_in_its_key():
    cache = CallCache(adaptive=False)
    for i in range(4):
        Settings.level = i
        Settings.handlers["h"] = i
        assert cache.call(scaled_by_class, (5,), None) == 5 * i
        assert cache.call(handler_for, ("h",), None) == i
        assert cache.call(handler_for, ("h",), None) == i
    assert cache.hits == 4
    assert cache.call(class_rows, (), None) is Settings.shared_rows   # its world's object
    assert cache.call(class_rows, (), None) is Settings.shared_rows


class Price:
    rate = 1

    def __init__(self, amount):
        self.amount = amount


def price_total(p):
    time.sleep(0.003)
    return p.amount * p.rate


class Node:
    default = None      # an instance of the class itself: hashing must not recurse
    tags = ["a"]

    def __init__(self, v):
        self.v = v


Node.default = Node(0)


def node_value(node):
    time.sleep(0.003)
    return node.v + len(node.tags) + node.default.v


def test_class_attributes_of_an_input_count():
    cache = CallCache(adaptive=False)
    p = Price(10)
    for rate in (1, 2, 3, 2):
        Price.rate = rate
        assert cache.call(price_total, (p,), None) == 10 * rate
    assert cache.hits == 1
    n = Node(5)
    assert cache.call(node_value, (n,), None) == 6
    Node.tags.append("b")
    assert cache.call(node_value, (n,), None) == 7
    assert cache.call(node_value, (n,), None) == 7
    assert cache.hits == 2


def make_cell_reader():
    v = None

    def helper(x):
        time.sleep(0.003)
        return (x, v)

    def forget():
        nonlocal v
        del v
    return helper, forget


def test_an_emptied_closure_cell_is_not_a_cell_holding_none():
    cache = CallCache(adaptive=False)
    helper, forget = make_cell_reader()
    assert cache.call(helper, (1,), None) == (1, None)
    forget()
    with pytest.raises(NameError):
        cache.call(helper, (1,), None)
    with pytest.raises(NameError):
        cache.call(helper, (1,), None)


def make_reached_cell_reader():
    v = 10

    def inner_read(x):
        return (x, v)

    def forget():
        nonlocal v
        del v

    def refill(value):
        nonlocal v
        v = value
    return inner_read, forget, refill


reached_read, forget_reached, refill_reached = make_reached_cell_reader()


def reaches_a_cell(x):
    time.sleep(0.003)
    return reached_read(x)


def test_a_cell_of_a_reached_function_emptied_and_filled_again_counts():
    cache = CallCache(adaptive=False)
    forget_reached()
    with pytest.raises(NameError):
        cache.call(reaches_a_cell, (1,), None)
    refill_reached(3)
    assert cache.call(reaches_a_cell, (1,), None) == (1, 3)
    refill_reached(4)
    assert cache.call(reaches_a_cell, (1,), None) == (1, 4)
    forget_reached()
    with pytest.raises(NameError):
        cache.call(reaches_a_cell, (1,), None)


def reads_a_late_global(x):
    time.sleep(0.003)
    return x * LATE_FACTOR  # noqa: F821 - defined by the test, after the first call


def test_a_global_defined_after_the_first_call_is_in_the_key():
    cache = CallCache(adaptive=False)
    with pytest.raises(NameError):
        cache.call(reads_a_late_global, (2,), None)
    try:
        globals()["LATE_FACTOR"] = 3
        assert cache.call(reads_a_late_global, (2,), None) == 6
        globals()["LATE_FACTOR"] = 5
        assert cache.call(reads_a_late_global, (2,), None) == 10
    finally:
        globals().pop("LATE_FACTOR", None)


def shadowed_builtin(x):
    time.sleep(0.003)
    return len(x)


def test_a_builtin_shadowed_later_by_a_global_is_seen():
    cache = CallCache(adaptive=False)
    assert cache.call(shadowed_builtin, ("abc",), None) == 3
    try:
        globals()["len"] = lambda x: 99
        assert cache.call(shadowed_builtin, ("abc",), None) == 99
    finally:
        globals().pop("len", None)
    assert cache.call(shadowed_builtin, ("abc",), None) == 3


def read_module_setting(mod, x):
    time.sleep(0.003)
    return x + mod.DESYNC_TEST_LEVEL


def test_a_module_passed_as_an_input_counts_by_its_settings():
    import json
    cache = CallCache(adaptive=False)
    try:
        for level in (1, 2, 1):
            json.DESYNC_TEST_LEVEL = level
            assert cache.call(read_module_setting, (json, 10), None) == 10 + level
        assert cache.hits == 1
    finally:
        del json.DESYNC_TEST_LEVEL


RATE_A = 1


def rate_by_name(name):
    time.sleep(0.003)
    return globals()["RATE_" + name]


def test_globals_looked_up_by_a_computed_name_count():
    global RATE_A
    cache = CallCache(adaptive=False)
    try:
        for value in (1, 2, 3, 2):
            RATE_A = value
            assert cache.call(rate_by_name, ("A",), None) == value
        assert cache.hits == 1
    finally:
        RATE_A = 1


def test_the_switch_back_makes_every_call():
    cache = fresh_cache(outer)
    with desync.sequential():
        outer(40)
        outer(40)
    assert cache.hits == 0 and cache.misses == 0   # plain Python's calls, every one
    outer(40)
    outer(40)
    assert cache.hits == 2


# -- issue: copies a hit gave that plain Python never makes -----------------------------------
import dataclasses  # noqa: E402

def returns_library_sentinel(k):
    time.sleep(0.003)
    return [{"a": 1}.get(k, dataclasses.MISSING), k]


def returns_a_lambda(n):
    time.sleep(0.003)
    return [lambda: n, n]


def returns_a_local_class(n):
    time.sleep(0.003)

    class Local:
        x = n
    return Local


class DropsMemo:
    def __init__(self, n):
        self.n = n
        self.memo = {"sq": n * n}

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("memo", None)
        return state


def builds_drops_memo(n):
    time.sleep(0.003)
    return DropsMemo(n)


def test_a_hit_never_gives_a_copy_plain_python_would_not_make():
    cache = CallCache(adaptive=False)
    for _ in range(3):   # a stateless library sentinel: shared, as plain Python shares it
        assert cache.call(returns_library_sentinel, ("z",), None)[0] is dataclasses.MISSING
    assert cache.hits == 2
    # A lambda, a class made by the call, an object whose pickle leaves state out:
    # no copy could be what plain Python returns, so they are not kept.
    first = cache.call(returns_a_lambda, (1,), None)[0]
    first.count = 1
    again = cache.call(returns_a_lambda, (1,), None)[0]
    assert again is not first and not hasattr(again, "count") and again() == 1
    local = cache.call(returns_a_local_class, (1,), None)
    local.x += 1
    assert cache.call(returns_a_local_class, (1,), None).x == 1
    for _ in range(2):
        assert cache.call(builds_drops_memo, (3,), None).memo == {"sq": 9}
    assert cache.hits == 2


def array_and_view(n):
    import numpy
    time.sleep(0.003)
    a = numpy.zeros(n)
    return a, a[1:]


def broadcast_row(n):
    import numpy
    time.sleep(0.003)
    return numpy.broadcast_to(numpy.arange(3.0), (n, 3))


def test_views_in_results_are_not_copied_apart():
    pytest.importorskip("numpy")
    import numpy
    cache = CallCache(adaptive=False)
    for i in range(3):
        a, view = cache.call(array_and_view, (4,), None)
        a[1] = i + 1
        assert view[0] == i + 1 and numpy.shares_memory(a, view)
        row = cache.call(broadcast_row, (2,), None)
        assert row.strides == (0, 8) and not row.flags.writeable


def squares_of(a):
    time.sleep(0.003)
    return (a * a).tolist(), type(a).__name__, getattr(a, "unit", None), a.strides


def test_array_subclasses_and_strides_are_part_of_the_key():
    numpy = pytest.importorskip("numpy")

    class Unit(numpy.ndarray):
        def __new__(cls, data, unit):
            obj = numpy.asarray(data).view(cls)
            obj.unit = unit
            return obj

        def __array_finalize__(self, obj):
            self.unit = getattr(obj, "unit", None)

    cache = CallCache(adaptive=False)
    plain = numpy.array([[1, 2], [3, 4]])
    got = [cache.call(squares_of, (value,), None) for value in (
        plain, numpy.matrix(plain), numpy.ma.masked_array(plain, mask=[[0, 1], [0, 0]]),
        Unit(plain, "m"), Unit(plain, "km"), numpy.asfortranarray(plain),
        numpy.arange(8).reshape(2, 4)[:, ::2] + 0, numpy.arange(8).reshape(2, 4)[:, ::2])]
    expected = [squares_of(v) for v in (
        plain, numpy.matrix(plain), numpy.ma.masked_array(plain, mask=[[0, 1], [0, 0]]),
        Unit(plain, "m"), Unit(plain, "km"), numpy.asfortranarray(plain),
        numpy.arange(8).reshape(2, 4)[:, ::2] + 0, numpy.arange(8).reshape(2, 4)[:, ::2])]
    assert got == expected


def test_only_one_first_call_gets_the_generous_hashing_budget():
    # Many first calls at once (a loop in a body) would each hash a big table the
    # callee reads before any call is timed: only the first does; the others are
    # timed instead of keyed.
    stats = cache_mod._Stats()
    assert stats.hashing_budget() == cache_mod._FIRST_BUDGET
    assert stats.hashing_budget() == cache_mod._MIN_BUDGET
    stats.learn(1.0)
    assert stats.hashing_budget() == 0.5 * cache_mod._HASH_RATE


def look_up_big(k):
    return BIG_TABLE.get(k)  # noqa: F821 - set by the test (a big module global)


def test_a_cheap_lookup_into_a_big_global_is_not_keyed_after_its_first_call():
    globals()["BIG_TABLE"] = {i: i * 2 for i in range(200_000)}
    try:
        cache = CallCache()
        assert cache.call(look_up_big, (1,), None) == 2
        before = cache.hits + cache.misses
        for i in range(200):
            assert cache.call(look_up_big, (i,), None) == 2 * i
        assert cache.hits + cache.misses - before < 30   # probes only: no hashing the table
    finally:
        del globals()["BIG_TABLE"]


class BaseSettings:
    level = 1
    factor = 2

    class Database:
        port = 1

    @classmethod
    def scaled(cls, x):
        return x * cls.factor


class ChildSettings(BaseSettings):
    pass


def inherited_level(x):
    time.sleep(0.003)
    return x * ChildSettings.level


def nested_port(x):
    time.sleep(0.003)
    return x + BaseSettings.Database.port


def through_classmethod(x):
    time.sleep(0.003)
    return BaseSettings.scaled(x)


def by_computed_name(x, name):
    time.sleep(0.003)
    return x * getattr(BaseSettings, "lev" + name) + BaseSettings.__dict__["factor"]


def test_class_state_reached_indirectly_is_in_the_key():
    cache = CallCache(adaptive=False)
    calls = [(inherited_level, (2,)), (nested_port, (2,)), (through_classmethod, (2,)),
             (by_computed_name, (2, "el"))]
    saved = BaseSettings.level, BaseSettings.factor, BaseSettings.Database.port
    try:
        for level in (1, 2, 3, 2):
            BaseSettings.level = BaseSettings.factor = BaseSettings.Database.port = level
            for fn, args in calls:
                assert cache.call(fn, args, None) == fn(*args)
        ChildSettings.level = 10    # shadowed later by the subclass
        assert cache.call(inherited_level, (2,), None) == 20
    finally:
        BaseSettings.level, BaseSettings.factor, BaseSettings.Database.port = saved
        del ChildSettings.level
    assert cache.hits == 4


TAX = 2


class Item:
    def __init__(self, price):
        self.price = price

    def total(self):
        return self.price * TAX


def item_total(item):
    time.sleep(0.003)
    return item.total()


def weighted(fn, x):
    time.sleep(0.003)
    return x * getattr(fn, "weight", 1)


def weight_of_one():
    return 1


def scaled_by_builtin(x):
    time.sleep(0.003)
    return x * DESYNC_TEST_SCALE  # noqa: F821 - a builtin set by the test


def test_state_read_through_inputs_and_builtins_is_in_the_key():
    import builtins
    global TAX
    cache = CallCache(adaptive=False)
    item = Item(100)
    try:
        for tax in (2, 3, 2):
            TAX = tax          # read by a method of the input
            assert cache.call(item_total, (item,), None) == 100 * tax
        for weight in (1, 4, 1):
            weight_of_one.weight = weight   # an attribute of an input function
            assert cache.call(weighted, (weight_of_one, 5), None) == 5 * weight
        for scale in (1, 3, 1):
            builtins.DESYNC_TEST_SCALE = scale
            assert cache.call(scaled_by_builtin, (5,), None) == 5 * scale
    finally:
        TAX = 2
        del weight_of_one.weight
        del builtins.DESYNC_TEST_SCALE
    assert cache.hits == 3


class Registry:
    DEFAULTS = {"retries": 3}

    def defaults(self):
        return Registry.DEFAULTS


def defaults_of(registry):
    time.sleep(0.003)
    return [registry.DEFAULTS, registry.defaults(), {"built": True}]


def registry_of(module):
    time.sleep(0.003)
    return [module.DESYNC_TEST_REGISTRY]


def test_objects_reached_through_inputs_keep_their_identity():
    import types
    cache = CallCache(adaptive=False)
    registry = Registry()
    for _ in range(3):
        got = cache.call(defaults_of, (registry,), None)
        assert got[0] is Registry.DEFAULTS and got[1] is Registry.DEFAULTS
        got[2]["built"] = False    # built by the call: the caller's own
    assert cache.hits == 2
    module = types.ModuleType("tests_desync_registry")
    module.__name__ = __name__   # a module of the project
    module.DESYNC_TEST_REGISTRY = {"a": 1}
    for _ in range(2):
        assert cache.call(registry_of, (module,), None)[0] is module.DESYNC_TEST_REGISTRY


def decimal_seventh(x):
    import decimal
    time.sleep(0.003)
    return str(decimal.Decimal(x) / decimal.Decimal(7))


class HidesScale:
    def __init__(self, n, scale):
        self.n = n
        self.scale = scale

    def __getstate__(self):
        return {"n": self.n}


def scaled_model(m):
    time.sleep(0.003)
    return m.n * m.scale


def test_the_decimal_context_and_state_pickle_hides_are_in_the_key():
    import decimal
    cache = CallCache(adaptive=False)
    for precision in (3, 5, 3):
        with decimal.localcontext() as context:
            context.prec = precision
            assert cache.call(decimal_seventh, (1,), None) == decimal_seventh(1)
    for scale in (1, 2, 1):
        assert cache.call(scaled_model, (HidesScale(2, scale),), None) == 2 * scale
    assert cache.hits == 2


def set_that_shrank(n):
    time.sleep(0.003)
    s = set(range(100))
    for x in range(100):
        if x not in (2, 9):
            s.discard(x)
    return s, {n, n + 1}


def test_a_hit_never_changes_a_sets_iteration_order():
    cache = CallCache(adaptive=False)
    expected = [list(part) for part in set_that_shrank(1)]
    for _ in range(3):
        assert [list(part) for part in cache.call(set_that_shrank, (1,), None)] == expected
    assert cache.call(set_that_shrank, (1,), None)[1] == {1, 2}


def test_a_namespace_package_of_the_project_is_followed(tmp_path, monkeypatch):
    # A package without __init__.py has no __file__: it is still the project's code,
    # so what its functions read is in the key.
    package = tmp_path / "desync_ns_pkg"
    package.mkdir()
    (package / "rates.py").write_text(textwrap.dedent("""
        import time
        RATE = 2

        def rate():
            return RATE

        def priced(x):
            time.sleep(0.003)
            return x * rate()
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib
    rates = importlib.import_module("desync_ns_pkg.rates")
    try:
        cache = CallCache(adaptive=False)
        for value in (2, 3, 2):
            rates.RATE = value
            assert cache.call(rates.priced, (5,), None) == 5 * value
        assert cache.hits == 1
    finally:
        for name in ("desync_ns_pkg.rates", "desync_ns_pkg"):
            sys.modules.pop(name, None)
            cache_mod._module_kinds.pop(name, None)


class UserId(str):
    pass


class Temperature(float):
    pass


class Shape(__import__("abc").ABC):
    factor = 2


class Point(__import__("collections").namedtuple("Point", "x y")):
    SCALE = 1


def describe_input(value):
    time.sleep(0.003)
    if isinstance(value, type):
        return value.factor
    if isinstance(value, Point):
        return (value.x + value.y) * value.SCALE + getattr(value, "tag", 0)
    return repr(value)


class Accumulator:
    def add(self, v):
        self.total = getattr(self, "total", 0) + v


def make_accumulator(n):
    time.sleep(0.003)
    return [Accumulator(), n]


def test_more_inputs_and_results_the_cache_must_tell_apart():
    cache = CallCache(adaptive=False)
    # Subclasses of builtins carry their value; metaclass classes and named-tuple
    # subclasses their class data and attributes.
    for value in (UserId("a"), UserId("b"), Temperature(0.5), Temperature(1.5)):
        assert cache.call(describe_input, (value,), None) == repr(value)
    for factor in (2, 3):
        Shape.factor = factor
        assert cache.call(describe_input, (Shape,), None) == factor
    p = Point(1, 2)
    for scale, tag in ((1, 0), (2, 0), (2, 5)):
        Point.SCALE = scale
        if tag:
            p.tag = tag
        assert cache.call(describe_input, (p,), None) == 3 * scale + tag
    Shape.factor, Point.SCALE = 2, 1
    assert cache.hits == 0
    # An object the call made with no state yet is the caller's own, not a sentinel.
    first = cache.call(make_accumulator, (1,), None)[0]
    first.add(5)
    again = cache.call(make_accumulator, (1,), None)[0]
    assert again is not first and not hasattr(again, "total")


def arrays_in_a_dict(n):
    import numpy
    time.sleep(0.003)
    return {"data": numpy.arange(n)}


def first_of(a, b):
    time.sleep(0.003)
    return float(a[0]), float(b[1])


def test_numpy_inputs_and_results_in_containers():
    numpy = pytest.importorskip("numpy")
    cache = CallCache(adaptive=False)
    days = numpy.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]")
    assert cache.call(describe_input, (days,), None) == repr(days)   # hashed, no crash
    b = numpy.zeros(4)
    assert cache.call(first_of, (b[:2], b), None) == (0.0, 0.0)
    b[1] = 1.0   # the base passed after its view: its contents count
    assert cache.call(first_of, (b[:2], b), None) == (0.0, 1.0)
    for _ in range(2):
        got = cache.call(arrays_in_a_dict, (3,), None)["data"]
        got.resize(5, refcheck=False)   # owns its memory, as plain Python's does
        assert got.tolist() == [0, 1, 2, 0, 0]


def times(k):
    def decorate(fn):
        @__import__("functools").wraps(fn)
        def wrapper(x):
            return k * fn(x)
        return wrapper
    return decorate


def plus_one_slowly(x):
    time.sleep(0.003)
    return x + 1


doubled = times(2)(plus_one_slowly)
tripled = times(3)(plus_one_slowly)


def around(fn):
    def wrapper(x):
        return fn(x)
    return wrapper


def shouts(x):
    time.sleep(0.003)
    print("shouts", x)
    return x


quiet_wrapper = around(plus_one_slowly)
loud_wrapper = around(shouts)
LOUD_TABLE = {"loud": shouts}


def apply_slowly(fn, x):
    time.sleep(0.003)
    return fn(x)


def dispatch_slowly(kind, x):
    time.sleep(0.003)
    return LOUD_TABLE[kind](x)


def test_decorators_and_functions_handed_over_are_told_apart(capsys):
    cache = CallCache(adaptive=False)
    for _ in range(2):   # two wraps-decorated wrappers of one function: not one key
        assert (cache.call(doubled, (1,), None), cache.call(tripled, (1,), None)) == (4, 6)
    for _ in range(2):   # one wrapper code, two closures: the loud one is never cached
        cache.call(quiet_wrapper, (1,), None)
        cache.call(loud_wrapper, (1,), None)
        cache.call(apply_slowly, (shouts, 2), None)
        cache.call(dispatch_slowly, ("loud", 3), None)
    assert capsys.readouterr().out.count("shouts") == 6


def json_setting(x):
    import json  # noqa: F401 - (named as a global below)
    time.sleep(0.003)
    return x + JSON_MODULE.DESYNC_TEST_LEVEL + getattr(JSON_MODULE, "DESYNC_TEST_" + "OTHER")


JSON_MODULE = __import__("json")


def test_settings_a_program_puts_on_a_library_module_are_in_the_key():
    cache = CallCache(adaptive=False)
    try:
        for level in (1, 2, 1):
            JSON_MODULE.DESYNC_TEST_LEVEL = level
            JSON_MODULE.DESYNC_TEST_OTHER = 10 * level
            assert cache.call(json_setting, (1,), None) == 1 + 11 * level
        assert cache.hits == 1
    finally:
        del JSON_MODULE.DESYNC_TEST_LEVEL, JSON_MODULE.DESYNC_TEST_OTHER


class Rules:
    @staticmethod
    def rate():
        return 1

    class Limits:
        top = 1


class CountedMeta(type):
    factor = 1


class Counted(metaclass=CountedMeta):
    pass


def rule_price(n):
    time.sleep(0.003)
    return n * Rules.rate() + Counted.factor


def limits_of(rules):
    time.sleep(0.003)
    return rules.Limits.top


def tenth(d):
    time.sleep(0.003)
    return str(d / 10 / 3)


def keeps_in_closure():
    store = {"kept": []}

    def give():
        return store
    return give


def returns_what_fn_holds(fn):
    time.sleep(0.003)
    return [fn()["kept"]]


def test_replaced_methods_metaclasses_decimals_and_held_objects():
    import decimal
    cache = CallCache(adaptive=False)
    try:
        assert cache.call(rule_price, (3,), None) == 4
        Rules.rate = staticmethod(lambda: 7)       # a method replaced
        assert cache.call(rule_price, (3,), None) == 22
        CountedMeta.factor = 5                     # an attribute of the metaclass
        assert cache.call(rule_price, (3,), None) == 26
        for top in (1, 2):
            Rules.Limits.top = top                 # a nested class of an input
            assert cache.call(limits_of, (Rules(),), None) == top
        for precision in (3, 6):
            with decimal.localcontext() as context:
                context.prec = precision
                assert cache.call(tenth, (decimal.Decimal(1),), None) == tenth(
                    decimal.Decimal(1))
    finally:
        Rules.rate = staticmethod(lambda: 1)
        CountedMeta.factor, Rules.Limits.top = 1, 1
    assert cache.hits == 0
    give = keeps_in_closure()
    for _ in range(2):   # an object the given function holds: shared, not copied
        assert cache.call(returns_what_fn_holds, (give,), None)[0] is give()["kept"]
    assert cache.hits == 1


class Thresholds:
    level = 1
    level_b = 10


def level_from(cls):
    return cls.level


def reads_through_a_helper(x):
    time.sleep(0.003)
    return x * level_from(Thresholds)


def reads_by_attrgetter(name):
    import operator
    time.sleep(0.003)
    return operator.attrgetter("level_" + name)(Thresholds)


class CompactEncoder(__import__("json").JSONEncoder):
    item_separator = ","


def encoded(values):
    import json
    time.sleep(0.003)
    return json.dumps(values, cls=CompactEncoder)


def test_class_data_read_by_other_code_is_in_the_key():
    cache = CallCache(adaptive=False)
    try:
        for level in (1, 2):
            Thresholds.level = level
            Thresholds.level_b = 10 * level
            CompactEncoder.item_separator = "," if level == 1 else ", "
            assert cache.call(reads_through_a_helper, (3,), None) == 3 * level
            assert cache.call(reads_by_attrgetter, ("b",), None) == 10 * level
            assert cache.call(encoded, ([1, 2],), None) == encoded([1, 2])
    finally:
        Thresholds.level, Thresholds.level_b = 1, 10
        CompactEncoder.item_separator = ","
    assert cache.hits == 0


def rate_of(k):
    time.sleep(0.003)
    return rate_of.rates[k]


rate_of.rates = {"a": 1}
STYLE_DEFAULTS = {"color": "plain"}


def styled(options):
    time.sleep(0.003)
    return "defaults" if options is STYLE_DEFAULTS else "custom:" + options["color"]


class Money(__import__("decimal").Decimal):
    pass


class Tally(__import__("collections").Counter):
    pass


def describe_money(m):
    time.sleep(0.003)
    return str(m), getattr(m, "currency", None)


def make_tally(n):
    time.sleep(0.003)
    t = Tally(a=n)
    t.label = "tally"
    return t


def failure_as_value(n):
    time.sleep(0.003)
    try:
        raise ValueError(n)
    except ValueError as error:
        return error


def test_round_three_keys_and_copies():
    cache = CallCache(adaptive=False)
    for rate in (1, 2, 3):   # the callee's own attribute
        rate_of.rates["a"] = rate
        assert cache.call(rate_of, ("a",), None) == rate
    copy_of_defaults = dict(STYLE_DEFAULTS)
    assert cache.call(styled, (STYLE_DEFAULTS,), None) == "defaults"
    assert cache.call(styled, (copy_of_defaults,), None) == "custom:plain"
    for currency in ("EUR", "USD"):   # attributes a library base's pickling leaves out
        m = Money("1.5")
        m.currency = currency
        assert cache.call(describe_money, (m,), None) == ("1.5", currency)
    for _ in range(2):
        assert cache.call(make_tally, (2,), None).label == "tally"
        assert cache.call(failure_as_value, (1,), None).__traceback__ is not None
    assert cache.hits == 0


CONFIG_LOCK = threading.RLock()


def locked_read(k):
    time.sleep(0.002)
    with CONFIG_LOCK:
        return k * 2


@dz
def reads_under_the_callers_lock(keys):
    return [locked_read(k) for k in keys]


def test_a_callee_taking_a_lock_the_caller_holds_does_not_deadlock():
    result = []

    def run():
        with CONFIG_LOCK:
            result.append(reads_under_the_callers_lock([1, 2, 3]))
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive() and result == [[2, 4, 6]]


def _grown_then_shrunk(n):
    time.sleep(0.002)
    found = set(range(50 + n))
    for x in range(45):
        found.discard(x)
    return found


def test_a_set_that_grew_and_shrank_iterates_as_plain_pythons_after_a_change():
    cache = CallCache(adaptive=False)
    plain = _grown_then_shrunk(0)
    plain.add(1000)
    for _ in range(3):
        got = cache.call(_grown_then_shrunk, (0,), None)
        got.add(1000)
        assert list(got) == list(plain)
    # A set built in one go copies with the same table: it is still kept.
    built = CallCache(adaptive=False)
    built.call(_small_set, (3,), None)
    assert len(built) == 1


def _small_set(n):
    time.sleep(0.002)
    return {n, n + 1, n + 2}


def test_clearing_or_pruning_a_folder_touches_only_desync_entries(tmp_path):
    from desync.runtime.diskstore import DiskStore
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("keep me")
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "core.py").write_text("keep me too")
    (tmp_path / "README").write_text("and me")
    tmp_path.chmod(0o700)
    store = DiskStore(tmp_path)
    store.put(0xABC, b"\x01" * 16, b"payload")
    store.put(0xDEF, b"\x02" * 16, b"payload")
    assert store.info()["entries"] == 2
    assert store.prune([0xABC]) == 1
    assert store.clear() == 1
    assert (tmp_path / "docs" / "notes.md").read_text() == "keep me"
    assert (tmp_path / "src" / "app" / "core.py").read_text() == "keep me too"
    assert (tmp_path / "README").read_text() == "and me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README", "docs", "src"]


def test_keys_that_are_never_used_stop_being_made_unless_cheap_next_to_the_call():
    window = cache_mod._FRUITLESS_WINDOW
    # Every input new, a key costing a fifth of the call: lookups stop (probes go on).
    stats = cache_mod._Stats()
    for _ in range(window):
        stats.missed(20e-6, 100e-6)
    assert stats.skip and stats.fruitless and stats.countdown == stats.period
    # Still fruitless at the next window: probes get rarer.
    period = stats.period
    for _ in range(window):
        stats.missed(20e-6, 100e-6)
    assert stats.period == period * 2
    # A probe that hits: every call is looked up again.
    stats.cost = 100e-6
    stats.hit(20e-6)
    assert not stats.skip and not stats.fruitless and stats.period == 16
    # Keys costing under 5 % of a slow call are always made, hits or not.
    slow = cache_mod._Stats()
    for _ in range(window * 3):
        slow.missed(20e-6, 0.01)
    assert not slow.skip
    # Lookups that hit often enough pay for themselves (here one call in three).
    useful = cache_mod._Stats()
    useful.cost = 100e-6
    for i in range(window * 3):
        if i % 2 == 0:
            useful.hit(20e-6)
        useful.missed(20e-6, 100e-6)
    assert not useful.skip


def test_a_desync_function_called_from_a_desync_body_is_cached(tmp_path):
    source = tmp_path / "nested_desync.py"
    source.write_text(textwrap.dedent('''
        import time
        from desync import desync

        @desync
        def slow_double(x):
            time.sleep(0.01)
            return x * 2

        @desync
        def outer(x):
            return slow_double(x) + 1
    '''))
    sys.path.insert(0, str(tmp_path))
    try:
        import nested_desync
    finally:
        sys.path.remove(str(tmp_path))
    assert [nested_desync.outer(3) for _ in range(3)] == [7, 7, 7]
    cache = nested_desync.outer.get_cache()
    # Before: the callee's own API attributes (bound to its spec, which holds the
    # executors) made every key unhashable: never cached, and each try cost a pickle.
    assert (cache.misses, cache.hits) == (1, 2)


# -- inputs whose pickle leaves out what a callee reads (adversarial round G) ------------

def level_of(logger):
    time.sleep(0.01)
    return logger.level


@dz
def logger_level(logger):
    return level_of(logger)


def test_a_library_object_that_pickles_as_its_name_is_not_keyed_by_it():
    # A Logger pickles as getLogger(name): its level was left out of the key, and the
    # second and third calls were served the first call's 10.
    import logging
    logger = logging.getLogger("desync-test-level")
    seen = []
    for level in (10, 20, 30):
        logger.setLevel(level)
        seen.append(logger_level(logger))
    assert seen == [10, 20, 30]


class ReducedByCopyreg:
    def __init__(self, value):
        self.value = value


import copyreg  # noqa: E402
copyreg.pickle(ReducedByCopyreg, lambda r: (ReducedByCopyreg, (0,)))


def value_of(item):
    time.sleep(0.01)
    return item.value


@dz
def reduced_value(item):
    return value_of(item)


def test_a_project_class_whose_copyreg_reducer_drops_fields_is_hashed_by_them():
    assert [reduced_value(ReducedByCopyreg(i)) for i in range(3)] == [0, 1, 2]


import functools  # noqa: E402


@functools.singledispatch
def shown(x):
    return "base"


def describe_shown(x):
    time.sleep(0.01)
    return shown(x)


@dz
def shown_body(x):
    return describe_shown(x)


def test_a_singledispatch_implementation_registered_later_is_seen():
    assert [shown_body(1), shown_body(1)] == ["base", "base"]
    assert shown_body.get_cache().hits == 1   # still cached while nothing changes

    @shown.register
    def _(x: int):
        return "int"
    assert shown_body(1) == "int"



def test_a_module_read_whole_that_holds_its_own_functions_is_keyed_not_spun_on(tmp_path,
                                                                               monkeypatch):
    """Round sixteen: keying a call that reads its module through ``globals()`` hashed
    the module's data, whose table of functions was hashed with what they read: the
    module again, without end (100% CPU, no answer)."""
    (tmp_path / "commands_table.py").write_text(textwrap.dedent('''
        import string, time
        from desync import desync

        RATE = 2

        def render(t):
            time.sleep(0.01)
            return string.Template(t).substitute(globals())

        @desync
        def report():
            return render("rate=$RATE")

        COMMANDS = [report, render]
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    import commands_table as module
    box = []
    worker = threading.Thread(target=lambda: box.extend(
        [module.report(), module.report(), setattr(module, "RATE", 3), module.report()]),
        daemon=True)
    worker.start()
    worker.join(60)
    assert box == ["rate=2", "rate=2", None, "rate=3"]


def test_a_function_reached_through_getattr_on_a_module_and_replaced_is_seen(tmp_path,
                                                                             monkeypatch):
    (tmp_path / "through_getattr.py").write_text(textwrap.dedent('''
        import sys, time
        from desync import desync

        def plus_one(x):
            return x + 1

        def plus_two(x):
            return x + 2

        THIS = sys.modules[__name__]

        def helper(x):
            time.sleep(0.01)
            return getattr(THIS, "plus_" + "one")(x)

        @desync
        def body(x):
            return helper(x)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    import through_getattr as module
    # (a first call pays one-time hashing costs that make its own call look cheap)
    assert module.body(2) == 3
    assert [module.body(3), module.body(3)] == [4, 4]
    assert module.body.get_cache().hits == 1
    module.plus_one = module.plus_two
    assert module.body(3) == 5


SEEDED_PROGRAM = textwrap.dedent('''
    import sys, time
    from desync import desync

    def unique(words):
        time.sleep(0.01)
        return list(set(words))

    def total(xs):
        time.sleep(0.01)
        return sum(xs)

    @desync(cache=sys.argv[1])
    def body(words, xs):
        return unique(words), total(xs)

    result = body(["w%d" % i for i in range(40)], [1, 2, 3])
    print(result)
    print(body.get_cache().hits)
''')


def test_disk_entries_of_code_that_builds_sets_are_shared_only_under_the_same_seed(tmp_path):
    # Before: list(set(words)) computed under one PYTHONHASHSEED was served from disk
    # to a process with another seed, in the first one's order.
    program = tmp_path / "seeded.py"
    program.write_text(SEEDED_PROGRAM)
    folder = tmp_path / "store"

    def run(seed, plain=False):
        env = dict(os.environ, PYTHONHASHSEED=str(seed),
                   PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if plain:
            env["DESYNC_DISABLE"] = "1"
        done = subprocess.run([sys.executable, str(program), str(folder)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    run(1)
    plain = run(2, plain=True).splitlines()[0]
    result, hits = run(2).splitlines()
    assert result == plain
    assert hits == "1"     # total() came from disk; unique() ran under this seed
    assert run(1).splitlines()[1] == "2"   # the same seed again: both from disk


IDENTITY_PROGRAM = textwrap.dedent('''
    import sys, time
    from desync import desync

    MISSING = object()
    REGISTRY = {"a": 1}
    TABLE = {1: "one"}

    def look(k):
        time.sleep(0.01)
        return TABLE.get(k, MISSING)

    def entry(k):
        time.sleep(0.01)
        return [REGISTRY, k]

    def pair(k):
        time.sleep(0.01)
        return (k, k + 1)

    @desync(cache=sys.argv[1])
    def body(k):
        r = look(k)
        e = entry(k)
        return r is MISSING, e[0] is REGISTRY, pair(k)

    print(body(2), body.get_cache().hits)
''')


def test_a_disk_hit_never_copies_an_object_the_callee_returns_from_its_module(tmp_path):
    # Before: a second process got a copy of MISSING and of REGISTRY from disk
    # (`r is MISSING` False); plain data results are still shared on disk.
    program = tmp_path / "identity.py"
    program.write_text(IDENTITY_PROGRAM)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    runs = [subprocess.run([sys.executable, str(program), str(tmp_path / "store")], env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert runs[0].stdout.split() == ["(True,", "True,", "(2,", "3))", "0"]
    assert runs[1].stdout.split() == ["(True,", "True,", "(2,", "3))", "1"]   # pair() from disk


PATCHED_OPEN_PROGRAM = textwrap.dedent('''
    import builtins
    from desync import desync

    calls = []

    def fake_open(*args, **kwargs):
        calls.append(args)

    @desync
    def hook(filename, mode):
        return open(filename, mode)

    real = builtins.open
    builtins.open = fake_open
    try:
        hook("abcd", "rb")
    finally:
        builtins.open = real
    print(calls)
''')


def test_a_patched_builtins_open_sees_only_the_programs_own_opens(tmp_path):
    # Before (round seven, fileinput's tests): desync read the source file and its
    # caches through builtins.open, so a test's fake open saw three calls, not one.
    program = tmp_path / "patched_open.py"
    program.write_text(PATCHED_OPEN_PROGRAM)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, str(program)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('abcd', 'rb')]"


def test_a_project_module_passed_in_counts_with_the_functions_it_holds(tmp_path, monkeypatch):
    # Round H: dispatch(plugins, x) reading getattr(m, "handler") kept serving the
    # first handler's result after plugins.handler was replaced.
    (tmp_path / "plugins_for_test.py").write_text(
        "def v1(x):\n    return ('v1', x)\n\ndef v2(x):\n    return ('v2', x)\n\nhandler = v1\n")
    (tmp_path / "dispatching.py").write_text(textwrap.dedent('''
        import time
        from desync import desync

        def dispatch(m, x):
            time.sleep(0.01)
            return getattr(m, "hand" + "ler")(x)

        @desync
        def body(m, x):
            return dispatch(m, x)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    import dispatching
    import plugins_for_test as plugins
    seen = []
    for handler in (plugins.v1, plugins.v2, plugins.v1):
        plugins.handler = handler
        seen.append(dispatching.body(plugins, 1))
    assert seen == [("v1", 1), ("v2", 1), ("v1", 1)]
    # (a function found by name may change its object or print: dispatch runs every
    # time, in order; round M's rule, docs/cache.md)
    assert dispatching.body.get_cache().hits == 0


def _views_minus(a, b):
    return list(a.keys() - b.keys())


def _hashes(w):
    return w.__hash__() % 8


def _adds(a, b):
    return a - b


def test_code_whose_result_may_follow_the_hash_seed_is_recognised():
    # Round H: set operators on dict views and __hash__() escaped the seed's mark.
    reads = [cache_mod._collect_reads(f) for f in (_views_minus, _hashes, _adds)]
    assert [r.seeded for r in reads] == [True, True, False]


def test_a_module_run_without_registering_it_is_the_programs_own_code(tmp_path):
    # Found by the fuzzer (seed 12121, program 587): a module executed from its spec
    # without a sys.modules entry (a plugin loader; the fuzzer's own harness) counted
    # as the standard library, so what its functions read was left out of keys:
    # via() reading REG through a helper was served REG's first value.
    import importlib.util
    path = tmp_path / "plugin_unregistered.py"
    path.write_text(textwrap.dedent('''
        from desync import desync
        REG = []

        def _size():
            return len(REG)

        def via(x):
            return x + _size()

        @desync
        def grow():
            for i in range(3):
                REG.append(via(6))
            return REG
    '''))
    spec = importlib.util.spec_from_file_location("plugin_unregistered", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.grow.set_cache(CallCache(adaptive=False))
    assert module.grow() == [6, 7, 8]
    module.REG.clear()
    assert module.grow() == [6, 7, 8]


def make_scaling_op(k):
    def op(self, x):
        return x * k
    return op


class Calculator:
    def op(self, x):
        return x


def run_op(calculator, x):
    time.sleep(0.005)
    return calculator.op(x)


@dz
def op_body(calculator, x):
    return run_op(calculator, x)


def test_a_bound_method_held_by_an_input_counts_with_the_function_it_wraps():
    # Round K: c.op = MethodType(make_op(k), c) pickles as getattr(c, "op"), so the
    # second strategy's result was served for the third and fourth.
    import types
    calculator = Calculator()
    seen = [op_body(calculator, 5)]
    for k in (2, 3, 4):
        calculator.op = types.MethodType(make_scaling_op(k), calculator)
        seen.append(op_body(calculator, 5))
    assert seen == [5, 10, 15, 20]


class _LoudModule(type):
    looked_up = 0

    @property
    def __module__(cls):
        _LoudModule.looked_up += 1
        return "elsewhere"


class MadeByALoudMetaclass(metaclass=_LoudModule):
    def __init__(self, n):
        self.n = n


def kind_and_size(obj):
    time.sleep(0.001)
    return type(obj).__name__, obj.n


@dz
def describes(cls, n):
    made = cls(n)
    return kind_and_size(made), kind_and_size(cls(n + 1))


def test_keying_reads_a_class_module_without_running_its_metaclass():
    # Round P: a metaclass's __module__ property ran (and printed) while desync keyed
    # the call and judged the class; plain Python never reads it here.
    _LoudModule.looked_up = 0
    first = describes(MadeByALoudMetaclass, 1)
    again = describes(MadeByALoudMetaclass, 1)
    assert first == again == (("MadeByALoudMetaclass", 1), ("MadeByALoudMetaclass", 2))
    assert _LoudModule.looked_up == 0


class Announced:
    """A class whose ``__init__`` prints: handing the class over hands over a print."""

    def __init__(self, x):
        print("announced", x)
        self.x = x


class Caller:
    def __call__(self, x):
        print("caller", x)
        return x


def run_each(fns, x):
    time.sleep(0.003)
    return [fn(x) for fn in (fns.values() if isinstance(fns, dict) else fns)]


def run_options(options, x):
    time.sleep(0.003)
    return options["callback"](x)


def run_nested(groups, x):
    time.sleep(0.003)
    return [fn(x) for group in groups for fn in group]


@__import__("dataclasses").dataclass
class Posted:
    x: int

    def __post_init__(self):
        print("posted", self.x)


def make_with(factory, x):
    time.sleep(0.003)
    return getattr(factory(x), "x", x)


def test_a_hit_never_skips_what_something_handed_over_does(capsys):
    # Effects reached through what the callee is handed, beyond a function passed
    # directly: in a list, tuple or dict, a class whose __init__ prints, an object
    # with a printing __call__. (Pacing's in-order runtime hands such calls to the
    # cache as they are: a hit skipped 85 of 120 prints.)
    cache = CallCache(adaptive=False)
    for _ in range(3):
        cache.call(run_each, ([shouts], 1), None)
        cache.call(run_each, ((shouts,), 2), None)
        cache.call(run_each, ({"loud": shouts}, 3), None)
        cache.call(make_with, (Announced, 4), None)
        cache.call(make_with, (Caller(), 5), None)
        cache.call(run_each, ([[shouts]][0], 6), None)
        cache.call(make_with, (Posted, 7), None)
        cache.call(run_options, ({"name": "n", "callback": shouts}, 8), None)
        cache.call(run_nested, ([[shouts]], 9), None)
        cache.call(run_each, ({shouts}, 10), None)
    out = capsys.readouterr().out
    assert out.count("shouts") == 21 and out.count("announced") == 3 \
        and out.count("caller") == 3 and out.count("posted") == 3, out
    # Data in a container, and a class that only computes, are still keyed.
    hits = cache.hits
    for _ in range(2):
        cache.call(run_each, ([abs], -1), None)
        cache.call(make_with, (complex, 2), None)
    assert cache.hits == hits + 2


def collects_into(seen):
    """A lambda and a nested def over ``seen`` (the caller's list and dict)."""
    table = {}

    def put(k):
        table[k] = len(table)
    return (lambda v: seen.append(v)), put, table


def test_a_hit_never_skips_a_closure_changing_what_it_holds():
    # A body's own lambda or nested def that changes the body's list or dict is
    # handed to a cached callee: each call must change it again (a hit left the
    # list empty in 16 of 20 calls).
    cache = CallCache(adaptive=False)
    for _ in range(3):
        seen = []
        record, put, table = collects_into(seen)
        cache.call(apply_slowly, (record, 7), None)
        cache.call(apply_slowly, (put, "k"), None)
        assert seen == [7] and table == {"k": 0}
