"""``desync show --graph FILE:FUNCTION``: a desync body's dependency graph, drawn.

The graph is read off the lowering's own output (the transpiled body) and the
notes it records for ``desync explain``, so the picture and the generated code
cannot disagree:

- **nodes** are the steps the body issues: calls (tasks), effects (kept in
  program order) and the *sync points* where the calling thread waits for a
  value (an ``if`` test, a ``for`` iterable, ``return``, a statement run as
  written);
- **data edges** (solid) go from the step that makes a value to each step that
  reads it;
- **ordering edges** (dashed) are the program order desync keeps: effects one
  after another, a read after the earlier changes to the object it reads, a
  sync point after every step it waits for; "next iteration" marks the order
  and data carried from one iteration of a loop to the next;
- a dotted edge from a sync point to the steps issued after it: they start only
  once the calling thread has passed it.

Written as Graphviz DOT, or as Mermaid for Markdown.
"""
from __future__ import annotations

import ast
import os

from . import Module, first_line
from .callees import static_facts
from .lower import RUNTIME
from .parse import child_nodes

CALL, EFFECT, METHOD, AHEAD, SYNC = "call", "effect", "method", "ahead", "sync"
DATA, ORDER, CARRIED, AFTER = "data", "order", "carried", "after"

# _ds methods: which make a node, which only pass values along.
_CALLS = {"call", "read", "call_star"}
_GLUE = {"pure", "pure_read", "pure_advancing", "collect", "consume", "unpack", "bind", "augment",
         "spec_pure"}
_SYNCS = {"get", "get_after", "result", "barrier", "settle", "finish"}


class Node:
    __slots__ = ("id", "kind", "label", "line", "cluster", "notes")

    def __init__(self, ident, kind, label, line, cluster):
        self.id = ident
        self.kind = kind
        self.label = label
        self.line = line
        self.cluster = cluster
        self.notes: list[str] = []


class Cluster:
    __slots__ = ("id", "label", "parent")

    def __init__(self, ident, label, parent):
        self.id = ident
        self.label = label
        self.parent = parent


class Graph:
    """Nodes, edges and clusters (loops, ``try``/``with`` bodies) of one body."""

    def __init__(self, name: str, filename: str, line: int):
        self.name = name
        self.filename = filename
        self.line = line
        self.nodes: list[Node] = []
        self.edges: dict = {}             # (src, dst, style) -> label
        self.clusters: list[Cluster] = []

    def edge(self, src, dst, style, label=""):
        if src is None or dst is None:
            return
        for other in (DATA, ORDER, CARRIED):
            if (src, dst, other) in self.edges and style in (ORDER, AFTER):
                return  # a stronger edge says it already
        if style == DATA:
            self.edges.pop((src, dst, ORDER), None)
            self.edges.pop((src, dst, AFTER), None)
        if style == ORDER:
            self.edges.pop((src, dst, AFTER), None)
        self.edges.setdefault((src, dst, style), label)

    def incoming(self, node) -> bool:
        return any(dst == node for _, dst, _ in self.edges)

    def outgoing(self, node) -> bool:
        """Does a later step (not the node itself, next iteration) follow ``node``?"""
        return any(src == node and dst != node and style != CARRIED
                   for src, dst, style in self.edges)


