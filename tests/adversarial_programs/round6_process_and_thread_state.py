"""Written from the sixth adversarial round (real code, default settings).
Run: DESYNC_PACING=0 python tests/adversarial_programs/round6_process_state.py

The process's own state, changed in the body, is read after the change: an
environment variable set (``os.environ[k] = v``, ``del``, ``update``), the working
directory changed (``os.chdir``: os's C functions report the module ``posix``),
``sys.argv`` rebound or extended, then read by a helper (``os.getenv``,
``os.getcwd``, ``argparse``) or by the body itself (``len(sys.argv)``). A helper
asking which thread runs it (``threading.current_thread()``) is told the caller's."""
import argparse, sys, os, tempfile, threading, time  # noqa: E401
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402

PLACES = [tempfile.mkdtemp(prefix="desync-cwd-") for _ in range(2)]
HOME = os.getcwd()


def level():
    time.sleep(0.003)
    return os.getenv("DESYNC_TEST_LEVEL", "none")


def environment_set_then_read():
    time.sleep(0.01)
    os.environ["DESYNC_TEST_LEVEL"] = "debug"
    a = level()
    os.environ.update(DESYNC_TEST_LEVEL="info")
    b = level()
    del os.environ["DESYNC_TEST_LEVEL"]
    c = level()
    return a, b, c


def environment_read_then_changed_by_methods():
    # (os.environ read first: its methods are then values issued ahead, still futures)
    time.sleep(0.01)
    before = "DESYNC_TEST_LEVEL" in dict(os.environ)
    os.environ.update(DESYNC_TEST_LEVEL="set")
    a = level()
    os.environ.pop("DESYNC_TEST_LEVEL")
    b = level()
    return before, a, b


def here():
    return os.path.basename(os.getcwd())


def chdir_then_read():
    time.sleep(0.02)
    os.chdir(PLACES[0])
    first = here()
    os.chdir(PLACES[1])
    second = os.path.basename(os.getcwd())
    os.chdir(HOME)
    return first == os.path.basename(PLACES[0]), second == os.path.basename(PLACES[1])


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=0)
    return parser.parse_known_args()[0].n


def argv_len():
    return len(sys.argv)


def argv_rebound_and_extended():
    saved = sys.argv
    time.sleep(0.01)
    sys.argv = ["prog", "--n", "3"]
    a = parse(), argv_len(), len(sys.argv)
    sys.argv.extend(["--n", "5"])
    b = parse(), argv_len(), list(sys.argv)
    sys.argv[0] = "renamed"
    c = sys.argv[0]
    sys.argv = saved
    return a, b, c


def label(x):
    time.sleep(0.002)
    return f"{threading.current_thread().name}:{x}"


def ident():
    return threading.get_ident()


def thread_identity():
    # (The harness calls each run from a thread of its own: compared with the caller.)
    caller = threading.current_thread()
    return [label(i) == f"{caller.name}:{i}" for i in range(3)], ident() == caller.ident


if __name__ == "__main__":
    main([environment_set_then_read, environment_read_then_changed_by_methods, chdir_then_read, argv_rebound_and_extended,
          thread_identity])
