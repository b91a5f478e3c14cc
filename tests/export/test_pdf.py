"""Clipping books as PDF, read back with pypdf: cover, contents with the pages where clippings
really start, running header and footer, notes, related stories, every script's text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from clipper.export.book import BookOptions
from clipper.export.common import ExportCancelled, ExportError
from clipper.export.pdf import BookResult, GlyphCoverage, choose_family, write_pdf_book
from tests.export.pdftext import (
    Page,
    first_body_line,
    normal,
    read_pages,
    signature,
    starts_with_title,
    toc_entries,
)
from tests.helpers.paths import SHARED
from tests.helpers.samples import Sample

EXPORTED_ON = dt.date(2024, 1, 15)
DOSSIER = "Russia in the Sahel"


def _book(
    sample: Sample, path: Path, keys: list[str], **options: object
) -> tuple[BookResult, list[Page]]:
    ids = [sample.ids[k] for k in keys]
    book_options = BookOptions(title=DOSSIER, exported_on=EXPORTED_ON, **options)  # type: ignore[arg-type]
    result = write_pdf_book(sample.archive, ids, path, book_options)
    return result, read_pages(path)


def _detected_starts(
    pages: list[Page], result: BookResult, titles: dict[int, str]
) -> dict[int, int]:
    """Where each clipping's headline really opens a page, found from the text alone."""
    found: dict[int, int] = {}
    for page in pages[result.toc_pages[1] :]:
        line = first_body_line(page, DOSSIER)
        matches = [cid for cid, title in titles.items() if starts_with_title(line, title)]
        assert len(matches) <= 1, (page.number, line)
        if matches:
            assert matches[0] not in found, f"{titles[matches[0]]!r} opens two pages"
            found[matches[0]] = page.number
    return found


def _pages_of(result: BookResult, pages: list[Page], clipping_id: int) -> str:
    start = result.start_pages[clipping_id]
    later = [p for p in result.start_pages.values() if p > start]
    end = min(later) if later else len(pages) + 1
    return " ".join(p.text for p in pages[start - 1 : end - 1])


def test_dossier_book_reads_back_with_true_page_numbers(
    qapp: object, sample: Sample, tmp_path: Path
) -> None:
    keys = ["niamey", "bamako", "moscow", "arabic"]
    result, pages = _book(sample, tmp_path / "book.pdf", keys, description="December tour")
    titles = {sample.ids[k]: sample.title(k) for k in keys}

    assert len(PdfReader(tmp_path / "book.pdf").pages) == result.page_count == len(pages)
    # Cover, one page of contents, four clippings of which the long one needs more than a page.
    assert 1 + 1 + 4 < result.page_count <= 1 + 1 + 4 * 3
    assert result.toc_pages == (2, 2)

    cover = pages[0].text
    assert normal(DOSSIER) in cover
    assert "December tour" in cover
    assert "4 clippings" in cover
    assert "4 December 2023 – 6 December 2023" in cover
    assert "Exported on 15 January 2024" in cover
    assert "page 1 of" not in cover

    entries = toc_entries(pages, range(2, 3))
    assert len(entries) == 4
    # Titles in the dossier's order, each with the page its headline really opens.
    detected = _detected_starts(pages, result, titles)
    for (line, page_number), key in zip(entries, keys, strict=True):
        assert starts_with_title(line, sample.title(key)), (line, key)
        assert page_number == result.start_pages[sample.ids[key]] == detected[sample.ids[key]]
    assert sorted(detected.values()) == [result.start_pages[sample.ids[k]] for k in keys]
    niamey = sample.ids["niamey"]
    assert result.start_pages[sample.ids["bamako"]] - result.start_pages[niamey] >= 2

    for page in pages[1:]:
        assert page.lines[0].text.startswith(DOSSIER), page.number
        assert f"page {page.number} of {result.page_count}" in page.text


