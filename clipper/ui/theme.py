"""Colours that follow the palette: the window's look in a light or a dark desktop theme.

The style sheet (resources/style.qss) names its colours (`@text`, `@muted`, `@region_bg`...)
instead of fixing them; `Theme.from_palette` derives each from the application's palette,
so text and the backgrounds behind it always come from the same side: white on white, as
a style sheet with fixed light backgrounds gives in a dark theme, cannot happen. Quiet
text (counts, hints, metadata) is as quiet as it can be while keeping a WCAG contrast of
4.5 with the backgrounds it is drawn on. The same colours serve the code that paints
(the sidebar's counts, the article's metadata lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from PySide6.QtGui import QColor, QPalette

MIN_CONTRAST = 4.5
# Quiet text aims a little above the minimum, so rounding never drops it below.
QUIET_CONTRAST = 4.8
TOKEN = re.compile(r"@([a-z_]+)\b")

GREEN = QColor("#1f9d55")
BLUE = QColor("#2f6fd6")
AMBER = QColor("#d69e2e")
RED_LIGHT = QColor("#b91c1c")
RED_DARK = QColor("#f87171")


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    """`a` with `share_of_b` of `b` blended in."""
    t = max(0.0, min(1.0, share_of_b))
    return QColor.fromRgbF(
        a.redF() * (1 - t) + b.redF() * t,
        a.greenF() * (1 - t) + b.greenF() * t,
        a.blueF() * (1 - t) + b.blueF() * t,
    )


def quiet(text: QColor, backgrounds: list[QColor], most: float = 0.6) -> QColor:
    """`text` faded toward the backgrounds as far as contrast with all of them allows."""
    towards = backgrounds[0]
    share = most
    while share > 0:
        candidate = mix(text, towards, share)
        if all(contrast(candidate, bg) >= QUIET_CONTRAST for bg in backgrounds):
            return candidate
        share -= 0.02
    return QColor(text)


def readable(colour: QColor, backgrounds: list[QColor], text: QColor) -> QColor:
    """`colour` (a red, a link blue), pulled toward `text` until it reads on the backgrounds."""
    share = 0.0
    while share <= 1.0:
        candidate = mix(colour, text, share)
        if all(contrast(candidate, bg) >= QUIET_CONTRAST for bg in backgrounds):
            return candidate
        share += 0.05
    return QColor(text)


def _marker(base: QColor, text: QColor) -> QColor:
    """A highlighter's amber over `base`, as strong as `text` on it still reads."""
    share = 0.45
    while share > 0.1 and contrast(mix(base, AMBER, share), text) < MIN_CONTRAST:
        share -= 0.05
    return mix(base, AMBER, share)


def _away_from(colour: QColor) -> QColor:
    """Black for a light colour, white for a dark one."""
    return QColor("#000000") if luminance(colour) > 0.4 else QColor("#ffffff")


