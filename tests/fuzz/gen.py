"""The program generator: typed ASTs of desync bodies that keep the user's promise.

``generate(seed, index, size)`` builds one program (an ``ast`` tree per module-level
definition) from ``random.Random(f"{seed}:{index}")``, so any program can be
rebuilt from its seed and index alone.

How validity, termination and the contract are kept:

* **Types.** Every expression is built for a type (int, str, list of ints, dict,
  Box, lambda, ...), from variables of that type or constructors, so a program
  never fails by accident (risky forms such as ``d[k]`` come rarely and on purpose).
* **Definite assignment.** Each statement returns the names bound on every path
  that falls through; a name is read only where Python guarantees it is bound
  (branches intersect, loop and try bodies may not have run, ``except ... as e``
  names die with the handler and are never captured).
* **Termination.** ``for`` loops run over bounded iterables; ``while`` loops
  count (``k += 1`` first, and the shrinker never removes it); a list that may
  be the one being iterated only grows under ``if len(t) < 9``; lists and strings
  grow by bounded pieces.
* **The contract.** Callees are the fixed helpers of prelude.py: pure. What the
  body hands them (lambdas, nested defs, generators) only reads. Effects (object
  mutation, print, logging, random, global/nonlocal writes, with enter/exit)
  appear only in the body itself; the nested desync function ``q`` mutates only
  objects it created.
"""
from __future__ import annotations

import ast
import copy
import random
from collections import Counter
from dataclasses import dataclass, replace

INT, STR, LIST, LLIST, DICT, DLIST, BOX, TUP = "int", "str", "list", "llist", "dict", "dlist", "box", "tup"
FN1, FN0, FLIST, GEN, EFN, IO, CFG, EXC = "fn1", "fn0", "flist", "gen", "efn", "io", "cfg", "exc"
HGEN = "hgen"   # a generator held by another object: ``hold.gen`` or ``held[0]``

POOLS = {
    INT: ["a", "b", "c", "t", "r"], STR: ["w", "lab", "msg"], LIST: ["ys", "zs", "out", "acc"],
    LLIST: ["table", "grid"], DICT: ["cnt", "seen"], DLIST: ["groups", "by"], BOX: ["box", "bx"],
    TUP: ["tp"], FN1: ["fn", "hk"], FN0: ["th"], FLIST: ["fns", "cbs"], GEN: ["gen", "it"],
    IO: ["buf"], CFG: ["cf"], HGEN: ["hold", "held"],
}
LOOP_VARS = ["i", "j", "v", "x"]
COMP_VARS = ["v", "w", "x", "i"]
KEYS = ["a", "b", "k"]
STRS = ["", "a", "bc", "hi"]
MUTABLE = (LIST, LLIST, DICT, DLIST, BOX)
FAILABLE_EXCS = ["ValueError", "KeyError", "FzError", "Exception", "(ValueError, KeyError)",
                 "(KeyError, FzError)", "ZeroDivisionError", "LookupError", "ArithmeticError"]


# -- AST helpers ------------------------------------------------------------------------------

def Nm(name):
    return ast.Name(id=name, ctx=ast.Load())


def St(name):
    return ast.Name(id=name, ctx=ast.Store())


def K(value):
    return ast.Constant(value=value)


def Call(func, args=(), kws=()):
    if isinstance(func, str):
        func = Nm(func) if "." not in func else At(*func.rsplit(".", 1))
    return ast.Call(func=func, args=list(args),
                    keywords=[ast.keyword(arg=k, value=v) for k, v in kws])


def At(obj, attr, store=False):
    if isinstance(obj, str):
        obj = Nm(obj) if "." not in obj else At(*obj.rsplit(".", 1))
    return ast.Attribute(value=obj, attr=attr, ctx=ast.Store() if store else ast.Load())


def Sub(obj, index, store=False):
    if isinstance(obj, str):
        obj = Nm(obj)
    return ast.Subscript(value=obj, slice=index, ctx=ast.Store() if store else ast.Load())


def Slice(lo=None, hi=None, step=None):
    return ast.Slice(lower=lo, upper=hi, step=step)


def Bin(left, op, right):
    return ast.BinOp(left=left, op=op, right=right)


def Cmp(left, op, right):
    return ast.Compare(left=left, ops=[op], comparators=[right])


def Tup(elts, store=False):
    return ast.Tuple(elts=list(elts), ctx=ast.Store() if store else ast.Load())


def Lst(elts):
    return ast.List(elts=list(elts), ctx=ast.Load())


def If(test, body, orelse=()):
    return ast.If(test=test, body=list(body), orelse=list(orelse))


def Expr(value):
    return ast.Expr(value=value)


def Assign(targets, value):
    return ast.Assign(targets=list(targets), value=value)


def Aug(target, op, value):
    return ast.AugAssign(target=target, op=op, value=value)


def Lam(params, body, defaults=()):
    args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=list(defaults))
    return ast.Lambda(args=args, body=body)


def Def(name, params, body, decorators=(), defaults=()):
    args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=list(defaults))
    return ast.FunctionDef(name=name, args=args, body=list(body),
                           decorator_list=list(decorators), returns=None, type_comment=None)


def Comp(target, iterable, ifs=()):
    return ast.comprehension(target=target, iter=iterable, ifs=list(ifs), is_async=0)


def keep(node, why="keep"):
    """Mark a node the shrinker must not take apart (loop counters, growth guards)."""
    node._fz_keep = why
    return node


# -- scopes and contexts ------------------------------------------------------------------------

@dataclass(frozen=True)
class Var:
    ty: str
    ro: bool = False       # a parameter of q: never stored, never mutated
    capture: bool = True   # closures may read it (not an except-as name)


@dataclass(frozen=True)
class Ctx:
    io: bool               # print, logging, random, module state, global writes
    mut: bool              # mutating objects
    depth: int = 0
    loop: bool = False     # break/continue allowed
    handler: str | None = None
    iterating: bool = False
    in_finally: bool = False
    method: bool = False
    body: bool = True      # statements of the desync function itself (not a nested def)
    comp: bool = False     # inside a comprehension (zero-argument super() does not work there)


def intersect(*scopes):
    live = [s for s in scopes if s is not None]
    if not live:
        return None
    out = dict(live[0])
    for other in live[1:]:
        for name in list(out):
            if name not in other or other[name].ty != out[name].ty:
                del out[name]
    return out


class Program:
    """One generated program: its module-level definitions and how to run it."""

    def __init__(self, seed, index, sfx, decls, args, method, features):
        self.seed = seed
        self.index = index
        self.sfx = sfx
        self.decls = decls          # list of module-level ast statements
        self.args = args            # the call's arguments (literals)
        self.method = method        # entry is P<sfx>().run(...) instead of p<sfx>(...)
        self.features = features    # Counter of the shapes used

    def body_text(self) -> str:
        """The desync function(s) of the program only (q, then p or class P)."""
        names = {f"p{self.sfx}", f"q{self.sfx}", f"P{self.sfx}"}
        nodes = [d for d in self.decls if getattr(d, "name", None) in names]
        return ast.unparse(ast.fix_missing_locations(ast.Module(body=nodes, type_ignores=[])))

    def module_text(self) -> str:
        tree = ast.Module(body=self.decls, type_ignores=[])
        ast.fix_missing_locations(tree)
        return ast.unparse(tree)


# -- the generator --------------------------------------------------------------------------------

