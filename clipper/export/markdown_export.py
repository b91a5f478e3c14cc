"""Markdown exports: one file per clipping (with an index) or one file for a whole book.

Each clipping file opens with YAML front matter (values written as JSON, which YAML reads),
so note-taking tools and static site generators pick up the metadata.

Archive text is untrusted (a page's title, a redirect URL): everything written is escaped so
that any renderer shows it as typed, and only http(s) URLs ever become links. The front
matter too, for renderers that do not know front matter and read it as Markdown.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clipper.core.archive import Archive
from clipper.core.text import paragraphs
from clipper.core.views import ClippingDetail
from clipper.export.book import date_range_label, format_date
from clipper.export.book_html import LINK_KIND_LABELS
from clipper.export.common import (
    ExportError,
    IsCancelled,
    Progress,
    atomic_output,
    check_cancelled,
    linkable_url,
    make_folder,
    never_cancelled,
    no_progress,
    read_details,
)

# Emphasis, code, links and images, raw HTML, entities, tables, strikethrough.
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|&~])")
# What makes a line a heading, quote, list item or rule; the escape goes on the punctuation.
_BLOCK_START = re.compile(r"^([ \t]*)(\d+)?([#>+\-=.)])", re.MULTILINE)
# In front matter strings: what a renderer reading them as Markdown could make a tag or a
# link of, and what YAML refuses or reads as a line break. YAML's "\uXXXX" escapes them.
_FRONT_MATTER_ESCAPES = re.compile(
    "[<>&\\[\\]\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
SLUG_LENGTH = 60


def escape_markdown(text: str) -> str:
    """Plain text that Markdown shows as typed: no accidental emphasis, links, headings, HTML."""
    escaped = _INLINE_SPECIALS.sub(r"\\\1", unicodedata.normalize("NFC", text))
    return _BLOCK_START.sub(lambda m: m.group(1) + (m.group(2) or "") + "\\" + m.group(3), escaped)


def _inline(text: str) -> str:
    """Text for one line (a heading, a list item): line breaks in it would end the line."""
    return escape_markdown(" ".join(text.split()))


def _url_line(url: str) -> str:
    """An http(s) URL as a link; any other URL as text, shown but never followed."""
    link = linkable_url(url)
    return f"<{link}>" if link else _inline(url)


def _yaml_string(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _FRONT_MATTER_ESCAPES.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _yaml_value(value: object) -> str:
    if isinstance(value, str):
        return _yaml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_string(str(item)) for item in value) + "]"
    return json.dumps(value)


def slugify(title: str, fallback: str) -> str:
    """'Le général Goïta à Bamako' -> 'le-general-goita-a-bamako' (ASCII, for file names)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > SLUG_LENGTH:
        # Cut at a word, not in the middle of one.
        slug = slug[: SLUG_LENGTH + 1].rsplit("-", 1)[0]
    return slug or fallback


def _front_matter(detail: ClippingDetail) -> str:
    fields: dict[str, object] = {
        "title": detail.title,
        "source": detail.source,
        "author": detail.author,
        "published": detail.published.isoformat() if detail.published else None,
        "url": detail.url,
        "language": detail.language,
        "regions": [t.name for t in detail.regions],
        "topics": [t.name for t in detail.topics],
        "dossiers": list(detail.dossiers),
        "clipper_id": detail.id,
    }
    lines = [
        f"{key}: {_yaml_value(value)}" for key, value in fields.items() if value not in (None, [])
    ]
    return "---\n" + "\n".join(lines) + "\n---\n"


def _facts(detail: ClippingDetail) -> list[str]:
    facts = [f"**{_inline(detail.source)}**" if detail.source else ""]
    if detail.author:
        facts.append(f"by {_inline(detail.author)}")
    if detail.published:
        facts.append(format_date(detail.published, detail.published_precision))
    lines = [" · ".join(f for f in facts if f)]
    if detail.url:
        lines.append(_url_line(detail.url))
    tags = []
    if detail.regions:
        tags.append("Regions: " + ", ".join(_inline(t.name) for t in detail.regions))
    if detail.topics:
        tags.append("Topics: " + ", ".join(_inline(t.name) for t in detail.topics))
    if tags:
        lines.append(" · ".join(tags))
    # Two trailing spaces: a line break inside one paragraph.
    return ["  \n".join(line for line in lines if line)]