class _Builder:
    def __init__(self, graph: Graph, module: Module, scope: str, notes, lines):
        self.graph = graph
        self.module = module
        self.scope = scope                  # the name of the scope object (``_ds``)
        self.lines = lines
        self.notes: dict[int, list[str]] = {}
        for line, _, text in notes:
            self.notes.setdefault(line, []).append(text)
        self.env: dict[str, frozenset] = {}  # name -> the nodes its value comes from
        self.keys: dict[str, str] = {}       # key -> the last effect on it
        self.last_effect = None
        self.since_effect: list[str] = []    # calls issued since the last effect
        self.pending: list[str] = []         # issued since the last full sync point
        self.gate = None                     # the last sync point passed
        self.by_ast: dict[int, str] = {}     # a step's AST node -> its graph node
        self.syncs: dict[int, str] = {}      # a line -> its sync point
        self.cluster = None
        self.carrying = False                # walking a loop body again

    # -- nodes --------------------------------------------------------------------
    def node(self, key, kind, label, line) -> tuple[str, bool]:
        """(node id, new?) for the step ``key`` (an AST node's id, or a line for syncs)."""
        table = self.syncs if kind == SYNC else self.by_ast
        found = table.get(key)
        if found is not None:
            return found, False
        ident = f"n{len(self.graph.nodes) + 1}"
        node = Node(ident, kind, label, line, self.cluster)
        node.notes = self.notes.get(line, [])
        self.graph.nodes.append(node)
        table[key] = ident
        return ident, True

    def link(self, sources, dst, style=DATA, label=""):
        """Edges into ``dst``; a source ``("o", node)`` is an order, not a value."""
        for src in sources:
            kind = style
            if src.__class__ is tuple:
                src, kind = src[1], ORDER
            if src is None:
                continue
            if self.carrying:
                if not any((src, dst, s) in self.graph.edges for s in (DATA, ORDER)):
                    self.graph.edge(src, dst, CARRIED, "next iteration")
                continue
            if src != dst:
                self.graph.edge(src, dst, kind, label)

    def issued(self, ident, new):
        """A step is issued: after the last sync point the calling thread passed."""
        if new:
            self.pending.append(ident)
        if new and self.gate is not None and not self.graph.incoming(ident):
            self.graph.edge(self.gate, ident, AFTER)

    def sync(self, line, label, sources=(), full=False, keys=()) -> str:
        ident, new = self.node(line, SYNC, label, line)
        self.link(sources, ident)
        for key in keys:
            self.link([self.keys.get(key)], ident, ORDER)
        if full:
            for waiting in self.pending:
                if waiting != ident and not self.graph.outgoing(waiting):
                    self.link([waiting], ident, ORDER)
            self.pending = []
        elif new and self.gate is not None and not self.graph.incoming(ident):
            self.graph.edge(self.gate, ident, AFTER)
        if new and ident not in self.pending and not full:
            self.pending.append(ident)
        self.gate = ident
        return ident

    # -- expressions --------------------------------------------------------------
    def _is_step(self, node) -> str | None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == self.scope:
            return node.func.attr
        return None

    def sources(self, node) -> frozenset:
        """The nodes the value of an expression comes from (steps in it are added)."""
        if node is None:
            return frozenset()
        method = self._is_step(node)
        if method is not None:
            return self.step(method, node)
        if isinstance(node, ast.Name):
            return self.env.get(node.id, frozenset())
        if isinstance(node, ast.Lambda):
            return frozenset()
        found: set = set()
        for child in child_nodes(node):
            found |= self.sources(child)
        return frozenset(found)

    def _args_sources(self, args, keywords=()) -> frozenset:
        found: set = set()
        for arg in args:
            found |= self.sources(arg.value if isinstance(arg, ast.Starred) else arg)
        for keyword in keywords:
            found |= self.sources(keyword.value)
        return frozenset(found)

    @staticmethod
    def _keys(node) -> list[str]:
        if isinstance(node, ast.Tuple):
            return [e.value for e in node.elts if isinstance(e, ast.Constant)
                    and isinstance(e.value, str)]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        return []

    def source_text(self, line, width=40) -> str:
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return text if len(text) <= width else text[:width - 3] + "..."

    def step(self, method, node) -> frozenset:
        args = node.args
        line = getattr(node, "lineno", 0)
        if method in _GLUE:
            if method in ("pure", "spec_pure", "pure_read", "pure_advancing"):
                rest = args[1:] if method == "pure" else args[2:]
                found = self._args_sources(rest)
                if method in ("pure_read", "pure_advancing"):
                    for key in self._keys(args[0]):
                        effect = self.keys.get(key)
                        if effect is not None:
                            found |= {("o", effect)}
                return found
            if method == "consume":
                return self._args_sources(args[3:])
            if method == "augment":
                return self._args_sources(args[2:])
            return self._args_sources(args[1:] if method in ("collect", "bind") else args)
        if method in _CALLS or method in ("spec", "method", "spec_method", "effect", "region",
                                          "effect_method", "effect_call"):
            return frozenset([self.call_node(method, node, line)])
        if method in _SYNCS:
            if method == "finish":  # falling off the end: the end of the call's sync
                return frozenset()
            if method == "barrier":
                self.sync(line, f"runs as written: {self.source_text(line)}", full=True)
                return frozenset()
            if method == "result":
                found = self.sources(args[0]) if args else frozenset()
                self.sync(line, "return", found, full=True)
                return frozenset()
            if method == "settle":
                self.sync(line, f"reads {_names(self._keys(args[0]))} after their writes",
                          keys=self._keys(args[0]))
                return frozenset()
            keys = self._keys(args[0]) if method == "get_after" else []
            value = args[-1] if args else None
            found = self.sources(value)
            if not found and not keys:
                return found   # a value the owner has already: no wait
            ident = self.sync(line, f"waits for a value: {self.source_text(line)}", found,
                              keys=keys)
            return frozenset([ident])
        if method in ("iterate", "spec_iterate"):
            keys = self._keys(args[0])
            # (spec_iterate: the elements' list and its layout come before the iterable)
            found = self._args_sources(args[1:] if method == "iterate" else args[4:])
            if found or keys:
                what = f"after changes to {_names(keys)}" if keys else "for its iterable"
                self.sync(line, f"loop waits {what}", found, keys=keys)
            return found
        if method == "block":
            return frozenset()
        if method == "restore":   # locals as they were at a failure: the same values
            found = set()
            for name in self._keys(args[1]) if len(args) > 1 else ():
                found |= self.env.get(name, frozenset())
            return frozenset(found)
        # distinct, use_cells and anything new: no node of its own.
        self._args_sources(args)
        return frozenset()

    def call_node(self, method, node, line) -> str:
        args, keywords = node.args, node.keywords
        keys: list[str] = []
        targets: list[str] = []
        if method == "call":
            callee, rest = args[0], args[1:]
        elif method in ("read", "spec"):
            keys, callee, rest = self._keys(args[0]), args[1], args[2:]
        elif method == "call_star":
            keys, callee, rest = self._keys(args[0]), args[1], args[2:]
        elif method == "method":
            targets, keys = self._keys(args[0]), self._keys(args[1])
            callee, rest = args[2], args[3:]
        elif method == "spec_method":
            keys, callee, rest = self._keys(args[0]), args[1], args[3:]
        else:   # effect, region
            targets, callee, rest = self._keys(args[0]), args[1], args[2:]
        inputs = self._args_sources([callee, *rest], keywords)
        kind, label = self.describe(method, node, callee, line)
        ident, new = self.node(id(node), kind, label, line)
        self.link(inputs, ident)
        for key in keys:
            self.link([self.keys.get(key)], ident, ORDER)
        if kind in (EFFECT, METHOD):
            # After the effect before it, and after every call issued since then.
            self.link([self.last_effect], ident, ORDER)
            for earlier in self.since_effect:
                if not self.graph.outgoing(earlier):
                    self.link([earlier], ident, ORDER)
            self.since_effect = []
            self.last_effect = ident
            for key in targets:
                self.keys[key] = ident
        elif new:
            self.since_effect.append(ident)
        self.issued(ident, new)
        return ident

    def describe(self, method, node, callee, line) -> tuple[str, str]:
        args = node.args
        if method in ("method", "spec_method"):
            obj = args[2] if method == "method" else args[1]
            name = args[3] if method == "method" else args[2]
            attr = name.value if isinstance(name, ast.Constant) else "?"
            label = f"{_short(obj)}.{attr}()"
            return (METHOD if method == "method" else AHEAD), label
        if method == "effect_method":
            name = args[3]
            attr = name.value if isinstance(name, ast.Constant) else "?"
            return EFFECT, f"{self.source_text(line, 28)} (.{attr}())"
        if method == "region":
            return EFFECT, f"try, run as one step: {self.source_text(line, 28)}"
        if method in ("effect", "effect_call"):
            if isinstance(callee, (ast.Name, ast.Attribute)) and not _generated(callee):
                return EFFECT, f"{_short(callee)}()"
            return EFFECT, self.source_text(line)
        label = f"{_short(callee)}()" if isinstance(callee, (ast.Name, ast.Attribute)) \
            else self.source_text(line)
        if method == "spec":
            return AHEAD, label
        facts = static_facts(callee, self.module.import_table, self.module.module_names)
        if facts is not None and (facts.kind == "effect" or facts.mutates):
            return EFFECT, label
        return CALL, label

    # -- statements ---------------------------------------------------------------
    def body(self, statements):
        for statement in statements:
            self.statement(statement)

    def statement(self, node):
        if isinstance(node, ast.Assign):
            found = self.sources(node.value)
            for target in node.targets:
                self.bind(target, found)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            found = self.sources(node.value) if node.value is not None else frozenset()
            self.bind(node.target, found)
        elif isinstance(node, ast.Expr):
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                    and value.func.attr in ("append", "extend") \
                    and isinstance(value.func.value, ast.Name) and self._is_step(value) is None:
                # The lowering's own lists of elements (a comprehension's results).
                name = value.func.value.id
                self.env[name] = self.env.get(name, frozenset()) | self._args_sources(
                    value.args)
            else:
                self.sources(value)
        elif isinstance(node, ast.Return):
            self.sources(node.value)
        elif isinstance(node, ast.For):
            found = self.sources(node.iter)
            self.bind(node.target, found)
            line = getattr(node, "lineno", 0)
            text = self.source_text(line, 36)
            if text.startswith("for ") or text.startswith("async for "):
                label = f"{text.rstrip(':')}: each iteration"
            else:   # a comprehension or a map(), run as a loop of the calling thread
                label = f"each element of: {text}"
            self.loop(node, label)
        elif isinstance(node, ast.While):
            self.sources(node.test)
            self.loop(node, "while: each iteration")
        elif isinstance(node, ast.If):
            self.sources(node.test)
            self.branches([node.body, node.orelse])
        elif isinstance(node, ast.With):
            self.with_block(node, "with")
        elif isinstance(node, ast.Try):
            for statement in node.body:
                if isinstance(statement, ast.With):
                    self.with_block(statement, "try")
                else:
                    self.statement(statement)
            clauses = self.clause_lines(getattr(node, "lineno", 0))
            bodies = [[]]
            for handler in node.handlers:
                line = clauses.pop(0) if clauses else handler.lineno + 0.25
                self.sync(line, f"runs as written: {self.source_text(int(line), 28)}")
                bodies.append(handler.body)
            self.branches(bodies)   # no failure, or one of the handlers
            self.body(node.orelse)
            if node.finalbody:
                line = clauses[-1] if clauses else node.finalbody[0].lineno + 0.25
                self.sync(line, "runs as written: finally:")
                self.body(node.finalbody)
        elif isinstance(node, ast.Match):
            self.sources(node.subject)
            self.branches([case.body for case in node.cases])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pass   # setters, regions' functions, nested definitions: not steps here
        else:
            for child in child_nodes(node):
                if isinstance(child, ast.expr):
                    self.sources(child)

    def clause_lines(self, line) -> list[int]:
        """The lines of the ``except``/``else``/``finally`` clauses of the ``try`` on
        ``line`` (lowered handlers carry the ``try`` statement's line)."""
        lines = self.lines
        if not 0 < line <= len(lines):
            return []
        text = lines[line - 1]
        indent = len(text) - len(text.lstrip())
        found = []
        for number in range(line, len(lines)):
            current = lines[number]
            stripped = current.lstrip()
            if not stripped or stripped.startswith("#"):
                continue
            depth = len(current) - len(stripped)
            if depth < indent or (depth == indent and not stripped.startswith(
                    ("except", "else", "finally"))):
                break
            if depth == indent and stripped.startswith(("except", "finally")):
                found.append(number + 1)
        return found

    def with_block(self, node, what):
        """A ``try`` or ``with`` body: its work finishes before it is left."""
        block = any(self._is_step(item.context_expr) == "block" for item in node.items)
        for item in node.items:
            if self._is_step(item.context_expr) != "block":
                self.sources(item.context_expr)
        if not block:
            self.body(node.body)
            return
        line = getattr(node, "lineno", 0)
        self.within(f"{what} body: its work finishes before it is left",
                    lambda: self.body(node.body))
        end = max((getattr(s, "end_lineno", line) or line) for s in node.body) if node.body \
            else line
        self.sync(end + 0.5, f"end of the {what} body: waits for its work", full=True)

    def bind(self, target, found):
        if isinstance(target, ast.Name):
            self.env[target.id] = found
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element, found)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, found)
        else:
            self.sources(target)

    def within(self, label, walk):
        outer = self.cluster
        cluster = Cluster(f"cluster_{len(self.graph.clusters) + 1}", label, outer)
        self.graph.clusters.append(cluster)
        self.cluster = cluster.id
        try:
            walk()
        finally:
            self.cluster = outer

    def loop(self, node, label):
        line = getattr(node, "lineno", 0)

        def walk():
            env = dict(self.env)
            self.body(node.body)
            # Again, for what one iteration hands the next (data and order).
            carrying, self.carrying = self.carrying, True
            try:
                self.body(node.body)
            finally:
                self.carrying = carrying
            for name, found in env.items():
                self.env[name] = self.env.get(name, frozenset()) | found
        self.within(f"{label} (line {line})", walk)
        self.body(node.orelse)

    def branches(self, bodies):
        start = dict(self.env)
        merged: dict = {}
        gate = self.gate
        for body in bodies:
            self.env = dict(start)
            self.gate = gate
            self.body(body)
            for name, found in self.env.items():
                merged[name] = merged.get(name, frozenset()) | found
        self.env = merged


