"""Unit tests of each transpiler step: parse -> analyse -> lower -> emit."""
from __future__ import annotations

import ast
import textwrap

import pytest

from desync import DesyncError
from desync.compiler import Module
from desync.compiler.analyse import analyse, module_level_names, module_objects
from desync.compiler.emit import add_runtime_import, source_of
from desync.compiler.parse import DesyncNames, check_supported, parse_source

PRELUDE = "from desync import desync\nLOG = []\nimport os\n\n"


def module(body: str, name="fn", decorator="@desync") -> Module:
    source = PRELUDE + f"{decorator}\ndef {name}(x, y):\n" + textwrap.indent(
        textwrap.dedent(body).strip("\n"), "    ") + "\n"
    return Module(source, "example.py")


def lowered(body: str, **kw) -> list[str]:
    """The lines of the transpiled function's body, inside the scope."""
    found = module(body, **kw)
    node = found.find("fn")[0]
    text = source_of(found.transpile_def(node))
    return [line.strip() for line in text.splitlines()[3:]]


def facts_of(body: str, pure=frozenset()):
    found = module(body)
    node = found.find("fn")[0]
    return analyse(node, found.module_names, pure, found.module_objects)


# -- parse --------------------------------------------------------------------------

def test_parse_reports_a_syntax_error_with_file_and_line():
    with pytest.raises(DesyncError) as caught:
        parse_source("x = 1\ndef f(:\n", "broken.py")
    assert str(caught.value).startswith("broken.py:2:")


@pytest.mark.parametrize("imports, decorator, found", [
    ("from desync import desync", "@desync", True),
    ("from desync import desync as dz", "@dz(max_workers=2)", True),
    ("import desync", "@desync.desync", True),
    ("import desync as d", "@d.desync(cache=False)", True),
    ("from other import desync", "@desync", False),
    ("from desync import desync", "@functools.cache", False),
])
def test_the_decorator_is_recognised_however_it_is_imported(imports, decorator, found):
    tree = parse_source(f"{imports}\n{decorator}\ndef f():\n    pass\n", "m.py")
    function = tree.body[-1]
    assert DesyncNames(tree).is_desync(function.decorator_list[0]) is found


@pytest.mark.parametrize("body, construct", [
    ("yield x", "yield"), ("yield from x", "yield from"), ("locals()", "locals()"),
])
def test_unsupported_constructs_name_file_line_and_construct(body, construct):
    tree = parse_source(f"def fn(x):\n    y = 1\n    {body}\n", "m.py")
    with pytest.raises(DesyncError) as caught:
        check_supported(tree.body[0], "m.py")
    assert caught.value.lineno == 3 and caught.value.construct == construct
    assert str(caught.value).startswith("m.py:3:")


def test_nested_generators_and_async_defs_are_allowed():
    tree = parse_source("def fn(x):\n    def gen():\n        yield x\n"
                        "    async def co():\n        await x\n    return gen\n", "m.py")
    check_supported(tree.body[0], "m.py")  # nested scopes are created, not transpiled


# -- analyse ------------------------------------------------------------------------

def test_locals_cells_and_declared_names():
    facts = facts_of("""
        a = x + 1
        global LOG
        def inner():
            return a
        for i in y:
            pass
    """)
    assert {"x", "y", "a", "inner", "i"} <= facts.locals
    assert "LOG" in facts.declared and "LOG" not in facts.locals
    assert facts.cells == {"a"}          # read by a nested function: kept concrete
    assert facts.local_functions == {"inner"}


def test_mutated_locals_get_keys_and_aliases_share_one():
    facts = facts_of("""
        xs = []
        ys = xs
        zs = []
        xs.append(1)
        zs.append(2)
        total = sum(x)
    """)
    assert facts.keys["xs"] == facts.keys["ys"]      # ys may be xs
    assert facts.keys["zs"] != facts.keys["xs"]      # independent objects
    assert "total" not in facts.keys                 # never mutated, never aliased


def test_pure_methods_do_not_make_a_key():
    assert "x" not in facts_of("v = x.get(1)", pure=frozenset({"get"})).keys
    assert "x" in facts_of("v = x.get(1)").keys


