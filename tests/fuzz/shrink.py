"""Minimising a mismatching program: delete statements, unwrap blocks, simplify expressions.

Greedy, to a fixed point: a candidate is kept when it still mismatches in the same
mode with the same signature (see ``signature``) and plain Python does not fail on it
in a way the original did not (a NameError from a deleted assignment is no repro).
Candidates run in a checker subprocess (``pool.Checker``) with a timeout, so a hang
shrinks like any other mismatch. Loop counters and growth guards (marked by the
generator) are never taken apart: candidates terminate.
"""
from __future__ import annotations

import ast
import copy
import time
import warnings

from .harness import COMPONENTS

INVALID = ("NameError", "UnboundLocalError", "TypeError", "AttributeError", "SyntaxError",
           "RecursionError", "DesyncRefused")
INTERNAL = ("TaskAborted", "Upstream", "Task", "desync")


def _parse_outcome(text):
    if not text:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def _error_type(outcome):
    return outcome[1][0] if outcome and outcome[1] else None


def _chain_names(exc):
    names = []
    while exc:
        names.append(exc[0])
        exc = exc[2][1] or (exc[3][1] if len(exc) > 3 else None)
    return names


def signature(mode, diff, expected_text, actual_text):
    """A category key: the most telling difference only (the rest usually follows from it).

    Order: hang/crash; a different exception type (or none); a different message; a
    different implicit chain; then the return value; the trace (order only, or content);
    the objects the caller can see (arguments, self, module state).
    """
    group = "sequential" if mode == "sequential" else "built" if mode == "built" else "concurrent"
    if mode in ("start", "plain") and diff and diff[0] == "hang":
        # A plain run of the program hung (the first one, or one under a failure plan):
        # the generator wrote a loop that never ends (a list grown while iterated), not
        # a desync difference.
        return "plain program hangs (generator)"
    if diff and diff[0] in ("hang", "crash", "import"):
        return f"{group}: {diff[0]}"
    exp, act = _parse_outcome(expected_text), _parse_outcome(actual_text)
    if exp is None or act is None:
        return f"{group}: {'+'.join(diff)}"
    pe, de = exp[1], act[1]
    if "error" in diff:
        if de is not None and (pe is None or pe[0] != de[0]):
            return f"{group}: desync raises {de[0]}"
        if de is None:
            return f"{group}: desync does not raise"
        if pe[1] != de[1]:
            return f"{group}: exception message differs"
        if pe[2] != de[2]:
            return f"{group}: exception __cause__ differs"
        internal = [n for n in _chain_names(de) if n in ("TaskAborted", "Upstream")]
        if internal:
            return f"{group}: {internal[0]} in the exception chain"
        return f"{group}: exception __context__/__suppress_context__ differs"
    if "result" in diff:
        return f"{group}: return value differs"
    if "trace" in diff:
        if sorted(map(repr, exp[2])) == sorted(map(repr, act[2])):
            return f"{group}: effects in a different order"
        return f"{group}: different effects"
    return f"{group}: object state differs ({diff[0]})"


