"""Built modules that keep the source's line numbers, so a traceback from an
installed wheel names the same line as the repository.

``source_preserving_lines(source, transpiled)`` writes the transpiled module as
the original text with only the changed statements' text replaced: everything
else (comments, formatting, blank lines) is copied as is. A replaced statement
(a desync function) is written statement by statement, each on the line its
``lineno`` names, several on one line joined with ``;`` where they share it.

The lowering adds a few compound statements that have no line of their own (the
``with`` that opens a desync body, the block inside a ``try``, an ``else:`` that
has to hold hoisted calls). They go on free lines: blank and comment lines, the
lines a multi-line statement no longer needs, the blank lines around a function
(its header may move up into them). Where there is no free line, the placement
that moves the fewest statements, weighted, wins (a dynamic program over all
rows): statements that can raise keep their line first, then code outside desync
functions, then headers that cannot raise (``try:``, ``else:``, ``def``).
docs/debugging.md says exactly when a line can move.

The result is checked: it must parse to the same tree as the transpiled module,
or None is returned and the caller falls back to plain unparsed text.
"""
from __future__ import annotations

import ast
import copy
import io
import re
import tokenize

from .parse import walk_tree
from .unparse import unparse

# Placement weights: the cost of one row being one line away from its target.
W_OUTSIDE = 1000    # per line of code outside the replaced statements: kept in place
W_STATEMENT = 10    # a statement (or the header of one that evaluates something)
W_DECLARATION = 2   # def/class headers with their decorators: they never raise when run
W_FREE = 1          # try:/else:/finally:, docstrings, and statements that share
#                     their line with a later one (hoisted calls before an `if`)
WINDOW = 12         # how far from its target (or from the greedy layout) a row may go

_SIMPLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise,
           ast.Assert, ast.Delete, ast.Pass, ast.Break, ast.Continue, ast.Import,
           ast.ImportFrom, ast.Global, ast.Nonlocal)
_BODIES = ("body", "orelse", "finalbody")
_KEYWORD_LINE = {kw: re.compile(rf"^\s*{kw}\s*:") for kw in ("else", "finally")}


class Row:
    """Text to place: one statement (or header), at a target line."""

    __slots__ = ("target", "lines", "weight", "suite", "joinable", "source_line", "outside")

    def __init__(self, target, lines, weight, suite=None, joinable=False, source_line=None,
                 outside=False):
        self.outside = outside      # code outside the replaced statements
        self.target = target
        self.lines = lines          # full text lines, indentation included
        self.weight = weight
        self.suite = suite          # rows of one statement list may share a line...
        self.joinable = joinable    # ...when both are simple, one-line statements
        self.source_line = source_line   # the original line it stands for (comments)


class _Source:
    """The original text, split as Python's tokenizer splits it."""

    def __init__(self, text: str):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.logical = {}        # line -> (first, last) line of its logical line
        self.comments = {}       # line -> comment text (trailing or alone)
        self.in_token = set()    # lines that begin inside a multi-line string
        covered = set()
        start = None
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, (line, _), (end_line, _) = token.type, token.start, token.end
            if kind == tokenize.COMMENT:
                self.comments[line] = token.string
            elif kind in (tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                          tokenize.DEDENT):
                continue
            elif kind == tokenize.NEWLINE:
                if start is not None:
                    for n in range(start, line + 1):
                        self.logical[n] = (start, line)
                        covered.add(n)
                start = None
            else:
                if start is None:
                    start = line
                self.in_token.update(range(line + 1, end_line + 1))
        # Blank and comment-only lines between logical lines: free for placement.
        self.free = {n for n in range(1, len(self.lines) + 1) if n not in covered}

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def segment(self, node) -> list:
        """The statement's own text lines (its first line from its column on)."""
        first = self.text(node.lineno).encode("utf-8")
        if node.lineno == node.end_lineno:
            return [first[node.col_offset:node.end_col_offset].decode("utf-8")]
        last = self.text(node.end_lineno).encode("utf-8")[:node.end_col_offset].decode("utf-8")
        middle = [self.text(n) for n in range(node.lineno + 1, node.end_lineno)]
        return [first[node.col_offset:].decode("utf-8"), *middle, last]

    def indent(self, line: int) -> str:
        text = self.text(line)
        return text[:len(text) - len(text.lstrip(" \t\f"))]


