"""What a callee reaches: the functions it runs (``_reached_from``), the module
names they read, and whether among them is a lock the calling thread holds or a
``threading.local`` it filled. Read from code objects and namespaces, bounded in
cost, cached per code where the answer cannot change.
"""
from __future__ import annotations

import itertools
import os
import sys
import threading
from types import BuiltinFunctionType, CodeType, FunctionType, MethodType

from . import effects as _effects
from .tasks import DONE, Task


def _add_held(changed, value, names):
    """Add ``value``'s classes, and what they and ``value`` hold under ``names``."""
    kind = value if issubclass(type(value), type) else type(value)
    holders = [*kind.__mro__[:-1]]
    if type(value) is _MODULE:
        holders = [value]   # ``cfg.OPTS["sep"]`` after ``cfg.OPTS["sep"] = v``
    elif not issubclass(type(value), type):
        changed.extend(holders)
        state = getattr(value, "__dict__", None)
        if type(state) is dict:
            holders.append(value)
    for holder in holders:
        attributes = getattr(holder, "__dict__", None)
        if attributes is None:
            continue
        for name in names:
            held = attributes.get(name)
            if held is not None and type(held) not in _NEVER_CHANGED:
                changed.append(held)


_MAX_REACHED = 48   # functions followed from one callee: a bound on the cost of a call


def _reached_from(run: list) -> list:
    """``run`` and the functions of the user's project their code may call in turn,
    transitively: ``describe()`` calling ``get_level()``, which reads ``CONFIG``, reads
    it too. Followed through the module globals each one names (functions, what they
    wrap, and the methods named on classes and instances of the project); library
    and standard-library code is not followed (it does not read the user's globals)."""
    if not run:
        return run
    found = list(run)
    seen = {id(f) for f in found}
    index = 0
    while index < len(found):
        target = found[index]
        index += 1
        for function in _called_by(target):
            if id(function) not in seen:
                seen.add(id(function))
                found.append(function)
                if len(found) >= _MAX_REACHED:
                    return found
    return found


_called_cache: dict = {}   # code -> (namespace, getter, the values it got, functions)


def _called_by(target) -> tuple:
    """The project functions ``target``'s code names (directly), remembered per code
    with the globals they came from: looked up again only when one is rebound."""
    code = target.__code__
    namespace = target.__globals__
    found = _called_cache.get(code)
    if found is not None and found[0] is namespace:
        getter, seen, later = found[1], found[2], found[4]
        if getter is None:
            now = ()
        elif len(seen) == 1:
            now = (getter(namespace),)
        else:
            now = getter(namespace)
        for a, b in zip(now, seen):
            if a is not b:
                break
        else:
            if not later or not any(name in namespace for name in later):
                return found[3]
    functions = []
    present = []
    later = []
    if _in_project(namespace):
        names = _global_names(code)[0]
        for name in names:
            value = namespace.get(name, _ABSENT)
            if value is _ABSENT:
                if name not in _BUILTIN_NAMES:
                    later.append(name)   # a global not defined yet: looked for each time
                continue
            present.append(name)
            cls = type(value)
            if cls in _NEVER_CHANGED and cls is not FunctionType or cls is _MODULE:
                continue
            if cls is FunctionType or cls is MethodType or cls is _PARTIAL:
                more = _functions_run_by(value)
            else:
                more = _methods_named(value, names)
            functions.extend(f for f in more if f is not target and _in_project(f.__globals__))
    if present:
        getter = _itemgetter(*present)
        seen = (getter(namespace),) if len(present) == 1 else getter(namespace)
    else:
        getter, seen = None, ()
    result = tuple(functions)
    _called_cache[code] = (namespace, getter, seen, result, tuple(later))
    return result


_ABSENT = object()


_BUILTIN_NAMES = frozenset(dir(__import__("builtins")))


_itemgetter = __import__("operator").itemgetter


