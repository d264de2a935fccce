"""Step 3: rewrite a desync body into calls on its scope (``_ds``).

Every call becomes a task whose arguments are values or futures. Calls nested in
an expression are hoisted into temporaries in evaluation order, except out of the
parts Python evaluates conditionally (``and``/``or``, ``x if c else y``,
comprehensions, lambdas). Each assignment binds the name to a new future, so a
later rebinding never races an earlier read (Python's own rebinding is the SSA).
The owner thread blocks only where it needs a value: ``_ds.get(...)``.
"""
from __future__ import annotations

import ast

from ..errors import DesyncError
from .analyse import (COMPREHENSIONS, EFFECT_BUILTINS, PURE_BUILTINS, Facts, root_name,
                      scope_nodes)

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
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.arg):
                used.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                used.add(node.name)
        self.used = used
        self.scope = self._free("_ds")
        self.temp_prefix = "_t"
        while any(name.startswith(self.temp_prefix) and name[len(self.temp_prefix):].isdigit()
                  for name in used):
            self.temp_prefix = "_" + self.temp_prefix

    def _free(self, base):
        name, n = base, 0
        while name in self.used:
            n += 1
            name = f"{base}{n}"
        return name


class _Sequential(Exception):
    """This statement must run as written on the owner thread."""


def _rt(attr: str) -> ast.expr:
    return ast.Attribute(value=ast.Name(RUNTIME, ast.Load()), attr=attr, ctx=ast.Load())


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _const(value) -> ast.Constant:
    return ast.Constant(value)


def _is_atom(node: ast.expr) -> bool:
    return isinstance(node, (ast.Name, ast.Constant))


def _lambda(params: list[str], body: ast.expr) -> ast.Lambda:
    args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    return ast.Lambda(args=args, body=body)