class Gen:
    def __init__(self, rng: random.Random, sfx: str, size: int, clock: bool = False):
        self.r = rng
        self.sfx = sfx
        self.budget = size
        self.clock = clock
        self.count = 0
        self.feat = Counter()
        self.method = rng.random() < 0.15
        self.use_q = rng.random() < 0.15
        self.global_writes = False
        self.reads_h = False   # the body's first statement rebinds H through seth (see below)
        self.reads_other = False   # ... or OTHER's LEVEL and OPTS through OTHER.seto
        self.reg_param = rng.random() < 0.1   # a parameter whose default is REG
        self.G, self.REG, self.EV, self.KC = (f"G{sfx}", f"REG{sfx}", f"EV{sfx}", f"K{sfx}")

    # -- helpers
    def fresh(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def pick(self, options):
        """options: list of (weight, thunk); weights <= 0 are skipped."""
        options = [(w, t) for w, t in options if w > 0]
        total = sum(w for w, _ in options)
        x = self.r.random() * total
        for w, thunk in options:
            x -= w
            if x < 0:
                return thunk()
        return options[-1][1]()

    def chance(self, p):
        return self.r.random() < p

    def vars(self, sc, ty, ro_ok=True):
        return [n for n, v in sc.items() if v.ty == ty and (ro_ok or not v.ro)]

    def name_for(self, sc, ty):
        pool = POOLS[ty]
        same = [n for n in pool if n in sc and sc[n].ty == ty and not sc[n].ro]
        free = [n for n in pool if n not in sc]
        if same and (not free or self.chance(0.4)):
            return self.r.choice(same)
        if free:
            return self.r.choice(free)
        return self.fresh(pool[0])

    def closure_scope(self, sc):
        return {n: v for n, v in sc.items() if v.capture}

    # -- expressions ------------------------------------------------------------------------
    def expr(self, ty, sc, cx, d, ro_ok=True):
        return getattr(self, "e_" + ty)(sc, cx, d, ro_ok)

    def small(self, lo=0, hi=9):
        return K(self.r.randint(lo, hi))

    def e_int(self, sc, cx, d, ro_ok=True):
        r = self.r
        ints = self.vars(sc, INT)
        lists = self.vars(sc, LIST)
        x = lambda: self.e_int(sc, cx, d - 1)
        lst = lambda: self.e_list(sc, cx, d - 1)
        opts = [(3, lambda: self.small()), (7 if ints else 0, lambda: Nm(r.choice(ints)))]
        if d > 0:
            opts += [
                (6, lambda: self.callee("f", [x()])),
                (3, lambda: self.callee("g", [x(), x()])),
                (1, lambda: self.callee("g", [x()], [("y", x())])),
                (1, lambda: self.callee("g", [], [("y", x()), ("x", x())])),
                (1, lambda: self.callee("scale", [x()], [("by", self.small(1, 3))])),
                (0.5, lambda: self.feature("runtime-keywords", self.callee(
                    "named", [], [(k, x()) for k in r.sample(["fn", "name", "keys", "target"],
                                                             r.randint(1, 3))]))),
                (1, lambda: self.callee("summ", [x() for _ in range(r.randint(0, 3))])),
                (1, lambda: self.callee("summ", [ast.Starred(value=lst(), ctx=ast.Load())])),
                (1, lambda: self.callee("g", [ast.Starred(value=self.e_tup(sc, cx, d - 1), ctx=ast.Load())])),
                (0.5, lambda: self.callee("g", [], [(None, ast.Dict(keys=[K("x"), K("y")], values=[x(), x()]))])),
                # Python unpacks a * operand (not the only one) and merges a ** operand
                # before the arguments after it are evaluated: their errors come first.
                (0.5, lambda: self.feature("star-args", self.callee("summ", [
                    x(), ast.Starred(value=self.callee("seq", [x()]), ctx=ast.Load()), x()]))),
                (0.5, lambda: self.feature("double-star", self.callee("g", [], [
                    (None, self.callee("kws", [x()])), ("x", x())]))),
                (0.3, lambda: self.feature("double-star", self.callee("g", [x()], [
                    (None, self.callee("kws", [x()]))]))),
                # Set and dict displays are built in chunks at their * and ** operands.
                (0.3, lambda: self.feature("display-chunks", Call("len", [ast.Set(elts=[
                    ast.Starred(value=self.callee("rows", [x()]), ctx=ast.Load()),
                    self.callee("f", [x()])])]))),
                (0.3, lambda: self.feature("display-chunks", Call("len", [ast.Dict(
                    keys=[K("k"), None, K("j")],
                    values=[x(), self.callee("kws", [x()]), self.callee("f", [x()])])]))),
                (3, lambda: self.callee("total", [lst()])),
                (1, lambda: self.callee("head", [lst()])),
                (2, lambda: self.callee("apply", [self.e_fn1(sc, cx, d - 1), x()])),
                (1, lambda: self.callee("apply0", [self.e_fn0(sc, cx, d - 1)])),
                # Helpers that look at their caller's frame (the body's, as in plain
                # Python; where effects may be, never in a comprehension: before 3.12
                # a comprehension has a frame of its own).
                (0.5 if cx.io and not cx.comp else 0,
                 lambda: self.feature("frame", self.callee("who", [x()]))),
                (0.5 if cx.io and not cx.comp else 0,
                 lambda: self.feature("frame", self.callee("note", [x()]))),
                (1, lambda: self.feature("handed-over", self.handed_over(sc, cx, d, x))),
                (0.5, lambda: self.callee("apply", [self.recording_lambda(sc, cx, d - 1), x()])),
                (1 if self.vars(sc, BOX) else 0, lambda: self.callee("weigh", [self.e_box(sc, cx, d - 1)])),
                (3, lambda: Bin(x(), r.choice([ast.Add(), ast.Sub()]), x())),
                (1, lambda: Bin(x(), ast.Mult(), self.small(1, 4))),
                (1, lambda: Bin(x(), r.choice([ast.Mod(), ast.FloorDiv()]), self.small(2, 7))),
                (2, lambda: Call("len", [r.choice([lst, lambda: self.e_str(sc, cx, d - 1),
                                                   lambda: self.e_dict(sc, cx, d - 1)])()])),
                (1, lambda: Call("sum", [lst()])),
                (1, lambda: Call(r.choice(["max", "min"]), [lst()], [("default", K(0))])),
                (2 if lists else 0, lambda: self.safe_index(r.choice(lists))),
                (1, lambda: Call(At(self.e_dict(sc, cx, d - 1), "get"), [self.key(sc, cx, d - 1), K(0)])),
                (1 if self.vars(sc, BOX) else 0, lambda: At(self.e_box(sc, cx, d - 1), "n")),
                (0.5 if self.vars(sc, BOX) else 0, lambda: Call(At(self.e_box(sc, cx, d - 1), "total"))),
                # functions held in variables are called from the body only: a lambda that
                # calls them could end up calling itself (late binding), and never stop
                (2 if cx.body and self.vars(sc, FN1) else 0, lambda: ast.Call(func=Nm(r.choice(self.vars(sc, FN1))), args=[x()], keywords=[])),
                (1 if cx.body and self.vars(sc, FN0) else 0, lambda: ast.Call(func=Nm(r.choice(self.vars(sc, FN0))), args=[], keywords=[])),
                (1 if cx.body and self.vars(sc, FLIST) else 0, lambda: self.flist_reduce(sc, cx, d)),
                (3, lambda: self.reduce_comp(sc, cx, d)),
                (1, lambda: ast.IfExp(test=self.e_cond(sc, cx, d - 1), body=x(), orelse=x())),
                (1, lambda: Call("sum", [Call("map", [self.e_fn1(sc, cx, d - 1), lst()])])),
                (1 if self.use_q and cx.body else 0, lambda: self.q_call(sc, cx, d)),
                (0.3, lambda: self.risky_int(sc, cx, d)),
                # (session sixteen: an operand guarded by ``and``/``if`` was computed
                # ahead of a later read that waits, a module global or a project
                # module's name, and raised where Python never evaluates it)
                (0.5 if lists else 0, lambda: self.feature("guarded-before-a-wait", self.guarded_read(
                    r.choice(lists)))),
            ]
            if cx.mut:
                mlists = self.vars(sc, LIST, ro_ok=False)
                opts += [
                    (1 if mlists else 0, lambda: self.feature("pop-expr", self.pop_expr(r.choice(mlists)))),
                    (1 if self.vars(sc, GEN, ro_ok=False) else 0,
                     lambda: self.feature("next", Call("next", [Nm(r.choice(self.vars(sc, GEN))), K(-1)]))),
                    (3 if self.vars(sc, HGEN) else 0,
                     lambda: self.feature("held-consume", self.pick([
                         (1, lambda: Call("next", [self.held(sc), K(-1)])),
                         (1, lambda: Call("sum", [self.held(sc)])),
                         (1, lambda: Call("int", [ast.Compare(left=self.small(0, 3), ops=[ast.In()],
                                                              comparators=[self.held(sc)])]))]))),
                    (0.5 if self.vars(sc, DICT, ro_ok=False) else 0,
                     lambda: Call(At(r.choice(self.vars(sc, DICT, ro_ok=False)), "pop"), [self.key(sc, cx, d - 1), K(0)])),
                ]
            if cx.io:
                opts += [
                    (0.7, lambda: self.feature("random", Call("random.randint", [K(0), K(9)]))),
                    (1 if self.vars(sc, EFN) else 0, lambda: self.efn_call(sc, cx, d)),
                    (0.5, lambda: At(self.KC, "count")),
                    (0.5, lambda: self.feature("global-read", Nm(self.G))),
                    (1 if self.reads_h and cx.body else 0, lambda: self.feature("global-read-h", Nm(f"H{self.sfx}"))),
                    # What a function of another module of the project changed, read
                    # under that module's name or a name imported from it.
                    (1 if self.reads_other and cx.body else 0, lambda: self.feature("other-module-read", self.pick([
                        (2, lambda: At("OTHER", "LEVEL")),
                        (1, lambda: Call("len", [Nm("OOPTS")])),
                        (1, lambda: Call(At(At("OTHER", "OPTS"), "get"), [self.small(0, 4), K(-1)]))]))),
                    # A callee whose own helper reads what the body writes (G, REG).
                    (0.5, lambda: self.feature("global-read-indirect", Call(f"via{self.sfx}", [x()]))),
                    # ... and one whose helper reads a threading.local the body sets.
                    (0.8, lambda: self.feature("thread-local-read", Call(f"tlv{self.sfx}", [x()]))),
                    # ... and one reading an environment variable the body sets.
                    (0.6, lambda: self.feature("environ-read", Call(f"envv{self.sfx}", [x()]))),
                    (0.5 if cx.method else 0, lambda: At("self", "v")),
                    (0.5 if cx.method and not cx.comp else 0, lambda: self.feature("super", Call(At(Call("super"), "get")))),
                ]
        return self.pick(opts)

    def feature(self, name, node):
        self.feat[name] += 1
        return node

    def callee(self, name, args, kws=()):
        self.feat["call:" + name] += 1
        return Call(name, args, kws)

    def safe_index(self, name):
        idx = self.r.choice([0, -1])
        return ast.IfExp(test=Nm(name), body=Sub(name, K(idx)), orelse=K(-1))

    def pop_expr(self, name):
        return ast.IfExp(test=Nm(name), body=Call(At(name, "pop")), orelse=K(0))

    def risky_int(self, sc, cx, d):
        self.feat["risky"] += 1
        r = self.r
        return self.pick([
            (1, lambda: Sub(self.e_dict(sc, cx, d - 1), K(r.choice(KEYS)))),
            (1, lambda: Bin(self.e_int(sc, cx, d - 1), ast.FloorDiv(),
                            Bin(self.e_int(sc, cx, d - 1), ast.Mod(), K(3)))),
            (1, lambda: Sub(self.e_list(sc, cx, d - 1), K(r.randint(0, 2)))),
        ])

    def q_call(self, sc, cx, d):
        self.feat["nested-desync"] += 1
        return Call(f"q{self.sfx}", [self.e_int(sc, cx, d - 1), self.e_list(sc, cx, d - 1)])

    def efn_call(self, sc, cx, d):
        name = self.r.choice(self.vars(sc, EFN))
        self.feat["nonlocal-call"] += 1
        return Call(name, [self.e_int(sc, cx, d - 1)])

    def flist_reduce(self, sc, cx, d):
        self.feat["closure-list"] += 1
        fl = self.r.choice(self.vars(sc, FLIST))
        v = self.r.choice(COMP_VARS)
        return self.pick([
            (2, lambda: Call("sum", [ast.GeneratorExp(elt=Call(v), generators=[Comp(St(v), Nm(fl))])])),
            (1, lambda: ast.IfExp(test=Nm(fl), body=Call(Sub(fl, K(-1))), orelse=K(0))),
            (1, lambda: ast.IfExp(test=Nm(fl), body=self.callee("apply0", [Sub(fl, K(0))]), orelse=K(0))),
        ])

    def iterable(self, sc, cx, d):
        """An iterable of ints for a comprehension or loop, evaluated in ``sc``."""
        r = self.r
        return self.pick([
            (4, lambda: self.e_list(sc, cx, d)),
            (2, lambda: Call("range", [Bin(self.e_int(sc, cx, d), ast.Mod(), self.small(2, 5))])),
            (1, lambda: Call("range", [self.small(1, 4)])),
            (1, lambda: Call("sorted", [self.e_list(sc, cx, d)])),
            (1, lambda: Call("map", [self.e_fn1(sc, cx, d), self.e_list(sc, cx, d)])),
            (0.5, lambda: Call("filter", [self.e_fn1(sc, cx, d), self.e_list(sc, cx, d)])),
            (0.5, lambda: Call("reversed", [self.e_list(sc, cx, d)])),
            # Advancing it prints (and may fail): plain Python never advances past an
            # element that fails.
            (0.5 if cx.io else 0, lambda: self.feature("printing-iterator", Call(
                r.choice(["walk", "Walk"]), [self.e_list(sc, cx, d)]))),
            (0.5, lambda: self.feature("generator", Call("steps", [self.small(1, 5)]))),
            # A generator or iterator the body holds, run through by the loop (a change:
            # anything before that consumes it goes first).
            (3 if cx.mut and self.vars(sc, GEN, ro_ok=False) else 0,
             lambda: self.feature("loop-over-held", Nm(r.choice(self.vars(sc, GEN, ro_ok=False))))),
            (3 if cx.mut and self.vars(sc, HGEN) else 0,
             lambda: self.feature("loop-over-held", self.held(sc))),
        ])

    def comp_scope(self, sc, var, ty=INT):
        inner = dict(sc)
        inner[var] = Var(ty)
        return inner

    def comp_cx(self, cx, lazy=False):
        # Elements of a comprehension in the body may have effects, rarely; lazy ones never.
        if lazy or not (cx.io and self.chance(0.1)):
            return replace(cx, io=False, mut=False, comp=True)
        self.feat["effect-in-comprehension"] += 1
        return replace(cx, comp=True)

    def reduce_comp(self, sc, cx, d):
        r = self.r
        v = r.choice(COMP_VARS)
        if self.chance(0.08):   # (over lists a generator keeps changing)
            it = self.feature("window-generator", Call("windows", [self.small(1, 6)]))
            inner = self.comp_scope(sc, v, LIST)
        else:
            it = self.iterable(sc, cx, d - 1)
            inner = self.comp_scope(sc, v)
        icx = self.comp_cx(cx)
        if inner[v].ty == LIST and self.chance(0.7):
            elt = self.callee(r.choice(["total", "head"]), [Nm(v)])   # (reads the window)
        else:
            elt = self.e_int(inner, icx, d - 1)
        ifs = [self.e_cond(inner, icx, d - 1)] if self.chance(0.3) else []
        gens = [Comp(St(v), it, ifs)]
        kind = r.choice(["sum", "sumlist", "len", "max", "any", "all", "sorted0", "setrows"])
        self.feat["comprehension"] += 1
        if kind == "setrows":
            # An element that may be a list: the set fails there, before the later
            # elements' calls count (session ten).
            self.feat["set-of-maybe-lists"] += 1
            maybe = ast.IfExp(test=self.e_cond(inner, icx, d - 1), body=Lst([Nm(v)]), orelse=elt)
            return Call("len", [ast.SetComp(elt=maybe, generators=gens)])
        if kind == "sum":
            return Call("sum", [ast.GeneratorExp(elt=elt, generators=gens)])
        if kind == "sumlist":
            return Call("sum", [ast.ListComp(elt=elt, generators=gens)])
        if kind == "len":
            return Call("len", [r.choice([ast.ListComp, ast.SetComp])(elt=elt, generators=gens)])
        if kind == "max":
            return Call("max", [ast.GeneratorExp(elt=elt, generators=gens)], [("default", K(0))])
        if kind in ("any", "all"):
            return Call("int", [Call(kind, [ast.GeneratorExp(elt=self.e_cond(inner, icx, d - 1), generators=gens)])])
        return Call("len", [Call("sorted", [ast.GeneratorExp(elt=elt, generators=gens)])])

    def e_cond(self, sc, cx, d, ro_ok=True):
        r = self.r
        x = lambda: self.e_int(sc, cx, d - 1)
        ops = [ast.Lt(), ast.Gt(), ast.Eq(), ast.NotEq(), ast.LtE()]
        opts = [(4, lambda: Cmp(x(), r.choice(ops), x())),
                (2, lambda: Cmp(Bin(x(), ast.Mod(), K(2)), ast.Eq(), K(r.randint(0, 1)))),
                (1, lambda: Cmp(x(), r.choice([ast.In(), ast.NotIn()]), self.e_list(sc, cx, d - 1))),
                (1, lambda: Cmp(self.key(sc, cx, d - 1), r.choice([ast.In(), ast.NotIn()]), self.e_dict(sc, cx, d - 1))),
                (1, lambda: ast.UnaryOp(op=ast.Not(), operand=self.e_list(sc, cx, d - 1))),
                (1, lambda: self.e_list(sc, cx, d - 1)),
                # A chain: its last operand (calls, a failure) only if the first holds.
                (1, lambda: self.feature("chained-compare", ast.Compare(
                    left=x(), ops=[r.choice(ops), r.choice(ops)],
                    comparators=[x(), self.callee(r.choice(["shown", "said"]), [x()])
                                 if cx.io and r.random() < 0.5
                                 else x()])))]
        if d > 1:
            # Two or three operands: ``a and b() and c`` once lost its third (textwrap).
            opts += [(1, lambda: ast.BoolOp(op=r.choice([ast.And(), ast.Or()]),
                                            values=[self.e_cond(sc, cx, d - 1)
                                                    for _ in range(r.choice((2, 2, 3)))])),
                     (0.5, lambda: self.anyall(sc, cx, d))]
        return self.pick(opts)

    def anyall(self, sc, cx, d):
        v = self.r.choice(COMP_VARS)
        it = self.iterable(sc, cx, d - 1)
        inner = self.comp_scope(sc, v)
        elt = self.e_cond(inner, replace(cx, io=False, mut=False), d - 1)
        self.feat["any/all"] += 1
        lazy = self.r.random()
        lists = self.vars(sc, LIST, ro_ok=False) if cx.mut else []
        if lists and lazy < 0.3:
            # ``any(map(lambda v: seen.append(v) or ..., xs))``: the appends stop where
            # any() stops (session ten: they ran to the end).
            self.feat["any/all over map of an appending lambda"] += 1
            L = self.r.choice(lists)
            # (bounded: ``L`` may be the list mapped over, or alias it, and plain Python
            # would then append forever)
            append = ast.BoolOp(op=ast.And(), values=[
                Cmp(Call("len", [Nm(L)]), ast.Lt(), K(9)), Call(At(L, "append"), [Nm(v)])])
            fn = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=v)], kwonlyargs=[],
                                               kw_defaults=[], defaults=[]),
                            body=ast.BoolOp(op=ast.Or(), values=[append, elt]))
            return Call(self.r.choice(["any", "all"]), [Call("map", [fn, it])])
        lazy = self.r.random()   # (drawn again: the odds above are the appending lambda's)
        if lazy < 0.15:
            # An iterator, not a container: any() stops early and its next items never
            # run (``map(f, xs)`` once ran to its end under desync, past a failure).
            it = Call("map", [Nm("f"), it])
            self.feat["any/all over map"] += 1
        elif lazy < 0.25:
            it = Call("iter", [it])
            self.feat["any/all over iter"] += 1
        return Call(self.r.choice(["any", "all"]), [ast.GeneratorExp(elt=elt, generators=[Comp(St(v), it)])])

    def key(self, sc, cx, d):
        return self.pick([(5, lambda: K(self.r.choice(KEYS))),
                          (1, lambda: self.e_str(sc, cx, d)),
                          (1, lambda: self.callee("label", [self.e_int(sc, cx, d - 1)]) if d > 0 else K("a"))])

    def e_str(self, sc, cx, d, ro_ok=True):
        r = self.r
        strs = self.vars(sc, STR)
        s = lambda: self.e_str(sc, cx, d - 1)
        x = lambda: self.e_int(sc, cx, d - 1)
        opts = [(2, lambda: K(r.choice(STRS))), (6 if strs else 0, lambda: Nm(r.choice(strs)))]
        if d > 0:
            opts += [
                (3, lambda: self.callee("label", [x()])),
                (1, lambda: self.callee("up", [s()])),
                (1, lambda: self.callee("join", [self.e_list(sc, cx, d - 1)])),
                (3, lambda: self.fstring(sc, cx, d)),
                (1, lambda: Sub(Bin(s(), ast.Add(), s()), Slice(None, K(12)))),
                (1, lambda: Sub(s(), Slice(None, K(3)))),
                (1, lambda: Call("str", [x()])),
                (1, lambda: Call("repr", [self.e_list(sc, cx, d - 1)])),
                (1, lambda: self.join_comp(sc, cx, d)),
                (0.5, lambda: Call(At(K(","), "join"), [Call("sorted", [self.e_dict(sc, cx, d - 1)])])),
                (1 if self.vars(sc, BOX) else 0, lambda: At(self.e_box(sc, cx, d - 1), "tag")),
                (2 if self.vars(sc, EXC) else 0, lambda: self.exc_text(sc)),
            ]
            if cx.mut and self.vars(sc, IO, ro_ok=False):
                opts.append((1, lambda: self.feature("getvalue", Call(At(r.choice(self.vars(sc, IO)), "getvalue")))))
        return self.pick(opts)

    def exc_text(self, sc):
        e = self.r.choice(self.vars(sc, EXC))
        return self.r.choice([Call("str", [Nm(e)]), At(Call("type", [Nm(e)]), "__name__"), Call("repr", [Nm(e)])])

    def fstring(self, sc, cx, d):
        r = self.r
        self.feat["f-string"] += 1
        parts = []
        for i in range(r.randint(1, 3)):
            if i:
                parts.append(K(r.choice([":", "-", " "])))
            ty = r.choice([INT, INT, STR, LIST])
            conv = r.choice([-1, -1, -1, ord("r")]) if ty != INT else -1
            spec = None
            if ty == INT and self.chance(0.2):
                spec = ast.JoinedStr(values=[K(r.choice([">3", "03d", "x"]))])
            parts.append(ast.FormattedValue(value=self.expr(ty, sc, cx, d - 1), conversion=conv, format_spec=spec))
        return ast.JoinedStr(values=parts)

    def join_comp(self, sc, cx, d):
        v = self.r.choice(COMP_VARS)
        it = self.iterable(sc, cx, d - 1)
        inner = self.comp_scope(sc, v)
        self.feat["join-genexp"] += 1
        elt = Call("str", [self.e_int(inner, self.comp_cx(cx), d - 1)])
        return Call(At(K(self.r.choice(["", ",", "/"])), "join"), [ast.GeneratorExp(elt=elt, generators=[Comp(St(v), it)])])

    def e_list(self, sc, cx, d, ro_ok=True):
        r = self.r
        lists = self.vars(sc, LIST, ro_ok)
        x = lambda: self.e_int(sc, cx, d - 1)
        lst = lambda: self.e_list(sc, cx, d - 1)
        opts = [(2, lambda: Lst([self.small() for _ in range(r.randint(0, 3))])),
                (8 if lists else 0, lambda: Nm(r.choice(lists)))]
        if d > 0:
            opts += [
                (2, lambda: Lst([x() for _ in range(r.randint(1, 3))])),
                (3, lambda: self.callee("mk", [x()])),
                (1, lambda: Call("list", [Call("range", [Bin(x(), ast.Mod(), K(4))])])),
                (1, lambda: Call("sorted", [lst()])),
                (1, lambda: self.feature("sorted-key", Call("sorted", [lst()], [("key", self.e_fn1(sc, cx, d - 1))]))),
                (3, lambda: self.list_comp(sc, cx, d)),
                (1, lambda: self.feature("map", Call("list", [Call("map", [self.e_fn1(sc, cx, d - 1), lst()])]))),
                (1, lambda: Sub(Bin(lst(), ast.Add(), lst()), Slice(None, K(8)))),
                (1, lambda: Sub(lst(), Slice(K(1), None))),
                (0.5, lambda: Sub(lst(), Slice(None, None, K(-1)))),
                (1, lambda: Call("list", [lst()])),
                (0.5, lambda: Lst([ast.Starred(value=lst(), ctx=ast.Load()), x()])),
                (1 if self.vars(sc, BOX) else 0, lambda: At(self.e_box(sc, cx, d - 1), "items")),
                (1 if self.vars(sc, LLIST) else 0, lambda: self.llist_elem(sc)),
                (0.5, lambda: Call("list", [Call(At(self.e_dict(sc, cx, d - 1), "values"))])),
            ]
            if cx.mut and self.vars(sc, DLIST, ro_ok=False):
                opts += [(2, lambda: self.feature("setdefault", Call(At(r.choice(self.vars(sc, DLIST, False)), "setdefault"), [self.key(sc, cx, d - 1), Lst([])])))]
            if self.vars(sc, DLIST):
                opts += [(0.5, lambda: Call(At(r.choice(self.vars(sc, DLIST)), "get"), [self.key(sc, cx, d - 1), Lst([])]))]
            if cx.io:
                opts += [(1, lambda: self.feature("module-list", Nm(self.REG))),
                         (1, lambda: self.feature("class-attr", At(self.KC, "items"))),
                         (0.5 if cx.method else 0, lambda: At("self", "log"))]
            if cx.mut and self.vars(sc, GEN, ro_ok=False):
                opts += [(1, lambda: self.feature("lazy-consume", Call("list", [Nm(r.choice(self.vars(sc, GEN)))])))]
            if cx.mut and self.vars(sc, HGEN):
                opts += [(4, lambda: self.feature("held-consume", Call(r.choice(["list", "sorted"]), [self.held(sc)]))),
                         (2, lambda: self.feature("held-consume", ast.ListComp(
                             elt=Nm("w"), generators=[Comp(St("w"), self.held(sc))])))]
        return self.pick(opts)

    def llist_elem(self, sc):
        ll = self.r.choice(self.vars(sc, LLIST))
        self.feat["row-of-table"] += 1
        return ast.IfExp(test=Nm(ll), body=Sub(ll, K(self.r.choice([0, -1]))), orelse=Lst([]))

    def list_comp(self, sc, cx, d):
        v = self.r.choice(COMP_VARS)
        it = self.iterable(sc, cx, d - 1)
        inner = self.comp_scope(sc, v)
        icx = self.comp_cx(cx)
        ifs = [self.e_cond(inner, icx, d - 1)] if self.chance(0.3) else []
        gens = [Comp(St(v), it, ifs)]
        # a second generator; its variable must be new: the first part must not read it
        free = [n for n in COMP_VARS + ["u", "z"] if n != v and n not in sc]
        if free and self.chance(0.15):
            w = self.r.choice(free)
            gens.append(Comp(St(w), Call("range", [self.small(1, 3)])))
            inner = self.comp_scope(inner, w)
        self.feat["comprehension"] += 1
        return ast.ListComp(elt=self.e_int(inner, icx, d - 1), generators=gens)

    def e_llist(self, sc, cx, d, ro_ok=True):
        r = self.r
        lists = self.vars(sc, LIST, ro_ok=False)
        opts = [(2, lambda: Lst([])), (6 if self.vars(sc, LLIST) else 0, lambda: Nm(r.choice(self.vars(sc, LLIST))))]
        if d > 0:
            opts += [
                (3 if lists else 0, lambda: self.feature("container-of-lists", Lst([Nm(r.choice(lists)) for _ in range(r.randint(1, 2))]))),
                (1, lambda: Lst([self.e_list(sc, cx, d - 1, ro_ok=False)])),
                (2, lambda: self.callee("rows", [self.e_int(sc, cx, d - 1)])),
                (1, lambda: self.feature("list-times", Bin(Lst([self.e_list(sc, cx, d - 1, ro_ok=False)]), ast.Mult(), K(2)))),
                (1, lambda: self.nested_comp(sc, cx, d)),
            ]
        return self.pick(opts)

    def nested_comp(self, sc, cx, d):
        v = self.r.choice(COMP_VARS)
        it = self.iterable(sc, cx, d - 1)
        inner = self.comp_scope(sc, v)
        return ast.ListComp(elt=Lst([Nm(v), self.e_int(inner, replace(cx, io=False, mut=False), d - 1)]),
                            generators=[Comp(St(v), it)])

    def e_dict(self, sc, cx, d, ro_ok=True):
        r = self.r
        x = lambda: self.e_int(sc, cx, d - 1)
        opts = [(2, lambda: ast.Dict(keys=[], values=[])),
                (6 if self.vars(sc, DICT) else 0, lambda: Nm(r.choice(self.vars(sc, DICT))))]
        if d > 0:
            opts += [
                (2, lambda: ast.Dict(keys=[K(k) for k in r.sample(KEYS, r.randint(1, 2))],
                                     values=None)),
                (2, lambda: self.dict_comp(sc, cx, d)),
                (1, lambda: Call("dict", [self.e_dict(sc, cx, d - 1)])),
                (0.5, lambda: ast.Dict(keys=[None, K(r.choice(KEYS))], values=[self.e_dict(sc, cx, d - 1), x()])),
            ]
        node = self.pick(opts)
        if isinstance(node, ast.Dict) and node.values is None:
            node.values = [x() for _ in node.keys]
        return node

    def dict_comp(self, sc, cx, d):
        v = self.r.choice(COMP_VARS)
        it = self.iterable(sc, cx, d - 1)
        inner = self.comp_scope(sc, v)
        icx = replace(cx, io=False, mut=False)
        self.feat["dict-comprehension"] += 1
        key = self.pick([(2, lambda: self.callee("label", [Nm(v)])), (1, lambda: Call("str", [Nm(v)]))])
        return ast.DictComp(key=key, value=self.e_int(inner, icx, d - 1), generators=[Comp(St(v), it)])

    def e_dlist(self, sc, cx, d, ro_ok=True):
        r = self.r
        lists = self.vars(sc, LIST, ro_ok=False)
        opts = [(2, lambda: ast.Dict(keys=[], values=[])),
                (6 if self.vars(sc, DLIST) else 0, lambda: Nm(r.choice(self.vars(sc, DLIST))))]
        if d > 0:
            opts += [(2 if lists else 0, lambda: self.feature("list-in-dict", ast.Dict(keys=[K(r.choice(KEYS))], values=[Nm(r.choice(lists))]))),
                     (1, lambda: ast.DictComp(key=K("k"), value=Lst([]), generators=[Comp(St("v"), Call("range", [K(1)]))]))]
        return self.pick(opts)

    def e_box(self, sc, cx, d, ro_ok=True):
        r = self.r
        opts = [(1, lambda: Call("Box", [self.small()])),
                (6 if self.vars(sc, BOX) else 0, lambda: Nm(r.choice(self.vars(sc, BOX))))]
        if d > 0:
            opts += [(1, lambda: Call("Box", [self.e_int(sc, cx, d - 1), self.e_str(sc, cx, d - 1)])),
                     (1, lambda: self.callee("mkbox", [self.e_int(sc, cx, d - 1)]))]
        return self.pick(opts)

    def e_tup(self, sc, cx, d, ro_ok=True):
        opts = [(1, lambda: Tup([self.small(), self.small()])),
                (4 if self.vars(sc, TUP) else 0, lambda: Nm(self.r.choice(self.vars(sc, TUP))))]
        if d > 0:
            opts += [(3, lambda: self.callee("pair", [self.e_int(sc, cx, d - 1)])),
                     (1, lambda: Call("divmod", [self.e_int(sc, cx, d - 1), self.small(1, 5)])),
                     (1, lambda: Tup([self.e_int(sc, cx, d - 1), self.e_int(sc, cx, d - 1)]))]
        return self.pick(opts)

    def e_fn1(self, sc, cx, d, ro_ok=True):
        r = self.r
        fns = self.vars(sc, FN1) if cx.body else []
        opts = [(1, lambda: Nm(r.choice(["f", "g"]))),
                (4 if fns else 0, lambda: Nm(r.choice(fns))),
                (4, lambda: self.lambda1(sc, d)),
                # A function that prints, passed along (``sorted(xs, key=shown)``): its
                # prints happen where plain Python makes them.
                (1 if cx.io else 0, lambda: self.feature("effect-fn", self.pick([
                    (1, lambda: Nm(r.choice(["shown", "said"]))),
                    (1, lambda: Lam(["v"], Call(r.choice(["shown", "said"]), [Nm("v")])))])))]
        return self.pick(opts)

    def recording_lambda(self, sc, cx, d):
        """``lambda v: ys.append(v) or v``: the callee that runs it changes the body's
        own list (handed to ``apply``-like callees only: ``map`` over ``ys`` itself
        would never end, and so would a loop over ``ys``: not while iterating)."""
        lists = self.vars(sc, LIST, ro_ok=False) if cx.body and cx.mut and not cx.iterating \
            else []
        if not lists:
            return self.e_fn1(sc, cx, d)
        self.feat["recording-lambda"] += 1
        return Lam(["v"], ast.BoolOp(op=ast.Or(), values=[
            Call(At(Nm(self.r.choice(lists)), "append"), [Nm("v")]), Nm("v")]))

    def handed_over(self, sc, cx, d, x):
        """Code the callee runs, handed over inside something: functions in a list,
        tuple or dict, a class whose ``__init__`` prints, an object with ``__call__``."""
        r = self.r
        fns = lambda: [self.pick([(3, lambda: self.e_fn1(sc, cx, d - 1)),
                                  (1, lambda: self.recording_lambda(sc, cx, d - 1))])
                       for _ in range(r.randint(1, 2))]
        opts = [(2, lambda: self.callee("apply_each", [Lst(fns()), x()])),
                (1, lambda: self.callee("apply_each", [Tup(fns()), x()])),
                (1, lambda: self.callee("apply_each", [
                    ast.Dict(keys=[K("a"), K("b")], values=fns()[:1] * 2), x()]))]
        if cx.io:
            opts += [(1, lambda: self.callee("make_with", [Nm("Shouter"), x()])),
                     (1, lambda: self.callee("make_with", [Call("Caller"), x()]))]
        return self.pick(opts)

    def lambda1(self, sc, d):
        r = self.r
        p = r.choice(["v", "w", "x"])
        inner = self.closure_scope(sc)
        inner[p] = Var(INT)
        defaults = []
        params = [p]
        self.feat["lambda"] += 1
        ints = [n for n in self.vars(sc, INT) if sc[n].capture and n != p]
        if ints and self.chance(0.25):
            q = r.choice(ints)
            params.append(q)
            defaults.append(Nm(q))
            inner[q] = Var(INT)
            self.feat["default-arg-capture"] += 1
        body = self.e_int(inner, Ctx(io=False, mut=False, body=False), max(d - 1, 1))
        return Lam(params, body, defaults)

    def e_fn0(self, sc, cx, d, ro_ok=True):
        r = self.r
        fns = self.vars(sc, FN0) if cx.body else []
        opts = [(4 if fns else 0, lambda: Nm(r.choice(fns))), (4, lambda: self.lambda0(sc, d))]
        return self.pick(opts)

    def lambda0(self, sc, d, capture_default=None):
        inner = self.closure_scope(sc)
        self.feat["lambda"] += 1
        if capture_default:
            self.feat["default-arg-capture"] += 1
            inner[capture_default] = Var(INT)
            body = self.e_int(inner, Ctx(io=False, mut=False, body=False), max(d - 1, 1))
            return Lam([capture_default], body, [Nm(capture_default)])
        body = self.e_int(inner, Ctx(io=False, mut=False, body=False), max(d - 1, 1))
        return Lam([], body)

    def e_flist(self, sc, cx, d, ro_ok=True):
        r = self.r
        opts = [(3, lambda: Lst([])), (4 if self.vars(sc, FLIST) else 0, lambda: Nm(r.choice(self.vars(sc, FLIST))))]
        if d > 0:
            opts += [(1, lambda: Lst([self.lambda0(sc, d - 1)])),
                     (1, lambda: self.lambdas_in_comprehension())]
        return self.pick(opts)

    def lambdas_in_comprehension(self):
        """[lambda: i * 2 for i in ...] (late binding: all see the last i) or with i=i."""
        self.feat["lambda-in-comprehension"] += 1
        body = Bin(Nm("i"), ast.Mult(), self.small(1, 3))
        lam = Lam(["i"], body, [Nm("i")]) if self.chance(0.5) else Lam([], body)
        return ast.ListComp(elt=lam, generators=[Comp(St("i"), Call("range", [self.small(1, 3)]))])

    def e_gen(self, sc, cx, d, ro_ok=True):
        r = self.r
        v = r.choice(COMP_VARS)
        csc = self.closure_scope(sc)
        it = self.iterable(csc, replace(cx, io=False, mut=False), d - 1)
        inner = self.comp_scope(csc, v)
        pure = Ctx(io=False, mut=False, body=False)
        self.feat["lazy-generator"] += 1
        return self.pick([
            (3, lambda: ast.GeneratorExp(elt=self.e_int(inner, pure, d - 1), generators=[Comp(St(v), it)])),
            (1, lambda: Call("map", [self.e_fn1(csc, pure, d - 1), self.e_list(csc, pure, d - 1)])),
            (1, lambda: Call("iter", [self.e_list(csc, pure, d - 1)])),
        ])

    def e_io(self, sc, cx, d, ro_ok=True):
        return Call("io.StringIO")

    def e_cfg(self, sc, cx, d, ro_ok=True):
        return self.callee("cfg", [self.e_int(sc, cx, d - 1)])

    # -- statements ---------------------------------------------------------------------------
    def block(self, sc, cx, n=None):
        """Statements; returns (list, scope after or None when the block never falls through)."""
        if n is None:
            n = self.r.randint(1, 3)
        out = []
        for i in range(n):
            nodes, after = self.stmt(sc, cx, last=(i == n - 1))
            out += nodes
            if after is None:
                return out, None
            sc = after
        if not out:
            out = [ast.Pass()]
        return out, sc

    def stmt(self, sc, cx, last=False):
        self.budget -= 1
        d = 3
        compound = self.budget > 0 and cx.depth < 3
        r = self.r
        mut, io = cx.mut, cx.io
        opts = [
            (8, lambda: self.s_assign(sc, cx, d)),
            (1 if mut else 0, lambda: self.s_multi(sc, cx, d)),
            (1 if mut else 0, lambda: self.s_alias(sc, cx)),
            (1.5 if mut and self.vars(sc, BOX, ro_ok=False) else 0,
             lambda: self.s_box_part(sc, r.choice(self.vars(sc, BOX, ro_ok=False)))),
            (2, lambda: self.s_unpack(sc, cx, d)),
            (1 if mut else 0, lambda: self.s_unpack_targets(sc, cx, d)),
            (3, lambda: self.s_aug(sc, cx, d)),
            (6 if mut else 0, lambda: self.s_mutate(sc, cx, d)),
            (3 if mut else 0, lambda: self.s_store(sc, cx, d)),
            (1 if mut else 0, lambda: self.s_del(sc, cx, d)),
            (5 if io else 0, lambda: self.s_effect(sc, cx, d)),
            (2, lambda: self.s_call_stmt(sc, cx, d)),
            (0.3, lambda: self.s_assert(sc, cx, d)),
            (1, lambda: self.s_def_pure(sc, cx)),
            (1 if io and cx.body else 0, lambda: self.s_def_nonlocal(sc, cx)),
            (0.5 if io and cx.body else 0, lambda: self.s_def_global(sc, cx)),
            (2 if mut else 0, lambda: self.s_closure_store(sc, cx, d)),
            (1 if mut else 0, lambda: self.s_gen(sc, cx, d)),
            (1 if mut and (self.vars(sc, GEN, ro_ok=False) or self.vars(sc, HGEN)) else 0,
             lambda: self.s_unpack_held(sc)),
            (2 if io else 0, lambda: self.s_module_state(sc, cx, d)),
            (2 if cx.method and io else 0, lambda: self.s_method(sc, cx, d)),
            (1, lambda: self.s_walrus(sc, cx, d)),
            (0.4, lambda: self.s_maybe_unbound(sc, cx, d)),
            (0.4, lambda: self.s_lookup_first(sc, cx, d)),
            (0.5 if self.clock and io else 0, lambda: self.s_clock(sc, cx, d)),
            (4 if compound else 0, lambda: self.s_if(sc, cx)),
            (1 if compound else 0, lambda: self.s_match(sc, cx)),
            (4 if compound else 0, lambda: self.s_for(sc, cx)),
            (2 if compound else 0, lambda: self.s_fetch_loop(sc, cx)),
            (1 if compound else 0, lambda: self.s_while(sc, cx)),
            (4 if compound else 0, lambda: self.s_try(sc, cx)),
            (3 if compound and io else 0, lambda: self.s_with(sc, cx)),
        ]
        if last and cx.depth > 0:
            opts += [(1, lambda: self.s_return(sc, cx)),
                     (3 if cx.handler else 1, lambda: self.s_raise(sc, cx)),
                     (2 if cx.loop else 0, lambda: self.s_break(sc, cx)),
                     (2 if cx.handler else 0, lambda: self.s_reraise(sc, cx))]
        return self.pick(opts)

    def s_assign(self, sc, cx, d):
        r = self.r
        ty = r.choice([INT, INT, INT, STR, STR, LIST, LIST, LLIST, DICT, DLIST, BOX, TUP] + ([IO, CFG] if cx.mut else []))
        if ty in (IO,) and self.vars(sc, IO):
            ty = INT
        name = self.name_for(sc, ty)
        if ty == INT and self.chance(0.2) and self.vars(sc, INT):
            # a rebinding that reads the name itself: closures created before see the new value
            value = Bin(Nm(r.choice(self.vars(sc, INT))), ast.Add(), self.e_int(sc, cx, d - 1))
        else:
            value = self.expr(ty, sc, cx, d, ro_ok=False)
        after = dict(sc)
        after[name] = Var(ty)
        return [Assign([St(name)], value)], after

    def s_multi(self, sc, cx, d):
        ty = self.r.choice([LIST, LIST, DICT, BOX])
        a = self.name_for(sc, ty)
        after = dict(sc)
        after[a] = Var(ty)
        b = self.name_for(after, ty)
        if b == a:
            b = self.fresh(POOLS[ty][0])
        after[b] = Var(ty)
        self.feat["multi-target"] += 1
        value = Lst([]) if ty == LIST else ast.Dict(keys=[], values=[]) if ty == DICT else Call("Box", [self.small()])
        return [Assign([St(a), St(b)], value)], after

    def s_alias(self, sc, cx):
        ty = self.r.choice([LIST, LIST, DICT, BOX, LLIST])
        boxes = self.vars(sc, BOX, ro_ok=False)
        if ty == LIST and boxes and self.chance(0.4):
            return self.s_box_part(sc, self.r.choice(boxes))
        src = self.vars(sc, ty, ro_ok=False)
        if not src:
            return self.s_multi(sc, cx, 2)
        name = self.name_for(sc, ty)
        self.feat["alias"] += 1
        after = dict(sc)
        after[name] = Var(ty)
        return [Assign([St(name)], Nm(self.r.choice(src)))], after

    def s_box_part(self, sc, B):
        """A name for a box's list, taken through its attribute or ``getattr`` (session
        ten: reads through such names missed an augmented store or a setter). Names
        taken through a method or a property are a known gap (docs/semantics.md)."""
        name = self.name_for(sc, LIST)
        part = self.pick([(2, lambda: At(B, "items")),
                          (1, lambda: Call("getattr", [Nm(B), K("items")]))])
        self.feat["box-part-alias"] += 1
        after = dict(sc)
        after[name] = Var(LIST)
        return [Assign([St(name)], part)], after

    def tally(self, sc, cx, d):
        """``Tally(mk(x))``: an iterator that prints when asked for an iterator."""
        return self.feature("tally", Call("Tally", [self.callee("mk", [self.e_int(sc, cx, d - 1)])]))

    def s_unpack(self, sc, cx, d):
        r = self.r
        ints = self.vars(sc, INT, False)
        after = dict(sc)
        kind = r.choice(["pair", "swap", "star", "list"])
        if kind == "swap" and len(ints) >= 2:
            a, b = r.sample(ints, 2)
            self.feat["swap"] += 1
            return [Assign([Tup([St(a), St(b)], True)], Tup([Nm(b), Nm(a)]))], after
        a = self.name_for(sc, INT)
        after[a] = Var(INT)
        b = self.name_for(after, INT)
        if b == a:
            b = self.fresh("u")
        after[b] = Var(INT)
        if kind == "star":
            del after[b]
            rest = self.name_for(after, LIST)
            after[rest] = Var(LIST)
            self.feat["star-unpack"] += 1
            target = r.choice([[St(a), ast.Starred(value=St(rest), ctx=ast.Store())],
                               [ast.Starred(value=St(rest), ctx=ast.Store()), St(a)]])
            value = self.pick([(1, lambda: self.callee("mk", [self.e_int(sc, cx, d - 1)])),
                               (1, lambda: Lst([self.e_int(sc, cx, d - 1) for _ in range(r.randint(1, 3))])),
                               (0.5 if cx.io else 0, lambda: self.tally(sc, cx, d))])
            return [Assign([Tup(target, True)], value)], after
        self.feat["unpack"] += 1
        value = self.e_tup(sc, cx, d)
        if kind == "list":
            value = self.callee("mk", [self.e_int(sc, cx, d - 1)])
            target = ast.List(elts=[St(a), St(b)], ctx=ast.Store())
        elif cx.io and r.random() < 0.2:
            value = self.tally(sc, cx, d)
            target = Tup([St(a), St(b)], True)
        else:
            target = Tup([St(a), St(b)], True)
        return [Assign([target], value)], after

    def store_target(self, sc, cx, d):
        """An item or attribute target that always exists (no guard needed)."""
        r = self.r
        opts = [(2 if self.vars(sc, DICT, False) else 0, lambda: (Sub(r.choice(self.vars(sc, DICT, False)), self.key(sc, cx, d - 1), True), INT)),
                (2 if self.vars(sc, BOX, False) else 0, lambda: (At(r.choice(self.vars(sc, BOX, False)), "n", True), INT)),
                (1 if self.vars(sc, BOX, False) else 0, lambda: (At(r.choice(self.vars(sc, BOX, False)), "tag", True), STR)),
                (1 if self.vars(sc, DLIST, False) else 0, lambda: (Sub(r.choice(self.vars(sc, DLIST, False)), K(r.choice(KEYS)), True), LIST)),
                (1 if cx.method else 0, lambda: (At("self", "v", True), INT)),
                (1 if cx.io else 0, lambda: (At(self.KC, "count", True), INT))]
        if not any(w for w, _ in opts):
            return None
        return self.pick(opts)

    def s_unpack_targets(self, sc, cx, d):
        t1 = self.store_target(sc, cx, d)
        t2 = self.store_target(sc, cx, d)
        if t1 is None or t2 is None or t1[1] != INT or t2[1] != INT:
            return self.s_unpack(sc, cx, d)
        self.feat["unpack-into-attr/item"] += 1
        return [Assign([Tup([t1[0], t2[0]], True)], self.e_tup(sc, cx, d))], dict(sc)

    def s_aug(self, sc, cx, d):
        r = self.r
        ints = self.vars(sc, INT, False)
        strs = self.vars(sc, STR, False)
        lists = self.vars(sc, LIST, False)
        x = lambda: self.e_int(sc, cx, d - 1)
        opts = [(4 if ints else 0, lambda: Aug(St(r.choice(ints)), r.choice([ast.Add(), ast.Sub(), ast.Mult()]), x())),
                (2 if strs else 0, lambda: Aug(St(r.choice(strs)), ast.Add(), Sub(self.e_str(sc, cx, d - 1), Slice(None, K(4)))))]
        if cx.mut:
            target = self.store_target(sc, cx, d)
            opts += [(2 if lists else 0, lambda: self.feature("aug-list", self.grow(sc, cx, r.choice(lists), Aug(St("_"), ast.Add(), Lst([x()]))))),
                     (3 if target and target[1] == INT else 0, lambda: self.aug_target(target[0], x())),
                     (1 if lists else 0, lambda: self.feature("aug-item", If(Nm(lists[0]), [Aug(Sub(lists[0], K(r.choice([0, -1])), True), ast.Add(), x())])))]
        if cx.io:
            opts.append((1, lambda: self.global_aug(sc, cx, d)))
        if not any(w for w, _ in opts):
            return self.s_assign(sc, cx, d)
        return [self.pick(opts)], dict(sc)

    def aug_target(self, target, value):
        if isinstance(target, ast.Subscript):  # only when the key is there: d[k] += v
            self.feat["aug-item"] += 1
            key = copy.deepcopy(target.slice)
            return If(Cmp(key, ast.In(), Nm(target.value.id)), [Aug(target, ast.Add(), value)])
        self.feat["aug-attr"] += 1
        return Aug(target, self.r.choice([ast.Add(), ast.Sub()]), value)

    def global_aug(self, sc, cx, d):
        self.global_writes = True
        self.feat["global-write"] += 1
        if self.chance(0.5):
            return Aug(St(self.G), ast.Add(), self.e_int(sc, cx, d - 1))
        return Assign([St(self.G)], self.e_int(sc, cx, d - 1))

    def grow(self, sc, cx, name, node):
        """A statement that grows the list ``name``: guarded when a loop may iterate it."""
        if isinstance(node, ast.AugAssign):
            node.target = St(name)
        if cx.iterating:
            self.feat["grow-while-iterating"] += 1
            return keep(If(Cmp(Call("len", [Nm(name)]), ast.Lt(), K(9)), [node]), "guard")
        return node

    def grow_expr(self, cx, target, node):
        """Like grow, for a list reached through an expression (``t[0]``, ``box.items``)."""
        if cx.iterating:
            self.feat["grow-while-iterating"] += 1
            return keep(If(Cmp(Call("len", [target]), ast.Lt(), K(9)), [node]), "guard")
        return node

    def s_mutate(self, sc, cx, d):
        r = self.r
        lists = self.vars(sc, LIST, False)
        x = lambda: self.e_int(sc, cx, d - 1)
        opts = []
        if lists:
            L = r.choice(lists)
            opts += [
                (6, lambda: self.grow(sc, cx, L, Expr(Call(At(L, "append"), [x()])))),
                (1, lambda: self.grow(sc, cx, L, Expr(Call(At(L, "extend"), [Sub(self.e_list(sc, cx, d - 1), Slice(None, K(3)))])))),
                (1, lambda: self.grow(sc, cx, L, Expr(Call(At(L, "insert"), [K(0), x()])))),
                (1, lambda: If(Nm(L), [Expr(Call(At(L, "pop")))])),
                (1, lambda: Expr(Call(At(L, r.choice(["sort", "reverse", "clear"]))))),
                (0.5, lambda: If(Cmp(x(), ast.In(), Nm(L)), [Expr(Call(At(L, "remove"), [x()]))])),
                (0.5, lambda: self.feature("random", Expr(Call("random.shuffle", [Nm(L)]))) if cx.io else Expr(Call(At(L, "sort")))),
            ]
        lls = self.vars(sc, LLIST, False)
        if lls:
            T = r.choice(lls)
            row = lambda: Sub(T, K(r.choice([0, -1])))
            opts += [(2, lambda: self.grow(sc, cx, T, Expr(Call(At(T, "append"), [self.e_list(sc, cx, d - 1, ro_ok=False)])))),
                     (2, lambda: self.feature("mutate-row", If(Nm(T), [self.grow_expr(cx, row(), Expr(Call(At(row(), "append"), [x()])))])))]
        dls = self.vars(sc, DLIST, False)
        if dls:
            D = r.choice(dls)
            opts += [(3, lambda: self.feature("setdefault-append", Expr(Call(At(Call(At(D, "setdefault"), [self.key(sc, cx, d - 1), Lst([])]), "append"), [x()]))))]
        dicts = self.vars(sc, DICT, False)
        if dicts:
            D2 = r.choice(dicts)
            opts += [(1, lambda: Expr(Call(At(D2, "update"), [self.e_dict(sc, cx, d - 1)]))),
                     (1, lambda: Expr(Call(At(D2, "setdefault"), [self.key(sc, cx, d - 1), x()]))),
                     (0.5, lambda: Expr(Call(At(D2, "clear"))))]
        boxes = self.vars(sc, BOX, False)
        if boxes:
            B = r.choice(boxes)
            opts += [(2, lambda: self.feature("method-mutates", Expr(Call(At(B, "add"), [x()])))),
                     (1, lambda: self.feature("method-mutates-vars", Expr(Call(At(B, "bump"), [x()])))),
                     (1, lambda: self.feature("method-mutates-a-part", Expr(Call(
                         At(B, r.choice(["push", "put", "stash"])), [x()])))),
                     (2, lambda: self.grow_expr(cx, At(B, "items"), Expr(Call(At(At(B, "items"), "append"), [x()])))),
                     (3, lambda: self.feature("aug-attribute", self.grow_expr(cx, At(B, "items"), Aug(At(B, "items", True), ast.Add(), Lst([x()]))))),
                     (3, lambda: self.feature("property-setter", self.grow_expr(cx, At(B, "items"), Assign([At(B, "last", True)], x()))))]
        if not opts:
            return self.s_assign(sc, cx, d)
        node = self.pick(opts)
        return [node], dict(sc)

    def s_store(self, sc, cx, d):
        r = self.r
        target = self.store_target(sc, cx, d)
        lists = self.vars(sc, LIST, False)
        opts = []
        if target is not None:
            t, ty = target
            opts.append((4, lambda: Assign([t], self.expr(ty, sc, cx, d - 1, ro_ok=False))))
        if lists:
            L = r.choice(lists)
            opts.append((1, lambda: If(Nm(L), [Assign([Sub(L, K(r.choice([0, -1])), True)], self.e_int(sc, cx, d - 1))])))
        boxes = self.vars(sc, BOX, False)
        if boxes and lists:
            opts.append((1, lambda: self.feature("store-list-in-attr", Assign([At(r.choice(boxes), "items", True)], Nm(r.choice(lists))))))
        if not opts:
            return self.s_assign(sc, cx, d)
        return [self.pick(opts)], dict(sc)

    def s_del(self, sc, cx, d):
        r = self.r
        dicts = self.vars(sc, DICT, False) + self.vars(sc, DLIST, False)
        lists = self.vars(sc, LIST, False)
        opts = []
        if dicts:
            D = r.choice(dicts)
            k = K(r.choice(KEYS))
            opts.append((2, lambda: If(Cmp(k, ast.In(), Nm(D)), [ast.Delete(targets=[Sub(D, k, True)])])))
            opts.append((1, lambda: Expr(Call(At(D, "pop"), [k, K(None)]))))
        if lists:
            L = r.choice(lists)
            opts.append((1, lambda: If(Nm(L), [ast.Delete(targets=[Sub(L, K(0), True)])])))
            opts.append((1, lambda: ast.Delete(targets=[Sub(L, Slice(None, K(1)), True)])))
        if not opts:
            return self.s_assign(sc, cx, d)
        self.feat["del"] += 1
        return [self.pick(opts)], dict(sc)

    def s_effect(self, sc, cx, d):
        r = self.r
        if not self.vars(sc, IO, False) and self.chance(0.12):
            name = self.name_for(sc, IO)
            after = dict(sc)
            after[name] = Var(IO)
            self.feat["print-file"] += 1
            first = Assign([St(name)], Call("io.StringIO"))
            return [first, Expr(Call("print", [self.e_int(sc, cx, d - 1)], [("file", Nm(name))]))], after
        x = lambda: self.e_int(sc, cx, d - 1)
        s = lambda: self.e_str(sc, cx, d - 1)
        anyv = lambda: self.expr(r.choice([INT, STR, LIST, DICT]), sc, cx, d - 1)
        ios = self.vars(sc, IO, False)
        opts = [
            (4, lambda: self.feature("print", Expr(Call("print", [anyv() for _ in range(r.randint(1, 2))])))),
            (1, lambda: self.feature("print", Expr(Call("print", [x(), x()], [("sep", K(r.choice([",", ""]))), ("end", K(r.choice(["\n", ";"])))])))),
            (2 if ios else 0, lambda: self.feature("print-file", Expr(Call("print", [anyv()], [("file", Nm(r.choice(ios)))])))),
            (1 if ios else 0, lambda: self.feature("io-write", Expr(Call(At(r.choice(ios), "write"), [s()])))),
            (2, lambda: self.feature("stdout-write", Expr(Call("sys.stdout.write", [Bin(s(), ast.Add(), K("\n"))])))),
            (2, lambda: self.feature("logging", Expr(Call(At("LOG", r.choice(["info", "warning", "debug"])), [K("%s|%s"), s(), x()])))),
            (1, lambda: self.feature("logging", Expr(Call(At(Call("logging.getLogger", [K("fz")]), "error"), [self.fstring(sc, cx, d)])))),
            (2, lambda: self.feature("event-log", Expr(Call(At(self.EV, "append"), [Tup([K(r.choice(["a", "b", "c"])), x()])])))),
            (1, lambda: self.feature("random", Expr(Call("random.seed", [x()])))),
            (1, lambda: self.feature("random", Expr(Call(At(self.EV, "append"), [Call("round", [Call("random.random"), K(4)])])))),
        ]
        return [self.pick(opts)], dict(sc)

    def s_call_stmt(self, sc, cx, d):
        self.feat["call-statement"] += 1
        x = lambda: self.e_int(sc, cx, d - 1)
        node = self.pick([(3, lambda: self.callee("f", [x()])), (1, lambda: self.callee("g", [x(), x()])),
                          (1, lambda: self.callee("total", [self.e_list(sc, cx, d - 1)])),
                          (1, lambda: self.callee("apply", [self.e_fn1(sc, cx, d - 1), x()])),
                          (1 if self.use_q and cx.body else 0, lambda: self.q_call(sc, cx, d))])
        return [Expr(node)], dict(sc)

    def s_assert(self, sc, cx, d):
        self.feat["assert"] += 1
        return [ast.Assert(test=self.e_cond(sc, cx, d), msg=self.e_str(sc, cx, 1))], dict(sc)

    def s_lookup_first(self, sc, cx, d):
        """``obj.add(f(x))`` where obj may have no ``add``: Python looks the method up
        before it evaluates the argument, so its AttributeError (caught here) comes
        before that call's."""
        r = self.r
        x = lambda: self.e_int(sc, cx, d - 1)
        made = self.callee("either", [x()])
        out = []
        if r.random() < 0.5:
            name = self.fresh("ob")
            out.append(Assign([St(name)], made))
            made = Nm(name)
        call = Call(At(made, "add"), [self.callee("f", [x()])])
        caught = ast.ExceptHandler(type=Nm("AttributeError"), name=None, body=[ast.Pass()])
        out.append(ast.Try(body=[Expr(call)], handlers=[caught], orelse=[], finalbody=[]))
        self.feat["lookup-first"] += 1
        return out, dict(sc)

    def s_maybe_unbound(self, sc, cx, d):
        """A local bound on one path only, read before a call: where it is unbound,
        Python's UnboundLocalError comes before that call's (caught here), and before
        a print of its result."""
        r = self.r
        name = self.fresh("ub")
        target = self.name_for(sc, INT)
        after = dict(sc)
        after[target] = Var(INT)
        x = lambda: self.e_int(sc, cx, d - 1)
        odd = ast.Compare(left=Bin(x(), ast.Mod(), K(2)), ops=[ast.Eq()], comparators=[K(1)])
        bind = If(odd, [Assign([St(name)], x())])
        use = r.choice([
            lambda: self.callee("g", [Nm(name), self.callee("f", [x()])]),
            lambda: Bin(Nm(name), ast.Add(), self.callee("f", [x()])),
            lambda: self.callee("summ", [self.callee("f", [x()]), Nm(name), self.callee("f", [x()])]),
        ])()
        caught = ast.ExceptHandler(type=Nm("UnboundLocalError"), name=None,
                                   body=[Assign([St(target)], K(-1))])
        guarded = ast.Try(body=[Assign([St(target)], use)], handlers=[caught], orelse=[],
                          finalbody=[])
        self.feat["maybe-unbound"] += 1
        return [bind, guarded], after

    def s_walrus(self, sc, cx, d):
        name = self.name_for(sc, INT)
        after = dict(sc)
        after[name] = Var(INT)
        if self.chance(0.3):
            # A walrus in a comprehension binds the body's name element by element: a
            # handler sees the last element that succeeded (session ten).
            self.feat["walrus-in-comprehension"] += 1
            v = self.r.choice(COMP_VARS)
            inner = self.comp_scope(sc, v)
            walrus = ast.NamedExpr(target=St(name), value=self.e_int(inner, self.comp_cx(cx), d - 1))
            return [Assign([St(name)], K(0)),
                    Expr(Call("len", [ast.ListComp(elt=walrus, generators=[
                        Comp(St(v), self.iterable(sc, cx, d - 1))])]))], after
        self.feat["walrus"] += 1
        value = self.e_int(sc, cx, d - 1)
        walrus = ast.NamedExpr(target=St(name), value=value)
        other = self.name_for(after, INT)
        if other == name:
            other = self.fresh("u")
        after[other] = Var(INT)
        return [Assign([St(other)], Bin(walrus, ast.Add(), self.small()))], after

    def s_def_pure(self, sc, cx):
        r = self.r
        name = self.fresh("h")
        p = r.choice(["v", "x"])
        inner = self.closure_scope(sc)
        inner[p] = Var(INT)
        dcx = Ctx(io=False, mut=False, body=False, depth=cx.depth + 1)
        stmts = []
        if self.chance(0.5):
            w = "w" if p != "w" else "z"
            stmts.append(Assign([St(w)], self.e_int(inner, dcx, 2)))
            inner = dict(inner)
            inner[w] = Var(INT)
        if self.chance(0.4):
            stmts.append(If(self.e_cond(inner, dcx, 2), [ast.Return(value=self.e_int(inner, dcx, 2))]))
        stmts.append(ast.Return(value=self.e_int(inner, dcx, 2)))
        self.feat["nested-def"] += 1
        after = dict(sc)
        after[name] = Var(FN1)
        return [Def(name, [p], stmts)], after

    def s_def_nonlocal(self, sc, cx):
        r = self.r
        cands = [n for n in self.vars(sc, INT, False) + self.vars(sc, STR, False) if sc[n].capture]
        if not cands:
            return self.s_def_pure(sc, cx)
        target = r.choice(cands)
        ty = sc[target].ty
        name = self.fresh("bump")
        param = "val" if target != "val" else "arg"
        inner = self.closure_scope(sc)
        inner[param] = Var(INT)
        dcx = Ctx(io=False, mut=False, body=False)
        if ty == INT:
            value = self.pick([(1, lambda: Aug(St(target), ast.Add(), self.e_int(inner, dcx, 2))),
                               (1, lambda: Assign([St(target)], self.e_int(inner, dcx, 2)))])
        else:
            value = Assign([St(target)], Sub(Bin(Nm(target), ast.Add(), Call("str", [Nm(param)])), Slice(None, K(10))))
        body = [ast.Nonlocal(names=[target]), value, ast.Return(value=Nm(param))]
        self.feat["nonlocal-def"] += 1
        after = dict(sc)
        after[name] = Var(EFN)
        return [Def(name, [param], body)], after

    def s_def_global(self, sc, cx):
        name = self.fresh("gset")
        param = "v"
        inner = self.closure_scope(sc)
        inner[param] = Var(INT)
        dcx = Ctx(io=False, mut=False, body=False)
        body = [ast.Global(names=[self.G]), Assign([St(self.G)], Bin(Bin(Nm(self.G), ast.Add(), self.e_int(inner, dcx, 2)), ast.Mod(), K(97))),
                ast.Return(value=Nm(self.G))]
        self.feat["global-def"] += 1
        after = dict(sc)
        after[name] = Var(EFN)
        return [Def(name, [param], body)], after

    def s_closure_store(self, sc, cx, d):
        r = self.r
        fls = self.vars(sc, FLIST, False)
        after = dict(sc)
        out = []
        if not fls:
            name = self.name_for(sc, FLIST)
            out.append(Assign([St(name)], Lst([])))
            after[name] = Var(FLIST)
        else:
            name = r.choice(fls)
        ints = [n for n in self.vars(sc, INT) if sc[n].capture]
        use_default = ints and self.chance(0.4)
        lam = self.lambda0(sc, d, capture_default=r.choice(ints) if use_default else None)
        self.feat["closure-stored"] += 1
        out.append(Expr(Call(At(name, "append"), [lam])))
        return out, after

    def s_gen(self, sc, cx, d):
        name = self.name_for(sc, GEN)
        after = dict(sc)
        after[name] = Var(GEN)
        out = [Assign([St(name)], self.e_gen(sc, cx, d))]
        if self.chance(0.6):
            # The same generator reached through an object: consuming it there is a
            # change desync sees only when it runs (seed 8484: an attribute, an item,
            # a closure variable).
            holder = self.r.choice(POOLS[HGEN])
            self.feat["held-generator"] += 1
            if holder == "hold":
                out += [Assign([St(holder)], Call("Box", [K(0)])),
                        Assign([At(holder, "gen", True)], Nm(name))]
            else:
                out.append(Assign([St(holder)], Lst([Nm(name)])))
            after[holder] = Var(HGEN)
        return out, after

    def s_unpack_held(self, sc):
        """``a, b = it``: Python reads one item more than the targets (seed: the third
        adversarial round), and only after what consumes the iterator before."""
        r = self.r
        gens = self.vars(sc, GEN, ro_ok=False)
        source = Nm(r.choice(gens)) if gens and (not self.vars(sc, HGEN) or self.chance(0.5)) \
            else self.held(sc)
        names = [n for n in POOLS[INT] if n not in sc or (sc[n].ty == INT and not sc[n].ro)]
        targets = r.sample(names, min(len(names), r.randint(1, 2)))
        after = dict(sc)
        for name in targets:
            after[name] = Var(INT)
        self.feat["unpack-held"] += 1
        target = Tup([St(n) for n in targets], store=True) if len(targets) > 1 else \
            Tup([St(targets[0])], store=True)
        return [Assign([target], source)], after

    def held(self, sc):
        """A held generator, reached through its holder."""
        name = self.r.choice(self.vars(sc, HGEN))
        return At(name, "gen") if name == "hold" else Sub(name, K(0))

    def s_module_state(self, sc, cx, d):
        r = self.r
        x = lambda: self.e_int(sc, cx, d - 1)
        opts = [
            (3, lambda: self.feature("module-list", self.grow(sc, cx, self.REG, Expr(Call(At(self.REG, "append"), [x()]))))),
            (2, lambda: self.feature("class-attr", self.grow_expr(cx, At(self.KC, "items"), Expr(Call(At(At(self.KC, "items"), "append"), [x()]))))),
            (2, lambda: self.feature("class-attr", Aug(At(self.KC, "count", True), ast.Add(), x()))),
            (2, lambda: self.global_aug(sc, cx, d)),
            # REG changed through a parameter whose default it is (session thirteen:
            # the body's reads of REG by its name did not wait)
            (2 if self.reg_param and cx.body else 0, lambda: self.feature("default-is-module-list", self.grow(
                sc, cx, self.REG, Expr(Call(At("reg", "append"), [x()]))))),
            (2, lambda: self.feature("thread-local", Assign([At(f"TL{self.sfx}", "v", True)], x()))),
            # OTHER's dict changed by the body under one name, read back under the
            # other (session fourteen: ``OTHER.OPTS[k] = v`` then ``len(OOPTS)`` read
            # before the store)
            (4 if self.reads_other and cx.body else 0, lambda: self.feature("other-module-store", Assign(
                [ast.Subscript(value=r.choice([At("OTHER", "OPTS"), Nm("OOPTS")]),
                               slice=self.small(0, 4), ctx=ast.Store())], x()))),
            (1.5, lambda: self.feature("environ", Assign(
                [ast.Subscript(value=At("os", "environ"), slice=Nm(f"ENVK{self.sfx}"), ctx=ast.Store())],
                Call("str", [x()])))),
        ]
        if self.r.random() < 0.15:
            # An environment variable set, then read by a helper (round six: the read
            # ran ahead of the write).
            self.feat["environ-then-read"] += 1
            return [Assign([ast.Subscript(value=At("os", "environ"), slice=Nm(f"ENVK{self.sfx}"),
                                          ctx=ast.Store())], Call("str", [x()])),
                    Expr(Call("_emit", [K("env"), Call(f"envv{self.sfx}", [x()])]))], dict(sc)
        return [self.pick(opts)], dict(sc)

    def s_method(self, sc, cx, d):
        x = lambda: self.e_int(sc, cx, d - 1)
        self.feat["super"] += 1
        node = self.pick([
            (3, lambda: Expr(Call(At(Call("super"), "fill"), [x()]))),
            (2, lambda: Expr(Call(At("self", "fill"), [x()]))),
            (1, lambda: Aug(At("self", "v", True), ast.Add(), x())),
            (1, lambda: self.grow_expr(cx, At("self", "log"), Expr(Call(At(At("self", "log"), "append"), [x()])))),
        ])
        return [node], dict(sc)

    def s_clock(self, sc, cx, d):
        t0 = self.fresh("t")
        ok = self.fresh("ok")
        self.feat["clock"] += 1
        after = dict(sc)
        after[t0] = Var(INT)  # a float, only used here
        after[ok] = Var(INT)
        nodes = [Assign([St(t0)], Call("time.perf_counter")),
                 Expr(self.callee("nap", [self.e_int(sc, cx, d - 1)])),
                 Assign([St(ok)], Call("int", [Cmp(Bin(Call("time.perf_counter"), ast.Sub(), Nm(t0)), ast.GtE(), K(0.002))]))]
        del after[t0]
        return nodes, after

    # -- compound statements
    def sub(self, cx, **changes):
        return replace(cx, depth=cx.depth + 1, **changes)

    def s_if(self, sc, cx):
        test = self.e_cond(sc, cx, 3)
        body, b1 = self.block(sc, self.sub(cx))
        orelse, b2 = [], sc
        if self.chance(0.5):
            if self.chance(0.3):
                orelse, b2 = self.s_if(sc, cx)
            else:
                orelse, b2 = self.block(sc, self.sub(cx))
        self.feat["if"] += 1
        return [If(test, body, orelse)], intersect(b1, b2)

    def s_match(self, sc, cx):
        r = self.r
        kind = r.choice(["int", "int", "tup", "cfg", "box", "str"])
        cases = []
        outs = []
        scx = self.sub(cx)
        self.feat["match"] += 1
        pre = []
        if kind == "int":
            subject = self.e_int(sc, cx, 2)
            pats = [ast.MatchValue(value=K(0)), ast.MatchOr(patterns=[ast.MatchValue(value=K(1)), ast.MatchValue(value=K(2))]),
                    ast.MatchValue(value=At("Mode", "SLOW"))]
            for p in r.sample(pats, r.randint(1, 3)):
                body, after = self.block(sc, scx, r.randint(1, 2))
                cases.append(ast.match_case(pattern=p, guard=None, body=body))
                outs.append(after)
            cap = self.fresh("c")
            reusable = [n for n in self.vars(sc, INT, False) if not n.startswith("_")]
            if reusable and self.chance(0.25):
                # (session sixteen: a capture of a name bound before, in a loop's step,
                # was not handed back to the body)
                cap = r.choice(reusable)
                self.feat["match-capture-rebinds"] += 1
            inner = dict(sc)
            inner[cap] = Var(INT)
            body, after = self.block(inner, scx, 1)
            cases.append(ast.match_case(pattern=ast.MatchAs(pattern=None, name=cap),
                                        guard=Cmp(Nm(cap), ast.Gt(), self.small(2, 6)), body=body))
            outs.append(after)
        elif kind == "tup":
            subject = self.e_tup(sc, cx, 2)
            a, b = self.fresh("c"), self.fresh("c")
            inner = dict(sc)
            inner[a] = Var(INT)
            inner[b] = Var(INT)
            first, first_after = self.block(dict(sc, **{b: Var(INT)}), scx, 1)
            body, after = self.block(inner, scx, r.randint(1, 2))
            cases.append(ast.match_case(pattern=ast.MatchSequence(patterns=[ast.MatchValue(value=K(0)), ast.MatchAs(pattern=None, name=b)]),
                                        guard=None, body=first))
            cases.append(ast.match_case(pattern=ast.MatchSequence(patterns=[ast.MatchAs(pattern=None, name=a), ast.MatchAs(pattern=None, name=b)]),
                                        guard=Cmp(Nm(a), ast.Lt(), Nm(b)) if self.chance(0.6) else None, body=body))
            outs += [first_after, after]
        elif kind == "cfg":
            cf = self.fresh("cf")
            pre = [Assign([St(cf)], self.e_cfg(sc, cx, 2))]
            sc = dict(sc)
            sc[cf] = Var(CFG)
            subject = At(cf, "mode")
            for attr in r.sample(["FAST", "SLOW"], r.randint(1, 2)):
                body, after = self.block(sc, scx, r.randint(1, 2))
                cases.append(ast.match_case(pattern=ast.MatchValue(value=At(cf, attr)), guard=None, body=body))
                outs.append(after)
            self.feat["match-value-pattern"] += 1
        elif kind == "box":
            subject = self.e_box(sc, cx, 2)
            cap = self.fresh("c")
            inner = dict(sc)
            inner[cap] = Var(INT)
            first, first_after = self.block(sc, scx, 1)
            body, after = self.block(inner, scx, r.randint(1, 2))
            cases.append(ast.match_case(pattern=ast.MatchClass(cls=Nm("Box"), patterns=[], kwd_attrs=["n"], kwd_patterns=[ast.MatchValue(value=K(0))]),
                                        guard=None, body=first))
            cases.append(ast.match_case(pattern=ast.MatchClass(cls=Nm("Box"), patterns=[], kwd_attrs=["n"], kwd_patterns=[ast.MatchAs(pattern=None, name=cap)]),
                                        guard=Cmp(Nm(cap), ast.Gt(), self.small(0, 4)), body=body))
            outs += [first_after, after]
        else:
            subject = self.e_str(sc, cx, 2)
            for lit in r.sample(STRS + ["v1", "v4"], 2):
                body, after = self.block(sc, scx, r.randint(1, 2))
                cases.append(ast.match_case(pattern=ast.MatchValue(value=K(lit)), guard=None, body=body))
                outs.append(after)
        if self.chance(0.6):
            body, after = self.block(sc, scx, r.randint(1, 2))
            cases.append(ast.match_case(pattern=ast.MatchAs(pattern=None, name=None), guard=None, body=body))
            outs.append(after)
            result = intersect(*outs) if any(o is not None for o in outs) else None
            # each case's own bindings only count if every case binds them
            if result is not None:
                result = {n: v for n, v in result.items() if all(o is None or n in o for o in outs)}
        else:
            result = sc
        return pre + [ast.Match(subject=subject, cases=cases)], result

    def loop_var(self, sc, ty=INT):
        choices = [n for n in LOOP_VARS if n not in sc or (sc[n].ty == ty and not sc[n].ro and sc[n].capture)]
        return self.r.choice(choices) if choices else self.fresh("i")

    def s_for(self, sc, cx):
        r = self.r
        inner = dict(sc)
        iterating = cx.iterating
        kind = r.choice(["range", "list", "list", "var", "enumerate", "zip", "items", "rows", "comp",
                         "gens"])
        lists = self.vars(sc, LIST, False)
        self.feat["for"] += 1
        pre, first = [], []
        if kind == "gens":
            # Generators of the loop's own call that read what the body changes: a class
            # attribute (``capped``), or a list behind the functions they hand out
            # (``thunks``); or that print as they close (``closing``, left early).
            which = r.choice(["capped", "closing", "thunks"])
            if which == "thunks":
                th = self.fresh("th")
                inner[th] = Var(FN0)
                it = self.feature("for-over-thunks", Call("thunks", [self.small(1, 5)]))
                target = St(th)
            else:
                v = self.loop_var(sc)
                inner[v] = Var(INT)
                target = St(v)
                it = self.feature("for-over-" + which, Call(which, [self.small(1, 6)]))
                if which == "closing" and self.chance(0.5):
                    i = self.loop_var(inner)
                    if i == v:
                        i = self.fresh("i")
                    inner[i] = Var(INT)
                    it = Call("enumerate", [it])
                    target = Tup([St(i), St(v)], True)
                if which == "capped":
                    pre = [keep(Assign([At("Limits", "cap", store=True)], K(10)), "cap")]
                    first = [keep(Assign([At("Limits", "cap", store=True)], self.small(0, 4)), "cap")]
        elif kind == "var" and lists:
            name = r.choice(lists)
            it = Nm(name)
            iterating = True
            self.feat["for-over-mutable"] += 1
            v = self.loop_var(sc)
            target = St(v)
            inner[v] = Var(INT)
        elif kind == "enumerate":
            i, v = self.loop_var(sc), None
            inner[i] = Var(INT)
            v = self.loop_var(inner)
            if v == i:
                v = self.fresh("x")
            inner[v] = Var(INT)
            if self.chance(0.25):   # (a generator of its own: it may step ahead)
                lst = self.feature("enumerate-generator", Call("steps", [self.small(1, 5)]))
            else:
                lst = self.e_list(sc, cx, 2)
            iterating = True  # the list may be grown in the body
            it = Call("enumerate", [lst])
            target = Tup([St(i), St(v)], True)
            self.feat["enumerate"] += 1
        elif kind == "zip":
            i = self.loop_var(sc)
            inner[i] = Var(INT)
            v = self.loop_var(inner)
            if v == i:
                v = self.fresh("x")
            inner[v] = Var(INT)
            it = Call("zip", [self.e_list(sc, cx, 2), self.e_list(sc, cx, 2)])
            iterating = True
            target = Tup([St(i), St(v)], True)
            self.feat["zip"] += 1
        elif kind == "items" and (self.vars(sc, DICT) or self.vars(sc, DLIST)):
            k = self.fresh("k")
            inner[k] = Var(STR)
            if self.vars(sc, DLIST) and (self.chance(0.5) or not self.vars(sc, DICT)):
                D = r.choice(self.vars(sc, DLIST))
                vv = self.fresh("row")
                inner[vv] = Var(LIST)
            else:
                D = r.choice(self.vars(sc, DICT))
                vv = self.fresh("val")
                inner[vv] = Var(INT)
            it = Call("list", [Call(At(D, "items"))]) if self.chance(0.7) else Call("sorted", [Call(At(D, "items"))])
            target = Tup([St(k), St(vv)], True)
            iterating = True  # rows may be grown in the body
        elif kind == "rows" and self.chance(0.3):
            # A generator that hands out one list it keeps changing; the body may
            # read the window or change it.
            row = self.fresh("win")
            inner[row] = Var(LIST)
            it = self.feature("for-over-window", Call("windows", [self.small(1, 6)]))
            target = St(row)
            iterating = True
        elif kind == "rows" and self.vars(sc, LLIST):
            row = self.fresh("row")
            inner[row] = Var(LIST)
            it = Nm(r.choice(self.vars(sc, LLIST)))
            target = St(row)
            iterating = True
        else:
            v = self.loop_var(sc)
            inner[v] = Var(INT)
            target = St(v)
            if kind == "comp":
                it = self.list_comp(sc, cx, 2)
            elif kind == "range":
                it = Call("range", [self.pick([(2, lambda: self.small(0, 4)),
                                               (1, lambda: Bin(self.e_int(sc, cx, 2), ast.Mod(), K(4)))])])
            else:
                it = self.iterable(sc, cx, 2)
                iterating = True
        body, _ = self.block(inner, self.sub(cx, loop=True, iterating=iterating), self.r.randint(1, 3))
        orelse = []
        if self.chance(0.2):
            orelse, _ = self.block(sc, self.sub(cx), 1)
            self.feat["for-else"] += 1
        if any(isinstance(n, ast.Break) for n in ast.walk(ast.Module(body=body, type_ignores=[]))):
            self.feat["break"] += 1
        return pre + [ast.For(target=target, iter=it, body=first + body, orelse=orelse,
                              type_comment=None)], dict(sc)

    def s_fetch_loop(self, sc, cx):
        """The loops people write over calls: ``v = f(x)`` then an ``if`` on ``v`` or on
        a call of it, or a ``try`` around ``out.append(f(v))`` whose handler does more;
        the branches and handlers are generated blocks (they may print, change what the
        next calls read, break, continue, raise)."""
        r = self.r
        inner = dict(sc)
        x = self.loop_var(sc)
        inner[x] = Var(INT)
        over_range = self.chance(0.5)
        it = Call("range", [self.small(1, 6)]) if over_range else self.e_list(sc, cx, 2)
        v = self.fresh("v")
        call = self.pick([(3, lambda: self.callee("f", [Nm(x)])),
                          (2, lambda: self.callee("g", [Nm(x), self.e_int(inner, cx, 1)])),
                          (1, lambda: self.callee("total", [self.e_list(inner, cx, 1)])),
                          # (reads REG, which a handler below may change unnamed)
                          (1 if cx.io else 0, lambda: self.callee("f", [
                              Call(f"via{self.sfx}", [Nm(x)])]))])
        body = [Assign([St(v)], call)]
        inner[v] = Var(INT)
        icx = self.sub(cx, loop=True, iterating=cx.iterating or not over_range)
        if self.chance(0.3):
            # ``if v == k: continue`` before the rest (read as an if with the rest
            # under its else: see fold_loop_continues)
            skip = [ast.Continue()]
            if self.chance(0.5):
                skip.insert(0, Expr(Call("print", [K("skip"), Nm(v)])))
            body.append(If(Cmp(Nm(v), r.choice([ast.Eq(), ast.Lt()]), self.small(0, 40)), skip))
            self.feat["fetch-loop-skip"] += 1
        kind = r.choice(["if", "if", "if-call", "try"])
        pre = []
        if kind == "try":
            # (an existing list only where no loop iterates one: it may be that list)
            lists = self.vars(sc, LIST, ro_ok=False) if over_range and not cx.iterating else []
            if lists and self.chance(0.7):
                out = r.choice(lists)
            else:
                out = self.fresh("got")
                pre = [Assign([St(out)], Lst([]))]
                inner[out] = Var(LIST)
            append = Expr(Call(At(out, "append"), [self.callee(r.choice(["f", "g"]), [Nm(v)])]))
            typ = r.choice(FAILABLE_EXCS)
            hbody, h_after = self.block(inner, self.sub(icx, handler="bare"), r.randint(1, 2))
            if cx.io and self.chance(0.35):
                sfx = self.sfx
                unnamed = r.choice([
                    Expr(Call(f"ADD{sfx}", [Nm(x)])),
                    Expr(Call("sorted", [Lst([Nm(x)])], [("key", Nm(f"track{sfx}"))])),
                    Expr(Call(At(f"NOTE{sfx}", "warning"), [K("%s"), Nm(x)])),
                    # (not a key whose ``__hash__`` changes state: outside the promise,
                    # hashing computes)
                ])
                hbody.insert(0, unnamed)
                self.feat["fetch-loop-try-unnamed-change"] += 1
            if h_after is not None and self.chance(0.4):
                hbody.append(ast.Continue())   # (the rest moves under the try's else)
                self.feat["fetch-loop-try-continue"] += 1
            handler = ast.ExceptHandler(type=ast.parse(typ, mode="eval").body, name=None,
                                        body=hbody)
            body.append(ast.Try(body=[append], handlers=[handler], orelse=[], finalbody=[]))
            self.feat["fetch-loop-try"] += 1
        else:
            subject = Nm(v) if kind == "if" else self.callee("f", [Nm(v)])
            test = Cmp(subject, r.choice([ast.Gt(), ast.Lt(), ast.Eq()]), self.small(0, 60))
            then, _ = self.block(inner, icx, r.randint(1, 2))
            orelse = []
            if self.chance(0.4):
                orelse, _ = self.block(inner, icx, 1)
            body.append(If(test, then, orelse))
            self.feat["fetch-loop-" + kind] += 1
        if self.chance(0.5):
            more, _ = self.block(inner, icx, 1)
            body += more
        after = dict(sc)
        if pre:
            after[pre[0].targets[0].id] = Var(LIST)
        return pre + [ast.For(target=St(x), iter=it, body=body, orelse=[], type_comment=None)], after

    def s_while(self, sc, cx):
        k = self.fresh("k")
        limit = self.small(1, 4)
        inner = dict(sc)
        inner[k] = Var(INT, ro=True)  # the counter: nothing else writes it
        test = Cmp(Nm(k), ast.Lt(), limit)
        lists = self.vars(sc, LIST, False)
        if lists and self.chance(0.4):
            test = ast.BoolOp(op=ast.And(), values=[test, Nm(self.r.choice(lists))])
        keep(test, "counter")
        body, _ = self.block(inner, self.sub(cx, loop=True, iterating=True), self.r.randint(1, 3))
        body = [keep(Aug(St(k), ast.Add(), K(1)), "counter")] + body
        orelse = []
        if self.chance(0.15):
            orelse, _ = self.block(inner, self.sub(cx), 1)
        self.feat["while"] += 1
        after = dict(sc)
        after[k] = Var(INT, ro=True)
        return [Assign([St(k)], K(0)), ast.While(test=test, body=body, orelse=orelse)], after

    def s_try(self, sc, cx):
        r = self.r
        body, b_after = self.block(sc, self.sub(cx), r.randint(1, 3))
        handlers, outs = [], []
        for _ in range(r.choices([0, 1, 2], [1, 5, 2])[0]):
            typ = r.choice(FAILABLE_EXCS)
            name = self.fresh("e") if self.chance(0.6) else None
            reusable = [n for n in self.vars(sc, INT, False) if not n.startswith("_")]
            if name and reusable and self.chance(0.15):
                # A name bound before, which the handler unbinds when it ends (session
                # sixteen: a loop's step handed it back and raised UnboundLocalError);
                # not read after the ``try`` (it may be unbound there).
                name = r.choice(reusable)
                self.feat["handler-reuses-a-name"] += 1
            hsc = dict(sc)
            if name:
                hsc[name] = Var(EXC, capture=False)
            hcx = self.sub(cx, handler=name or "bare")
            hbody, h_after = self.block(hsc, hcx, r.randint(1, 2))
            if h_after is not None and self.chance(0.3):  # handlers often re-raise
                more, h_after = (self.s_raise if self.chance(0.6) else self.s_reraise)(h_after, hcx)
                hbody += more
            if h_after is not None and name:
                h_after = {n: v for n, v in h_after.items() if n != name}
            tnode = ast.parse(typ, mode="eval").body
            handlers.append(ast.ExceptHandler(type=tnode, name=name, body=hbody))
            outs.append(h_after)
        orelse, e_after = [], b_after
        if handlers and b_after is not None and self.chance(0.3):
            orelse, e_after = self.block(b_after, self.sub(cx), 1)
            self.feat["try-else"] += 1
        final = []
        f_after = sc
        if not handlers or self.chance(0.35):
            final, f_after = self.block(sc, self.sub(cx, in_finally=True), r.randint(1, 2))
            if f_after is not None and self.chance(0.12):
                more, f_after = self.s_return(f_after, self.sub(cx, in_finally=True))
                final += more
            self.feat["finally"] += 1
        self.feat["try"] += 1
        normal = intersect(e_after, *outs) if (e_after is not None or any(o is not None for o in outs)) else None
        if normal is not None:
            for o in [e_after] + outs:
                if o is not None:
                    normal = {n: v for n, v in normal.items() if n in o}
        if f_after is None:
            result = None
        elif normal is None:
            result = None
        else:
            result = dict(normal)
            result.update({n: v for n, v in f_after.items() if n not in sc})
            for handler in handlers:
                result.pop(handler.name, None)   # (unbound if that handler ran)
        return [ast.Try(body=body, handlers=handlers, orelse=orelse, finalbody=final)], result

    def s_with(self, sc, cx):
        r = self.r
        items = []
        inner = dict(sc)
        suppress = False
        pre = []
        for _ in range(r.choices([1, 2], [4, 1])[0]):
            tag = K(self.fresh("w"))
            kind = r.choice(["rec", "rec", "rec-suppress", "span", "quiet", "suppress", "redirect"])
            if kind == "redirect" and not self.vars(sc, IO, False):
                buf = self.name_for(sc, IO)
                pre.append(Assign([St(buf)], Call("io.StringIO")))
                sc = dict(sc)
                sc[buf] = Var(IO)
                inner[buf] = Var(IO)
            as_name = None
            if kind == "rec":
                mgr = Call("Rec", [tag])
                as_name = self.fresh("tag") if self.chance(0.5) else None
            elif kind == "rec-suppress":
                mgr = Call("Rec", [tag], [("suppress", K(True))])
                suppress = True
            elif kind == "span":
                mgr = Call("span", [tag])
                as_name = self.fresh("tag") if self.chance(0.6) else None
            elif kind == "quiet":
                mgr = Call("quiet", [tag])
                suppress = True
            elif kind == "suppress":
                mgr = Call("contextlib.suppress", [ast.parse(r.choice(["KeyError", "ValueError", "FzError"]), mode="eval").body])
                suppress = True
            else:
                mgr = Call("contextlib.redirect_stdout", [Nm(r.choice(self.vars(sc, IO, False)))])
                self.feat["redirect_stdout"] += 1
            self.feat["with-" + kind] += 1
            items.append(ast.withitem(context_expr=mgr, optional_vars=St(as_name) if as_name else None))
            if as_name:
                inner[as_name] = Var(STR)
        body, b_after = self.block(inner, self.sub(cx), r.randint(1, 3))
        self.feat["with"] += 1
        if suppress:
            after = dict(sc)
        else:
            after = b_after
        return pre + [ast.With(items=items, body=body, type_comment=None)], after

    def s_return(self, sc, cx):
        self.feat["return-in-block"] += 1
        if cx.in_finally:
            self.feat["return-in-finally"] += 1
        guard = self.e_cond(sc, cx, 2)
        ret = ast.Return(value=self.result_expr(sc, cx) if cx.body else self.e_int(sc, cx, 2))
        if self.chance(0.5):
            return [If(guard, [ret])], dict(sc)
        return [ret], None

    def s_raise(self, sc, cx):
        r = self.r
        self.feat["raise"] += 1
        exc = Call(r.choice(["FzError", "ValueError", "KeyError"]), [self.e_str(sc, cx, 2)])
        cause = None
        if cx.handler and cx.handler != "bare" and self.chance(0.5):
            cause = Nm(cx.handler)
            self.feat["raise-from"] += 1
        elif self.chance(0.15):
            cause = K(None)
            self.feat["raise-from-none"] += 1
        node = ast.Raise(exc=exc, cause=cause)
        if self.chance(0.5):
            return [If(self.e_cond(sc, cx, 2), [node])], dict(sc)
        return [node], None

    def s_break(self, sc, cx):
        node = self.r.choice([ast.Break(), ast.Continue()])
        self.feat[type(node).__name__.lower()] += 1
        if self.chance(0.6):
            return [If(self.e_cond(sc, cx, 2), [node])], dict(sc)
        return [node], None

    def s_reraise(self, sc, cx):
        self.feat["bare-raise"] += 1
        if self.chance(0.5):
            return [If(self.e_cond(sc, cx, 2), [ast.Raise(exc=None, cause=None)])], dict(sc)
        return [ast.Raise(exc=None, cause=None)], None

    def result_expr(self, sc, cx):
        r = self.r
        names = [n for n, v in sc.items() if v.ty in (INT, STR, LIST, LLIST, DICT, DLIST, BOX, TUP) and v.capture]
        picked = r.sample(names, min(len(names), r.randint(1, 4)))
        elts = [Nm(n) for n in picked]
        for n, v in sc.items():
            if v.ty == IO and self.chance(0.7):
                elts.append(Call(At(n, "getvalue")))
            if v.ty == FLIST and self.chance(0.7):
                elts.append(ast.ListComp(elt=Call("cb"), generators=[Comp(St("cb"), Nm(n))]))
            if v.ty == GEN and self.chance(0.3):
                elts.append(Call("list", [Nm(n)]))
            if v.ty == HGEN and self.chance(0.6):
                elts.append(Call("list", [At(n, "gen") if n == "hold" else Sub(n, K(0))]))
        if self.chance(0.2):
            elts.append(self.e_int(sc, cx, 2))
        return Tup(elts) if len(elts) != 1 else elts[0]

    # -- whole program --------------------------------------------------------------------------
    def q_function(self):
        sc = {"a": Var(INT), "ys": Var(LIST, ro=True)}
        cx = Ctx(io=False, mut=True, body=False)
        saved = self.budget
        self.budget = self.r.randint(2, 5)
        body, after = self.block(sc, cx, self.r.randint(1, 4))
        self.budget = saved
        if after is not None:
            body.append(ast.Return(value=self.e_int(after, cx, 2)))
        deco = Call("desync", [], [("cache", Nm("CACHE")), ("executor", Nm("EXECUTOR"))])
        return Def(f"q{self.sfx}", ["a", "ys"], body, [deco])

    def guarded_read(self, name):
        """``int(bool(xs and xs[-1] > G))``, ``xs[0] + OTHER.LEVEL if xs else -1``: the
        guarded part fails when the guard is false."""
        waited = Nm(self.G) if self.chance(0.5) else At("OTHER", "LEVEL")
        if self.chance(0.5):
            return Call("int", [Call("bool", [ast.BoolOp(op=ast.And(), values=[
                Nm(name), Cmp(Sub(name, K(-1)), ast.Gt(), waited)])])])
        return ast.IfExp(test=Nm(name), body=Bin(Sub(name, K(0)), ast.Add(), waited),
                         orelse=K(-1))

    def method_read_in_a_called_if(self):
        """A loop changing a local dict or list, then in an ``if`` whose test calls a
        function reading it through a read-only method (session seventeen: the method
        was computed ahead of the ``if`` without waiting for the change: a word count
        lost its counts)."""
        self.feat["method-read-in-a-called-if"] += 1
        r = self.r
        acc = self.fresh("acc")
        kind = r.choice(["dict", "list"])
        if kind == "dict":
            change = ast.Assign(targets=[ast.Subscript(value=Nm(acc), slice=Bin(Nm("v"), ast.Mod(), K(2)),
                                                       ctx=ast.Store())], value=Nm("v"))
            read = r.choice([Call(At(acc, "get"), [Bin(Nm("v"), ast.Mod(), K(2)), K(-1)]),
                             Call("len", [Call(At(acc, "copy"), [])]),
                             Call("sorted", [Call(At(acc, "values"), [])])])
        else:
            change = Expr(Call(At(acc, "append"), [Bin(Nm("v"), ast.Mod(), K(3))]))
            read = r.choice([Call(At(acc, "count"), [Bin(Nm("v"), ast.Mod(), K(3))]),
                             Call(At(acc, "index"), [Bin(Nm("v"), ast.Mod(), K(3))]),
                             Call("len", [Call(At(acc, "copy"), [])])])
        self.feat[f"method-read-in-a-called-if:{kind}"] += 1
        test = Cmp(Bin(Call("steady", [Nm("v")]), ast.Mod(), K(2)), ast.Eq(), K(1))
        loop = ast.For(target=St("v"), iter=Call("range", [K(r.randint(3, 6))]), body=[
            change, If(test, [Expr(Call(At(self.EV, "append"), [read]))])], orelse=[])
        return ast.If(test=K(True), body=[
            ast.Assign(targets=[St(acc)], value=ast.Dict(keys=[], values=[]) if kind == "dict"
                       else Lst([])), loop], orelse=[])

    def read_then_change(self):
        """A loop reading module state in an expression that also waits for a slow
        step, then calling a function that changes that state (session fourteen: the
        read was made when the step's result arrived, after the later change). First
        in the body, with steps that never fail: a function changing module state may
        run before an earlier failure is known, which the promise allows."""
        self.feat["read-then-change"] += 1
        r = self.r
        step = Call("steady", [Nm("v")])
        reads = {"REG": Call("len", [Nm(self.REG)]), "LEVEL": At("OTHER", "LEVEL"),
                 "OPTS": Call("len", [Nm("OOPTS")]),
                 "OPTS.get": Call(At("OOPTS", "get"), [K(1), K(-1)]),
                 "STEP": At("OTHER", "STEP")}
        # (session sixteen: a local bound to what a getter returns, ``got = _reg()``,
        # was read as the body's own object, before the changes of REG before it)
        got = self.fresh("got")
        reads["REG.got"] = Call("len", [Nm(got)])
        # (session seventeen: a getter's result read in place, ``len(_reg())``, and
        # getters that make their list on first use, memoized or lazily by a global)
        reads["REG.inline"] = Call("len", [Call(f"_reg{self.sfx}", [])])
        for getter in ("MEMO", "LAZY"):
            reads[getter] = Call("len", [Call(f"_{getter.lower()}{self.sfx}", [])])
            reads[f"{getter}.got"] = Call("len", [Nm(got)])
        kind = r.choice(sorted(reads))
        read = reads[kind]
        tracker = r.choice(["track", "track", "track_alias", "track_getter", "track_default",
                            "track_bound", "track_unpacked", "KEEP", "track_with", "track_with"])
        if kind.startswith(("MEMO", "LAZY")):
            tracker = f"track_{kind.partition('.')[0].lower()}"
        self.feat[f"read-then-change:{kind}"] += 1
        if kind in ("REG", "REG.got", "REG.inline") or kind.startswith(("MEMO", "LAZY")):
            self.feat[f"read-then-change:{tracker}"] += 1
            change = Call(f"{tracker}{self.sfx}", [Nm("v")])
            if tracker == "KEEP":
                # (session fifteen: the body's own store runs a property setter that
                # appends to REG; the read of REG after it did not wait for it)
                change = ast.Assign(targets=[ast.Attribute(value=Nm(f"KEEP{self.sfx}"),
                                                           attr="value", ctx=ast.Store())],
                                    value=Nm("v"))
        elif kind == "STEP":
            # (session fifteen: OTHER's own code never rebinds STEP, so its reads were
            # judged stable and did not wait for ``setstep``, which sets it from here)
            change = Call(f"setstep{self.sfx}", [Nm("v")])
            if self.chance(0.5):
                return self._change_then_read()
        else:
            change = Call(At("OTHER", "bump"), [Nm("v")])
        if kind == "REG" and self.chance(0.5):
            # A loop over the module list a call in the loop grows (session fourteen:
            # the step was taken before the call appended)
            self.feat["read-then-change:for-over-state"] += 1
            return self._for_over_state()
        value = r.choice([
            lambda: Bin(step, ast.Add(), read),
            lambda: Tup([step, read]),
            lambda: ast.JoinedStr(values=[
                ast.FormattedValue(value=step, conversion=-1),
                ast.Constant(value=":"), ast.FormattedValue(value=read, conversion=-1)]),
            # read by a lambda a callee runs, when the step's result is there
            lambda: Call("list", [Call("filter", [
                Lam(["w"], Cmp(Nm("w"), ast.GtE(), read)), Lst([step, K(3)])])])])()
        appended = Expr(Call(At(self.EV, "append"), [value]))
        if self.chance(0.25):
            # read in an ``if`` run as one step, after its test's step
            self.feat["read-then-change:if-step"] += 1
            appended = If(Cmp(Bin(Call("steady", [Nm("v")]), ast.Mod(), K(2)), ast.Eq(), K(1)),
                          [Expr(Call(At(self.EV, "append"), [read]))])
        loop = ast.For(target=St("v"), iter=Call("range", [K(r.randint(2, 5))]),
                       body=[appended, change if isinstance(change, ast.stmt) else Expr(change)],
                       orelse=[])
        if kind.endswith(".got"):
            getter = {"REG": "_reg", "MEMO": "_memo", "LAZY": "_lazy"}[kind.partition(".")[0]]
            return ast.If(test=K(True), body=[
                ast.Assign(targets=[St(got)], value=Call(f"{getter}{self.sfx}", [])), loop],
                orelse=[])
        return loop

    def _change_then_read(self):
        """``setstep(v)`` then ``OTHER.STEP`` read into a local (not through EV, whose
        reads wait for every change of module state anyway)."""
        self.feat["read-then-change:change-then-read"] += 1
        acc = self.fresh("acc")
        return ast.If(test=K(True), body=[
            ast.Assign(targets=[St(acc)], value=K(0)),
            ast.For(target=St("v"), iter=Call("range", [K(self.r.randint(2, 4))]), body=[
                Expr(Call(f"setstep{self.sfx}", [Nm("v")])),
                ast.Assign(targets=[St(acc)], value=Bin(Bin(Nm(acc), ast.Mult(), K(7)),
                                                        ast.Add(), At("OTHER", "STEP")))],
                orelse=[]),
            Expr(Call(At(self.EV, "append"), [Nm(acc)]))], orelse=[])

    def _for_over_state(self):
        """``track(0)`` then a loop over REG that the loop's own ``track`` grows."""
        bound = self.r.randint(2, 4)
        tracker, iterated = f"track{self.sfx}", Nm(self.REG)
        if self.chance(0.4):
            # (session sixteen: a loop over a part of module state, a class attribute's
            # list, did not see what the loop's own calls appended)
            self.feat["read-then-change:for-over-a-part"] += 1
            tracker, iterated = f"track_k{self.sfx}", At(self.KC, "items")
        return ast.If(test=K(True), body=[
            Expr(Call(tracker, [K(0)])),
            ast.For(target=St("w"), iter=iterated, body=[
                If(Cmp(Nm("w"), ast.GtE(), K(bound)), [ast.Break()]),
                Expr(Call(At(self.EV, "append"), [Bin(Call("steady", [Nm("w")]), ast.Add(), Nm("w"))])),
                Expr(Call(tracker, [Bin(Nm("w"), ast.Add(), K(1))]))], orelse=[])],
            orelse=[])

    def body_function(self, method):
        params = ["n", "m", "xs", "s", "d"]
        sc = {"n": Var(INT), "m": Var(INT), "xs": Var(LIST), "s": Var(STR), "d": Var(DICT)}
        cx = Ctx(io=True, mut=True, method=method)
        body = []
        declare_h = False
        if self.chance(0.15):
            # A function of the module rebinding H, read after by the body, which may
            # declare ``global H`` (session ten: the declared read did not wait). First,
            # so that no earlier call can fail: such a function is a call, not an
            # effect, and may run before an earlier failure is known; and H, not G,
            # which the module's other functions read: callees talking to each other
            # through a global is outside the promise (docs/semantics.md).
            self.feat["callee-sets-global"] += 1
            body.append(Expr(Call(f"seth{self.sfx}", [self.e_int(sc, replace(cx, io=False), 1)])))
            self.reads_h = True
            declare_h = self.chance(0.5)
        if self.chance(0.12):
            # The same through another module of the project (session thirteen: the
            # reads of ``OTHER.LEVEL`` did not wait for ``OTHER.seto``).
            self.feat["callee-sets-other-module"] += 1
            # (first of all: seth cannot fail, but its argument can, and seto as a call
            # that changes module state may run before an earlier failure is known)
            body.insert(0, Expr(Call(At("OTHER", "seto"), [self.e_int(sc, replace(cx, io=False), 1)])))
            self.reads_other = True
        if self.chance(0.1):
            body.insert(0, self.read_then_change())
        if self.chance(0.06):
            body.insert(0, self.method_read_in_a_called_if())
        # objects of the less common kinds, so that the statements using them have targets
        for ty in self.r.sample([DLIST, LLIST, BOX, FLIST, IO, GEN, DICT, LIST], self.r.randint(0, 2)):
            name = self.name_for(sc, ty)
            body.append(Assign([St(name)], self.expr(ty, sc, cx, 2, ro_ok=False)))
            sc = dict(sc)
            sc[name] = Var(ty)
            self.budget -= 1
        while self.budget > 0 or not body:
            nodes, after = self.stmt(sc, cx)
            body += nodes
            if after is None:
                break
            sc = after
        else:
            body.append(ast.Return(value=self.result_expr(sc, cx)))
        if self.global_writes:
            body.insert(0, ast.Global(names=[self.G]))
        if declare_h:
            body.insert(0, ast.Global(names=[f"H{self.sfx}"]))
        deco = Call("desync", [], [("cache", Nm("CACHE")), ("executor", Nm("EXECUTOR"))])
        name = "run" if method else f"p{self.sfx}"
        if self.reg_param:
            return Def(name, (["self"] if method else []) + params + ["reg"], body, [deco],
                       defaults=[Nm(self.REG)])
        return Def(name, (["self"] if method else []) + params, body, [deco])


