"""Archive text is untrusted (a page's title, a redirect URL, a tag from a colleague's file):
`clipper export` never turns it into live content. The Markdown is rendered with a
CommonMark renderer that filters nothing, the PDF's link annotations are read with pypdf,
and the CSV is read back cell by cell as a spreadsheet would."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from clipper.export.common import linkable_url
from tests.helpers.samples import fill_sample

SCRIPT_URL = 'https://t.example/r?u="><script>alert(1)</script>'
JAVASCRIPT_URL = "javascript:alert(document.cookie)"
FILE_URL = "file:///etc/passwd"
HOSTILE_TITLE = "<script>alert('title')</script> [click me](javascript:alert(2))"
HOSTILE_NOTE = 'Check this <img src="/dev/zero" onerror="alert(3)">\n# not a heading\n~~~'
HOSTILE_SOURCE = "[Le Monde](javascript:alert(4)) ![pixel](http://tracker.example/p.png)"
# Tags a Markdown renderer allows for what the export writes, and nothing else.
EXPECTED_TAGS = {
    "a", "blockquote", "br", "em", "h1", "h2", "h3", "hr", "li", "ol", "p", "strong", "ul",
}  # fmt: skip


class _Elements(HTMLParser):
    """Every element and attribute of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _render(markdown: str) -> list[tuple[str, dict[str, str | None]]]:
    """The elements a permissive renderer makes of it: raw HTML on, every link scheme kept
    (markdown-it filters `javascript:` by default; many renderers do not)."""
    renderer = MarkdownIt("commonmark")
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    parser = _Elements()
    parser.feed(renderer.render(markdown))
    return parser.tags


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    home = tmp_path / "archive"
    with Archive(resolve_location(home)) as archive:
        ids = fill_sample(archive)
        archive.update(ids["bamako"], url=SCRIPT_URL, title=HOSTILE_TITLE)
        archive.update(ids["niamey"], url=JAVASCRIPT_URL, source=HOSTILE_SOURCE)
        archive.update(ids["moscow"], url=FILE_URL)
        archive.add_note(ids["bamako"], HOSTILE_NOTE)
        archive.add_tag(ids["bamako"], "topic", "<b onmouseover=alert(5)>Security</b>")
    return home, ids


def _check_rendered(markdown: str, files: set[str]) -> list[str]:
    """Asserts nothing in it is live; returns the hrefs."""
    hrefs = []
    for tag, attrs in _render(markdown):
        assert tag in EXPECTED_TAGS, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a" and "href" in attrs:
            href = attrs["href"] or ""
            hrefs.append(href)
            assert href.startswith(("https://", "http://", "#clipping-")) or href in files, href
    return hrefs


