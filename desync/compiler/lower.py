"""Step 3: rewrite a desync body into steps on its scope (``_ds``).

The owner thread runs the rewritten body in program order. Each step is one of:

- a **call** (``_ds.call``, ``_ds.read``, ``_ds.method``): a task that starts
  when its inputs are ready; the runtime decides from the callee whether it is
  really an effect (``print``, a method that changes its object, ...);
- an **effect** (``_ds.effect``): a store, ``del``, augmented assignment, or a
  write to a closure or global variable, done in program order;
- a **pure expression** (``_ds.pure``): computed now if its inputs are there;
- a **value the owner needs** (``_ds.get``): the test of an ``if``, a ``for``
  iterable, a ``return`` value.

Calls nested in an expression are hoisted into temporaries in Python's
evaluation order, except out of the parts Python evaluates conditionally
(``and``/``or``, ``x if c else y``), which become branches of the owner.
Comprehensions become loops of the owner, so their calls fan out. Each
assignment binds the name to a new value or future, so a later rebinding never
races an earlier read. ``try`` and ``with`` bodies are blocks: everything
issued in them retires before they are left, and their handlers run as written.

Every generated statement carries the line of the source statement it stands
for, so tracebacks name the user's lines.
"""
from __future__ import annotations

import ast
import copy
import os
import sys

from ..errors import DesyncError
from ..runtime.pacing import GATE
from ..runtime.effects import MUTATING_METHODS
from .analyse import (COMPREHENSIONS, EAGER_CONSUMERS, FRESH_BUILTINS, MUTATING_BUILTINS,
                      handed_methods,
                      PURE_BUILTINS, SCOPES, Facts, fans_out, name_reads, reads_with_nested,
                      root_name, scope_frees, scope_nodes, unbound_builtin_method)
from .parse import child_nodes, copy_tree, mangled, walk_tree

_STDLIB_MODULES = frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names)
_STDLIB_FOLDER = os.path.dirname(os.__file__)


def _standard_library(top: str) -> bool:
    """Is the module named ``top`` the standard library's? By name, and by where the
    one loaded here lives (a project may have its own ``profile.py``); one not loaded
    yet counts as the project's: the runtime looks again."""
    if top not in _STDLIB_MODULES:
        return False
    module = sys.modules.get(top)
    if module is None:
        return False
    path = getattr(module, "__file__", None)
    return path is None or (path.startswith(_STDLIB_FOLDER) and "-packages" not in path)


def _dotted_name(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))

RUNTIME = "__desync_rt__"
AUG_OPS = {
    ast.Add: "iadd", ast.Sub: "isub", ast.Mult: "imul", ast.MatMult: "imatmul",
    ast.Div: "itruediv", ast.FloorDiv: "ifloordiv", ast.Mod: "imod", ast.Pow: "ipow",
    ast.LShift: "ilshift", ast.RShift: "irshift", ast.BitOr: "ior", ast.BitXor: "ixor",
    ast.BitAnd: "iand",
}


class Namer:
    """Fresh names that cannot collide with any name in the module."""

    def __init__(self, tree: ast.AST):
        used = set()
        for node in walk_tree(tree):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.arg):
                used.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                used.add(node.name)
        self.used = used
        self.chain_temps: set = set()   # (made by the chained comparisons' splitter)
        self.scope = self.free("_ds")
        self.temp_prefix = "_t"
        while any(name.startswith(self.temp_prefix) and name[len(self.temp_prefix):].isdigit()
                  for name in used):
            self.temp_prefix = "_" + self.temp_prefix

    def free(self, base):
        name, n = base, 0
        while name in self.used:
            n += 1
            name = f"{base}{n}"
        self.used.add(name)
        return name


_COMPOUND = (ast.For, ast.While, ast.If, ast.With, ast.Try) + \
    ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
# (statements holding others, or code run later: only their headers run where they stand)
_HOLDERS = (*_COMPOUND, ast.AsyncFor, ast.AsyncWith, ast.FunctionDef, ast.AsyncFunctionDef,
            ast.ClassDef) + ((ast.Match,) if hasattr(ast, "Match") else ())


class _Plain(Exception):
    """This statement must run as written, on the owner thread, after a barrier."""


# Builtins that run through the iterable they are given, and those that only wrap
# theirs (what consumes the wrapper consumes what it wraps).
_CONSUMERS = EAGER_CONSUMERS | {"any", "all", "bytes", "bytearray"}
_LAZY_WRAPPERS = frozenset({"iter", "reversed", "enumerate", "zip", "map", "filter"})
_NEW_OBJECTS = FRESH_BUILTINS | {"list", "tuple", "set", "frozenset", "sorted", "dict",
                                 "bytearray", "range"}


class _NoSpec(Exception):
    """This expression cannot be computed ahead speculatively."""


# -- small AST builders (every node gets all its fields) ----------------------------

def _rt(attr: str) -> ast.expr:
    return ast.Attribute(value=ast.Name(id=RUNTIME, ctx=ast.Load()), attr=attr, ctx=ast.Load())


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _const(value) -> ast.Constant:
    return ast.Constant(value=value)


def _tuple(items) -> ast.Tuple:
    return ast.Tuple(elts=list(items), ctx=ast.Load())


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[_store(name)], value=value, lineno=0)


def _expr(value: ast.expr) -> ast.Expr:
    return ast.Expr(value=value)


def _call(func: ast.expr, args=(), keywords=()) -> ast.Call:
    return ast.Call(func=func, args=list(args), keywords=list(keywords))


def _is_atom(node: ast.expr) -> bool:
    return isinstance(node, (ast.Name, ast.Constant))