def _module_state(sfx):
    text = f'''
from tests.fuzz import other as OTHER
from tests.fuzz.other import OPTS as OOPTS

G{sfx} = 0
REG{sfx} = []
EV{sfx} = []


class K{sfx}:
    items = []
    count = 0


def _g_of{sfx}():
    return G{sfx} * 10 + len(REG{sfx})


def via{sfx}(x):
    return x + _g_of{sfx}()


H{sfx} = 0


def seth{sfx}(x):
    global H{sfx}
    H{sfx} = (H{sfx} + x) % 97
    return x


TL{sfx} = threading.local()


def _tl_of{sfx}():
    return getattr(TL{sfx}, "v", 0)


def tlv{sfx}(x):
    return x + _tl_of{sfx}()


ENVK{sfx} = "DESYNC_FUZZ_{sfx}"


def envv{sfx}(x):
    return x + int(os.getenv(ENVK{sfx}, "0"))


# Code a statement runs without naming it that changes REG: a partial, a key
# function, a logging handler (each read back through via()).
import functools
import logging


def _reg_add{sfx}(v):
    REG{sfx}.append(v)


ADD{sfx} = functools.partial(_reg_add{sfx})


def track{sfx}(v):
    REG{sfx}.append(v)
    return v


def track_k{sfx}(v):
    K{sfx}.items.append(v)
    return v


# The same change through a name of the function's own (session fifteen: these were
# judged pure, so cached, and run before the reads of REG before them).
def _reg{sfx}():
    return REG{sfx}


# Getters that make their object on first use (session seventeen: functions changing
# it through them were judged pure, and the body's reads of it did not wait).
@functools.lru_cache(maxsize=None)
def _memo{sfx}():
    return []


_LAZY{sfx} = None


def _lazy{sfx}():
    global _LAZY{sfx}
    if _LAZY{sfx} is None:
        _LAZY{sfx} = []
    return _LAZY{sfx}


def track_memo{sfx}(v):
    _memo{sfx}().append(v)
    return v


def track_lazy{sfx}(v):
    _lazy{sfx}().append(v)
    return v


# A change made by a context manager of module state (session seventeen: ``with db:``
# in a callee, whose ``__enter__`` changes the module's object, was judged pure).
class _Keeper{sfx}:
    def __enter__(self):
        REG{sfx}.append(-1)
        return self

    def __exit__(self, *exc):
        return False


KEEPER{sfx} = _Keeper{sfx}()


def track_with{sfx}(v):
    with KEEPER{sfx}:
        return v


def track_alias{sfx}(v):
    reg = REG{sfx}
    reg.append(v)
    return v


def track_getter{sfx}(v):
    _reg{sfx}().append(v)
    return v


def track_default{sfx}(v, into=None):
    into = into if into is not None else REG{sfx}
    into.append(v)
    return v


def track_bound{sfx}(v):
    add = REG{sfx}.append
    add(v)
    return v


def track_unpacked{sfx}(v):
    reg, count = REG{sfx}, len(REG{sfx})
    reg.append(v + 0 * count)
    return v


def setstep{sfx}(v):
    # (never fails, as OTHER.bump: see read_then_change; slowed as steady is)
    if v % 2:
        OTHER.STEP = steady(v) % 5 + 1
    else:   # (a name the code does not write: any of OTHER's names may change)
        setattr(OTHER, STEP_NAME{sfx}, steady(v) % 5 + 1)
    return v


STEP_NAME{sfx} = "ST" + "EP"


class _Keep{sfx}:
    """A store into it runs a setter that changes REG (``KEEP.value = v``)."""

    @property
    def value(self):
        return len(REG{sfx})

    @value.setter
    def value(self, v):
        REG{sfx}.append(steady(v))


KEEP{sfx} = _Keep{sfx}()


class _ToReg{sfx}(logging.Handler):
    def emit(self, record):
        REG{sfx}.append(record.getMessage())


def _note_logger{sfx}():
    # (outside the logging hierarchy: each load of the program has its own)
    logger = logging.Logger("desync.fuzz.note{sfx}")
    logger.addHandler(_ToReg{sfx}())
    return logger


NOTE{sfx} = _note_logger{sfx}()


def _reset{sfx}():
    global G{sfx}, H{sfx}, EV{sfx}
    G{sfx} = 0
    H{sfx} = 0
    REG{sfx}.clear()   # (in place: a parameter's default may be it)
    _memo{sfx}().clear()
    _lazy{sfx}().clear()
    EV{sfx} = []
    OTHER.reset()
    OTHER.STEP = 1   # (from here: OTHER's own code must not rebind it, see setstep)
    K{sfx}.items = []
    K{sfx}.count = 0
    TL{sfx}.__dict__.clear()
    os.environ.pop(ENVK{sfx}, None)


def _state{sfx}():
    return {{"G": G{sfx}, "REG": REG{sfx}, "EV": EV{sfx}, "K.items": K{sfx}.items, "K.count": K{sfx}.count,
             "TL": getattr(TL{sfx}, "v", None), "ENV": os.environ.get(ENVK{sfx}),
             "MEMO": _memo{sfx}(), "LAZY": _lazy{sfx}(), "OTHER": OTHER.state()}}
'''
    return ast.parse(text).body


def generate(seed, index, size=10, clock=False) -> Program:
    rng = random.Random(f"{seed}:{index}")
    sfx = str(index)
    gen = Gen(rng, sfx, size, clock=clock)
    decls = _module_state(sfx)
    if gen.use_q:
        decls.append(gen.q_function())
    fn = gen.body_function(gen.method)
    if gen.method:
        fill = Def("fill", ["self", "x"], [Expr(Call(At(Call("super"), "fill"), [Bin(Nm("x"), ast.Add(), K(1))]))])
        cls = ast.ClassDef(name=f"P{sfx}", bases=[Nm("Base")], keywords=[], body=[fill, fn], decorator_list=[])
        decls.append(cls)
    else:
        decls.append(fn)
    args = (rng.randint(0, 9), rng.randint(0, 9), [rng.randint(0, 6) for _ in range(rng.randint(0, 4))],
            rng.choice(["ab", "x", "", "hey"]), {k: rng.randint(0, 5) for k in rng.sample(KEYS, rng.randint(0, 2))})
    return Program(seed, index, sfx, decls, args, gen.method, gen.feat)
