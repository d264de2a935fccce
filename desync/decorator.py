"""``@desync``: transpile a function (unless the build or import hook already did)
and give it its runtime options, version and cache."""
from __future__ import annotations

import functools
import hashlib
import os
import threading
import types

from . import runtime, version
from .errors import DesyncError
from .runtime import effects, engine, executors
from .runtime.cache import CallCache, is_the_definition, set_source_hasher
from .runtime.executors import ExecutorChoice
from .runtime.pacing import GATE, Gate

_modules_lock = threading.Lock()
_modules: dict = {}   # (filename, digest of source) -> compiler.Module
_compiled: dict = {}  # (filename, digest, first line, name) -> code object


def _is_transpiled(fn) -> bool:
    return runtime.__name__ and "__desync_rt__" in fn.__code__.co_names


# DESYNC_CACHE=0 turns the call cache off for the process: read once, not per call.
_CACHE_OFF = os.environ.get("DESYNC_CACHE", "1") in ("0", "false")


class FunctionSpec:
    """Everything the runtime and the version/cache API know about one desync function."""

    # One per decorated function: slots keep decorating a module of them cheap.
    __slots__ = ("fn", "qualname", "executors", "cache_option", "source_info", "options",
                 "pace", "embedded_hash", "_cache", "_version", "_base_version",
                 "_source_roots")

    def __init__(self, fn, executors, cache, source_info):
        self.fn = fn
        self.qualname = fn.__qualname__
        self.executors = executors
        self.cache_option = cache
        self.source_info = source_info  # (filename, module source, node) or None
        self._cache = None
        self._version = None
        self._base_version = None
        self.pace = None                # what its calls cost: see desync.runtime.pacing

    # The API a desync function carries (``f.get_version()``...): bound methods of its
    # spec, so decorating makes no closures.
    def get_version(self):
        """This function's version: 1.0 when fresh, or as set by set_version()/the lockfile."""
        return version.version_of(self)

    def set_version(self, base):
        """Number this function's version relative to a saved base version."""
        return version.set_version_of(self, base)

    def get_callees(self):
        """((callee name, hash), ...): what minor_hash is made of, in order."""
        return version.callees_of(self)

    def get_cache(self):
        """This function's call cache (picklable: save it, load it elsewhere)."""
        cache = self.active_cache()
        if cache is None:
            cache = self._cache = make_cache(True if self.cache_option is False
                                             else self.cache_option)
        return cache

    def set_cache(self, cache):
        """Put a cache (for example one loaded from a file) in place."""
        if not isinstance(cache, CallCache):
            raise TypeError(f"set_cache() takes a desync CallCache, not {type(cache).__name__}")
        self._cache = cache

    def active_cache(self):
        if self.cache_option is False or _CACHE_OFF:
            return None
        cache = self._cache
        if cache is None:
            cache = self._cache = make_cache(self.cache_option)
        return cache


def desync(fn=None, *, executor=None, max_workers=None, cache=True, pure=()):
    """Run the statements of ``fn`` concurrently where data allows.

    ``executor``: ``"threads"`` (default), ``"processes"`` or any
    ``concurrent.futures.Executor``. ``max_workers``: size of a private thread
    pool. ``cache``: ``True`` (in memory), ``False``, or a folder for an on-disk
    store. ``pure``: method names that do not mutate their object (must be a
    literal: it changes the generated code).
    """
    if fn is None:
        return functools.partial(desync, executor=executor, max_workers=max_workers,
                                 cache=cache, pure=pure)
    if isinstance(fn, (staticmethod, classmethod)):
        return type(fn)(desync(fn.__func__, executor=executor, max_workers=max_workers,
                               cache=cache, pure=pure))
    if not isinstance(fn, types.FunctionType):
        raise DesyncError(f"@desync applies to functions, not {type(fn).__name__} "
                          "(put @desync closest to the def)",
                          getattr(getattr(fn, "__code__", None), "co_filename", None))
    if fn.__name__ == "<lambda>":
        raise DesyncError("@desync needs a def: a lambda is one expression, with no "
                          "statements to run concurrently", fn.__code__.co_filename,
                          fn.__code__.co_firstlineno, "lambda")
    executors = ExecutorChoice(executor, max_workers)  # bad options fail before any work
    source_info = None
    if executor is None and max_workers is None and cache is True and pure == ():
        options = _DEFAULT_OPTIONS
    else:
        options = tuple(_option_key(v) for v in (executor, max_workers, cache, pure))
    if _is_transpiled(fn):
        impl, spec = _own_code(fn, options)
    else:
        impl, source_info, spec = _transpile_live(fn, options)
    if spec is None:
        spec = FunctionSpec(impl, executors, cache, source_info)
        spec.options = options
        runtime.register(impl.__code__, spec)
    gate = _gate_of(impl)
    if gate is not None:
        gate.spec = spec   # open to pacing: see desync.runtime.pacing
    impl.__dict__.update(__desync_spec__=spec, get_version=spec.get_version,
                         set_version=spec.set_version, get_callees=spec.get_callees,
                         get_cache=spec.get_cache, set_cache=spec.set_cache)
    return impl