def _generated(node) -> bool:
    root = node
    while isinstance(root, ast.Attribute):
        root = root.value
    return isinstance(root, ast.Name) and (root.id == RUNTIME or root.id.startswith("_set_"))


def _short(node, width=32) -> str:
    try:
        text = ast.unparse(node).splitlines()[0]
    except Exception:  # pragma: no cover
        text = type(node).__name__
    return text if len(text) <= width else text[:width - 3] + "..."


def _names(keys) -> str:
    return ", ".join(f"`{k.lstrip('@')}`" for k in keys) or "variables"


# -- building ---------------------------------------------------------------------------

def graphs_of(source: str, filename: str, function: str | None = None) -> list[Graph]:
    """The graph of every desync function in ``source`` (or of one)."""
    module = Module(source, filename)
    found = module.select(function)
    lines = source.splitlines()
    out = []
    for node, qualname, _ in found:
        transpiled = module.transpile_def(node)
        out.append(build(module, transpiled, qualname, filename, first_line(node), lines))
    return out


def build(module, transpiled, qualname, filename, line, lines) -> Graph:
    graph = Graph(qualname, filename, line)
    notes = getattr(transpiled, "_desync_notes", [])
    scope, body = _scope_body(transpiled)
    builder = _Builder(graph, module, scope, notes, lines)
    builder.body(body)
    if builder.pending:
        builder.sync(float("inf"), "end of the call: waits for every step", full=True)
    return graph


