"""What a callee does besides computing a value: the one table desync keeps.

Every call a desync body makes is classified once per callee:

- ``PURE``: computes from its arguments (the promise users make for their own
  functions). Runs as a task, out of order; may be cached.
- ``READS``: reads the outside world (files, network, environment). Runs as a
  task, out of order, after earlier writes to the same part of the world;
  never cached.
- ``EFFECT``: writes the world or depends on the order of calls (``print``,
  logging, the clock, ``random``, file writes). Runs in program order, on the
  calling thread, only after every earlier call has succeeded; never cached.

The outside world is split into a few parts (``WORLD_*``) so that a network
read need not wait for a ``print``. The table below covers builtins and the
standard library; functions of the user's own project are classified by
inference from their source (a provider installed by the decorator, so the
runtime itself never imports ``ast``); anything else (C extensions, unknown
packages) is treated as pure unless listed here. ``desync.nocache`` and
``desync.cacheable`` override the cache decision, not the ordering.

Inference from source (``desync.hashing.effects``) also reads ``WORLD_OBJECTS``
(module attributes that are the world: ``os.environ``), ``FILE_METHODS``
(``read_text`` and the like, whatever the object) and ``READ_ONLY_METHODS``
(methods that do not mutate their object; any other method called on a
parameter mutates it, on a module-level object changes ``WORLD_STATE``).
"""
from __future__ import annotations

import builtins
import collections
import functools
import sys
import threading
import weakref

from .frozen import class_module

PURE, READS, EFFECT = "pure", "reads", "effect"

WORLD_STDOUT = "world:stdout"     # print, sys.stdout/stderr, logging: one terminal
WORLD_FILES = "world:files"       # the file system
WORLD_NET = "world:net"           # sockets, HTTP
WORLD_PROCESS = "world:process"   # subprocesses, the environment, the working directory
WORLD_CLOCK = "world:clock"       # time readings
WORLD_RANDOM = "world:random"     # shared random generators, uuid, secrets
WORLD_INPUT = "world:stdin"
WORLD_STATE = "world:state"       # module-level objects of the program, changed by a callee
WORLD_MEMO = "world:memo"         # remembers its results (lru_cache): never cached again
WORLD_TRACER = "world:tracer"     # a tracer for the calling thread or new threads (not in ALL)
WORLD_CALLER = "world:caller"     # looks at the frames that call it (not in ALL): called
#                                   from a frame named like the body, in program order
#                                   (kind PURE: run as a call, by the user's promise; not cached)
WORLD_ALL = (WORLD_STDOUT, WORLD_FILES, WORLD_NET, WORLD_PROCESS, WORLD_CLOCK, WORLD_RANDOM,
             WORLD_INPUT)


class Facts:
    """What one callee does: its kind and the parts of the world it touches.

    ``mutates``: positions (ints) and names (strs) of parameters the callee
    mutates; a call to it writes the objects passed there (an effect on them).
    """

    __slots__ = ("kind", "world", "mutates", "reason")

    def __init__(self, kind: str, world=frozenset(), mutates=frozenset(), reason: str = ""):
        self.kind = kind
        self.world = frozenset(world)
        self.mutates = frozenset(mutates)
        self.reason = reason

    def __repr__(self):
        extra = f", world={sorted(self.world)}" if self.world else ""
        extra += f", mutates={sorted(map(str, self.mutates))}" if self.mutates else ""
        return f"Facts({self.kind}{extra}, {self.reason!r})"

    @property
    def cacheable(self) -> bool:
        # A pure callee that changes module-level state (``WORLD_STATE``) still runs
        # as a call (the user's promise: callees share no hidden state), but a cache
        # hit would skip the change.
        return self.kind == PURE and not self.mutates and not self.world


PURE_FACTS = Facts(PURE, reason="computes from its arguments")
_NAMES_CALLER = Facts(EFFECT, {WORLD_CALLER}, reason="names the module that calls it")
# ``sys._getframe(1)``, ``logging``'s or ``warnings``' ``stacklevel=2`` in a helper: what
# it gives depends on who calls it.
LOOKS_UP = Facts(EFFECT, {WORLD_CALLER}, reason="looks at the frames that call it")


def _effect(world, reason):
    return Facts(EFFECT, {world}, reason=reason)


def _reads(world, reason):
    return Facts(READS, {world}, reason=reason)


# Builtins by name. Everything else in builtins is pure.
_BUILTINS = {
    "print": _effect(WORLD_STDOUT, "prints"),
    "input": _effect(WORLD_INPUT, "reads the terminal"),
    "open": _effect(WORLD_FILES, "opens a file"),
    "breakpoint": _effect(WORLD_INPUT, "starts the debugger"),
    # They run code in the namespaces they are given, and may fill them.
    "exec": Facts(EFFECT, {WORLD_PROCESS}, mutates={1, 2, "globals", "locals"},
                  reason="runs code"),
    "eval": Facts(EFFECT, {WORLD_PROCESS}, mutates={1, 2, "globals", "locals"},
                  reason="runs code"),
    "help": _effect(WORLD_STDOUT, "prints help"),
    "exit": _effect(WORLD_PROCESS, "exits"),
    "quit": _effect(WORLD_PROCESS, "exits"),
    "__import__": _effect(WORLD_PROCESS, "imports a module"),
    # An object's address: a cached result would be another object's. (``hash``
    # is the seed's: its callers' entries carry the seed, see the cache.)
    "id": _reads(WORLD_PROCESS, "reads an object's identity"),
    # Builtins that change their first argument.
    "next": Facts(PURE, mutates={0}, reason="advances an iterator"),
    "setattr": Facts(PURE, mutates={0}, reason="sets an attribute"),
    "delattr": Facts(PURE, mutates={0}, reason="deletes an attribute"),
}

BUILTINS = _BUILTINS   # (read by inference from source)

# Standard-library and well-known modules: module -> {function name: facts},
# with "*" for every other callable of the module.
_CLOCK = _effect(WORLD_CLOCK, "reads the clock")
_RANDOM = _effect(WORLD_RANDOM, "draws from a shared random generator")
_SHUFFLE = Facts(EFFECT, {WORLD_RANDOM}, mutates={0}, reason="shuffles its list in place")
_FILE_READ = _reads(WORLD_FILES, "reads the file system")
_FILE_WRITE = _effect(WORLD_FILES, "writes the file system")
_NET_READ = _reads(WORLD_NET, "reads the network")
_NET_WRITE = _effect(WORLD_NET, "writes to the network")
_PROC = _effect(WORLD_PROCESS, "changes the process or runs another")
# A tracer set on the calling thread sees the calls after it there; one set for new
# threads would see desync's workers: made at once, in order, on the calling thread.
_TRACER = Facts(EFFECT, {WORLD_PROCESS, WORLD_TRACER}, reason="sets a tracer")
_ENV_READ = _reads(WORLD_PROCESS, "reads the environment")
_LOG = _effect(WORLD_STDOUT, "logs")
# (Objects of their own: inference reads their arguments, ``warn(msg, cat, 2)``
# looks past its caller, ``_getframe()`` reads only the caller's own frame.)
WARN = _effect(WORLD_STDOUT, "warns")
GETFRAME = Facts(EFFECT, {WORLD_CALLER}, reason="looks at the frames that call it")

