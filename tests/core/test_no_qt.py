"""The core never loads Qt: checked in a fresh interpreter that imports every core module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import clipper.core

CORE = Path(clipper.core.__file__).parent


def test_importing_every_core_module_never_loads_pyside6() -> None:
    modules = sorted(
        "clipper.core." + ".".join(p.relative_to(CORE).with_suffix("").parts)
        for p in CORE.rglob("*.py")
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert len(modules) > 5
    assert result.stdout.strip() == ""
