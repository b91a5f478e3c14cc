"""An HTML page's title, authors and source: trafilatura's metadata as the base, made fit
for a clipping.

trafilatura reads meta tags, JSON-LD and the page's markup; what it returns still carries the
site in the title ("… | Site", "Le Monde - …"), labels and the publication in the author
("Par Jean Dupont", "Rob Picheta; CNN"), and Twitter handles or slogans as the site's name.
This module removes those by what the page itself says its site is called (og:site_name,
JSON-LD publisher, application-name, its address), never by a list of sites.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from lxml.html import HtmlElement

log = logging.getLogger(__name__)

# What separates a headline from the site's name in a <title>: a spaced bar, dash, bullet,
# guillemet or slash ("Headline | Site", "Site - Headline", "Headline › site.de").
_TITLE_SEPARATOR = re.compile(r"\s+[|–—•·›»‹«~/⁄-]\s+|\s+::\s+|\s*\|\s*(?=[A-Z])")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
# Labels written before names: "By", "Par", "Von", "Auteur :", "Artikel von", "Zeige alle
# Beiträge von", "Zum Profil von", "Written by", "Interview:", "Text:".
_AUTHOR_LABEL = re.compile(
    r"^(?:(?:written|posted|published|reported|story|words|text|photos?)\s+by|by|par|de|von|vom"
    r"|door|di|por|af|av|auteure?|autor(?:in)?|author|redakteur(?:in)?|artikel von"
    r"|beitrag von|ein beitrag von|zeige alle beitr(?:ä|ae)ge von|alle beitr(?:ä|ae)ge von"
    r"|zum profil von|mehr von|more from|all posts by|view all posts by|posts by|interview"
    r"|text|texte|reporter|journalist(?:e)?)\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Words that end a name: what follows is a role, a place or a time ("Jane Doe, Reuters",
# "Jane Doe in Niamey", "Jane Doe Updated 5 min ago").
_AUTHOR_TAIL = re.compile(
    r"\s+(?:updated|mis à jour|publié|published|posted|aktualisiert|\d{1,2}[:.h]\d\d"
    r"|\d{1,2}\s+(?:min|hours?|heures?)\b|le\s+\d|on\s+\d|am\s+\d).*$",
    re.IGNORECASE,
)
_AUTHOR_JUNK = re.compile(
    r"^(?:updated|mis à jour|published|posted|publié|aktualisiert|share|partager|follow|suivre"
    r"|facebook|twitter|instagram|linkedin|email|e-mail|contact|admin|administrator|wordpressadmin"
    r"|root|user|guest|anonymous|unknown|staff|human|datum|date|home|menu|agencies|agences)$",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"^@\w+$")
_URLISH = re.compile(r"^(?:https?://|www\.)|\.(?:com|net|org|de|fr|at|ch|uk|it|es|io)\b", re.I)


def fold_key(text: str) -> str:
    """Letters and digits only, without accents or case: how two spellings of a name meet."""
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
    return _NOT_ALNUM.sub("", folded)


@dataclass
class PageInfo:
    """What the page says about itself, read once from its tree."""

    site_names: list[str] = field(default_factory=list)  # og:site_name, JSON-LD publisher...
    host: str | None = None  # "lemonde.fr", from the canonical link or og:url
    headings: list[str] = field(default_factory=list)  # the <h1> texts
    html_title: str | None = None

    @property
    def site_keys(self) -> set[str]:
        """Folded forms of every name the site goes by, its address's labels included."""
        keys = {fold_key(name) for name in self.site_names}
        if self.host:
            labels = self.host.removeprefix("www.").split(".")
            keys.add(fold_key(self.host.removeprefix("www.")))
            keys.add(fold_key(".".join(labels[:-1])))
            keys.update(fold_key(label) for label in labels[:-1] if len(label) > 3)
        return {k for k in keys if len(k) >= 2}


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _json_ld_publishers(tree: HtmlElement) -> list[str]:
    names: list[str] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(names) < 4:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                for key in ("publisher", "isPartOf", "sourceOrganization"):
                    value = item.get(key)
                    if isinstance(value, dict) and isinstance(value.get("name"), str):
                        names.append(value["name"])
                    elif isinstance(value, list):
                        stack.extend(value)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                if item.get("@type") in (
                    "Organization",
                    "NewsMediaOrganization",
                    "WebSite",
                ) and isinstance(item.get("name"), str):
                    names.append(item["name"])
    return names


def page_info(tree: HtmlElement) -> PageInfo:
    info = PageInfo()
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        content = " ".join((meta.get("content") or "").split())
        if key and content and key not in metas:
            metas[key] = content
    for key in ("og:site_name", "application-name", "apple-mobile-web-app-title"):
        if metas.get(key) and not _HANDLE.match(metas[key]):
            info.site_names.append(metas[key])
    info.site_names.extend(_json_ld_publishers(tree))
    for url in (
        *tree.xpath("//link[@rel='canonical']/@href"),
        metas.get("og:url", ""),
    ):
        host = urlsplit(str(url)).hostname
        if host:
            info.host = host.lower()
            break
    info.headings = [t for t in (_text(h) for h in tree.iter("h1")) if t][:3]
    titles = tree.xpath("//head/title|//title")
    if titles:
        info.html_title = _text(titles[0]) or None
    return info