def _key(node):
    return (type(node).__name__, getattr(node, "lineno", None), getattr(node, "col_offset", None))


def _same(a, b) -> bool:
    """The same code (as ``ast.dump`` without positions would say, without the strings)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, ast.AST):
        return all(_same(getattr(a, name, None), getattr(b, name, None)) for name in a._fields)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _first_line(node) -> int:
    return min([d.lineno for d in getattr(node, "decorator_list", ())] + [node.lineno])


def _header_fields(node):
    return [(name, value) for name, value in ast.iter_fields(node)
            if name not in ("body", "orelse", "finalbody", "handlers", "cases")]


# -- which statements changed ------------------------------------------------------------

def _match(original: list, new: list, regions: list, inserts: list) -> bool:
    """Pair two statement lists; collect the changed statements (regions) and the new
    ones (inserts). False when they do not correspond one to one."""
    by_key = {}
    for node in original:
        by_key.setdefault(_key(node), []).append(node)
    # Pair same-place statements, identical ones first: the runtime import the
    # transpiler adds carries the position of the statement it goes before.
    pairs, used = [None] * len(new), set()
    for exact in (True, False):
        for index, node in enumerate(new):
            if pairs[index] is not None:
                continue
            for old in by_key.get(_key(node), ()):
                if id(old) not in used and (not exact or _same(old, node)):
                    used.add(id(old))
                    pairs[index] = (old, node)
                    break
    pairs = [pair or (None, node) for pair, node in zip(pairs, new)]
    if len(used) != len(original):
        return False
    matched = [o for o, _ in pairs if o is not None]
    if matched != [o for o in original if id(o) in used]:
        return False   # reordered
    previous = None
    for position, (old, node) in enumerate(pairs):
        if old is None:
            following = next((o for o, _ in pairs[position + 1:] if o is not None), None)
            inserts.append((node, previous, following))
            continue
        previous = old
        if not _same(old, node):
            if not _match_inside(old, node, regions, inserts):
                regions.append((old, node))
    return True


def _match_inside(old, node, regions, inserts) -> bool:
    """A compound statement whose header is unchanged: match its bodies instead."""
    if isinstance(node, _SIMPLE) or type(old) is not type(node):
        return False
    if not all(_same(a, b) for (_, a), (_, b) in zip(_header_fields(old), _header_fields(node))):
        return False
    inner_regions, inner_inserts = [], []
    for field in _BODIES:
        if not _match(getattr(old, field, None) or [], getattr(node, field, None) or [],
                      inner_regions, inner_inserts):
            return False
    for part in ("handlers", "cases"):
        olds, news = getattr(old, part, None) or [], getattr(node, part, None) or []
        if len(olds) != len(news):
            return False
        for a, b in zip(olds, news):
            if not all(_same(x, y) for (_, x), (_, y) in zip(_header_fields(a),
                                                             _header_fields(b))):
                return False
            if not _match(a.body, b.body, inner_regions, inner_inserts):
                return False
    if inner_inserts:
        return False   # new statements inside: render the whole statement
    regions.extend(inner_regions)
    return True


# -- rendering changed statements into rows ------------------------------------------------

class _Renderer:
    def __init__(self, source: _Source, original: ast.Module, lines):
        self.source = source
        self.lines = lines   # for the unparser: literals keep the user's spelling
        self.originals = {}
        for node in walk_tree(original):
            if isinstance(node, ast.stmt):
                self.originals.setdefault(_key(node), []).append(node)
        self.last_target = 1

    def unchanged(self, node):
        """The original statement this one is a copy of (same place, same code)."""
        for old in self.originals.get(_key(node), ()):
            if getattr(old, "end_lineno", None) == getattr(node, "end_lineno", None) \
                    and _same(old, node):
                return old
        return None

    def target(self, node) -> int:
        line = getattr(node, "lineno", None)
        if line is None:
            line = self.last_target
        self.last_target = line
        return line

    def unparse(self, node) -> list:
        return unparse(node, self.lines).split("\n")

    # A list of statements: rows in order.
    def suite(self, body, prefix, step, rows):
        suite = object()
        for node in body:
            self.statement(node, prefix, step, rows, suite)

    def statement(self, node, prefix, step, rows, suite):
        old = self.unchanged(node)
        if old is not None:
            indent = self.source.indent(old.lineno)
            # Copied as written when it starts its line (indentation is ASCII, so
            # its length in characters is its column in bytes) and no tabs mix.
            if len(indent) == old.col_offset and "\t" not in prefix + indent:
                rows.append(self.verbatim(old, prefix, suite))
                return
        if isinstance(node, _SIMPLE):
            text = self.unparse(node)
            rows.append(Row(self.target(node), [prefix + line for line in text],
                            W_STATEMENT, suite, joinable=len(text) == 1,
                            source_line=node.lineno))
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.definition(node, prefix, step, rows)
        elif isinstance(node, ast.If):
            self.if_(node, prefix, step, rows)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
            self.compound(node, prefix, step, rows)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.try_(node, prefix, step, rows)
        elif isinstance(node, ast.Match):
            self.match(node, prefix, step, rows)
        else:   # a statement kind this module does not know: as one block of text
            text = self.unparse(node)
            rows.append(Row(self.target(node), [prefix + line for line in text], W_STATEMENT))

    def verbatim(self, old, prefix, suite) -> Row:
        """An unchanged statement: its own text, comments and line breaks included."""
        text = self.source.segment(old)
        first = self.source.text(old.lineno)
        rest = first.encode("utf-8")[old.end_col_offset:].decode("utf-8") \
            if old.lineno == old.end_lineno else \
            self.source.text(old.end_lineno).encode("utf-8")[old.end_col_offset:].decode("utf-8")
        comment = rest.strip()
        if comment.startswith("#"):
            text[-1] += "  " + comment
        old_prefix = self.source.indent(old.lineno)
        lines = [prefix + text[0]]
        for offset, line in enumerate(text[1:], start=old.lineno + 1):
            if offset in self.source.in_token or not line.startswith(old_prefix):
                lines.append(line)   # inside a string, or a continuation line
            else:
                lines.append(prefix + line[len(old_prefix):])
        if old.lineno == old.end_lineno and isinstance(old, _SIMPLE) and not comment:
            return Row(self.target(old), lines, W_STATEMENT, suite, joinable=True,
                       source_line=old.lineno)
        weight = W_FREE if _is_docstring(old) else W_STATEMENT
        return Row(self.target(old), lines, weight)

    def header(self, node) -> list:
        """The header line(s) of a compound statement, from the unparser."""
        if isinstance(node, ast.Match):
            return [f"match {unparse(node.subject, self.lines)}:"]
        stub = copy.copy(node)   # keeps the position: the unparser reads lineno
        if getattr(stub, "lineno", None) is None:
            stub.lineno = 0
        for field in _BODIES:
            if hasattr(stub, field):
                setattr(stub, field, [ast.Pass()] if field == "body" else [])
        for part in ("handlers", "cases"):
            if hasattr(stub, part):
                setattr(stub, part, [])
        if isinstance(stub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stub.body = [ast.Pass()]
        lines = unparse(stub, self.lines).split("\n")
        return lines[:-1]

    def inline(self, node, prefix, header, rows) -> bool:
        """``if x: return y`` on one line, as written: when every statement of a
        one-suite compound statement is simple and on the header's line."""
        if getattr(node, "orelse", None) or getattr(node, "finalbody", None) \
                or len(header) != 1:
            return False
        line = getattr(node, "lineno", None)
        if not node.body or not all(isinstance(s, _SIMPLE) and getattr(s, "lineno", None) == line
                                    for s in node.body):
            return False
        texts = [self.unparse(s) for s in node.body]
        if any(len(t) != 1 for t in texts):
            return False
        self.target(node)
        rows.append(Row(line, [f"{prefix}{header[0]} {'; '.join(t[0] for t in texts)}"],
                        W_STATEMENT, source_line=line))
        return True

    def definition(self, node, prefix, step, rows):
        old = None
        for candidate in self.originals.get(_key(node), ()):
            if all(_same(a, b) for (_, a), (_, b)
                   in zip(_header_fields(candidate), _header_fields(node))):
                old = candidate
                break
        start = _first_line(node)
        body_start = old.body[0].lineno if old is not None and old.body else None
        span = self.source.logical.get(old.lineno) if old is not None else None
        if old is not None and span is not None and body_start is not None \
                and span[1] < body_start and "\t" not in self.source.indent(old.lineno):
            # The header as written, decorators and comments included.
            first = _first_line(old)
            lines = [self.source.text(n) for n in range(first, span[1] + 1)]
            indent = self.source.indent(first)
            lines = [prefix + line[len(indent):] if line.startswith(indent) else line
                     for line in lines]
            rows.append(Row(first, lines, W_DECLARATION))
            self.last_target = span[1]
            inner = self.source.indent(body_start)
            if inner.startswith(self.source.indent(old.lineno)) and \
                    len(inner) > len(self.source.indent(old.lineno)):
                step = inner[len(self.source.indent(old.lineno)):]
        else:
            header = self.header(node)
            for offset, line in enumerate(header):
                decorators = getattr(node, "decorator_list", [])
                target = decorators[offset].lineno if offset < len(decorators) else node.lineno
                rows.append(Row(target, [prefix + line], W_DECLARATION))
            self.last_target = start
        self.suite(node.body, prefix + step, step, rows)

    def if_(self, node, prefix, step, rows, keyword="if"):
        header = self.header(node)
        if keyword == "elif":
            header = ["elif" + header[0][2:]]
        if self.inline(node, prefix, header, rows):
            return
        rows.append(Row(self.target(node), [prefix + header[0]], W_STATEMENT,
                        source_line=node.lineno))
        self.suite(node.body, prefix + step, step, rows)
        if len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
            self.if_(node.orelse[0], prefix, step, rows, keyword="elif")
        elif node.orelse:
            self.clause("else", node.body, node.orelse, prefix, rows)
            self.suite(node.orelse, prefix + step, step, rows)

    def compound(self, node, prefix, step, rows):
        header = self.header(node)
        if self.inline(node, prefix, header, rows):
            return
        rows.append(Row(self.target(node), [prefix + line for line in header], W_STATEMENT,
                        source_line=node.lineno))
        self.suite(node.body, prefix + step, step, rows)
        if getattr(node, "orelse", None):
            self.clause("else", node.body, node.orelse, prefix, rows)
            self.suite(node.orelse, prefix + step, step, rows)

    def try_(self, node, prefix, step, rows):
        line = self.target(node)
        rows.append(Row(line, [prefix + "try:"], W_FREE))
        self.suite(node.body, prefix + step, step, rows)
        previous = node.body
        star = "*" if type(node).__name__ == "TryStar" else ""
        for handler in node.handlers:
            text = "except" + star
            if handler.type is not None:
                text += " " + unparse(handler.type, self.lines)
                if handler.name:
                    text += f" as {handler.name}"
            text += ":"
            target = getattr(handler, "lineno", None)
            low, high = _last_line(previous), _first_target(handler.body)
            if target is None or (low is not None and target <= low) \
                    or (high is not None and target > high):
                # No line of its own (the lowering made it): right after the body.
                target = low + 1 if low is not None else self.last_target
                weight = W_FREE
            else:
                weight = W_STATEMENT
            if not self.inline_handler(handler, prefix, text, target, weight, rows):
                rows.append(Row(target, [prefix + text], weight, source_line=target))
                self.last_target = target
                self.suite(handler.body, prefix + step, step, rows)
            previous = handler.body
        if node.orelse:
            self.clause("else", previous, node.orelse, prefix, rows)
            self.suite(node.orelse, prefix + step, step, rows)
            previous = node.orelse
        if node.finalbody:
            self.clause("finally", previous, node.finalbody, prefix, rows)
            self.suite(node.finalbody, prefix + step, step, rows)

    def inline_handler(self, handler, prefix, text, target, weight, rows) -> bool:
        body = handler.body
        if not body or not all(isinstance(s, _SIMPLE) for s in body):
            return False
        # On the handler's line only when its body has no later line of its own
        # (written that way, or generated, as the re-raise of a failed upstream task).
        own = getattr(handler, "lineno", None)
        if own is None or any((getattr(s, "lineno", None) or own) > own for s in body):
            return False
        texts = [self.unparse(s) for s in body]
        if any(len(t) != 1 for t in texts):
            return False
        rows.append(Row(target, [f"{prefix}{text} {'; '.join(t[0] for t in texts)}"], weight,
                        source_line=target))
        return True

    def clause(self, keyword, before, after, prefix, rows):
        """``else:``/``finally:``: on the line where the source has it, if it can be found."""
        low, high = _last_line(before), _first_target(after)
        target = None
        if low is not None and high is not None:
            for line in range(low + 1, high):
                if _KEYWORD_LINE[keyword].match(self.source.text(line)):
                    target = line
                    break
        if target is None:
            target = (high - 1) if high is not None else self.last_target
        rows.append(Row(target, [f"{prefix}{keyword}:"], W_FREE))
        self.last_target = target

    def match(self, node, prefix, step, rows):
        rows.append(Row(self.target(node), [prefix + self.header(node)[0]], W_STATEMENT,
                        source_line=node.lineno))
        for case in node.cases:
            text = "case " + unparse(case.pattern, self.lines)
            if case.guard is not None:
                text += " if " + unparse(case.guard, self.lines)
            target = getattr(case.pattern, "lineno", None) or self.last_target
            rows.append(Row(target, [prefix + step + text + ":"], W_STATEMENT,
                            source_line=target))
            self.last_target = target
            self.suite(case.body, prefix + step + step, step, rows)


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
        and isinstance(node.value.value, str)