def _methods_named(value, names) -> list:
    """The functions of a project class (or of an instance's class) that code naming
    ``names`` may run: methods and properties by those names, and what making an
    instance runs."""
    kind = value if issubclass(type(value), type) else type(value)
    found = []
    if not _in_project(getattr(sys.modules.get(_effects.module_name(kind)), "__dict__", None)):
        return found
    wanted = (*names, "__init__", "__new__", "__post_init__", "__call__") \
        if kind is value else (*names, "__call__")
    for holder in kind.__mro__[:-1]:
        attributes = holder.__dict__
        for name in wanted:
            member = attributes.get(name)
            if member is None:
                continue
            if type(member) in (staticmethod, classmethod):
                member = member.__func__
            elif type(member) is property:
                member = member.fget
            if type(member) is FunctionType:
                found.append(member)
    return found


_project_namespaces: dict = {}   # id of a module namespace -> (it, in the project?)


def _in_project(namespace) -> bool:
    """Is this module namespace the user's code (not the standard library's, not a
    package installed in site-packages, not desync's)?"""
    if namespace is None:
        return False
    found = _project_namespaces.get(id(namespace))
    if found is not None and found[0] is namespace:
        return found[1]
    name = namespace.get("__name__") or ""
    top = name.partition(".")[0]
    path = namespace.get("__file__") or ""
    verdict = top != "desync" and "site-packages" not in path \
        and "dist-packages" not in path \
        and (top not in _STDLIB_NAMES or bool(path) and not path.startswith(_STDLIB_FOLDER))
    _project_namespaces[id(namespace)] = (namespace, verdict)
    return verdict


_STDLIB_NAMES = frozenset(getattr(sys, "stdlib_module_names", ())) \
    | frozenset(sys.builtin_module_names)
# (a module named like one of the standard library's but found elsewhere, a project's
# own ``profile.py``, is the project's)
_STDLIB_FOLDER = os.path.dirname(os.__file__)


_THREAD_LOCAL = threading.local


_modules_scanned = [0, False]   # (modules seen, a thread-local among their globals?)


def _thread_locals_seen(fn) -> bool:
    """Does a module of the project, or the namespace ``fn`` was defined in, hold a
    ``threading.local`` at module level? Modules are looked at again whenever one was
    imported since, a namespace when it gains a name: most programs have none, and
    their calls pay two length checks."""
    count = len(sys.modules)
    if count != _modules_scanned[0]:
        found = False
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if type(namespace) is dict and _in_project(namespace) \
                    and _holds_thread_local(namespace):
                found = True
                break
        _modules_scanned[0], _modules_scanned[1] = count, found
    if _modules_scanned[1]:
        return True
    namespace = getattr(fn, "__globals__", None)   # (one not imported: exec, a runner)
    if type(namespace) is not dict:
        return False
    found = _locals_by_namespace.get(id(namespace))
    if found is None or found[0] is not namespace or found[1] != len(namespace):
        found = _locals_by_namespace[id(namespace)] = (
            namespace, len(namespace), _holds_thread_local(namespace))
    return found[2]


def _holds_thread_local(namespace) -> bool:
    for value in list(namespace.values()):
        if issubclass(type(value), _THREAD_LOCAL):   # (type(): no __class__ property runs)
            return True
    return False


_locals_by_namespace: dict = {}   # id of a namespace -> (it, its length, holds a local?)


def _reads_thread_local(fn, args, kwargs) -> bool:
    """Does ``fn``, a function it calls in turn, or an argument, name or hold a
    module-level ``threading.local``?"""
    for value in (*args, *(kwargs.values() if kwargs else ())):
        if issubclass(type(value), _THREAD_LOCAL):
            return True
    for target in _reached_from(_functions_run_by(fn)):
        namespace = target.__globals__
        for name in _global_names(target.__code__)[0]:
            if issubclass(type(namespace.get(name)), _THREAD_LOCAL):
                return True
    return False


_lock_sources: dict = {}   # code -> (namespace, name) of module globals that held locks


_LOOKED_INTO = 32   # items of a module-level container looked at for a lock