class Lowerer:
    def __init__(self, facts: Facts, namer: Namer, filename: str, transpile_nested):
        self.facts = facts
        self.namer = namer
        self.filename = filename
        self.transpile_nested = transpile_nested
        self.temps: set[str] = set()
        self.counter = 0
        self.sync_stack: list[set[str]] = []

    # -- names -----------------------------------------------------------------
    def _ds(self, method: str, *args: ast.expr, keywords=()) -> ast.Call:
        func = ast.Attribute(value=_load(self.namer.scope), attr=method, ctx=ast.Load())
        return ast.Call(func=func, args=list(args), keywords=list(keywords))

    def temp(self) -> str:
        self.counter += 1
        name = f"{self.namer.temp_prefix}{self.counter}"
        self.temps.add(name)
        return name

    def is_local(self, name: str) -> bool:
        # Mutated module objects travel like locals: passed to tasks, waited for by key.
        return (name in self.facts.locals or name in self.temps
                or name in self.facts.shared_globals)

    def binding(self, name: str) -> str:
        if name in self.facts.declared:
            return "declared"
        if name in self.facts.cells:
            return "cell"
        if any(name in names for names in self.sync_stack):
            return "sync"
        return "plain"

    def free_locals(self, node: ast.AST) -> list[str]:
        """Locals an expression reads, in order; lambdas read only concrete cells."""
        found: dict[str, None] = {}
        stack = [node]
        while stack:
            sub = stack.pop()
            if isinstance(sub, ast.Lambda):
                continue
            if isinstance(sub, ast.Name) and self.is_local(sub.id):
                found.setdefault(sub.id, None)
            stack.extend(reversed(list(ast.iter_child_nodes(sub))))
        return list(found)

    def keys_of(self, names) -> list[str]:
        keys = []
        for name in names:
            key = self.facts.keys.get(name)
            if key is not None and key not in keys:
                keys.append(key)
        return keys

    @staticmethod
    def _keys_node(keys: list[str]) -> ast.expr:
        if len(keys) == 1:
            return _const(keys[0])
        return ast.Tuple([_const(k) for k in keys], ast.Load())

    # -- expressions -------------------------------------------------------------
    def is_pure_call(self, node: ast.Call) -> bool:
        if not isinstance(node.func, ast.Name) or not self.facts.builtin(node.func.id):
            return False
        # Zero-argument super() needs this function's frame: evaluate it where it stands.
        return node.func.id in PURE_BUILTINS or (node.func.id == "super" and not node.args)

    def has_calls(self, node: ast.AST) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and not self.is_pure_call(sub):
                return True
            if isinstance(sub, COMPREHENSIONS):
                return True
        return False

    def hoist(self, node: ast.expr, pre: list) -> ast.expr:
        """Replace the calls Python always evaluates by task temporaries, in order."""
        if isinstance(node, ast.Call):
            if self.is_pure_call(node):
                return ast.Call(func=node.func, args=[self.hoist(a, pre) for a in node.args],
                                keywords=[ast.keyword(k.arg, self.hoist(k.value, pre))
                                          for k in node.keywords])
            return self.call_step(node, pre)
        if isinstance(node, ast.BoolOp):
            return ast.BoolOp(op=node.op, values=[self.hoist(node.values[0], pre),
                                                  *node.values[1:]])
        if isinstance(node, ast.IfExp):
            return ast.IfExp(test=self.hoist(node.test, pre), body=node.body, orelse=node.orelse)
        if isinstance(node, (ast.Lambda, *COMPREHENSIONS)):
            return node
        if isinstance(node, ast.NamedExpr):
            value = self.atom(self.hoist(node.value, pre), pre)
            pre.extend(self.bind(ast.Name(node.target.id, ast.Store()), value))
            return _load(node.target.id)
        if isinstance(node, ast.Dict):
            keys, values = [], []
            for key, value in zip(node.keys, node.values):
                keys.append(None if key is None else self.hoist(key, pre))
                values.append(self.hoist(value, pre))
            return ast.Dict(keys=keys, values=values)
        new = type(node)()
        for name, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                value = self.hoist(value, pre)
            elif isinstance(value, list):
                value = [self.hoist(v, pre) if isinstance(v, ast.expr) else v for v in value]
            setattr(new, name, value)
        return ast.copy_location(new, node) if hasattr(node, "lineno") else new

    def call_step(self, node: ast.Call, pre: list) -> ast.Name:
        func = node.func
        starred = any(isinstance(a, ast.Starred) for a in node.args) or \
            any(k.arg is None for k in node.keywords)

        if isinstance(func, ast.Name) and func.id in EFFECT_BUILTINS \
                and self.facts.builtin(func.id):
            if starred:
                call = self.hoisted_call(node, func, pre)
                return self.emit(pre, self._ds("effect", self.lambda_of(call), *[
                    _load(n) for n in self.free_locals(call)]))
            args, keywords = self.atom_args(node, pre)
            return self.emit(pre, self._ds("effect", func, *args, keywords=keywords))

        base = root_name(func.value) if isinstance(func, ast.Attribute) else None
        if base is not None and self.is_local(base):
            # A method call on a local: a write to it, ordered with its other uses.
            receiver = ast.Attribute(value=self.hoist(func.value, pre), attr=func.attr,
                                     ctx=ast.Load())
            call = self.hoisted_call(node, receiver, pre)
            names = self.free_locals(call)
            keys = self.keys_of(names)
            method = "read" if func.attr in self.facts.pure_methods else "write"
            if not keys:
                return self.emit(pre, self._ds("eval", self.lambda_of(call, names),
                                               *map(_load, names)))
            return self.emit(pre, self._ds(method, self._keys_node(keys),
                                           self.lambda_of(call, names), *map(_load, names)))

        callee = self.hoist(func, pre)
        if starred:
            call = self.hoisted_call(node, callee, pre)
            names = self.free_locals(call)
            keys = self.keys_of(names)
            if keys:
                return self.emit(pre, self._ds("read", self._keys_node(keys),
                                               self.lambda_of(call, names), *map(_load, names)))
            return self.emit(pre, self._ds("eval", self.lambda_of(call, names),
                                           *map(_load, names)))
        callee = self.atom(callee, pre)
        args, keywords = self.atom_args(node, pre)
        atoms = [callee, *args, *(k.value for k in keywords)]
        names = [a.id for a in atoms if isinstance(a, ast.Name) and self.is_local(a.id)]
        if isinstance(callee, ast.Name) and callee.id in self.facts.local_functions:
            keys = self.keys_of([callee.id, *names])
            return self.emit(pre, self._ds("write", self._keys_node(keys), callee, *args,
                                           keywords=keywords))
        keys = self.keys_of(names)
        if keys:
            return self.emit(pre, self._ds("read", self._keys_node(keys), callee, *args,
                                           keywords=keywords))
        return self.emit(pre, self._ds("call", callee, *args, keywords=keywords))

    def hoisted_call(self, node: ast.Call, func: ast.expr, pre: list) -> ast.Call:
        args = [self.hoist(a, pre) for a in node.args]
        keywords = [ast.keyword(k.arg, self.hoist(k.value, pre)) for k in node.keywords]
        return ast.Call(func=func, args=args, keywords=keywords)

    def atom_args(self, node: ast.Call, pre: list):
        hoisted = [self.hoist(a, pre) for a in node.args]
        hoisted_kw = [(k.arg, self.hoist(k.value, pre)) for k in node.keywords]
        args = [self.atom(a, pre) for a in hoisted]
        keywords = [ast.keyword(name, self.atom(value, pre)) for name, value in hoisted_kw]
        return args, keywords

    def lambda_of(self, expr: ast.expr, names=None) -> ast.Lambda:
        return _lambda(self.free_locals(expr) if names is None else names, expr)

    def emit(self, pre: list, step: ast.expr) -> ast.Name:
        name = self.temp()
        pre.append(ast.Assign(targets=[ast.Name(name, ast.Store())], value=step))
        return _load(name)

    def atom(self, expr: ast.expr, pre: list) -> ast.expr:
        """An expression safe to evaluate now: a value or a future."""
        if _is_atom(expr):
            return expr
        if any(isinstance(sub, ast.NamedExpr) for sub in ast.walk(expr)):
            raise _Sequential()  # a walrus in a conditional part binds in this scope
        names = self.free_locals(expr)
        calls = self.has_calls(expr)
        if not names and not calls:
            return expr  # reads no local: compute it where it stands
        keys = self.keys_of(names)
        params = list(map(_load, names))
        if calls:
            if keys:
                return self.emit(pre, self._ds("read", self._keys_node(keys),
                                               self.lambda_of(expr, names), *params))
            return self.emit(pre, self._ds("eval", self.lambda_of(expr, names), *params))
        if keys:
            return self.emit(pre, self._ds("read_expr", self._keys_node(keys),
                                           self.lambda_of(expr, names), *params))
        return self.emit(pre, self._ds("expr", self.lambda_of(expr, names), *params))

    def value(self, expr: ast.expr, pre: list) -> ast.expr:
        return self.atom(self.hoist(expr, pre), pre)

    def now(self, expr: ast.expr, pre: list) -> ast.expr:
        """An expression the owner thread evaluates itself (if tests, returns, ...)."""
        return self.wait_for_locals(self.hoist(expr, pre))

    def wait_for_locals(self, node):
        lowerer = self

        class Waiter(ast.NodeTransformer):
            def visit_Name(self, name):
                if isinstance(name.ctx, ast.Load) and lowerer.is_local(name.id):
                    key = lowerer.facts.keys.get(name.id)
                    args = [_load(name.id)] + ([_const(key)] if key else [])
                    return ast.copy_location(lowerer._ds("get", *args), name)
                return name

            def visit_Lambda(self, node):
                return node  # lambdas read cells, which are always concrete

            def visit_FunctionDef(self, node):
                return node

            visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

        return Waiter().visit(node)

    # -- binding -------------------------------------------------------------------
    def bind(self, target: ast.expr, value: ast.expr) -> list:
        if isinstance(target, ast.Name):
            kind = self.binding(target.id)
            store = ast.Name(target.id, ast.Store())
            if kind == "declared":
                return [ast.Expr(self._ds("barrier")),
                        ast.Assign(targets=[store], value=self._ds("get", value))]
            if kind == "cell":
                key = self.facts.keys.get(target.id, target.id)
                return [ast.Assign(targets=[store],
                                   value=self._ds("rebind", _const(key), value))]
            if kind == "sync":
                return [ast.Assign(targets=[store], value=self._ds("get", value))]
            return [ast.Assign(targets=[store], value=value)]
        if isinstance(target, (ast.Tuple, ast.List)):
            return self.bind_unpack(target, value)
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            return self.bind_store(target, value)
        raise DesyncError(f"cannot assign to {type(target).__name__}", self.filename,
                          getattr(target, "lineno", None), type(target).__name__)

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
        if all(isinstance(e, ast.Name) and self.binding(e.id) == "plain" for e in plain):
            return [ast.Assign(targets=[ast.Tuple([ast.Name(e.id, ast.Store()) for e in plain],
                                                  ast.Store())], value=call)]
        name = self.temp()
        out = [ast.Assign(targets=[ast.Name(name, ast.Store())], value=call)]
        for index, element in enumerate(plain):
            part = ast.Subscript(value=_load(name), slice=_const(index), ctx=ast.Load())
            out.extend(self.bind(element, part))
        return out

    def bind_store(self, target, value) -> list:
        base = root_name(target)
        if base is None or not self.is_local(base):
            # Writes to a global object: everything before it finishes first.
            store = self.wait_for_locals(target)
            return [ast.Expr(self._ds("barrier")),
                    ast.Assign(targets=[store], value=self._ds("get", value))]
        pre: list = []
        obj = self.hoist(target.value, pre)
        if isinstance(target, ast.Attribute):
            helper, where = "setattr_", _const(target.attr)
        else:
            helper, where = "setitem", self.hoist(target.slice, pre)
        return pre + [ast.Expr(self.ordered_store(base, helper, [obj, where, value]))]

    def ordered_store(self, base: str, helper: str, parts: list) -> ast.Call:
        names = []
        for part in parts:
            for name in self.free_locals(part):
                if name not in names:
                    names.append(name)
        keys = self.keys_of([base, *names]) or [base]
        if all(_is_atom(p) for p in parts):
            return self._ds("store", self._keys_node(keys), _rt(helper), *parts)
        body = ast.Call(func=_rt(helper), args=parts, keywords=[])
        return self._ds("store", self._keys_node(keys), _lambda(names, body),
                        *map(_load, names))

    # -- statements ------------------------------------------------------------------
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
        try:
            out = handler(node)
        except _Sequential:
            out = self.sequential(node, barrier=True)
        for new in out:
            if not hasattr(new, "lineno") or new is not node:
                ast.copy_location(new, node)
        return out

    def sequential(self, node, barrier: bool) -> list:
        """Run a statement as written, on the owner thread, with its locals resolved."""
        out = [ast.Expr(self._ds("barrier"))] if barrier else []
        return out + [self.wait_for_locals(node)]

    def stmt_Expr(self, node):
        pre: list = []
        value = self.value(node.value, pre)
        if pre and isinstance(value, ast.Name) and value.id in self.temps \
                and isinstance(pre[-1], ast.Assign) and pre[-1].targets[0].id == value.id:
            last = pre.pop()
            return pre + [ast.Expr(last.value)]
        if _is_atom(value):
            return pre
        return pre + [ast.Expr(value)]

    def stmt_Assign(self, node):
        pre: list = []
        value = self.value(node.value, pre)
        if len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and self.binding(target.id) == "plain" and pre \
                    and isinstance(value, ast.Name) and value.id in self.temps \
                    and isinstance(pre[-1], ast.Assign) and pre[-1].targets[0].id == value.id:
                pre[-1].targets = [ast.Name(target.id, ast.Store())]
                return pre
            return pre + self.bind(target, value)
        if not _is_atom(value):
            value = self.emit(pre, value)
        for target in node.targets:
            pre.extend(self.bind(target, value))
        return pre

    def stmt_AnnAssign(self, node):
        if node.value is None:
            return [node]
        return self.stmt_Assign(ast.Assign(targets=[node.target], value=node.value))

    def stmt_AugAssign(self, node):
        pre: list = []
        value = self.value(node.value, pre)
        op = _rt(AUG_OPS[type(node.op)])
        target = node.target
        if isinstance(target, ast.Name):
            if not self.is_local(target.id) or self.binding(target.id) == "declared":
                return pre + [ast.Expr(self._ds("barrier")), ast.AugAssign(
                    target=target, op=node.op, value=self._ds("get", value))]
            key = self.facts.keys.get(target.id, target.id)
            step = self._ds("store", _const(key), op, _load(target.id), value)
            return pre + self.bind(ast.Name(target.id, ast.Store()), step)
        base = root_name(target)
        if base is None or not self.is_local(base):
            return pre + [ast.Expr(self._ds("barrier")), ast.AugAssign(
                target=self.wait_for_locals(target), op=node.op, value=self._ds("get", value))]
        obj = self.hoist(target.value, pre)
        if isinstance(target, ast.Attribute):
            helper, where = "aug_attr", _const(target.attr)
        else:
            helper, where = "aug_item", self.hoist(target.slice, pre)
        return pre + [ast.Expr(self.ordered_store(base, helper, [obj, where, op, value]))]

    def stmt_Delete(self, node):
        out = []
        for target in node.targets:
            if isinstance(target, ast.Name):
                if self.binding(target.id) in ("cell", "declared"):
                    out.append(ast.Expr(self._ds("barrier")))
                out.append(ast.Delete(targets=[target]))
                continue
            base = root_name(target)
            if base is None or not self.is_local(base) or \
                    not isinstance(target, (ast.Attribute, ast.Subscript)):
                out.extend(self.sequential(ast.Delete(targets=[target]), barrier=True))
                continue
            pre: list = []
            obj = self.hoist(target.value, pre)
            if isinstance(target, ast.Attribute):
                parts, helper = [obj, _const(target.attr)], "delattr_"
            else:
                parts, helper = [obj, self.hoist(target.slice, pre)], "delitem"
            out.extend(pre)
            out.append(ast.Expr(self.ordered_store_parts(base, helper, parts)))
        return out

    def ordered_store_parts(self, base, helper, parts):
        return self.ordered_store(base, helper, parts)

    def stmt_If(self, node):
        pre: list = []
        test = self.now(node.test, pre)
        orelse = self.body(node.orelse) if node.orelse else []
        return pre + [ast.If(test=test, body=self.body(node.body), orelse=orelse)]

    def stmt_While(self, node):
        pre: list = []
        test = self.now(node.test, pre)
        body = self.body(node.body)
        if not pre:
            orelse = self.body(node.orelse) if node.orelse else []
            return [ast.While(test=test, body=body, orelse=orelse)]
        # The test needs tasks: evaluate it at the top of every iteration.
        exit_loop = [ast.Break()]
        out = []
        if node.orelse:
            flag = self.temp()
            out.append(ast.Assign(targets=[ast.Name(flag, ast.Store())], value=_const(False)))
            exit_loop = [ast.Assign(targets=[ast.Name(flag, ast.Store())], value=_const(True)),
                         ast.Break()]
        check = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test), body=exit_loop, orelse=[])
        out.append(ast.While(test=_const(True), body=pre + [check] + body, orelse=[]))
        if node.orelse:
            out.append(ast.If(test=_load(flag), body=self.body(node.orelse), orelse=[]))
        return out

    def stmt_For(self, node):
        pre: list = []
        iterable = self.now(node.iter, pre)
        target, prologue = self.loop_target(node.target)
        orelse = self.body(node.orelse) if node.orelse else []
        return pre + [ast.For(target=target, iter=iterable, body=prologue + self.body(node.body),
                              orelse=orelse)]

    def loop_target(self, target):
        names = [target] if isinstance(target, ast.Name) else (
            target.elts if isinstance(target, (ast.Tuple, ast.List)) else None)
        if names is not None and all(isinstance(n, ast.Name) and
                                     self.binding(n.id) in ("plain", "sync") for n in names):
            return target, []
        name = self.temp()
        return ast.Name(name, ast.Store()), self.bind(target, _load(name))

    def stmt_With(self, node):
        items, prologue = [], []
        for item in node.items:
            variable = item.optional_vars
            if variable is not None:
                variable, extra = self.loop_target(variable)
                prologue.extend(extra)
            items.append(ast.withitem(context_expr=self.wait_for_locals(item.context_expr),
                                      optional_vars=variable))
        items.append(ast.withitem(context_expr=self._ds("block"), optional_vars=None))
        return [ast.With(items=items, body=prologue + self.body(node.body))]

    def stmt_Try(self, node):
        self.sync_stack.append(self.facts.try_sync.get(id(node), set()))
        try:
            body = self.body(node.body)
        finally:
            self.sync_stack.pop()
        block = ast.With(items=[ast.withitem(context_expr=self._ds("block"), optional_vars=None)],
                         body=body)
        handlers = []
        if node.handlers:
            handlers.append(ast.ExceptHandler(type=_rt("Upstream"), name=None,
                                              body=[ast.Raise(exc=None, cause=None)]))
        for handler in node.handlers:
            kind = self.wait_for_locals(handler.type) if handler.type is not None else None
            handlers.append(ast.ExceptHandler(type=kind, name=handler.name,
                                              body=self.body(handler.body)))
        return [ast.Try(body=[block], handlers=handlers,
                        orelse=self.body(node.orelse) if node.orelse else [],
                        finalbody=self.body(node.finalbody) if node.finalbody else [])]

    def stmt_Match(self, node):
        pre: list = []
        subject = self.now(node.subject, pre)
        cases = [ast.match_case(pattern=case.pattern,
                                guard=self.wait_for_locals(case.guard) if case.guard else None,
                                body=self.body(case.body)) for case in node.cases]
        return pre + [ast.Match(subject=subject, cases=cases)]

    def stmt_Return(self, node):
        if node.value is None:
            return [node]
        pre: list = []
        return pre + [ast.Return(value=self.now(node.value, pre))]

    def stmt_Raise(self, node):
        return self.sequential(node, barrier=False)

    def stmt_Assert(self, node):
        return self.sequential(node, barrier=False)

    def stmt_Global(self, node):
        return []  # hoisted to the top of the function

    stmt_Nonlocal = stmt_Global

    def stmt_Pass(self, node):
        return [node]

    stmt_Break = stmt_Continue = stmt_Import = stmt_ImportFrom = stmt_Pass

    def stmt_FunctionDef(self, node):
        node = self.transpile_nested(node)
        node.decorator_list = [self.wait_for_locals(d) for d in node.decorator_list]
        if not isinstance(node, ast.ClassDef):
            args = node.args
            args.defaults = [self.wait_for_locals(d) for d in args.defaults]
            args.kw_defaults = [d if d is None else self.wait_for_locals(d)
                                for d in args.kw_defaults]
        else:
            node.bases = [self.wait_for_locals(b) for b in node.bases]
            for keyword in node.keywords:
                keyword.value = self.wait_for_locals(keyword.value)
        out = [node]
        if self.binding(node.name) in ("declared",):
            out.insert(0, ast.Expr(self._ds("barrier")))
        return out

    stmt_AsyncFunctionDef = stmt_ClassDef = stmt_FunctionDef


def lower_function(fn: ast.FunctionDef, facts: Facts, namer: Namer, filename: str,
                   transpile_nested) -> ast.FunctionDef:
    """The transpiled FunctionDef: same name, signature and decorators; new body."""
    lowerer = Lowerer(facts, namer, filename, transpile_nested)
    body = list(fn.body)
    head = []
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        head.append(body.pop(0))
    declarations = [n for n in scope_nodes(body) if isinstance(n, (ast.Global, ast.Nonlocal))]
    head.extend(declarations)
    scope = ast.With(items=[ast.withitem(
        context_expr=ast.Call(func=_rt("scope"), args=[], keywords=[]),
        optional_vars=ast.Name(namer.scope, ast.Store()))], body=lowerer.body(body))
    ast.copy_location(scope, body[0] if body else fn)
    new = ast.FunctionDef(name=fn.name, args=fn.args, body=head + [scope],
                          decorator_list=fn.decorator_list, returns=fn.returns,
                          type_comment=None)
    if hasattr(fn, "type_params"):
        new.type_params = fn.type_params
    return ast.fix_missing_locations(ast.copy_location(new, fn))