def _last_line(body):
    # Statements' own lines only: a generated statement's end is its parent's end.
    lines = [n.lineno for s in body for n in walk_tree(s)
             if isinstance(n, ast.stmt) and getattr(n, "lineno", None) is not None]
    return max(lines) if lines else None


def _first_target(body):
    for node in body:
        line = getattr(node, "lineno", None)
        if line is not None:
            return line
    return None


# -- placing rows on lines -----------------------------------------------------------------

def _place(rows) -> list:
    """Start lines for the rows, in order, minimising the weighted distance from
    their targets. Rows may share a line only when both are joinable (simple,
    one line, same statement list)."""
    count = len(rows)
    if not count:
        return []
    # The greedy layout (each row at its target or just after the previous one) is
    # always feasible; the search looks around it and around the targets.
    greedy, end = [], 0
    for index, row in enumerate(rows):
        if index and _joins(rows[index - 1], row) and row.target <= end:
            start = end
        else:
            start = max(row.target, end + 1)
        greedy.append(start)
        end = start + len(row.lines) - 1
    layers = []   # per row: {start: (cost, previous start)}
    previous = {0: (0, None)}   # a virtual row ending at line 0
    previous_height = 1
    for index, row in enumerate(rows):
        height = len(row.lines)
        candidates = set(range(max(1, row.target - WINDOW), row.target + WINDOW + 1))
        candidates.update(range(max(1, greedy[index] - WINDOW), greedy[index] + WINDOW + 1))
        ordered_previous = sorted(previous.items())
        joins = index > 0 and _joins(rows[index - 1], row)
        layer = {}
        best, best_at, cursor = None, None, 0
        for start in sorted(candidates):
            # Previous rows ending before this start (prefix minimum over their ends).
            while cursor < len(ordered_previous):
                at, (cost, _) = ordered_previous[cursor]
                if at + previous_height - 1 < start:
                    if best is None or cost < best:
                        best, best_at = cost, at
                    cursor += 1
                else:
                    break
            options = []
            if best is not None:
                options.append((best, best_at))
            if joins and start in previous:
                options.append((previous[start][0], start))
            if not options:
                continue
            cost, came_from = min(options)
            layer[start] = (cost + row.weight * abs(start - row.target), came_from)
        layers.append(layer)
        previous, previous_height = layer, height
    start = min(previous, key=lambda s: (previous[s][0], s))
    placed = [0] * count
    for index in range(count - 1, -1, -1):
        placed[index] = start
        start = layers[index][start][1]
    return placed