# -- titles -----------------------------------------------------------------------------------


def _is_site_part(part: str, keys: set[str]) -> bool:
    key = fold_key(part)
    if not key:
        return True
    if key in keys:
        return True
    if re.search(r"\w\.(?:[a-z]{2,6})$", part.strip(), re.IGNORECASE) and " " not in part.strip():
        return True  # "Helge.at", "battery-news.de": an address is a site
    # "Le Monde.fr", "LeMonde" and "lemonde" are all the site named lemonde.
    return any(
        len(k) >= 4 and (key.startswith(k) or k.startswith(key)) and len(key) <= len(k) + 4
        for k in keys
    )


def strip_site(title: str, info: PageInfo) -> str:
    """The headline without the site's name before or after it."""
    title = " ".join(title.split())
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    keys = info.site_keys
    while len(parts) > 1 and _is_site_part(parts[-1], keys):
        parts.pop()
    while len(parts) > 1 and _is_site_part(parts[0], keys):
        parts.pop(0)
    # Rebuild from the original text so the separators the headline itself used stay.
    first, last = parts[0], parts[-1]
    start = title.find(first)
    end = title.rfind(last) + len(last)
    return title[start:end].strip() if start >= 0 and end > start else title


def _words(text: str) -> set[str]:
    return {fold_key(w) for w in re.findall(r"\w+", text) if len(w) > 2}


def choose_title(found: str | None, info: PageInfo) -> str | None:
    """The headline: trafilatura's title without the site's name, or the page's own <h1>
    when that says the same story (it is what the page shows as its headline)."""
    title = found or info.html_title
    if not title:
        return info.headings[0] if info.headings else None
    title = strip_site(title, info)
    title_words = _words(title)
    for heading in info.headings[:1]:
        heading_words = _words(heading)
        if len(heading_words) < 2 or len(heading) > 300 or _is_site_part(heading, info.site_keys):
            continue
        if _TITLE_SEPARATOR.search(heading) and not _TITLE_SEPARATOR.search(title):
            continue  # "Local News | Headline": the heading carries a section
        if len(title_words) >= 3 and title_words < heading_words:
            continue  # the heading adds a kicker or a label to the same headline
        shared = len(heading_words & title_words)
        if shared >= OVERLAP * len(heading_words) or shared >= OVERLAP * len(title_words):
            return " ".join(heading.split())
    return title or None


OVERLAP = 0.5


# -- authors ----------------------------------------------------------------------------------


@cache
def _place_keys() -> frozenset[str]:
    """Capitals and cities of the gazetteer, folded: a city is never an author."""
    from clipper.core.regions import load_gazetteer

    keys: set[str] = set()
    for region in load_gazetteer():
        for name in (*region.capitals, *region.cities):
            keys.add(fold_key(name))
    return frozenset(keys)


def clean_author_name(name: str) -> str | None:
    """One name without its label, role, place or time, or None when nothing is left."""
    name = " ".join(name.split()).strip(" ,;:|-–—·")
    previous = None
    while previous != name:
        previous = name
        name = _AUTHOR_LABEL.sub("", name, count=1).strip(" ,;:|-–—·")
    name = _AUTHOR_TAIL.sub("", name).strip(" ,;:|-–—·")
    if not name or _AUTHOR_JUNK.match(name) or _HANDLE.match(name) or _URLISH.search(name):
        return None
    if fold_key(name) in _place_keys():
        return None
    if not re.search(r"[^\W\d_]", name) or len(name) > 80:
        return None
    return name


def split_authors(value: str) -> list[str]:
    """Names from trafilatura's "A; B" and from "A, B and C", "A et B", "A & B", "A und B"."""
    names: list[str] = []
    for chunk in value.split(";"):
        names.extend(re.split(r"\s*(?:,|&|\band\b|\bet\b|\bund\b|\by\b)\s*", chunk))
    return [n for n in names if n.strip()]


def choose_author(found: str | None, info: PageInfo) -> str | None:
    """trafilatura's authors, each cleaned, without the publication itself."""
    if not found:
        return None
    keys = info.site_keys
    names: list[str] = []
    for raw in found.split(";"):
        name = clean_author_name(raw)
        if name is not None and fold_key(name) not in {fold_key(n) for n in names}:
            names.append(name)
    people = [n for n in names if not _is_site_part(n, keys)]
    # The publication named beside its journalists goes; a blog's author may be its name.
    names = people or names
    return ", ".join(names) if names else None


# -- sources ----------------------------------------------------------------------------------


def choose_source(info: PageInfo) -> str | None:
    """The publication's name: og:site_name, JSON-LD publisher, application name; a name
    that reads like a slogan or a list ("Autoracing | F1 | …") is not one; else the address."""
    for name in info.site_names:
        name = re.sub(r"(?<=\w)\.(?:fr|com|net|org|info|co\.uk|de|es|it|be|ch|ca|at)$", "", name)
        name = name.strip()
        if not name or _HANDLE.match(name) or len(name) > 60:
            continue
        if _TITLE_SEPARATOR.search(name) or len(name.split()) > 6:
            continue
        return name
    if info.host:
        return info.host.removeprefix("www.")
    return None
