"""AST -> source text that is the same on Python 3.10 to 3.13 and parses on 3.10.

``ast.unparse`` follows the running interpreter: 3.10 writes ``(a, b) = ...``,
``for (k, v) in ...`` and ``lambda : x`` where 3.11+ writes ``a, b = ...``; 3.12+
writes f-strings with nested same quotes (``f'{d['k']}'``, PEP 701), a
SyntaxError before 3.12; and every version escapes string characters by its own
Unicode database. Built code is committed, packaged once and run on every
supported version, so this unparser pins one behaviour: 3.11's, the newest whose
f-strings parse on 3.10, with printability from a frozen Unicode table
(``desync.literals``). It subclasses ``ast._Unparser`` and overrides exactly the
methods whose output differs between versions (checked on the standard library
of 3.10 by tests/test_unparse.py).

A string or number literal that the lowering kept from the user's code is
written as the user spelled it (``"café"``, ``0xFF``, ``r"\\d"``), when the
source text is given.
"""
from __future__ import annotations

import ast
import io
import tokenize

from ..literals import printable, stable_repr

_P = ast._Precedence
_SINGLE_QUOTES = ("'", '"')
_MULTI_QUOTES = ('"""', "'''")
_ALL_QUOTES = (*_SINGLE_QUOTES, *_MULTI_QUOTES)


