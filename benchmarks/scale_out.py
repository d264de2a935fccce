"""Scale-out: desync on threads, on processes and on a Dask cluster, side by side
with ``dask.delayed`` and ``client.map``/``client.submit`` on the same cluster.

    python benchmarks/scale_out.py            # about a minute
    python benchmarks/scale_out.py --quick

Workloads (the same callees everywhere):

- fan-out: 200 independent cheap calls (``x + 1``);
- sleeps: 20 independent calls of 50 ms (I/O-like: they hold no CPU);
- chain: 50 dependent cheap calls, each taking the previous result;
- cache: 8 CPU-bound calls, run twice with the call cache on: the second run's
  cost as a share of the first.

The cluster is a ``dask.distributed.LocalCluster`` of 2 worker processes with 2
threads each (4 task slots), on this machine. Times are medians of several runs;
the machine is shared, so compare rows within one run.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from desync import desync  # noqa: E402

FAN, SLEEPS, SLEEP, CHAIN, CPU_CALLS = 200, 20, 0.05, 50, 8


def cheap(x):
    return x + 1


def nap(x):
    time.sleep(SLEEP)
    return x


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def bodies(executor, cache=False):
    """The three workloads as desync functions on one executor."""

    @desync(executor=executor, cache=cache)
    def fan_out(n):
        out = []
        for i in range(n):
            out.append(cheap(i))
        return out

    @desync(executor=executor, cache=cache)
    def sleeps(n):
        out = []
        for i in range(n):
            out.append(nap(i))
        return out

    @desync(executor=executor, cache=cache)
    def chain(n):
        x = 0
        for _ in range(n):
            x = cheap(x)
        return x

    @desync(executor=executor, cache=cache)
    def cpu(n, size):
        out = []
        for i in range(n):
            out.append(crunch(size + i))
        return out

    return fan_out, sleeps, chain, cpu


def interleaved(contenders, repeats):
    """{name: median seconds}: every contender once per round, rounds repeated, so a
    change in the machine's load falls on all of them alike."""
    for _, fn in contenders:
        fn()  # warm: pools started, code shipped
    times = {name: [] for name, _ in contenders}
    for _ in range(repeats):
        for name, fn in contenders:
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


ROWS: list = []


def row(workload, what, seconds, note=""):
    ROWS.append((workload, what, seconds))
    print(f"  {what:<42} {seconds * 1e3:>10.1f} ms  {note}", flush=True)


def ratio(what, value, note=""):
    print(f"  {what:<42} {value:>10.2f} x   {note}", flush=True)


def section(workload, contenders, repeats):
    for name, seconds in interleaved(contenders, repeats).items():
        row(workload, name, seconds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    size = 400_000 if args.quick else 1_500_000

    import dask
    from dask.distributed import Client, LocalCluster
    cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=2,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    processes = ProcessPoolExecutor(4)
    print(f"desync scale-out: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
          "Dask LocalCluster 2 processes x 2 threads; process pool of 4\n")
    try:
        on = {"threads": bodies("threads"), "processes": bodies(processes),
              "Dask": bodies(client.get_executor())}

        print(f"fan-out: {FAN} independent cheap calls")
        section("fan", [(f"desync on {name}", lambda f=b[0]: f(FAN)) for name, b in on.items()] + [
            ("dask.delayed on the cluster",
             lambda: dask.compute(*[dask.delayed(cheap)(i) for i in range(FAN)])),
            ("client.map on the cluster",
             lambda: client.gather(client.map(cheap, range(FAN), pure=False))),
            ("plain sequential", lambda: [cheap(i) for i in range(FAN)])], repeats)

        print(f"\nsleeps: {SLEEPS} independent calls of {SLEEP * 1e3:.0f} ms")
        section("sleeps", [(f"desync on {name}", lambda f=b[1]: f(SLEEPS))
                           for name, b in on.items()] + [
            ("dask.delayed on the cluster",
             lambda: dask.compute(*[dask.delayed(nap)(i) for i in range(SLEEPS)])),
            ("client.map on the cluster",
             lambda: client.gather(client.map(nap, range(SLEEPS), pure=False)))], repeats)
        row("sleeps", "plain sequential", SLEEPS * SLEEP, "(by arithmetic)")

        def delayed_chain():
            x = 0
            for _ in range(CHAIN):
                x = dask.delayed(cheap)(x)
            return x.compute()

        def submit_chain():
            future = 0
            for _ in range(CHAIN):
                future = client.submit(cheap, future, pure=False)   # futures passed along
            return future.result()

        def round_trip_chain():
            x = 0
            for _ in range(CHAIN):
                x = client.submit(cheap, x, pure=False).result()    # each step to the client
            return x

        print(f"\nchain: {CHAIN} dependent cheap calls")
        section("chain", [(f"desync on {name}", lambda f=b[2]: f(CHAIN))
                          for name, b in on.items()] + [
            ("dask.delayed on the cluster", delayed_chain),
            ("client.submit, futures passed along", submit_chain),
            ("client.submit(...).result() each step", round_trip_chain)], repeats)
        times = {what: seconds for workload, what, seconds in ROWS if workload == "chain"}
        ratio("desync on Dask / futures passed along",
              times["desync on Dask"] / times["client.submit, futures passed along"])
        ratio("desync on Dask / .result() each step",
              times["desync on Dask"] / times["client.submit(...).result() each step"])
        fan = {what: seconds for workload, what, seconds in ROWS if workload == "fan"}
        print()
        ratio("fan-out: desync on Dask / client.map",
              fan["desync on Dask"] / fan["client.map on the cluster"])
        ratio("fan-out: desync on Dask / dask.delayed",
              fan["desync on Dask"] / fan["dask.delayed on the cluster"])

        print(f"\ncache: {CPU_CALLS} CPU-bound calls, the same run twice (cache on)")
        for name, executor in (("processes", processes), ("Dask", client.get_executor())):
            cpu = bodies(executor, cache=True)[3]
            started = time.perf_counter()
            first = cpu(CPU_CALLS, size)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            again = cpu(CPU_CALLS, size)
            warm = time.perf_counter() - started
            assert again == first
            row("cache", f"desync on {name}, first run", cold)
            row("cache", f"desync on {name}, second run", warm,
                f"{warm / cold * 100:.2f} % of the first   goal: < 5 %  "
                + ("ok" if warm / cold < 0.05 else "MISSED"))
    finally:
        processes.shutdown()
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