def test_book_carries_notes_related_links_and_every_script(
    qapp: object, sample: Sample, tmp_path: Path
) -> None:
    keys = ["niamey", "bamako", "moscow", "arabic"]
    result, pages = _book(sample, tmp_path / "book.pdf", keys)
    ids = sample.ids
    everything = " ".join(p.text for p in pages)

    niamey_pages = _pages_of(result, pages, ids["niamey"])
    assert "Editor’s notes" in niamey_pages
    assert "Same delegation as in Bamako the day before." in niamey_pages
    assert "Ask the Niamey stringer about the drone base." in niamey_pages
    assert "Sahel Monitor" in niamey_pages and "5 December 2023" in niamey_pages
    assert "Regions: Niger, Russia" in niamey_pages and "Topics: Defence" in niamey_pages
    # Ligatures are off, so the words stay searchable as typed.
    assert "officials officially" in niamey_pages

    bamako_pages = _pages_of(result, pages, ids["bamako"])
    assert "Aminata Traoré" in bamako_pages
    assert "Related" in bamako_pages
    assert normal(sample.title("niamey")) in bamako_pages
    assert "Same Russian delegation: Bamako and Niamey stops" in bamako_pages
    assert f"p. {result.start_pages[ids['niamey']]}" in bamako_pages
    # A related story outside the book is named, with its note, and said to be elsewhere.
    assert "Grain shipments to the Sahel: who pays?" in bamako_pages
    assert "Wheat was on the agenda in Bamako" in bamako_pages
    assert "not in this book" in bamako_pages
    assert "https://example.org/sahel/2023/12/04/goita-delegation-russe-bamako" in bamako_pages

    assert "Goïta" in everything
    assert "Assimi Goïta reçoit une délégation russe à Bamako" in everything
    assert normal(sample.title("moscow")) in everything
    assert "Вестник Сахеля" in everything
    arabic = _pages_of(result, pages, ids["arabic"])
    assert set(signature(sample.title("arabic"))) <= set(signature(arabic))


def test_urls_are_links_in_the_pdf(qapp: object, sample: Sample, tmp_path: Path) -> None:
    result, _ = _book(sample, tmp_path / "book.pdf", ["bamako"])
    page = PdfReader(tmp_path / "book.pdf").pages[result.start_pages[sample.ids["bamako"]] - 1]
    uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert "https://example.org/sahel/2023/12/04/goita-delegation-russe-bamako" in uris


def test_grouped_by_region_with_cross_listings(
    qapp: object, sample: Sample, tmp_path: Path
) -> None:
    keys = ["grain", "niamey", "bamako", "moscow", "arabic"]
    result, pages = _book(sample, tmp_path / "book.pdf", keys, group_by="region")
    lines = [line.text for line in pages[1].lines]
    assert [t for t in lines if t in ("Mali", "Niger", "Russia", "No region")] == [
        "Mali",
        "Niger",
        "Russia",
        "No region",
    ]
    entries = toc_entries(pages, range(2, 3))
    niamey_rows = [p for line, p in entries if starts_with_title(line, sample.title("niamey"))]
    # Listed under Niger and again under Russia, both pointing at the same pages.
    assert niamey_rows == [result.start_pages[sample.ids["niamey"]]] * 2
    titles = {sample.ids[k]: sample.title(k) for k in keys}
    assert _detected_starts(pages, result, titles) == dict(result.start_pages)
    # The running header names the section the clipping is filed under.
    grain_page = pages[result.start_pages[sample.ids["grain"]] - 1]
    assert grain_page.lines[0].text.endswith("No region")


def test_letter_and_a4_paper(qapp: object, sample: Sample, tmp_path: Path) -> None:
    _, a4 = _book(sample, tmp_path / "a4.pdf", ["bamako"], paper="a4")
    _, letter = _book(sample, tmp_path / "letter.pdf", ["bamako"], paper="letter")
    assert (round(a4[0].width), round(a4[0].height)) == (595, 842)
    assert (round(letter[0].width), round(letter[0].height)) == (612, 792)


def test_cancelling_leaves_the_previous_file_and_no_debris(
    qapp: object, sample: Sample, tmp_path: Path
) -> None:
    path = tmp_path / "book.pdf"
    path.write_bytes(b"the book from yesterday")
    calls = []

    def progress(done: int, total: int, what: str) -> None:
        calls.append(what)

    def cancelled() -> bool:
        return "laying out pages" in calls

    ids = list(sample.ids.values())
    with pytest.raises(ExportCancelled):
        write_pdf_book(
            sample.archive, ids, path, BookOptions(title="T"), progress, is_cancelled=cancelled
        )
    assert path.read_bytes() == b"the book from yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "book.pdf"]