_MODULES: dict[str, dict[str, Facts]] = {
    "time": {"*": _CLOCK, "sleep": PURE_FACTS, "strptime": PURE_FACTS,
             "mktime": PURE_FACTS, "get_clock_info": PURE_FACTS},   # (asctime(): now)
    "random": {"*": _RANDOM, "shuffle": _SHUFFLE},
    "_random": {"*": _RANDOM, "shuffle": _SHUFFLE},
    "secrets": {"*": _RANDOM, "compare_digest": PURE_FACTS},
    "uuid": {"uuid1": _RANDOM, "uuid4": _RANDOM, "getnode": _ENV_READ},
    # (a record takes the time, the thread and the process it is made in)
    "logging": {"*": _LOG, "getLogger": PURE_FACTS, "Formatter": PURE_FACTS,
                "LogRecord": _CLOCK, "makeLogRecord": _CLOCK},
    "warnings": {"warn": WARN, "warn_explicit": _LOG, "showwarning": _LOG,
                 "simplefilter": _PROC, "filterwarnings": _PROC, "resetwarnings": _PROC},
    "os": {"*": _FILE_WRITE,
           "listdir": _FILE_READ, "scandir": _FILE_READ, "stat": _FILE_READ,
           "lstat": _FILE_READ, "access": _FILE_READ, "walk": _FILE_READ,
           "readlink": _FILE_READ, "getcwd": _ENV_READ, "getenv": _ENV_READ,
           "getpid": _ENV_READ, "cpu_count": PURE_FACTS, "fspath": PURE_FACTS,
           "fsencode": PURE_FACTS, "fsdecode": PURE_FACTS, "urandom": _RANDOM,
           "system": _PROC, "putenv": _PROC, "unsetenv": _PROC, "chdir": _PROC,
           "kill": _PROC, "_exit": _PROC},
    # (os's C functions report the module ``posix``: ``os.chdir.__module__``)
    "posix": {"*": _FILE_WRITE, "listdir": _FILE_READ, "scandir": _FILE_READ,
              "stat": _FILE_READ, "lstat": _FILE_READ, "access": _FILE_READ,
              "readlink": _FILE_READ, "getcwd": _ENV_READ, "getcwdb": _ENV_READ,
              "getpid": _ENV_READ, "cpu_count": PURE_FACTS, "fspath": PURE_FACTS,
              "fsencode": PURE_FACTS, "fsdecode": PURE_FACTS, "urandom": _RANDOM,
              "system": _PROC, "putenv": _PROC, "unsetenv": _PROC, "chdir": _PROC,
              "fchdir": _PROC, "kill": _PROC, "_exit": _PROC},
    "posixpath": {"exists": _FILE_READ, "lexists": _FILE_READ, "isfile": _FILE_READ,
                  "isdir": _FILE_READ, "islink": _FILE_READ, "ismount": _FILE_READ,
                  "getsize": _FILE_READ, "getmtime": _FILE_READ, "getatime": _FILE_READ,
                  "getctime": _FILE_READ, "samefile": _FILE_READ, "realpath": _FILE_READ,
                  "abspath": _ENV_READ, "expanduser": _ENV_READ, "expandvars": _ENV_READ,
                  "relpath": _ENV_READ},
    "genericpath": {"exists": _FILE_READ, "lexists": _FILE_READ,   # (3.13 moved it here)
                    "isfile": _FILE_READ, "isdir": _FILE_READ, "islink": _FILE_READ,
                    "isjunction": _FILE_READ, "isdevdrive": _FILE_READ, "getsize": _FILE_READ, "getmtime": _FILE_READ,
                    "getatime": _FILE_READ, "getctime": _FILE_READ, "samefile": _FILE_READ,
                    "sameopenfile": _FILE_READ, "samestat": PURE_FACTS},
    "ntpath": {"exists": _FILE_READ, "isfile": _FILE_READ, "isdir": _FILE_READ,
               "getsize": _FILE_READ, "realpath": _FILE_READ, "abspath": _ENV_READ},
    "shutil": {"*": _FILE_WRITE, "which": _FILE_READ, "disk_usage": _FILE_READ,
               "get_terminal_size": _ENV_READ},
    "glob": {"*": _FILE_READ, "escape": PURE_FACTS},
    "tempfile": {"*": _FILE_WRITE, "gettempdir": _ENV_READ},
    "subprocess": {"*": _PROC},
    "socket": {"*": _NET_WRITE, "gethostname": _ENV_READ, "getaddrinfo": _NET_READ,
               "gethostbyname": _NET_READ},
    "urllib.request": {"*": _NET_READ},
    "http.client": {"*": _NET_WRITE},
    "requests": {"*": _NET_WRITE, "get": _NET_READ, "head": _NET_READ, "options": _NET_READ},
    "requests.api": {"*": _NET_WRITE, "get": _NET_READ, "head": _NET_READ,
                     "options": _NET_READ},
    "httpx": {"*": _NET_WRITE, "get": _NET_READ, "head": _NET_READ, "options": _NET_READ},
    "sys": {"_getframe": GETFRAME, "_getframemodulename": LOOKS_UP,
            "exit": _PROC, "setrecursionlimit": _PROC, "settrace": _TRACER,
            "setprofile": _PROC, "setswitchinterval": _PROC,
            "set_int_max_str_digits": _PROC, "setdlopenflags": _PROC,
            "set_asyncgen_hooks": _PROC, "set_coroutine_origin_tracking_depth": _PROC,
            "displayhook": _effect(WORLD_STDOUT, "prints"),
            "__displayhook__": _effect(WORLD_STDOUT, "prints"),
            "excepthook": _effect(WORLD_STDOUT, "prints a traceback"),
            "__excepthook__": _effect(WORLD_STDOUT, "prints a traceback")},
    # Settings of the whole process: a cache hit would skip the change.
    "gc": {"*": _PROC},
    "locale": {"setlocale": _PROC, "*": _ENV_READ},
    "calendar": {name: _effect(WORLD_STDOUT, "prints") for name in (
        "prmonth", "prcal", "TextCalendar.prmonth", "TextCalendar.prweek",
        "TextCalendar.pryear")},
    "cProfile": {"*": _effect(WORLD_STDOUT, "profiles and prints")},
    "profile": {"*": _effect(WORLD_STDOUT, "profiles and prints")},
    "timeit": {"*": _CLOCK},
    "email.utils": {"make_msgid": _RANDOM, "formatdate": _CLOCK, "localtime": _CLOCK},
    "importlib": {"import_module": _effect(WORLD_PROCESS, "imports a module"),
                  "reload": _effect(WORLD_PROCESS, "imports a module"),
                  "invalidate_caches": _PROC},
    "atexit": {"*": _effect(WORLD_PROCESS, "registers an exit handler")},
    # Which thread runs the call: the caller's, as in plain Python (an effect runs
    # on the calling thread).
    "threading": {**{name: _effect(WORLD_PROCESS, "asks which thread runs it") for name in (
        "current_thread", "currentThread", "get_ident", "get_native_id")},
        "settrace": _TRACER, "settrace_all_threads": _TRACER},
    "_thread": {name: _effect(WORLD_PROCESS, "asks which thread runs it") for name in (
        "get_ident", "get_native_id")},
    # Factories that name the module calling them (``sys._getframe(1)``): called from
    # that module's frame, in program order, as plain Python calls them; never cached.
    "collections": {"namedtuple": _NAMES_CALLER},
    "typing": {name: _NAMES_CALLER for name in (
        "NewType", "TypeVar", "ParamSpec", "TypeVarTuple", "TypedDict", "NamedTuple",
        "TypeAliasType")},
    "enum": {name: _NAMES_CALLER for name in (
        "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum")},
    "dataclasses": {"make_dataclass": _NAMES_CALLER},
    "faulthandler": {"*": _PROC},
    "dis": {name: _effect(WORLD_STDOUT, "prints") for name in (
        "dis", "disassemble", "disco", "distb", "show_code")},
    "pdb": {"*": _effect(WORLD_INPUT, "starts the debugger")},
    "builtins": {},
    "io": {"open": _effect(WORLD_FILES, "opens a file")},
    "webbrowser": {"*": _PROC},
    "smtplib": {"*": _NET_WRITE},
    "ftplib": {"*": _NET_WRITE},
    # Class methods that read the clock, by qualified name within their module.
    "datetime": {"datetime.now": _CLOCK, "datetime.today": _CLOCK,
                 "datetime.utcnow": _CLOCK, "date.today": _CLOCK},
    "os.path": {"exists": _FILE_READ, "lexists": _FILE_READ, "isfile": _FILE_READ,
                "isdir": _FILE_READ, "islink": _FILE_READ, "ismount": _FILE_READ,
                "getsize": _FILE_READ, "getmtime": _FILE_READ, "getatime": _FILE_READ,
                "getctime": _FILE_READ, "samefile": _FILE_READ, "realpath": _FILE_READ,
                "abspath": _ENV_READ, "expanduser": _ENV_READ, "expandvars": _ENV_READ,
                "relpath": _ENV_READ, "*": PURE_FACTS},
    "pathlib": {"Path.cwd": _ENV_READ, "Path.home": _ENV_READ},
    # (a generator made without a seed draws from the OS: not cached, seeded or not)
    "numpy.random": {"*": _RANDOM, "SeedSequence": PURE_FACTS},
    # Reading files, the environment, or printing, behind library calls.
    "gzip": {"*": _FILE_WRITE, "compress": PURE_FACTS, "decompress": PURE_FACTS},
    "bz2": {"*": _FILE_WRITE, "compress": PURE_FACTS, "decompress": PURE_FACTS},
    "lzma": {"*": _FILE_WRITE, "compress": PURE_FACTS, "decompress": PURE_FACTS},
    "zipfile": {"*": _FILE_WRITE, "is_zipfile": _FILE_READ},
    "tarfile": {"*": _FILE_WRITE},
    "sqlite3": {"*": _FILE_WRITE},
    "shelve": {"*": _FILE_WRITE},
    "dbm": {"*": _FILE_WRITE},
    "getpass": {"*": _ENV_READ},
    # Opening and comparing files by name.
    "codecs": {"open": _effect(WORLD_FILES, "opens a file")},
    "fileinput": {"*": _FILE_READ},
    "tokenize": {"open": _FILE_READ},
    "filecmp": {"*": _FILE_READ, "clear_cache": _FILE_WRITE},
    "linecache": {"getline": _FILE_READ, "getlines": _FILE_READ, "checkcache": _FILE_READ,
                  "updatecache": _FILE_READ},
    "mimetypes": {"guess_type": PURE_FACTS, "guess_extension": PURE_FACTS,
                  "guess_all_extensions": PURE_FACTS, "*": _FILE_READ},
    # Only the main thread may set signal handlers, and an event loop belongs to its
    # thread: such calls are made in program order, on the calling thread.
    "signal": {"*": _PROC},
    "asyncio": {"*": _PROC},
    "pprint": {"pprint": _effect(WORLD_STDOUT, "prints"), "pp": _effect(WORLD_STDOUT, "prints"),
               "PrettyPrinter.pprint": _effect(WORLD_STDOUT, "prints")},
    "traceback": {**{name: _effect(WORLD_STDOUT, "prints a traceback") for name in (
        "print_exc", "print_exception", "print_tb", "print_last")},
        **{name: LOOKS_UP for name in ("extract_stack", "format_stack", "walk_stack")},
        "print_stack": Facts(EFFECT, {WORLD_STDOUT, WORLD_CALLER}, reason="prints the stack")},
    # (``currentframe()`` is the caller's own frame: its ``f_back`` is what looks up)
    "inspect": {"stack": LOOKS_UP, "getouterframes": LOOKS_UP},
    # Methods of library classes, by the class's qualified name (``parser.parse_args()``).
    "argparse": {"ArgumentParser.parse_args": _ENV_READ,
                 "ArgumentParser.parse_known_args": _ENV_READ,
                 "ArgumentParser.parse_intermixed_args": _ENV_READ},
    "configparser": {f"{cls}.{method}": _FILE_READ
                     for cls in ("ConfigParser", "RawConfigParser", "SafeConfigParser")
                     for method in ("read", "read_file")},
    # Pure functions that mutate an argument (positions): a hit would skip the change.
    "heapq": {"heappush": Facts(PURE, mutates={0, "heap"}, reason="mutates its heap"),
              "heappop": Facts(PURE, mutates={0, "heap"}, reason="mutates its heap"),
              "heapify": Facts(PURE, mutates={0, "x"}, reason="mutates its list"),
              "heappushpop": Facts(PURE, mutates={0, "heap"}, reason="mutates its heap"),
              "heapreplace": Facts(PURE, mutates={0, "heap"}, reason="mutates its heap"),
              "_heapify_max": Facts(PURE, mutates={0}, reason="mutates its list"),
              "_heappop_max": Facts(PURE, mutates={0}, reason="mutates its heap"),
              "_heapreplace_max": Facts(PURE, mutates={0}, reason="mutates its heap")},
    "operator": {**{name: Facts(PURE, mutates={0}, reason="changes its first argument")
                    for name in ("setitem", "delitem", "iadd", "iand", "iconcat", "ifloordiv",
                                 "ilshift", "imod", "imul", "imatmul", "ior", "ipow",
                                 "irshift", "isub", "itruediv", "ixor", "__setitem__",
                                 "__delitem__", "__iadd__", "__iconcat__", "__ior__")}},
    "bisect": {"insort": Facts(PURE, mutates={0, "a"}, reason="mutates its list"),
               "insort_left": Facts(PURE, mutates={0, "a"}, reason="mutates its list"),
               "insort_right": Facts(PURE, mutates={0, "a"}, reason="mutates its list")},
    "json": {"dump": Facts(PURE, mutates={1, "fp"}, reason="writes to its file")},
    "pickle": {"dump": Facts(PURE, mutates={1, "file"}, reason="writes to its file")},
    # Functions that read or write files by path (a cache hit would serve old contents
    # or skip the write), and other outside worlds of well-known libraries.
    "xml.etree.ElementTree": {"parse": _FILE_READ, "iterparse": _FILE_READ,
                              "ElementTree.parse": _FILE_READ,
                              "ElementTree.write": _FILE_WRITE},
    "xml.dom.minidom": {"parse": _FILE_READ},
    "xml.sax": {"parse": _FILE_READ},
    "runpy": {"*": _PROC},
    "pkgutil": {"get_data": _FILE_READ},
    "importlib.resources": {"*": _FILE_READ},
    "io": {"FileIO": _effect(WORLD_FILES, "opens a file"),
           "open": _effect(WORLD_FILES, "opens a file"),
           "open_code": _effect(WORLD_FILES, "opens a file")},
    "ssl": {"RAND_bytes": _RANDOM, "RAND_pseudo_bytes": _RANDOM, "RAND_add": _RANDOM},
    "numpy": {"load": _FILE_READ, "loadtxt": _FILE_READ, "genfromtxt": _FILE_READ,
              "fromfile": _FILE_READ, "memmap": _FILE_READ, "fromregex": _FILE_READ,
              "save": _FILE_WRITE, "savez": _FILE_WRITE, "savez_compressed": _FILE_WRITE,
              "savetxt": _FILE_WRITE, "ndarray.tofile": _FILE_WRITE},
    "click": {"echo": _effect(WORLD_STDOUT, "prints"), "secho": _effect(WORLD_STDOUT, "prints"),
              "clear": _effect(WORLD_STDOUT, "prints"),
              "prompt": _effect(WORLD_INPUT, "reads the terminal"),
              "confirm": _effect(WORLD_INPUT, "reads the terminal"),
              "getchar": _effect(WORLD_INPUT, "reads the terminal"),
              "pause": _effect(WORLD_INPUT, "reads the terminal"),
              "edit": _PROC, "launch": _PROC},
    "rich": {"print": _effect(WORLD_STDOUT, "prints"), "inspect": _effect(WORLD_STDOUT, "prints"),
             "print_json": _effect(WORLD_STDOUT, "prints")},
}