def _locks_in(value, found: list) -> None:
    """The RLocks and Conditions ``value`` is, or holds one level down (a module-level
    dict, list or tuple of them, an object's or class's attributes: ``LOCKS["a"]``,
    ``ns.lock``)."""
    kind = type(value)
    if kind in _OWNED_LOCKS:
        found.append(value)
        return
    # (issubclass: ``isinstance`` would run an object's own ``__class__``)
    if issubclass(kind, dict):   # (a defaultdict of per-key locks too)
        items = dict.values(value)
    elif issubclass(kind, list):
        items = list.__iter__(value)
    elif issubclass(kind, tuple):
        items = tuple.__iter__(value)
    elif kind in _NEVER_CHANGED or kind is _MODULE:
        return
    else:
        try:   # (an object's attributes, a class's: ``Settings.lock``)
            items = object.__getattribute__(value, "__dict__").values()
        except Exception:
            return
    try:
        found.extend(item for item in itertools.islice(items, _LOOKED_INTO)
                     if type(item) in _OWNED_LOCKS)
    except RuntimeError:   # (changed by another thread while looked at)
        pass


def _module_lock_sources(fn) -> tuple:
    """The module globals ``fn`` (or a function of the project it calls in turn) names
    that hold a lock, directly or in a container, when first looked at: looked into
    again at each call, since a body may put a new lock there (``LOCKS[k] = RLock()``)."""
    code = fn.__code__
    sources = _lock_sources.get(code)
    if sources is None:
        found, known, modules = [], set(), set()
        for target in _reached_from([fn]):
            namespace = target.__globals__
            for name in _global_names(target.__code__)[0]:
                locks = []
                _locks_in(namespace.get(name), locks)
                if locks and (id(namespace), name) not in known:
                    known.add((id(namespace), name))
                    found.append((namespace, name))
            if id(namespace) in modules:
                continue
            # The module's own locks, named or not: its code may reach them in ways
            # not followed here (logging's getLogger takes _lock through
            # Logger.manager.getLogger, a method of an object in a class attribute).
            modules.add(id(namespace))
            for name, value in list(namespace.items()):
                if type(value) in _OWNED_LOCKS and (id(namespace), name) not in known:
                    known.add((id(namespace), name))
                    found.append((namespace, name))
        if len(_lock_sources) > 4096:
            _lock_sources.clear()
        sources = _lock_sources[code] = tuple(found)
    return sources


def _holds_its_lock(fn, args, kwargs=None) -> bool:
    """Does this thread hold an RLock or Condition the function may take: a module-level
    one (or one inside a module-level container), one in its cells, one it is handed
    (by position or keyword)? Only this thread may take it again."""
    sources = _module_lock_sources(fn)
    if sources:
        locks = []
        for namespace, name in sources:
            _locks_in(namespace.get(name), locks)
        if any(lock._is_owned() for lock in locks):
            return True
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if type(value) in _OWNED_LOCKS and value._is_owned():
            return True
    for value in (*args, *kwargs.values()) if kwargs else args:
        if type(value) is Task:
            if value.state != DONE:
                continue
            value = value.value   # (``lock = RLock()`` in the body, then handed on)
        if type(value) in _OWNED_LOCKS and value._is_owned():
            return True
    return False


_lock_names: dict = {}   # class -> names of its instances' attributes that hold RLocks


def _holds_lock_of(obj) -> bool:
    """Does this thread hold an RLock the object keeps (``self.lock``: logging's
    handlers)? Its methods may take it again, which only this thread may do. Which
    attributes hold one is learnt per class, from its first instance seen."""
    try:
        state = object.__getattribute__(obj, "__dict__")
    except Exception:
        return False
    kind = type(obj)
    names = _lock_names.get(kind)
    if names is None:
        names = tuple(name for name, value in list(state.items()) if type(value) is _RLOCK)
        if len(_lock_names) > 4096:
            _lock_names.clear()
        _lock_names[kind] = names
    for name in names:
        lock = state.get(name)
        if type(lock) is _RLOCK and lock._is_owned():
            return True
    return False


def _decimal_context_type():
    decimal = sys.modules.get("decimal")
    return decimal.Context if decimal is not None else None


_names_by_code: dict = {}   # code -> the names it and its nested code look up


