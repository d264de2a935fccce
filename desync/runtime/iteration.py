"""Loops and generators the engine drives: ``for`` statements, comprehensions,
generator expressions and the generators they read, stepped as plain Python steps
them while the calls of earlier elements still run.

- ``_Guarded``: a ``for`` loop's iterator that waits for what its next step reads;
- ``_AheadOfBody``: a ``for`` loop over a generator of the module's own with no
  effects, stepped as soon as the loop asks;
- ``_ElementGuarded``, ``_RunsAhead``: a comprehension's iterator, stepped in order
  or ahead of the elements' calls, and never past a mutable value it handed out
  that it still holds (``_still_held``);
- ``_GeneratorExpression``, ``_Owning``: a generator expression made and closed as
  plain Python makes and closes it.
"""
from __future__ import annotations

import gc
import sys
from collections import deque
from types import (BuiltinFunctionType, ClassMethodDescriptorType, CodeType, FrameType,
                   FunctionType, GetSetDescriptorType, MemberDescriptorType,
                   MethodDescriptorType, ModuleType, WrapperDescriptorType)

from . import effects as _effects
from .tasks import (_IMMUTABLE, _ITERATOR_TYPES, _NO_TASK, DONE, FAILED, PURE, Deferred, Task,
                    _inside_deferred, _stateful, immutable)
from .callers import _keep_user_frames, outcome
from .reach import _global_names, _reached_from


class _Carried(Exception):
    """A StopIteration raised by the loop body's work, on its way out of a ``for``
    loop's step (raised as such, the loop would end quietly; raised in a generator,
    it would become a RuntimeError). The block or the call around it raises it again."""

    def __init__(self, error):
        super().__init__()
        self.error = error


class _Guarded:
    """A ``for`` loop's iterator that retires what the body issued before each step
    (a stateful iterator) or waits for the keys it reads."""

    __slots__ = ("scope", "iterator", "keys", "stateful", "state")

    def __init__(self, scope, iterator, keys, stateful, state):
        self.scope, self.iterator, self.keys, self.stateful = scope, iterator, keys, stateful
        self.state = state   # module state iterated (or None): changes to it come first

    def __iter__(self):
        return self

    def __next__(self):
        try:
            if self.stateful:
                self.scope.barrier()
            elif self.keys:
                self.scope._wait_keys(self.keys)
            state = self.state
            if state is not None:
                part, words = state   # (the object iterated, and the names holding it)
                scope = self.scope
                if scope.state_changers:
                    scope.settle_state_of(part, words)
                if scope.tracking:
                    scope._settle_changed(part, None)   # (the body's own ``SEEN.append``)
        except StopIteration as error:
            raise _Carried(error) from None
        return next(self.iterator)


class _AheadOfBody:
    """A ``for`` loop's own generator with no effects (``for x in rows(n)``, see
    ``_made_fresh``): each step is taken as soon as the loop asks, while the calls of
    earlier iterations still run; no one can see how far it went. What stays plain
    Python's: an error it raises comes after everything the iterations before it
    did (an earlier failure wins), and while it still holds a mutable value it handed
    out (a window it appends to), a step waits for everything before it."""

    __slots__ = ("scope", "iterator", "keys", "lent", "source", "latest", "reads_data")

    def __init__(self, scope, iterator, keys, source, reads_data):
        self.scope, self.iterator, self.keys, self.lent = scope, iterator, keys, []
        self.source = source   # the generator (``iterator`` may be an ``enumerate``)
        self.latest = None     # the value it handed out last
        self.reads_data = reads_data   # it reads module values (not only code)

    def __iter__(self):
        return self

    def __next__(self):
        scope, lent = self.scope, self.lent
        try:
            if self.keys:
                scope._wait_keys(self.keys)
            if self.reads_data and scope.state_changers:
                scope.settle_state()   # (a call that may rebind what it reads: first)
            if lent:
                # (what it cannot reach now it never can: checked once)
                if _still_held(self.source, lent, self.latest):
                    scope.barrier()
                lent.clear()
        except StopIteration as error:   # an earlier call's, raised in order
            raise _Carried(error) from None
        try:
            value = next(self.iterator)
        except StopIteration:
            raise
        except BaseException as error:   # (an interrupt it raises too: as in Python,
            failure = error              # after what the iterations before it did)
        else:
            if not immutable(value):
                lent.append(value)
                self.latest = value if self.source is self.iterator else value[1]
            return value
        try:
            scope.barrier()   # (an earlier iteration's failure is raised first)
        except StopIteration as error:
            raise _Carried(error) from None
        raise failure