_DEFAULT_OPTIONS = (None, None, True, ())


_variants: dict = {}   # (id of a code object, options) -> (that code, its copy)
_variants_lock = threading.Lock()


def _option_key(value):
    if value is None or isinstance(value, (bool, int, str, tuple)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return ("object", id(value))   # an executor or a CallCache: this very object


def _code_for(code, options):
    """``(code or a copy of it, the spec it shares or None)``. The runtime finds a
    function's options by its code object, and a ``def`` run twice (a factory) makes
    functions sharing one: one with other options gets a copy of the code, one copy
    per distinct set of options, so a factory run in a loop does not grow memory;
    functions with the same code and options share one spec (and cache)."""
    registered = runtime.spec_for(code)
    if registered is None or getattr(registered, "options", None) == options:
        return code, registered
    with _variants_lock:
        found = _variants.get((id(code), options))
        if found is None:
            found = _variants[(id(code), options)] = (code, code.replace())  # code kept: its id
    return found[1], runtime.spec_for(found[1])


def _gate_of(fn):
    """The Gate in a decorator-made function's cell, or None (built code has none)."""
    freevars = fn.__code__.co_freevars
    if GATE in freevars:
        return fn.__closure__[freevars.index(GATE)].cell_contents
    return None


def _own_code(fn, options):
    code, spec = _code_for(fn.__code__, options)
    if code is fn.__code__:
        return fn, spec
    closure = fn.__closure__
    if GATE in code.co_freevars:   # a gate of its own: its spec is another
        at = code.co_freevars.index(GATE)
        closure = closure[:at] + (types.CellType(Gate(fn.__desync_original__)),) + closure[at + 1:]
    own = types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    own.__kwdefaults__ = fn.__kwdefaults__
    own.__qualname__ = fn.__qualname__
    own.__module__ = fn.__module__
    own.__doc__ = fn.__doc__
    own.__annotations__ = fn.__annotations__
    own.__dict__.update(fn.__dict__)
    return own, spec


def _module_for(filename: str, fn_globals):
    import linecache  # here, not at the top: it loads tokenize, needless for built code
    from .compiler import Module
    lines = linecache.getlines(filename, fn_globals)
    if not lines:
        linecache.checkcache(filename)
        lines = linecache.getlines(filename, fn_globals)
    if not lines:
        return None, None
    source = "".join(lines)
    digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    if _fncache is not None and os.path.exists(filename):
        on_disk = _fncache._text_digest(filename)
        if on_disk is not None and on_disk != digest:
            # linecache kept the text of an earlier read (the file was edited within
            # one tick of the clock, then reloaded): read it again.
            lines = linecache.updatecache(filename, fn_globals)
            if lines:
                source = "".join(lines)
                digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"),
                                         digest_size=16).digest()
    key = (filename, digest)
    with _modules_lock:
        module = _modules.get(key)
    if module is None:
        module = Module(source, filename)
        with _modules_lock:
            _modules[key] = module
    return module, digest


_fncache = None


def _transpile_live(fn, options):
    global _fncache
    if _fncache is None:
        from . import fncache  # a few stat calls and a read: no parsing
        _fncache = fncache
    compiled = _fncache.lookup(fn)
    source_info = None
    if compiled is None:
        compiled, source_info, digest = _transpile_source(fn)
        _fncache.store(fn, compiled, digest)
    impl, spec = _bind(fn, compiled, options)
    return impl, source_info, spec