def _scope_body(fn):
    for statement in fn.body:
        if isinstance(statement, ast.With) and len(statement.items) == 1:
            item = statement.items[0]
            expr = item.context_expr
            if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) \
                    and expr.func.attr == "scope" and isinstance(item.optional_vars, ast.Name):
                return item.optional_vars.id, statement.body
    return "_ds", []


# -- output ------------------------------------------------------------------------------

_DOT_NODE = {
    CALL: 'shape=box, style="rounded,filled", fillcolor="#bbdefb", color="#1565c0"',
    AHEAD: 'shape=box, style="rounded,filled,dashed", fillcolor="#e3f2fd", color="#1565c0"',
    EFFECT: 'shape=box, style="filled", fillcolor="#ffe0b2", color="#ef6c00"',
    METHOD: 'shape=box, style="filled,dashed", fillcolor="#fff3e0", color="#ef6c00"',
    SYNC: 'shape=octagon, style="filled,bold", fillcolor="#ffcdd2", color="#c62828", '
          'penwidth=2',
}
_DOT_EDGE = {
    DATA: 'color="#1565c0"',
    ORDER: 'style=dashed, color="#ef6c00"',
    CARRIED: 'style=dashed, color="#6a1b9a", fontcolor="#6a1b9a", constraint=false',
    AFTER: 'style=dotted, color="#9e9e9e", arrowhead=empty',
}
_KIND_TEXT = {CALL: "call, runs as a task", AHEAD: "call started ahead (speculative)",
              EFFECT: "effect, in program order",
              METHOD: "method call: in program order if it changes its object",
              SYNC: "sync point: the calling thread waits here"}


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node_text(node: Node) -> str:
    line = node.line
    if line == float("inf"):
        return node.label
    where = f"line {int(line)}" if line == int(line) else f"after line {int(line)}"
    return f"{node.label}\n{where}"