def test_module_objects_are_values_not_imports_or_defs():
    tree = ast.parse("import os\nfrom a import b\nLOG = []\nx, y = 1, 2\n"
                     "def f():\n    local = 1\nclass C:\n    pass\n")
    assert module_objects(tree) == {"LOG", "x", "y"}
    assert module_level_names(tree) >= {"os", "b", "LOG", "f", "C"}
    facts = facts_of("LOG.append(x)\nos.makedirs(y)")
    assert facts.shared_globals == {"LOG"}


def test_names_assigned_in_a_try_and_read_later_are_synchronous():
    facts = facts_of("""
        try:
            a = x + 1
            b = y + 1
        except ValueError:
            a = 0
        return a
    """)
    (names,) = facts.try_sync.values()
    assert names == {"a"}                            # b is never read after the try


# -- lower ---------------------------------------------------------------------------

def test_calls_are_hoisted_in_evaluation_order():
    lines = lowered("return f(x) + g(y)")
    calls = [line for line in lines if "_ds.call" in line]
    assert calls == ["_t1 = _ds.call(f, x)", "_t2 = _ds.call(g, y)"]


@pytest.mark.parametrize("expression", [
    "x and f(x)", "x or f(x)", "f(x) if y else g(y)", "[f(v) for v in y]",
    "(lambda: f(x))()",
])
def test_calls_in_conditional_parts_are_not_hoisted(expression):
    lines = lowered(f"a = {expression}\nreturn a")
    assert not any("_ds.call(f" in line for line in lines), lines


def test_rebinding_is_a_new_version_not_a_wait():
    lines = lowered("a = f(x)\na = g(a)\nreturn a")
    assert lines[:2] == ["a = _ds.call(f, x)", "a = _ds.call(g, a)"]


def test_method_calls_on_locals_are_ordered_writes():
    lines = lowered("xs = []\nxs.append(f(x))\nreturn xs")
    assert any(line.startswith("_ds.write('xs', lambda xs, _t1: xs.append(_t1)")
               for line in lines), lines


def test_module_objects_mutated_by_the_body_are_ordered_writes():
    lines = lowered("LOG.append(f(x))\nreturn len(LOG)")
    assert any(line.startswith("_ds.write('LOG'") for line in lines), lines
    assert lines[-1] == "return len(_ds.get(LOG, 'LOG'))"


def test_module_function_calls_stay_plain_calls():
    lines = lowered("os.makedirs(x)\nos.makedirs(y)")
    assert lines == ["_ds.call(os.makedirs, x)", "_ds.call(os.makedirs, y)"]


def test_effects_and_global_writes():
    lines = lowered("global LOG\nprint(f(x))\nLOG = g(y)")
    assert "_ds.effect(print, _t1)" in lines
    assert "_ds.barrier()" in lines


def test_item_assignment_is_an_ordered_store():
    lines = lowered("d = {}\nd[x] = f(y)\nreturn d")
    assert any(line.startswith("_ds.store('d', __desync_rt__.setitem, d, x, _t1)")
               for line in lines), lines


def test_try_bodies_become_blocks_that_reraise_upstream_first():
    text = "\n".join(lowered("try:\n    a = f(x)\nexcept ValueError:\n    a = 0\nreturn a"))
    assert "with _ds.block():" in text
    assert text.index("except __desync_rt__.Upstream:") < text.index("except ValueError:")


# -- emit ----------------------------------------------------------------------------

def test_transpiled_statements_keep_the_users_line_numbers():
    found = module("a = f(x)\nb = g(y)\nreturn a + b")
    node = found.find("fn")[0]
    first_body_line = node.body[0].lineno
    transpiled = found.transpile_def(node)
    calls = [n for n in ast.walk(transpiled) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "call"]
    assert sorted({c.lineno for c in calls}) == [first_body_line, first_body_line + 1]


def test_the_runtime_import_goes_after_the_docstring_and_future_imports():
    tree = ast.parse('"""Doc."""\nfrom __future__ import annotations\nimport os\n')
    text = source_of(add_runtime_import(tree)).splitlines()
    assert text[:3] == ['"""Doc."""', "from __future__ import annotations",
                        "import desync.runtime as __desync_rt__"]


def test_a_module_transpiles_to_code_that_compiles_deterministically():
    source = PRELUDE + "@desync\ndef fn(x, y):\n    return f(x) + g(y)\n"
    first = source_of(Module(source, "m.py").transpile())
    second = source_of(Module(source, "m.py").transpile())
    assert first == second
    compile(first, "m.py", "exec")
