"""The layers of the package, read from the source (every import counts: module level,
function-local and under TYPE_CHECKING):

1. `clipper.core.search` knows only its ports: nothing of the store, the archive facade, the
   finder, the import pipeline or the indexing worker;
2. `clipper.core.store` knows nothing of search, ingest, the facade or the finder;
3. `clipper.core` imports nothing of the window, the exports, the command line or the
   benchmarks (and never Qt: see test_no_qt);
4. only `clipper.cli` imports the benchmarks;
5. no import cycle anywhere in `clipper.core`;
6. no class over 450 lines, and no benchmark or synthetic corpus under `clipper.core`.

Run alone with `pytest tests/core/test_layering.py`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import clipper

PACKAGE = Path(clipper.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every clipper module `name` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` imports the module; `from module import name`
            # imports the module only.
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES:
                yield target


GRAPH = {name: set(_imported(name, path)) for name, path in MODULES.items()}


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _violations(importers: str, forbidden: Iterable[str]) -> list[str]:
    forbidden = tuple(forbidden)
    return sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if _within(name, [importers])
        for target in targets
        if _within(target, forbidden)
    )


def test_the_package_is_read() -> None:
    assert {"clipper.core.archive", "clipper.core.search.index", "clipper.cli"} <= set(GRAPH)
    # Function-local and relative imports count.
    assert "clipper.core.search" in GRAPH["clipper.core.archive"]
    assert "clipper.export.cli" in GRAPH["clipper.cli"]


def test_search_knows_only_its_ports() -> None:
    assert (
        _violations(
            "clipper.core.search",
            [
                "clipper.core.archive",
                "clipper.core.store",
                "clipper.core.finding",
                "clipper.core.ingest",
                "clipper.core.index_worker",
                "clipper.core.operations",
            ],
        )
        == []
    )


def test_the_store_knows_nothing_above_it() -> None:
    assert (
        _violations(
            "clipper.core.store",
            [
                "clipper.core.search",
                "clipper.core.ingest",
                "clipper.core.archive",
                "clipper.core.finding",
                "clipper.core.operations",
            ],
        )
        == []
    )


def test_the_core_knows_nothing_of_its_clients() -> None:
    assert (
        _violations(
            "clipper.core", ["clipper.ui", "clipper.export", "clipper.cli", "clipper.bench"]
        )
        == []
    )


def test_only_the_command_line_imports_the_benchmarks() -> None:
    importers = {
        name
        for name, targets in GRAPH.items()
        if not _within(name, ["clipper.bench"])
        and any(_within(t, ["clipper.bench"]) for t in targets)
    }
    assert importers <= {"clipper.cli"}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("root", ["clipper.core"])
def test_no_import_cycles(root: str) -> None:
    core = {
        name: {t for t in targets if _within(t, [root]) and t != name}
        for name, targets in GRAPH.items()
        if _within(name, [root])
    }
    assert _cycles(core) == []


# No room may grow into a "main window that owns everything" again.
MAX_CLASS_LINES = 450


def test_no_class_is_over_450_lines() -> None:
    big = sorted(
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES
    )
    assert big == []


def test_no_benchmark_or_synthetic_corpus_under_the_core() -> None:
    stray = sorted(
        name
        for name in MODULES
        if _within(name, ["clipper.core"]) and name.rsplit(".", 1)[-1] in ("bench", "corpus")
    )
    assert stray == []