def _global_names(code) -> tuple:
    """(names a function's code may read as globals, nested code included (a generator
    expression, a lambda, a nested ``def``), their boxes' keys ``"@name"``)."""
    found = _names_by_code.get(code)
    if found is None:
        names, stack = set(), [code]
        while stack:
            current = stack.pop()
            names.update(current.co_names)
            stack.extend(c for c in current.co_consts if type(c) is _CODE)
        names = tuple(sorted(names))
        found = _names_by_code[code] = (names, tuple("@" + name for name in names))
    return found


def _functions_run_by(fn) -> list:
    """The Python functions a callable runs first: a function, a method's function,
    a partial's, a wrapper's and what it wraps, an object's ``__call__``."""
    found = []
    for _ in range(6):
        cls = type(fn)
        if cls is FunctionType:
            state = fn.__dict__
            if state:
                original = state.get("__desync_original__")
                if original is not None:
                    fn = original   # a desync function: its own code
                    continue
            found.append(fn)
            if not state:
                return found
            registry = state.get("registry")
            if type(registry) is _MAPPING_PROXY and "dispatch" in state:
                # ``functools.singledispatch``: any registered implementation may run.
                found.extend(f for f in registry.values() if type(f) is FunctionType)
            wrapped = state.get("__wrapped__")
            if wrapped is None:
                return found
            fn = wrapped
            continue
        if cls is MethodType:
            fn = fn.__func__
        elif cls is _PARTIAL:
            fn = fn.func
        elif cls is BuiltinFunctionType or cls is type:
            return found
        else:
            wrapped = getattr(fn, "__wrapped__", None)   # functools.lru_cache
            if wrapped is not None:
                call = getattr(cls, "__call__", None)
                if type(call) is FunctionType:   # a class-based decorator's own code
                    found.append(call)
                fn = wrapped
                continue
            call = getattr(cls, "__call__", None)
            if type(call) is not FunctionType:
                return found
            fn = call
    return found


_MODULE = type(sys)


# Values a callee names that no effect of a body changes in place.
_RLOCK = type(threading.RLock())


_OWNED_LOCKS = frozenset({_RLOCK, threading.Condition})   # (those that know their owner)


_REENTRANT = (threading.Condition, threading._PyRLock)


def _reentrant(manager) -> bool:
    kind = type(manager)
    if kind is _RLOCK or issubclass(kind, _REENTRANT):
        return True
    # (multiprocessing's, without importing it)
    return kind.__name__ in ("RLock", "Condition") \
        and _effects.module_name(kind) == "multiprocessing.synchronize"


_NEVER_CHANGED = frozenset({FunctionType, BuiltinFunctionType, int, float, str, bytes, bool,
                            type(None), tuple, frozenset, range, complex})


_CODE = CodeType


_PARTIAL = __import__("functools").partial


_MAPPING_PROXY = type(type.__dict__)


_stores_by_code: dict = {}   # code -> (attribute names it stores or deletes, names it loads)


def _attribute_stores(code) -> tuple:
    """(names ``code`` stores or deletes as attributes, names it loads as globals or
    attributes, whether it sets attributes by names it does not write: ``setattr(cfg,
    name, v)``, ``vars(cfg)[k] = v``, ``cfg.__dict__``, not on its own ``self``), nested
    code included; read once per code object."""
    found = _stores_by_code.get(code)
    if found is None:
        import dis   # (only once a function changing module state is met)
        stored, loaded, stack, any_name = set(), set(), [code], False
        while stack:
            current = stack.pop()
            stack.extend(c for c in current.co_consts if type(c) is _CODE)
            own = current.co_varnames[0] if current.co_argcount \
                and current.co_varnames[0] in ("self", "cls") else None
            instructions = [i for i in dis.get_instructions(current)
                            if i.opname not in ("PUSH_NULL", "PRECALL", "CACHE", "NOP")]
            for index, instruction in enumerate(instructions):
                name = instruction.opname
                if name in ("STORE_ATTR", "DELETE_ATTR"):
                    stored.add(instruction.argval)
                elif name in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_ATTR", "LOAD_METHOD") \
                        and type(instruction.argval) is str:
                    loaded.add(instruction.argval)
                    value = instruction.argval
                    if value in _BY_ANY_NAME and not any_name:
                        if value in ("setattr", "delattr", "vars") \
                                and name in ("LOAD_GLOBAL", "LOAD_NAME"):
                            after = instructions[index + 1] if index + 1 < len(instructions) \
                                else None
                            on_own = after is not None and after.opname == "LOAD_FAST" \
                                and after.argval == own
                        else:   # (``x.__dict__``, ``x.__setattr__``: x loaded just before)
                            before = instructions[index - 1] if index else None
                            on_own = before is not None and before.opname == "LOAD_FAST" \
                                and before.argval == own
                        any_name = own is None or not on_own
            if "setattr" in current.co_names or "delattr" in current.co_names:
                # (``setattr(cfg, "LEVEL", v)``: its name, among the code's strings)
                stored.update(c for c in current.co_consts if type(c) is str)
        found = _stores_by_code[code] = (frozenset(stored), frozenset(loaded), any_name)
    return found


