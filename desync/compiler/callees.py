"""What a call in a desync body does, as far as the source tells: the runtime's
table of library functions (``print`` prints, ``time.time`` reads the clock),
looked up through the module's imports. Used to explain, not to decide: the
runtime classifies each callee again when the call is made."""
from __future__ import annotations

import ast
import builtins


def import_table(tree: ast.Module) -> dict:
    """Local name -> (module, attribute or None) for the module's top-level imports."""
    table = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    table[alias.asname] = (alias.name, None)
                else:
                    top = alias.name.split(".")[0]
                    table[top] = (top, None)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                table[alias.asname or alias.name] = (node.module, alias.name)
    return table


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
        parts = []
        node = func
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in imports:
            where, attr = imports[node.id]
            path = [where] + ([attr] if attr else []) + list(reversed(parts[1:]))
            return listed_facts(".".join(path), func.attr)
    return None