def _folded(node: ast.expr) -> ast.expr:
    """``-1`` as the constant Python's compiler makes of it (so ``xs[-1]`` needs no
    lambda). Ints and floats only: ``-(1j)`` has a real part of -0.0, which no
    complex literal spells."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) in (int, float):
        return ast.copy_location(ast.Constant(value=-node.operand.value), node)
    return node


def _arguments(params) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _lambda(params: list[str], body: ast.expr) -> ast.Lambda:
    return ast.Lambda(args=_arguments(params), body=body)


def _cannot_fail(node: ast.expr) -> bool:
    """A constant or a name: an argument whose evaluation, after a ``*`` or ``**``
    operand, needs no step of its own before the call (see ``star_args``). (A name
    not bound fails too; that it fails first is not kept.)"""
    return isinstance(node, (ast.Constant, ast.Name))


def _unpacks_before_a_failure(node: ast.Call) -> bool:
    """Does Python unpack a ``*`` operand (not the only positional one) or merge a
    ``**`` operand of this call before evaluating an argument that could fail?"""
    single = len(node.args) == 1 and isinstance(node.args[0], ast.Starred)
    parts = [*node.args, *node.keywords]
    for index, part in enumerate(parts):
        unpacks = (isinstance(part, ast.Starred) and not single) or (
            isinstance(part, ast.keyword) and part.arg is None)
        if unpacks and any(not _cannot_fail(p.value if isinstance(p, (ast.Starred, ast.keyword))
                                            else p) for p in parts[index + 1:]):
            return True
    return False


def _if(test, body, orelse=()) -> ast.If:
    return ast.If(test=test, body=list(body) or [ast.Pass()], orelse=list(orelse))


# Methods of a container that hand out a part of it (or a view of it).
_PART_GETTERS = frozenset({"get", "setdefault", "items", "values", "keys"})


class Lowerer:
    def __init__(self, facts: Facts, namer: Namer, filename: str, transpile_nested,
                 imports: set[str], fn):
        self.facts = facts
        self.namer = namer
        self.filename = filename
        self.transpile_nested = transpile_nested
        self.imports = imports | facts.imports
        self.temps: set[str] = set()
        self.counter = 0
        self.renamed: list[dict[str, str]] = []   # comprehension variables -> temps
        self.blocks = 0                            # open try/with blocks
        self.loop_blocks: list[int] = []           # blocks open when each loop started
        self.loop_bodies: list = []                # the statements of each ``for`` (None: while)
        self.setters: dict[str, str] = {}          # cell or declared name -> its setter
        self.regions: list = []                    # try statements run as one step (defs)
        self.reads_frames = False                  # a statement looks at the calling frame
        self.changes_imports = False               # ``json.LEVEL = v`` (or through an alias)
        self.reads_project_modules = False         # a settle_module was emitted
        self.stored_object = None                  # id of the name a store goes into
        self.spec_mode = False                     # lowering what may never run
        self.fn = fn
        self.notes: list[tuple[int, str, str]] = []  # (line, kind, text) for `desync explain`
        self.noted: set = set()
        self.bound_cache: dict = {}               # statement id -> names surely bound there
        self.display_typed = None                  # see method_surely_there
        self.steps_memo: dict = {}                 # id(node) -> (node, has_steps(node))
        self.bindings_before = None                # see surely_bound_before
        self.current = None                        # the source statement being lowered
        self.outer_names_declared = None           # a ``global``/``nonlocal`` (when asked)
        self.called_names = None                   # see imported_from_project
        self.module_lookups = None                 # see modules_looked_up
        self.state_bindings = None                 # see state_locals
        self.returned_bindings = None              # see returned_locals
        self.returned_temps: dict = {}             # temp -> the project function it came from
        self.attribute_bases = None                # see attribute_read
        self.reading_attribute = None              # (id of a name, the attribute read)
        # Imported modules whose attributes the body changes (``sys.argv = [...]``,
        # ``sys.argv.append(x)``, ``os.environ[k] = v``): its own later reads of them
        # (``len(sys.argv)``) wait for those changes, keyed by the module's name.
        self.changed_modules = _changed_modules(facts, self.imports)
        # Keys of the module-level objects (classes among them) the body changes: an
        # attribute read through a local object (``self.factor`` after ``Shared.factor
        # = 5``) may find the class's, and waits for those changes.
        self.instance_read_keys: list[str] = []
        # (root name, attribute) the body assigns: ``self.read = f.readline``
        self.stored_attributes = {(root_name(t.value), t.attr) for t in facts.nodes
                                  if isinstance(t, ast.Attribute)
                                  and isinstance(t.ctx, (ast.Store, ast.Del))}

    def note(self, kind: str, text: str, node=None):
        where = node if node is not None else self.current
        line = getattr(where, "lineno", 0) or 0
        entry = (line, kind, text)
        if entry not in self.noted:
            self.noted.add(entry)
            self.notes.append(entry)

    # -- names -----------------------------------------------------------------------
    def temp(self) -> str:
        self.counter += 1
        name = f"{self.namer.temp_prefix}{self.counter}"
        self.temps.add(name)
        return name

    def _ds(self, method: str, *args, keywords=()) -> ast.Call:
        return _call(ast.Attribute(value=_load(self.namer.scope), attr=method, ctx=ast.Load()),
                     args, keywords)

    def renamed_to(self, name: str) -> str | None:
        for frame in reversed(self.renamed):
            if name in frame:
                return frame[name]
        return None

    def kind(self, name: str) -> str:
        """How a name lives in the body: local, cell, declared, temp or outside."""
        if self.renamed_to(name) is not None or name in self.temps:
            return "local"
        facts = self.facts
        if name in facts.declared:
            return "declared"
        if name in facts.cells:
            return "cell"
        if name in facts.locals:
            return "local"
        return "outside"

    def is_local_value(self, name: str) -> bool:
        """Names that may hold a future: plain locals and temporaries."""
        return self.kind(name) == "local"

    def box(self, name: str) -> str:
        return "@" + name

    # -- classes and keys ---------------------------------------------------------------
    def class_of(self, node) -> str | None:
        facts = self.facts
        if isinstance(node, ast.Name) and self.renamed_to(node.id) is None \
                and id(node) not in facts.expr_class:
            if node.id in facts.imports:
                return None
            if node.id in facts.locals or node.id in facts.declared \
                    or node.id in facts.module_names:
                return facts.aliases.find(node.id)
            return None
        found = facts.expr_class.get(id(node)) if node is not None else None
        return facts.aliases.find(found) if found is not None else None

    def read_keys(self, nodes) -> list[str]:
        facts = self.facts
        classes = [self.class_of(n) for n in nodes]
        keys = list(facts.read_keys([c for c in classes if c is not None]))
        for node in nodes:
            for key in self.closure_keys(node):
                if key not in keys:
                    keys.append(key)
            if self.changed_modules:
                module = self.changed_module_of(node)
                if module is not None and module not in keys:
                    keys.append(module)
        return keys

    def changed_module_of(self, node) -> str | None:
        """``sys`` for ``sys``, ``sys.argv`` or ``sys.argv[0]`` when the body changes
        what ``sys`` holds."""
        root = node
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if isinstance(root, ast.Name) and root.id in self.changed_modules \
                and self.is_module(root):
            return root.id
        return None

    def calls_out(self, node, local_names) -> bool:
        """Does code run as written call beyond the methods of its own objects (so
        it may touch the outside world)?"""
        shadowed = {n for n in _COMPUTING_BUILTINS if self.facts.builtin(n)}
        return _calls_beyond_objects(node, local_names, shadowed)

    def held_keys(self, receiver, target) -> list[str]:
        """Keys of the effected objects ``receiver`` holds in its attributes."""
        found = self.class_of(receiver)
        if found is None:
            return []
        facts = self.facts
        return sorted(k for k in facts.aliases.reach_fields(found)
                      if k in facts.effected and k != target)

    def expression_keys(self, node) -> list[str]:
        """Keys of every object an expression reads."""
        names = [sub for sub in _expr_nodes(node) if isinstance(sub, ast.Name)
                 and isinstance(sub.ctx, ast.Load)]
        lambdas = [sub for sub in _expr_nodes(node) if isinstance(sub, ast.Lambda)]
        keys = self.read_keys(names + lambdas)
        if self.instance_read_keys and any(self.through_local(sub) for sub in _expr_nodes(node)
                                           if isinstance(sub, ast.Attribute)):
            keys += [k for k in self.instance_read_keys if k not in keys]
        return keys

    def through_local(self, attribute) -> bool:
        """``self.factor``, ``obj.items[0]``: an attribute of a local object (which
        may be its class's)."""
        root = attribute.value
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        return isinstance(root, ast.Name) and self.kind(root.id) == "local" \
            and root.id in self.facts.locals and not self.is_module(root)

    def closure_keys(self, node) -> list[str]:
        """Boxes of the closure variables a function passed along may read."""
        if node is None:
            return []
        captured = set()
        if isinstance(node, ast.Lambda):
            frees, _ = scope_frees(node)
            captured = frees
        elif isinstance(node, ast.Name) and node.id in self.facts.local_functions:
            captured = self.facts.local_functions[node.id].captured
        return [self.box(n) for n in sorted(captured)
                if self.box(n) in self.facts.effected]

    def settle_module(self, *args) -> ast.expr:
        """``_ds.settle_module(...)``: a read of module state of the project. The body
        may change that object under another name (``settings.OPTS[k] = v``, then
        ``dict(OPTS)``): its effects' objects are remembered (see
        ``_may_change_outside_objects``)."""
        self.reads_project_modules = True
        return self._ds("settle_module", *args)

    def effect_key(self, node) -> str:
        found = self.class_of(node)
        if found is None and isinstance(node, ast.Name) and node.id in self.facts.imports:
            self.changes_imports = True
            return node.id  # ``json.LEVEL = v``: callees naming json wait for it
        if found is None and self.changed_module_of(node) is not None:
            self.changes_imports = True
            return self.changed_module_of(node)   # ``os.environ[k] = v``, ``sys.argv[0] = p``
        if found is None:
            self.changes_imports = True   # ``type(S).level = v``: an object it cannot name
        return found if found is not None else "<unknown>"

    @staticmethod
    def _keys_node(keys) -> ast.expr:
        return _tuple(_const(k) for k in keys)

    # -- expressions -------------------------------------------------------------------
    def is_pure_builtin(self, node: ast.Call) -> bool:
        func = node.func
        return (isinstance(func, ast.Name) and self.facts.builtin(func.id)
                and func.id in PURE_BUILTINS and func.id not in ("super", "map", "filter",
                                                                 "vars", "iter")
                # ``sorted(xs, key=show)`` runs ``show``: a call, classified at run time
                and not any(k.arg == "key" and not (isinstance(k.value, ast.Constant)
                                                    and k.value.value is None)
                            for k in node.keywords))

    def is_module(self, node) -> bool:
        """``os`` or ``os.path``: a module (or an attribute of one) the body imported."""
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        return isinstance(root, ast.Name) and root.id in self.imports \
            and self.kind(root.id) in ("outside", "local") \
            and (root.id not in self.facts.locals or root.id in self.imports)

    def lower(self, node: ast.expr, pre: list) -> ast.expr:
        """An expression free of calls (they are hoisted into ``pre``), whose names are
        locals, temporaries or outside names."""
        method = getattr(self, "lower_" + type(node).__name__, None)
        if method is not None:
            return method(node, pre)
        if type(node) is ast.Attribute and type(node.value) is ast.Name:
            # (the name's module state is read for this attribute: see attribute_read;
            # a comprehension's copied nodes are not among the body's own)
            self.reading_attribute = (id(node.value), node.attr)
        if isinstance(node, ast.Dict) and None in node.keys:
            return ast.copy_location(self.dict_in_chunks(node, pre), node)
        if isinstance(node, ast.Set) and any(isinstance(e, ast.Starred) for e in node.elts):
            return ast.copy_location(self.set_in_chunks(node, pre), node)
        if isinstance(node, ast.Dict):  # evaluated key, value, key, value...
            unpacks = {2 * i + 1 for i, key in enumerate(node.keys) if key is None}
            pairs = self.lower_in_order([part for pair in zip(node.keys, node.values)
                                         for part in pair], pre, unpacks)
            return ast.copy_location(ast.Dict(keys=pairs[0::2], values=pairs[1::2]), node)
        children = [v for _, value in ast.iter_fields(node)
                    for v in (value if isinstance(value, list) else [value])
                    if isinstance(v, ast.expr)]
        lowered = dict(zip(map(id, children), self.lower_in_order(children, pre)))
        fields = {}
        for name, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                value = lowered[id(value)]
            elif isinstance(value, list):
                value = [lowered[id(v)] if isinstance(v, ast.expr) else v for v in value]
            fields[name] = value
        new = type(node)(**fields)  # every field given: required ones included
        return ast.copy_location(new, node) if hasattr(node, "lineno") else new

    def index_value(self, node, pre) -> ast.expr:
        """A subscript's index as a value passed to a helper: ``xs[1:2] = v`` stores at
        ``slice(1, 2)`` (a bare ``1:2`` is valid only inside brackets)."""
        if isinstance(node, ast.Slice):
            parts = [self.value(part, pre) if part is not None else _const(None)
                     for part in (node.lower, node.upper, node.step)]
            return self.emit(pre, self._ds("pure", _rt("slice_of"), *parts))
        if isinstance(node, ast.Tuple) and any(isinstance(e, ast.Slice) for e in node.elts):
            items = [self.index_value(e, pre) for e in node.elts]
            return self.emit(pre, self._ds("pure", _rt("tuple_of"), *items))
        return self.value(node, pre)

    def set_in_chunks(self, node, pre) -> ast.Set:
        """``{a, *xs, f()}``: Python builds the set of what comes before a ``*`` (hashing
        it) before it evaluates that operand, and adds the operand's items before it
        evaluates what follows ("'int' object is not iterable", "unhashable type"
        come first). Where a call follows, a step does each of those there."""
        elts = node.elts
        last = max((i for i, e in enumerate(elts) if self.has_steps(e)), default=-1)
        out: list = []
        for index, elt in enumerate(elts):
            if isinstance(elt, ast.Starred) and out and self.has_steps(elt.value):
                out = [self._chunk(ast.Set(elts=out), pre, elt)]
            if isinstance(elt, ast.Starred) and index < last:
                star = ast.Starred(value=self.lower(elt.value, pre), ctx=ast.Load())
                out = [self._chunk(ast.Set(elts=[*out, star]), pre, elt)]
                continue
            value = self.lower(elt, pre)
            out.append(self._computed(value, elt, pre) if index < last else value)
        return ast.Set(elts=out)

    def dict_in_chunks(self, node, pre) -> ast.Dict:
        """``{k: v, **m, j: f()}``: as ``set_in_chunks``, for a dict's ``**`` operands
        ("'int' object is not a mapping", an unhashable key before it)."""
        parts = [part for pair in zip(node.keys, node.values) for part in pair]
        last = max((i for i, part in enumerate(parts)
                    if part is not None and self.has_steps(part)), default=-1)
        keys: list = []
        values: list = []
        for index, (key, value) in enumerate(zip(node.keys, node.values)):
            if key is None and keys and self.has_steps(value):
                keys, values = [None], [self._chunk(ast.Dict(keys=keys, values=values),
                                                    pre, value, star=False)]
            if key is None and 2 * index + 1 < last:
                mapping = self.lower(value, pre)
                keys, values = [None], [self._chunk(ast.Dict(keys=[*keys, None],
                                                             values=[*values, mapping]),
                                                    pre, value, star=False)]
                continue
            for position, part in ((2 * index, key), (2 * index + 1, value)):
                if part is None:
                    keys.append(None)
                    continue
                lowered = self.lower(part, pre)
                lowered = self._computed(lowered, part, pre) if position < last else lowered
                (keys if position % 2 == 0 else values).append(lowered)
        return ast.Dict(keys=keys, values=values)

    def _chunk(self, display, pre, original, star=True):
        """A display computed now, as the ``*`` (or ``**``) operand of what follows."""
        done = self.atom(display, pre, original)
        return ast.Starred(value=done, ctx=ast.Load()) if star else done

    def lower_in_order(self, parts, pre, dict_unpacks=frozenset()) -> list:
        """Parts Python evaluates left to right. A part before one with calls is
        computed before those calls are issued: ``xs[-1] - xs.pop()`` reads
        ``xs[-1]`` first, as Python does; ``{**d, k: d.pop(k)}`` unpacks ``d`` first
        (``dict_unpacks``: the indexes of ``**`` values). ``None`` parts stay."""
        last = max((i for i, part in enumerate(parts)
                    if part is not None and self.has_steps(part)), default=-1)
        values, segments, followed = self.lowered_apart(parts, self.lower)
        for index in range(len(parts)):
            if parts[index] is not None and (index < last or followed[index]):
                value, part, segment = values[index], parts[index], segments[index]
                if index in dict_unpacks:
                    values[index] = self.atom(ast.Dict(keys=[None], values=[value]), segment, part)
                else:
                    values[index] = self._computed(value, part, segment)
            pre.extend(segments[index])
        return values

    def lowered_apart(self, parts, lower_one):
        """Each part lowered into statements of its own: ``(values, segments,
        followed)``, ``followed[i]`` telling whether a later part issued any (then
        part ``i`` is computed first: ``g([][0], n // 0)``, the division a task)."""
        values, segments = [], []
        for part in parts:
            segment: list = []
            values.append(None if part is None else lower_one(part, segment))
            segments.append(segment)
        followed, later = [False] * len(parts), False
        for index in range(len(parts) - 1, -1, -1):   # (one pass: a display may be long)
            followed[index] = later
            later = later or not self.only_waits(segments[index])
        return values, segments, followed

    _WAITS = frozenset({"settle", "settle_state", "settle_module", "settle_global",
                        "settle_returned", "reads_state"})

    def only_waits(self, segment) -> bool:
        """Does a part's lowering only wait (``settle_state()`` before reading a global
        a call may rebind), issuing nothing? A wait evaluates nothing, so the parts
        before it need not be computed first: in ``d is not None and d["k"] < LIMIT``
        the ``d["k"]`` stays where the ``and`` reaches it."""
        scope = self.namer.scope
        for statement in segment:
            call = statement.value if isinstance(statement, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == scope
                    and call.func.attr in self._WAITS):
                return False
        return True

    def _computed(self, value, original, pre):
        """``value`` computed now (in program order), as an atom."""
        if isinstance(value, ast.Starred):
            # ``[*xs, xs.pop()]`` unpacks ``xs`` before the pop: unpack it now.
            # (a display, not a call of a helper: Python's "Value after *" message)
            items = ast.Tuple(elts=[value], ctx=ast.Load())
            return ast.Starred(value=self.atom(items, pre, original), ctx=ast.Load())
        if isinstance(value, ast.FormattedValue):
            # ``f"{xs}{xs.pop()}"`` formats ``xs`` first: format it now.
            text = self.atom(ast.JoinedStr(values=[value]), pre, original)
            return ast.FormattedValue(value=text, conversion=-1, format_spec=None)
        if isinstance(original, ast.Name) and isinstance(value, ast.Name) \
                and value.id == original.id and self.kind(original.id) != "local":
            # ``(s, bump())`` where bump rebinds ``s`` (nonlocal, global): read it now.
            name = self.temp()
            pre.append(_assign(name, value))
            return _load(name)
        self.read_if_unbound(original, value, pre)
        return self.inline_now(value if _is_atom(value) else self.atom(value, pre, original), pre)

    def read_if_unbound(self, original, value, pre) -> None:
        """``ok(x, boom())`` with ``x`` a local that may be unbound here: read it now,
        so that its UnboundLocalError comes before the calls after it, as in Python."""
        if isinstance(original, ast.Name) and isinstance(value, ast.Name) \
                and value.id == original.id and self.kind(original.id) == "local" \
                and self.maybe_unbound([original]):
            pre.append(_expr(_load(value.id)))

    def inline_now(self, value, pre):
        """An expression that reads nothing of the body stays where it stands, after
        the calls hoisted out of its statement; one Python evaluates before such a
        call (``g({}['k'], y=f(n))``: the KeyError comes first) is evaluated now."""
        if _is_atom(value) or isinstance(value, (ast.Starred, ast.FormattedValue)):
            return value
        name = self.temp()
        pre.append(_assign(name, value))
        return _load(name)

    def lower_Name(self, node, pre):
        renamed = self.renamed_to(node.id)
        if renamed is not None:
            return _load(renamed)
        kind = self.kind(node.id)
        if kind in ("cell", "declared") and isinstance(node.ctx, ast.Load):
            box = self.box(node.id)
            if kind == "declared" and node.id in self.facts.rebound_globals:
                # ``global COUNTER`` in the body, and a function of the module that
                # changes it: as for a global the body does not declare (below).
                pre.append(_expr(self._ds("settle_state")))
            holds_state = kind == "cell" and self.cell_holds_state(node.id)
            if box in self.facts.effected or holds_state:
                pre.append(_expr(self._ds("settle", self._keys_node([box]))))
            if holds_state:
                # (``seen = SEEN`` or ``seen = get_seen()`` that a lambda reads too: its
                # value, once written, read as module state, see the locals below)
                if node.id in self.state_locals():
                    pre.append(_expr(self._ds("settle_module", _load(node.id))))
                for parts in self.returned_locals().get(node.id, ()):
                    pre.append(_expr(self._ds("settle_returned", _load(node.id),
                                              *map(_const, parts))))
        elif kind == "outside" and node.id in self.facts.rebound_globals \
                and node.id in self.facts.module_names and id(node) not in self.called():
            # ``configure(3); if LEVEL > 2:`` where configure rebinds LEVEL: the read
            # waits for the calls before it that change module state, and for a
            # nested ``def`` of the body rebinding it (an effect on the name), and for
            # its own change under another name (``APPEND = LOG.append``, see
            # ``settle_module``).
            self.reads_project_modules = True
            pre.append(_expr(self._ds("settle_state")))
            pre.append(_expr(self._ds("settle", self._keys_node([self.box(node.id)]))))
        elif id(node) == self.stored_object and node.id not in self.facts.rebound_globals:
            # (``OPTS[k] = v``: stored into, in order; its name is bound for good)
            if kind == "local":
                for parts in self.returned_locals().get(node.id, ()):
                    # (``d = get_d(); d[k] = v``: a change of what the getter handed out)
                    pre.append(_expr(self._ds("settle_returned", _load(node.id),
                                              *map(_const, parts))))
        elif kind == "outside" and (
                node.id in self.imports or node.id in self.facts.imports_table
                or node.id in self.facts.imported_names
                or node.id in self.facts.module_aliases or (
                    node.id in self.facts.outside_unknown
                    and "*" in self.facts.imported_names)):
            # (imported at the top, in a ``try`` or an ``if``; or by ``import *``)
            module = self.imported_from_project(node)
            if module is not None and node.id in self.facts.module_aliases:
                # (``ACTIVE = settings.OPTS`` in an ``if`` at the top: maybe unbound,
                # looked up when the settle runs)
                pre.append(_expr(self._ds("settle_global", _const(node.id),
                                          *self.attribute_read(node))))
                self.reads_project_modules = True
            elif module is not None:
                # ``settings.configure(True); if settings.DEBUG:`` (or ``OPTS`` imported
                # from it): the module's own functions may have changed what is read.
                pre.append(_expr(self.settle_module(module, *self.attribute_read(node))))
        elif kind == "local" and node.id in self.facts.imports \
                and id(node) not in self.called():
            # (``from . import settings`` in the body: the runtime looks at what it is)
            pre.append(_expr(self.settle_module(_load(node.id),
                                                *self.attribute_read(node))))
        elif kind == "local" and node.id in self.state_locals():
            # ``opts = settings.OPTS`` (or ``def f(out=LOG)``) then ``set_opt(...)``:
            # what the name holds is module state, read as by its module's name (an
            # object changed in place: rebinding the module's name leaves it as it was)
            if self.state_locals()[node.id] == "state":
                # (as settle_state, and what it holds is known as module state: a step
                # given it reads it, see Body._state_read)
                pre.append(_expr(self._ds("settle_module", _load(node.id))))
            else:
                pre.append(_expr(self.settle_module(_load(node.id))))
        elif kind == "local" and node.id in self.returned_locals():
            # ``seen = get_seen()`` with ``return SEEN``: what a function of the project
            # gave may be module state; the runtime looks (see Body.settle_returned)
            for parts in self.returned_locals()[node.id]:
                pre.append(_expr(self._ds("settle_returned", _load(node.id),
                                          *map(_const, parts))))
        if id(node) in self.modules_looked_up()[0]:
            # ``sys.modules[name].X``: a module found at run time
            pre.append(_expr(self.settle_module(ast.Constant(value=None))))
        elif kind == "local" and node.id in self.modules_looked_up()[1]:
            # ``m = importlib.import_module(name)`` then ``m.X``
            pre.append(_expr(self.settle_module(_load(node.id))))
        return ast.Name(id=node.id, ctx=ast.Load())

    def called(self) -> set:
        """Ids of the names a call is made through: ``f(...)``, ``settings.configure(...)``,
        ``pkg.mod.fn(...)`` with ``pkg.mod`` an imported module (not ``settings.OPTS.get()``:
        that reads an object of the module)."""
        if self.called_names is None:
            table = self.facts.imports_table
            self.called_names = set()
            for sub in self.facts.nodes:
                if isinstance(sub, ast.Call):
                    func = sub.func
                    if isinstance(func, ast.Attribute):
                        func = func.value
                        dotted = _dotted_name(func)
                        if dotted is not None and "." in dotted and dotted in table:
                            while isinstance(func, ast.Attribute):
                                func = func.value
                        elif isinstance(func, ast.Name) and table.get(func.id, (0, 0))[1] \
                                is not None:
                            # ``OPTS.get(k)``, ``LOG.copy()``: reads the object, which a
                            # function may have changed (a name not known to be a
                            # module is looked at when the call is made)
                            continue
                    if isinstance(func, ast.Name):
                        self.called_names.add(id(func))
        return self.called_names

    def state_locals(self) -> dict:
        """Locals (parameters by their defaults) bound to module state by name: an
        object of an imported module of the project (``opts = settings.OPTS``), a
        name imported from one, or a module global a function of the module changes
        (``def f(out=LOG)``): "state" for the module's own globals (settled as they
        are), "held" for another module's (the object it holds looked at)."""
        if self.state_bindings is None:
            found: dict = {}

            def source_kind(value):
                root = value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if not isinstance(root, ast.Name) or self.kind(root.id) != "outside":
                    return None
                if root.id in self.facts.rebound_globals and root.id in self.facts.module_names:
                    return "state"
                if root.id in self.imports or root.id in self.facts.imports_table \
                        or root.id in self.facts.imported_names \
                        or root.id in self.facts.module_aliases:
                    return "held" if self.imported_from_project(root) is not None else None
                return None

            def holder_kind(inner):
                """The kind of what ``inner`` (a part's holder) is: a local bound before,
                or module state by name."""
                if isinstance(inner, ast.Name) and inner.id in found \
                        and self.kind(inner.id) == "local":
                    return found[inner.id]
                return source_kind(inner)

            def bind(name, value):
                if isinstance(value, (ast.IfExp, ast.BoolOp)):
                    # ``dst = LOG if dst is None else dst``, ``dst = dst or LOG``
                    parts = [value.body, value.orelse] if isinstance(value, ast.IfExp) \
                        else value.values
                    return any([bind(name, part) for part in parts])
                if isinstance(value, ast.Name) and value.id in found \
                        and self.kind(value.id) == "local":
                    kind = found[value.id]   # (``alias = out``)
                elif isinstance(value, (ast.Name, ast.Attribute)):
                    kind = source_kind(value)
                elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                        and value.func.id == "getattr" and 2 <= len(value.args) <= 3 \
                        and not value.keywords:
                    kind = source_kind(value.args[0])   # ``getattr(settings, "SEEN")``
                elif isinstance(value, ast.Subscript) and not isinstance(value.slice, ast.Slice):
                    # ``rows = TABLE["a"]``: a part of it (not ``TABLE[:]``, a copy)
                    kind = holder_kind(value.value)
                elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                        and value.func.attr == "get" and value.args:
                    kind = holder_kind(value.func.value)   # ``rows = TABLE.get("a")``
                elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                        and value.func.attr in ("keys", "values", "items") \
                        and not value.args and not value.keywords:
                    kind = holder_kind(value.func.value)   # ``keys = OPTS.keys()``: a live view
                else:
                    return False
                if kind is None or found.get(name) in (kind, "state"):
                    return False
                found[name] = kind   # ("state" wins: it waits for more)
                return True

            arguments = self.fn.args
            positional = [*arguments.posonlyargs, *arguments.args]
            for arg, default in zip(positional[len(positional) - len(arguments.defaults):],
                                    arguments.defaults):
                bind(arg.arg, default)
            for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
                if default is not None:
                    bind(arg.arg, default)
            pairs = []
            for sub in self.facts.nodes:
                if isinstance(sub, ast.Assign):
                    pairs += [(t.id, sub.value) for t in sub.targets if isinstance(t, ast.Name)]
                elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name) \
                        and sub.value is not None:
                    pairs.append((sub.target.id, sub.value))
            for _ in range(3):   # (aliases of aliases, in any order of the source)
                if not any([bind(name, value) for name, value in pairs]):
                    break
            self.state_bindings = found
        return self.state_bindings

    def cell_holds_state(self, name) -> bool:
        """Is the body's variable ``name``, which a nested function reads, bound to
        module state or to what a function of the project returns?"""
        return name in self.state_locals() or name in self.returned_locals()

    def returned_locals(self) -> dict:
        """Locals bound to what a function of the project returns (``seen =
        get_seen()``, ``rows = registry.table(name)``), by the dotted name of each such
        function: it may hand out module state (``return SEEN``), which a later call
        changes by its module's name. Locals bound to module state by name are
        ``state_locals``."""
        if self.returned_bindings is None:
            found: dict = {}
            table = self.facts.imports_table
            state = self.state_locals()
            project_function = self.project_function

            for sub in self.facts.nodes:
                if isinstance(sub, ast.Assign):
                    targets = [t.id for t in sub.targets if isinstance(t, ast.Name)]
                elif isinstance(sub, (ast.AnnAssign, ast.NamedExpr)) \
                        and isinstance(sub.target, ast.Name) and sub.value is not None:
                    targets = [sub.target.id]
                else:
                    continue
                values = [sub.value]
                while values and isinstance(values[-1], (ast.IfExp, ast.BoolOp)):
                    # (``s = get_seen() if flag else []``, ``s = cached or get_seen()``)
                    last = values.pop()
                    values += [last.body, last.orelse] if isinstance(last, ast.IfExp) \
                        else last.values
                for value in values:
                    while isinstance(value, ast.Attribute) or isinstance(value, ast.Subscript) \
                            and not isinstance(value.slice, ast.Slice) or (
                                isinstance(value, ast.Call)
                                and isinstance(value.func, ast.Attribute)
                                and value.func.attr in _PART_GETTERS
                                and bool(value.args) == (value.func.attr in ("get", "setdefault"))):
                        # (``tags = get_config()["tags"]``, ``rows = get_ns().rows``,
                        # ``view = get_cfg().items()``: a part of what it gave)
                        value = value.func.value if isinstance(value, ast.Call) else value.value
                    if not isinstance(value, ast.Call):
                        continue
                    parts = project_function(value.func)
                    if parts is None or len(parts) == 1 \
                            and parts[0] in self.facts.fresh_returning and parts[0] not in table:
                        continue   # (``first = fine(x)``, ``def fine(x): return x``)
                    for name in targets:
                        if self.kind(name) in ("local", "cell") and name not in state:
                            known = found.setdefault(name, [])
                            if parts not in known and len(known) < 3:
                                known.append(parts)
            self.returned_bindings = found
        return self.returned_bindings

    def project_function(self, func):
        """The dotted name (``("get_seen",)``, ``("registry", "table")``) of a
        function of the project called through ``func``, or None."""
        table = self.facts.imports_table
        parts = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name) or self.kind(func.id) != "outside":
            return None
        parts.append(func.id)
        parts.reverse()
        if len(parts) > 3:
            return None
        target = table.get(func.id)
        if target is not None:
            top = target[0].partition(".")[0]
            if not top or top == "desync" or _standard_library(top):
                return None
        elif func.id not in self.facts.module_names or len(parts) > 2 \
                or len(parts) == 2 and func.id in self.facts.module_values:
            return None   # (a builtin, an attribute of a name not imported, ``LOG.copy``)
        return tuple(parts)   # (``get_seen``, or ``Config.get``: a class's own method)

    def modules_looked_up(self):
        """(ids of the names that start ``sys.modules[...]``, locals bound to it or
        to ``importlib.import_module(...)``/``__import__(...)``): modules the body finds
        by name, whose attributes are read as an imported module's are."""
        if self.module_lookups is None:
            table = self.facts.imports_table
            roots, bound = set(), set()

            def is_lookup(value):
                if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Attribute) \
                        and value.value.attr == "modules" \
                        and isinstance(value.value.value, ast.Name) \
                        and table.get(value.value.value.id) == ("sys", None):
                    return value.value.value
                if isinstance(value, ast.Call):
                    func = value.func
                    if isinstance(func, ast.Attribute) and func.attr == "import_module" \
                            and isinstance(func.value, ast.Name) \
                            and table.get(func.value.id) == ("importlib", None):
                        return func
                    if isinstance(func, ast.Name) and (
                            table.get(func.id) == ("importlib", "import_module")
                            or (func.id == "__import__" and self.facts.builtin("__import__"))):
                        return func
                return None

            for sub in self.facts.nodes:
                root = is_lookup(sub)
                if type(root) is ast.Name and isinstance(sub, ast.Subscript):
                    roots.add(id(root))
                if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None \
                        and is_lookup(sub.value) is not None:
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    bound.update(t.id for t in targets if isinstance(t, ast.Name))
                elif isinstance(sub, ast.NamedExpr) and is_lookup(sub.value) is not None:
                    bound.add(sub.target.id)
            self.module_lookups = (roots, bound)
        return self.module_lookups

    def imported_from_project(self, node):
        """For an imported name read as a value (not called, not the module of a call
        ``settings.configure(...)``): what tells the runtime its module (the name
        itself for ``import settings``, the module's name for ``from settings import
        OPTS``); None for the standard library's and names of unknown origin."""
        if id(node) in self.called():
            return None
        table = self.facts.imports_table
        target = table.get(node.id)
        if target is None:
            # A relative import, or one bound differently on two paths: the runtime
            # looks at what the name holds. A name from ``import *`` (maybe not bound
            # at all: its NameError comes where Python raises it): not looked at.
            return _load(node.id) if node.id in self.imports \
                or node.id in self.facts.module_aliases else ast.Constant(value=None)
        module, attribute = target
        top = module.partition(".")[0]
        if not top or top == "desync" or _standard_library(top):
            return None
        return _load(node.id)   # (the module, or what was imported from one)

    def attribute_read(self, node) -> list:
        """``[name]`` when ``node`` is read for its attribute ``name`` (``settings.DEBUG``,
        ``settings.OPTS.get(k)``); else ``[]``."""
        reading = self.reading_attribute
        if reading is not None and reading[0] == id(node):
            return [ast.Constant(value=reading[1])]
        if self.attribute_bases is None:
            self.attribute_bases = {id(sub.value): sub.attr for sub in self.facts.nodes
                                    if isinstance(sub, ast.Attribute)
                                    and isinstance(sub.value, ast.Name)
                                    and isinstance(sub.ctx, ast.Load)}
        attribute = self.attribute_bases.get(id(node))
        return [] if attribute is None else [ast.Constant(value=attribute)]

    def lower_Constant(self, node, pre):
        return node

    def lower_Call(self, node, pre):
        consumed = self.consumer_fan_out(node, pre)
        if consumed is not None:
            return consumed
        if self.is_pure_builtin(node):
            if any(isinstance(a, (ast.Lambda, *COMPREHENSIONS)) for a in node.args) or any(
                    isinstance(k.value, (ast.Lambda, *COMPREHENSIONS)) for k in node.keywords):
                return self.call_step(node, pre)  # may run user code: classify at run time
            parts = self.lower_in_order([*node.args, *(k.value for k in node.keywords)], pre)
            args, values = parts[:len(node.args)], parts[len(node.args):]
            return ast.Call(func=node.func, args=args,
                            keywords=[ast.keyword(arg=k.arg, value=v)
                                      for k, v in zip(node.keywords, values)])
        if isinstance(node.func, ast.Name) and node.func.id == "super" \
                and self.facts.builtin("super"):
            if self.spec_mode:
                raise _NoSpec()
            # Zero-argument super() needs this frame: the owner makes it here.
            name = self.temp()
            pre.append(_assign(name, ast.Call(func=_load("super"),
                                              args=[self.lower(a, pre) for a in node.args],
                                              keywords=[])))
            return _load(name)
        return self.call_step(node, pre)

    def surely_bound_before(self, statement) -> set:
        """Names surely bound when ``statement`` starts (see ``_BindingsBefore``)."""
        if self.bindings_before is None:
            self.bindings_before = _BindingsBefore(self.fn, self.facts.params)
        return self.bindings_before(statement)

    def method_surely_there(self, receiver, name) -> bool:
        """``xs.append`` where every binding of the local ``xs`` is a list display (or a
        dict, a set): looking it up runs nothing and cannot fail, nor be replaced."""
        if not isinstance(receiver, ast.Name) or self.kind(receiver.id) != "local" \
                or self.renamed_to(receiver.id) is not None:
            return False
        if self.display_typed is None:
            self.display_typed = _display_typed_locals(self.fn)
        kind = self.display_typed.get(receiver.id)
        return kind is not None and hasattr(kind, name)

    def maybe_unbound(self, parts) -> bool:
        """Does a part Python may not evaluate read a local that may be unbound then?
        (``0 if ok else ybar`` with ybar assigned only on some paths.)"""
        names = {n.id for part in parts for n in _expr_nodes(part)
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                 and self.kind(n.id) in ("local", "cell") and n.id in self.facts.locals
                 and self.renamed_to(n.id) is None}
        if not names:
            return False
        statement = self.current
        known = self.bound_cache.get(id(statement))
        if known is None:
            known = self.bound_cache[id(statement)] = self.surely_bound_before(statement) \
                if statement is not None else set()
        return not names <= known

    def lower_BoolOp(self, node, pre):
        if not any(self.has_steps(v) for v in node.values[1:]) \
                and not self.maybe_unbound(node.values[1:]):
            return ast.BoolOp(op=node.op, values=[self.lower(v, pre) for v in node.values])
        if self.spec_mode:
            raise _NoSpec()
        # ``a and b()``: b() runs only if a is true, so the owner decides.
        result = self.temp()
        pre.append(_assign(result, self.value(node.values[0], pre)))
        current, previous = pre, node.values[0]
        for value in node.values[1:]:
            # Its truth is read now: after the pending changes to what it reads.
            keys = self.expression_keys(previous)
            test = self._ds("get_after", self._keys_node(keys), _load(result)) if keys \
                else self._ds("get", _load(result))
            if isinstance(node.op, ast.Or):
                test = ast.UnaryOp(op=ast.Not(), operand=test)
            branch: list = []
            branch.append(_assign(result, self.value(value, branch)))
            statement = _if(test, branch)
            current.append(statement)
            # The next operand goes inside this one's branch (the If's own list:
            # _if copies the list it is given).
            current, previous = statement.body, value
        return _load(result)

    def lower_IfExp(self, node, pre):
        if not (self.has_steps(node.body) or self.has_steps(node.orelse)
                or self.maybe_unbound([node.body, node.orelse])):
            return ast.IfExp(test=self.lower(node.test, pre), body=self.lower(node.body, pre),
                             orelse=self.lower(node.orelse, pre))
        if self.spec_mode:
            raise _NoSpec()
        result = self.temp()
        test = self.now(node.test, pre)
        body: list = []
        body.append(_assign(result, self.value(node.body, body)))
        orelse: list = []
        orelse.append(_assign(result, self.value(node.orelse, orelse)))
        pre.append(_if(test, body, orelse))
        return _load(result)

    def lower_NamedExpr(self, node, pre):
        if self.spec_mode:
            raise _NoSpec()
        value = self.value(node.value, pre)
        pre.extend(self.bind(node.target, value))
        return self.lower_Name(ast.Name(id=node.target.id, ctx=ast.Load()), pre) \
            if self.kind(node.target.id) != "local" else _load(node.target.id)

    def lower_Lambda(self, node, pre):
        if self.spec_mode:
            raise _NoSpec()
        defaults = [self.value(d, pre) for d in node.args.defaults]
        kw_defaults = [None if d is None else self.value(d, pre) for d in node.args.kw_defaults]
        given = [*defaults, *[k for k in kw_defaults if k is not None]]
        if not any(isinstance(d, ast.Name) and self.is_local_value(d.id) for d in given):
            args = ast.arguments(posonlyargs=node.args.posonlyargs, args=node.args.args,
                                 vararg=node.args.vararg, kwonlyargs=node.args.kwonlyargs,
                                 kw_defaults=kw_defaults, kwarg=node.args.kwarg,
                                 defaults=defaults)
            return self.emit(pre, ast.Lambda(args=args, body=node.body))
        # Defaults are taken when the lambda is made: make it once they are there.
        params = [f"_d{i}" for i in range(len(given))]
        names = iter(params)
        args = ast.arguments(posonlyargs=node.args.posonlyargs, args=node.args.args,
                             vararg=node.args.vararg, kwonlyargs=node.args.kwonlyargs,
                             kw_defaults=[], kwarg=node.args.kwarg, defaults=[])
        args.defaults = [_load(next(names)) for _ in defaults]
        args.kw_defaults = [None if k is None else _load(next(names)) for k in kw_defaults]
        maker = _lambda(params, ast.Lambda(args=args, body=node.body))
        return self.emit(pre, self._ds("pure", _rt("lambda_made"), maker, *given))

    def lower_ListComp(self, node, pre):
        if self.spec_mode:
            raise _NoSpec()
        if self.can_fan_out(node):
            kind = {ast.ListComp: "list", ast.SetComp: "set", ast.DictComp: "dict"}[type(node)]
            if any(g.ifs for g in node.generators) or self._over_a_call(node):
                # Elements whose condition fails are never computed in plain Python:
                # compute them ahead, but let only the kept ones count. (Over what a
                # function of yours returns, a generator, perhaps: its elements start
                # together if it is the loop's own, see ``spec_iterate``.)
                try:
                    return self.spec_comprehension(node, pre, _const(kind))
                except _NoSpec:
                    pass
            return self.comprehension(node, pre, kind)
        return self.kept_comprehension(node, pre)

    lower_SetComp = lower_DictComp = lower_ListComp

    def _over_a_call(self, node) -> bool:
        """``[f(x) for x in rows(path)]``: one loop over a call of a function that is
        not a builtin."""
        if len(node.generators) != 1:
            return False
        source = node.generators[0].iter
        return isinstance(source, ast.Call) and isinstance(source.func, ast.Name) \
            and not self.facts.builtin(source.func.id)

    def lower_GeneratorExp(self, node, pre):
        if self.spec_mode:
            raise _NoSpec()
        self.note("lazy", "generator consumed lazily (or by code desync does not know): its "
                          "calls run one at a time, when consumed", node)
        # A generator consumed lazily stays lazy: the owner makes it, whoever
        # consumes it runs it (in program order: see the call that receives it).
        first = self.value(node.generators[0].iter, pre)
        generators = [ast.comprehension(target=g.target, iter=g.iter, ifs=g.ifs,
                                        is_async=g.is_async) for g in node.generators]
        generators[0].iter = self._ds("get", first)
        name = self.temp()
        pre.append(_assign(name, ast.GeneratorExp(elt=node.elt, generators=generators)))
        return _load(name)

    def lower_Await(self, node, pre):  # pragma: no cover - refused by parse
        raise DesyncError("'await' is not supported in a desync body", self.filename,
                          node.lineno, "await")

    # Conditional parts and comprehensions need to know whether a part has steps.
    def has_steps(self, node) -> bool:
        # (asked of one argument by several rules: once per node)
        known = self.steps_memo.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        found = False
        for sub in scope_nodes([node]) if not isinstance(node, ast.expr) else \
                _expr_nodes(node):
            if isinstance(sub, ast.Call) and not self.is_pure_builtin(sub):
                found = True
                break
            if isinstance(sub, (ast.NamedExpr, ast.Lambda, *COMPREHENSIONS)):
                found = True
                break
        self.steps_memo[id(node)] = (node, found)
        return found

    def can_fan_out(self, node) -> bool:
        return fans_out(node)

    def comprehension(self, node, pre, kind) -> ast.expr:
        """A comprehension as loops of the owner: every element's calls are issued
        at once, and the result is collected, in order, when they are done."""
        self.note("fan-out", "comprehension: every element's calls start together; the "
                             "result keeps their order", node)
        items = self.temp()
        pre.append(_assign(items, ast.List(elts=[], ctx=ast.Load())))
        frame: dict[str, str] = {}
        self.renamed.append(frame)
        try:
            pre.extend(self._comprehension_level(node, 0, items, frame))
        finally:
            self.renamed.pop()
        return self.emit(pre, self._ds("collect", _const(kind), _load(items)))

    def _level_head(self, generator, frame):
        """One ``for`` of a comprehension: (statements before it, its iterable, the keys
        it reads, its target renamed to fresh temporaries)."""
        out: list = []
        iterable = self.value(generator.iter, out)
        keys = self.read_keys([generator.iter])
        for name in _target_names(generator.target):
            frame[name] = self.temp()
        return out, iterable, keys, _rename_target(generator.target, frame)

    def _comprehension_level(self, node, index, items, frame) -> list:
        generator = node.generators[index]
        out, iterable, keys, target = self._level_head(generator, frame)
        body: list = []
        for condition in generator.ifs:
            test = self.now(condition, body)
            body.append(_if(ast.UnaryOp(op=ast.Not(), operand=test), [ast.Continue()]))
        if index + 1 < len(node.generators):
            body.extend(self._comprehension_level(node, index + 1, items, frame))
        elif isinstance(node, ast.DictComp):
            key = self.value(node.key, body)
            value = self.value(node.value, body)
            key = self.hashed(node, node.key, key, body)
            body.append(_expr(_call(ast.Attribute(value=_load(items), attr="extend",
                                                  ctx=ast.Load()), [_tuple([key, value])])))
        else:
            element = self.value(node.elt, body)
            if isinstance(node, ast.SetComp):
                element = self.hashed(node, node.elt, element, body)
            body.append(_expr(_call(ast.Attribute(value=_load(items), attr="append",
                                                  ctx=ast.Load()), [element])))
        out.extend(self._owning(ast.For(target=target, iter=self._ds(
            "iterate", self._keys_node(keys), iterable), body=body, orelse=[]),
            self._made_by(generator.iter, out, iterable)))
        return out

    def hashed(self, node, part, value, body) -> ast.expr:
        """A set's element or a dict's key, hashed where Python adds it: one that
        cannot be fails before the next element's calls (``{f(x) for x in rows}``)."""
        if isinstance(part, (ast.Constant, ast.JoinedStr)):
            return value
        # (also without calls: a loop over an iterator that prints as it advances
        # stops advancing there)
        return self.emit(body, self._ds("pure", _rt("hashable"), value))

    def kept_comprehension(self, node, pre) -> ast.expr:
        """A comprehension that cannot fan out runs whole, in program order."""
        self.note("sequential", "comprehension makes functions over its own variables: it "
                                "runs as written, in program order", node)
        if any(isinstance(sub, ast.Name) and sub.id in ("super", "__class__")
               or isinstance(sub, ast.NamedExpr) for sub in walk_tree(node)):
            # Zero-argument super() needs the method's own frame, a walrus binds the
            # body's variable: no lambda around them.
            result = self.as_written(node, pre)
            for name in sorted({sub.target.id for sub in walk_tree(node)
                                if isinstance(sub, ast.NamedExpr)}):
                if name in self.facts.logged and self.kind(name) == "local":
                    # (what it bound is what a handler after a failure sees: logged)
                    pre.extend(self.bind(_store(name), _load(name)))
            return result
        source = node.generators[0].iter
        if self.has_steps(source):
            # Python evaluates the outermost iterable in the body's own frame, before
            # the comprehension runs: its calls are the body's (a helper reading its
            # caller's frame sees the body, not a lambda).
            node = copy.copy(node)
            first = copy.copy(node.generators[0])
            first.iter = self.value(source, pre)
            node.generators = [first, *node.generators[1:]]
        names = self.free_values(node)
        # It may change what it reads (``range(xs.pop())``): later reads of those wait.
        targets = self.expression_keys(node)
        if self.calls_out(node, set(names)):
            targets = [*targets, "*world"]
        return self.emit(pre, self._ds("effect", self._keys_node(targets),
                                       _lambda(names, node), *map(_load, names)))

    def free_values(self, node) -> list[str]:
        """The locals and temporaries an expression reads (not inside lambdas, and not
        the variables of comprehensions inside it)."""
        found: dict[str, None] = {}
        # (a chained comparison's middle operand bound inside it: never an input)
        inside = {sub.target.id for sub in walk_tree(node) if isinstance(sub, ast.NamedExpr)
                  and sub.target.id in self.namer.chain_temps}

        def visit(sub, bound):
            if isinstance(sub, ast.Name):
                if isinstance(sub.ctx, ast.Load) and sub.id not in bound \
                        and sub.id not in inside \
                        and self.is_local_value(sub.id) and self.renamed_to(sub.id) is None:
                    found.setdefault(sub.id, None)
                return
            if isinstance(sub, SCOPES):
                if isinstance(sub, ast.Lambda):
                    for default in [*sub.args.defaults, *(d for d in sub.args.kw_defaults if d)]:
                        visit(default, bound)
                return
            if isinstance(sub, COMPREHENSIONS):
                visit(sub.generators[0].iter, bound)
                inner = set(bound)
                for generator in sub.generators:
                    inner |= _target_names(generator.target)
                for index, generator in enumerate(sub.generators):
                    if index:
                        visit(generator.iter, inner)
                    for condition in generator.ifs:
                        visit(condition, inner)
                for part in ([sub.key, sub.value] if isinstance(sub, ast.DictComp)
                             else [sub.elt]):
                    visit(part, inner)
                return
            for child in child_nodes(sub):
                visit(child, bound)
        visit(node, frozenset())
        return list(found)

    # -- calls ------------------------------------------------------------------------
    def call_step(self, node: ast.Call, pre: list) -> ast.Name:
        func = node.func
        starred = any(isinstance(a, ast.Starred) for a in node.args) or \
            any(k.arg is None for k in node.keywords)
        if self.spec_mode:
            return self.spec_step(node, pre, starred)
        if not starred and unbound_builtin_method(node, self.facts):
            # list.append(xs, v): an effect on xs, its first argument.
            target = self.effect_key(node.args[0])
            callee = self.lower(func, pre)
            args, keywords = self.call_args(node, pre)
            return self.emit(pre, self._ds("effect", self._keys_node([target]), callee, *args,
                                           keywords=keywords))
        if isinstance(func, ast.Attribute) and not self.is_module(func.value) \
                and (root_name(func.value), func.attr) not in self.stored_attributes:
            return self.note_returned(func, self.method_step(node, pre, starred))
        # (``self._readline = f.readline``, later ``self._readline()``: the attribute is
        # read as a value, after that store, and called: not looked up when issued.)
        if isinstance(func, ast.Name) and func.id in MUTATING_BUILTINS \
                and self.facts.builtin(func.id) and node.args:
            # next(it), setattr(o, ...): an effect on their first argument.
            target = self.effect_key(node.args[0])
            args, keywords = self.call_args(node, pre)
            return self.emit(pre, self._ds("effect", self._keys_node([target]), func, *args,
                                           keywords=keywords))
        callee = self.value(func, pre) if not isinstance(func, ast.Name) else self.lower(func, pre)
        if (not _is_atom(callee) or isinstance(func, ast.Name) and not self.facts.builtin(func.id)) \
                and any(self.has_steps(part) for part in
                        [*node.args, *(k.value for k in node.keywords)]):
            # Python reads the function before its arguments: an undefined one (a
            # NameError, ``math.nothere``) fails before their calls, and one they
            # rebind is the old.
            callee = self._computed(callee, func, pre)
        keys = self.read_keys([func, *node.args, *(k.value for k in node.keywords)])
        self.note_call(node, keys)
        handed = handed_methods(node, self.facts.pure_methods)
        if handed:
            # ``collect(rows, out.append)``: a change of ``out``, in program order, that
            # later reads of ``out`` wait for.
            targets = sorted({self.effect_key(h.value) for h in handed} | set(keys))
            args, keywords = self.call_args(node, pre, starred, callee)
            return self.emit(pre, self._ds("effect_call", self._keys_node(targets), callee,
                                           *args, keywords=keywords))
        if isinstance(func, ast.Name) and func.id in self.facts.local_functions:
            local = self.facts.local_functions[func.id]
            if local.writes or local.mutates:
                targets = sorted({self.box(w) for w in local.writes} | set(keys))
                args, keywords = self.call_args(node, pre, starred, callee)
                return self.emit(pre, self._ds("effect_call", self._keys_node(targets), callee,
                                               *args, keywords=keywords))
        if starred:
            args, kwargs = self.star_args(node, pre, callee=callee)
            return self.emit(pre, self._ds("call_star", self._keys_node(keys), callee,
                                           args, kwargs))
        args, keywords = self.call_args(node, pre)
        if keys:
            result = self.emit(pre, self._ds("read", self._keys_node(keys), callee, *args,
                                             keywords=keywords))
        else:
            result = self.emit(pre, self._ds("call", callee, *args, keywords=keywords))
        return self.note_returned(func, result)

    def settle_returned_temps(self, names, pre) -> None:
        """Before the body reads or changes what a function of the project returned,
        held in a temporary: it may be module state (see Body.settle_returned)."""
        for name in names:
            parts = self.returned_temps.get(name)
            if parts is not None:
                if self.spec_mode:
                    raise _NoSpec()
                pre.append(_expr(self._ds("settle_returned", _load(name),
                                          *map(_const, parts))))

    def note_returned(self, func, result):
        """Remember that ``result`` is what a function of the project returned
        (``list(get_seen())``, ``len(Config.get().values)``): read by the body as a
        local bound to it would be."""
        parts = self.project_function(func)
        if parts is not None and isinstance(result, ast.Name) and not (
                len(parts) == 1 and parts[0] in self.facts.fresh_returning
                and parts[0] not in self.facts.imports_table):
            self.returned_temps[result.id] = parts
        return result

    def note_call(self, node, keys):
        from .callees import static_facts
        facts = static_facts(node.func, getattr(self.facts, "imports_table", {}),
                             self.facts.module_names)
        callee = _short(node.func)
        if facts is not None and (facts.kind == "effect" or facts.mutates):
            self.note("effect", f"`{callee}(...)` in program order: it {facts.reason}", node)
            return
        waits = f", after earlier changes to {_names(keys)}" if keys else ""
        reads = f" (it {facts.reason})" if facts is not None and facts.kind == "reads" else ""
        self.note("call", f"`{callee}(...)` starts as soon as its inputs are ready{waits}"
                          f"{reads}", node)

    def spec_step(self, node, pre, starred) -> ast.Name:
        """A call computed ahead: ``_ds.spec`` (the runtime defers it if it is an effect)."""
        func = node.func
        self.note("ahead", f"`{_short(func)}(...)` starts ahead; its result (or error) counts "
                           "only where plain Python would reach it", node)
        if starred or unbound_builtin_method(node, self.facts) or (
                isinstance(func, ast.Name) and (func.id in MUTATING_BUILTINS
                                                or func.id in self.facts.local_functions)):
            raise _NoSpec()
        keys = self.read_keys([func, *node.args, *(k.value for k in node.keywords)])
        if isinstance(func, ast.Attribute) and not self.is_module(func.value):
            if _has_subscript(func.value):
                raise _NoSpec()
            # (``counts.get(w, 0)`` computed ahead reads ``counts``: after the changes
            # to it before, as the call made in its place would)
            keys = sorted({*keys, *self.read_keys([func.value])})
            receiver = self.value(func.value, pre)
            args, keywords = self.call_args(node, pre)
            return self.note_returned(func, self.emit(pre, self._ds(
                "spec_method", self._keys_node(keys), receiver, _const(func.attr), *args,
                keywords=keywords)))
        callee = self.value(func, pre) if not isinstance(func, ast.Name) else self.lower(func, pre)
        args, keywords = self.call_args(node, pre)
        # (what a getter gave is not read ahead: ``len(_reg())`` waits in its place)
        return self.note_returned(func, self.emit(pre, self._ds(
            "spec", self._keys_node(keys), callee, *args, keywords=keywords)))

    def speculative(self, expr, pre) -> ast.expr:
        """``expr`` computed ahead, as a value, a speculative task or a deferred call."""
        saved = self.spec_mode
        self.spec_mode = True
        try:
            return self.value(expr, pre)
        finally:
            self.spec_mode = saved

    def consumer_fan_out(self, node, pre):
        """``sum(f(x) for x in xs)``, ``any(...)``, ``list(map(f, xs))``, ``"".join(...)``:
        the elements' calls all start at once; the consumer takes them in order."""
        if self.spec_mode or len(node.args) != 1 or node.keywords:
            return None
        func, arg = node.func, node.args[0]
        if isinstance(func, ast.Name) and self.facts.builtin(func.id) \
                and func.id in (*EAGER_CONSUMERS, "any", "all"):
            consumer = _const(func.id)
            eager = func.id in EAGER_CONSUMERS
        elif isinstance(func, ast.Attribute) and func.attr == "join" \
                and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            consumer, eager = func, True
        else:
            return None
        is_map = isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) \
            and arg.func.id == "map" and self.facts.builtin("map") and len(arg.args) >= 2 \
            and not arg.keywords and not any(isinstance(a, ast.Starred) for a in arg.args)
        if isinstance(arg, ast.GeneratorExp) and self.can_fan_out(arg):
            # (Its elements computed ahead, consumed in order by a generator of the
            # runtime's: an element's StopIteration becomes Python's RuntimeError.)
            if not eager:
                if len(arg.generators) > 1:
                    return None   # inner iterables made per element: not checked ahead
                return self.spread_or_plain(node, arg.generators[0], "iter", pre, lambda new, out:
                                            self.spec_comprehension(new.args[0], out, consumer,
                                                                    truth=True))
            scratch: list = []
            try:
                result = self.spec_comprehension(arg, scratch, consumer)
            except _NoSpec:
                if any(g.ifs for g in arg.generators):
                    return None
                if not (isinstance(consumer, ast.Attribute)
                        or func.id in ("list", "tuple", "sorted")):
                    # ``sum``, ``max``, ``set``, ``dict`` take an element before the
                    # next is made, and may fail there (``0 + "a"``): the next element's
                    # effects (``next(it)``) must not happen. Only consumers that take
                    # every element first (list, tuple, sorted, str.join) may have them
                    # made ahead; the others run it as written.
                    return self.as_written(node, pre)
                # (an element with effects: fanned out and collected, in order; an
                # element's StopIteration becomes Python's RuntimeError, PEP 479)
                # The first iterable is evaluated by the caller (PEP 289): outside.
                loop: list = []
                items = self.comprehension(arg, loop, "list")
                at = next(i for i, stmt in enumerate(loop) if isinstance(stmt, (ast.For, ast.With)))
                pre.extend(loop[:at])
                pre.append(ast.With(items=[ast.withitem(
                    context_expr=self._ds("generator_expression"))], body=[loop[at]]))
                pre.extend(loop[at + 1:])
                return self.atom(_call(consumer if not isinstance(consumer, ast.Constant)
                                       else _load(func.id), [items]), pre)
            pre.extend(scratch)
            return result
        if is_map and not eager:
            return self.spread_or_plain(node, arg, "args", pre, lambda new, out:
                                        self.map_fan_out(new.args[0], out, consumer, True))
        if is_map:
            # Computed ahead too: a call of f that raises StopIteration ends the map
            # there, quietly, as Python's map does; what comes after it is not plain
            # Python's to see.
            scratch: list = []
            try:
                result = self.map_fan_out(arg, scratch, consumer, speculative=True)
            except _NoSpec:
                return self.map_fan_out(arg, pre, consumer, speculative=False)
            pre.extend(scratch)
            return result
        return None

    def spread_or_plain(self, node, holder, field, pre, fan_out) -> ast.expr:
        """``any(f(x) for x in xs)``: Python stops at the first true element, so the
        elements can all start ahead only if iterating ``xs`` to its end is harmless: a
        container (a list, a range...), not an iterator (a file, a generator, ``map``
        or ``itertools.count()``, whose next items run code, consume input, or never
        end). Checked when the call is made; otherwise the call runs as written.
        ``holder.field``: the iterable (a generator's ``iter``) or ``map``'s ``args``."""
        parts = getattr(holder, field)
        iterables = parts[1:] if field == "args" else [parts]
        checked, replaced = [], []
        for iterable in iterables:
            sources = _spread_sources(iterable, self.facts)
            if sources is None:   # range(...), a display: a container
                replaced.append(self.inline_now(self.value(iterable, pre), pre))
                continue
            values = {}
            for source in sources:   # evaluated once, for the check and for the call
                value = self.inline_now(self.value(source, pre), pre)
                values[id(source)] = value
                checked.append(self._ds("get", value) if isinstance(value, ast.Name)
                               and self.is_local_value(value.id) else value)
            replaced.append(values[id(iterable)] if id(iterable) in values
                            else _Replace(values).visit(iterable))
        if field == "args":
            holder.args = [parts[0], *replaced]
        else:
            setattr(holder, field, replaced[0])
        as_written = _PlainRewriter(self).expression(node)   # (a copy: before the fan-out)
        result = self.temp()
        plain = self._as_written_into(result, as_written)
        spread: list = []
        try:
            spread.append(_assign(result, fan_out(node, spread)))
        except _NoSpec:   # an element that cannot be computed ahead: as written
            pre.extend(plain)
            return _load(result)
        if not checked:
            pre.extend(spread)
        else:
            pre.append(_if(_call(_rt("spreadable"), checked), spread, plain))
        return _load(result)

    def _as_written_into(self, name, rewritten) -> list:
        return [_expr(self._ds("barrier")), _assign(name, rewritten)]

    def as_written(self, node, pre) -> ast.expr:
        """An expression run as written on the calling thread, after everything before
        it (its names read resolved)."""
        result = self.temp()
        pre.extend(self._as_written_into(result, _PlainRewriter(self).expression(node)))
        return _load(result)

    def spec_comprehension(self, node, pre, consumer, truth=False) -> ast.expr:
        """Every element (and its conditions) computed ahead; ``_ds.consume`` takes them
        in order, skipping the elements whose conditions fail, as plain Python does."""
        self.note("fan-out", "elements and conditions start together; only the elements "
                             "plain Python would reach count", node)
        if len(node.generators) > 1 and any(g.ifs for g in node.generators):
            raise _NoSpec()
        scratch: list = []
        items = self.temp()
        scratch.append(_assign(items, ast.List(elts=[], ctx=ast.Load())))
        frame: dict[str, str] = {}
        self.renamed.append(frame)
        try:
            scratch.extend(self._spec_level(node, 0, items, frame, truth,
                                            _stopping(consumer, len(node.generators))))
        finally:
            self.renamed.pop()
        conditions = sum(len(g.ifs) for g in node.generators)
        values = 2 if isinstance(node, ast.DictComp) else 1
        pre.extend(scratch)
        # (a list, set or dict comprehension lets a StopIteration out as it is; a
        # generator expression turns it into RuntimeError)
        stops = () if isinstance(node, ast.GeneratorExp) else (_const("raise"),)
        return self.emit(pre, self._ds("consume", consumer, _const(conditions), _const(values),
                                       _load(items), *stops))

    def _spec_level(self, node, index, items, frame, truth=False, stopping=()) -> list:
        """``truth``: the consumer (any, all) takes each element's truth, so an element
        that is an object the body changes is tested after the changes before it."""
        generator = node.generators[index]
        out, iterable, keys, target = self._level_head(generator, frame)
        body: list = []
        parts = list(generator.ifs)
        if index + 1 < len(node.generators):
            body.extend(self._spec_level(node, index + 1, items, frame, truth, stopping))
        else:
            parts += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        hashed_at = -1 if index + 1 < len(node.generators) else \
            len(generator.ifs) + (1 if isinstance(node, ast.DictComp) else 0) \
            if isinstance(node, (ast.SetComp, ast.DictComp)) else -1
        for position, part in enumerate(parts):
            step = self.speculative(part, body)
            if position == hashed_at:
                # A set's element, a dict's key once its value is made: hashed where
                # Python adds it, before the iterator's next step.
                step = self.emit(body, self._ds(
                    "spec_pure", _tuple([]), _rt("hashable"), step) if isinstance(node, ast.SetComp)
                    else self._ds("spec_pure", _tuple([]), _rt("hashable_key"), key_step, step))
            key_step = step
            if (position < len(generator.ifs) or truth) and isinstance(step, ast.Name) \
                    and isinstance(part, ast.Name):
                part_keys = self.read_keys([part])
                if part_keys:  # ``if xs``: its truth after the pending changes to xs, not later
                    step = self.emit(body, self._ds("pure_read", self._keys_node(part_keys),
                                                    _rt("truth"), step))
            body.append(_expr(_call(ast.Attribute(value=_load(items), attr="append",
                                                  ctx=ast.Load()), [step])))
        conditions = sum(len(g.ifs) for g in node.generators)
        values = 2 if isinstance(node, ast.DictComp) else 1
        made_by = self._made_by(generator.iter, out, iterable)
        out.extend(self._owning(ast.For(target=target, iter=self._ds(
            "spec_iterate", self._keys_node(keys), _load(items), _const(conditions),
            _const(values), iterable, keywords=[*made_by, *stopping]), body=body, orelse=[]),
            made_by))
        return out

    def _made_by(self, source, pre, iterable) -> list:
        """``made_by=f`` when ``iterable`` is the temporary a step got from calling
        the plain name ``f`` (``for x in gen(n)``): if ``f`` is a generator
        function, the generator is the loop's own (see ``spec_iterate``)."""
        if not (isinstance(source, ast.Call) and isinstance(source.func, ast.Name)
                and isinstance(iterable, ast.Name)
                and iterable.id.startswith(self.namer.temp_prefix)):
            return []   # (a name the body holds is never the loop's own)
        step = next((s for s in reversed(pre) if isinstance(s, ast.Assign)
                     and any(isinstance(t, ast.Name) and t.id == iterable.id
                             for t in s.targets)), None)
        if not (isinstance(step, ast.Assign) and len(step.targets) == 1
                and isinstance(step.targets[0], ast.Name) and step.targets[0].id == iterable.id
                and isinstance(step.value, ast.Call) and isinstance(step.value.func, ast.Attribute)
                and isinstance(step.value.func.value, ast.Name)
                and step.value.func.value.id == self.namer.scope):
            return []
        method, args = step.value.func.attr, step.value.args
        callee = args[0] if method == "call" and args else \
            args[1] if method == "read" and len(args) > 1 else None
        if not isinstance(callee, ast.Name):
            return []
        return [ast.keyword(arg="made_by", value=_load(callee.id))]

    def map_fan_out(self, node, pre, consumer, speculative) -> ast.expr:
        """``consumer(map(f, xs))``: one call of ``f`` per element, all started at once."""
        self.note("fan-out", f"`map({_short(node.args[0])}, ...)`: one call per element, all "
                             "started together", node)
        fn = self.value(node.args[0], pre)
        iterables = [self.value(a, pre) for a in node.args[1:]]
        keys = self.read_keys(node.args)
        items = self.temp()
        pre.append(_assign(items, ast.List(elts=[], ctx=ast.Load())))
        elements = [self.temp() for _ in iterables]
        if len(iterables) == 1:
            source, parts, target = iterables[0], [], _store(elements[0])
        else:
            source = self.atom(_call(_load("zip"), iterables), pre)
            parts = iterables
            target = ast.Tuple(elts=[_store(e) for e in elements], ctx=ast.Store())
        method = "spec" if speculative else ("read" if keys else "call")
        head = [self._keys_node(keys)] if speculative or keys else []
        step = self._ds(method, *head, fn, *map(_load, elements))
        element = self.temp()
        body = [_assign(element, step),
                _expr(_call(ast.Attribute(value=_load(items), attr="append", ctx=ast.Load()),
                            [_load(element)]))]
        iterate_keys = self._keys_node(self.read_keys(node.args[1:]))
        made_by = [] if parts else self._made_by(node.args[1], pre, source)
        iterate = self._ds("spec_iterate", iterate_keys, _load(items), _const(0), _const(1),
                           source, *parts, keywords=[*made_by, *_stopping(consumer, 1)]) \
            if speculative \
            else self._ds("iterate", iterate_keys, source, *parts)
        pre.extend(self._owning(ast.For(target=target, iter=iterate, body=body, orelse=[]),
                                made_by))
        if speculative:
            return self.emit(pre, self._ds("consume", consumer, _const(0), _const(1),
                                           _load(items), _const("map")))
        collected = self.emit(pre, self._ds("collect", _const("list"), _load(items)))
        take = _load(consumer.value) if isinstance(consumer, ast.Constant) else consumer
        return self.atom(_call(take, [collected]), pre)

    def method_step(self, node, pre, starred) -> ast.Name:
        func = node.func
        receiver_node = func.value
        target = self.effect_key(receiver_node)
        self.note("method", f"`{_short(receiver_node)}.{func.attr}(...)`: in program order if "
                            f"it changes `{_short(receiver_node)}`, otherwise it overlaps",
                  node)
        keys = self.read_keys([receiver_node, *node.args, *(k.value for k in node.keywords)])
        if self.instance_read_keys and self.through_local(func):
            keys += [k for k in self.instance_read_keys if k not in keys]
        if starred:
            receiver = self.lower(receiver_node, pre)
            method = ast.Attribute(value=receiver, attr=func.attr, ctx=ast.Load())
            if _unpacks_before_a_failure(node):
                # (in order: see star_args; the call names the method if it fails)
                args, kwargs = self.star_args(node, pre, callee=method)
                call = _call(_rt("star_call"), [copy.deepcopy(method), _tuple([args, kwargs])])
            else:
                call = ast.Call(func=method, args=[self.lower(a, pre) for a in node.args],
                                keywords=[ast.keyword(arg=k.arg, value=self.lower(k.value, pre))
                                          for k in node.keywords])
            names = self.free_values(call)
            return self.emit(pre, self._ds("effect", self._keys_node(sorted({target, *keys})),
                                           _lambda(names, call), *map(_load, names)))
        if _has_subscript(receiver_node):
            receiver = self.lower(receiver_node, pre)
            if not _is_atom(receiver):
                # ``groups[k].append(x)``: reading the receiver may itself change
                # things (a defaultdict): it is read when the call is made, in order.
                names = self.free_values(receiver)
                self.settle_returned_temps(names, pre)   # (``Single().items.append(x)``)
                args, keywords = self.call_args(node, pre)
                return self.emit(pre, self._ds(
                    "effect_method", self._keys_node(sorted({target, *keys})),
                    _lambda(names, receiver), _tuple(map(_load, names)), _const(func.attr),
                    *args, keywords=keywords))
        else:
            receiver = self.value(receiver_node, pre)
        if isinstance(receiver, ast.Name) and not self.spec_mode:
            # ``get_seen().append(x)``: a change of what the getter gave, which may be
            # module state (see Body.settle_returned)
            self.settle_returned_temps([receiver.id], pre)
        bound = None
        if any(self.has_steps(part) for part in [*node.args, *(k.value for k in node.keywords)]):
            # Python reads the receiver and looks the method up before it evaluates the
            # arguments (``x.missing(f())`` fails before f() is called).
            self.read_if_unbound(receiver_node, receiver, pre)
            if not self.method_surely_there(receiver_node, func.attr):
                bound = self.emit(pre, self._ds("look_up", receiver, _const(func.attr)))
        args, keywords = self.call_args(node, pre)
        # If it changes its object, it may change what the object's attributes hold.
        held = self.held_keys(receiver_node, target)
        targets = _const(target) if not held else self._keys_node([target, *held])
        if bound is not None:
            return self.emit(pre, self._ds("method_bound", targets, self._keys_node(keys),
                                           receiver, _const(func.attr), bound, *args,
                                           keywords=keywords))
        return self.emit(pre, self._ds("method", targets, self._keys_node(keys),
                                       receiver, _const(func.attr), *args,
                                       keywords=keywords))

    def call_args(self, node, pre, starred=False, callee=None):
        if starred:
            # (spread into a runtime call: the positional part stays a plain tuple)
            args, kwargs = self.star_args(node, pre, named=False, callee=callee)
            return [ast.Starred(value=args, ctx=ast.Load())], [ast.keyword(arg=None,
                                                                           value=kwargs)]
        parts = [*node.args, *(k.value for k in node.keywords)]
        last = max((i for i, part in enumerate(parts) if self.has_steps(part)), default=-1)
        values, segments, followed = self.lowered_apart(parts, self.value)
        for index, part in enumerate(parts):
            value, segment = values[index], segments[index]
            first = index < last or followed[index]
            if first and isinstance(part, ast.Name) and isinstance(value, ast.Name) \
                    and value.id == part.id and self.kind(part.id) != "local":
                value = self._computed(value, part, segment)  # ``print(m, bump())``: m first
            elif first:
                self.read_if_unbound(part, value, segment)
                value = self.inline_now(value, segment)
            values[index] = value
            pre.extend(segment)
        args = values[:len(node.args)]
        keywords = [ast.keyword(arg=k.arg, value=v)
                    for k, v in zip(node.keywords, values[len(node.args):])]
        return args, keywords

    def star_args(self, node, pre, named=True, callee=None):
        """``f(a, *b, k=c, **d)``: a future of the positional tuple and of the
        keyword dict, made when their parts are there.

        Python extends the argument list at each ``*`` operand (unless it is the only
        positional one: the call takes that as it is) and merges each ``**`` operand
        (and each group of named ones after one) as it goes. Where an argument after
        such a point could fail, a step does that there (``callee``, an expression of
        the function, names it in the message), so its failure comes first."""
        order = [a.value if isinstance(a, ast.Starred) else a for a in node.args] \
            + [k.value for k in node.keywords]
        last = max((i for i, part in enumerate(order) if self.has_steps(part)), default=-1)

        lowered_parts, segments, followed = self.lowered_apart(order, self.value)

        def value(index, expr):
            lowered, segment = lowered_parts[index], segments[index]
            if index < last or followed[index]:
                self.read_if_unbound(expr, lowered, segment)
                lowered = self.inline_now(lowered, segment)
            pre.extend(segment)
            return lowered

        def later_can_fail(index):
            return any(not _cannot_fail(part) for part in order[index + 1:])
        single = len(node.args) == 1 and isinstance(node.args[0], ast.Starred)
        parts = []
        for index, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                parts.append(ast.Starred(value=value(index, arg.value), ctx=ast.Load()))
                if not single and later_can_fail(index):
                    extended = self.atom(_tuple(parts), pre, node)   # "Value after *" here
                    parts = [ast.Starred(value=extended, ctx=ast.Load())]
            else:
                parts.append(value(index, arg))
        pairs = []
        after_star = False
        keywords = node.keywords
        for index, keyword in enumerate(keywords, len(node.args)):
            pairs.append(_tuple([_const(keyword.arg), value(index, keyword.value)]))
            after_star = after_star or keyword.arg is None
            position = index - len(node.args)
            group_ends = position + 1 == len(keywords) or keywords[position + 1].arg is None
            merges_here = keyword.arg is None or (after_star and group_ends)
            if merges_here and callee is not None and later_can_fail(index):
                # (asked only if the merge fails; what it reads given as defaults: the
                # step resolves those, not what is inside a lambda)
                reads = self.free_values(callee)
                namer = _lambda(reads, callee)
                namer.args.defaults = [_load(name) for name in reads]
                merged = self.atom(_call(_rt("keywords_now"), [namer, *pairs]), pre, node)
                pairs = [_tuple([_const(None), merged])]
        display = _tuple(parts)
        if named and len(parts) == 1 and isinstance(parts[0], ast.Starred) and single:
            # ``f(*x)`` alone: Python names the callee when x is not iterable (a tuple
            # display would say "Value after *"); the call says so (``star_call``).
            star = parts[0].value
            display = ast.IfExp(test=_call(_rt("not_iterable"), [star]),
                                body=_call(_rt("NotIterable"), [star]), orelse=display)
        positional = self.atom(display, pre, node)
        if after_star:
            # ``f(a=1, **d)``: merged as Python merges them, a key twice an error (a dict
            # display would keep the last silently), named with the callee once known.
            merged = _call(_rt("keywords_of"), pairs)
        else:
            merged = ast.Dict(keys=[_const(k.arg) for k in keywords],
                              values=[p.elts[1] for p in pairs])
        keywords = self.atom(merged, pre, node)
        return positional, keywords

    def emit(self, pre: list, step: ast.expr) -> ast.Name:
        name = self.temp()
        pre.append(_assign(name, step))
        return _load(name)

    def atom(self, expr: ast.expr, pre: list, original=None) -> ast.expr:
        """A lowered, call-free expression as a value or a future."""
        if _is_atom(expr):
            return expr
        names = self.free_values(expr)
        keys = self.expression_keys(original) if original is not None else []
        # (``len(get_seen())``, ``get_registry()["k"]``: read here)
        self.settle_returned_temps(names, pre)
        marked = self.mark_consumed(expr)
        if marked is not None:
            if self.spec_mode:
                raise _NoSpec()
            return self.emit(pre, self._ds("pure_advancing", self._keys_node(keys),
                                           _lambda(names, marked), *map(_load, names)))
        if not names and not keys and not self.spec_mode:
            return expr  # reads nothing of the body: computed where it stands
        simple = self.simple_operation(expr)
        function, params = simple if simple else (_lambda(names, expr), list(map(_load, names)))
        if self.spec_mode:
            return self.emit(pre, self._ds("spec_pure", self._keys_node(keys), function, *params))
        if keys:
            return self.emit(pre, self._ds("pure_read", self._keys_node(keys), function, *params))
        return self.emit(pre, self._ds("pure", function, *params))

    def mark_consumed(self, expr) -> ast.expr | None:
        """``expr`` with what it consumes marked (``list(advancing(self.rows))``), or
        None if it consumes nothing but new objects.

        Consuming an iterator changes it, and so does iterating an object whose
        ``__iter__`` is its own code. The runtime judges the values a step is given
        before it runs; what a step reaches through an attribute, an item, a global
        or a closure variable it sees only as the marked step runs (see
        ``Body.pure_advancing``)."""
        builtin = self.facts.builtin
        found = False

        def reachable(node) -> bool:
            # Anything but a new object: a value passed to the step too (the runtime
            # judges those before running it, but marked, a partial run can never have
            # advanced one before it stops at another: it runs again from the start).
            if isinstance(node, (ast.Name, ast.Attribute)):
                return True
            if isinstance(node, ast.Subscript):
                return not isinstance(node.slice, ast.Slice)  # a slice is a new sequence
            if isinstance(node, ast.Call):  # ``getattr(h, "it")``, ``max(iterators)``
                func = node.func
                return not (isinstance(func, ast.Name) and builtin(func.id)
                            and func.id in _NEW_OBJECTS)
            return False

        def mark(node, change):
            """``node`` (a consumed operand), marked where it reaches an iterator."""
            nonlocal found
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in _LAZY_WRAPPERS and builtin(node.func.id):
                parts = [mark(a, change) for a in node.args]  # ``list(zip(a, self.it))``
                if change:
                    node.args = parts
            elif isinstance(node, ast.Starred):  # ``zip(*self.columns)``: its items
                if isinstance(node.value, (ast.List, ast.Tuple)):
                    parts = [mark(e, change) for e in node.value.elts]
                    if change:
                        node.value.elts = parts
                elif reachable(node.value):
                    found = True
                    if change:
                        node.value = _call(_rt("advancing_items"), [node.value])
            elif isinstance(node, ast.BoolOp):
                parts = [mark(v, change) for v in node.values]
                if change:
                    node.values = parts
            elif isinstance(node, ast.IfExp):
                body, orelse = mark(node.body, change), mark(node.orelse, change)
                if change:
                    node.body, node.orelse = body, orelse
            elif reachable(node):
                found = True
                if change:
                    return _call(_rt("advancing"), [node])
            return node

        def visit(node, change):
            if isinstance(node, ast.Lambda):
                return  # runs later, if at all
            if isinstance(node, ast.Call):
                func = node.func
                consumer = (isinstance(func, ast.Name) and func.id in _CONSUMERS
                            and builtin(func.id)
                            and (func.id not in ("min", "max") or len(node.args) == 1)) \
                    or (isinstance(func, ast.Attribute) and func.attr == "join")
                if consumer and node.args:
                    node.args[0] = mark(node.args[0], change)
            elif isinstance(node, COMPREHENSIONS):
                for generator in node.generators:
                    generator.iter = mark(generator.iter, change)
            elif isinstance(node, ast.Starred):  # ``[*it]``, ``f(*it)``: what it unpacks
                if isinstance(node.value, (ast.List, ast.Tuple)):
                    node.value.elts = [mark(e, change) for e in node.value.elts]
                else:
                    node.value = mark(node.value, change)
            elif isinstance(node, ast.Compare):
                node.comparators = [mark(c, change) if isinstance(op, (ast.In, ast.NotIn))
                                    else c for op, c in zip(node.ops, node.comparators)]
            for child in child_nodes(node):
                visit(child, change)

        visit(expr, False)   # most expressions consume nothing: no copy for them
        if not found:
            return None
        copied = copy_tree(expr)
        visit(copied, True)
        return copied

    def simple_operation(self, expr):
        """``x + 1``, ``a[i]``, ``o.name``, ``len(xs)``, ``(a, b)``: one function of
        atoms, named, instead of a lambda."""
        binary = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.MatMult: "matmul",
                  ast.Div: "truediv", ast.FloorDiv: "floordiv", ast.Mod: "mod",
                  ast.Pow: "pow", ast.LShift: "lshift", ast.RShift: "rshift",
                  ast.BitOr: "or_", ast.BitXor: "xor", ast.BitAnd: "and_"}
        compare = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt",
                   ast.GtE: "ge", ast.Is: "is_", ast.IsNot: "is_not"}
        unary = {ast.USub: "neg", ast.UAdd: "pos", ast.Invert: "invert", ast.Not: "not_"}
        if isinstance(expr, ast.BinOp):
            left, right = _folded(expr.left), _folded(expr.right)
            if _is_atom(left) and _is_atom(right):
                return _rt(binary[type(expr.op)]), [left, right]
        if isinstance(expr, ast.UnaryOp) and _is_atom(expr.operand):
            return _rt(unary[type(expr.op)]), [expr.operand]
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and _is_atom(expr.left) \
                and _is_atom(expr.comparators[0]):
            op = type(expr.ops[0])
            if op in compare:
                return _rt(compare[op]), [expr.left, expr.comparators[0]]
            if op is ast.In:
                return _rt("contains"), [expr.comparators[0], expr.left]
        if isinstance(expr, ast.Subscript) and _is_atom(expr.value):
            index = _folded(expr.slice)
            if _is_atom(index):
                return _rt("getitem"), [expr.value, index]
        if isinstance(expr, ast.Attribute) and _is_atom(expr.value) \
                and not (expr.attr.startswith("__") and not expr.attr.endswith("__")):
            return _load("getattr"), [expr.value, _const(expr.attr)]
        if isinstance(expr, (ast.Tuple, ast.List)) and all(_is_atom(e) for e in expr.elts):
            return _rt("tuple_of" if isinstance(expr, ast.Tuple) else "list_of"), list(expr.elts)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) \
                and self.facts.builtin(expr.func.id) and not expr.keywords \
                and all(_is_atom(a) for a in expr.args) and expr.func.id != "super":
            return _load(expr.func.id), list(expr.args)
        return None

    def value(self, expr: ast.expr, pre: list) -> ast.expr:
        return self.atom(self.lower(expr, pre), pre, expr)

    def now(self, expr: ast.expr, pre: list) -> ast.expr:
        """An expression the owner evaluates itself (an ``if`` test, ...)."""
        if self.free_values(expr) or self.has_steps(expr):
            self.note("waits", f"needs `{_short(expr)}` now to go on", expr)
        value = self.value(expr, pre)
        # A name (a local, a cell a closure shares, a module object the body changes)
        # is tested once the changes issued before to what it refers to are made:
        # ``xs.pop() if xs else 0``, ``REG.append(v); if REG: ...``.
        keys = self.expression_keys(expr) if isinstance(value, ast.Name) \
            and value.id not in self.temps else []
        if keys:
            return self._ds("get_after", self._keys_node(keys), value)
        return self._ds("get", value) if isinstance(value, ast.Name) and \
            self.is_local_value(value.id) else value

    # -- binding ---------------------------------------------------------------------
    def bind(self, target: ast.expr, value: ast.expr) -> list:
        if isinstance(target, ast.Name):
            return self.bind_name(target.id, value)
        if isinstance(target, (ast.Tuple, ast.List)):
            return self.bind_unpack(target, value)
        if isinstance(target, ast.Starred):
            return self.bind(target.value, value)
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            return self.bind_store(target, value)
        raise DesyncError(f"cannot assign to {type(target).__name__}", self.filename,
                          getattr(target, "lineno", None), type(target).__name__)

    def bind_name(self, name: str, value: ast.expr) -> list:
        renamed = self.renamed_to(name)
        if renamed is not None:
            return [_assign(renamed, value)]
        kind = self.kind(name)
        if kind in ("cell", "declared"):
            self.note("effect", f"`{name}` is seen by a nested function or another scope: "
                                "it changes in program order")
            # Closures and other code see it later: it changes in program order.
            setter = self.setter(name)
            return [_expr(self._ds("effect", self._keys_node([self.box(name)]), _load(setter),
                                   value))]
        if name in self.facts.logged:
            value = self._ds("bind", _const(name), value)
        return [_assign(name, value)]

    def setter(self, name: str) -> str:
        setter = self.setters.get(name)
        if setter is None:
            setter = self.setters[name] = self.namer.free(f"_set_{name}")
        return setter

    def bind_unpack(self, target, value) -> list:
        elts = target.elts
        stars = [i for i, e in enumerate(elts) if isinstance(e, ast.Starred)]
        if stars:
            count, after = stars[0], len(elts) - stars[0] - 1
            extra = [_const(after)]
        else:
            count, extra = len(elts), []
        call = self._ds("unpack", value, _const(count), *extra)
        plain = [e.value if isinstance(e, ast.Starred) else e for e in elts]
        if all(isinstance(e, ast.Name) and self.kind(e.id) == "local"
               and e.id not in self.facts.logged and self.renamed_to(e.id) is None
               for e in plain):
            return [ast.Assign(targets=[ast.Tuple(elts=[_store(e.id) for e in plain],
                                                  ctx=ast.Store())], value=call, lineno=0)]
        name = self.temp()
        out = [_assign(name, call)]
        for index, element in enumerate(plain):
            part = ast.Subscript(value=_load(name), slice=_const(index), ctx=ast.Load())
            out.extend(self.bind(element, part))
        return out

    def bind_store(self, target, value) -> list:
        self.note("effect", f"`{_short(target)} = ...` changes `{_short(target.value)}`: "
                            "in program order")
        pre: list = []
        # (the object stored into is not read: the store is an effect, made after the
        # calls before it, so it waits for none of them; see lower_Name)
        outer, self.stored_object = self.stored_object, id(target.value)
        try:
            obj = self.value(target.value, pre)
        finally:
            self.stored_object = outer
        key = self.effect_key(target.value)
        if isinstance(target, ast.Attribute):
            helper, where = "setattr_", _const(target.attr)
        else:
            if self.has_steps(target.slice):   # ``x[f()] = v``: x is read before f()
                self.read_if_unbound(target.value, obj, pre)
            helper, where = "setitem", self.index_value(target.slice, pre)
        return pre + [_expr(self.store_step(target, key, helper, obj, where, value))]

    # -- statements -------------------------------------------------------------------
    def body(self, statements: list) -> list:
        out = []
        for statement in statements:
            out.extend(self.statement(statement))
        return out or [ast.Pass()]

    def statement(self, node: ast.stmt) -> list:
        handler = getattr(self, "stmt_" + type(node).__name__, None)
        if handler is None:
            raise DesyncError(f"'{type(node).__name__}' statements are not supported in a "
                              "@desync body", self.filename, node.lineno, type(node).__name__)
        outer, self.current = self.current, node
        try:
            frame = self.reads_frame(node)
            if frame:
                out = self.frame_statement(node, frame)
            elif isinstance(node, _COMPOUND) and self.changes_context(node):
                # (a ContextVar set in a ``finally``, a precision in a loop: the calls
                # after it must take the context it leaves)
                self.note("sync", f"`{_short(node)}` changes the thread's context: it runs "
                                  "as written, after everything before it", node)
                out = self.plain(node)
            else:
                out = handler(node)
        except _Plain:
            out = self.plain(node)
        finally:
            self.current = outer
        settles = self.later_state_reads(node)
        if settles:
            out = [*settles, *out]
        for new in out:
            _locate(new, node)
        return out

    def later_state_reads(self, node) -> list:
        """Settles for the module state read by code of the statement that runs when
        it is called, not where it stands: a lambda, a comprehension or generator
        expression kept whole, a nested function called or handed over here
        (``filter(lambda v: v >= len(LOG), xs)``, ``cur(x)`` reading ``SEEN``,
        ``filter(small, xs)``). The body's own reads settle where they are lowered
        (``lower_Name``); these are not lowered. (A ``while`` test runs at every
        iteration: ``stmt_While`` settles its reads there.)"""
        if isinstance(node, ast.While):
            return []
        parts = [node] if not isinstance(node, _HOLDERS) else [
            part for part in (getattr(node, "test", None), getattr(node, "iter", None),
                              getattr(node, "subject", None))
            if part is not None] + [item.context_expr for item in getattr(node, "items", ())]
        return self.state_settles(self.names_read_later(parts))

    def names_read_later(self, parts) -> list:
        """The names read by the code among ``parts`` that runs later (see
        ``later_state_reads``), not those its own parameters and targets bind."""
        names: list = []
        stack = list(parts)
        while stack:
            sub = stack.pop()
            if isinstance(sub, (ast.Lambda, ast.GeneratorExp, *COMPREHENSIONS)):
                own = _bound_inside(sub)
                names += [n for n in walk_tree(sub) if isinstance(n, ast.Name)
                          and isinstance(n.ctx, ast.Load) and n.id not in own]
                continue   # (what it nests is walked once, with it)
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) \
                    and sub.id in self.facts.local_functions:
                # (called here, or handed to a call: ``filter(small, xs)``)
                function = self.facts.local_functions[sub.id]
                names += [ast.Name(id=n, ctx=ast.Load()) for n in
                          sorted(function.outside | function.captured)]
            stack.extend(ast.iter_child_nodes(sub))
        return names

    def state_settles(self, names) -> list:
        """What ``lower_Name`` emits before a read of these names as module state
        (once each), for reads it does not lower. A module-level name is looked up
        when the settle runs (``settle_global``): code run later may never read it,
        and it may not be bound (an import in a ``try``)."""
        out: list = []
        dumped: set = set()
        seen: set = set()
        for name in names:
            kind = self.kind(name.id)
            if name.id in seen or kind != "outside" and not (
                    kind == "cell" and self.cell_holds_state(name.id)):
                continue
            seen.add(name.id)
            settles: list = []
            self.lower_Name(name, settles)
            for settle in settles:
                call = settle.value
                if call.func.attr == "settle_module" and kind == "outside" and call.args \
                        and isinstance(call.args[0], ast.Name) and call.args[0].id == name.id:
                    settle = _expr(self._ds("settle_global", _const(name.id), *call.args[1:]))
                key = ast.dump(settle)
                if key not in dumped:
                    dumped.add(key)
                    out.append(settle)
        return out

    def reads_module_state(self, names) -> bool:
        """Do these reads settle (see ``state_settles``)? Asked, not emitted."""
        flag = self.reads_project_modules
        try:
            return bool(self.state_settles(names))
        finally:
            self.reads_project_modules = flag

    def changes_context(self, node) -> bool:
        """Does code anywhere in the statement (nested functions aside) change the
        thread's context: ``x.set(v)``/``x.reset(t)`` on any object that may be a
        ContextVar, or the decimal context?"""
        from .callees import CONTEXT_METHODS, dotted_callee
        imports = getattr(self.facts, "imports_table", {})
        for sub in walk_tree(node):
            if isinstance(sub, ast.Call):
                func = sub.func
                if isinstance(func, ast.Attribute) and func.attr in CONTEXT_METHODS:
                    return True
                name = dotted_callee(func, imports, self.facts.module_names)
                if name is not None and name.startswith("decimal.") and "context" in name:
                    return True
        return False

    def reads_frame(self, node) -> str | None:
        """Does the statement (its own expressions, not a nested body) call something
        that looks at its caller's frame ("stack") or variables ("locals")?"""
        from .callees import reads_frame
        if isinstance(node, (ast.If, ast.While)):
            parts = [node.test]
        elif isinstance(node, ast.For):
            parts = [node.iter]
        elif isinstance(node, ast.With):
            parts = [item.context_expr for item in node.items]
        elif isinstance(node, ast.Match):
            parts = [node.subject]
        elif isinstance(node, (ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                or (hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)):
            return None
        else:
            parts = [child for child in child_nodes(node) if isinstance(child, ast.expr)]
        found = None
        imports = getattr(self.facts, "imports_table", {})
        for part in parts:
            for sub in _expr_nodes(part, into_comprehensions=True):
                if isinstance(sub, ast.Call):
                    kind = reads_frame(sub, imports, self.facts.module_names)
                    if kind == "locals":
                        return kind
                    found = found or kind
        return found

    def frame_statement(self, node, kind) -> list:
        """A statement that looks at the calling frame runs as written, in the body's
        own frame, after everything before it: ``sys._getframe(1)`` is the body's
        caller, ``warnings.warn(..., stacklevel=2)`` points where plain Python's does,
        ``locals()`` and ``eval(text)`` see the variables' values."""
        self.note("sync", f"`{_short(node)}` looks at the calling frame: it runs as written, "
                          "in the body's frame, after everything before it", node)
        self.reads_frames = True
        out = [_expr(self._ds("barrier"))]
        return out + _PlainRewriter(self).statements([node])   # (values given in there)

    def values_for_frame_readers(self) -> list:
        """Names may hold futures: give eval/exec/locals() their values."""
        out = []
        for name in sorted(n for n in self.facts.locals
                           if self.kind(n) == "local" and self.renamed_to(n) is None):
            out.append(ast.Try(
                body=[_assign(name, self._ds("get", _load(name)))],
                handlers=[ast.ExceptHandler(type=_load("NameError"), name=None,
                                            body=[ast.Pass()])],
                orelse=[], finalbody=[]))
        return out

    def reads_locals_within(self, statements) -> bool:
        """Does any of ``statements`` (in this scope, at any depth) read the body's
        variables by name: ``locals()``, ``vars()``, ``dir()``, ``eval(text)``?"""
        from .callees import reads_frame
        imports = getattr(self.facts, "imports_table", {})
        return any(isinstance(sub, ast.Call)
                   and reads_frame(sub, imports, self.facts.module_names) == "locals"
                   for sub in _with_comprehensions(statements))

    def plain(self, node, barrier=True) -> list:
        """Run a statement as written, on the owner thread, after everything issued
        before it has retired, with its locals resolved."""
        if barrier:
            self.note("sync", f"`{_short(node)}` runs as written, after everything before it",
                      node)
        out = [_expr(self._ds("barrier"))] if barrier else []
        return out + _PlainRewriter(self).statements([node])

    def stmt_Expr(self, node):
        pre: list = []
        value = self.lower(node.value, pre)
        if pre and isinstance(value, ast.Name) and value.id in self.temps \
                and isinstance(pre[-1], ast.Assign) and isinstance(pre[-1].targets[0], ast.Name) \
                and pre[-1].targets[0].id == value.id:
            last = pre.pop()
            return pre + [_expr(last.value)]
        if _is_atom(value) or not (self.free_values(value)
                                    or self.expression_keys(node.value)):
            if not isinstance(value, ast.Constant):
                # Reads nothing of the body: evaluated here (a bare name too: it may be
                # unbound, and plain Python raises then).
                pre.append(_expr(value))
            return pre
        self.atom(value, pre, node.value)
        return pre

    def stmt_Assign(self, node):
        pre: list = []
        value = self.value(node.value, pre)
        if len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and self.kind(target.id) == "local" \
                    and target.id not in self.facts.logged and pre \
                    and self.renamed_to(target.id) is None \
                    and isinstance(value, ast.Name) and value.id in self.temps \
                    and isinstance(pre[-1], ast.Assign) \
                    and isinstance(pre[-1].targets[0], ast.Name) \
                    and pre[-1].targets[0].id == value.id:
                pre[-1].targets = [_store(target.id)]
                return pre
            return pre + self.bind(target, value)
        if not _is_atom(value):
            value = self.emit(pre, value)
        for target in node.targets:
            pre.extend(self.bind(target, value))
        return pre

    def stmt_AnnAssign(self, node):
        if node.value is None:
            return []
        return self.stmt_Assign(ast.Assign(targets=[node.target], value=node.value,
                                           lineno=node.lineno))

    def stmt_AugAssign(self, node):
        pre: list = []
        op = _rt(AUG_OPS[type(node.op)])
        target = node.target
        if not isinstance(target, ast.Name) and self.has_steps(node.value):
            return self.aug_store_read_first(node, op)
        if isinstance(target, ast.Name) and self.kind(target.id) in ("cell", "declared"):
            # ``G += bump()`` where bump rebinds G: Python reads G before the call.
            current = self.lower_Name(ast.Name(id=target.id, ctx=ast.Load()), pre)
            if self.has_steps(node.value):
                current = self.inline_now(current, pre) if not isinstance(current, ast.Name) \
                    else self._computed(current, ast.Name(id=target.id, ctx=ast.Load()), pre)
        elif isinstance(target, ast.Name) and self.has_steps(node.value):
            read = ast.Name(id=target.id, ctx=ast.Load())
            self.read_if_unbound(read, _load(target.id), pre)   # ``x += f()``: x first
        operand = self.value(node.value, pre)
        if isinstance(target, ast.Name):
            kind = self.kind(target.id)
            if kind in ("cell", "declared"):
                # In place on a mutable value (``xs += [0]``): a change of the object too.
                step = self._ds("augment", _const(self.effect_key(target)), op, current,
                                operand)
                return pre + self.bind_name(target.id, self.emit(pre, step))
            key = self.effect_key(target)
            for parts in self.returned_locals().get(target.id, ()) if kind == "local" else ():
                # (``seen = get_seen(); seen += [x]``: a change of what it handed out)
                pre.append(_expr(self._ds("settle_returned", _load(target.id),
                                          *map(_const, parts))))
            step = self._ds("augment", _const(key), op, _load(target.id), operand)
            return pre + self.bind_name(target.id, self.emit(pre, step))
        obj = self.value(target.value, pre)
        key = self.effect_key(target.value)
        if isinstance(target, ast.Attribute):
            helper, where = "aug_attr", _const(target.attr)
        else:
            helper, where = "aug_item", self.index_value(target.slice, pre)
        return pre + [_expr(self.store_step(target, key, helper, obj, where, op, operand))]

    def aug_store_read_first(self, node, op) -> list:
        """``xs[0] += xs.pop()``: Python reads ``xs[0]`` before it makes the calls on
        the right (a failure to read comes first; the calls may change the object),
        so the read is a step in program order, and the store is another."""
        pre: list = []
        target = node.target
        obj = self.value(target.value, pre)
        key = self.effect_key(target.value)
        if isinstance(target, ast.Attribute):
            where, read, helper = _const(target.attr), _load("getattr"), "store_aug_attr"
        else:
            where, read, helper = self.index_value(target.slice, pre), _rt("getitem"), "store_aug_item"
        current = self.emit(pre, self._ds("effect", self._keys_node([key]), read, obj, where))
        operand = self.value(node.value, pre)
        return pre + [_expr(self.store_step(target, key, helper, obj, where, op, current,
                                            operand))]

    def store_step(self, target, key, helper, *parts) -> ast.expr:
        """The effect of a store, ``del`` or augmented store into ``target.value``
        (keyed ``key``). An augmented one changes the old value in place too (``alias =
        b.items; b.items += [x]``). What the object holds in its attributes is changed
        as well when the store is not a plain one (a property setter, a ``__setitem__``
        of the user's): ``Scope.store`` tells at run time."""
        keys = [key]
        own = self.class_of(target)
        if helper.startswith(("aug_", "store_aug_")) and own is not None and own != key \
                and own in self.facts.effected:
            keys.append(own)
        # (not what is stored: code run by a store, like a function, is taken not to
        # change what it is given; the loop variable a value was made from stays free)
        held = [k for k in self.held_keys(target.value, key) if k not in keys and k != own]
        if not held:
            return self._ds("effect", self._keys_node(keys), _rt(helper), *parts)
        return self._ds("store", self._keys_node(keys), self._keys_node(held), _rt(helper),
                        *parts)

    def stmt_Delete(self, node):
        out = []
        for target in node.targets:
            if isinstance(target, ast.Name):
                if self.kind(target.id) in ("cell", "declared"):
                    raise _Plain()
                out.append(ast.Delete(targets=[ast.Name(id=target.id, ctx=ast.Del())]))
                if target.id in self.facts.logged:
                    out.append(_expr(self._ds("bind", _const(target.id), _rt("UNBOUND"))))
                continue
            if not isinstance(target, (ast.Attribute, ast.Subscript)):
                raise _Plain()
            pre: list = []
            obj = self.value(target.value, pre)
            key = self.effect_key(target.value)
            if isinstance(target, ast.Attribute):
                parts, helper = [obj, _const(target.attr)], "delattr_"
            else:
                parts, helper = [obj, self.index_value(target.slice, pre)], "delitem"
            out.extend(pre)
            out.append(_expr(self.store_step(target, key, helper, *parts)))
        return out

    def stmt_If(self, node):
        if self.loop_blocks and not self.blocks and self.loop_bodies \
                and self.loop_bodies[-1] is not None and self.test_waits_on_a_call(node.test):
            region = self.try_region(node)
            if region is not None:
                return region
        pre: list = []
        test = self.now(node.test, pre)
        orelse = self.body(node.orelse) if node.orelse else []
        return pre + [ast.If(test=test, body=self.body(node.body), orelse=orelse)]

    def test_waits_on_a_call(self, test) -> bool:
        """``if fetch(url):``, or ``if page is not None:`` after ``page = fetch(url)`` in
        the loop: the test needs a call of this iteration (the owner would wait there
        before it issues the next iteration's calls)."""
        if self.has_steps(test):
            return True
        names = {n.id for n in _expr_nodes(test) if isinstance(n, ast.Name)}
        for statement in self.loop_bodies[-1]:
            if isinstance(statement, ast.Assign) and self.has_steps(statement.value) \
                    and any(names & set(_target_names(t)) for t in statement.targets):
                return True
        return False

    def stmt_While(self, node):
        # (what code of the test run later reads is settled before each test)
        pre: list = self.state_settles(self.names_read_later([node.test]))
        test = self.now(node.test, pre)
        self.loop_blocks.append(self.blocks)
        self.loop_bodies.append(None)
        try:
            body = self.body(node.body)
        finally:
            self.loop_blocks.pop()
            self.loop_bodies.pop()
        orelse = self.body(node.orelse) if node.orelse else []
        if not pre:
            return [ast.While(test=test, body=body, orelse=orelse)]
        # The test needs steps: they run again at the top of every iteration.
        check = _if(ast.UnaryOp(op=ast.Not(), operand=test), [ast.Break()])
        if not node.orelse:
            return [ast.While(test=_const(True), body=pre + [check] + body, orelse=[])]
        flag = self.temp()
        check = _if(ast.UnaryOp(op=ast.Not(), operand=test),
                    [_assign(flag, _const(True)), ast.Break()])
        return [_assign(flag, _const(False)),
                ast.While(test=_const(True), body=pre + [check] + body, orelse=[]),
                _if(_load(flag), orelse)]

    def stmt_For(self, node):
        pre: list = []
        iterable, parts = self.loop_iterable(node.iter, pre)
        keys = self.read_keys([node.iter])
        target, prologue = self.loop_target(node.target)
        self.loop_blocks.append(self.blocks)
        self.loop_bodies.append(node.body)
        try:
            body = prologue + self.body(node.body)
        finally:
            self.loop_blocks.pop()
            self.loop_bodies.pop()
        orelse = self.body(node.orelse) if node.orelse else []
        if keys:
            self.note("waits", f"before each item, waits for earlier changes to {_names(keys)}")
        self.note("loop", "iterations overlap; if the iterable is an iterator (a file, a "
                          "generator), each step waits for everything before it, unless "
                          "it is a generator of no effects the loop's own call made")
        made_by = [] if parts else self._made_by(node.iter, pre, iterable)
        # A generator the loop's own call made may run ahead of the body's calls (see
        # ``iterate``), unless the body may rebind a global or outer name it reads;
        # so may one ``enumerate`` numbers (``for i, row in enumerate(rows(n))``).
        numbered = [] if made_by or not (len(parts) == 1
                                         and node.iter.func.id == "enumerate") \
            else self._made_by(node.iter.args[0], pre, parts[0])
        ahead = made_by or numbered
        if self._declares_outer_names():
            ahead = []
        keywords = [copy.deepcopy(k) for k in ahead]
        if any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
               and sub.func.attr in ("settle_state", "settle_module")
               for statement in pre for sub in walk_tree(statement)):
            # ``for v in LOG:`` with ``log(v + 1)`` in the body: each step takes what
            # the calls before it that change module state left (a list grown, a dict
            # changed while iterated raises), as in Python.
            keywords.append(ast.keyword(arg="state", value=_const(True)))
        loop = self._ds("iterate", self._keys_node(keys), iterable, *parts,
                        keywords=keywords)
        # (the generator ``enumerate`` numbers is the loop's own too: closed as it ends)
        return pre + self._owning(ast.For(target=target, iter=loop, body=body, orelse=orelse),
                                  made_by or numbered, parts[0] if numbered else None)

    def _declares_outer_names(self) -> bool:
        if self.outer_names_declared is None:
            self.outer_names_declared = any(
                isinstance(n, (ast.Global, ast.Nonlocal)) for n in walk_tree(self.fn))
        return self.outer_names_declared

    def _owning(self, loop, made_by, owned=None) -> list:
        """A loop over a generator its own call made: closed when the loop is left, as
        plain Python drops its last reference there (its ``finally`` runs then). In a
        generator expression (and a comprehension before 3.12) Python keeps it until
        the exception that ended the loop is handled: closing it at the loop's end is
        as near as the body can get (docs/semantics.md)."""
        if not made_by:
            return [loop]
        iterable = owned if owned is not None else \
            loop.iter.args[1] if loop.iter.func.attr == "iterate" else loop.iter.args[4]
        return [ast.With(items=[ast.withitem(context_expr=self._ds(
            "owning", copy.deepcopy(iterable), made_by[0].value))], body=[loop])]

    def loop_iterable(self, node, pre):
        """The iterable of a ``for`` and, for builtin wrappers (``enumerate(xs)``,
        ``zip(a, b)``), the iterables they wrap: the runtime checks those."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("enumerate", "zip", "reversed") \
                and self.facts.builtin(node.func.id) and not node.keywords[1:] \
                and not any(isinstance(a, ast.Starred) for a in node.args):
            parts = [self.value(a, pre) for a in node.args]
            keywords = [ast.keyword(arg=k.arg, value=self.value(k.value, pre))
                        for k in node.keywords]
            wrapped = self.atom(ast.Call(func=node.func, args=parts, keywords=keywords), pre,
                                node)
            return wrapped, parts
        return self.value(node, pre), []

    def loop_target(self, target):
        names = [target] if isinstance(target, ast.Name) else (
            target.elts if isinstance(target, (ast.Tuple, ast.List)) else None)
        if names is not None and all(isinstance(n, ast.Name) and self.kind(n.id) == "local"
                                     and n.id not in self.facts.logged for n in names):
            return _store_target(target), []
        name = self.temp()
        return _store(name), self.bind(target, _load(name))

    def stmt_Try(self, node):
        if self.loop_blocks and not self.blocks:
            region = self.try_region(node)
            if region is not None:
                return region
        self.note("sync", "try: everything before it finishes first, and its body's work "
                          "finishes before its handlers or the code after it run")
        # Everything before the try retires first, so whatever fails in its body
        # is the body's own failure, caught (or not) by its own handlers.
        block = self.temp()
        self.blocks += 1
        try:
            body = self.body(node.body)
        finally:
            self.blocks -= 1
        restore = self.restore_prologue(block, node.body)
        plain = _PlainRewriter(self)
        handlers = []
        for handler in node.handlers:
            kind = plain.expression(handler.type) if handler.type is not None else None
            # (first: the traceback it handles reads as plain Python's)
            head = [_expr(self._ds("handling")), *(_copy(r) for r in restore)]
            for statement in head:
                _locate(statement, handler)
            handled = ast.ExceptHandler(type=kind, name=handler.name,
                                        body=head + plain.statements(handler.body))
            handlers.append(ast.copy_location(handled, handler))
        orelse = plain.statements(node.orelse) if node.orelse else []
        finalbody = []
        if node.finalbody:
            finalbody = [*(_copy(r) for r in restore), *plain.statements(node.finalbody)]
            for statement in finalbody[:len(restore)]:
                _locate(statement, node.finalbody[0])
        scoped = ast.With(items=[ast.withitem(context_expr=self._ds("block"),
                                              optional_vars=_store(block))],
                          body=body)
        return [_expr(self._ds("barrier")),
                ast.Try(body=[scoped], handlers=handlers, orelse=orelse, finalbody=finalbody)]

    # -- a try statement in a loop, run as one step -----------------------------------
    def try_region(self, node) -> list | None:
        """Iterations of ``for x in xs: try: ... except: ...`` overlap: the calls of the
        try body are issued ahead (speculatively), and the whole statement runs as
        written, in program order, once they are settled; its handlers see exactly
        what plain Python raised. None when the statement does not fit: it jumps out,
        defines functions, or binds a name that may be unbound afterwards. An ``if``
        whose test needs a call of the iteration is run the same way (its test's calls
        and its branches' leading calls issued ahead): the loop does not wait there."""
        facts = self.facts
        is_if = isinstance(node, ast.If)
        body = [node] if is_if else node.body
        handlers = [] if is_if else node.handlers
        orelse = [] if is_if else node.orelse
        finalbody = [] if is_if else node.finalbody
        parts = [*body, *(s for h in handlers for s in h.body), *orelse, *finalbody]
        kinds = (ast.Return, ast.Break, ast.Continue, ast.Yield, ast.YieldFrom, ast.Await,
                 ast.Global, ast.Nonlocal, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                 ast.Import, ast.ImportFrom, ast.NamedExpr)
        for sub in scope_nodes(parts):
            if isinstance(sub, kinds) or (isinstance(sub, ast.Delete)
                                          and any(isinstance(t, ast.Name) for t in sub.targets)):
                return None
            if isinstance(sub, ast.Name) and sub.id in ("super", "__class__"):
                return None  # zero-argument super() needs the method's own frame
            if isinstance(sub, (*COMPREHENSIONS, ast.Lambda)) and any(
                    isinstance(inner, ast.NamedExpr) for inner in walk_tree(sub)):
                # (``[last := f(x) for ...]``, ``lambda a=(z := x): a``: a walrus there
                # binds the body's name, which the step would not hand back)
                return None
        if self.reads_locals_within(parts):
            return None   # ``locals()`` in a function of its own would see that one's
        loaded, bound = _region_names(node)
        if any(self.kind(n) in ("cell", "declared") for n in bound):
            return None
        local = {n for n in loaded | bound if self.kind(n) == "local" and n in facts.locals}
        before = self.surely_bound_before(node)
        first_binding = _first_top_level_binding(body)
        body_only_loads = set() if is_if else _loads_outside_body(node)
        inputs, region_locals = [], set()
        handler_names = {h.name for h in handlers if h.name}
        outside_handlers = _loads_in([*body, *orelse, *finalbody])
        for name in sorted(local & loaded):
            if name in handler_names and name not in outside_handlers \
                    and name not in before:
                region_locals.add(name)  # ``except E as e``: bound where it is read
                continue
            if name in before:
                inputs.append(name)
            elif name in first_binding and name not in body_only_loads \
                    and _loaded_only_after(body, name, first_binding[name]):
                region_locals.add(name)
            else:
                return None
        outputs = []
        elsewhere = local if facts.reads_locals else _loads_elsewhere(self.fn, node)
        # The statement is in a loop: a name it reads from before and rebinds is read
        # by the next iteration's run of it (``n *= k`` in the try), so it goes out too.
        carried = set(inputs)
        for name in sorted(local & bound):
            if name not in elsewhere and name not in carried:
                continue
            if name in before:
                if name not in inputs:
                    inputs.append(name)
            elif not (name in first_binding and all(
                    _binds_at_top(h.body, name) or _ends_in_raise(h.body)
                    for h in handlers)):
                return None
            outputs.append(name)
        if _handler_names(node) & set(outputs):
            # ``except E as e`` unbinds ``e`` when the handler ends (its own or a nested
            # ``try``'s): a name the step would hand back may not exist then. Such a
            # statement runs as written.
            return None
        # Issue the body's leading calls ahead.
        scratch: list = []
        replacements: dict[int, ast.expr] = {}
        spec_names: list[str] = []
        frame: dict[str, str] = {}
        self.renamed.append(frame)
        try:
            for statement in body:
                if not self._pre_issue(statement, scratch, replacements, spec_names, frame):
                    break
            else:
                if orelse and self.narrow_region(
                        self._replaced_copy(node, replacements), set(inputs),
                        region_locals | set(outputs)) is None:
                    # The ``else`` runs after the whole body (when nothing failed): its
                    # leading calls start ahead too, given the body's calls' results
                    # (one given a failure counts for nothing). Not for a step that
                    # names what it changes: the next iteration's calls need not wait
                    # for it, but would for one given a result still pending (it may
                    # turn out to be an iterator the call advances).
                    for statement in orelse:
                        if not self._pre_issue(statement, scratch, replacements, spec_names,
                                               frame):
                            break
        finally:
            self.renamed.pop()
        self.note("region", f"{'if' if is_if else 'try'} in a loop: runs as written, in "
                            "program order; its calls start ahead, so iterations overlap")
        name = self.namer.free(f"_{'if' if is_if else 'try'}{len(self.regions) + 1}")
        params = inputs + spec_names
        copied = self._replaced_copy(node, replacements)
        for handler in walk_tree(copied):
            if isinstance(handler, ast.ExceptHandler):
                # (first: the traceback it handles reads as plain Python's)
                clean = _expr(_call(_rt("handling"), []))
                _locate(clean, handler)
                handler.body.insert(0, clean)
        body = [copied]
        if outputs:
            body.append(ast.Return(value=_tuple(_load(o) for o in outputs)))
        definition = ast.FunctionDef(name=name, args=_arguments(params), body=body,
                                     decorator_list=[], returns=None, type_comment=None,
                                     **_type_params())
        _locate(definition, node)
        self.regions.append(definition)
        # Every object the statement can reach: its inputs, and the cells and outside
        # names it reads in place (``xs`` a lambda also captures is a cell the region
        # reads directly, not an input, and ``xs.append`` in it must order later reads).
        reached = inputs + sorted(n for n in loaded - region_locals
                                  if self.kind(n) in ("cell", "declared", "outside"))
        targets = self.read_keys([_load(n) for n in reached])
        if self.calls_out(copied, set(inputs) | region_locals | set(outputs)):
            targets = [*targets, "*world"]
        keywords = []
        calls = self.region_calls(copied, set(inputs))
        if calls:
            keywords.append(ast.keyword(arg="calls", value=_tuple(calls)))
        narrow = self.narrow_region(copied, set(inputs), region_locals | set(outputs))
        if narrow is not None:
            keys, changes = narrow
            keywords.append(ast.keyword(arg="narrow", value=_tuple([
                self._keys_node(keys),
                _tuple(_tuple([_const(k), _load(n) if k == "v" else _const(n), _const(m),
                               _tuple([_tuple(map(_load, values)), _tuple(map(_const, names))])])
                       for k, n, m, (values, names) in changes)])))
        step = self._ds("region", self._keys_node(targets), _load(name), *map(_load, params),
                        keywords=keywords)
        out = scratch
        if self.reads_module_state([n for n in walk_tree(copied) if isinstance(n, ast.Name)
                                    and isinstance(n.ctx, ast.Load)]
                                   + self.names_read_later([copied])):
            # It reads module state as it runs, after everything before it: the calls
            # after it that change that state wait for it.
            out.append(_expr(self._ds("reads_state")))
        if outputs:
            result = self.emit(out, step)
            out.extend(self.bind(ast.Tuple(elts=[_store(o) for o in outputs], ctx=ast.Store()),
                                 result))
        else:
            out.append(_expr(step))
        return out

    def always_a_number(self, name) -> bool:
        """Is the local ``name`` only ever bound to a number (``missing = 0``,
        ``missing += 1``)? Then ``name += k`` rebinds it and changes no object (even
        while the value it had is still being computed)."""
        if name in self.facts.params:
            return False
        number = (int, float, complex)
        approved, bound = set(), False
        nodes = list(scope_nodes(self.fn.body))
        for sub in nodes:
            if isinstance(sub, (ast.Global, ast.Nonlocal)) and name in sub.names:
                return False
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 \
                    and isinstance(sub.targets[0], ast.Name) and sub.targets[0].id == name \
                    and isinstance(sub.value, ast.Constant) and type(sub.value.value) in number:
                approved.add(id(sub.targets[0]))
            elif isinstance(sub, ast.Assign) and len(sub.targets) == 1 \
                    and isinstance(sub.targets[0], (ast.Tuple, ast.List)) \
                    and isinstance(sub.value, (ast.Tuple, ast.List)) \
                    and len(sub.targets[0].elts) == len(sub.value.elts) \
                    and not any(isinstance(e, ast.Starred) for e in sub.value.elts):
                # (``pages, failed, missing = {}, [], 0``)
                for target, value in zip(sub.targets[0].elts, sub.value.elts):
                    if isinstance(target, ast.Name) and target.id == name \
                            and isinstance(value, ast.Constant) and type(value.value) in number:
                        approved.add(id(target))
            elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name) \
                    and sub.target.id == name and isinstance(sub.value, ast.Constant) \
                    and type(sub.value.value) in number \
                    and isinstance(sub.op, (ast.Add, ast.Sub, ast.Mult)):
                approved.add(id(sub.target))
        for sub in nodes:
            if isinstance(sub, ast.Name) and sub.id == name and not isinstance(sub.ctx, ast.Load):
                if id(sub) not in approved:
                    return False   # (a for target, unpacking, a walrus, a del...)
                bound = True
            elif isinstance(sub, ast.ExceptHandler) and sub.name == name \
                    or isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and sub.name == name \
                    or isinstance(sub, (ast.Import, ast.ImportFrom)) \
                    and any((a.asname or a.name).split(".")[0] == name for a in sub.names) \
                    or name in (getattr(sub, "name", None), getattr(sub, "rest", None)) \
                    and type(sub).__name__.startswith("Match"):
                return False
        return bound

    @staticmethod
    def _replaced_copy(node, replacements):
        """A copy of ``node`` with the expressions issued ahead replaced by their
        outcomes."""
        memo: dict = {}
        copied = _copy(node, memo)
        return _Replace({id(memo[key]): value for key, value in replacements.items()
                         if key in memo}).visit(copied)

    def region_calls(self, copied, inputs) -> list:
        """What the step calls as written, for the runtime to ask, when it is issued,
        whether one changes what it is given (``register(seen, v)``,
        ``helper.register(seen, v)``): then everything after the step waits for it, as
        after such a call made directly. Entries: ("v", value, method or None, given)
        for an input; ("g", name, attribute or None, given) for a global or builtin,
        looked up by name; ("?", inputs, None, given) for a callee not known before the
        step runs (a method of a value it computes), given those of its arguments'
        inputs. ``given``: (the inputs among its arguments, the globals' names)."""
        scalar = {n for n in _SCALAR_BUILTINS if self.facts.builtin(n)}
        found, seen = [], set()
        for sub in walk_tree(copied):
            if not isinstance(sub, ast.Call):
                continue
            func = sub.func
            if isinstance(func, ast.Name):
                root, attr = func.id, None
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                root, attr = func.value.id, func.attr
            else:
                root = attr = None
            if root == RUNTIME or (attr is None and root in scalar):
                continue
            names = sorted({n.id for arg in [*sub.args, *(k.value for k in sub.keywords)]
                            for n in _expr_nodes(arg) if isinstance(n, ast.Name)})
            given = [n for n in names if n in inputs]
            outside = [n for n in names if n not in inputs and n != RUNTIME
                       and self.kind(n) == "outside"]
            # (what it is given, for the runtime to see whether it is an iterator)
            handed = _tuple([_tuple(_load(n) for n in given), _tuple(map(_const, outside))])
            if root is not None and root in inputs:
                entry = ("v", root, attr, tuple(names))
                node = _tuple([_const("v"), _load(root), _const(attr), handed])
            elif root is not None and self.kind(root) == "outside":
                entry = ("g", root, attr, tuple(names))
                node = _tuple([_const("g"), _const(root), _const(attr), handed])
            else:
                if not given:
                    continue   # (``page.strip()``: it is given none of the step's inputs)
                entry = ("?", tuple(given), None)
                node = _tuple([_const("?"), _tuple(_load(n) for n in given), _const(None),
                               handed])
            if entry not in seen:
                seen.add(entry)
                found.append(node)
        return found

    def narrow_region(self, copied, inputs, region_locals) -> tuple | None:
        """What a region changes, as its statements name it: the object of each method
        it calls (and the effected objects that object holds), each object it stores
        into or deletes from, each input it augments, keyed as the main lowering keys
        those statements. ``(keys, changes)``, ``changes`` being ``(kind, object or
        name, member, given)`` entries for the runtime to check when the step is issued
        (``"v"``: an input, ``"g"``: a global; member: a method, ``"+="``, ``"[]"`` or
        ``".attr"``; given: a store's key, as ``region_calls`` gives arguments). Objects
        the step itself got (``page`` from a call) are keyed, not checked, as the main
        lowering keys a store into them. None when it may change more than it names: a loop, a lambda or
        a comprehension in it, a call of a computed callable or of a method of an
        object reached through another, an argument read out of an input (it may be
        an iterator the callee advances), a local bound to part of another object.
        Callees that change their arguments are the ``calls=`` check's. (Everything
        the region reaches would merge, under unification, with the values it
        handles and so with the loop's own inputs: the next iteration would wait.)"""
        computing = {n for n in _SCALAR_BUILTINS if self.facts.builtin(n)}
        changes: list = []
        keyed: list = []

        def kind_of(name):
            if name in inputs:
                return "v"
            if name not in region_locals and self.kind(name) == "outside" \
                    and not self.is_module(ast.Name(id=name, ctx=ast.Load())):
                return "g"
            return None

        def change(name, member, node, key=None):
            kind = kind_of(name)
            if kind is None and name not in region_locals:
                return False   # (a cell, a module...: not followed here)
            given: tuple = ((), ())
            if isinstance(key, ast.Name):
                # (a key's ``__hash__`` and ``__eq__`` run: the runtime checks it is
                # a number, a string or a tuple of those)
                if kind_of(key.id) == "v":
                    given = ((key.id,), ())
                elif kind_of(key.id) == "g":
                    given = ((), (key.id,))
                else:
                    return False
            elif key is not None and not isinstance(key, ast.Constant):
                return False
            if kind is not None:
                changes.append((kind, name, member, given))
            keyed.append(node)
            return True

        def plain_argument(arg) -> bool:
            # Names, constants and calls (each checked as a call of its own): what a
            # name is can be checked, not ``obj.it`` or ``items[0]``, read out of an
            # input, which may be an iterator the callee advances.
            if isinstance(arg, ast.Starred):
                return False
            nodes = list(_expr_nodes(arg))
            callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
            return all(not isinstance(n, (ast.Subscript, ast.Starred, ast.Lambda,
                                          *COMPREHENSIONS))
                       and (not isinstance(n, ast.Attribute) or id(n) in callees)
                       for n in nodes)

        for sub in walk_tree(copied):
            if isinstance(sub, (ast.Lambda, ast.For, ast.AsyncFor, ast.While, ast.With,
                                ast.AsyncWith, ast.Await, *COMPREHENSIONS)):
                return None   # (code of its own, or an iterator advanced: not followed)
            if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None:
                bound = [t for t in (sub.targets if isinstance(sub, ast.Assign) else [sub.target])]
                if any(isinstance(t, ast.Name) for t in bound) and not isinstance(
                        sub.value, (ast.Call, ast.Constant, ast.JoinedStr, ast.BinOp,
                                    ast.UnaryOp, ast.Compare)):
                    return None   # ``item = items[0]``: a local that is part of an input
            if isinstance(sub, ast.AugAssign):
                target = sub.target
                if isinstance(target, ast.Name):
                    if target.id in inputs and not self.always_a_number(target.id):
                        changes.append(("v", target.id, "+=", ((), ())))
                        keyed.append(target)
                    elif target.id not in region_locals:
                        return None
                elif isinstance(target, (ast.Subscript, ast.Attribute)) \
                        and isinstance(target.value, ast.Name):
                    member = "[]" if isinstance(target, ast.Subscript) else "." + target.attr
                    key = target.slice if isinstance(target, ast.Subscript) else None
                    # (``d[k] += [v]`` changes the item in place, too)
                    if not change(target.value.id, member, target.value, key):
                        return None
                    keyed.append(target)
                else:
                    return None
            if isinstance(sub, (ast.Attribute, ast.Subscript)) \
                    and isinstance(sub.ctx, (ast.Store, ast.Del)):
                if not isinstance(sub.value, ast.Name) or (
                        isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Slice)):
                    return None   # (``xs[i:j] = it`` runs the iterator's code)
                member = "[]" if isinstance(sub, ast.Subscript) else "." + sub.attr
                if not change(sub.value.id, member, sub.value,
                              sub.slice if isinstance(sub, ast.Subscript) else None):
                    return None
            if not isinstance(sub, ast.Call):
                continue
            func = sub.func
            arguments = [*sub.args, *(k.value for k in sub.keywords)]
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and func.value.id == RUNTIME:
                if func.attr in ("outcome", "handling"):
                    continue
                return None
            if not all(plain_argument(a) for a in arguments) \
                    or any(k.arg is None for k in sub.keywords):
                return None
            if isinstance(func, ast.Name):
                if func.id in computing or kind_of(func.id) is not None:
                    continue   # (a function: the ``calls=`` check asks what it changes)
                return None
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                if self.is_module(func.value):
                    continue   # ``heapq.heappush(h, x)``: a function, asked as above
                if not change(func.value.id, func.attr, func.value):
                    return None
                if func.attr in _HASHING_METHODS and any(
                        n.id in region_locals for a in arguments for n in _expr_nodes(a)
                        if isinstance(n, ast.Name)):
                    return None   # (a ``__hash__`` or ``__eq__`` not known before it runs)
                if func.value.id in region_locals and any(
                        kind_of(n.id) is not None for a in arguments for n in _expr_nodes(a)
                        if isinstance(n, ast.Name)):
                    return None   # (a method not known before the step runs, given inputs)
                continue
            return None
        keys: list = []
        for node in keyed:
            target = self.effect_key(node)
            for key in [target, *self.held_keys(node, target)]:
                if key not in keys:
                    keys.append(key)
        return keys, list(dict.fromkeys(changes))

    def _pre_issue(self, statement, scratch, replacements, spec_names, frame) -> bool:
        """Issue ``statement``'s calls ahead if it only computes; False to stop there."""
        if isinstance(statement, ast.If):
            # ``if fetch(url):``: Python computes the test first. The leading calls of
            # each branch start ahead too (speculatively: a branch not taken counts
            # for nothing); what follows the ``if`` may read what a branch bound.
            if self.has_steps(statement.test):
                atom = self._speculate(statement.test, scratch, spec_names)
                if atom is None:
                    return False
                replacements[id(statement.test)] = self._outcome(atom)
            for branch in (statement.body, statement.orelse):
                self.renamed.append(dict(frame))
                try:
                    for inner in branch:
                        if not self._pre_issue(inner, scratch, replacements, spec_names,
                                               self.renamed[-1]):
                            break
                finally:
                    self.renamed.pop()
            return False
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name):
            atom = self._speculate(statement.value, scratch, spec_names)
            if atom is None:
                return False
            replacements[id(statement.value)] = self._outcome(atom)
            if not (isinstance(atom, ast.Name) and atom.id in self.temps):
                atom = self.emit(scratch, atom)
            frame[statement.targets[0].id] = atom.id
            return True
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], (ast.Subscript, ast.Attribute)) \
                and self.has_steps(statement.value):
            # ``pages[url] = fetch(url)``: Python computes the value first, so it is
            # issued ahead; the store stays, and nothing after it is issued ahead.
            atom = self._speculate(statement.value, scratch, spec_names)
            if atom is not None:
                replacements[id(statement.value)] = self._outcome(atom)
            return False
        if not isinstance(statement, ast.Expr) or not self.has_steps(statement.value):
            return False
        value = statement.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                and not self.is_module(value.func.value):
            # ``out.append(fetch(x))``: fetch is issued ahead; the append stays, and
            # nothing after it is issued ahead (it may read what the append changed).
            for arg in [*value.args, *(k.value for k in value.keywords)]:
                if self.has_steps(arg) and not isinstance(arg, ast.Starred):
                    atom = self._speculate(arg, scratch, spec_names)
                    if atom is None:
                        return False
                    replacements[id(arg)] = self._outcome(atom)
            return False
        atom = self._speculate(value, scratch, spec_names)
        if atom is None:
            return False
        replacements[id(value)] = self._outcome(atom)
        return True

    def _speculate(self, expr, scratch, spec_names):
        attempt: list = []
        try:
            atom = self.speculative(expr, attempt)
        except _NoSpec:
            return None
        scratch.extend(attempt)
        if isinstance(atom, ast.Name) and atom.id in self.temps and atom.id not in spec_names:
            spec_names.append(atom.id)
        return atom

    def _outcome(self, atom):
        if isinstance(atom, ast.Name) and atom.id in self.temps:
            return _call(_rt("outcome"), [_load(atom.id)])
        return atom

    def restore_prologue(self, block, body) -> list:
        """At the start of a handler: the locals the block bound, as they were when
        its failure happened."""
        bound = set()
        for stmt in body:
            for sub in scope_nodes([stmt]):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    bound.add(sub.id)
        names = sorted(n for n in bound if n in self.facts.logged and self.kind(n) == "local")
        if not names:
            # (asked all the same: the failure it handles is then put back, and no
            # outer handler puts back what this one's code went on to bind)
            return [_expr(self._ds("restoring", _load(block)))]
        targets = ast.Tuple(elts=[_store(n) for n in names], ctx=ast.Store())
        out = [ast.Assign(targets=[targets], value=self._ds(
            "restore", _load(block), _tuple(_const(n) for n in names)), lineno=0)]
        for name in names:
            if name not in self.facts.params:
                out.append(_if(ast.Compare(left=_load(name), ops=[ast.Is()],
                                           comparators=[_rt("UNBOUND")]),
                               [ast.Delete(targets=[ast.Name(id=name, ctx=ast.Del())])]))
        # Only after a failure raised while later statements were already bound, and
        # once: what a handler or an else clause then binds (an assignment
        # expression, a match capture, a del) stands in the finally clause.
        return [_if(self._ds("restoring", _load(block)), out)]

    def stmt_With(self, node):
        self.note("sync", "with: entered after everything before it; exits after its "
                          "body's work, seeing the body's first failure")
        # The context manager is entered after everything before it, and exits
        # after everything in its body, seeing the body's first failure.
        block = self.temp()
        plain = _PlainRewriter(self)
        items, prologue = [], []
        for item in node.items:
            variable = item.optional_vars
            if variable is not None:
                variable, extra = self.loop_target(variable)
                prologue.extend(extra)
            # (``entering`` hands the manager back; it notes a lock the body takes)
            items.append(ast.withitem(
                context_expr=self._ds("entering", plain.expression(item.context_expr)),
                optional_vars=variable))
        items.append(ast.withitem(context_expr=self._ds("block"), optional_vars=_store(block)))
        self.blocks += 1
        try:
            body = prologue + self.body(node.body)
        finally:
            self.blocks -= 1
        # A context manager that suppresses the failure lets the code after it see
        # the locals as they were at the failure.
        after = self.restore_prologue(block, node.body)
        return [_expr(self._ds("barrier")), ast.With(items=items, body=body)] + after

    def stmt_Match(self, node):
        pre: list = []
        subject = self.now(node.subject, pre)
        # Value patterns name locals (``case cfg.FAST``): those must be values.
        for name in sorted(_pattern_names(node)):
            if self.kind(name) == "local":
                pre.append(_assign(name, self._ds("get", _load(name))))
        plain = _PlainRewriter(self)
        guards = any(case.guard is not None and self.has_steps(case.guard) for case in node.cases)
        cases = []
        for case in node.cases:
            guard = plain.expression(case.guard) if case.guard else None
            body = self.body(case.body)
            # What a capture binds is what a handler sees after a later failure (a
            # ``try`` in the case rebinding it): logged where bound, so before the
            # guard, which leaves it bound when it fails, as in Python.
            binds = [self._ds("bind", _const(name), _load(name))
                     for name in sorted(_captured_names(case.pattern))
                     if name in self.facts.logged and self.kind(name) == "local"]
            if binds and guard is not None:
                guard = ast.Subscript(value=ast.Tuple(elts=[*binds, guard], ctx=ast.Load()),
                                      slice=_const(-1), ctx=ast.Load())
            elif binds:
                body = [*map(_expr, binds), *body]
            cases.append(ast.match_case(pattern=case.pattern, guard=guard, body=body))
        barrier = [_expr(self._ds("barrier"))] if guards else []
        return pre + barrier + [ast.Match(subject=subject, cases=cases)]

    def stmt_Return(self, node):
        self.note("waits", "return: waits for every call and change before it")
        if node.value is None:
            return [ast.Return(value=self._ds("result", _const(None)))]
        pre: list = []
        value = self.value(node.value, pre)
        return pre + [ast.Return(value=self._ds("result", value))]

    def stmt_Raise(self, node):
        return self.plain(node)

    def stmt_Assert(self, node):
        # Only a failing assert waits: it raises after everything before it.
        pre: list = []
        test = self.now(node.test, pre)
        fail = [_expr(self._ds("barrier"))] + _PlainRewriter(self).statements(
            [ast.Raise(exc=_call(_load("AssertionError"), [node.msg] if node.msg else []),
                       cause=None)])
        check = _if(ast.UnaryOp(op=ast.Not(), operand=test), fail)
        return [_if(_load("__debug__"), pre + [check])]

    def stmt_Global(self, node):
        return []  # hoisted to the top of the function

    stmt_Nonlocal = stmt_Global

    def stmt_Pass(self, node):
        return [ast.Pass()]

    def stmt_Break(self, node):
        return self._jump(node)

    stmt_Continue = stmt_Break

    def _jump(self, node):
        # Leaving a block from inside it: what it issued retires first.
        leaves_block = self.loop_blocks and self.blocks > self.loop_blocks[-1]
        jump = type(node)()
        if leaves_block:
            self.note("sync", f"`{type(node).__name__.lower()}` leaves a try/with: its work "
                              "finishes first")
            return [_expr(self._ds("barrier")), jump]
        return [jump]

    def stmt_Import(self, node):
        return self.plain(node)

    stmt_ImportFrom = stmt_Import

    def stmt_FunctionDef(self, node):
        node = self.transpile_nested(node)
        needs_steps = any(self.has_steps(part) for part in _made_here(node))
        if needs_steps or isinstance(node, ast.ClassDef):
            return self.plain(node)
        plain = _PlainRewriter(self)
        node.decorator_list = [plain.expression(d) for d in node.decorator_list]
        args = node.args
        args.defaults = [plain.expression(d) for d in args.defaults]
        args.kw_defaults = [d if d is None else plain.expression(d) for d in args.kw_defaults]
        out = [node]
        if node.name in self.facts.logged:
            out.append(_expr(self._ds("bind", _const(node.name), _load(node.name))))
        return out

    stmt_AsyncFunctionDef = stmt_ClassDef = stmt_FunctionDef


