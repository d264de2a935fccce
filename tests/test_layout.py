"""The package layout is the architecture: these tests keep it honest.

- ``desync.runtime`` (what built code imports) needs only the standard library
  and itself; ``cloudpickle`` is its one declared dependency, imported lazily.
- No import cycles between desync's modules, counting imports inside functions.
- ``import desync`` loads no transpiler, hashing or toolchain code.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import desync

PACKAGE = Path(desync.__file__).parent
STDLIB = set(sys.stdlib_module_names)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """Absolute names of every module one file imports, at any depth in the file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            yield source
            for alias in node.names:  # `from . import lockfile` imports a module
                candidate = f"{source}.{alias.name}"
                if candidate in MODULES:
                    yield candidate


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _graph():
    # A package's own ancestors are always imported before it: not an edge.
    return {name: {m for m in _imports(path) if m in MODULES and m != name
                   and not name.startswith(m + ".")}
            for name, path in MODULES.items()}


def test_runtime_imports_only_the_standard_library_and_itself():
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith("desync.runtime"):
            continue
        for imported in _imports(path):
            top = imported.split(".")[0]
            if imported.startswith("desync.runtime") or top in STDLIB or top == "cloudpickle":
                continue
            offenders.append(f"{name} imports {imported}")
    assert offenders == []


def test_no_import_cycles():
    graph = _graph()
    state: dict = {}
    cycles = []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_lower_layers_never_import_the_toolchain():
    graph = _graph()
    for name, imported in graph.items():
        if name.startswith(("desync.compiler", "desync.runtime", "desync.hashing")):
            assert not any(m.startswith("desync.toolchain") for m in imported), name


def test_every_folder_says_what_it_is_and_may_import():
    for folder in ("compiler", "runtime", "hashing", "toolchain"):
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
        assert doc and "import" in doc, folder


def test_import_desync_stays_light():
    code = ("import sys; import desync; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('desync'))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert not [m for m in loaded if m.startswith(("desync.compiler", "desync.hashing",
                                                   "desync.toolchain"))]
    assert "ast" not in subprocess.run(
        [sys.executable, "-c", "import sys, desync; print(' '.join(sys.modules))"],
        capture_output=True, text=True, check=True).stdout.split()