# Module attributes that stand for the outside world when read (not called).
WORLD_OBJECTS = {
    "os.environ": _ENV_READ, "os.environb": _ENV_READ, "sys.argv": _ENV_READ,
    "sys.stdin": _effect(WORLD_INPUT, "reads the terminal"),
    "sys.stdout": _effect(WORLD_STDOUT, "writes to the terminal"),
    "sys.stderr": _effect(WORLD_STDOUT, "writes to the terminal"),
    "sys.__stdout__": _effect(WORLD_STDOUT, "writes to the terminal"),
    "sys.__stderr__": _effect(WORLD_STDOUT, "writes to the terminal"),
    "sys.__stdin__": _effect(WORLD_INPUT, "reads the terminal"),
    "builtins.print": _effect(WORLD_STDOUT, "prints"),
}

# Methods that stand for the file system whatever object they are called on
# (``Path(...).read_text()``), for inference from source where the object's type
# is unknown.
FILE_METHODS = {
    "read_text": _FILE_READ, "read_bytes": _FILE_READ, "iterdir": _FILE_READ,
    "rglob": _FILE_READ, "is_file": _FILE_READ, "is_dir": _FILE_READ,
    # (pathlib's other readers of the file system, by name: on any object these
    # names only make a callee uncached and ordered as a read, never wrong)
    # (names common on other types, ``replace``, ``group``, ``rename``, are left out)
    "glob": _FILE_READ, "exists": _FILE_READ, "stat": _FILE_READ, "lstat": _FILE_READ,
    "is_symlink": _FILE_READ, "samefile": _FILE_READ, "readlink": _FILE_READ,
    "resolve": _FILE_READ, "open": _effect(WORLD_FILES, "opens a file"),
    "chmod": _FILE_WRITE, "symlink_to": _FILE_WRITE, "hardlink_to": _FILE_WRITE,
    "write_text": _FILE_WRITE, "write_bytes": _FILE_WRITE, "touch": _FILE_WRITE,
    "unlink": _FILE_WRITE, "mkdir": _FILE_WRITE, "rmdir": _FILE_WRITE,
    "read_file": _FILE_READ,                                  # configparser, by a path
    "parse_args": _ENV_READ, "parse_known_args": _ENV_READ,   # argparse: sys.argv
    "absolute": _ENV_READ, "expanduser": _ENV_READ,           # pathlib: the cwd, $HOME
    # Printers by name (``pprint.PrettyPrinter().pprint(x)``, ``TextCalendar().prmonth``)
    "pprint": _effect(WORLD_STDOUT, "prints"), "prmonth": _effect(WORLD_STDOUT, "prints"),
    "pryear": _effect(WORLD_STDOUT, "prints"), "prweek": _effect(WORLD_STDOUT, "prints"),
    "print_exc": _effect(WORLD_STDOUT, "prints"), "print_stats": _effect(WORLD_STDOUT, "prints"),
}
# ``x.read(path)`` with an argument, on an object the function made: a reader of
# files by name (``ConfigParser().read(path)``), not a stream's ``read(n)``.
READ_BY_NAME = _FILE_READ