class _ElementGuarded:
    """``spec_iterate``'s iterator: before each advance after the first, the elements
    the loop computed so far are taken; one that fails ends the loop."""

    __slots__ = ("scope", "iterator", "items", "conditions", "width", "taken")

    def __init__(self, scope, iterator, items, conditions, width):
        self.scope, self.iterator, self.items = scope, iterator, items
        self.conditions, self.width, self.taken = conditions, width, len(items)

    def __iter__(self):
        return self

    def __next__(self):
        self._take(len(self.items))
        return next(self.iterator)

    def _take(self, end):
        """Take the elements up to ``end``; the loop ends at one that fails."""
        try:
            stop = self.scope.take_elements(self.items, self.taken, self.conditions,
                                            self.width, end)
        except StopIteration as error:   # an earlier call's, raised in order
            raise _Carried(error) from None
        self.taken = end
        if stop:
            raise StopIteration


# Iterators over containers an element's effect may change while a loop goes over
# them (subclasses' too: a ``defaultdict``, a ``Counter``, a list of the user's).
_CHANGING_ITERATORS = frozenset(type(iter(x)) for x in ([], {}, {}.values(), {}.items(),
                                                        set(), bytearray(), deque()))


def _may_be_deferred(item, pending=True) -> bool:
    """Is a step an effect left for where it is reached (or, with ``pending``, may
    it turn out to be one: a call started ahead given a step's result)?"""
    kind = type(item)
    if kind is Deferred:
        return True
    if kind is not Task:
        return False
    # (read before the state: a task that settles lets go of them)
    fn, args, kwargs = item.fn, item.args, item.kwargs
    if item.state >= DONE:
        return type(item.value) is Deferred
    return pending and item.soft and (type(fn) is Task or any(type(a) is Task for a in args or ())
                          or bool(kwargs and any(type(a) is Task for a in kwargs.values())))


def _plain_truth(value):
    """The truth of a value whose class has no ``__bool__`` or ``__len__`` of the
    user's (asking twice changes nothing); None otherwise."""
    kind = type(value)
    if isinstance(getattr(kind, "__bool__", None), FunctionType) \
            or isinstance(getattr(kind, "__len__", None), FunctionType):
        return None
    return bool(value)


_NUMBERS = frozenset({int, float, complex, bool})
_NOT_NUMBERS = frozenset({str, bytes, list, tuple, dict, set, frozenset, type(None)})


class _NumbersThenOther:
    """``sum``, ``min``, ``max``: a builtin value that is not a number after numbers
    (a ``str`` after ints) fails the addition or comparison there."""

    def __init__(self, numbers_before=False):
        self.numbers = numbers_before   # (sum starts from the number 0)

    def __call__(self, value):
        kind = type(value)
        if kind in _NUMBERS:
            self.numbers = True
            return False
        return self.numbers and kind in _NOT_NUMBERS


def _not_a_pair(value) -> bool:
    """``dict(...)`` fails at an element that is not a key and a value, or whose key
    cannot be hashed (told for builtin values only)."""
    kind = type(value)
    if kind in _NUMBERS or value is None:
        return True
    if kind in (tuple, list, str, bytes):
        return len(value) != 2 or (kind in (tuple, list) and type(value[0]).__hash__ is None)
    return False