def _joins(before: Row, row: Row) -> bool:
    return before.joinable and row.joinable and before.suite is row.suite \
        and before.suite is not None and len(before.lines) == 1 and len(row.lines) == 1


# -- the whole module ----------------------------------------------------------------------

def source_preserving_lines(source: str, transpiled: ast.Module) -> str | None:
    """The transpiled module as text, with the source's lines where they can be kept
    (see the module docstring); None if the two trees do not correspond."""
    text = _source_preserving_lines(source, transpiled)
    if text is None:
        return None
    try:
        written = ast.parse(text)
    except SyntaxError:
        return None
    # The same tree as the transpiled one (through text if the lowering built nodes
    # that text spells differently, such as a tuple constant).
    if not _same(written, transpiled) and not _same(written, ast.parse(unparse(transpiled))):
        return None
    return text


def _source_preserving_lines(source, transpiled):
    original = ast.parse(source)
    src = _Source(source)
    regions, inserts = [], []
    if not _match(original.body, transpiled.body, regions, inserts):
        return None
    renderer = _Renderer(src, original, src.lines)
    spans = []
    for old, node in regions:
        start, end = _first_line(old), old.end_lineno
        if src.logical.get(start, (start,))[0] != start or \
                src.logical.get(end, (0, end))[1] != end:
            return None   # shares lines with other statements
        rows = []
        prefix = src.indent(start)
        renderer.last_target = start
        renderer.statement(node, prefix, "    ", rows, None)
        spans.append((start, end, rows))
    spans.sort(key=lambda span: span[0])
    splices = {}   # line -> [(column in characters, text)]
    extra = []     # (line, row) new statements that cannot join a neighbour
    for node, before, after in inserts:
        text = unparse(node, src.lines)
        if before is not None and isinstance(before, _SIMPLE):
            line = before.end_lineno
            column = len(src.text(line).encode("utf-8")[:before.end_col_offset]
                         .decode("utf-8"))
            splices.setdefault(line, []).append((column, "; " + text))
        elif after is not None and isinstance(after, _SIMPLE) and \
                src.indent(after.lineno) == src.text(after.lineno)[:after.col_offset]:
            splices.setdefault(after.lineno, []).append((after.col_offset, text + "; "))
        else:
            line = after.lineno - 1 if after is not None else len(src.lines) + 1
            indent = src.indent(after.lineno) if after is not None else ""
            extra.append((line, Row(line, [indent + text], W_STATEMENT)))
    # Every row of the module, in order: outside units (logical lines and comment
    # lines outside the regions) and the regions' rows.
    region_of = {}
    for start, end, rows in spans:
        for line in range(start, end + 1):
            region_of[line] = (start, end, rows)
    rows, line, extra_at = [], 1, 0
    extra.sort(key=lambda item: item[0])
    total = len(src.lines)
    while line <= total:
        while extra_at < len(extra) and extra[extra_at][0] <= line:
            rows.append(extra[extra_at][1])
            extra_at += 1
        if line in region_of:
            start, end, region_rows = region_of[line]
            rows.extend(region_rows)
            line = end + 1
            continue
        if line in src.free and line not in src.comments:
            line += 1   # a blank line: free
            continue
        first, last = src.logical.get(line, (line, line))
        text = [_spliced(src.text(n), splices.get(n)) for n in range(first, last + 1)]
        rows.append(Row(first, text, W_OUTSIDE * len(text), outside=True))
        line = last + 1
    rows.extend(row for _, row in extra[extra_at:])
    _share_weights(rows)
    placed = _place(rows)
    return _assemble(rows, placed, src, region_of)