# Methods that change their object on the builtin types and files: mutating
# whatever object they are called on, even if a class of the project defines a
# harmless method of the same name.
MUTATING_METHODS = frozenset("""
    append extend insert remove pop clear update setdefault popitem add discard sort
    reverse intersection_update difference_update symmetric_difference_update
    write writelines truncate seek send sendall put put_nowait appendleft extendleft
    popleft rotate fill resize itemset setflags __setitem__ __delitem__ __iadd__
    move_to_end subtract
""".split())

# Methods that do not change their object (str, bytes, dict, list, set, tuple,
# NumPy and pandas readers, estimators' predictions). Inference from source treats
# any other method called on a parameter as mutating it, and on a module-level
# object as changing program state.
READ_ONLY_METHODS = frozenset("""
    capitalize casefold center count encode endswith expandtabs find format format_map
    index isalnum isalpha isascii isdecimal isdigit isidentifier islower isnumeric
    isprintable isspace istitle isupper join ljust lower lstrip partition removeprefix
    removesuffix replace rfind rindex rjust rpartition rsplit rstrip split splitlines
    startswith strip swapcase title translate upper zfill decode hex fromhex
    get keys values items copy fromkeys difference intersection union
    symmetric_difference issubset issuperset isdisjoint
    sum mean std var min max argmin argmax argsort all any astype reshape ravel flatten
    transpose dot tolist item tobytes cumsum cumprod prod round clip nonzero view
    squeeze take repeat conj conjugate real imag trace diagonal searchsorted nbytes
    groupby agg aggregate apply map filter head tail describe to_dict to_list to_numpy
    merge query isin isna notna isnull notnull fillna dropna drop rename sort_values
    sort_index reset_index set_index pivot pivot_table melt iterrows itertuples
    value_counts unique nunique duplicated drop_duplicates shift diff pct_change
    rolling expanding resample corr cov quantile median mode abs to_frame to_csv_string
    predict predict_proba predict_log_proba decision_function score transform
    bit_length bit_count to_bytes from_bytes as_integer_ratio is_integer conjugate
    isoformat strftime timestamp date time weekday isoweekday replace total_seconds
    match fullmatch search findall finditer sub subn group groups groupdict span start end
    __getitem__ __len__ __contains__ __iter__ __str__ __repr__ __eq__ __ne__ __lt__
    __le__ __gt__ __ge__ __hash__ __format__ __add__ __sub__ __mul__ __truediv__
    joinpath with_name with_suffix with_stem relative_to is_relative_to as_posix
    as_uri is_absolute
""".split())

