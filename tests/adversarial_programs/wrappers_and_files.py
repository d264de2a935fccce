"""Written from the fourth adversarial round (realistic code, default settings).
Run: DESYNC_PACING=0 python tests/adversarial_programs/wrappers_and_files.py

Callees whose effects sit in a decorator's wrapper or in a method of a module-level
object, and callees that read the file system through pathlib, codecs and filecmp:
their prints, log lines and readings must be what plain Python gives, with the call
cache on too."""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import codecs, filecmp, functools, logging, tempfile, time  # noqa: E401
from pathlib import Path
from _harness import check, main, slow, to_stdout  # noqa: F401,E402

log = to_stdout(logging.getLogger("adv4.wrappers"))


def announce(fn):
    @functools.wraps(fn)
    def wrapper(*a):
        r = fn(*a)
        print("done", fn.__name__, a)
        return r
    return wrapper


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*a):
        log.info("calling %s%r", fn.__name__, a)
        return fn(*a)
    return wrapper


class Trace:
    """A class-based decorator: its __call__ prints around the call."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *a):
        r = self.fn(*a)
        print("traced", self.fn.__name__, a)
        return r


@announce
def announced_slow(x):
    time.sleep(0.02)
    return x


@announce
def announced_fast(x):
    return x


@logged
def logged_square(x):
    time.sleep(0.005)
    return x * x


@Trace
def traced_slow(x):
    time.sleep(0.02)
    return x


@Trace
def traced_fast(x):
    return x


class Console:
    def __init__(self):
        self.prefix = ">"

    def emit(self, msg):
        print(self.prefix, msg)


CONSOLE = Console()


def console_slow(x):
    time.sleep(0.02)
    CONSOLE.emit(f"slow {x}")
    return x


def console_fast(x):
    CONSOLE.emit(f"fast {x}")
    return x


def wraps_prints_in_order():
    return announced_slow(1) + announced_fast(2)


def wraps_logs_every_call():
    return [logged_square(3), logged_square(3), logged_square(3)]


def class_decorator_prints_in_order():
    return traced_slow(1) + traced_fast(2)


def module_object_method_prints_in_order():
    return console_slow(1) + console_fast(1)


def emit_slow(callback, x):
    time.sleep(0.01)
    callback(x)
    return x


def emit_fast(callback, x):
    callback(x)
    return x


def bound_append_as_callback():
    out = []
    emit_slow(out.append, 1)
    emit_fast(out.append, -1)
    seen = set()
    emit_slow(seen.add, 2)
    emit_fast(seen.discard, 2)
    return out, sorted(seen)


# -- the file system, read through library calls -------------------------------------
FOLDER = tempfile.mkdtemp(prefix="desync-adv4-")


def flag_exists(d):
    time.sleep(0.005)
    return (Path(d) / "done.flag").exists()


def size_of(p):
    time.sleep(0.005)
    return Path(p).stat().st_size


def first_line(p):
    time.sleep(0.005)
    with Path(p).open() as handle:
        return handle.readline()


def listing(d):
    time.sleep(0.005)
    return sorted(q.name for q in Path(d).glob("*.txt"))


def decoded(p):
    time.sleep(0.005)
    with codecs.open(p, encoding="utf-8") as handle:
        return handle.read()


def same_files(a, b):
    time.sleep(0.005)
    return filecmp.cmp(a, b, shallow=False)


def fresh_folder():
    for name in os.listdir(FOLDER):
        os.remove(os.path.join(FOLDER, name))
    Path(FOLDER, "a.txt").write_text("x")
    Path(FOLDER, "b.txt").write_text("y")
    return (FOLDER,)


def reads_the_file_system_between_writes(d):
    a = os.path.join(d, "a.txt")
    b = os.path.join(d, "b.txt")
    before = (flag_exists(d), size_of(a), first_line(a), listing(d), decoded(a),
              same_files(a, b))
    Path(d, "done.flag").write_text("")
    Path(a).write_text("yy\n")
    Path(b).write_text("yy\n")
    Path(d, "c.txt").write_text("z")
    after = (flag_exists(d), size_of(a), first_line(a), listing(d), decoded(a),
             same_files(a, b))
    return before, after


if __name__ == "__main__":
    main([wraps_prints_in_order, (wraps_logs_every_call, lambda: (), repr, 5, True),
          class_decorator_prints_in_order, module_object_method_prints_in_order,
          (module_object_method_prints_in_order, lambda: (), repr, 5, True),
          bound_append_as_callback, (bound_append_as_callback, lambda: (), repr, 5, True),
          (reads_the_file_system_between_writes, fresh_folder, lambda a: "", 5, True)])