class Shrinker:
    def __init__(self, checker, sfx, method, args, plan, mode, delay, repeats, goal_signature,
                 original_plain_error, budget=60.0, log=None, ignore=()):
        self.ignore = list(ignore)
        self.checker = checker
        self.sfx = sfx
        self.method = method
        self.args = list(args)
        self.plan = plan
        self.mode = mode
        self.delay = delay
        self.repeats = repeats
        self.goal = goal_signature
        self.original_plain_error = original_plain_error
        self.deadline = time.monotonic() + budget
        self.checks = 0
        self.log = log
        self.last = None

    # -- the oracle
    def interesting(self, decls, args=None):
        if time.monotonic() > self.deadline:
            return False
        if _unbound_names(decls):
            return False  # a name nothing defines: plain Python would fail on it if reached
        tree = ast.Module(body=decls, type_ignores=[])
        try:
            text = ast.unparse(ast.fix_missing_locations(tree))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(text, "<candidate>", "exec")
        except (SyntaxError, ValueError, RecursionError):
            return False
        job = {"text": text, "sfx": self.sfx, "method": self.method,
               "args": repr(tuple(args if args is not None else self.args)),
               "plan": repr(self.plan) if self.plan else None, "modes": [self.mode],
               "delay": self.delay, "repeats": self.repeats, "salt": self.checks, "ignore": self.ignore}
        self.checks += 1
        result = self.checker.check(job)
        if not result or result.get("status") != "mismatch" or result.get("mode") == "plain":
            return False  # a hang of the plain run is the candidate's fault, not desync's
        if " at 0x" in (result.get("expected") or "") + (result.get("actual") or ""):
            return False  # an address in the output: the two runs can never agree
        exp = _parse_outcome(result.get("expected"))
        err = _error_type(exp)
        if err in INVALID and err != self.original_plain_error:
            return False
        sig = signature(result["mode"], result["diff"], result.get("expected"), result.get("actual"))
        if sig != self.goal:
            return False
        self.last = result
        return True

    # -- the search
    def run(self, decls):
        decls = copy.deepcopy(decls)
        changed = True
        while changed and time.monotonic() < self.deadline:
            changed = False
            for make in (self.delete_statements, self.unwrap_statements, self.drop_decls,
                         self.simplify_expressions, self.simplify_args):
                improved = make(decls)
                if improved is not None:
                    decls = improved
                    changed = True
        return decls

    def _functions(self, decls):
        """Function definitions whose bodies may be edited (the desync body, q, nested defs)."""
        out = []
        for node in decls:
            if isinstance(node, ast.ClassDef):
                out += [f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "run"]
            elif isinstance(node, ast.FunctionDef) and node.name in (f"p{self.sfx}", f"q{self.sfx}"):
                out.append(node)
        return out

    def _blocks(self, decls):
        """Every statement list inside editable functions: (owner node, field)."""
        blocks = []
        for fn in self._functions(decls):
            for node in ast.walk(fn):
                for field in ("body", "orelse", "finalbody"):
                    value = getattr(node, field, None)
                    if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                        blocks.append((node, field))
                if isinstance(node, ast.Try):
                    for h in node.handlers:
                        blocks.append((h, "body"))
                if isinstance(node, ast.Match):
                    for c in node.cases:
                        blocks.append((c, "body"))
        return blocks

    def _try_each(self, decls, edits):
        """edits: callables that edit a copy in place and return True if they applied."""
        for edit in edits:
            candidate = copy.deepcopy(decls)
            try:
                applied = edit(candidate)
            except (IndexError, ValueError, AttributeError):
                applied = False
            if applied and self.interesting(candidate):
                return candidate
        return None

    def delete_statements(self, decls):
        """Delete runs of statements, halves first, from the end of each block."""
        best = None
        current = decls
        bi = 0
        while bi < len(self._blocks(current)) and time.monotonic() < self.deadline:
            owner, field = self._blocks(current)[bi]
            n = len(getattr(owner, field))
            success = False
            chunk = n
            while chunk >= 1 and not success:
                for start in range(n - chunk, -1, -chunk):
                    candidate = copy.deepcopy(current)
                    cowner, cfield = self._blocks(candidate)[bi]
                    stmts = getattr(cowner, cfield)
                    if any(getattr(st, "_fz_keep", None) == "counter" for st in stmts[start:start + chunk]):
                        continue
                    if all(isinstance(st, ast.Pass) for st in stmts[start:start + chunk]):
                        continue
                    rest = stmts[:start] + stmts[start + chunk:]
                    if not rest and not (cfield == "orelse" or
                                         (cfield == "finalbody" and isinstance(cowner, ast.Try) and cowner.handlers)):
                        rest = [ast.Pass()]
                    setattr(cowner, cfield, rest)
                    if self.interesting(candidate):
                        current = best = candidate
                        success = True
                        break
                chunk //= 2
            if not success:
                bi += 1
        return best

    def unwrap_statements(self, decls):
        edits = []
        for bi, (owner, field) in enumerate(self._blocks(decls)):
            for si, stmt in enumerate(getattr(owner, field)):
                for alt in self._alternatives(stmt):
                    edits.append(self._replace_edit(bi, si, alt))
        return self._try_each(decls, edits)

    def _replace_edit(self, bi, si, which):
        def edit(candidate):
            owner, field = self._blocks(candidate)[bi]
            stmts = getattr(owner, field)
            new = which(stmts[si])
            if new is None:
                return False
            stmts[si:si + 1] = new or [ast.Pass()]
            return True
        return edit

    def _alternatives(self, stmt):
        """Ways to replace one compound statement by something smaller."""
        alts = []
        guard = getattr(stmt, "_fz_keep", None) == "guard"
        if isinstance(stmt, ast.If) and not guard:
            alts += [lambda s: s.body, lambda s: s.orelse if s.orelse else None,
                     lambda s: [ast.If(test=s.test, body=s.body, orelse=[])] if s.orelse else None]
        elif isinstance(stmt, (ast.For, ast.While)):
            alts += [lambda s: ([type(s)(**{**{f: getattr(s, f) for f in s._fields}, "orelse": []})]
                                if s.orelse else None)]
            if isinstance(stmt, ast.For):
                alts.append(lambda s: [ast.For(target=s.target, iter=ast.List(elts=[ast.Constant(0)], ctx=ast.Load()),
                                               body=s.body, orelse=s.orelse, type_comment=None)])
        elif isinstance(stmt, ast.Try):
            alts += [lambda s: s.body + s.finalbody,
                     lambda s: s.body,
                     lambda s: ([ast.Try(body=s.body, handlers=s.handlers, orelse=[], finalbody=s.finalbody)]
                                if s.orelse and s.handlers else None),
                     lambda s: ([ast.Try(body=s.body, handlers=s.handlers, orelse=s.orelse, finalbody=[])]
                                if s.finalbody and s.handlers else None),
                     lambda s: ([ast.Try(body=s.body, handlers=[], orelse=[], finalbody=s.finalbody)]
                                if s.handlers and s.finalbody else None)]
            for i in range(len(stmt.handlers)):
                alts.append(lambda s, i=i: s.handlers[i].body if s.handlers[i].name is None else None)
                if len(stmt.handlers) > 1:
                    alts.append(lambda s, i=i: [ast.Try(body=s.body, handlers=s.handlers[:i] + s.handlers[i + 1:],
                                                        orelse=s.orelse, finalbody=s.finalbody)])
        elif isinstance(stmt, ast.With):
            alts.append(lambda s: s.body if not any(i.optional_vars for i in s.items) else None)
            if len(stmt.items) > 1:
                for i in range(len(stmt.items)):
                    alts.append(lambda s, i=i: [ast.With(items=s.items[:i] + s.items[i + 1:], body=s.body, type_comment=None)])
        elif isinstance(stmt, ast.Match):
            for i in range(len(stmt.cases)):
                if len(stmt.cases) > 1:
                    alts.append(lambda s, i=i: [ast.Match(subject=s.subject, cases=s.cases[:i] + s.cases[i + 1:])])
        return alts

    def drop_decls(self, decls):
        """Remove q (the nested desync function) when nothing calls it any more."""
        edits = []
        for i, node in enumerate(decls):
            if isinstance(node, ast.FunctionDef) and node.name == f"q{self.sfx}":
                def edit(candidate, i=i):
                    del candidate[i]
                    return True
                edits.append(edit)
        return self._try_each(decls, edits)

    def simplify_expressions(self, decls):
        edits = []
        for fi, fn in enumerate(self._functions(decls)):
            nodes = _body_exprs(fn)
            for ni, node in enumerate(nodes):
                for alt in _expr_alternatives(node):
                    edits.append(self._expr_edit(fi, ni, alt))
        return self._try_each(decls, edits)

    def _expr_edit(self, fi, ni, alt):
        def edit(candidate):
            fn = self._functions(candidate)[fi]
            nodes = _body_exprs(fn)
            target = nodes[ni]
            new = alt(target)
            if new is None:
                return False
            return _replace_node(fn, target, new)
        return edit

    def simplify_args(self, decls):
        simpler = [(0, 0), (1, 0), (2, []), (3, ""), (4, {})]
        for index, value in simpler:
            if self.args[index] == value:
                continue
            args = list(self.args)
            args[index] = value
            if self.interesting(decls, args):
                self.args = args
                return decls
        if isinstance(self.args[2], list) and len(self.args[2]) > 1:
            args = list(self.args)
            args[2] = args[2][:1]
            if self.interesting(decls, args):
                self.args = args
                return decls
        return None


