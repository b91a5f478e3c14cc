"""Words the window puts around archive text: counted nouns ("1 clipping", "3 clippings", never
"clipping(s)"), quoted titles, and archive text made safe for the places Qt would read as
markup (tooltips) or as mnemonics (menu entries)."""

from __future__ import annotations

import html

PLURALS = {"duplicate": "duplicates", "dossier": "dossiers", "entry": "entries"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 clipping', '2 clippings', '1,200 clippings'."""
    word = noun if count == 1 else (many or PLURALS.get(noun, noun + "s"))
    return f"{count:,} {word}"


def clippings(count: int) -> str:
    return plural(count, "clipping")


def quoted(text: str, limit: int = 60) -> str:
    """A title in curly quotes, cut at a word when it is long."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as it is. Qt renders a tooltip as rich text when it looks
    like markup (an archive title may hold `<img src=...>`, which would be loaded): so the
    text is escaped and wrapped, which makes Qt render it as rich text that shows exactly
    these characters, line breaks kept."""
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def menu_text(text: str) -> str:
    """Archive text as a menu entry: an ampersand is shown, not taken for a shortcut key."""
    return text.replace("&", "&&")
