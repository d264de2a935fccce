"""The adversarial rounds' harness: each program module here calls ``main``
with its cases; every case runs plain, then under desync on threads, on a one-worker
``ThreadPoolExecutor`` and under ``desync.sequential()``, five runs each, comparing
printed output, result, exception and the state of the arguments. Prints OK or
MISMATCH (``tests/test_adversarial_programs.py`` runs every module)."""
import contextlib, io, logging, os, random, sys, threading, concurrent.futures, time
os.environ.setdefault("DESYNC_PACING", "0")
import desync as D
from desync import desync

def slow(x):
    time.sleep(0.02)
    return x

def first(x):
    return x

def _chain(e, depth=0):
    """What an exception was raised from and during (``__cause__``, ``__context__``)."""
    if e is None or depth > 4:
        return None
    return (type(e).__name__, str(e), e.__suppress_context__,
            _chain(e.__cause__, depth + 1), _chain(e.__context__, depth + 1))


def _outcome(fn, make_args, state):
    args = make_args()
    buf = io.StringIO()
    random.seed(12345)
    res = exc = None
    with contextlib.redirect_stdout(buf):
        try:
            res = fn(*args)
        except Exception as e:
            exc = (type(e).__name__, str(e), _chain(e))
    return (buf.getvalue(), repr(res), exc, state(args))

def _timed(f, timeout=20):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("v", f()), daemon=True)
    t.start(); t.join(timeout)
    return box.get("v", ("HANG",))

_TP1 = concurrent.futures.ThreadPoolExecutor(1)

def check(fn, make_args=lambda: (), state=lambda a: repr(a), runs=5, cache=False):
    plain = _outcome(fn, make_args, state)
    thr = desync(cache=cache)(fn)
    tp1 = desync(cache=cache, executor=_TP1)(fn)
    def seq():
        with D.sequential():
            return _outcome(thr, make_args, state)
    modes = {"threads": lambda: _outcome(thr, make_args, state),
             "ThreadPoolExecutor(1)": lambda: _outcome(tp1, make_args, state),
             "sequential": seq}
    bad = False
    for mode, run in modes.items():
        diffs = [g for g in (_timed(run, int(os.environ.get("HARNESS_TIMEOUT", "20"))) for _ in range(runs)) if g != plain]
        if diffs:
            bad = True
            print(f"  {fn.__name__} [{mode}] {len(diffs)}/{runs} differ")
            print(f"      plain : {plain}")
            print(f"      desync: {diffs[0]}")
    return bad

def main(cases):
    bad = False
    for c in cases:
        bad |= check(*c) if isinstance(c, tuple) else check(c)
    print("MISMATCH" if bad else "OK")


class ToStdout(logging.Handler):
    """Log records as lines of the captured output, so their order is compared."""

    def emit(self, record):
        sys.stdout.write("LOG " + record.getMessage() + "\n")


def to_stdout(logger):
    """``logger`` writes its INFO records to stdout, and only there."""
    logger.propagate = False
    logger.addHandler(ToStdout())
    logger.setLevel(logging.INFO)
    return logger


def run_module(namespace, skip=()):
    """Every function the program module defines (not its helpers, named in
    ``skip``, nor those starting with ``_``) is a case with no arguments."""
    helpers = {"main", "check", "slow", "sp", "fail_on", "boom", "kboom", "pr_fail", "excinfo",
               "run_module", "first", "to_stdout"} | set(skip)
    cases = [v for n, v in namespace.items() if not n.startswith("_") and n not in helpers
             and callable(v) and getattr(v, "__module__", None) == "__main__"
             and isinstance(v, type(run_module))]
    print("cases:", len(cases))
    main(cases)