# Methods of objects that stand for part of the world.
_PATH_READS = frozenset({"read_text", "read_bytes", "exists", "is_file", "is_dir",
                         "iterdir", "glob", "rglob", "stat", "lstat", "open", "resolve",
                         "samefile", "is_symlink", "owner", "group", "readlink",
                         "expanduser", "absolute", "cwd", "home"})
_PATH_PURE = frozenset({"joinpath", "with_name", "with_suffix", "with_stem", "relative_to",
                        "is_relative_to", "as_posix", "as_uri", "match", "is_absolute",
                        "__truediv__", "__rtruediv__", "__fspath__", "__str__"})

_lock = threading.RLock()   # (reentrant: a finalizer run by the collector)
_cache: dict = {}
_provider = None


_state_changer_met = None   # fn -> None: told of each function found to change module state


def on_state_changer(hook) -> None:
    """``hook(fn)``, called once per function found to change module state (see
    desync.runtime.engine: what its module's code sets on other modules)."""
    global _state_changer_met
    _state_changer_met = hook


def set_provider(provider) -> None:
    """``provider(fn) -> Facts | None``: facts of a user's function, from its source."""
    global _provider
    _provider = provider
    with _lock:
        _cache.clear()


_returns_provider = None
_returns: dict = {}   # code object -> does its function return module state


def set_returns_provider(provider) -> None:
    """``provider(fn) -> bool | None``: does a user's function return module state
    (``def get_seen(): return SEEN``)? From its source or from what a build embedded."""
    global _returns_provider
    _returns_provider = provider
    _returns.clear()


def returns_state(fn) -> bool:
    """Does ``fn``, a function of the user's, hand out module state (cached by code)?
    A local bound to what it returned is read as that state (see Body.settle_returned)."""
    code = fn.__code__
    found = _returns.get(code)
    if found is None:
        if _returns_provider is None:
            return False
        try:
            found = bool(_returns_provider(fn))
        except (OSError, SyntaxError, UnicodeDecodeError):
            found = False   # (no source to read: nothing known of it)
        except Exception:
            found = True    # the inference failed on this code: read it as state
        if len(_returns) > 65536:
            _returns.clear()
        _returns[code] = found
    return found


def module_name(obj) -> str:
    """``obj.__module__`` as a string: '' when it has none, it raises or it is not a
    string. A class's is read as ``type`` keeps it: a metaclass's own ``__module__``
    property (which may print) does not run."""
    if issubclass(type(obj), type):
        return class_module(obj)
    try:
        name = obj.__module__
    except Exception:
        return ""
    return name if type(name) is str else ""


def _module_facts(module: str | None, name: str) -> Facts | None:
    if not module or type(module) is not str:
        return None
    if module.startswith("_") and module not in _MODULES and module[1:] in _MODULES:
        module = module[1:]  # a C accelerator (_heapq, _bisect, _operator, _json...)
    if module.startswith("pandas") and name.startswith(("read_", "to_")) \
            and name not in ("to_dict", "to_list", "to_numpy", "to_records", "to_string",
                             "to_frame", "to_period", "to_timestamp", "to_datetime",
                             "to_numeric", "to_timedelta"):
        # (``pd.read_csv(path)``, ``df.to_csv(path)``: files, unless none is named)
        return _FILE_READ if name.startswith("read_") else _FILE_WRITE
    table = _MODULES.get(module)
    while table is None and "." in module:
        module = module.rpartition(".")[0]
        table = _MODULES.get(module)
    if table is None:
        return None
    return table.get(name) or table.get("*")


DATA_KINDS = _DATA_KINDS = frozenset({int, float, complex, bool, str, bytes, type(None)})
_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))
HOLDER_KINDS = frozenset({list, tuple, dict, set, frozenset, collections.deque, *_VIEWS})
_LOOKED_AT = 256   # items of containers handed over looked at, at most


