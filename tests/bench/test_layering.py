"""The bench is measuring code outside the product: no module of clipper.core, clipper.export
or clipper.ui imports clipper.bench; only the command line does."""

from __future__ import annotations

import ast
from pathlib import Path

import clipper

PACKAGE = Path(clipper.__file__).parent


def _imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-local imports included)."""
    package = ".".join(("clipper", *path.relative_to(PACKAGE).parent.parts))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _imports_the_bench(path: Path) -> bool:
    return any(
        name == "clipper.bench" or name.startswith("clipper.bench.") for name in _imported(path)
    )


def test_only_the_command_line_imports_the_bench() -> None:
    product = [
        path for part in ("core", "export", "ui") for path in sorted((PACKAGE / part).rglob("*.py"))
    ]
    assert len(product) > 40
    assert [str(p.relative_to(PACKAGE)) for p in product if _imports_the_bench(p)] == []
    assert _imports_the_bench(PACKAGE / "cli.py")
