"""Dates as newsrooms write them, in English and French: "6 Dec 2023", "Jun 26, 2025",
"December 6, 2023", "2023-12-06", "Publié le 5 décembre 2023 à 18h30", "1er janvier 2024",
"06/12/2023", and wire datelines' "Jan 28" (no year).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case without accents; one character in, one character out for Latin text."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFD", text)).lower()


MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january janv janvier",
        "feb february fev fevr fevrier",
        "mar march mars",
        "apr april avr avril",
        "may mai",
        "jun june juin",
        "jul july juil juillet",
        "aug august aout",
        "sep sept september septembre",
        "oct october octobre",
        "nov november novembre",
        "dec december decembre",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

# Folded text is matched, so accents never matter ("décembre" and "decembre" alike).
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d)"),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
    re.compile(r"\b(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>(?:19|20)\d\d)\b"),
]
_NO_YEAR = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s+(?:19|20)\d\d)")


@dataclass(frozen=True)
class DateMatch:
    date: dt.date
    start: int
    end: int
    has_year: bool = True


def _month_number(value: str) -> int:
    return int(value) if value.isdigit() else MONTHS[value]


def find_dates(text: str) -> list[DateMatch]:
    """Every full date (with a year) in the text, in order of position."""
    folded = fold(text)
    # fold() keeps the length of plain text, but not of every script; positions are only
    # meaningful when it does, which is all this module's callers need (Latin text).
    found: dict[int, DateMatch] = {}
    for pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(d.start <= m.start() < d.end for d in found.values()):
                continue
            try:
                date = dt.date(int(m["year"]), _month_number(m["month"]), int(m["day"]))
            except (ValueError, KeyError):
                continue
            found[m.start()] = DateMatch(date, m.start(), m.end())
    return [found[k] for k in sorted(found)]


def find_date_without_year(text: str, reference: dt.date) -> DateMatch | None:
    """'Jan 28' as in a wire dateline: the latest such day not after `reference`."""
    m = _NO_YEAR.search(fold(text))
    if m is None:
        return None
    month, day = MONTHS[m["month"]], int(m["day"])
    for year in (reference.year, reference.year - 1):
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        if date <= reference:
            return DateMatch(date, m.start(), m.end(), has_year=False)
    return None


def parse_date(text: str) -> dt.date | None:
    """The first full date in the text, if any."""
    found = find_dates(text)
    return found[0].date if found else None
