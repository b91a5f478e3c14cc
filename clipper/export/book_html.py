"""The HTML of a clipping book's cover, table of contents and clipping pages, in the subset
QTextDocument understands. Plain strings: the PDF module lays them out.

Page numbers sit in fixed-width table cells, so filling them in after the first layout
cannot move a line: the second layout paginates exactly as the first.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clipper.core.text import paragraphs
from clipper.core.views import ClippingDetail, LinkView
from clipper.export.book import BookPlan, format_date
from clipper.export.common import linkable_url

# What a page number cell holds before the numbers are known: as wide as any real one.
PLACEHOLDER = "0000"
# Headings the typesetter keeps on the same page as the block after them.
NOTES_HEADING = "Editor’s notes"
RELATED_HEADING = "Related"
KEEP_WITH_NEXT = (NOTES_HEADING, RELATED_HEADING)
PAGE_CELL_PX = 64
COVER_DESCRIPTION_CHARS = 600

LINK_KIND_LABELS = {
    "follow-up": "follow-up",
    "same-event": "same event",
    "background": "background",
    "contradicts": "contradicts",
}


@dataclass(frozen=True)
class BookStyle:
    """Font families found on this machine (see `clipper.export.pdf.choose_families`)."""

    serif: str = "DejaVu Serif"
    sans: str = "DejaVu Sans"

    def stylesheet(self) -> str:
        serif, sans = _css_family(self.serif), _css_family(self.sans)
        return f"""