def names_set_on_modules(fn) -> dict:
    """``{module or None: names or ANY_NAME}`` that ``fn``, and the functions of the
    project it may call, may set on the project's modules (``cfg.DEBUG = v``, ``cfg.N +=
    1``, ``del cfg.X``, ``pkg.cfg.X = v``, ``MODS["cfg"].X = v``, ``_cfg().X = v``). Read
    from code objects, following the functions each names: as globals, as attributes
    of the project's modules (``store.set_limit(v)``), as methods and property setters
    of its classes. Every attribute any of them stores counts for every project module
    any of them names, which only makes reads of those names wait more. ``ANY_NAME``:
    names not known (``setattr(cfg, name, v)``, ``vars(cfg)[k] = v``); key ``None``:
    any module of the project (``sys.modules[name].X = v``)."""
    todo = _functions_run_by(fn) if not issubclass(type(fn), type) else \
        _methods_named(fn, ()) + _setters_of(fn)   # (a class: what making one runs)
    seen = {id(f) for f in todo}
    stored_all, modules_all, any_name, any_module = set(), {}, False, False
    while todo:
        function = todo.pop()
        namespace = function.__globals__
        if not _in_project(namespace):
            continue
        stored, loaded, by_any_name = _attribute_stores(function.__code__)
        stored_all |= stored
        any_name = any_name or by_any_name
        modules = []
        for name in loaded:
            value = namespace.get(name)
            if type(value) in (dict, list, tuple) and len(value) <= 64:
                # (``MODS = {"cfg": cfg}``: a module kept in a container)
                items = value.values() if type(value) is dict else value
                modules.extend(v for v in items if type(v) is _MODULE)
            elif type(value) is _MODULE:
                modules.append(value)
        for module in list(modules):   # (``pkg.cfg.X = v``: a module of a module)
            modules.extend(v for v in (module.__dict__.get(name) for name in loaded)
                           if type(v) is _MODULE)
        modules = [m for m in modules if _in_project(m.__dict__)]
        if "modules" in loaded and namespace.get("sys") is sys and (stored or by_any_name):
            # (``sys.modules[name].X = v``: a module found by name: the one a string of
            # the code names, or its own (``__name__``), else any of the project's)
            found_by_name = [sys.modules.get(c) for c in _strings_of(function.__code__)]
            if "__name__" in loaded:
                found_by_name.append(sys.modules.get(namespace.get("__name__")))
            found_by_name = [m for m in found_by_name if type(m) is _MODULE]
            if found_by_name:
                modules.extend(m for m in found_by_name if _in_project(m.__dict__))
            else:
                any_module = True
        for module in modules:
            modules_all[id(module)] = module
        if len(seen) >= _MAX_SCANNED:
            continue
        values = [namespace.get(name) for name in loaded]
        for value in list(values):
            if type(value) in (dict, list, tuple) and len(value) <= 64:
                # (``HOOKS = [_set_reg]``, ``HANDLERS[k](v)``: functions kept in a container)
                values.extend(value.values() if type(value) is dict else value)
        if "globals" in loaded:   # (``globals()[name](v)``: any function of its module)
            values.extend(v for v in namespace.values() if type(v) is FunctionType)
        for name in loaded:
            values.extend(m.__dict__.get(name) for m in modules)
        for value in values:
            cls = type(value)
            if value is None or cls is _MODULE or cls in _NEVER_CHANGED \
                    and cls is not FunctionType:
                continue
            if cls in (FunctionType, MethodType, _PARTIAL):
                more = _functions_run_by(value)
            else:
                more = _methods_named(value, loaded) + _setters_of(value)
            for other in more:
                if id(other) not in seen:
                    seen.add(id(other))
                    todo.append(other)
    if not stored_all and not any_name:
        return {}
    names = ANY_NAME if any_name else frozenset(stored_all)
    found = {module: names for module in modules_all.values()}
    if any_module:
        found[None] = names
    return found