class StableUnparser(ast._Unparser):
    def __init__(self, source_lines=None, *, avoid_backslashes=False):
        super().__init__()
        self._lines = source_lines          # the original source, for literals
        self._avoid = avoid_backslashes     # inside an f-string expression

    # -- tuples, targets, lambdas, walrus: as 3.11+ -----------------------------
    def visit_Tuple(self, node):
        with self.delimit_if("(", ")", len(node.elts) == 0
                             or self.get_precedence(node) > _P.TUPLE):
            self.items_view(self.traverse, node.elts)

    def visit_Assign(self, node):
        self.fill()
        for target in node.targets:
            self.set_precedence(_P.TUPLE, target)
            self.traverse(target)
            self.write(" = ")
        self.traverse(node.value)

    def visit_For(self, node):
        self._for("for ", node)

    def visit_AsyncFor(self, node):
        self._for("async for ", node)

    def _for(self, keyword, node):
        self.fill(keyword)
        self.set_precedence(_P.TUPLE, node.target)
        self.traverse(node.target)
        self.write(" in ")
        self.traverse(node.iter)
        with self.block():
            self.traverse(node.body)
        if node.orelse:
            self.fill("else")
            with self.block():
                self.traverse(node.orelse)

    def visit_Lambda(self, node):
        with self.require_parens(_P.TEST, node):
            args = node.args
            self.write("lambda")
            if args.posonlyargs or args.args or args.vararg or args.kwonlyargs or args.kwarg:
                self.write(" ")
                self.traverse(args)
            self.write(": ")
            self.set_precedence(_P.TEST, node.body)
            self.traverse(node.body)

    def visit_NamedExpr(self, node):
        # 3.11+ parenthesise a walrus wherever this unparser can place one.
        with self.delimit("(", ")"):
            self.set_precedence(_P.ATOM, node.target, node.value)
            self.traverse(node.target)
            self.write(" := ")
            self.traverse(node.value)

    # -- literals ------------------------------------------------------------------
    def visit_Constant(self, node):
        text = None if self._avoid else self._spelling(node)
        if text is not None:
            self.write(text)
        else:
            super().visit_Constant(node)

    def _write_constant(self, value):
        if isinstance(value, str):
            if self._avoid:
                self._write_str_avoiding_backslashes(value)
            else:
                self.write(stable_repr(value))
        else:
            super()._write_constant(value)

    def _spelling(self, node):
        """The user's own text of a literal the lowering kept, if it is one token."""
        if self._lines is None or not isinstance(node.value, (str, bytes, int, float, complex)) \
                or isinstance(node.value, bool):
            return None
        line = getattr(node, "lineno", None)
        if line is None or line != getattr(node, "end_lineno", None) \
                or not 0 < line <= len(self._lines):
            return None
        raw = self._lines[line - 1].encode("utf-8", "surrogatepass")
        try:
            text = raw[node.col_offset:node.end_col_offset].decode("utf-8")
        except UnicodeDecodeError:
            return None
        value = _literal(text)
        if value is _NOT_A_LITERAL or type(value) is not type(node.value) \
                or value != node.value:
            return None
        return text

    def _str_literal_helper(self, string, *, quote_types=_ALL_QUOTES,
                            escape_special_whitespace=False):
        # As ast's, with printability from the frozen table.
        def escape_char(c):
            if not escape_special_whitespace and c in "\n\t":
                return c
            if c == "\\" or not printable(c):
                return c.encode("unicode_escape").decode("ascii")
            return c

        escaped_string = "".join(map(escape_char, string))
        possible_quotes = quote_types
        if "\n" in escaped_string:
            possible_quotes = [q for q in possible_quotes if q in _MULTI_QUOTES]
        possible_quotes = [q for q in possible_quotes if q not in escaped_string]
        if not possible_quotes:
            string = stable_repr(string)
            quote = next((q for q in quote_types if string[0] in q), string[0])
            return string[1:-1], [quote]
        if escaped_string:
            possible_quotes.sort(key=lambda q: q[0] == escaped_string[-1])
            if possible_quotes[0][0] == escaped_string[-1]:
                assert len(possible_quotes[0]) == 3
                escaped_string = escaped_string[:-1] + "\\" + escaped_string[-1]
        return escaped_string, possible_quotes

    def _write_str_avoiding_backslashes(self, string, *, quote_types=_ALL_QUOTES):
        string, quote_types = self._str_literal_helper(string, quote_types=quote_types)
        self.write(f"{quote_types[0]}{string}{quote_types[0]}")

    # -- f-strings: 3.11's rules, which 3.10 parses ------------------------------------
    def visit_JoinedStr(self, node):
        try:
            text = self._fstring(node)
        except ValueError:
            # Only source that is itself 3.12+ (a backslash inside a replacement
            # field) gets here; that version's own unparser writes it.
            text = ast.unparse(node)
        self.write(text)

    def visit_FormattedValue(self, node):
        self.write("f")
        self._write_str_avoiding_backslashes(self._field(node))

    def _fstring(self, node) -> str:
        if self._avoid:
            string, quotes = self._str_literal_helper(self._inner(node))
            return f"f{quotes[0]}{string}{quotes[0]}"
        parts = [(self._inner(value), isinstance(value, ast.Constant)) for value in node.values]
        written = []
        quote_types = list(_ALL_QUOTES)
        fallback = False
        for value, is_constant in parts:
            value, new_quote_types = self._str_literal_helper(
                value, quote_types=quote_types, escape_special_whitespace=is_constant)
            written.append(value)
            if set(new_quote_types).isdisjoint(quote_types):
                fallback = True
                break
            quote_types = new_quote_types
        if fallback:
            quote_types = ["'''"]
            written = [stable_repr('"' + value)[2:-1] for value, _ in parts]
        quote = quote_types[0]
        return f"f{quote}{''.join(written)}{quote}"

    def _inner(self, node) -> str:
        """The text between an f-string's quotes (also of a format spec)."""
        if isinstance(node, ast.JoinedStr):
            return "".join(self._inner(value) for value in node.values)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value.replace("{", "{{").replace("}", "}}")
        if isinstance(node, ast.FormattedValue):
            return self._field(node)
        raise ValueError(f"Unexpected node inside JoinedStr, {node!r}")

    def _field(self, node) -> str:
        inner = type(self)(self._lines, avoid_backslashes=True)
        inner.set_precedence(_P.TEST.next(), node.value)
        expr = inner.visit(node.value)
        if "\\" in expr:
            raise ValueError("Unable to avoid backslash in f-string expression part")
        out = ["{", " " if expr.startswith("{") else "", expr]
        if node.conversion != -1:
            out.append(f"!{chr(node.conversion)}")
        if node.format_spec:
            out.append(":" + self._inner(node.format_spec))
        out.append("}")
        return "".join(out)


_NOT_A_LITERAL = object()
_literals: dict = {}


def _literal(text: str):
    """The value of a one-token string or number literal, else _NOT_A_LITERAL."""
    value = _literals.get(text, None)
    if value is not None or text in _literals:
        return value
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type not in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.NL)]
        if len(tokens) != 1 or tokens[0].type not in (tokenize.STRING, tokenize.NUMBER):
            value = _NOT_A_LITERAL
        else:
            value = ast.literal_eval(text)
    except (tokenize.TokenError, SyntaxError, ValueError, IndentationError):
        value = _NOT_A_LITERAL
    if len(_literals) < 10000:
        _literals[text] = value
    return value


def unparse(node: ast.AST, source_lines=None) -> str:
    """``ast.unparse``, the same on every supported Python (see the module docstring)."""
    return StableUnparser(source_lines).visit(node)