body {{ font-family: {serif}; font-size: 10.5pt; color: #111111; }}
p {{ margin-top: 0px; margin-bottom: 7px; line-height: 135%; }}
h1 {{ font-family: {sans}; font-size: 19pt; font-weight: bold; margin-top: 0px;
      margin-bottom: 8px; color: #111111; }}
h2 {{ font-family: {sans}; font-size: 15pt; font-weight: bold; margin-top: 0px;
      margin-bottom: 10px; }}
.standfirst {{ font-size: 12pt; font-style: italic; margin-bottom: 9px; }}
.meta {{ font-family: {sans}; font-size: 9pt; color: #333333; margin-bottom: 2px;
        line-height: 120%; }}
.url {{ font-family: {sans}; font-size: 8pt; color: #24527a; margin-bottom: 2px; }}
.tags {{ font-family: {sans}; font-size: 8.5pt; color: #555555; margin-bottom: 2px;
         line-height: 120%; }}
.section {{ font-family: {sans}; font-size: 11pt; font-weight: bold; color: #8a1c1c;
            margin-top: 12px; margin-bottom: 4px; }}
.toc {{ font-size: 10pt; margin-bottom: 0px; line-height: 115%; }}
.toc-meta {{ font-family: {sans}; font-size: 7.5pt; color: #666666; margin-bottom: 0px; }}
.page {{ font-family: {sans}; font-size: 9.5pt; margin-bottom: 0px; }}
.box-heading {{ font-family: {sans}; font-size: 8.5pt; font-weight: bold; color: #6b5200;
                margin-bottom: 4px; }}
.note {{ font-size: 10pt; margin-bottom: 6px; line-height: 125%; }}
.note-date {{ font-family: {sans}; font-size: 7.5pt; color: #7d6a3a; }}
.related {{ font-size: 10pt; margin-bottom: 1px; line-height: 120%; }}
.related-note {{ font-size: 9.5pt; font-style: italic; color: #333333; margin-bottom: 6px;
                 line-height: 120%; }}
.cover-kicker {{ font-family: {sans}; font-size: 10pt; font-weight: bold; color: #8a1c1c;
                 margin-bottom: 6px; }}
.cover-title {{ font-family: {sans}; font-size: 30pt; font-weight: bold; line-height: 115%;
                margin-bottom: 18px; }}
.cover-line {{ font-family: {sans}; font-size: 13pt; color: #333333; margin-bottom: 6px; }}
.cover-small {{ font-family: {sans}; font-size: 10pt; color: #666666; margin-bottom: 4px; }}
"""


def _css_family(name: str) -> str:
    return "'" + name.replace("'", "") + "'"


def _text(value: str) -> str:
    """Text as HTML: NFC (so 'Goïta' is one glyph run and extracts as typed), escaped."""
    return html.escape(unicodedata.normalize("NFC", value), quote=True)


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _ltr_after(value: str) -> str:
    """Escaped text that leaves the line left-to-right after it.

    Without the mark, in "صحيفة الساحل · 6 December 2023" the bidi algorithm takes the 6
    into the Arabic run and prints "6 · صحيفة الساحل December 2023".
    """
    text = _text(value)
    return text + "\u200e" if _RTL.search(value) else text


def _page_label(page: int | None) -> str:
    return str(page) if page is not None else PLACEHOLDER


def cover_html(plan: BookPlan) -> str:
    count = plan.count
    lines = [
        '<p class="cover-kicker">Clipping book</p>',
        f'<p class="cover-title">{_text(plan.title)}</p>',
    ]
    if plan.options.description:
        # The cover is one page: a dossier's long description is cut short there.
        description = plan.options.description
        if len(description) > COVER_DESCRIPTION_CHARS:
            description = description[:COVER_DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"
        lines.append(f'<p class="cover-line">{_text(description)}</p>')
    lines.append('<hr style="margin-top: 4px; margin-bottom: 14px" />')
    lines.append(f'<p class="cover-line">{count} clipping{"s" if count != 1 else ""}</p>')
    lines.append(f'<p class="cover-line">{_text(plan.date_range)}</p>')
    lines.append(
        f'<p class="cover-small" style="margin-top: 36px">Exported on '
        f"{_text(format_date(plan.exported_on))} with Clipper</p>"
    )
    return "\n".join(lines)


def toc_html(plan: BookPlan, pages: Mapping[int, int] | None) -> str:
    """The table of contents; `pages` maps clipping ids to their first page (None: not yet)."""
    parts = ["<h2>Contents</h2>"]
    for section in plan.sections:
        if section.heading:
            parts.append(f'<p class="section">{_text(section.heading)}</p>')
        rows = []
        for entry in section.entries:
            title = _text(entry.title)
            if not entry.first_listing:
                title = f"<i>{title}</i>"
            facts = " · ".join(_ltr_after(f) for f in (entry.source, entry.date_label) if f)
            meta = f'<p class="toc-meta" dir="ltr">{facts}</p>' if facts else ""
            page = _page_label(pages.get(entry.clipping_id) if pages is not None else None)
            rows.append(
                f'<tr><td><p class="toc">{title}</p>{meta}</td>'
                f'<td width="{PAGE_CELL_PX}" align="right" valign="top">'
                f'<p class="page" align="right">{page}</p></td></tr>'
            )
        parts.append(
            '<table width="100%" cellspacing="0" cellpadding="3" border="0">'
            + "".join(rows)
            + "</table>"
        )
    return "\n".join(parts)


def _body_paragraphs(body: str) -> list[str]:
    # Hard-wrapped lines inside a paragraph would print as ragged short lines under justify.
    return [" ".join(p.split()) for p in paragraphs(body)]


def _related_row(link: LinkView, pages: Mapping[int, int] | None, in_book: bool) -> str:
    title = f"<b>{_text(link.other_title or f'Clipping {link.other_id}')}</b>"
    about = []
    kind = LINK_KIND_LABELS.get(link.kind or "", link.kind or "")
    if kind:
        about.append(f'<span style="font-style: normal; color: #666666">{_text(kind)}</span>')
    if link.note:
        about.append(_text(link.note))
    if not in_book:
        about.append('<span style="font-style: normal; color: #888888">not in this book</span>')
    note = f'<p class="related-note">{" · ".join(about)}</p>' if about else ""
    page = ""
    if in_book:
        page = "p. " + _page_label(pages.get(link.other_id) if pages is not None else None)
    return (
        f'<tr><td><p class="related">→ {title}</p>{note}</td>'
        f'<td width="{PAGE_CELL_PX}" align="right" valign="top">'
        f'<p class="page" align="right">{page}</p></td></tr>'
    )


def clipping_html(
    detail: ClippingDetail,
    in_book: set[int] | frozenset[int],
    pages: Mapping[int, int] | None,
    unprintable_scripts: Sequence[str] = (),
) -> str:
    """One clipping's pages: headline and facts, justified body, notes, related stories.

    `unprintable_scripts` names scripts no installed font can draw; the page says so rather
    than leaving the reader to wonder about rows of boxes.
    """
    parts = [f"<h1>{_text(detail.title)}</h1>"]
    if detail.standfirst:
        parts.append(f'<p class="standfirst">{_text(detail.standfirst)}</p>')
    facts = [f"<b>{_ltr_after(detail.source)}</b>" if detail.source else ""]
    if detail.author:
        facts.append(f"by {_ltr_after(detail.author)}")
    if detail.published:
        facts.append(_text(format_date(detail.published, detail.published_precision)))
    facts = [f for f in facts if f]
    if facts:
        parts.append(f'<p class="meta" dir="ltr">{" · ".join(facts)}</p>')
    if detail.url:
        # Only http(s) is a link: a `javascript:` or `file:` URL is printed, never clickable.
        link = linkable_url(detail.url)
        url = _text(detail.url)
        shown = f'<a href="{_text(link)}">{url}</a>' if link else url
        parts.append(f'<p class="url" dir="ltr">{shown}</p>')
    for label, tags in (("Regions", detail.regions), ("Topics", detail.topics)):
        if tags:
            names = ", ".join(_text(t.name) for t in tags)
            parts.append(f'<p class="tags" dir="ltr"><b>{label}:</b> {names}</p>')
    if unprintable_scripts:
        parts.append(
            '<p class="tags" dir="ltr" style="color: #8a1c1c">No font on this computer can show '
            f"some characters of this clipping ({_text(', '.join(unprintable_scripts))}); they "
            "appear as boxes. The archive keeps the text intact.</p>"
        )
    parts.append('<hr style="margin-top: 6px; margin-bottom: 10px" />')
    for paragraph in _body_paragraphs(detail.body):
        parts.append(f'<p align="justify">{_text(paragraph)}</p>')
    if detail.notes:
        notes = [f'<p class="box-heading">{NOTES_HEADING}</p>']
        for note in detail.notes:
            # The date in the note's own block, so a page break never parts them.
            when = _text(format_date(note.created_at.date()))
            date = f'<span class="note-date">— {when}</span>'
            notes.append(f'<p class="note">{_ltr_after(note.text)} {date}</p>')
        parts.append(
            '<table width="100%" cellspacing="0" cellpadding="9" border="0" '
            'bgcolor="#f6f1e1" style="margin-top: 10px; margin-bottom: 6px">'
            f"<tr><td>{''.join(notes)}</td></tr></table>"
        )
    if detail.links:
        rows = "".join(_related_row(link, pages, link.other_id in in_book) for link in detail.links)
        parts.append(f'<p class="box-heading" style="margin-top: 12px">{RELATED_HEADING}</p>')
        parts.append(
            f'<table width="100%" cellspacing="0" cellpadding="2" border="0">{rows}</table>'
        )
    return "\n".join(parts)
