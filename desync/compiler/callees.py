"""What a call in a desync body does, as far as the source tells: the runtime's
table of library functions (``print`` prints, ``time.time`` reads the clock),
looked up through the module's imports. Used to explain, not to decide: the
runtime classifies each callee again when the call is made."""
from __future__ import annotations

import ast
import builtins

from .parse import walk_tree


def import_table(tree: ast.Module) -> dict:
    """Local name -> (module, attribute or None) for the module's imports run at
    import time: top-level ones and those in its ``try``, ``if``, ``with`` and
    ``match`` blocks (``try: from fast import f / except ImportError: from warnings
    import warn as _warn``). A name two of them bind differently is left to the
    runtime to judge, unless one of them is an effect: run in order, as written, it
    is right whichever import ran."""
    table: dict = {}
    conflicting: dict = {}
    defined: set = set()   # (bound otherwise too: ``except ImportError: def f(...)``)

    def bind(name, target):
        if table.setdefault(name, target) != target:
            conflicting.setdefault(name, [table[name]]).append(target)

    def visit(body):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                defined.update(n.id for t in targets for n in walk_tree(t)
                               if isinstance(n, ast.Name))
            if isinstance(node, ast.If) and _type_checking(node.test):
                visit(node.orelse)   # (``if TYPE_CHECKING:`` imports never run)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bind(alias.asname, (alias.name, None))
                    else:
                        top = alias.name.split(".")[0]
                        bind(top, (top, None))
                        # (``import a.b``: ``a.b`` is a module too; dotted keys name no
                        # variable, so they only answer lookups of a dotted path)
                        parts = alias.name.split(".")
                        for end in range(2, len(parts) + 1):
                            dotted = ".".join(parts[:end])
                            table[dotted] = (dotted, None)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    bind(alias.asname or alias.name, (node.module, alias.name))
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        visit(inner)
                for clause in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
                    visit(clause.body)
    visit(tree.body)
    for name in defined & set(table):
        conflicting.setdefault(name, [table[name]])
    if conflicting:
        from ..runtime.effects import EFFECT, listed_facts
        for name, targets in conflicting.items():
            effects = [t for t in targets if t[1] is not None
                       and getattr(listed_facts(*t), "kind", None) == EFFECT]
            if effects:
                table[name] = effects[-1]
            else:
                del table[name]
    return table


def _type_checking(test) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def static_facts(func: ast.expr, imports: dict, module_names=frozenset()):
    """The table's facts for a callee expression, or None when the source cannot tell."""
    from ..runtime.effects import listed_facts
    if isinstance(func, ast.Name):
        if func.id in imports:
            where, attr = imports[func.id]
            return listed_facts(where, attr) if attr else None
        if func.id in module_names or not hasattr(builtins, func.id):
            return None
        return listed_facts("builtins", func.id)
    if isinstance(func, ast.Attribute):
        root, path = _attribute_path(func)
        if root is not None and root.id in imports:
            where, attr = imports[root.id]
            return listed_facts(".".join([where] + ([attr] if attr else []) + path[:-1]),
                                func.attr)
    return None


def _attribute_path(node: ast.expr):
    """``a.b.c`` -> (the Name ``a``, ["b", "c"]); (None, []) if it is not names."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return (node, parts[::-1]) if isinstance(node, ast.Name) else (None, [])


# Callees that look at the frame that calls them (or at its callers): they must be
# called from the body's own frame, as written, not from a task or the runtime.
FRAME_SENSITIVE = frozenset({
    "sys._getframe", "sys._getframemodulename", "inspect.currentframe", "inspect.stack",
    "inspect.getouterframes", "traceback.extract_stack", "traceback.format_stack",
    "traceback.print_stack", "traceback.walk_stack", "warnings.warn", "builtins.breakpoint",
    "builtins.globals",
    # The thread's context: the body's own, changed in program order; calls issued
    # after take it with them.
    "decimal.setcontext", "decimal.getcontext", "decimal.localcontext",
    "contextvars.copy_context",
})
# Methods of a module-level ContextVar that change the body's context.
CONTEXT_METHODS = frozenset({"set", "reset"})
# Builtins that read the calling frame's variables when called without a namespace.
FRAME_LOCALS = frozenset({"locals", "vars", "dir", "eval", "exec"})


def dotted_callee(func: ast.expr, imports: dict, module_names=frozenset()) -> str | None:
    """``module.attribute`` a callee expression names through the imports
    (``sys._getframe``, ``builtins.locals``), or None."""
    if isinstance(func, ast.Name):
        if func.id in imports:
            where, attr = imports[func.id]
            return f"{where}.{attr}" if attr else where
        if func.id not in module_names and hasattr(builtins, func.id):
            return f"builtins.{func.id}"
        return None
    root, path = _attribute_path(func)
    if root is not None and root.id in imports:
        where, attr = imports[root.id]
        return ".".join([where] + ([attr] if attr else []) + path)
    return None


def reads_frame(call: ast.Call, imports: dict, module_names=frozenset()) -> str | None:
    """"stack" if the call looks at its caller's frame, "locals" if it reads the
    caller's variables (``locals()``, ``eval(text)``), else None."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in CONTEXT_METHODS:
        return "stack"   # ``REQUEST.set(v)`` (any object that may be a ContextVar)
    for keyword in call.keywords:
        if keyword.arg == "skip_file_prefixes" or (
                keyword.arg == "stacklevel" and not (isinstance(keyword.value, ast.Constant)
                                                     and keyword.value.value == 1)):
            # ``log.warning("deprecated", stacklevel=2)``: names the body's caller
            return "stack"
    name = dotted_callee(func, imports, module_names)
    if name is None:
        return None
    if name in FRAME_SENSITIVE:
        return "stack"
    short = name[len("builtins."):] if name.startswith("builtins.") else None
    if short in FRAME_LOCALS:
        namespaces = len(call.args) - 1 if short in ("eval", "exec") else len(call.args)
        if namespaces <= 0 and not any(k.arg in ("globals", "locals") for k in call.keywords):
            return "locals"
    return None