def test_an_empty_selection_or_a_missing_clipping_is_an_error(
    qapp: object, sample: Sample, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="no clippings"):
        write_pdf_book(sample.archive, [], tmp_path / "b.pdf", BookOptions(title="T"))
    with pytest.raises(ExportError, match="no clipping with id 999"):
        write_pdf_book(sample.archive, [999], tmp_path / "b.pdf", BookOptions(title="T"))
    assert not (tmp_path / "b.pdf").exists()


def test_font_choice_falls_back_when_dejavu_is_missing() -> None:
    assert choose_family(["DejaVu Serif", "Noto Serif"], ["Noto Serif", "Foo"], "X") == "Noto Serif"
    assert choose_family(["DejaVu Serif"], ["dejavu serif"], "X") == "DejaVu Serif"
    assert choose_family(["DejaVu Serif"], ["Foo"], "Fallback") == "Fallback"


def test_characters_no_font_can_draw_are_named_by_script(qapp: object) -> None:
    coverage = GlyphCoverage(["DejaVu Sans"], installed=[])
    assert coverage.unprintable_scripts("Goïta, Россия, النيجر") == ()
    # Scripts that no common font package covers (Qt may fall back to any installed font,
    # and machines gain CJK and Hangul fallbacks with other packages).
    assert coverage.unprintable_scripts("𓀀 and 𒀀 𝄞") == ("Cuneiform", "Egyptian", "symbols")


@pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="needs ../shared/corpus")
def test_book_of_forty_real_articles_has_true_page_numbers(
    qapp: object, archive: object, tmp_path: Path
) -> None:
    from clipper.bench.export import fill_archive

    ids = fill_archive(archive, 40)  # type: ignore[arg-type]
    path = tmp_path / "real.pdf"
    result = write_pdf_book(
        archive,  # type: ignore[arg-type]
        ids,
        path,
        BookOptions(title=DOSSIER, group_by="date"),
    )
    pages = read_pages(path)
    assert len(pages) == result.page_count
    titles = {cid: archive.get(cid).title for cid in ids}  # type: ignore[attr-defined]
    # A headline in a script no installed font has (Korean, on a bare machine) extracts as
    # nothing; its page says so instead, and every other headline is found by its text.
    for cid in result.unprintable:
        start = pages[result.start_pages[cid] - 1].text
        assert "No font on this computer can show some characters" in start
        del titles[cid]
    detected = _detected_starts(pages, result, titles)
    assert detected == {cid: p for cid, p in result.start_pages.items() if cid in titles}
    assert len(titles) >= 35
    entries = toc_entries(pages, range(result.toc_pages[0], result.toc_pages[1] + 1))
    assert len(entries) == 40
    starts = sorted(result.start_pages.values())
    # Date grouping: the book runs in the order of its contents, so the numbers only grow.
    assert [page for _, page in entries] == starts
    assert 40 + 2 <= result.page_count <= 40 * 25


def test_notes_and_related_headings_never_end_a_page_alone(
    qapp: object, archive: object, tmp_path: Path
) -> None:
    from clipper.core.drafts import ClippingDraft

    other = archive.add(ClippingDraft(title="The other story", body="Elsewhere."))  # type: ignore[attr-defined]
    orphans = []
    # Each added one-line paragraph pushes the end of the clipping down by a line; across a
    # page's worth of steps, each heading lands on the last line of a page at some point.
    for lines in range(12, 60):
        body = "\n\n".join(f"Line {n} of the filler." for n in range(lines))
        cid = archive.add(ClippingDraft(title=f"Filler {lines}", body=body)).id  # type: ignore[attr-defined]
        archive.add_note(cid, "The note under the heading.")  # type: ignore[attr-defined]
        archive.link(cid, other.id, "The link under the heading.")  # type: ignore[attr-defined]
        path = tmp_path / f"{lines}.pdf"
        write_pdf_book(archive, [cid], path, BookOptions(title="Filler"))  # type: ignore[arg-type]
        for page in read_pages(path)[2:]:
            texts = [line.text for line in page.lines]
            for heading, follower in (("Editor’s notes", "The note"), ("Related", "→")):
                if heading in texts:
                    after = texts[texts.index(heading) + 1 :]
                    if not any(t.startswith(follower) for t in after):
                        orphans.append((lines, heading, page.number))
    assert orphans == []
