"""desync benchmarks: everything side by side in one run, printed as ratios.

    python benchmarks/run.py            # all of them (about two minutes)
    python benchmarks/run.py --quick    # fewer repeats, shorter sleeps
    python benchmarks/run.py --only cache,hash

Each section times desync and its reference (hand-written concurrent.futures,
plain sequential code, functools.lru_cache, joblib, dask) in the same process
and run, so the ratios hold on a noisy shared machine where absolute times do
not. Optional references that are not installed are reported as missing
(``pip install -e '.[bench]'`` installs them).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from desync import CallCache  # noqa: E402
from desync.runtime.inputhash import hash_value  # noqa: E402

RESULTS: list[tuple] = []


def report(section, what, value, unit, goal=None, met=None):
    RESULTS.append((section, what, value, unit, goal, met))
    mark = "" if met is None else ("  ok" if met else "  MISSED")
    goal_text = f"   goal: {goal}" if goal else ""
    print(f"  {what:<44} {value:>12.3f} {unit:<8}{goal_text}{mark}", flush=True)


def best_of(fn, repeats):
    """The median of ``repeats`` timings of fn() (seconds)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def optional(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def load_generated(source: str, name: str, folder: str):
    """Write generated code to a file (desync reads function source) and import it."""
    path = os.path.join(folder, f"{name}.py")
    with open(path, "w") as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- the seed: two 2 s calls ---------------------------------------------------

def bench_seed(args, folder):
    delay = 0.5 if args.quick else 2.0
    module = load_generated(textwrap.dedent(f'''
        import time
        from desync import desync

        def inner():
            time.sleep({delay})

        @desync(cache=False)  # timed repeatedly: measure concurrency, not cache hits
        def outer():
            inner()
            inner()
    '''), "bench_seed", folder)
    elapsed = best_of(module.outer, 1 if args.quick else 3)
    print(f"seed example (two inner() calls of {delay} s; ideal {delay} s)")
    report("seed", "desync / ideal", elapsed / delay, "x", "<= 1.05", elapsed / delay <= 1.05)


# --- per-task overhead: independent and dependent cheap calls -------------------

TASKS = 200


@contextlib.contextmanager
def pacing_off():
    """Every desync call concurrent: what the engine costs when calls overlap."""
    from desync.runtime import pacing
    pacing.set_enabled(False)
    try:
        yield
    finally:
        pacing.set_enabled(True)


def bench_tasks(args, folder):
    lines = ["from desync import desync", "", "def work(v):", "    return v", "",
             "@desync(cache=False)", "def fan(x):"]
    lines += [f"    r{i} = work(x + {i})" for i in range(TASKS)]
    lines.append("    return (" + ", ".join(f"r{i}" for i in range(TASKS)) + ",)")
    lines += ["", "@desync(cache=False)", "def chain(x):", "    a0 = work(x)"]
    lines += [f"    a{i} = work(a{i - 1})" for i in range(1, TASKS)]
    lines.append(f"    return a{TASKS - 1}")
    module = load_generated("\n".join(lines) + "\n", "bench_tasks", folder)
    work = module.work
    pool = ThreadPoolExecutor(32)
    repeats = 20 if args.quick else 100

    def hand_fan():
        futures = [pool.submit(work, 1 + i) for i in range(TASKS)]
        return tuple(f.result() for f in futures)

    def hand_chain():
        value = 1
        for _ in range(TASKS):
            value = pool.submit(work, value).result()
        return value

    def plain_fan():
        return tuple(work(1 + i) for i in range(TASKS))

    def plain_chain():
        value = 1
        for _ in range(TASKS):
            value = work(value)
        return value

    assert module.fan(1) == hand_fan() and module.chain(1) == hand_chain()
    for fn in (module.fan, hand_fan, module.chain, hand_chain):  # warm up
        fn(1) if fn in (module.fan, module.chain) else fn()
    def three_way(section, title, desync_fn, hand_fn, plain_fn, hand_name, unit_name, goal):
        """Time desync, hand-written futures and plain code; returns desync's cost.
        desync twice: every call concurrent (the engine, as when calls overlap), and
        with default settings, where pacing sees these cheap calls never overlap and
        runs them in order."""
        print(title)
        with pacing_off():
            costs = [best_of(fn, repeats) / TASKS * 1e6 for fn in (desync_fn, hand_fn, plain_fn)]
        paced = best_of(desync_fn, repeats) / TASKS * 1e6
        report(section, f"desync, every call concurrent, {unit_name}", costs[0], "us")
        report(section, f"desync, default settings (paced), {unit_name}", paced, "us")
        report(section, f"{hand_name}, {unit_name}", costs[1], "us")
        report(section, f"plain sequential, {unit_name}", costs[2], "us")
        report(section, f"desync (concurrent) / {hand_name}", costs[0] / costs[1], "x",
               f"<= {goal}", costs[0] / costs[1] <= goal)
        return costs[0]

    desync_fan = three_way("tasks", f"per-task overhead ({TASKS} independent cheap calls "
                           "in one body)", lambda: module.fan(1), hand_fan, plain_fan,
                           "ThreadPoolExecutor", "per task", 2)
    dask = optional("dask")
    if dask is not None:
        delayed = dask.delayed

        def dask_fan():
            return dask.compute(*[delayed(work)(1 + i) for i in range(TASKS)],
                                scheduler="threads")
        dask_fan()
        dask_time = best_of(dask_fan, max(3, repeats // 10)) / TASKS * 1e6
        report("tasks", "dask.delayed (threads), per task", dask_time, "us")
        report("tasks", "dask.delayed / desync", dask_time / desync_fan, "x", ">> 1",
               dask_time / desync_fan > 3)
    else:
        print("  dask not installed: pip install -e '.[bench]'")
    three_way("chain", f"dependent chain ({TASKS} cheap calls, each needing the last)",
              lambda: module.chain(1), hand_chain, plain_chain, "submit-result chain",
              "per step", 1)
    pool.shutdown()


# --- cache hits ----------------------------------------------------------------

def small(x, y=2):
    return x * y


def bench_cache(args, folder):
    rounds = 5_000 if args.quick else 50_000
    print("in-memory cache hit (small arguments)")
    cache = CallCache(adaptive=False)  # small() is cheaper than a lookup: force caching
    cache.call(small, (3,), None)
    hit = best_of(lambda: [cache.call(small, (3,), None) for _ in range(rounds)], 3) / rounds
    remembered = functools.lru_cache(None)(small)
    remembered(3)
    lru = best_of(lambda: [remembered(3) for _ in range(rounds)], 3) / rounds
    report("cache", "desync CallCache hit", hit * 1e6, "us", "a few us", hit < 5e-6)
    report("cache", "functools.lru_cache hit", lru * 1e6, "us")
    joblib = optional("joblib")
    joblib_hit = None
    if joblib is not None:
        memory = joblib.Memory(os.path.join(folder, "joblib"), verbose=0)
        cached_small = memory.cache(small)
        cached_small(3)
        few = max(200, rounds // 50)
        joblib_hit = best_of(lambda: [cached_small(3) for _ in range(few)], 3) / few
        report("cache", "joblib.Memory hit (disk)", joblib_hit * 1e6, "us")
    else:
        print("  joblib not installed: pip install -e '.[bench]'")

    print("disk cache hit (a new process's view: memory layer empty)")
    disk = CallCache(directory=os.path.join(folder, "desync-disk"), adaptive=False)
    disk.call(small, (3,), None)
    few = max(200, rounds // 50)

    def disk_hits():
        for _ in range(few):
            disk.clear()   # drop the in-memory copy so every hit reads the file
            disk.call(small, (3,), None)
    disk_hit = best_of(disk_hits, 3) / few
    assert disk.hits >= few
    report("disk", "desync disk hit", disk_hit * 1e6, "us")
    if joblib_hit is not None:
        report("disk", "joblib.Memory hit / desync disk hit", joblib_hit / disk_hit, "x",
               ">= 2", joblib_hit / disk_hit >= 2)


# --- input hashing ---------------------------------------------------------------

def bench_hash(args, folder):
    numpy = optional("numpy")
    size = (20 if args.quick else 100) * 1_000_000
    print(f"hashing a {size // 1_000_000} MB input")
    data = os.urandom(size)
    seconds = best_of(lambda: hash_value(data), 3)
    report("hash", "bytes, GB/s", size / seconds / 1e9, "GB/s", ">= 1", size / seconds >= 1e9)
    if numpy is None:
        print("  numpy not installed: pip install -e '.[bench]'")
        return
    array = numpy.frombuffer(data, dtype=numpy.float64).reshape(-1, 1000)
    seconds = best_of(lambda: hash_value(array), 3)
    report("hash", "NumPy array, GB/s", size / seconds / 1e9, "GB/s", ">= 1",
           size / seconds >= 1e9)
    pickled = best_of(lambda: __import__("pickle").dumps(array, protocol=5), 3)
    report("hash", "(pickle.dumps of the same array, GB/s)", size / pickled / 1e9, "GB/s")


# --- the execution model: the shapes of the issue, default settings ---------------

def bench_model(args, folder):
    delay = 0.1 if args.quick else 0.2
    module = load_generated(textwrap.dedent(f'''
        import time
        from desync import desync

        def fetch(u):
            time.sleep({delay})
            return u

        @desync
        def crawl(urls):
            pages = []
            for u in urls:
                pages.append(fetch(u))
            return pages
    '''), "bench_model", folder)
    runs = iter(range(10 ** 6))

    def crawl():  # new inputs each run: default settings, but no cache hits
        start = next(runs) * 6
        module.crawl(list(range(start, start + 6)))
    elapsed = best_of(crawl, 3)
    print(f"for u in urls: pages.append(fetch(u)), 6 calls of {delay} s (default settings)")
    report("model", "desync, s", elapsed, "s", f"<= {1.5 * delay:.2f}", elapsed <= 1.5 * delay)
    report("model", "desync / ideal", elapsed / delay, "x", "<= 1.5", elapsed / delay <= 1.5)


def bench_idioms(args, folder):
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import idiom_shapes as shapes
    shapes.D = 0.1 if args.quick else 0.2
    print(f"idiomatic loops, six calls of {shapes.D} s each (default settings: cache on, "
          "new inputs each run)")
    for offset, (name, fn, n) in enumerate(shapes.CASES):
        base = 1000 * (offset + 1) + int(time.time()) % 1000 * 10 ** 5
        xs = list(range(base, base + n))
        delay, shapes.D = shapes.D, 0.0
        expected = fn.__desync_original__(xs)
        shapes.D = delay
        started = time.perf_counter()
        got = fn(xs)
        elapsed = time.perf_counter() - started
        ideal = shapes.IDEAL.get(name, shapes.D) * (shapes.D / 0.2 if name in shapes.IDEAL
                                                     else 1)
        ratio = elapsed / ideal
        report("idioms", f"{name} / ideal" + ("" if got == expected else " (DIFFERENT)"),
               ratio, "x", "<= 1.3", ratio <= 1.3 and got == expected)


def bench_small(args, folder):
    module = load_generated(textwrap.dedent('''
        from desync import desync

        def cheap(x):
            return x + 1

        @desync
        def small(x):
            a = cheap(x)
            b = cheap(a)
            out = [a]
            if b > 3:
                out.append(b)
            return out
    '''), "bench_small", folder)
    from desync.runtime import pacing
    calls = 2_000 if args.quick else 20_000
    inputs = iter(range(10 ** 9))  # new inputs each call: no cache hits

    def run(fn):
        for _ in range(calls):
            fn(next(inputs))
    run(module.small)  # let pacing decide
    paced = best_of(lambda: run(module.small), 3) / calls * 1e6
    pacing.set_enabled(False)
    try:
        unpaced = best_of(lambda: run(module.small), 3) / calls * 1e6
    finally:
        pacing.set_enabled(True)
    plain = best_of(lambda: run(module.small.__desync_original__), 3) / calls * 1e6
    print(f"a small desync function called {calls:,} times (two cheap calls, an append; "
          "default settings)")
    report("small", "desync, per call (paced: runs in order)", paced, "us")
    report("small", "desync, pacing off (every call concurrent)", unpaced, "us")
    report("small", "plain Python, per call", plain, "us")
    report("small", "paced / pacing off", paced / unpaced, "x", "<= 0.2", paced / unpaced <= 0.2)


def _loop_module(folder, sizes):
    lines = ["from desync import desync", "", "def f(i):", "    return i * 2", "",
             "@desync", "def loop(n):", "    out = []", "    for i in range(n):",
             "        out.append(f(i))", "    return out", "",
             "@desync", "def chain(n):", "    x = 0", "    for _ in range(n):",
             "        x = f(x) % 1000003", "    return x", ""]
    for n in sizes:
        lines += ["@desync", f"def unrolled_{n}(x):"]
        lines += [f"    a{i} = f(x + {i})" for i in range(n)]
        lines += ["    return [" + ", ".join(f"a{i}" for i in range(n)) + "]", ""]
    return load_generated("\n".join(lines) + "\n", "bench_scale", folder)


def bench_scale(args, folder):
    sizes = [100, 1_000, 10_000] if args.quick else [100, 1_000, 10_000, 100_000]
    unrolled = [n for n in sizes if n <= 10_000]
    print("cost per task at scale, default settings (cache on), cheap calls, 2 CPUs:")
    print("  loop + append: for i in range(n): out.append(f(i)); unrolled: n statements "
          "a_i = f(x + i) (up to 10,000: a 100,000-line function takes ~30 s to transpile);")
    print("  every call concurrent (the engine, as when calls overlap), and the loop with "
          "default settings, where pacing runs these cheap calls in order")
    module = _loop_module(folder, unrolled)
    f = module.f
    pool = ThreadPoolExecutor(32)
    joblib, dask = optional("joblib"), optional("dask")

    def tpe_fan(n):
        futures = [pool.submit(f, i) for i in range(n)]
        return [x.result() for x in futures]

    def tpe_chain(n):
        x = 0
        for _ in range(n):
            x = pool.submit(f, x).result() % 1000003
        return x

    def plain_fan(n):
        return [f(i) for i in range(n)]

    per_n = {}
    for n in sizes:
        repeats = 5 if n <= 1_000 else (3 if n <= 10_000 else 1)
        module.loop(min(n, 1000))  # warm the pool's threads
        with pacing_off():  # the engine: every call concurrent, as when calls overlap
            loop_cost = best_of(lambda: module.loop(n), repeats)
        costs = {
            "desync loop": loop_cost,
            "desync loop, default settings (paced)": best_of(lambda: module.loop(n), repeats),
            "ThreadPoolExecutor": best_of(lambda: tpe_fan(n), repeats),
            "plain": best_of(lambda: plain_fan(n), repeats),
        }
        if n in unrolled:
            fn = getattr(module, f"unrolled_{n}")
            with pacing_off():
                costs["desync unrolled"] = best_of(lambda: fn(1), repeats)
        if joblib is not None:
            parallel = joblib.Parallel(n_jobs=2, prefer="threads")
            costs["joblib (threads)"] = best_of(
                lambda: parallel(joblib.delayed(f)(i) for i in range(n)), 1)
        if dask is not None and n <= 10_000:
            costs["dask.delayed (threads)"] = best_of(lambda: dask.compute(
                *[dask.delayed(f)(i) for i in range(n)], scheduler="threads"), 1)
        per_task = {k: v / n * 1e6 for k, v in costs.items()}
        per_n[n] = per_task
        print(f"  n = {n:,}")
        for name, value in per_task.items():
            report("scale", f"{name}, per task (n={n:,})", value, "us")
        for name in ("desync loop", "desync unrolled"):
            if name in per_task:
                ratio = per_task[name] / per_task["ThreadPoolExecutor"]
                report("scale", f"{name} / ThreadPoolExecutor (n={n:,})", ratio, "x", "<= 2",
                       ratio <= 2)
        with pacing_off():
            chain = best_of(lambda: module.chain(n), max(1, repeats // 2)) / n
        hand = best_of(lambda: tpe_chain(n), max(1, repeats // 2)) / n
        report("scale", f"dependent chain / submit().result() chain (n={n:,})", chain / hand,
               "x", "<= 1", chain / hand <= 1)
    if 1_000 in per_n and sizes[-1] in per_n:
        # The goal is the issue's: default settings. The engine's own growth and the
        # hand-written pool's (one run each at the largest n: noisy) are shown beside it.
        big = sizes[-1]
        ratio = per_n[big]["desync loop, default settings (paced)"] \
            / per_n[1_000]["desync loop, default settings (paced)"]
        report("scale", f"loop per task at n={big:,} / at n=1,000, default settings", ratio,
               "x", "<= 1.5", ratio <= 1.5)
        report("scale", f"  every call concurrent (the engine), n={big:,} / n=1,000",
               per_n[big]["desync loop"] / per_n[1_000]["desync loop"], "x")
        report("scale", f"  ThreadPoolExecutor, n={big:,} / n=1,000",
               per_n[big]["ThreadPoolExecutor"] / per_n[1_000]["ThreadPoolExecutor"], "x")
    pool.shutdown()


MEMORY_SCRIPT = textwrap.dedent('''
    import resource, sys
    sys.path.insert(0, {root!r})
    from desync import desync

    def f(i):
        return [i] * 1000          # 8 KB

    @desync{options}
    def consumed(n):
        total = 0
        for i in range(n):
            total += len(f(i))
        return total

    consumed({n})
    # VmHWM: this process's peak. (ru_maxrss survives exec: a child forked from a big
    # parent reports the parent's size.)
    try:
        with open("/proc/self/status") as status:
            print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024)
    except (OSError, StopIteration):
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
''')


def bench_memory(args, folder):
    n = 20_000 if args.quick else 100_000
    peaks = {}
    for label, options in (("default settings", ""), ("cache=False", "(cache=False)")):
        path = os.path.join(folder, f"memory_{len(peaks)}.py")
        with open(path, "w") as handle:
            handle.write(MEMORY_SCRIPT.format(root=ROOT, options=options, n=n))
        out = subprocess.run([sys.executable, path], capture_output=True, text=True, check=True)
        peaks[label] = float(out.stdout.split()[-1])
    print(f"peak memory of a {n:,}-iteration loop whose 8 KB results are consumed")
    for label, peak in peaks.items():
        report("memory", f"peak RSS, {label}", peak, "MB")
    extra = peaks["default settings"] - peaks["cache=False"]
    report("memory", "default settings - cache=False", extra, "MB", "<= 50", extra <= 50)


def bench_compile(args, folder):
    n = 2_000 if args.quick else 6_000
    lines = ["from desync import desync", "def work(v):", "    return v", "@desync", "def fan(x):"]
    lines += [f"    a{i} = work(x + {i})" for i in range(n)]
    lines += ["    return [" + ", ".join(f"a{i}" for i in range(0, n, 100)) + "]"]
    source = "\n".join(lines) + "\n"
    from desync.compiler import Module
    from desync.compiler.emit import compile_function

    def transpile_and_compile():
        module = Module(source, "long.py")
        node = module.find("fan")[0]
        compile_function(module.transpile_def(node), "long.py", (), None)
    seconds = best_of(transpile_and_compile, 1 if args.quick else 3)
    print(f"transpile + compile of a {n:,}-statement body")
    report("compile", "seconds", seconds, "s", "< 2" if n == 6_000 else None,
           seconds < 2 if n == 6_000 else None)
    plain = best_of(lambda: compile(source, "long.py", "exec"), 3)
    report("compile", "(plain compile of the source, s)", plain, "s")


def bench_cache_costs(args, folder):
    """The cache engineer's micro-benchmarks (benchmarks/cache_bench.py), in this run."""
    sys.path.insert(0, HERE)
    import cache_bench

    def forward(what, value, unit, goal=None, met=None):
        report("cache", what, value, unit, goal, met)
    cache_bench.report = forward
    cache_bench.main(["--quick"] if args.quick else [])


# --- toolchain: build, import hook, watch --------------------------------------------

def generated_module(index: int, functions: int = 2) -> str:
    parts = ["import os", "from desync import desync", ""]
    for f in range(functions):
        parts += [f"def helper_{f}(value):", f"    return value * {index + f} + 1", "",
                  "@desync",
                  f"def job_{f}(items, scale=2):",
                  f"    first = helper_{f}(items[0])",
                  f"    second = helper_{f}(items[-1])",
                  "    total = []",
                  "    for item in items:",
                  f"        total.append(helper_{f}(item * scale))",
                  "    if first > second:",
                  "        first, second = second, first",
                  "    return first + second + sum(total)", ""]
    return "\n".join(parts) + "\n"


def desync_cli(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "desync", *args], cwd=cwd, check=True,
                          capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT, **(env or {})))


def generated_project(folder: str, name: str, count: int):
    """A project with src/pkg/mod_0..count-1.py; returns (project folder, package, lines)."""
    project = os.path.join(folder, name)
    package = os.path.join(project, "src", "pkg")
    os.makedirs(package)
    with open(os.path.join(project, "pyproject.toml"), "w") as handle:
        handle.write('[tool.desync]\npaths = ["src"]\n')
    open(os.path.join(package, "__init__.py"), "w").close()
    lines = 0
    for index in range(count):
        text = generated_module(index)
        lines += text.count("\n")
        with open(os.path.join(package, f"mod_{index}.py"), "w") as handle:
            handle.write(text)
    return project, package, lines


def bench_build(args, folder):
    count = 100 if args.quick else 500
    project, _, lines = generated_project(folder, "buildproject", count)
    print(f"build of a generated tree ({count} modules, {lines} lines, {2 * count} desync functions)")
    started = time.perf_counter()
    desync_cli("build", "--quiet", cwd=project)
    seconds = time.perf_counter() - started
    report("build", "cold build (whole process), lines/s", lines / seconds, "lines/s")
    report("build", "cold build, seconds", seconds, "s")
    started = time.perf_counter()
    desync_cli("check", cwd=project)
    report("build", "check of the same tree, seconds", time.perf_counter() - started, "s")


def bench_import(args, folder):
    project = os.path.join(folder, "importproject")
    os.makedirs(project)
    with open(os.path.join(project, "pyproject.toml"), "w") as handle:
        handle.write('[tool.desync]\npaths = ["src"]\n')
    os.makedirs(os.path.join(project, "src"))
    with open(os.path.join(project, "src", "hundred.py"), "w") as handle:
        handle.write(generated_module(7, functions=100))
    desync_cli("build", "--quiet", cwd=project)
    timer = ("import sys, time, desync\n{setup}\nstarted = time.perf_counter()\n"
             "import hundred\nprint(time.perf_counter() - started)\n")

    def command(path, setup):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([path, ROOT]))
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # both sides get their bytecode cache
        return [sys.executable, "-c", timer.format(setup=setup)], env

    def timed(commands, runs):
        """Median per command, runs interleaved so machine noise hits all alike."""
        for argv, env in commands:  # warm: write bytecode caches
            subprocess.run(argv, env=env, check=True, capture_output=True)
        values = [[] for _ in commands]
        for _ in range(runs):
            for index, (argv, env) in enumerate(commands):
                out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
                values[index].append(float(out.stdout))
        return [statistics.median(v) for v in values]

    runs = 7 if args.quick else 25
    source, built = os.path.join(project, "src"), os.path.join(project, "build", "desync")
    hooked, plain, decorated = timed([command(source, "desync.install_import_hook()"),
                                      command(built, ""), command(source, "")], runs)
    print("import of a module with 100 desync functions (fresh process each, median, "
          "after `import desync`)")
    report("import", "import hook, warm __pycache__", hooked * 1e3, "ms")
    report("import", "decorator alone, second process", decorated * 1e3, "ms")
    report("import", "plain import of the built module", plain * 1e3, "ms")
    report("import", "hook / plain", hooked / plain, "x", "<= 1.2", hooked / plain <= 1.2)
    report("import", "decorator alone / plain", decorated / plain, "x", "<= 1.5",
           decorated / plain <= 1.5)


def bench_watch(args, folder):
    project, package, _ = generated_project(folder, "watchproject", 50)
    debounce = 0.05
    proc = subprocess.Popen([sys.executable, "-u", "-m", "desync", "watch", "--debounce",
                             str(debounce)], cwd=project, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    try:
        for line in proc.stdout:
            if "watching" in line:
                break
        source = os.path.join(package, "mod_3.py")
        target = os.path.join(project, "build", "desync", "pkg", "mod_3.py")
        latencies = []
        for round_ in range(5 if args.quick else 10):
            text = generated_module(1000 + 10 * round_)  # helpers use index and index+1
            marker = f"value * {1000 + 10 * round_} + 1"
            with open(source, "w") as handle:
                handle.write(text)
            started = time.perf_counter()
            while True:
                try:
                    with open(target) as handle:
                        if marker in handle.read():
                            break
                except OSError:
                    pass
                if time.perf_counter() - started > 30:
                    raise RuntimeError("watch did not rebuild within 30 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - started)
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"watch: save -> rebuilt output (50-module tree, debounce {debounce * 1000:.0f} ms)")
    report("watch", "median latency", statistics.median(latencies) * 1e3, "ms")
    report("watch", "worst latency", max(latencies) * 1e3, "ms")


SECTIONS = {"seed": bench_seed, "model": bench_model, "idioms": bench_idioms,
            "tasks": bench_tasks, "small": bench_small, "scale": bench_scale, "memory": bench_memory,
            "cache": bench_cache, "cachecosts": bench_cache_costs, "hash": bench_hash,
            "compile": bench_compile, "build": bench_build, "import": bench_import,
            "watch": bench_watch}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter sleeps")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    print(f"desync benchmarks: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    with tempfile.TemporaryDirectory(prefix="desync-bench-") as folder:
        sys.path.insert(0, folder)
        for name in chosen:
            SECTIONS[name](args, folder)
            print()
    missed = [r for r in RESULTS if r[5] is False]
    goals = [r for r in RESULTS if r[5] is not None]
    print(f"{len(goals) - len(missed)} of {len(goals)} goals met"
          + (": missed " + "; ".join(f"{r[0]}: {r[1]}" for r in missed) if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