def clipping_markdown(detail: ClippingDetail, heading: str, link_to: dict[int, str]) -> str:
    """One clipping as Markdown; `link_to` maps clippings in this export to their link target."""
    parts = [f"{heading} {_inline(detail.title)}"]
    if detail.standfirst:
        parts.append(f"*{_inline(detail.standfirst)}*")
    parts.extend(_facts(detail))
    parts.extend(escape_markdown(" ".join(p.split())) for p in paragraphs(detail.body))
    sub = heading + "#"
    if detail.notes:
        parts.append(f"{sub} Editor’s notes")
        for note in detail.notes:
            quoted = "\n".join(f"> {escape_markdown(line)}" for line in note.text.splitlines())
            parts.append(f"{quoted}\n>\n> — {format_date(note.created_at.date())}")
    if detail.links:
        parts.append(f"{sub} Related")
        items = []
        for link in detail.links:
            title = _inline(link.other_title or f"Clipping {link.other_id}")
            target = link_to.get(link.other_id)
            item = f"- [{title}]({target})" if target else f"- {title} (not in this export)"
            kind = LINK_KIND_LABELS.get(link.kind or "", link.kind or "")
            if kind:
                item += f" *{_inline(kind)}*"
            if link.note:
                item += f": {_inline(link.note)}"
            items.append(item)
        parts.append("\n".join(items))
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class MarkdownResult:
    paths: tuple[Path, ...]
    clippings: int


def write_markdown_files(
    archive: Archive,
    folder: str | Path,
    ids: Sequence[int],
    title: str,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> MarkdownResult:
    """One Markdown file per clipping in `folder` (numbered in export order) and an index.md."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; give a folder (or use --one-file)")
    make_folder(folder)
    details = read_details(archive, ids, progress, is_cancelled)
    width = max(3, len(str(len(details))))
    names = {
        d.id: f"{n:0{width}d}-{slugify(d.title, f'clipping-{d.id}')}.md"
        for n, d in enumerate(details, start=1)
    }
    written = []
    for done, detail in enumerate(details):
        check_cancelled(is_cancelled)
        path = folder / names[detail.id]
        text = _front_matter(detail) + "\n" + clipping_markdown(detail, "#", names)
        with atomic_output(path, ".md") as temporary:
            temporary.write_text(text, encoding="utf-8")
        written.append(path)
        progress(done + 1, len(details), "writing Markdown")
    index = [f"# {_inline(title)}", _summary(details)]
    index.append(
        "\n".join(
            f"{n}. [{_inline(d.title)}]({names[d.id]})"
            + (f" — {_inline(d.source)}" if d.source else "")
            for n, d in enumerate(details, start=1)
        )
    )
    with atomic_output(folder / "index.md", ".md") as temporary:
        temporary.write_text("\n\n".join(index) + "\n", encoding="utf-8")
    return MarkdownResult((folder / "index.md", *written), len(details))


def _summary(details: Sequence[ClippingDetail]) -> str:
    count = len(details)
    return f"{count} clipping{'s' if count != 1 else ''} · {date_range_label(details)}"


def write_markdown_book(
    archive: Archive,
    path: str | Path,
    ids: Sequence[int],
    title: str,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> MarkdownResult:
    """The clippings as one Markdown document with a table of contents linking to each."""
    details = read_details(archive, ids, progress, is_cancelled)
    anchors = {d.id: f"#clipping-{d.id}" for d in details}
    parts = [f"# {_inline(title)}", _summary(details), "## Contents"]
    parts.append(
        "\n".join(
            f"{n}. [{_inline(d.title)}]({anchors[d.id]})" for n, d in enumerate(details, start=1)
        )
    )
    for detail in details:
        check_cancelled(is_cancelled)
        # An explicit anchor: heading-derived ids differ between renderers for accented titles.
        parts.append(f'---\n\n<a id="clipping-{detail.id}"></a>\n')
        parts.append(clipping_markdown(detail, "##", anchors).rstrip("\n"))
    with atomic_output(Path(path), ".md") as temporary:
        temporary.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return MarkdownResult((Path(path),), len(details))