_strings_by_code: dict = {}   # code -> the strings it holds (read once: a loop asks often)


def _strings_of(code) -> frozenset:
    found = _strings_by_code.get(code)
    if found is not None:
        return found
    found, stack = set(), [code]
    while stack:
        current = stack.pop()
        for constant in current.co_consts:
            if type(constant) is _CODE:
                stack.append(constant)
            elif type(constant) is str and len(constant) < 200:
                found.add(constant)
    if len(_strings_by_code) > 65536:
        _strings_by_code.clear()
    found = _strings_by_code[code] = frozenset(found)
    return found


ANY_NAME = True   # (see names_set_on_modules)
# Names code sets attributes through without naming them: ``setattr(cfg, name, v)``,
# ``cfg.__setattr__(...)``, ``vars(cfg)[name] = v``, ``cfg.__dict__.update(...)``.
_BY_ANY_NAME = frozenset({"setattr", "delattr", "__setattr__", "__delattr__", "__dict__",
                          "vars"})
_MAX_SCANNED = 96   # functions read for one function met: a bound on the cost


# Names through which code may reach an object without naming the attribute or key
# that holds it (``getattr(app, name)``, ``vars(app)``, ``for rows in TABLE.values()``).
_REACHES_UNNAMED = frozenset({"getattr", "setattr", "delattr", "vars", "__dict__",
                              "globals", "values", "items", "update", "__setattr__",
                              "__setitem__", "setdefault", "pop", "popitem", "clear"})


def may_touch(fn, part, words) -> bool:
    """May calling ``fn`` (and what it calls, transitively) change ``part``, an object
    of module state held under ``words`` (the attribute or key names that reach it:
    ``{"routes"}`` for ``APP.routes``)? Only if some function it runs names ``part``
    itself (a global bound to it), names one of ``words`` (as an attribute, a global or
    a string), or reaches objects without naming them (``getattr``, ``vars``,
    ``.values()``...). ``hit(r)`` doing ``APP.requests += 1`` cannot change
    ``APP.routes`` by name; unknown code may."""
    functions = _functions_run_by(fn)
    if not functions:
        return True
    reached = _reached_from(functions)
    if len(reached) >= _MAX_REACHED:
        return True
    for function in reached:
        code = function.__code__
        names = _global_names(code)[0]
        if not _REACHES_UNNAMED.isdisjoint(names) or words and not words.isdisjoint(names):
            return True
        if words and not words.isdisjoint(_strings_of(code)):
            return True
        namespace = function.__globals__
        for name in names:
            if namespace.get(name) is part:
                return True
        for cell in function.__closure__ or ():
            try:
                if cell.cell_contents is part:
                    return True
            except ValueError:
                pass
    return False


def _setters_of(value) -> list:
    """The property setters and deleters of a project class (or an instance's): what
    ``obj.value = v`` in the body runs."""
    kind = value if issubclass(type(value), type) else type(value)
    if not _in_project(getattr(sys.modules.get(_effects.module_name(kind)), "__dict__", None)):
        return []
    found = []
    for holder in kind.__mro__[:-1]:
        for member in holder.__dict__.values():
            if type(member) is property:
                found.extend(f for f in (member.fset, member.fdel) if type(f) is FunctionType)
    return found
