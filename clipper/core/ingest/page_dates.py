"""A page's publication date, through htmldate, with dateparser held to the page's languages.

htmldate reads dates in meta tags, JSON-LD, URLs and text with its own patterns; a date in
words its patterns do not read ("12. März 2021", "3 décembre 2023") goes to dateparser through
a parser htmldate builds with every language dateparser knows. The first such string that no
language claims early makes dateparser compile the word patterns of all of its 200 locales:
3 to 11 seconds once per process, which every command-line import and every window import
batch paid on its first page that needed it (issue 12: the whole CLI run was 18% slower than
before htmldate). Held to the languages the page declares (`<html lang>`, Content-Language,
og:locale), with English and French (a newsroom's two, and the languages of most markup
around a date), dateparser loads those few: a third of a second. On the 850 dated pages of
the development set (peer-eval) the dates found are the same, 756 right either way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import Any

from lxml.html import HtmlElement

log = logging.getLogger(__name__)

# Always tried: a newsroom's languages, and the language of most markup around a date.
ALWAYS = ("en", "fr")
# For a page that declares no language: the languages most news is written in.
UNDECLARED = ("en", "fr", "de", "es", "pt", "it", "nl", "ru", "ar")

# The languages of the page being dated, read by the parser htmldate asks for. A ContextVar,
# so threads dating pages at once each see their own page's; None outside `published_date`,
# where htmldate keeps its own parser (trafilatura's calls, the benchmark's bare libraries).
_PAGE_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar("page_languages", default=None)
_STOCK_PARSER: list[Callable[[], Any]] = []  # htmldate's own get_external_parser, once replaced


def declared_languages(tree: HtmlElement) -> tuple[str, ...]:
    """The languages a page says it is in, as dateparser's codes ("de", "pt"), in order:
    `<html lang>`, then Content-Language, then og:locale; nothing dateparser does not know."""
    found: list[str] = []
    values = [
        *tree.xpath("/html/@lang|/html/@xml:lang", namespaces={"xml": _XML_NS}),
        *tree.xpath(
            "//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']"
            "/@content"
        ),
        *tree.xpath("//meta[@property='og:locale' or @name='language']/@content"),
    ]
    for value in values:
        for part in str(value).split(","):
            code = part.strip().replace("_", "-").split("-")[0].lower()
            if code in _known_languages() and code not in found:
                found.append(code)
    return tuple(found)


_XML_NS = "http://www.w3.org/XML/1998/namespace"


@cache
def _known_languages() -> frozenset[str]:
    from dateparser.data import languages_info

    return frozenset(languages_info.language_order)


@lru_cache(maxsize=32)
def _parser(languages: tuple[str, ...]) -> Any:
    """dateparser's parser for these languages, with the settings htmldate gives its own
    (htmldate.extractors.get_external_parser, 1.11)."""
    from dateparser import DateDataParser

    return DateDataParser(
        languages=list(languages),
        settings={
            "NORMALIZE": True,
            "PARSERS": ["custom-formats", "absolute-time"],
            "PREFER_DATES_FROM": "past",
            "PREFER_LOCALE_DATE_ORDER": True,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": True,
        },
    )


def _page_parser() -> Any:
    languages = _PAGE_LANGUAGES.get()
    if languages is None and _STOCK_PARSER:
        return _STOCK_PARSER[0]()
    return _parser(languages or UNDECLARED)


def _install() -> None:
    """htmldate asks `htmldate.extractors.get_external_parser()` for its parser at each call;
    that name, replaced once, hands it the page's."""
    from htmldate import extractors

    # A newer htmldate that builds its parser elsewhere keeps its own (all languages): slower
    # on the first date in words, the same dates. tests/core/ingest/test_page_dates.py notices.
    stock = getattr(extractors, "get_external_parser", None)
    if stock is not None and stock is not _page_parser:
        _STOCK_PARSER.append(stock)
        extractors.get_external_parser = _page_parser  # type: ignore[assignment]


@contextmanager
def _languages(languages: tuple[str, ...]) -> Iterator[None]:
    chosen = tuple(dict.fromkeys((*languages, *ALWAYS))) if languages else UNDECLARED
    token = _PAGE_LANGUAGES.set(chosen)
    try:
        yield
    finally:
        _PAGE_LANGUAGES.reset(token)


def published_date(tree: HtmlElement, url: str | None) -> str | None:
    """htmldate's date for the page: the article's own (original) date before modified or
    crawl dates, nothing after today, through its extensive search (text patterns, and
    dateparser for dates in words) as trafilatura asks for it. Its quick search first, and
    the extensive one only when that found nothing, cost as much on the development pages
    once dateparser was held to the page's languages, and missed one date more."""
    from htmldate import find_date

    _install()
    with _languages(declared_languages(tree)):
        try:
            found = find_date(
                tree,
                extensive_search=True,
                original_date=True,
                max_date=dt.date.today().isoformat(),
                url=url,
            )
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            log.debug("htmldate failed: %s", exc)
            return None
    return str(found) if found else None