def callables_in(container) -> list:
    """The callables a list, tuple, dict, set, deque or dict view handed to a callee
    holds (``run_all([show], x)``, ``{"name": n, "cb": show}``, ``[[show]]``): two
    levels deep, among at most 256 items. A container of more than 16 items whose
    first is plain data is taken for data: a table of a million numbers costs one
    look (an options dict or a tuple of handlers is looked at whole)."""
    found, stack, left = [], [(container, 0)], _LOOKED_AT
    while stack and left > 0:
        value, depth = stack.pop()
        items = value.values() if type(value) is dict else value
        if len(value) > 16 and type(next(iter(items))) in _DATA_KINDS:
            continue
        for item in items:
            left -= 1
            if left < 0:
                break
            item_kind = type(item)
            if item_kind in _DATA_KINDS:
                continue
            if item_kind in HOLDER_KINDS:
                if depth < 1 and item:
                    stack.append((item, depth + 1))
            elif callable(item):
                found.append(item)
    return found


def _stream(obj) -> bool:
    return obj is sys.stdout or obj is sys.stderr or obj is sys.__stdout__ \
        or obj is sys.__stderr__


def facts_of(fn) -> Facts:
    """The facts of any callable (cached; a provider error counts as pure).

    Cached by identity, not equality (two callables that compare equal can do
    different things), and without keeping anything alive: an entry goes with the
    function or object it is about."""
    kind = type(fn)
    if kind is not _MethodType and kind is not _BuiltinMethodType:
        key = id(fn)   # (the common case, every call: one lookup, one check)
        found = _cache.get(key)
        if found is not None and found[0][0]() is fn:
            return found[1]
        anchors = (fn,)
    else:
        key, anchors = _key_of(fn)
        found = _cache.get(key)
        if found is not None and all(ref() is anchor
                                     for ref, anchor in zip(found[0], anchors)):
            return found[1]
    facts, complete = _computed(fn)
    if WORLD_STATE in facts.world and _state_changer_met is not None:
        _state_changer_met(fn)
    if not complete:  # a cycle was cut below it: right for this question only
        return facts
    try:
        refs = tuple(weakref.ref(anchor, functools.partial(_forget, key))
                     for anchor in anchors)
    except TypeError:   # (an object that takes no weak reference: not kept)
        return facts
    with _lock:
        if len(_cache) > 65536:
            _cache.clear()
        _cache[key] = (refs, facts)
    return facts


def _key_of(fn) -> tuple:
    """(key, objects it stands for). A bound method is its function and its object (a
    new method object is made at each attribute read); a builtin method of a builtin
    type is that type's method, whatever its object (``xs.append``)."""
    kind = type(fn)
    if kind is _MethodType:
        return (id(fn.__func__), id(fn.__self__)), (fn.__func__, fn.__self__)
    if kind is _BuiltinMethodType:
        owner = fn.__self__
        if owner is not None and module_name(type(owner)) == "builtins" \
                and not issubclass(type(owner), type) and type(owner) is not _ModuleType:
            return (type(owner), fn.__name__), (type(owner),)
    return id(fn), (fn,)


def _forget(key, _ref):
    with _lock:
        _cache.pop(key, None)


_MethodType = type(_key_of.__get__(0))
_BuiltinMethodType = type([].append)
_ModuleType = type(sys)


_computing = threading.local()


def _computed(fn) -> tuple:
    """``(_compute(fn), complete)``, with cycles cut: functions that hold each other (nested
    ``def``s calling each other through their cells) count as pure for each other;
    what each does itself still counts."""
    busy = getattr(_computing, "ids", None)
    if busy is None:
        busy = _computing.ids = set()
        _computing.cut = False
    key = id(fn)
    if key in busy:
        _computing.cut = True
        return PURE_FACTS, False
    outer_cut, _computing.cut = _computing.cut, False
    busy.add(key)
    try:
        facts = _compute(fn)
        complete = not _computing.cut
        return facts, complete
    finally:
        busy.discard(key)
        _computing.cut = outer_cut or _computing.cut


def _compute(fn) -> Facts:
    override = getattr(fn, "__desync_facts__", None)
    if isinstance(override, Facts):
        return override
    owner = getattr(fn, "__self__", None)
    name = getattr(fn, "__name__", None) or ""
    if issubclass(type(owner), type):
        # A class method (``datetime.now``): listed by qualified name in its module.
        listed = _module_facts(getattr(owner, "__module__", None),
                               f"{owner.__qualname__}.{name}")
        if listed is not None and listed is not _module_facts(owner.__module__, "\0"):
            return listed
    if owner is not None and not issubclass(type(owner), type(sys)):
        # A bound method: streams, files and paths stand for the world.
        if _stream(owner):
            return _effect(WORLD_STDOUT, "writes to the terminal")
        kind = type(owner)
        if kind in _MUTABLE_CLASSES and kind is not object and type(fn) is _BUILTIN_METHOD \
                and name not in READ_ONLY_METHODS and not (
                    name.startswith("__") and name not in _CHANGING_DUNDERS):
            # ``out.append`` handed to a callee as a callback: calling it changes the
            # list of the caller's, an effect in program order.
            return _effect(WORLD_STATE, f"changes the {kind.__name__} it belongs to")
        module = module_name(kind)
        if module in ("random", "_random"):
            return _SHUFFLE if name == "shuffle" else _RANDOM
        if module.startswith(("_io", "io")):
            return _effect(WORLD_FILES, "uses a file")
        if module.startswith("pathlib"):
            if name in _PATH_PURE:
                return PURE_FACTS
            if name in _PATH_READS:
                return _FILE_READ
            return _FILE_WRITE
        if module.startswith("logging"):
            return _LOG
        if module.startswith(("socket", "ssl", "http.client", "requests", "httpx",
                              "urllib3")):
            return _NET_READ if name in ("get", "head", "options") else _NET_WRITE
        if module.startswith("subprocess"):
            return _PROC
        listed = _module_facts(module, f"{kind.__qualname__}.{name}")
        if listed is not None and listed is not _module_facts(module, "\0"):
            return listed   # a library class's method in the table
        func = getattr(fn, "__func__", None)
        if type(func) is type(_compute):
            return facts_of(func)   # (a lambda bound with types.MethodType too)
        if func is not None and _provider is not None:
            return _provided(func)
        return PURE_FACTS
    if owner is builtins or (module_name(fn) == "builtins"
                             and name in _BUILTINS and getattr(builtins, name, None) is fn):
        return _BUILTINS.get(name, PURE_FACTS)
    module = module_name(fn)
    listed = _module_facts(module, name)
    if listed is None and issubclass(type(owner), type(sys)):
        listed = _module_facts(owner.__name__, name)
    if listed is not None:
        return listed
    if type(fn) is type(_compute):
        if fn.__code__.co_name == "<lambda>":
            return _lambda_facts(fn, 0)
        if _provider is None:
            return PURE_FACTS
        found = _provided(fn)
        wrapped = getattr(fn, "__wrapped__", None)  # a functools.wraps wrapper
        if callable(wrapped):
            found = _joined(found, facts_of(wrapped))
        found = _joined(found, _instances_facts(fn))
        return _joined(found, _captured_facts(fn, 0))
    return _other_callable(fn)