def _spliced(text, splices):
    if not splices:
        return text
    for column, insert in sorted(splices, reverse=True):
        text = text[:column] + insert + text[column:]
    return text


def _share_weights(rows):
    """Of several rows that want one line, the last keeps its weight: hoisted calls
    before an ``if``, the ``with`` that opens a body, a ``try:`` before its block."""
    for index in range(len(rows) - 1):
        row, following = rows[index], rows[index + 1]
        if following.target == row.target and not _joins(row, following) \
                and not row.outside:
            row.weight = min(row.weight, W_FREE)


def _assemble(rows, placed, src, region_of) -> str:
    out = {}
    for row, start in zip(rows, placed):
        for offset, text in enumerate(row.lines):
            line = start + offset
            if line in out:   # joined onto the previous row's line
                out[line] = out[line] + "; " + text.lstrip(" \t")
            else:
                out[line] = text
    # Comments of the replaced statements: a comment line stays where the source has
    # it when that line is free; a trailing comment follows a row placed on its line.
    owners = {}
    for row, start in zip(rows, placed):
        if row.source_line is not None and len(row.lines) == 1:
            owners.setdefault(start, row.source_line)
    last = max(out) if out else 0
    lines = []
    for line in range(1, max(last, len(src.lines)) + 1):
        text = out.get(line)
        if line in region_of and line in src.comments:
            comment = src.comments[line]
            if text is None and line in src.free:
                text = src.text(line)
            elif text is not None and owners.get(line) == line and line not in src.free \
                    and "#" not in text:
                text = f"{text}  {comment}"
        lines.append(text if text is not None else "")
    while lines and lines[-1] == "" and len(lines) > last:
        lines.pop()
    return "\n".join(lines) + "\n"