# Where a consumer stops taking elements: after the element for which the predicate
# (made once per loop) is true, certainly and without running code of the user's.
_STOPS = {
    "any": lambda: lambda value: _plain_truth(value) is True,
    "all": lambda: lambda value: _plain_truth(value) is False,
    "set": lambda: lambda value: type(value).__hash__ is None,        # (it raises there)
    "frozenset": lambda: lambda value: type(value).__hash__ is None,
    "dict": lambda: _not_a_pair,
    "sum": lambda: _NumbersThenOther(numbers_before=True),
    "min": _NumbersThenOther,
    "max": _NumbersThenOther,
}


class _StopsWithConsumer(_ElementGuarded):
    """Elements taken before each advance, and no advance past the element where the
    consumer stops: plain Python's generator is never asked for the next one."""

    __slots__ = ("stop",)

    def __init__(self, scope, iterator, items, conditions, width, stop):
        super().__init__(scope, iterator, items, conditions, width)
        self.stop = stop

    def _take(self, end):
        start = self.taken
        super()._take(end)
        items, conditions, width = self.items, self.conditions, self.width
        for group in range(start, end - width + 1, width):
            if all(items[group + i] is True for i in range(conditions)) \
                    and self.stop(_settled_value(items[group + conditions])):
                raise StopIteration


class _DeferredGuarded(_StopsWithConsumer):
    """``spec_iterate``'s iterator over a list, dict, set, deque or bytearray (or a
    subclass's, or a dict view): an
    element whose call is an effect is made in order, when the elements are taken,
    and may change the container (``map(lambda w: xs.append(w), xs)``); plain Python
    makes it before it advances. So before an advance past such an element, the
    elements so far are taken (and none after the one where the consumer stops,
    with ``stop``, as ``_StopsWithConsumer``)."""

    __slots__ = ("checked",)

    def __init__(self, scope, iterator, items, conditions, width, stop=None):
        super().__init__(scope, iterator, items, conditions, width, stop)
        self.checked = len(items)   # (each element looked at once: O(1) an advance)

    def _take(self, end):
        if self.stop is None:
            _ElementGuarded._take(self, end)
        else:
            super()._take(end)

    def __next__(self):
        items = self.items
        end = len(items)
        if end > self.checked:
            start, self.checked = self.checked, end
            # (a call started ahead given a step's result may yet turn out to be an
            # effect: not waited for here, or ``any(slow(x) > 1 for x in xs)`` would
            # take one element at a time)
            if any(_may_be_deferred(items[index], pending=False)
                   for index in range(start, end)):
                self._take(end)
        return next(self.iterator)


def _settled_value(item):
    """An element's value once taken (a settled task's value; what a call left for
    where it is reached gave, made by now)."""
    value = item.value if type(item) is Task else item
    return value.value if type(value) is Deferred else value


def _failed_step(error, seq=0):
    """A speculative step that failed already: its code raises ``error`` if it gets
    there (``outcome``)."""
    _keep_user_frames(error, _NO_TASK)
    task = Task()
    task.seq = seq
    task.kind = PURE
    task.fn = task.args = task.kwargs = task.value = task.targets = None
    task.state = FAILED
    task.error = error
    task.dependents = None
    task.waiting = 0
    task.lasti = -1
    task.generated = task.soft = True
    task.orphan = task.tolerant = False
    return task