def _transpile_source(fn):
    from .compiler import first_line
    from .compiler.emit import compile_function
    code = fn.__code__
    filename = code.co_filename
    module, digest = _module_for(filename, fn.__globals__)
    if module is None:
        raise DesyncError(f"cannot read the source of '{fn.__qualname__}': @desync needs the "
                          "function's source file (functions typed at the interactive prompt "
                          "or built with exec() cannot be transpiled; put them in a file)",
                          filename, code.co_firstlineno, "source")
    found = module.find(fn.__qualname__, code.co_firstlineno)
    candidates = [f for f in _candidates(module, fn) if first_line(f[0]) == code.co_firstlineno]
    if candidates:
        found = candidates[0]
    if found is None:
        raise DesyncError(f"cannot find the definition of '{fn.__qualname__}' in its source "
                          "file (was the file edited after it was imported?)",
                          filename, code.co_firstlineno, "source")
    node, qualname, class_name = found
    key = (filename, digest, first_line(node), fn.__name__)
    with _modules_lock:
        compiled = _compiled.get(key)
    if compiled is None:
        transpiled = module.transpile_def(node, plain=True)
        freevars = code.co_freevars + ((GATE,) if transpiled._desync_gate else ())
        compiled = compile_function(transpiled, filename, freevars, class_name,
                                    getattr(code, "co_qualname", qualname))
        with _modules_lock:
            _compiled[key] = compiled
    return compiled, (filename, module, node), digest


def _bind(fn, compiled, options):
    """The transpiled function: ``compiled`` with the original's globals, closure
    cells, defaults and metadata."""
    code = fn.__code__
    wanted = compiled.co_freevars
    if wanted == (GATE,):   # the usual case: no closure of its own
        closure = (types.CellType(Gate(fn)),)   # opened once the spec is known
    else:
        cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
        if GATE in wanted:
            cells[GATE] = types.CellType(Gate(fn))
        missing = [name for name in wanted if name not in cells]
        if missing:  # pragma: no cover - the factory passes exactly the original's free variables
            raise DesyncError(f"internal: free variables {missing} of '{fn.__qualname__}'",
                              code.co_filename, code.co_firstlineno)
        closure = tuple(cells[name] for name in wanted) or None
    fn_globals = fn.__globals__
    if "__desync_rt__" not in fn_globals:
        fn_globals["__desync_rt__"] = runtime
    compiled, spec = _code_for(compiled, options)
    impl = types.FunctionType(compiled, fn_globals, fn.__name__, fn.__defaults__, closure)
    if fn.__kwdefaults__ is not None:
        impl.__kwdefaults__ = fn.__kwdefaults__
    impl.__qualname__ = fn.__qualname__
    if impl.__module__ != fn.__module__:
        impl.__module__ = fn.__module__
    impl.__doc__ = fn.__doc__
    impl.__annotations__ = fn.__annotations__
    if getattr(fn, "__type_params__", ()):
        impl.__type_params__ = fn.__type_params__   # (3.12: ``def first[T](...)``)
    if fn.__dict__:
        impl.__dict__.update(fn.__dict__)
    impl.__desync_original__ = fn
    return impl, spec


def _candidates(module, fn):
    from .compiler import _all_functions
    return [f for f in _all_functions(module.tree) if f[0].name == fn.__name__]


def _source_code_hash(fn):
    # The runtime cache keys calls by code hash; hashing source needs ``ast``,
    # so it is imported only when a callee has no hash embedded by a build.
    from .hashing.live import transitive_code_hash
    return transitive_code_hash(fn)


set_source_hasher(_source_code_hash)


def _source_facts(fn):
    # What a callee does (effects.facts_of asks for functions it does not list):
    # from what a build embedded, else inferred from source (imports ``ast``).
    built = fn.__globals__.get("__desync_facts__")
    # Only for the function the module defines under that name (not a factory's
    # variant, a wrapper, an earlier def), and only if it reaches no module outside
    # the project: the build read the project's source only.
    if built is not None and fn.__qualname__ in built \
            and getattr(fn, "__desync_spec__", None) is None and is_the_definition(fn) \
            and not fn.__globals__.get("__desync_third_party__", {}).get(fn.__qualname__):
        kind, world, mutates, reason = built[fn.__qualname__]
        return effects.Facts(kind, world, mutates, reason)
    from .hashing.effects import infer
    return infer(fn)


effects.set_provider(_source_facts)


