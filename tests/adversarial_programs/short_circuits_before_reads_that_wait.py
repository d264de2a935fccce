"""``and``, ``or`` and ``x if c else y`` whose later operand reads a name the body
waits for (a global a function rebinds, a name of a project module, one from
``import *``): the operand before that read was computed first, outside the
short-circuit, so ``d is not None and d["k"] < LIMIT`` raised TypeError for ``d =
None`` (test_ast, test_xml_etree and test_re under ``realcode.py``). And a body
whose first step named a module-level global not bound yet (``try: dc =
DefaultContext`` while the module is still being imported) raised NameError
outside its ``try`` (``_pydecimal`` failed to import).
Run: DESYNC_PACING=0 python tests/adversarial_programs/short_circuits_before_reads_that_wait.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ast import *  # noqa: E402,F401,F403  (binds Expr, Call, Name among others)
from _harness import main  # noqa: E402  (after: ast has a main too)
import _project_settings as settings  # noqa: E402
from _project_settings import OPTS  # noqa: E402

LIMIT = 3
SEEN = []


def bump():
    global LIMIT
    LIMIT += 1


class Node:
    def __init__(self, body, text=None):
        self.body = body
        self.text = text

    @property
    def first(self):
        return self.body[0]


def and_before_a_rebound_global(d=None):
    return bool(d is not None and d["k"] < LIMIT)


def and_before_a_project_modules_name(b=()):
    return bool(b and b[0] < settings.LEVEL)


def and_before_a_name_imported_from_a_project_module(b=()):
    return bool(b and b[0] in OPTS)


def and_before_a_name_from_import_star(node=Node([])):
    return bool(node.body and isinstance(node.body[0], Expr))  # noqa: F405


def or_before_a_rebound_global(d=None):
    return d is None or d["k"] < LIMIT


def conditional_before_a_rebound_global(d=None):
    return d["k"] + LIMIT if d is not None else -LIMIT


def a_property_before_a_rebound_global(node=Node([])):
    return bool(node.body and node.first < LIMIT)


def in_an_if_test(text=None):
    if isinstance(text, Node) and text.text not in SEEN:
        return "node"
    return "other"


def a_chain_of_ands(xs=None):
    return xs is not None and len(xs) > 1 and xs[1] > LIMIT and xs[2] < settings.LEVEL


class Holder:
    rounding = None


def reads_a_global_not_bound_yet_in_a_try(holder, rounding="half-even"):
    # (``_pydecimal``'s ``Context.__init__``, run while the module binds
    # ``DefaultContext = Context(...)``)
    try:
        dc = NOT_BOUND_YET
    except NameError:
        pass
    holder.rounding = rounding if rounding is not None else dc.rounding
    return holder.rounding


NOT_BOUND_YET = Holder()   # (bound by the module; each run unbinds it first)


def _unbound_and_a_holder():
    globals().pop("NOT_BOUND_YET", None)
    return (Holder(),)


CASES = [and_before_a_rebound_global, and_before_a_project_modules_name,
         and_before_a_name_imported_from_a_project_module, and_before_a_name_from_import_star,
         or_before_a_rebound_global, conditional_before_a_rebound_global,
         a_property_before_a_rebound_global, in_an_if_test, a_chain_of_ands,
         (reads_a_global_not_bound_yet_in_a_try, _unbound_and_a_holder, lambda a: a[0].rounding)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