def _tooltip(node: Node) -> str:
    return "\n".join([_KIND_TEXT[node.kind], *node.notes])


def to_dot(graph: Graph) -> str:
    title = f"{graph.name} ({os.path.basename(graph.filename)}:{graph.line})"
    out = [f"digraph {_dot_string(graph.name)} {{",
           f"  graph [label={_dot_string(title + ': dataflow')}, labelloc=t, "
           'fontname="Helvetica", fontsize=12, rankdir=TB];',
           '  node [fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    for kind, item, depth in _layout(graph):
        pad = "  " * depth
        if kind == "node":
            out.append(f"{pad}{item.id} [label={_dot_string(_node_text(item))}, "
                       f"tooltip={_dot_string(_tooltip(item))}, {_DOT_NODE[item.kind]}];")
        elif kind == "open":
            out.append(f"{pad}subgraph {item[0]} {{")
            out.append(f'{pad}  label={_dot_string(item[1])}; style="rounded,dashed"; '
                       'color="#90a4ae"; fontsize=10;')
        else:
            out.append(f"{pad}}}")
    for (src, dst, style), label in graph.edges.items():
        extra = f", label={_dot_string(label)}" if label else ""
        out.append(f"  {src} -> {dst} [{_DOT_EDGE[style]}{extra}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _layout(graph: Graph):
    """(kind, item, depth, closing) lines in program order: each cluster opens where
    its first node comes and holds its nodes and inner clusters."""
    parent = {c.id: c.parent for c in graph.clusters}
    labels = {c.id: c.label for c in graph.clusters}
    children: dict = {}
    for node in graph.nodes:
        chain = []
        cluster = node.cluster
        while cluster is not None:
            chain.append(cluster)
            cluster = parent[cluster]
        chain.reverse()
        holder = None
        for cluster in chain:
            entries = children.setdefault(holder, [])
            if ("cluster", cluster) not in entries:
                entries.append(("cluster", cluster))
            holder = cluster
        children.setdefault(holder, []).append(("node", node))
    out = []

    def walk(holder, depth):
        for kind, item in children.get(holder, []):
            if kind == "node":
                out.append(("node", item, depth))
            else:
                out.append(("open", (item, labels[item]), depth))
                walk(item, depth + 1)
                out.append(("close", None, depth))
    walk(None, 1)
    return out


_MERMAID_SHAPE = {CALL: ('(["', '"])'), AHEAD: ('(["', '"])'), EFFECT: ('["', '"]'),
                  METHOD: ('["', '"]'), SYNC: ('{{"', '"}}')}
_MERMAID_EDGE = {DATA: "-->", ORDER: "-.->", CARRIED: "-.->", AFTER: "-.-"}


def _mermaid_text(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\n", "<br/>"))


def to_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart (in a ```mermaid fence, for Markdown)."""
    out = ["```mermaid", "flowchart TD"]
    for kind, item, depth in _layout(graph):
        pad = "    " * depth
        if kind == "node":
            left, right = _MERMAID_SHAPE[item.kind]
            out.append(f"{pad}{item.id}{left}{_mermaid_text(_node_text(item))}{right}")
        elif kind == "open":
            out.append(f'{pad}subgraph {item[0]}["{_mermaid_text(item[1])}"]')
        else:
            out.append(f"{pad}end")
    for (src, dst, style), label in graph.edges.items():
        arrow = _MERMAID_EDGE[style]
        if label:
            out.append(f"    {src} {arrow}|{_mermaid_text(label)}| {dst}")
        else:
            out.append(f"    {src} {arrow} {dst}")
    out += ["    classDef call fill:#bbdefb,stroke:#1565c0",
            "    classDef ahead fill:#e3f2fd,stroke:#1565c0,stroke-dasharray:4 3",
            "    classDef effect fill:#ffe0b2,stroke:#ef6c00",
            "    classDef method fill:#fff3e0,stroke:#ef6c00,stroke-dasharray:4 3",
            "    classDef sync fill:#ffcdd2,stroke:#c62828,stroke-width:3px"]
    for kind in (CALL, AHEAD, EFFECT, METHOD, SYNC):
        members = [n.id for n in graph.nodes if n.kind == kind]
        if members:
            out.append(f"    class {','.join(members)} {kind}")
    out.append("```")
    return "\n".join(out) + "\n"


def render(source: str, filename: str, function: str | None = None, fmt: str = "dot") -> str:
    graphs = graphs_of(source, filename, function)
    write = to_mermaid if fmt == "mermaid" else to_dot
    return "\n".join(write(g) for g in graphs)