def _instances_facts(fn) -> Facts:
    """What the methods of your objects that ``fn`` names at module level do
    (``CONSOLE.emit(msg)``, ``P(x)`` with ``P`` an instance with ``__call__``): found on
    the live objects, so instances made by a factory, imported from another module
    or of a class whose method is inherited count too. Their prints and logs are
    ``fn``'s; what they change of their own object is module state, as before."""
    found = PURE_FACTS
    names = fn.__code__.co_names
    namespace = fn.__globals__
    for name in names:
        value = namespace.get(name)
        kind = type(value)
        if value is None or kind in _PLAIN_KINDS or issubclass(type(value), (type, type(sys))) \
                or not _project_class(kind):
            continue
        wanted, seen = [*names, "__call__"], set()
        while wanted and len(seen) < 64:
            attribute = wanted.pop()
            if attribute in seen:
                continue
            seen.add(attribute)
            member = getattr(kind, attribute, None)
            if isinstance(member, property):
                member = member.fget
            if type(member) is not type(_compute):
                continue
            # (and the methods it calls on its own object: ``self.say(x)``, inherited)
            wanted.extend(member.__code__.co_names)
            facts = facts_of(member)
            if facts.kind != PURE or facts.world - {WORLD_STATE}:
                found = _joined(found, Facts(facts.kind, facts.world,
                                             reason=f"{name}.{attribute}(): {facts.reason}"))
    return found


_PLAIN_KINDS = frozenset({int, float, str, bytes, bool, tuple, list, dict, set, frozenset,
                          complex, range, type(None)})


def _captured_facts(fn, depth) -> Facts:
    """What a function can run through what it holds, beyond what its source says:
    its closure cells and its defaults (``lambda v, f=show: f(v)``, a nested ``def``
    calling ``p.key(v)`` on an object of the body)."""
    found = PURE_FACTS
    if depth >= 3:
        return found
    names = fn.__code__.co_names
    held = [*(fn.__defaults__ or ()), *((fn.__kwdefaults__ or {}).values())]
    for cell in fn.__closure__ or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:
            # Not bound yet (a body's write still pending): judged again when asked
            # again, not kept (``lambda v: zs.append(v)`` before ``zs`` holds a list).
            _computing.cut = True
    for value in held:
        if value is not fn:
            found = _joined(found, _held_facts(value, names, depth))
    return found


def _other_callable(fn) -> Facts:
    """Callables that are not functions: what they end up running."""
    owner = getattr(fn, "__objclass__", None)
    if owner in _MUTABLE_CLASSES:   # list.append, deque.append, object.__setattr__
        name = getattr(fn, "__name__", "")
        if name in READ_ONLY_METHODS or (name.startswith("__")
                                         and name not in _CHANGING_DUNDERS):
            return PURE_FACTS
        return Facts(PURE, mutates={0}, reason=f"changes the {owner.__name__} it is given")
    if issubclass(type(fn), functools.partial):
        inner = facts_of(fn.func)
        # The arguments it holds are its own: changing them is an effect of the call.
        return _joined(PURE_FACTS, inner) if inner.mutates else inner
    wrapped = getattr(fn, "__wrapped__", None)   # functools.lru_cache, cache
    if callable(wrapped) and wrapped is not fn:
        found = facts_of(wrapped)
        if type(fn) is _LRU_WRAPPER:
            # Every call hands out the objects the first one made (a settings dict,
            # a registry): shared state, not a fresh result a cache hit may copy.
            found = _joined(found, Facts(PURE, {WORLD_MEMO},
                                         reason="remembers its results (lru_cache): every "
                                                "call hands out the same objects"))
        call = getattr(type(fn), "__call__", None)
        if type(call) is type(_compute):
            # A class-based decorator (``update_wrapper(self, fn)``): what its own
            # ``__call__`` does around the call counts too.
            found = _joined(found, facts_of(call.__get__(fn)))
        return found
    if issubclass(type(fn), type):
        if not _provider or not _project_class(fn):
            return PURE_FACTS   # a library's class: the table's business, as before
        found = PURE_FACTS
        # (a dataclass's generated __init__ has no source: its __post_init__ does)
        for method in ("__new__", "__init__", "__post_init__"):
            code = getattr(fn, method, None)
            if type(code) is type(_compute):
                facts = _provided(code)
                # Its first parameter is the new object: changing it is not an effect.
                mutates = {m - 1 if isinstance(m, int) else m for m in facts.mutates} - {-1}
                found = _joined(found, Facts(facts.kind, facts.world, mutates, facts.reason))
        return found
    call = getattr(type(fn), "__call__", None)
    if type(call) is type(_compute):               # an instance of a class with __call__
        return facts_of(call.__get__(fn))
    return PURE_FACTS


# ``functools.lru_cache``'s wrapper type: a function that remembers its results.
LRU_WRAPPER = _LRU_WRAPPER = type(functools.lru_cache(None)(lambda: None))
# A class's own namespace as ``type`` keeps it (no metaclass property of yours runs).
class_dict = type.__dict__["__dict__"].__get__


def class_member(cls, name):
    """``cls.name`` as the dicts of its classes hold it (no descriptor of yours runs),
    or None."""
    for klass in type.__dict__["__mro__"].__get__(cls):
        found = class_dict(klass).get(name)
        if found is not None:
            return found
    return None


_methods_named: dict = {}   # (code, class) -> facts of the class's methods the code names


def facts_of_methods_named(fn, kind) -> tuple:
    """The facts of the methods of ``kind`` (a class of the project) that ``fn``'s
    code names (``client.get(x)`` in ``fetch_with(client, x)``): what it runs when
    given an instance, which the method's name alone does not say."""
    code = fn.__code__
    found = _methods_named.get((code, kind))
    if found is None:
        found = ()
        if module_name(kind) != "builtins" and _project_class(kind):
            names, stack = set(), [code]
            while stack:   # (and the code nested in it: lambdas, comprehensions)
                current = stack.pop()
                names.update(current.co_names)
                stack.extend(c for c in current.co_consts if type(c) is type(code))
            for name in sorted(names):
                member = class_member(kind, name)
                if type(member) is type(_compute):
                    found += (facts_of(member),)
        if len(_methods_named) > 4096:
            _methods_named.clear()
        _methods_named[(code, kind)] = found
    return found


