"""Unit tests of each transpiler step: parse -> analyse -> lower -> emit."""
from __future__ import annotations

import ast
import importlib
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
    lines = source_of(found.transpile_def(node)).splitlines()
    start = next(i for i, line in enumerate(lines) if "__desync_rt__.scope()" in line)
    return [line.strip() for line in lines[start + 1:]]


def facts_of(body: str, pure=frozenset()):
    found = module(body)
    node = found.find("fn")[0]
    return analyse(node, found.module_names, pure, found.module_objects, found.module_imports)


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
    ("yield x", "yield"), ("yield from x", "yield from"),
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
    assert facts.cells == {"a"}          # read by a nested function: written in order
    assert set(facts.local_functions) == {"inner"}
    assert facts.local_functions["inner"].captured == {"a"}


def test_aliases_share_a_class_and_distinct_objects_do_not():
    facts = facts_of("""
        xs = []
        ys = xs
        zs = []
        xs.append(1)
        zs.append(2)
        total = sum(x)
    """)
    find = facts.aliases.find
    assert find("xs") == find("ys")                   # ys may be xs
    assert find("zs") != find("xs")                   # independent objects
    assert {find("xs"), find("zs")} <= facts.effected
    assert find("total") not in facts.effected        # never mutated


def test_storing_into_a_container_makes_an_element_not_an_alias():
    facts = facts_of("""
        table = []
        row = []
        table.append(row)
        for k in y:
            d = {}
            d[k] = f(k)
    """)
    find = facts.aliases.find
    assert find("row") != find("table")
    assert find("row") in facts.aliases.reach("table")     # reading table reads row
    assert find("table") not in facts.aliases.reach("row")
    assert find("k") not in facts.effected                 # a key stored is not changed


def test_fields_are_classes_of_their_own():
    facts = facts_of("""
        self = x
        self.results.append(f(self.session))
    """)
    results = facts.aliases.field("self", "results")
    session = facts.aliases.field("self", "session")
    assert results in facts.effected
    assert session not in facts.effected
    assert facts.aliases.find("self") not in facts.effected
    assert facts.read_keys([session]) == ()


def test_a_store_that_may_run_a_setter_keys_the_objects_other_attributes_not_the_value():
    # ``log = o.log`` reads after ``o.p = v`` when the store runs a setter (the runtime
    # tells: ``store``), but the value stored (made from the loop variable) stays free.
    lines = lowered("""
        log = x.log
        for u in y:
            x.p = slow(u)
        return len(log)
    """)
    store = next(line for line in lines if "setattr_" in line)
    assert store.startswith("_ds.store(('x',), ('log',)"), store
    call = next(line for line in lines if "slow" in line)
    assert "'log'" not in call and "'x'" not in call, call


def test_pure_methods_are_not_effects():
    assert facts_of("v = x.get(1)", pure=frozenset({"get"})).effected == set()
    assert facts_of("v = x.get(1)").effected == {"x"}


def test_module_objects_are_values_not_imports_or_defs():
    tree = ast.parse("import os\nfrom a import b\nLOG = []\nx, y = 1, 2\n"
                     "def f():\n    local = 1\nclass C:\n    pass\n")
    assert module_objects(tree) == {"LOG", "x", "y"}
    assert module_level_names(tree) >= {"os", "b", "LOG", "f", "C"}
    facts = facts_of("LOG.append(x)\nos.makedirs(y)")
    assert "LOG" in facts.effected and "os" not in facts.effected


def test_names_bound_in_a_try_and_read_later_are_logged():
    facts = facts_of("""
        try:
            a = x + 1
            b = y + 1
        except ValueError:
            a = 0
        return a
    """)
    assert facts.logged == {"a"}                            # b is never read after the try


# -- lower ---------------------------------------------------------------------------

def test_calls_are_hoisted_in_evaluation_order():
    lines = lowered("return f(x) + g(y)")
    calls = [line for line in lines if "_ds.call" in line]
    assert calls == ["_t1 = _ds.call(f, x)", "_t2 = _ds.call(g, y)"]


@pytest.mark.parametrize("expression", ["x and f(x)", "x or f(x)", "f(x) if y else g(y)"])
def test_calls_in_conditional_parts_run_only_when_python_runs_them(expression):
    text = "\n".join(lowered(f"a = {expression}\nreturn a"))
    # The call sits in a branch the owner takes after testing the condition.
    assert "if " in text and "_ds.get(" in text
    first_call = text.index("_ds.call(f") if "_ds.call(f" in text else text.index("_ds.call(g")
    assert text.index("if ") < first_call


