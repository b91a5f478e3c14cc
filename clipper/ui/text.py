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


def match_case(typed: str, corrected: str) -> str:
    """A corrected query in the case the editor typed it: the index answers in lower case
    ("yevkurov"), the editor wrote "Yevkurof", so "did you mean" offers "Yevkurov". Words are
    matched one to one (a field prefix such as "region:" is kept as typed); when the number
    of words differs, the correction is left as it is."""
    typed_words, words = typed.split(), corrected.split()
    if len(typed_words) != len(words):
        return corrected
    return " ".join(_word_case(t, w) for t, w in zip(typed_words, words, strict=True))


def _word_case(typed: str, word: str) -> str:
    prefix, sep, value = typed.rpartition(":")
    if sep:
        _their_prefix, their_sep, their_value = word.rpartition(":")
        if their_sep:
            return f"{prefix}:{_word_case(value, their_value)}"
    if typed.casefold() == word.casefold():
        return typed
    letters = [c for c in typed if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def menu_text(text: str) -> str:
    """Archive text as a menu entry: an ampersand is shown, not taken for a shortcut key."""
    return text.replace("&", "&&")