def _project_class(cls) -> bool:
    """A class of the user's project (not the standard library's or a package's)?"""
    name = module_name(cls)
    module = sys.modules.get(name)
    top = name.partition(".")[0]
    if module is None:   # code run from a file it did not register (a plugin's spec)
        return bool(top) and top not in sys.stdlib_module_names and top != "builtins"
    path = getattr(module, "__file__", None) or ""
    return bool(path) and top not in sys.stdlib_module_names \
        and "site-packages" not in path and "dist-packages" not in path


_RANK = {PURE: 0, READS: 1, EFFECT: 2}
_named: dict = {}   # a lambda's code -> the facts of the functions it names


def _lambda_facts(fn, depth) -> Facts:
    """A lambda has no ``def`` to infer from: the strongest facts among what it can
    call, the functions it names (globals, builtins, ``module.function``,
    ``sys.stdout``) and those its closure holds. ``sorted(xs, key=lambda v: show(v))``
    prints when ``show`` does."""
    code = fn.__code__
    found = _named.get(code)
    if found is None:
        found = _names_facts(code, fn.__globals__, depth)
        with _lock:
            if len(_named) > 4096:
                _named.clear()
            _named[code] = found
    return _joined(found, _captured_facts(fn, depth))


def _names_facts(code, namespace, depth) -> Facts:
    names = set()
    stack = [code]
    while stack:  # the lambda's own names and those of code nested in it
        current = stack.pop()
        names.update(current.co_names)
        stack.extend(c for c in current.co_consts if type(c) is type(code))
    found = PURE_FACTS
    for name in names:
        value = namespace.get(name, _MISSING)
        if value is _MISSING:
            value = getattr(builtins, name, None)
        found = _joined(found, _held_facts(value, names, depth))
    return found


def _held_facts(value, names, depth) -> Facts:
    """What a lambda can run through ``value``, a global or closure value it names:
    the value itself if callable, else ``value.method`` for the names it uses
    (``os.remove``, ``sys.stdout.write``, ``printer.show``)."""
    if value is None:
        return PURE_FACTS
    kind = type(value)
    if kind in _PLAIN_KINDS:
        if kind in _MUTABLE_CLASSES and _changing_method_named(kind, names):
            # ``lambda v: seen.append(v)`` over the body's ``seen``: a cache hit would
            # skip the change (the method may be another object's: counted all the same)
            return Facts(PURE, {WORLD_STATE}, reason=f"changes a {kind.__name__} it holds")
        return PURE_FACTS
    found = PURE_FACTS
    if callable(value):
        if type(value) is type(_compute) and value.__code__.co_name == "<lambda>":
            return _lambda_facts(value, depth + 1) if depth < 3 else PURE_FACTS
        return facts_of(value)
    module = issubclass(type(value), type(sys))
    for attribute in names:
        # A module's attributes as they are; an object's methods from its class, so
        # that a property is never run here.
        member = getattr(value if module else type(value), attribute, None)
        if member is None:
            continue
        if _stream(member) or (module and _stream(getattr(value, attribute, None))):
            found = _joined(found, _effect(WORLD_STDOUT, "writes to the terminal"))
        elif module:  # a library's function: what the table says (os.remove, time.time)
            if callable(member) and not issubclass(type(member), type):
                found = _joined(found, _module_facts(value.__name__, attribute)
                                or _module_facts(getattr(member, "__module__", None),
                                                 getattr(member, "__name__", ""))
                                or PURE_FACTS)
        elif callable(member):
            found = _joined(found, facts_of(member))
    return found


def _changing_method_named(kind, names) -> bool:
    """Does code naming ``names`` call a method that changes a ``kind`` (``append``,
    ``update``, ``__setitem__``)?"""
    return any(name not in READ_ONLY_METHODS and hasattr(kind, name)
               and not (name.startswith("__") and name not in _CHANGING_DUNDERS)
               for name in names)


_BUILTIN_METHOD = type([].append)
_MUTABLE_CLASSES = frozenset({list, dict, set, bytearray, object, collections.deque,
                              collections.OrderedDict, collections.defaultdict})
CHANGING_DUNDERS = _CHANGING_DUNDERS = frozenset({"__setitem__", "__delitem__", "__setattr__", "__delattr__",
                               "__iadd__", "__imul__", "__ior__", "__iand__", "__isub__",
                               "__ixor__", "__init__"})


def _joined(a: Facts, b: Facts) -> Facts:
    if b is PURE_FACTS or (b.kind == PURE and not b.world and not b.mutates):
        return a
    kind = b.kind if _RANK[b.kind] > _RANK[a.kind] else a.kind
    if b.mutates:  # changes what it is given: what the lambda passes on, unknown here
        kind = EFFECT
    return Facts(kind, a.world | b.world, (), b.reason if kind == b.kind else a.reason)


_MISSING = object()


def has_provider() -> bool:
    return _provider is not None


def inferred(fn) -> Facts | None:
    """What source inference says of a user's function; None when it cannot tell."""
    if _provider is None:
        return None
    try:
        facts = _provider(fn)
    except Exception:
        return None
    return facts if isinstance(facts, Facts) else None


def listed(fn) -> Facts | None:
    """The table's facts for a callable it lists (builtins, the standard library,
    streams, files, paths, sockets); None for anything else."""
    facts = facts_of(fn)
    if facts is PURE_FACTS:
        return None
    func = getattr(fn, "__func__", None)
    if type(func) is type(_compute):  # a user's method: inferred, not listed
        return None
    return facts


def _provided(fn) -> Facts:
    if type(fn) is not type(_compute):
        # Only a function has source to read: an object that makes up any attribute
        # (an RPC proxy's ``.__func__``) is never asked for more, let alone called.
        return PURE_FACTS
    try:
        facts = _provider(fn)
    except (OSError, SyntaxError, UnicodeDecodeError):
        facts = None   # unreadable source: the user's promise stands
    except Exception as error:
        # The inference itself failed on this code: nothing is known, so it runs as
        # an effect, in order and never cached (a wrong "pure" would reorder it).
        return Facts(EFFECT, WORLD_ALL, reason=f"effects not inferred ({type(error).__name__})")
    return facts if isinstance(facts, Facts) else PURE_FACTS


def listed_facts(module: str, name: str) -> Facts | None:
    """The table's entry for ``module.name`` (for source inference and ``explain``)."""
    if module == "builtins":
        return _BUILTINS.get(name)
    return _module_facts(module, name)


__all__ = ["Facts", "PURE", "READS", "EFFECT", "PURE_FACTS", "facts_of", "set_provider",
           "listed_facts", "FILE_METHODS", "WORLD_OBJECTS", "MUTATING_METHODS", "READ_ONLY_METHODS", "WORLD_STATE",
           "WORLD_TRACER", "WORLD_CALLER", "LOOKS_UP", "WARN", "GETFRAME"]
