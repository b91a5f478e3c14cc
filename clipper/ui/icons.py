"""The app's icons: small SVGs drawn for Clipper in resources/icons, cached by name."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QIcon

from clipper.core.paths import RESOURCES_DIR

log = logging.getLogger(__name__)

ICONS_DIR = RESOURCES_DIR / "icons"


@cache
def icon(name: str) -> QIcon:
    """The icon called `name` (resources/icons/NAME.svg); an empty icon if it is missing."""
    path = ICONS_DIR / f"{name}.svg"
    if not path.exists():
        log.debug("no icon called %s", name)
        return QIcon()
    return QIcon(str(path))