def test_comprehensions_become_loops_whose_calls_fan_out():
    text = "\n".join(lowered("return [f(v) for v in y]"))
    assert "for _t" in text and "_ds.call(f, _t" in text and "_ds.collect('list'" in text


def test_rebinding_is_a_new_version_not_a_wait():
    lines = [line for line in lowered("a = f(x)\na = g(a)\nreturn a")
             if "settle_returned" not in line]   # (see test_effects: what f returned)
    assert lines[:2] == ["a = _ds.call(f, x)", "a = _ds.call(g, a)"]


def test_a_getters_result_read_in_place_is_settled_before_the_read():
    # (``list(get_seen())`` after ``note(1)``: read as ``seen = get_seen()`` would be)
    getters = "def get_seen():\n    return LOG\n\ndef note(x):\n    LOG.append(x)\n\n"
    lines = lowered("note(1)\nreturn list(get_seen())", decorator=getters + "@desync")
    settle = next(i for i, line in enumerate(lines) if "settle_returned(_t" in line)
    assert "'get_seen'" in lines[settle]
    assert settle > next(i for i, line in enumerate(lines) if "_ds.call(get_seen" in line)
    assert settle < next(i for i, line in enumerate(lines) if "list(" in line)
    # (a result only handed to another call is that callee's to read: nothing waits)
    assert not any("settle_returned" in line
                   for line in lowered("return f(get_seen())", decorator=getters + "@desync"))


def test_method_calls_on_locals_name_their_object():
    lines = lowered("xs = []\nxs.append(f(x))\nreturn xs")
    assert "_ds.method('xs', ('xs',), xs, 'append', _t1)" in lines, lines


def test_module_objects_mutated_by_the_body_are_ordered():
    lines = lowered("LOG.append(f(x))\nreturn len(LOG)")
    # (looked up before its argument's call, as Python does: ``method_bound``)
    assert any(line.startswith("_ds.method_bound('LOG', ('LOG'") for line in lines), lines
    assert any("_ds.pure_read(('LOG'" in line for line in lines), lines


def test_arguments_that_may_be_one_object_are_checked_at_entry():
    lines = lowered("x.append(1)\nreturn f(y)")
    assert lines[0] == "_ds.distinct((('x', 'x[]'), x), (('y',), y))"
    assert "_t2 = _ds.read(('y',), f, y)" in lines


def test_module_function_calls_stay_plain_calls():
    lines = lowered("os.makedirs(x)\nos.makedirs(y)")
    # (and a body that falls off its end retires what is pending inside it, so a
    # failure there is reported at its own line)
    assert lines == ["_ds.call(os.makedirs, x)", "_ds.call(os.makedirs, y)", "_ds.finish()"]


def test_writes_to_global_and_closure_variables_are_effects():
    text = "\n".join(lowered("global LOG\nLOG = g(y)"))
    assert "_ds.effect(('@LOG',), _set_LOG, _t1)" in text
    text = "\n".join(lowered("a = f(x)\nh = lambda: a\nreturn h()"))
    assert "_ds.effect(('@a',), _set_a, _t1)" in text


def test_a_negative_number_is_an_atom_like_python_folds_it():
    # ``xs[-1]`` and ``n * -2`` name one function instead of building a lambda (a code
    # object less per use); ``-(1j)`` is left alone (its real part is -0.0).
    text = "\n".join(lowered("a = f(xs)\nb = a[-1]\nc = b * -2.5\nd = b * -1j\n"
                             "return b, c, d"))
    assert "_ds.pure(__desync_rt__.getitem, a, -1)" in text, text
    assert "_ds.pure(__desync_rt__.mul, b, -2.5)" in text, text
    assert "lambda b: b * -1j" in text, text


def test_item_assignment_is_an_effect_on_its_object():
    lines = lowered("d = {}\nd[x] = f(y)\nreturn d")
    assert "_ds.effect(('d',), __desync_rt__.setitem, d, x, _t1)" in lines, lines


def test_try_bodies_are_blocks_after_a_barrier_and_handlers_restore_locals():
    text = "\n".join(lowered("a = 1\ntry:\n    a = f(x)\nexcept ValueError:\n"
                             "    a = a + 1\nreturn a"))
    assert text.index("_ds.barrier()") < text.index("try:") < text.index("with _ds.block()")
    assert "a, = _ds.restore(" in text
    assert text.index("a, = _ds.restore(") < text.index("a = _ds.get(a) + 1")


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