class _RunsAhead(_ElementGuarded):
    """``spec_iterate``'s iterator over one whose advancing no one else sees (a
    generator that is the loop's own and has no effects, ``map(int, rows)``): it may
    go further than plain Python would, so the elements start together. What stays
    plain Python's: an error it raises is an
    element of its own (raised only if the consumer gets there); at most ``AHEAD``
    elements run ahead of the first one not yet taken (an endless generator stops
    near the failure); and an element that is a deferred effect (it may change what
    the generator reads) is made before the next advance."""

    __slots__ = ("keys", "lent", "latest", "in_step", "reads_data")
    AHEAD = 64

    def __init__(self, scope, iterator, keys, items, conditions, width):
        super().__init__(scope, iterator, items, conditions, width)
        self.keys = keys
        self.lent = []   # (index in items, a mutable element not taken yet)
        self.latest = None   # the element it handed out last
        self.in_step = False   # an element's call may change module state it reads
        self.reads_data = False   # it reads module values (set by spec_iterate)

    def __next__(self):
        items, width = self.items, self.width
        if self.keys:
            try:
                self.scope._wait_keys(self.keys)
            except StopIteration as error:
                raise _Carried(error) from None
        ahead = (len(items) - self.taken) // width
        end = None
        lent = self.lent
        if ahead and self.reads_data and not self.in_step:
            self.in_step = _changes_module_state(items[len(items) - width:])
        held = False
        if lent:
            # (a sliding window, a reused buffer: the next step may change an element
            # whose calls have not run yet, and plain Python ran them before it; what
            # it cannot reach now it never can: checked once)
            held = _still_held(self.iterator, [value for _, value in lent], self.latest)
            lent.clear()
        if ahead and (held or self.in_step
                      or any(type(i) is Deferred for i in items[self.taken:])):
            end = len(items)
        elif ahead >= self.AHEAD:
            end = len(items) - (self.AHEAD // 2) * width
        if end is not None:
            self._take(end)
        index = len(items)
        try:
            value = next(self.iterator)
        except StopIteration:
            raise
        except (KeyboardInterrupt, SystemExit):
            # Not an element: raised here, once the elements before it are taken and
            # none of them failed (one that failed ends the loop first, as in Python).
            self._take(len(items))
            raise
        except BaseException as error:
            items.append(self.scope._settled_soft(error))
            items.extend([None] * (width - 1))
            raise StopIteration from None
        if not immutable(value):
            lent.append((index, value))
            self.latest = value
        return value


class _GeneratorExpression:
    """The entries issued inside: ``_raise_fault`` changes a StopIteration one of them
    raises into RuntimeError; one raised here, in order (sequential), is changed on
    its way out."""

    __slots__ = ("scope", "span")

    def __init__(self, scope):
        self.scope = scope

    def __enter__(self):
        scope = self.scope
        if scope is not None:   # (open until it ends: its calls may fail before that)
            spans = scope.generator_spans
            if spans is None:
                spans = scope.generator_spans = deque()
            while spans and spans[0][1] is not None and spans[0][1] <= scope.retired:
                spans.popleft()   # (every entry in it retired: nothing left to change)
            self.span = [scope.seq + 1, None]
            spans.append(self.span)
        return None

    def __exit__(self, kind, error, traceback):
        scope = self.scope
        if scope is None:
            if isinstance(error, StopIteration):
                raise _from_generator(error)
            return False
        self.span[1] = scope.seq
        return False


def _in_spans(seq, spans) -> bool:
    # (a copy: the owner thread adds spans while a worker's task fails)
    return any(start <= seq and (end is None or seq <= end) for start, end in list(spans))


def _from_generator(error):
    """PEP 479's RuntimeError for a StopIteration out of a generator: caused by it,
    and raised while it was being handled (both, as Python sets them)."""
    changed = RuntimeError("generator raised StopIteration")
    changed.__cause__ = error
    changed.__context__ = error
    return changed


class _Owning:
    """A loop over the generator its own call of ``made_by`` made: plain Python drops
    its last reference to it as the loop is left (a ``break``, a ``return``, an
    exception), which closes it: its ``finally`` and ``with`` exits run there. Here
    the body still holds it, so it is closed then: after what came before, unless an
    exception is already on its way (what came before it happened first)."""

    __slots__ = ("scope", "iterable", "made_by")

    def __init__(self, scope, iterable, made_by):
        self.scope, self.iterable, self.made_by = scope, iterable, made_by

    def __enter__(self):
        return None

    def __exit__(self, kind, error, traceback):
        generator = self.iterable
        if type(generator) is Task:
            generator = generator.value if generator.state == DONE else None
        made_by = self.made_by
        if type(generator) is not _GENERATOR or type(made_by) is not FunctionType \
                or made_by.__code__ is not generator.gi_code or generator.gi_frame is None:
            return False
        if error is None and self.scope is not None:
            try:
                self.scope.barrier()
            finally:
                _close(generator)
        else:
            _close(generator)
        return False


def _close(generator):
    try:
        generator.close()
    except BaseException as error:
        # Python closes it as its last reference goes: what its cleanup raises goes to
        # sys.unraisablehook (pytest's check), never up; from the generator's frame.
        tb = error.__traceback__
        if tb is not None and tb.tb_frame.f_code is _close.__code__:
            tb = error.__traceback__ = tb.tb_next
        hook = sys.unraisablehook
        if hook is not sys.__unraisablehook__:
            hook(_Unraisable(type(error), error, tb, None, generator))
            return
        import traceback   # (the default hook's output: no chain)
        print(f"Exception ignored in: {generator!r}", file=sys.stderr)
        traceback.print_exception(type(error), error, tb, chain=False)


class _Unraisable:
    """What ``sys.unraisablehook`` is handed (its own type cannot be made here)."""

    __slots__ = ("exc_type", "exc_value", "exc_traceback", "err_msg", "object")

    def __init__(self, exc_type, exc_value, exc_traceback, err_msg, obj):
        self.exc_type, self.exc_value, self.exc_traceback = exc_type, exc_value, exc_traceback
        self.err_msg, self.object = err_msg, obj


def _made_fresh(iterator, made_by) -> bool:
    """Is ``iterator`` a generator ``made_by`` just made (a generator function's
    call always makes a new one; not started yet), whose code has no effects?"""
    if type(iterator) is not _GENERATOR or type(made_by) is not FunctionType \
            or made_by.__code__ is not iterator.gi_code or iterator.gi_running:
        return False
    frame = iterator.gi_frame
    suspended = getattr(iterator, "gi_suspended", None)   # (3.11 and later)
    if frame is None or (suspended if suspended is not None else frame.f_lasti != -1):
        return False
    facts = _effects.facts_of(made_by)
    if facts.kind != _effects.PURE or facts.world or facts.mutates:
        return False
    # Only over values no one can see it touch: its arguments immutable (a list it
    # extends with ``+=``, an iterator it advances, a callback that prints: round N),
    # and the module objects and cells it names functions, classes, modules or
    # immutable values (not a list, a dict, an iterator of the module's).
    if not all(immutable(value) for value in list(frame.f_locals.values())):
        return False
    held = []   # (what it and the functions of the project it calls read)
    for target in _reached_from([made_by]):
        namespace = target.__globals__
        names = _global_names(target.__code__)[0]
        values = [namespace[name] for name in names if name in namespace]
        if _reads_data_kept_in(values, names):
            return False
        held.extend(values)
    for cell in made_by.__closure__ or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:
            pass
    return all(immutable(value) or type(value) in _SHARED_KINDS for value in held)


def _reads_data_kept_in(values, names) -> bool:
    """Does code naming ``names`` (globals and attributes alike) read data a class,
    module or function it names keeps (``Settings.limit``, ``config.LIMIT``,
    ``rows.mark``, ``vars(Settings)``)? The body may change that between two steps,
    even where the value is immutable (it rebinds it). Methods, functions, classes
    and modules kept there are code, read as they are."""
    keepers = [v for v in values if type(v) in _SHARED_KINDS and type(v) is not
               BuiltinFunctionType]
    if not keepers:
        return False
    if "vars" in names or "getattr" in names or "__dict__" in names:
        return True
    for keeper in keepers:
        spaces = [vars(k) for k in keeper.__mro__] if isinstance(keeper, type) \
            else [keeper.__dict__]
        for name in names:
            for space in spaces:
                if name in space:
                    if type(space[name]) not in _CODE_KINDS:
                        return True
                    break
    return False


def _reads_module_data(made_by) -> bool:
    """Does a generator function (or a function of the project it calls) name module
    values that are data, not code (``LIMIT``)? A call that rebinds one may change
    what its next step computes."""
    for target in _reached_from([made_by]):
        namespace = target.__globals__
        for name in _global_names(target.__code__)[0]:
            value = namespace.get(name, _SHARED_KINDS)
            if value is not _SHARED_KINDS and type(value) not in _SHARED_KINDS:
                return True
    return False


def _changes_module_state(group) -> bool:
    """Is one of an element's steps a call that changes module state (``global LIMIT;
    LIMIT = 3``), which the generator computing ahead might read?"""
    for item in group:
        if type(item) is Task and item.fn is not None and _effects.WORLD_STATE in \
                _effects.facts_of(item.fn).world:
            return True
    return False


def _still_held(iterator, elements, latest) -> bool:
    """Can ``iterator`` still reach one of ``elements`` (mutable values it handed out),
    or a mutable object inside one, so that its next step may change it? What it
    holds is followed through containers, objects and the generators and iterators it
    keeps (``gc.get_referents``), up to ``_LOOK_AT`` objects; past that, or at a frame
    it keeps, it is taken as held. ``yield {"id": i}`` holds nothing; ``row = {...};
    yield row`` holds only through ``row`` (``latest``, the value just handed out),
    which it binds anew; ``window.append(x); yield window`` holds it."""
    wanted = set()
    budget = _LOOK_AT
    stack, seen = list(elements), set()
    while stack:
        obj = stack.pop()
        kind = type(obj)
        if kind in _ATOMS or id(obj) in seen:
            continue
        if kind is FunctionType or kind is BuiltinFunctionType:
            # (a function handed out reads what its closure holds; ``buf.copy``, its
            # object: the generator may change those before it is called)
            seen.add(id(obj))
            stack.extend(_what_code_holds(obj))
            continue
        if isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        if kind is not tuple and kind is not frozenset:
            wanted.add(id(obj))   # (a dict of numbers is mutable, if untracked)
        budget -= 1
        if budget <= 0:
            return True
        stack.extend(gc.get_referents(obj))
    if not wanted:
        return False
    if type(iterator) is _GENERATOR:
        if iterator.gi_frame is None:
            return False   # (finished: it holds nothing any more)
        held = _generator_state(iterator)
        if _at_yield_of_handed_out(iterator):
            for index, value in enumerate(held):
                if value is latest:
                    del held[index]
                    break
    else:
        held = gc.get_referents(iterator)
    stack, seen = held, set()
    while stack:
        obj = stack.pop()
        if id(obj) in wanted:
            return True
        if id(obj) in seen or not gc.is_tracked(obj) or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        budget -= 1
        if budget <= 0:
            return True
        kind = type(obj)
        if kind is _GENERATOR:
            if obj.gi_frame is not None:
                stack.extend(_generator_state(obj))
        elif kind is FrameType:
            return True   # (a frame it keeps: what that reaches is not followed)
        else:
            stack.extend(gc.get_referents(obj))
    return False


_LOOK_AT = 2048   # objects looked at by one check, at most


def _what_code_holds(fn) -> list:
    """The values a function reads besides its globals (its cells' contents and its
    defaults), or the object a builtin method is bound to."""
    if type(fn) is BuiltinFunctionType:
        owner = fn.__self__
        return [] if owner is None or type(owner) is ModuleType else [owner]
    held = list(fn.__defaults__ or ())
    held.extend((fn.__kwdefaults__ or {}).values())
    for cell in fn.__closure__ or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:
            pass   # (not bound yet)
    return held


_ATOMS = frozenset({int, float, complex, str, bytes, bool, type(None)})


_OPAQUE = (type, FunctionType, CodeType, ModuleType, BuiltinFunctionType)   # (code)


_INTERPRETER_FRAMES = sys.version_info >= (3, 11)   # (a generator traverses its variables)


def _generator_state(generator) -> list:
    """What a suspended generator holds: its variables and its value stack."""
    if _INTERPRETER_FRAMES:
        return [r for r in gc.get_referents(generator) if type(r) is not FrameType]
    frame = generator.gi_frame
    skip = (id(frame.f_globals), id(frame.f_builtins))
    return [r for r in gc.get_referents(frame) if id(r) not in skip]


def _at_yield_of_handed_out(generator) -> bool:
    """Is the generator suspended just after ``yield name``, ``name`` a variable it
    only ever yields? Then that variable holds the value just handed out."""
    frame = generator.gi_frame
    names, instructions = _yielded_only(frame.f_code)
    if not names:
        return False
    lasti = frame.f_lasti
    index = next((i for i, instruction in enumerate(instructions)
                  if instruction.offset >= lasti), None)
    if index is None:
        return False
    for at in (index, index - 1):   # (the YIELD_VALUE; in 3.13 the RESUME after it)
        if 0 < at < len(instructions) and instructions[at].opname == "YIELD_VALUE":
            load = instructions[at - 1]
            return load.opname.startswith("LOAD_FAST") and load.argval in names
    return False


_yielded_only_cache: dict = {}


def _yielded_only(code) -> tuple:
    """(the variables of a generator's code whose every read is ``yield name``: what
    they hold is handed out, never changed by it; its instructions)."""
    found = _yielded_only_cache.get(code)
    if found is None:
        import dis   # (only for generators that hand out mutable values)
        loads = {}
        instructions = [i for i in dis.get_instructions(code)
                        if i.opname not in ("CACHE", "EXTENDED_ARG", "NOP")]
        for index, instruction in enumerate(instructions):
            argval = instruction.argval
            # (3.13's superinstructions name two: ``STORE_FAST_LOAD_FAST``)
            names = argval if type(argval) is tuple else (argval,) if type(argval) is str \
                else ()
            if not names or instruction.opname in ("STORE_FAST", "DELETE_FAST"):
                continue
            after = instructions[index + 1].opname if index + 1 < len(instructions) else ""
            yielded = instruction.opname in ("LOAD_FAST", "LOAD_FAST_CHECK") \
                and after == "YIELD_VALUE"
            for name in names:   # (any other use, by any instruction: not only yielded)
                loads[name] = loads.get(name, True) and yielded
        shared = set(code.co_cellvars) | set(code.co_freevars)
        names = frozenset(name for name, only in loads.items() if only and name not in shared)
        found = (names, instructions)
        if len(_yielded_only_cache) > 1024:
            _yielded_only_cache.clear()
        _yielded_only_cache[code] = found
    return found


# What a generator may name and still run ahead: code and constants, not data.
_SHARED_KINDS = frozenset({FunctionType, BuiltinFunctionType, type, ModuleType})

# What a class or module keeps that is code, not data.
_CODE_KINDS = frozenset({FunctionType, BuiltinFunctionType, type, ModuleType, staticmethod,
                         classmethod, property, MethodDescriptorType, WrapperDescriptorType,
                         ClassMethodDescriptorType, GetSetDescriptorType,
                         MemberDescriptorType})


_GENERATOR = type(x for x in ())


def _take_elements(items, start, conditions, width, wait, failed, end=None) -> bool:
    """Take the elements ``items[start:end]`` as the consumer will, and put each back
    settled: a condition as its truth, a deferred call as its value, a failure as a
    failed step (``failed(error)``) the consumer raises. True at the first failure:
    plain Python goes no further. ``wait(tasks)`` waits for tasks to settle."""
    for group in range(start, (len(items) if end is None else end) - width + 1, width):
        for index in range(group, group + width):
            item = items[index]
            try:
                kind = type(item)
                if kind is Task:
                    wait((item,))
                    value = outcome(item)
                elif kind is Deferred:
                    wait(_inside_deferred((item,)))
                    value = items[index] = outcome(item)
                else:
                    value = item
                if index < group + conditions:
                    truth = items[index] = bool(value)
                    if not truth:
                        break   # the element is skipped: its values are never taken
            except BaseException as error:
                items[index] = failed(error)
                return True
    return False


def _seen_advancing(iterable, iterator, parts) -> bool:
    """Is advancing ``iterator`` seen by more than the loop? An iterator someone
    else holds (``iterable`` is its own iterator, a part of the builtin wrapper it
    was made of is, or an object hands out one it holds: ``return self.it``), or
    one whose advancing runs code with effects (a generator ``__iter__`` that
    prints, a ``__next__`` that logs, ``map`` of a function that prints)."""
    if parts:
        if any(_stateful(p) for p in parts):
            return True
        sources = parts
    elif iterator is iterable:
        return _stateful(iterable)
    else:
        sources = (iterable,)
    kind = type(iterator)
    if kind in _BUILTIN_ITERATORS:
        return any(_holds(source, iterator) for source in sources)
    if kind is map or kind is filter:
        return _wrapper_seen(iterator, sources)
    code = getattr(kind, "__next__", None)
    if type(code) is not FunctionType:
        code = getattr(type(iterable), "__iter__", None)
        if type(code) is not FunctionType:
            code = getattr(type(iterable), "__getitem__", None)
            if type(code) is not FunctionType:
                return False
    facts = _effects.facts_of(code)
    if facts.kind != _effects.PURE or facts.world or facts.mutates:
        return True
    # (``yield from self.box.it``, ``return self.d["it"]``, ``yield from SOURCE``:
    # an iterator its object, or the module, holds)
    return _reaches_an_iterator(iterable, code)


def _holds(source, iterator) -> bool:
    held = getattr(source, "__dict__", None)
    if held and any(value is iterator for value in list(held.values())):
        return True
    code = getattr(type(source), "__iter__", None)
    return type(code) is FunctionType and _reaches_an_iterator(source, code)


def _reaches_an_iterator(obj, code) -> bool:
    """Does ``obj`` (two levels into its attributes, dicts, lists and tuples), or a
    module-level value or closure cell of ``code``, hold an iterator?"""
    try:
        state = object.__getattribute__(obj, "__dict__")
    except Exception:
        state = {}
    names = _global_names(code.__code__)[0] if type(code) is FunctionType else ()
    namespace = code.__globals__ if type(code) is FunctionType else {}
    found = [namespace[name] for name in names if name in namespace
             and type(namespace[name]) not in _SHARED_KINDS]
    for cell in (code.__closure__ or ()) if type(code) is FunctionType else ():
        try:
            found.append(cell.cell_contents)
        except ValueError:
            pass
    return _any_iterator(list(state.values()), 2) or _any_iterator(found, 1)


def _any_iterator(values, depth, width=64) -> bool:
    for value in values[:width]:   # (bounded: this runs as each loop starts)
        kind = type(value)
        if kind in _IMMUTABLE or kind in _SHARED_KINDS:
            continue
        if kind in _ITERATOR_TYPES or hasattr(kind, "__next__"):
            return True
        if depth:
            if kind is dict:
                inner = list(value.values())
            elif kind is list or kind is tuple:
                inner = list(value)
            else:
                try:
                    inner = list(object.__getattribute__(value, "__dict__").values())
                except Exception:
                    continue
            if _any_iterator(inner, depth - 1, 16):
                return True
    return False


def _wrapper_seen(wrapper, sources, depth=0) -> bool:
    """``map(fn, ...)`` or ``filter(fn, ...)`` an object made: ``fn``'s effects, or
    an iterator inside it that the object holds, make its advancing seen."""
    try:
        fn, *inner = wrapper.__reduce__()[1]
    except Exception:
        return True
    if fn is not None:
        facts = _effects.facts_of(fn)
        if facts.kind != _effects.PURE or facts.world or facts.mutates:
            return True
    for part in inner:
        if type(part) is map or type(part) is filter:
            if depth > 8 or _wrapper_seen(part, sources, depth + 1):
                return True
        elif any(_holds(source, part) for source in sources):
            return True
    return False


_BUILTIN_ITERATORS = frozenset(type(iter(x)) for x in ([], (), "", b"", range(1), {}, set(),
                                                       {}.values(), {}.items(), bytearray()))