def test_markdown_exports_show_hostile_text_as_typed_and_link_only_http(
    hostile: tuple[Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home, ids = hostile
    chosen = ",".join(str(ids[k]) for k in ("bamako", "niamey", "moscow"))
    book, folder = tmp_path / "book.md", tmp_path / "md"
    assert main(["--archive", str(home), "export", "--markdown", str(book), "--one-file",
                 "--ids", chosen]) == 0  # fmt: skip
    assert main(["--archive", str(home), "export", "--markdown", str(folder), "--ids", chosen]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {book}: 3 clipping(s)",
        f"wrote {folder}: 3 clipping(s)",
    ]
    files = {p.name for p in folder.iterdir()}
    hrefs = _check_rendered(book.read_text(encoding="utf-8"), files)
    # Each file alone too, front matter included: a renderer that does not know front
    # matter reads it as Markdown.
    for path in folder.iterdir():
        hrefs += _check_rendered(path.read_text(encoding="utf-8"), files)
    # The http URL is still a link, to the same place, its quotes and brackets encoded.
    encoded = linkable_url(SCRIPT_URL)
    assert encoded == "https://t.example/r?u=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    assert hrefs.count(encoded) == 2
    # The front matter still reads back exactly (its escapes are JSON's, which YAML shares).
    [bamako] = [p for p in folder.iterdir() if p.name.startswith("001-")]
    front = dict(
        line.split(": ", 1)
        for line in bamako.read_text(encoding="utf-8").split("---\n")[1].splitlines()
    )
    assert json.loads(front["title"]) == HOSTILE_TITLE
    assert json.loads(front["url"]) == SCRIPT_URL
    assert "<" not in front["title"] and "[" not in front["title"]
    text = book.read_text(encoding="utf-8")
    # What cannot be a link is still there to read, as typed.
    rendered = MarkdownIt("commonmark").render(text)
    assert "javascript:alert(document.cookie)" in rendered
    assert "file:///etc/passwd" in rendered
    assert "&lt;script&gt;alert('title')&lt;/script&gt; [click me](javascript:alert(2))" in (
        rendered.replace("&#x27;", "'")
    )


def test_pdf_book_links_only_http_urls(
    qapp: object, hostile: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    home, ids = hostile
    chosen = ",".join(str(ids[k]) for k in ("bamako", "niamey", "moscow"))
    book = tmp_path / "book.pdf"
    assert main(["--archive", str(home), "export", "--pdf", str(book), "--ids", chosen]) == 0
    reader = PdfReader(book)
    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
            else:
                assert action.get("/S") != "/Launch", action
    assert uris == [linkable_url(SCRIPT_URL)]
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    # Printed where a reader can see them, but not clickable.
    assert JAVASCRIPT_URL in text and FILE_URL in text


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a b", "https://example.org/a%20b"),
        ("HTTP://Example.org/x", "HTTP://Example.org/x"),
        ("https://ru.example/Россия", "https://ru.example/Россия"),
        ("https://example.org/\u202eevil", "https://example.org/%E2%80%AEevil"),
        ("https://example.org/`code`\\", "https://example.org/%60code%60%5C"),
        (" https://example.org/", None),
        ("java\tscript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("https://", None),
        ("http://[::1", None),
        ("//example.org/no-scheme", None),
    ],
)
def test_only_http_urls_are_linkable(url: str, linked: str | None) -> None:
    assert linkable_url(url) == linked


def test_csv_cells_never_run_as_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "archive"
    formulas = [
        "=1+2",
        "+SUM(A1:A9)",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        " =cmd|' /C calc'!A0",
        "\uff1d1+1",  # a full-width equals sign
        "\uff20SUM(A1)",
    ]
    with Archive(resolve_location(home)) as archive:
        ids = fill_sample(archive)
        keys = sorted(ids)
        for key, formula in zip(keys, formulas[:5], strict=True):
            archive.update(ids[key], source=formula)
        for key, formula in zip(keys, formulas[5:], strict=False):
            archive.update(ids[key], title=formula)
        archive.update(ids["bamako"], author=formulas[-2], url='=HYPERLINK("http://x")')
        archive.add_tag(ids["bamako"], "topic", "=IMPORTXML(A1)")
        stored = {archive.get(i).id: archive.get(i) for i in ids.values()}
    out = tmp_path / "clippings.csv"
    assert main(["--archive", str(home), "export", "--csv", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}: 5 row(s)\n"
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [cell for row in rows for cell in row.values()]
    signs = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r", "\n")
    assert [c for c in cells if c.lstrip().startswith(signs)] == []
    # The text itself is kept whole, behind the apostrophe a spreadsheet hides.
    for row in rows:
        detail = stored[int(row["id"])]
        assert row["source"] == "'" + (detail.source or "")
        assert row["title"] in (detail.title, "'" + detail.title)
    bamako = next(row for row in rows if row["id"] == str(ids["bamako"]))
    assert bamako["author"] == "'\uff1d1+1"
    assert bamako["url"] == '\'=HYPERLINK("http://x")'
    assert "=IMPORTXML(A1)" in bamako["topics"]
    assert sum(row["title"].startswith("'") for row in rows) == 3
