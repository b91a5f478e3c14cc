"""Only the PDF needs Qt: every other export module imports without loading PySide6."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import clipper.export

EXPORT = Path(clipper.export.__file__).parent
NEEDS_QT = {"clipper.export.pdf"}


def test_exports_other_than_pdf_never_load_pyside6() -> None:
    modules = sorted(
        "clipper.export." + p.stem for p in EXPORT.glob("*.py") if p.stem != "__init__"
    )
    plain = [m for m in modules if m not in NEEDS_QT]
    code = (
        "import importlib, sys\n"
        f"for name in {plain!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert len(plain) >= 10
    assert result.stdout.strip() == ""
