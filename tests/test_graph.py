"""`desync show --graph`: the dependency graph of a desync body, as DOT and Mermaid."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pydot
import pytest

from desync.compiler import Module
from desync.compiler.graph import graphs_of, render

# pydot's parser calls pyparsing names that newer pyparsing deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
CORPUS = [REPO / "tests" / "idiom_shapes.py", *EXAMPLES]


def _functions(path: Path):
    module = Module(path.read_text(), str(path))
    return [qualname for _, qualname, _ in module.functions()]


def _dot(text: str):
    graphs = pydot.graph_from_dot_data(text)
    assert graphs, f"not DOT:\n{text}"
    return graphs


def _all_nodes(graph):
    nodes = list(graph.get_nodes())
    for sub in graph.get_subgraphs():
        nodes += _all_nodes(sub)
    return [n for n in nodes if n.get_name() not in ("node", "edge", "graph")]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_function_draws_as_dot(path):
    functions = _functions(path)
    assert functions
    for function in functions:
        out = subprocess.run([sys.executable, "-m", "desync", "show", "--graph",
                              f"{path}:{function}"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        [graph] = _dot(out.stdout)
        assert graph.get_name().strip('"') == function
        nodes = _all_nodes(graph)
        assert nodes, out.stdout
        ids = {n.get_name() for n in nodes}
        for edge in graph.get_edges():
            assert edge.get_source() in ids and edge.get_destination() in ids


def test_the_whole_file_gives_one_graph_per_function():
    path = REPO / "tests" / "idiom_shapes.py"
    out = subprocess.run([sys.executable, "-m", "desync", "show", "--graph", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    graphs = _dot(out.stdout)
    assert [g.get_name().strip('"') for g in graphs] == _functions(path)


def _dot_of(path, function):
    return render(Path(path).read_text(), str(path), function, "dot")


def test_seed_two_calls_with_no_edge_between_them():
    text = _dot_of(REPO / "examples" / "seed.py", "outer")
    [graph] = _dot(text)
    labels = {n.get_name(): n.get_label().strip('"') for n in _all_nodes(graph)}
    calls = [name for name, label in labels.items() if label.startswith("inner()")]
    assert len(calls) == 2
    edges = {(e.get_source(), e.get_destination()) for e in graph.get_edges()}
    assert (calls[0], calls[1]) not in edges and (calls[1], calls[0]) not in edges
    # The end of the call is the one sync point: both calls lead there.
    [end] = [name for name, label in labels.items() if label.startswith("end of the call")]
    assert {(c, end) for c in calls} <= edges


def test_crawl_mermaid_has_the_loop_the_order_and_the_sync_points():
    text = render((REPO / "examples" / "fetch_pages.py").read_text(), "fetch_pages.py",
                  "crawl", "mermaid")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "```mermaid" and lines[1] == "flowchart TD" and lines[-1] == "```"
    assert 'subgraph cluster_1["for url in urls: each iteration (line 26)"]' in lines
    assert 'n1(["fetch()<br/>line 27"])' in lines                 # a call: rounded
    assert 'n2["pages.append()<br/>line 27"]' in lines            # ordered on its object
    assert "n1 --> n2" in lines                                   # data: the page
    assert "n2 -.->|next iteration| n2" in lines                  # appends stay in order
    assert 'n5["print()<br/>line 29"]' in lines                   # an effect
    assert "n2 -.-> n5" in lines                                  # after the appends
    assert 'n6{{"return<br/>line 30"}}' in lines                  # a sync point
    assert "n4 --> n6" in lines                                   # sizes reach the return
    assert "class n3,n6 sync" in lines
    assert "class n5 effect" in lines


def _graph(body: str, name="f"):
    source = ("import time\nfrom desync import desync\n\n@desync\n"
              + textwrap.dedent(body).strip("\n") + "\n")
    [graph] = graphs_of(source, "t.py", name)
    return graph, {n.id: n for n in graph.nodes}


def test_dependent_calls_are_chained_by_data_and_independent_ones_are_not():
    graph, nodes = _graph("""
        def f(x):
            a = g(x)
            b = h(x)
            c = k(a, b)
            return c
    """)
    by_label = {n.label: n.id for n in nodes.values()}
    edges = {(s, d): style for (s, d, style) in graph.edges}
    assert edges[(by_label["g()"], by_label["k()"])] == "data"
    assert edges[(by_label["h()"], by_label["k()"])] == "data"
    assert (by_label["g()"], by_label["h()"]) not in edges
    assert edges[(by_label["k()"], by_label["return"])] == "data"


def test_a_loop_carried_value_and_an_if_test_are_shown():
    graph, nodes = _graph("""
        def f(xs):
            total = 0
            for x in xs:
                total = add(total, x)
            if check(total):
                print("big")
            return total
    """)
    by_label = {n.label: n.id for n in nodes.values()}
    edges = {(s, d): (style, label) for (s, d, style), label in graph.edges.items()}
    add = by_label["add()"]
    assert edges[(add, add)] == ("carried", "next iteration")
    sync = [n for n in nodes.values() if n.kind == "sync" and n.label.startswith("waits")]
    assert sync and edges[(by_label["check()"], sync[0].id)][0] == "data"
    assert nodes[by_label["print()"]].kind == "effect"


def test_try_and_with_bodies_are_clusters_with_their_sync_points():
    graph, nodes = _graph("""
        def f(path, xs):
            try:
                a = g(xs)
            except ValueError:
                a = None
            with open(path) as handle:
                b = h(a)
            return a, b
    """)
    labels = [c.label for c in graph.clusters]
    assert any(label.startswith("try body") for label in labels)
    assert any(label.startswith("with body") for label in labels)
    kinds = {n.label: n.kind for n in nodes.values()}
    assert "runs as written: except ValueError:" in kinds
    assert any(label.startswith("end of the try body") for label in kinds)
    text = render(("from desync import desync\n@desync\n" + textwrap.dedent("""
        def f(path, xs):
            try:
                a = g(xs)
            except ValueError:
                a = None
            return a
    """)), "t.py", "f", "dot")
    _dot(text)


def test_an_unknown_function_is_a_clear_error(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("from desync import desync\n@desync\ndef f(x):\n    return g(x)\n")
    out = subprocess.run([sys.executable, "-m", "desync", "show", "--graph", f"{path}:nope"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "no function 'nope'" in out.stderr and "f" in out.stderr