def test_slices_stored_and_deleted_through_helpers_are_valid_source():
    # A bare ``1:2`` is valid only inside brackets: built code once had
    # ``delitem(xs, :1)`` (found by the fuzzer, seed 31337).
    from desync.compiler import transpile_source
    source = ("from desync import desync\n\ndef f(x):\n    return x\n\n@desync\n"
              "def p(xs, grid):\n    a = f(1)\n    del xs[:1]\n    xs[1:2] = [a]\n"
              "    xs[::2] += [a]\n    grid[0:1, 2] = a\n    del grid[::2, :]\n    return xs\n")
    compile(transpile_source(source, "m.py"), "m.py", "exec")


@pytest.mark.parametrize("block", [
    "try:\n    from _no_such_module import outer\nexcept ImportError:\n",
    "match 1:\n    case _:\n",
])
def test_a_nested_def_in_a_function_defined_in_a_handler_or_case_is_found(
        tmp_path, monkeypatch, block):
    # (hashlib's pure-Python pbkdf2_hmac: found by round M once pacing ran the outer
    # function plainly and its nested def was decorated on each call)
    inner = textwrap.indent(textwrap.dedent("""\
        @desync
        def outer(x):
            @desync
            def inner(m):
                return m * 2 + 1
            return inner(x)
        """), "    ")
    (tmp_path / "in_a_block.py").write_text("from desync import desync\n" + block + inner)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("in_a_block")
    assert [module.outer(x) for x in range(3)] == [1, 3, 5]
    # what pacing runs once it judges the body not worth its cost: the original
    plain = module.outer.__desync_original__
    assert [plain(x) for x in range(3)] == [1, 3, 5]


def test_imports_in_blocks_count_and_conflicting_ones_are_left_to_the_runtime():
    from desync.compiler.callees import import_table
    tree = ast.parse(textwrap.dedent("""\
        import os
        try:
            from simplejson import loads
        except ImportError:
            from json import loads
            from warnings import warn as _warn
        if os.name:
            from fastlog import say
        else:
            from builtins import print as say
        def f():
            from sys import argv   # (run when f is called: not the module's)
        try:
            from fastmath import fsum
        except ImportError:
            def fsum(xs):
                print("slow path")
                return sum(xs)
        if TYPE_CHECKING:
            from typing import Sequence
        """))
    table = import_table(tree)
    assert table["os"] == ("os", None) and table["_warn"] == ("warnings", "warn")
    assert "loads" not in table    # two pure-or-unknown candidates: judged when called
    assert table["say"] == ("builtins", "print")   # one is an effect: in order either way
    assert "argv" not in table
    assert "fsum" not in table     # a fallback def of the name: judged when called
    assert "Sequence" not in table   # never imported at run time


@pytest.mark.parametrize("guard", ["if", "try"])
def test_a_loop_with_hundreds_of_continue_guards_transpiles(tmp_path, monkeypatch, guard):
    """Each guard that ends in ``continue`` nests the rest of the loop body under its
    ``else`` (fold_loop_continues): only the first few are folded, so a long flat
    body stays within the compiler's depth (175 ``try`` or 500 ``if`` guards failed to
    transpile when every one was folded)."""
    lines = ["from desync import desync", "", "def strict(v):", "    return int(v)", "",
             "@desync", "def many(xs):", "    out = []", "    for x in xs:"]
    for i in range(300 if guard == "try" else 600):
        if guard == "try":
            lines += ["        try:", f"            v{i} = strict(x + {i})",
                      "        except TypeError:", "            continue"]
        else:
            lines += [f"        if x == {i + 100}:", "            continue"]
    lines += ["        out.append(x)", "    return out", ""]
    (tmp_path / f"guards_{guard}.py").write_text("\n".join(lines))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(f"guards_{guard}")
    assert module.many([1, 2, 150, 3]) == module.many.__desync_original__([1, 2, 150, 3])


def test_functions_that_never_hand_out_module_state_are_known_from_source():
    from desync.compiler.analyse import fresh_returning
    tree = ast.parse(textwrap.dedent('''
        SEEN = []
        def fine(x): return x
        def doubled(x): return x * 2
        def made(x): return [x, SEEN]
        def counted(): return len(SEEN)
        def nothing(x): print(x)
        def either(x): return x if x else None
        def hands_out(): return SEEN
        def a_row(k): return SEEN[k]
        def through_a_local():
            s = SEEN
            return s
        def maybe(flag): return SEEN if flag else []
        def shadowed(): return list(SEEN)
        list = tuple
        def twice(x): return x
        def twice(x): return SEEN
        def rebound(x): return x
        def rebinds():
            global rebound
            rebound = hands_out
    '''))
    assert fresh_returning(tree) == {"fine", "doubled", "made", "counted", "nothing", "either",
                                     "rebinds"}
