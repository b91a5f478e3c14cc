"""The app's icons: small SVGs drawn for Clipper in resources/icons, cached by name.

They are drawn with dark grey strokes for a light window; in a dark theme those greys are
drawn light instead (the coloured strokes and fills stay), so an icon never sinks into a
dark background.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from clipper.core.paths import RESOURCES_DIR
from clipper.ui.theme import theme_for

log = logging.getLogger(__name__)

ICONS_DIR = RESOURCES_DIR / "icons"
# The strokes that carry an icon's shape in a light theme, and what they become in a dark one.
DARK_STROKES = {
    "#374151": "#d1d5db",
    "#475569": "#cbd5e1",
    "#6b7280": "#b6bcc6",
    "#1f3a5f": "#bcd3f0",
    "#3b5b85": "#a9c1e4",
}
SIZES = (16, 20, 24, 32, 48, 64)


def icon(name: str) -> QIcon:
    """The icon called `name` (resources/icons/NAME.svg), for the palette in use; an empty
    icon if it is missing."""
    return _icon(name, theme_for(QGuiApplication.palette()).dark)


@cache
def _icon(name: str, dark: bool) -> QIcon:
    path = ICONS_DIR / f"{name}.svg"
    if not path.exists():
        log.debug("no icon called %s", name)
        return QIcon()
    if not dark:
        return QIcon(str(path))
    svg = path.read_text(encoding="utf-8")
    for light, dark_colour in DARK_STROKES.items():
        svg = svg.replace(light, dark_colour)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    drawn = QIcon()
    for size in SIZES:
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        drawn.addPixmap(pixmap)
    return drawn