def _unbound_names(decls):
    """Names read in the program that nothing binds (module, prelude, builtins, locals)."""
    import builtins

    from .prelude import BODY
    bound = set(dir(builtins)) | {"self", "super", "__class__"}
    for tree in [ast.parse(BODY)] + list(decls):
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bound.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                bound.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    read = {n.id for d in decls for n in ast.walk(d) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - bound


def _body_exprs(fn):
    """Expressions of a function's body that may be simplified, in a stable order.

    Not the decorators, not the types of except clauses, not a loop counter's test.
    """
    out = []

    def visit(node):
        if getattr(node, "_fz_keep", None):
            return
        if isinstance(node, ast.expr):
            out.append(node)
        for field, value in ast.iter_fields(node):
            if isinstance(node, ast.ExceptHandler) and field == "type":
                continue
            if isinstance(node, ast.FunctionDef) and field == "decorator_list":
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    visit(child)

    for stmt in fn.body:
        visit(stmt)
    return out


def _expr_alternatives(node):
    """Smaller expressions that might stand for ``node``."""
    alts = []
    if isinstance(node, ast.Call):
        for i, arg in enumerate(node.args):
            if not isinstance(arg, ast.Starred):
                alts.append(lambda n, i=i: n.args[i])
        if node.keywords:
            alts.append(lambda n: ast.Call(func=n.func, args=n.args, keywords=[]))
        if len(node.args) > 1:
            alts.append(lambda n: ast.Call(func=n.func, args=n.args[:1], keywords=n.keywords))
        alts.append(lambda n: ast.Constant(0))
    elif isinstance(node, ast.BinOp):
        alts += [lambda n: n.left, lambda n: n.right]
    elif isinstance(node, ast.IfExp):
        alts += [lambda n: n.body, lambda n: n.orelse]
    elif isinstance(node, ast.BoolOp):
        alts += [lambda n, i=i: n.values[i] for i in range(len(node.values))]
    elif isinstance(node, ast.Compare):
        alts += [lambda n: ast.Constant(True), lambda n: ast.Constant(False)]
    elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        alts.append(lambda n: n.value)
    elif isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load) and node.elts:
        alts += [lambda n: type(n)(elts=n.elts[:len(n.elts) // 2], ctx=ast.Load()),
                 lambda n: type(n)(elts=n.elts[1:], ctx=ast.Load()),
                 lambda n: type(n)(elts=n.elts[:-1], ctx=ast.Load())]
        if len(node.elts) == 1:
            alts.append(lambda n: n.elts[0])
    elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        alts += [lambda n: ast.List(elts=[], ctx=ast.Load()),
                 lambda n: type(n)(elt=ast.Name(id=n.generators[0].target.id, ctx=ast.Load()), generators=n.generators)
                 if isinstance(n.generators[0].target, ast.Name) else None,
                 lambda n: type(n)(elt=n.elt, generators=[ast.comprehension(target=g.target, iter=g.iter, ifs=[], is_async=0)
                                                            for g in n.generators])
                 if any(g.ifs for g in n.generators) else None]
    elif isinstance(node, ast.Lambda):
        alts.append(lambda n: ast.Lambda(args=n.args, body=ast.Constant(0)) if not isinstance(n.body, ast.Constant) else None)
    elif isinstance(node, ast.JoinedStr) and len(node.values) > 1:
        alts += [lambda n, i=i: ast.JoinedStr(values=[n.values[i]]) for i in range(len(node.values))]
    elif isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool) and node.value not in (0, 1):
        alts.append(lambda n: ast.Constant(0))
    elif isinstance(node, ast.NamedExpr):
        alts.append(lambda n: n.value)
    return alts


def _replace_node(root, target, new):
    for parent in ast.walk(root):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, new)
                return True
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is target:
                        value[i] = new
                        return True
    return False


def statement_count(decls, sfx):
    """Lines of the desync body (and q), the measure of a repro's size."""
    total = 0
    for node in decls:
        for sub in ast.walk(node):
            if isinstance(sub, ast.FunctionDef) and sub.name in (f"p{sfx}", f"q{sfx}", "run"):
                # (an edit may leave a node without a position: unparse needs one)
                total += len(ast.unparse(ast.fix_missing_locations(sub)).splitlines())
    return total


__all__ = ["Shrinker", "signature", "statement_count", "COMPONENTS"]