def _source_returns_state(fn):
    # Whether a function hands out module state: from what a build embedded for the
    # function its module defines under that name, else read from source.
    built = fn.__globals__.get("__desync_returns_state__")
    if built is not None and getattr(fn, "__desync_spec__", None) is None \
            and is_the_definition(fn) and fn.__qualname__ in fn.__globals__.get(
                "__desync_facts__", ()):
        return fn.__qualname__ in built
    from .hashing.effects import returns_state
    return returns_state(fn)


effects.set_returns_provider(_source_returns_state)


def _names_changed_in(path):
    """The module-level names a module's own code rebinds or changes in place (read
    when a body reads that module's state while calls that change state are pending)."""
    import ast
    from .compiler.analyse import module_objects, rebound_or_changed
    with open(path, "rb") as handle:
        tree = ast.parse(handle.read(), path)
    return rebound_or_changed(tree, module_objects(tree))


engine.set_source_reader(_names_changed_in)


# -- the cache API of desync functions ----------------------------------------------

def make_cache(option):
    """The cache for ``@desync(cache=option)``: True, a folder, or a CallCache."""
    if isinstance(option, CallCache):
        return option
    if option is True:
        directory = os.environ.get("DESYNC_CACHE_DIR") or _configured_cache_dir()
        return CallCache(directory=directory, max_bytes=_configured_cache_size())
    if isinstance(option, (str, os.PathLike)):
        return CallCache(directory=option, max_bytes=_configured_cache_size())
    raise TypeError(f"cache must be True, False, a folder or a CallCache, not {option!r}")


def _configured_cache_dir():
    try:
        from .toolchain.config import load_config
        return load_config().cache_dir
    except Exception:
        return None


def _configured_cache_size():
    try:
        from .toolchain.config import load_config
        return load_config().cache_size
    except Exception:
        return None


# -- the project's executor ([tool.desync] executor and max-workers) ---------------

_executor_lock = threading.Lock()
_executor_settings: dict = {}   # working folder -> (setting, max workers, where it was set)
_factories: dict = {}           # (where, setting) -> the Executor a factory made


def _executor_settings_here():
    """(setting, max workers, where) for functions without ``executor=``: from
    ``DESYNC_EXECUTOR``, else ``[tool.desync]`` of the project around the working folder."""
    cwd = os.getcwd()
    found = _executor_settings.get(cwd)
    if found is None:
        from .toolchain.config import check_executor, load_config
        config = load_config(cwd)   # a bad [tool.desync] table fails here, naming the file
        setting, workers = config.executor, config.max_workers
        where = (f"[tool.desync] executor in {config.pyproject}" if config.pyproject
                 else "[tool.desync] executor")
        if os.environ.get("DESYNC_EXECUTOR"):
            setting = check_executor(os.environ["DESYNC_EXECUTOR"].strip(),
                                     "DESYNC_EXECUTOR", None)
            where = "DESYNC_EXECUTOR"
            if setting not in ("threads", "processes"):
                workers = None   # a factory sizes its own executor
        found = _executor_settings[cwd] = (setting, workers, where)
    return found


def _configured_executor_settings():
    setting, workers, _ = _executor_settings_here()
    return setting, workers


def _configured_executor_factory():
    setting, _, where = _executor_settings_here()
    with _executor_lock:
        executor = _factories.get((where, setting))
        if executor is None:
            executor = _factories[(where, setting)] = _make_configured(setting, where)
    return executor


def _make_configured(setting: str, where: str):
    """The Executor ``module:attribute`` names: the attribute itself if it is one,
    else what calling it (with no arguments) returns."""
    import importlib
    from concurrent.futures import Executor
    module_name, _, attribute = setting.partition(":")
    try:
        target = importlib.import_module(module_name)
    except ImportError as error:
        raise DesyncError(f"{where} = {setting!r}: cannot import {module_name!r}: "
                          f"{error}") from error
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise DesyncError(f"{where} = {setting!r}: {module_name!r} has no attribute "
                              f"{attribute!r}") from None
    executor = target if isinstance(target, Executor) else target() if callable(target) \
        else target
    if not isinstance(executor, Executor):
        raise DesyncError(f"{where} = {setting!r} gave {type(executor).__name__}, not a "
                          "concurrent.futures.Executor (for Dask: client.get_executor())")
    return executor


executors.set_configuration(_configured_executor_settings, _configured_executor_factory)


