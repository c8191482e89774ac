"""The library's modules import down their layers only, and never in a cycle (imports inside functions too)."""

from __future__ import annotations

import ast
from pathlib import Path

LIB = Path(__file__).parents[1] / "lib"
# Lowest first: a module may import its own layer and those below, never one above.
LAYERS = (
    ("lakehouse.errors", "lakehouse.settings", "lakehouse.tables", "lakehouse.layout", "lakehouse.storage",
     "lakehouse.bookmarks", "lakehouse.lines", "lakehouse.bronze_check", "lakehouse.ingest"),
    ("lakehouse.functions", "lakehouse.schemas", "lakehouse.validation", "lakehouse.dedup", "lakehouse.transforms",
     "lakehouse.marts"),
    ("lakehouse.catalog", "lakehouse.lake"),
    ("lakehouse.runtime",),
    ("lakehouse.jobs",),
    ("lakehouse.dashboard",),
    ("lakehouse.commands",),
    ("lakehouse.cli",),
)


def layer(module: str) -> int:
    matches = [n for n, names in enumerate(LAYERS) for name in names if module == name or module.startswith(name + ".")]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return matches[0]


def imports() -> dict[str, set[str]]:
    """Every lakehouse module and the lakehouse modules it imports, wherever in the file."""
    graph: dict[str, set[str]] = {}
    for path in sorted((LIB / "lakehouse").rglob("*.py")):
        module = ".".join(path.relative_to(LIB).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lakehouse."):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("lakehouse."))
        graph[module] = found
    return graph


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = [f"{m} -> {i}" for m, found in imports().items() if m != "lakehouse" for i in found
              if layer(i) > layer(m)]
    assert upward == []


def test_no_import_cycle() -> None:
    graph = imports()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


def test_the_lambdas_modules_import_no_pyspark() -> None:
    for path in sorted((LIB / "lakehouse" / "ingest").rglob("*.py")):
        tree = ast.parse(path.read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(name.startswith("pyspark") for name in names), path
