"""Where the window keeps its layout: QSettings, in an INI file the caller can choose.

The app uses the user's settings folder (or CLIPPER_SETTINGS, a file path); tests and the
benchmark pass a file in a temporary folder, so they never read or change the user's own.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from clipper.core.paths import APP_NAME

SETTINGS_ENV = "CLIPPER_SETTINGS"


def open_settings(path: str | os.PathLike[str] | None = None) -> QSettings:
    """The settings file at `path`, else $CLIPPER_SETTINGS, else the user's Clipper settings."""
    chosen = path or os.environ.get(SETTINGS_ENV)
    if chosen:
        Path(chosen).parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(chosen), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_NAME, APP_NAME)