@dataclass(frozen=True)
class Theme:
    """Every colour the style sheet and the painting code use, by name."""

    dark: bool
    window: QColor
    window_text: QColor
    base: QColor
    alt_base: QColor
    text: QColor
    muted: QColor
    muted_on_window: QColor
    border: QColor
    border_strong: QColor
    accent: QColor
    accent_text: QColor
    selection_soft: QColor
    hover: QColor
    sidebar_bg: QColor
    desk_bg: QColor
    header_bg: QColor
    chip_bg: QColor
    chip_border: QColor
    region_bg: QColor
    region_border: QColor
    topic_bg: QColor
    topic_border: QColor
    suggest_region_bg: QColor
    suggest_topic_bg: QColor
    note_bg: QColor
    note_border: QColor
    note_focus: QColor
    banner_bg: QColor
    banner_border: QColor
    # Behind the words a search matched, in the reader.
    mark_bg: QColor
    overlay_bg: QColor
    error: QColor
    link: QColor

    @classmethod
    def from_palette(cls, palette: QPalette) -> Theme:
        role = QPalette.ColorRole
        window = palette.color(role.Window)
        base = palette.color(role.Base)
        text = palette.color(role.Text)
        window_text = palette.color(role.WindowText)
        dark = luminance(base) < 0.2
        tint = 0.24 if dark else 0.12
        accent_text = palette.color(role.HighlightedText)
        # Selected rows are text on the accent: deepen it (or lighten it, under dark text)
        # until that text reads on it.
        accent = readable(palette.color(role.Highlight), [accent_text], _away_from(accent_text))
        sidebar_bg = mix(window, base, 0.35)
        desk_bg = mix(base, window, 0.35)
        alt_base = palette.color(role.AlternateBase)
        if contrast(alt_base, text) < MIN_CONTRAST or alt_base == base:
            alt_base = mix(base, text, 0.04)
        region_bg = mix(base, GREEN, tint)
        topic_bg = mix(base, BLUE, tint)
        note_bg = mix(base, AMBER, 0.08 if not dark else 0.12)
        banner_bg = mix(base, AMBER, 0.18 if not dark else 0.22)
        backgrounds = [base, window, sidebar_bg, desk_bg, alt_base]
        return cls(
            dark=dark,
            window=window,
            window_text=window_text,
            base=base,
            alt_base=alt_base,
            text=text,
            muted=quiet(text, [base, alt_base, desk_bg, note_bg, region_bg, topic_bg]),
            muted_on_window=quiet(window_text, [window, sidebar_bg, mix(sidebar_bg, accent, 0.3)]),
            border=mix(base, text, 0.14),
            border_strong=mix(base, text, 0.28),
            accent=accent,
            accent_text=accent_text,
            selection_soft=mix(sidebar_bg, accent, 0.3),
            hover=mix(sidebar_bg, text, 0.07),
            sidebar_bg=sidebar_bg,
            desk_bg=desk_bg,
            header_bg=base,
            chip_bg=mix(base, text, 0.06),
            chip_border=mix(base, text, 0.18),
            region_bg=region_bg,
            region_border=mix(region_bg, GREEN, 0.35),
            topic_bg=topic_bg,
            topic_border=mix(topic_bg, BLUE, 0.35),
            suggest_region_bg=mix(base, GREEN, tint / 2),
            suggest_topic_bg=mix(base, BLUE, tint / 2),
            note_bg=note_bg,
            note_border=mix(note_bg, AMBER, 0.4),
            note_focus=AMBER,
            banner_bg=banner_bg,
            banner_border=mix(banner_bg, AMBER, 0.4),
            mark_bg=_marker(base, text),
            overlay_bg=QColor(accent.red(), accent.green(), accent.blue(), 36),
            error=readable(RED_DARK if dark else RED_LIGHT, backgrounds, text),
            # The palette's link blue, a little quieter (Fusion's is pure #0000ff).
            link=readable(mix(palette.color(role.Link), text, 0.2), backgrounds, text),
        )

    def css(self, name: str) -> str:
        """A colour as the style sheet writes it."""
        colour = getattr(self, name)
        if not isinstance(colour, QColor):
            raise KeyError(name)
        if colour.alpha() < 255:
            return f"rgba({colour.red()}, {colour.green()}, {colour.blue()}, {colour.alpha()})"
        return colour.name()

    def fill(self, template: str) -> str:
        """The style sheet with each `@name` replaced by this theme's colour."""
        names = {f.name for f in fields(self) if f.name != "dark"}

        def colour(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                raise KeyError(f"the style sheet names an unknown colour @{name}")
            return self.css(name)

        return TOKEN.sub(colour, template)


_themes: dict[int, Theme] = {}


def theme_for(palette: QPalette) -> Theme:
    """The theme of a palette, worked out once per palette."""
    key = palette.cacheKey()
    theme = _themes.get(key)
    if theme is None:
        if len(_themes) > 16:
            _themes.clear()
        theme = _themes[key] = Theme.from_palette(palette)
    return theme
