"""Digests: a saved search's new clippings, grouped by region or topic, ready to send, as a
PDF (the clipping book writer, with a cover saying what is new since when) or as one HTML
page (a heading per group, each clipping with its source, date, tags, link and opening
lines; every piece of text escaped). The selection is the core's (`Monitor.digest_ids`).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clipper.core.archive import Archive
from clipper.core.text import paragraphs
from clipper.core.views import ClippingDetail
from clipper.export.book import BookOptions, broader_tags, format_date, plan_book
from clipper.export.common import (
    ExportError,
    IsCancelled,
    Progress,
    atomic_output,
    never_cancelled,
    no_progress,
    read_details,
)

# How much of each clipping the HTML digest shows.
EXCERPT_CHARS = 600


@dataclass(frozen=True)
class DigestOptions:
    title: str
    since: dt.datetime  # UTC, as the archive stores times
    query: str = ""
    group_by: str = "region"
    paper: str = "a4"
    made_on: dt.date | None = None  # fixed in tests


@dataclass(frozen=True)
class DigestResult:
    path: Path
    clippings: int
    pages: int | None = None


def _since_label(since: dt.datetime) -> str:
    local = since.replace(tzinfo=dt.UTC).astimezone()
    return f"{format_date(local.date())}, {local:%H:%M}"


def _description(options: DigestOptions, count: int) -> str:
    what = f"{count} new clipping{'s' if count != 1 else ''} since {_since_label(options.since)}"
    return f"{what} — {options.query}" if options.query else what


def _book_options(options: DigestOptions, count: int) -> BookOptions:
    return BookOptions(
        title=options.title,
        group_by=options.group_by,
        paper=options.paper,
        description=_description(options, count),
        exported_on=options.made_on,
    )


def write_digest_pdf(
    archive: Archive,
    ids: Sequence[int],
    path: str | Path,
    options: DigestOptions,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> DigestResult:
    """The digest as a clipping book (cover, contents by group, each clipping in full);
    `progress` and `is_cancelled` as the book writer takes them (the window's digest)."""
    from clipper.export.pdf import write_pdf_book

    if not ids:
        raise ExportError("there is nothing new to put in the digest")
    book = write_pdf_book(
        archive, ids, path, _book_options(options, len(ids)), progress, is_cancelled
    )
    return DigestResult(Path(path), book.clipping_count, book.page_count)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _excerpt(detail: ClippingDetail) -> str:
    text = " ".join(" ".join(p.split()) for p in paragraphs(detail.body)[:3])
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
    return text


def _entry_html(detail: ClippingDetail) -> str:
    title = _e(detail.title)
    if detail.url and detail.url.startswith(("http://", "https://")):
        title = f'<a href="{_e(detail.url)}">{title}</a>'
    facts = [f"<b>{_e(detail.source)}</b>" if detail.source else ""]
    if detail.author:
        facts.append(f"by {_e(detail.author)}")
    if detail.published:
        facts.append(_e(format_date(detail.published, detail.published_precision)))
    tags = [t.name for t in detail.regions] + [t.name for t in detail.topics]
    parts = [f'<article id="clipping-{detail.id}">', f"<h3>{title}</h3>"]
    meta = " · ".join(f for f in facts if f)
    if meta:
        parts.append(f'<p class="meta">{meta}</p>')
    if tags:
        parts.append(f'<p class="tags">{_e(", ".join(tags))}</p>')
    if detail.standfirst:
        parts.append(f'<p class="standfirst">{_e(detail.standfirst)}</p>')
    parts.append(f"<p>{_e(_excerpt(detail))}</p>")
    parts.append("</article>")
    return "\n".join(parts)


_STYLE = """
body { font-family: sans-serif; max-width: 46em; margin: 2em auto; color: #111; }
h1 { margin-bottom: 0.2em; } .lede { color: #444; margin-top: 0; }
h2 { color: #8a1c1c; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
h3 { margin-bottom: 0.2em; } .meta, .tags { color: #555; font-size: 0.9em; margin: 0.1em 0; }
.standfirst { font-style: italic; } article { margin-bottom: 1.2em; }
"""


def digest_html(
    details: Sequence[ClippingDetail],
    options: DigestOptions,
    broader: Mapping[int, set[int]],
) -> str:
    """The digest page as text (see the module notes)."""
    plan = plan_book(details, _book_options(options, len(details)), broader)
    made_on = options.made_on or dt.date.today()
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{_e(options.title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head><body>",
        f"<h1>{_e(options.title)}</h1>",
        f'<p class="lede">{_e(_description(options, len(details)))} · '
        f"{_e(format_date(made_on))}</p>",
    ]
    for section in plan.sections:
        if section.heading:
            parts.append(f"<h2>{_e(section.heading)}</h2>")
        for entry in section.entries:
            parts.append(_entry_html(plan.details[entry.clipping_id]))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_digest_html(
    archive: Archive, ids: Sequence[int], path: str | Path, options: DigestOptions
) -> DigestResult:
    """The digest as one self-contained HTML page, grouped as `options.group_by` says."""
    if not ids:
        raise ExportError("there is nothing new to put in the digest")
    details = read_details(archive, ids)
    broader = broader_tags(archive.tag_tree(options.group_by))
    text = digest_html(details, options, broader)
    target = Path(path)
    with atomic_output(target, ".html") as temporary:
        try:
            temporary.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return DigestResult(target, len(details))
