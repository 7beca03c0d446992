"""The package's layout as a contract: the library's stages import only downwards (records and settings, read, clean,
validate, runtime, write, then the Prefect layer in `flows`), and no module imports itself back through a cycle."""
from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

# Lower floors first; a module may import its own floor or a lower one, never a higher one.
FLOORS = [
    ("newsclean", "newsclean.settings", "newsclean.schema", "newsclean.storage", "newsclean.records", "newsclean.patches"),
    ("newsclean.read",),
    ("newsclean.clean",),
    ("newsclean.validate",),
    ("newsclean.runtime",),
    ("newsclean.write",),
    ("flows",),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(module: str) -> int:
    best, best_length = None, -1
    for floor, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = floor, len(prefix)
    return best


def import_graph() -> dict[str, set[str]]:
    """Every project module and the project modules it imports (at any depth: function-level imports count)."""
    modules = {_module_name(path): path for package in ("newsclean", "flows") for path in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                # `from package import submodule` depends on the submodule; a name imported from a module, on it
                names = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target for alias in node.names]
            else:
                continue
            for name in names:
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    imported.add(name)
        graph[module] = imported
    return graph


def test_every_module_sits_on_a_floor():
    assert [module for module in import_graph() if _floor(module) is None] == []


def test_no_stage_imports_a_later_stage():
    upward = [(module, target) for module, targets in import_graph().items() for target in targets
              if _floor(target) > _floor(module)]
    assert upward == []


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [module, target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checks_see_a_cycle_and_an_upward_import(monkeypatch):
    """The graph is read from the code: a package's parent import counts (a parent __init__ importing a child, and
    the child importing the parent's name, is the read↔containers cycle this layout removed)."""
    graph = import_graph()
    assert "newsclean.read.decode" in graph["newsclean.read.discover"]
    assert any(target.startswith("newsclean.") for target in graph["flows.flow"])