_CONTAINER_VIEWS = ("enumerate", "zip", "reversed")


def _spread_sources(iterable, facts):
    """What must be a container for iterating ``iterable`` to its end to be harmless:
    ``[xs]`` for ``xs``, ``[a, b]`` for ``zip(a, b)``; None for ``range(...)`` or a
    display (always fine)."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) \
            and facts.builtin(iterable.func.id) and not any(
                isinstance(a, ast.Starred) for a in iterable.args):
        name = iterable.func.id
        if name == "range":
            return None
        if name in _CONTAINER_VIEWS and iterable.args and all(
                k.arg in ("start", "strict") for k in iterable.keywords):
            return list(iterable.args[:1] if name != "zip" else iterable.args)
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)) and not any(
            isinstance(e, ast.Starred) for e in iterable.elts):
        return None   # a display: a container
    return [iterable]


class _PlainRewriter(ast.NodeTransformer):
    """A statement as written, for the owner thread to run after a barrier: locals
    are read through ``_ds.get`` (they may hold finished futures), and bindings of
    logged locals are recorded."""

    def __init__(self, lowerer: Lowerer):
        self.lowerer = lowerer
        self.shadowed: list[set] = []

    def statements(self, statements) -> list:
        out = []
        for statement in statements:
            if self.lowerer.reads_locals_within([statement]):
                # (a handler's, a finally's, or one inside a statement run as written)
                for given in self.lowerer.values_for_frame_readers():
                    _locate(given, statement)
                    out.append(given)
            new = self.visit(_copy(statement))
            new = new if isinstance(new, list) else [new]
            for stmt in new:
                out.append(stmt)
                for extra in self.after(statement):
                    _locate(extra, statement)   # (new nodes beside a placed statement)
                    out.append(extra)
        return out or [ast.Pass()]

    def expression(self, node):
        return self.visit(_copy(node)) if node is not None else None

    def after(self, statement) -> list:
        lowerer = self.lowerer
        if isinstance(statement, (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.Match)):
            return []
        names = sorted(n for n in _bound_names(statement)
                       if n in lowerer.facts.logged and lowerer.kind(n) == "local")
        return [_expr(lowerer._ds("bind", _const(n), _load(n))) for n in names]

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and self.lowerer.is_local_value(node.id) \
                and not any(node.id in s for s in self.shadowed):
            return _placed(self.lowerer._ds("get", _load(node.id)), node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) \
                and func.id in ("locals", "vars", "dir") and not node.args \
                and not node.keywords and self.lowerer.facts.builtin(func.id):
            names = _tuple(_const(n) for n in sorted(_user_names(self.lowerer.fn)))
            found = ast.Call(func=_rt("user_locals"), args=[
                ast.Call(func=_load("locals"), args=[], keywords=[]), names], keywords=[])
            if func.id == "dir":
                return _placed(ast.Call(func=_load("sorted"), args=[found],
                                                  keywords=[]), node)
            return _placed(found, node)
        return node

    def visit_AugAssign(self, node):
        target = node.target
        if isinstance(target, ast.Name) and self.lowerer.is_local_value(target.id) \
                and not any(target.id in s for s in self.shadowed):
            # ``c += 1`` reads ``c``, which may hold a future: read it resolved, then
            # apply the in-place operator as Python would.
            current = self.lowerer._ds("get", _load(target.id))
            value = ast.Call(func=_rt(AUG_OPS[type(node.op)]),
                             args=[current, self.visit(node.value)], keywords=[])
            return _placed(ast.Assign(targets=[_store(target.id)], value=value,
                                                lineno=0), node)
        return self.generic_visit(node)

    def _scope(self, node):
        # Nested scopes read cells: always values. What the definition evaluates
        # here (defaults, decorators, bases) may hold futures: resolve those.
        args = getattr(node, "args", None)
        if isinstance(args, ast.arguments):
            args.defaults = [self.visit(d) for d in args.defaults]
            args.kw_defaults = [None if d is None else self.visit(d) for d in args.kw_defaults]
        if hasattr(node, "decorator_list"):
            node.decorator_list = [self.visit(d) for d in node.decorator_list]
        if isinstance(node, ast.ClassDef):
            node.bases = [self.visit(b) for b in node.bases]
            for keyword in node.keywords:
                keyword.value = self.visit(keyword.value)
        return node

    visit_Lambda = visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scope

    def _comprehension(self, node):
        bound = set()
        for generator in node.generators:
            bound |= _target_names(generator.target)
        node.generators[0].iter = self.visit(node.generators[0].iter)
        self.shadowed.append(bound)
        try:
            for index, generator in enumerate(node.generators):
                if index:
                    generator.iter = self.visit(generator.iter)
                generator.ifs = [self.visit(c) for c in generator.ifs]
            if isinstance(node, ast.DictComp):
                node.key, node.value = self.visit(node.key), self.visit(node.value)
            else:
                node.elt = self.visit(node.elt)
        finally:
            self.shadowed.pop()
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_For(self, node):
        node.iter = self.visit(node.iter)
        node.body = self.statements(node.body)
        node.orelse = self.statements(node.orelse) if node.orelse else []
        prologue = self._binds(node.target)
        for bind in prologue:
            _locate(bind, node)   # (the copied loop is placed: nothing walks into it)
        node.body = prologue + node.body
        return node

    def visit_With(self, node):
        for item in node.items:
            item.context_expr = self.visit(item.context_expr)
        prologue = []
        for item in node.items:
            if item.optional_vars is not None:
                prologue += self._binds(item.optional_vars)
        for bind in prologue:
            _locate(bind, node)
        node.body = prologue + self.statements(node.body)
        return node

    def visit_If(self, node):
        node.test = self.visit(node.test)
        node.body = self.statements(node.body)
        node.orelse = self.statements(node.orelse) if node.orelse else []
        return node

    def visit_While(self, node):
        node.test = self.visit(node.test)
        node.body = self.statements(node.body)
        node.orelse = self.statements(node.orelse) if node.orelse else []
        return node

    def visit_Try(self, node):
        node.body = self.statements(node.body)
        for handler in node.handlers:
            if handler.type is not None:
                handler.type = self.visit(handler.type)
            handler.body = self.statements(handler.body)
        node.orelse = self.statements(node.orelse) if node.orelse else []
        node.finalbody = self.statements(node.finalbody) if node.finalbody else []
        return node

    def visit_Match(self, node):
        node.subject = self.visit(node.subject)
        for case in node.cases:
            if case.guard is not None:
                case.guard = self.visit(case.guard)
            case.body = self.statements(case.body)
        return node

    def _binds(self, target) -> list:
        lowerer = self.lowerer
        return [_expr(lowerer._ds("bind", _const(n), _load(n)))
                for n in sorted(_target_names(target))
                if n in lowerer.facts.logged and lowerer.kind(n) == "local"]


def _bound_inside(scope) -> set:
    """The names a lambda or a comprehension binds for itself: its parameters, its
    targets, and those of what it nests."""
    found = set()
    for sub in walk_tree(scope):
        if isinstance(sub, ast.Lambda):
            arguments = sub.args
            found.update(a.arg for a in (*arguments.posonlyargs, *arguments.args,
                                         *arguments.kwonlyargs))
            found.update(a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None)
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            found.add(sub.id)
    return found


def _captured_names(pattern) -> set:
    """The names a ``case`` pattern binds (``c``, ``[x, *rest]``, ``{**kw}``)."""
    found = set()
    for sub in ast.walk(pattern):
        name = getattr(sub, "rest", None) if isinstance(sub, ast.MatchMapping) else \
            getattr(sub, "name", None) if isinstance(sub, (ast.MatchAs, ast.MatchStar)) \
            else None
        if name:
            found.add(name)
    return found


def _user_names(fn) -> set:
    """Every name the original function mentions or binds: what its ``locals()`` may
    hold (``except E as e``, match captures, imports, nested defs and classes too)."""
    names = {sub.id for sub in walk_tree(fn) if isinstance(sub, ast.Name)}
    for sub in walk_tree(fn):
        if sub is fn:
            continue
        if isinstance(sub, ast.ExceptHandler) and sub.name:
            names.add(sub.name)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in sub.names)
        elif isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
            names.add(sub.name)
        elif isinstance(sub, ast.MatchMapping) and sub.rest:
            names.add(sub.rest)
    args = fn.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            names.add(arg.arg)
    return names


def _short(node, width=48) -> str:
    try:
        text = ast.unparse(node).splitlines()[0]
    except Exception:  # pragma: no cover
        text = type(node).__name__
    return text if len(text) <= width else text[:width - 3] + "..."


def _names(keys) -> str:
    shown = [k for k in keys if not k.startswith("<")]
    hidden = len(keys) - len(shown)
    parts = [f"`{k[1:] if k.startswith('@') else k}`" for k in shown]
    if hidden:
        parts.append("an object it shares with them" if parts else "an object the body changes")
    return ", ".join(parts)


def _copy(node, memo=None):
    if memo is None:
        return copy_tree(node)
    import copy
    return copy.deepcopy(node, memo)


class _Replace(ast.NodeTransformer):
    """Put ``outcome(temp)`` where a call was issued ahead."""

    def __init__(self, replacements):
        self.replacements = replacements

    def visit(self, node):
        found = self.replacements.get(id(node))
        if found is not None:
            return _placed(found, node)
        return super().visit(node)


def _with_comprehensions(statements):
    """``scope_nodes`` and what comprehensions hold: the first iterable of one is
    evaluated in this scope (``sorted(k for k in vars())``), and from 3.12 a list,
    set or dict comprehension runs in this frame."""
    for sub in scope_nodes(statements):
        yield sub
        if isinstance(sub, COMPREHENSIONS):
            for inner in child_nodes(sub):
                yield from _with_comprehensions([inner])


def _handler_names(node) -> set:
    """The names ``except E as name`` binds anywhere in the statement (its scope)."""
    return {sub.name for sub in scope_nodes([node])
            if isinstance(sub, ast.ExceptHandler) and sub.name}


def _region_names(node) -> tuple[set, set]:
    """Names a try statement reads, and names it binds (its own scope level)."""
    loaded, bound = set(), set()
    for sub in scope_nodes([node]):
        if isinstance(sub, ast.Name):
            (loaded if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
        elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
            loaded.add(sub.target.id)
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            bound.add(sub.name)
        elif isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
            bound.add(sub.name)   # (a capture pattern: ``case other:``, ``[head, *rest]``)
        elif isinstance(sub, ast.MatchMapping) and sub.rest:
            bound.add(sub.rest)
        elif isinstance(sub, (*SCOPES, *COMPREHENSIONS)):
            frees, _ = scope_frees(sub)
            loaded |= frees
            if isinstance(sub, ast.Lambda):
                # (its defaults are read here, when it is made: ``lambda v, j=j: 0``)
                for default in (*sub.args.defaults, *sub.args.kw_defaults):
                    if default is not None:
                        loaded |= {n.id for n in walk_tree(default) if isinstance(n, ast.Name)
                                   and isinstance(n.ctx, ast.Load)}
    return loaded, bound


class _BindingsBefore:
    """Names bound at the top level of a block on the way to a statement, before it.
    What the function's own top-level statements bind is summed once (asked for
    every statement of a long body, a walk from the top each time was quadratic);
    only the top-level statement holding a nested target is walked into."""

    def __init__(self, fn, params):
        self.body = fn.body
        self.prefix = []   # names surely bound before each top-level statement
        found = set(params)
        for statement in fn.body:
            self.prefix.append(frozenset(found))
            found.update(_top_binds(statement))
            found.difference_update(_deleted_names(statement))
        self.owner = {id(node): index for index, statement in enumerate(fn.body)
                      for node in walk_tree(statement)}

    def __call__(self, target) -> set:
        index = self.owner.get(id(target))
        if index is None:
            return set(self.prefix[0]) if self.prefix else set()
        found = set(self.prefix[index])
        _walk_to(self.body[index:index + 1], target, found)
        return found


def _walk_to(statements, target, found) -> bool:
    """Add to ``found`` what ``statements`` bind at their top level before ``target``
    (descending into the block that holds it); True once it is reached."""
    for statement in statements:
        if statement is target:
            return True
        inner = [getattr(statement, f, None) for f in ("body", "orelse", "finalbody")]
        if isinstance(statement, ast.Try):
            inner += [h.body for h in statement.handlers]
        if isinstance(statement, ast.Match):
            inner += [c.body for c in statement.cases]
        for block in inner:
            if isinstance(block, list) and any(s is target for s in scope_nodes(block)):
                if isinstance(statement, ast.For) and block is statement.body:
                    # (not in its ``else``: an empty loop binds nothing)
                    found.update(_target_names(statement.target))
                if isinstance(statement, ast.With):
                    for item in statement.items:
                        if item.optional_vars is not None:
                            found.update(_target_names(item.optional_vars))
                return _walk_to(block, target, found)
        found.update(_top_binds(statement))
        found.difference_update(_deleted_names(statement))
    return False


_DISPLAY_TYPES = {ast.List: list, ast.ListComp: list, ast.Dict: dict, ast.DictComp: dict,
                  ast.Set: set, ast.SetComp: set}


def _display_typed_locals(fn) -> dict:
    """The type of each local every binding of which (in this scope) assigns a list,
    dict or set display or comprehension; None for any other local."""
    kinds: dict = {}
    typed_targets = set()
    nodes = list(scope_nodes(fn.body))
    for node in nodes:
        if isinstance(node, ast.Assign):
            kind = _DISPLAY_TYPES.get(type(node.value))
            for target in node.targets:
                if isinstance(target, ast.Name):
                    typed_targets.add(id(target))
                    kinds[target.id] = kind if kinds.get(target.id, kind) is kind else None
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                and id(node) not in typed_targets:
            kinds[node.id] = None
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kinds[node.name] = None
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                kinds[(alias.asname or alias.name).split(".")[0]] = None
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            kinds.update(dict.fromkeys(node.names))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            kinds[node.name] = None
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            kinds[node.name] = None
        elif isinstance(node, ast.MatchMapping) and node.rest:
            kinds[node.rest] = None
    arguments = fn.args
    for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                arguments.vararg, arguments.kwarg]:
        if arg is not None:
            kinds[arg.arg] = None
    return kinds


def _deleted_names(statement) -> set:
    """Names a ``del`` in ``statement`` (at any depth of its blocks) may unbind."""
    return {target.id for node in scope_nodes([statement]) if isinstance(node, ast.Delete)
            for target in node.targets if isinstance(target, ast.Name)}


def _top_binds(statement) -> set:
    if isinstance(statement, ast.Assign):
        return {n for t in statement.targets for n in _target_names(t)
                if isinstance(t, (ast.Name, ast.Tuple, ast.List))}
    if isinstance(statement, (ast.AugAssign, ast.AnnAssign)) and statement.value is not None \
            and isinstance(statement.target, ast.Name):
        return {statement.target.id}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in statement.names}
    return set()


def _first_top_level_binding(body) -> dict:
    first = {}
    for index, statement in enumerate(body):
        for name in _top_binds(statement):
            first.setdefault(name, index)
    return first


def _binds_at_top(body, name) -> bool:
    return any(name in _top_binds(s) for s in body)


def _ends_in_raise(body) -> bool:
    return bool(body) and isinstance(body[-1], ast.Raise)


# (Reads inside lambdas, comprehensions and nested defs count: ``lambda x, b=b: ...``
# after a try reads the ``b`` it bound.)
def _loads_in(statements) -> set:
    return {n.id for n in reads_with_nested(scope_nodes(statements))}


def _loads_outside_body(node) -> set:
    """Names the handlers and the ``finally`` read: there a name the body binds may
    not be bound yet. (The ``else`` runs only once the whole body has.)"""
    parts = [*(s for h in node.handlers for s in h.body), *node.finalbody]
    return {n.id for n in reads_with_nested(scope_nodes(parts))}


def _loaded_only_after(body, name, index) -> bool:
    for position, statement in enumerate(body):
        loads = any(n.id == name for n in reads_with_nested(scope_nodes([statement])))
        if loads and position <= index:
            if position == index and isinstance(statement, ast.Assign) and not any(
                    isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
                    for n in _expr_nodes(statement.value)):
                continue
            return False
    return True


def _loads_elsewhere(fn, node) -> set:
    inside = {id(n) for n in reads_with_nested(scope_nodes([node]))}
    return {n.id for n in reads_with_nested(scope_nodes(fn.body)) if id(n) not in inside}


def _calls_beyond_objects(node, local_names, builtins_here) -> bool:
    """Does the region call anything other than methods of its own objects (so it
    may touch the outside world)?"""
    for sub in walk_tree(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Attribute) and func.attr in ("outcome", "handling") \
                and isinstance(func.value, ast.Name) and func.value.id == RUNTIME:
            continue
        if isinstance(func, ast.Attribute) and root_name(func.value) in local_names:
            continue
        if isinstance(func, ast.Name) and func.id in builtins_here:
            continue
        return True
    return False


_COMPUTING_BUILTINS = PURE_BUILTINS - {"super", "map", "filter", "iter", "vars"}

# Builtins that compute a value without iterating an argument (which would advance
# an iterator it was given) nor calling one.
_SCALAR_BUILTINS = FRESH_BUILTINS - {"all", "any", "sum", "bytes"}

# Methods of list, dict, set and deque that change only their object (the runtime
# checks the object is one of those, exactly).
# Methods that hash or compare what they are given (which may run code of the user's).
_HASHING_METHODS = frozenset({"add", "discard", "remove", "setdefault", "get", "pop",
                              "__setitem__", "__delitem__", "__contains__", "index", "count",
                              "sort", "update"})

_CONTAINER_FILLERS = frozenset({"append", "appendleft", "add", "insert", "setdefault",
                                "discard", "__setitem__", "__delitem__"})


def _bound_names(statement) -> set[str]:
    out = set()
    for sub in scope_nodes([statement]):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            out.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and sub is statement:
            out.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in sub.names)
    return out


def _expr_nodes(node, into_comprehensions=False):
    """The nodes of an expression evaluated with it (not inside lambdas)."""
    stack = [node]
    while stack:
        sub = stack.pop()
        yield sub
        if isinstance(sub, SCOPES):
            stack.extend([*sub.args.defaults, *(d for d in sub.args.kw_defaults if d)]
                         if isinstance(sub, ast.Lambda) else [])
            continue
        stack.extend(child_nodes(sub))


def _target_names(target) -> set[str]:
    return {n.id for n in walk_tree(target) if isinstance(n, ast.Name)}


def _rename_target(target, frame):
    if isinstance(target, ast.Name):
        return _store(frame.get(target.id, target.id))
    if isinstance(target, (ast.Tuple, ast.List)):
        return type(target)(elts=[_rename_target(e, frame) for e in target.elts],
                            ctx=ast.Store())
    if isinstance(target, ast.Starred):
        return ast.Starred(value=_rename_target(target.value, frame), ctx=ast.Store())
    return target


def _store_target(target):
    if isinstance(target, ast.Name):
        return _store(target.id)
    return type(target)(elts=[_store_target(e) for e in target.elts], ctx=ast.Store())


def _has_subscript(node) -> bool:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript):
            return True
        node = node.value
    return not isinstance(node, ast.Name)


def _pattern_names(node: ast.Match) -> set[str]:
    names = set()
    for case in node.cases:
        for sub in walk_tree(case.pattern):
            if isinstance(sub, ast.MatchValue):
                root = root_name(sub.value)
                if root is not None:
                    names.add(root)
            elif isinstance(sub, ast.MatchClass):
                root = root_name(sub.cls)
                if root is not None:
                    names.add(root)
    return names


def _made_here(node) -> list:
    parts = list(node.decorator_list)
    if isinstance(node, ast.ClassDef):
        return parts + node.bases + [k.value for k in node.keywords]
    return parts + node.args.defaults + [d for d in node.args.kw_defaults if d]


def _placed(new, node):
    """``new`` (a generated expression) and everything in it at ``node``'s position
    (if it has one: a node the lowering made is placed with its statement)."""
    if getattr(node, "lineno", None) is None:
        return new
    _locate(new, node)
    return new


def _locate(new, node):
    """Every generated node takes the source statement's position, unless it
    already has one of its own (nodes copied from the user's code). Statements
    already placed (by the lowering of an inner block) are not walked again, so
    placing a whole body costs time linear in its size."""
    line, column = node.lineno, node.col_offset
    header = _header_end(node)
    end_line = getattr(header, "end_lineno", line)
    end_column = getattr(header, "end_col_offset", column)
    stack = [new]
    while stack:
        sub = stack.pop()
        if "lineno" in sub._attributes:
            if getattr(sub, "lineno", None) in (None, 0):
                sub.lineno, sub.col_offset = line, column
                if type(sub) is ast.Attribute and end_line != line:
                    # A method call is at its attribute's last line (3.11+): the
                    # runtime's ``_ds.call(...)`` of a call written over several lines
                    # is at its first line, as the call is in plain Python (what a log
                    # record, ``sys._getframe(1).f_lineno`` and tracebacks show).
                    sub.end_lineno, sub.end_col_offset = line, column + len(sub.attr) + 1
                else:
                    sub.end_lineno, sub.end_col_offset = end_line, end_column
            elif isinstance(sub, ast.stmt) and sub is not new:
                continue  # placed already, with everything inside it
        stack.extend(child_nodes(sub))


def _header_end(node):
    """What code placed at a compound statement spans: its header, not its body. A
    method call spanning into the body would be reported at the body's first line
    (3.11+ puts a method call's instructions at its attribute's end)."""
    if isinstance(node, (ast.If, ast.While)):
        return node.test
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return node.iter
    if isinstance(node, (ast.With, ast.AsyncWith)) and node.items:
        item = node.items[-1]
        return item.optional_vars or item.context_expr
    if isinstance(node, ast.Match):
        return node.subject
    if isinstance(node, ast.Try) or (hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)):
        return ast.Pass(lineno=node.lineno, col_offset=node.col_offset,
                        end_lineno=node.lineno, end_col_offset=node.col_offset + 4)
    return node


def _possibly_one_object(fn, facts) -> list:
    """Arguments and module objects the body changes or reads, which may turn out
    to be one object when the call starts (``f(xs, xs)``). Their reads then carry
    keys even if the body never changes them by that name, so the runtime can order
    them with the changes made through the other name."""
    candidates, roots = [], set()
    outside = _module_objects_used(fn, facts) | _outside_values_read(facts)
    for name in facts.params + sorted(outside):
        root = facts.aliases.find(name)
        if name in facts.cells or name in facts.declared or root in roots:
            continue
        roots.add(root)
        candidates.append(name)
    changed = [n for n in candidates if facts.read_keys([facts.aliases.find(n)])]
    if not changed or len(candidates) < 2:
        return []
    for name in candidates:
        facts.effected |= facts.aliases.reach(name)
    return [(name, facts.read_keys([facts.aliases.find(name)])) for name in candidates]


def _outside_values_read(facts) -> set:
    """Module-level values and names imported from other modules that the body reads
    other than as a callee: one may be the object of a parameter (``def f(xs, out=LOG)``
    changing ``out``, then ``list(LOG)``)."""
    called = {id(n.func) for n in facts.nodes if isinstance(n, ast.Call)}
    table = facts.imports_table
    found = set()
    for node in facts.nodes:
        if type(node) is not ast.Name or id(node) in called or node.id in found:
            continue
        name = node.id
        if name in facts.locals or name in facts.declared:
            continue
        if name in facts.module_values or (
                name in facts.imports and table.get(name, (None, "?"))[1] is not None):
            found.add(name)
    return found


def _global_objects_changed(fn, facts) -> list:
    """(name, keys) of module-level objects the body changes, directly or through what
    they hold: a callee reading the global must wait for those changes."""
    found = []
    for name in sorted(_module_objects_named(facts)):
        keys = facts.read_keys([facts.aliases.find(name)])
        if keys:
            found.append((name, keys))
    return found


def _changed_modules(facts, imports) -> frozenset:
    """Imported names whose attributes the body assigns, deletes or calls a
    mutating method of (``sys.argv.append``; not ``os.chdir()``, a function)."""
    found = set()

    def root_of(node):
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        return node.id if isinstance(node, ast.Name) and node.id in imports \
            and node.id not in facts.locals else None

    for node in facts.nodes:
        targets = ()
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for sub in walk_tree(target):
                if isinstance(sub, (ast.Attribute, ast.Subscript)) \
                        and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    name = root_of(sub)
                    if name is not None:
                        found.add(name)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, (ast.Attribute, ast.Subscript)) \
                and node.func.attr in MUTATING_METHODS:
            name = root_of(node.func.value)
            if name is not None:
                found.add(name)
    return frozenset(found)


def _may_change_outside_objects(facts, lowerer) -> bool:
    """May the body change, under a name of its own, an object a callee reads under
    another (a parameter that is a global, ``self``, ``import json as js``,
    ``globals()``)? Then the runtime remembers which objects its effects change."""
    if lowerer.changes_imports:
        return True
    if any(isinstance(n, ast.Name) and n.id in ("globals", "vars") for n in facts.nodes):
        return True
    if any(facts.aliases.find(name) in facts.effected for name in lowerer.returned_locals()):
        return True   # (``seen = get_seen(); seen.append(x)``, then ``count_seen()``)
    return any(facts.read_keys([facts.aliases.find(name)])
               for name in (*facts.params, *_module_objects_named(facts)))


def _module_objects_named(facts) -> set:
    """Module-level names the body reads as objects (not imports, not builtins)."""
    used = {n.id for n in facts.nodes if isinstance(n, ast.Name)}
    return {n for n in used if n in facts.module_names and n not in facts.locals
            and n not in facts.imports and n not in facts.declared}


def _module_objects_used(fn, facts) -> set:
    """Module-level objects the body reads and changes."""
    return {n for n in _module_objects_named(facts) if facts.aliases.find(n) in facts.effected}


def _declarations(nodes) -> list:
    return [n for n in nodes if isinstance(n, (ast.Global, ast.Nonlocal))]


def lower_function(fn: ast.FunctionDef, facts: Facts, namer: Namer, filename: str,
                   transpile_nested, imports=frozenset(), plain=False,
                   class_name=None) -> ast.FunctionDef:
    """The transpiled FunctionDef: same name, signature and decorators; new body.
    ``plain``: begin with the check that lets a paced call run the original function
    (the decorator has the original; built code does not, and keeps its lines);
    ``class_name``: the class a method is defined in (its private names are mangled)."""
    lowerer = Lowerer(facts, namer, filename, transpile_nested, set(imports), fn)
    body = list(fn.body)
    head = []
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        head.append(body.pop(0))
    declarations = _declarations(facts.nodes)
    globals_, nonlocals = set(), set()
    for declaration in declarations:
        (globals_ if isinstance(declaration, ast.Global) else nonlocals).update(declaration.names)
    merged = []
    if globals_:
        merged.append(ast.Global(names=sorted(globals_)))
    if nonlocals:
        merged.append(ast.Nonlocal(names=sorted(nonlocals)))
    for node in merged:
        ast.copy_location(node, fn)
    head.extend(merged)
    distinct = _possibly_one_object(fn, facts)
    global_objects = _global_objects_changed(fn, facts)
    lowerer.instance_read_keys = sorted({k for _, keys in global_objects for k in keys})
    lowered = lowerer.body(body) if body else [ast.Pass()]
    if body and not isinstance(body[-1], (ast.Return, ast.Raise)):
        # Falling off the end: what is still pending retires inside the body, so a
        # failure there reaches the scope's exit as the body's (one traceback entry,
        # at the failing line).
        end = _expr(lowerer._ds("finish"))
        _locate(end, body[-1])
        lowered.append(end)
    prologue = []
    if distinct:
        def value_of(name):
            # (a module-level name may not be bound yet, or at all: an import in a
            # ``try``, a name the module binds after a call it makes at import,
            # ``DefaultContext = Context(...)`` read in ``try: dc = DefaultContext``;
            # its NameError comes where Python reads it)
            if lowerer.kind(name) == "outside" and name not in lowerer.imports:
                return lowerer._ds("global_value", _const(name))
            return _load(name)
        prologue.append(_expr(lowerer._ds("distinct", *[
            _tuple([_tuple(_const(k) for k in keys), value_of(name)])
            for name, keys in distinct])))
    if _may_change_outside_objects(facts, lowerer):
        prologue.append(_expr(lowerer._ds("track_changes")))
    elif lowerer.reads_project_modules:
        # It reads project modules' state and may change it under another name
        # (``settings.SEEN.append(x)`` then ``len(SEEN)``): the objects changed by its
        # effects on what these names reach are remembered (not those of its locals).
        outside = sorted({n.id for n in facts.nodes if isinstance(n, ast.Name)
                          and lowerer.kind(n.id) == "outside"})
        if outside:
            prologue.append(_expr(lowerer._ds("track_changes", *map(_const, outside))))
    if global_objects:
        prologue.append(_expr(lowerer._ds("global_keys", *[
            _tuple([_const(name), _tuple(_const(k) for k in keys)])
            for name, keys in global_objects])))
    for name in facts.params:
        if name in facts.logged:
            prologue.append(_expr(lowerer._ds("bind", _const(name), _load(name))))
    setters = []
    for name in sorted(lowerer.setters):
        if name not in globals_ and name not in nonlocals and name not in facts.params:
            # The variable is only ever written through its setter: this makes it a
            # local of the function all the same (annotations of locals do nothing).
            setters.append(ast.AnnAssign(target=_store(name), annotation=_const(
                "written in program order"), value=None, simple=1))
    for name, setter in sorted(lowerer.setters.items()):
        declaration = ast.Global(names=[name]) if name in globals_ else ast.Nonlocal(names=[name])
        setters.append(ast.FunctionDef(
            name=setter, args=_arguments(["_v"]),
            body=[declaration, ast.Assign(targets=[_store(name)], value=_load("_v"), lineno=0)],
            decorator_list=[], returns=None, type_comment=None, **_type_params()))
    setters.extend(lowerer.regions)
    cell_setters = [s for n, s in sorted(lowerer.setters.items()) if n not in globals_]
    if cell_setters:
        prologue.append(_expr(lowerer._ds("use_cells", *map(_load, cell_setters))))
    anchor = body[0] if body else fn
    for node in setters + prologue:
        _locate(node, anchor)
    scope = ast.With(items=[ast.withitem(context_expr=_call(_rt("scope")),
                                         optional_vars=_store(namer.scope))],
                     body=prologue + lowered)
    _locate(scope, anchor)
    prologue = _plain_prologue(fn, namer, class_name) if plain and not lowerer.reads_frames \
        else []
    for node in prologue:
        _locate(node, anchor)
    new = ast.FunctionDef(name=fn.name, args=fn.args, body=head + prologue + setters + [scope],
                          decorator_list=fn.decorator_list, returns=fn.returns,
                          type_comment=None, **_type_params(fn))
    ast.copy_location(new, fn)
    _locate(new, anchor)
    new._desync_notes = sorted(lowerer.notes, key=lambda n: n[0])
    new._desync_gate = bool(prologue)   # compile it with the GATE free variable
    return new  # every node placed above: no second walk of the whole tree


def _plain_prologue(fn, namer, class_name=None) -> list:
    """When pacing runs this function's calls in order and nothing needs the
    transpiled body (its call cache, if any, is idle), the call runs the original
    function: plain Python, at nearly plain Python's cost. An open gate runs it
    without calling the runtime; otherwise the runtime decides, and may open the gate
    for the next calls. (Not for a body that looks at its caller's frame: the
    original would see this function as its caller.)"""
    gate, began, result, plain = (namer.free(n) for n in ("_gate", "_began", "_result", "_plain"))
    arguments = fn.args
    args = [_load(a.arg) for a in (*arguments.posonlyargs, *arguments.args)]
    if arguments.vararg is not None:
        args.append(ast.Starred(value=_load(arguments.vararg.arg), ctx=ast.Load()))
    # (A keyword-only ``__scale`` of a method is ``_C__scale`` to the original: Python
    # mangles the parameter, never a keyword's name in a call.)
    keywords = [ast.keyword(arg=mangled(a.arg, class_name) if class_name else a.arg,
                            value=_load(a.arg)) for a in arguments.kwonlyargs]
    if arguments.kwarg is not None:
        keywords.append(ast.keyword(arg=None, value=_load(arguments.kwarg.arg)))

    def attribute(name, attr, ctx=ast.Load()):
        return ast.Attribute(value=_load(name), attr=attr, ctx=ctx)

    # The original runs from this frame (no runtime frame in its tracebacks).
    open_gate = [
        ast.AugAssign(target=attribute(gate, "n", ast.Store()), op=ast.Sub(), value=_const(1)),
        ast.Assign(targets=[_store(began)], value=_call(_rt("clock"))),
        ast.Assign(targets=[_store(result)], value=_call(attribute(gate, "fn"), args, keywords)),
        _if(ast.Compare(left=ast.BinOp(left=_call(_rt("clock")), op=ast.Sub(), right=_load(began)),
                        ops=[ast.Gt()], comparators=[attribute(gate, "slow")]),
            [ast.Assign(targets=[attribute(gate, "n", ast.Store())], value=_const(-1))]),
        ast.Return(value=_load(result)),
    ]
    original = ast.Subscript(value=_load(plain), slice=_const(0), ctx=ast.Load())
    asked = ast.NamedExpr(target=_store(plain), value=_call(_rt("plain"), [_load(gate)]))
    return [
        ast.Assign(targets=[_store(gate)], value=_load(GATE)),
        _if(ast.Compare(left=attribute(gate, "n"), ops=[ast.Gt()], comparators=[_const(0)]),
            open_gate),
        _if(asked, [ast.Return(value=_call(_rt("plain_took"),
                                           [_load(plain), _call(original, args, keywords)]))]),
    ]


def _type_params(fn=None) -> dict:
    if "type_params" in ast.FunctionDef._fields:
        return {"type_params": list(getattr(fn, "type_params", []) or [])}
    return {}


def _stopping(consumer, levels) -> list:
    """``consumer="any"`` for ``spec_iterate`` where the consumer stops taking
    elements early (``any``, ``all``, a set at an unhashable one, ``sum`` at a string
    after numbers) and the loop is one
    level: the sequential switch back ends the loop there (see ``sequential``)."""
    if levels == 1 and isinstance(consumer, ast.Constant) \
            and consumer.value in ("any", "all", "set", "frozenset", "dict", "sum", "min",
                                   "max"):
        return [ast.keyword(arg="consumer", value=consumer)]
    return []
