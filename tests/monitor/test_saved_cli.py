"""`clipper saved` and `clipper digest`: saved searches with their facets and how many
clippings are new since each was last opened, and a digest of those, grouped, as HTML or PDF."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from clipper.core.archive import Archive
from clipper.core.models import utcnow
from clipper.core.paths import resolve_location
from tests.helpers.archives import add
from tests.monitor.conftest import Desk


def store(desk: Desk, title: str, body: str, tags: list[tuple[str, str]], **fields: object) -> int:
    with Archive(resolve_location(desk.home)) as archive:
        return add(archive, title, body, tags, **fields)


def imported_days_ago(desk: Desk, title: str, body: str, days: int) -> int:
    """A clipping imported `days` ago (as a colleague's export keeps its import date)."""
    with Archive(resolve_location(desk.home)) as archive:
        from clipper.core.drafts import ClippingDraft

        when = utcnow() - dt.timedelta(days=days)
        draft = ClippingDraft(title=title, body=body, source="Archive Desk")
        return archive.add(draft, [("region", "Mali")], imported_at=when).id


def saved(desk: Desk) -> dict[str, int]:
    ran = desk.run("saved", "list", "--json")
    assert ran.code == 0, ran.err
    return {s["name"]: s["new"] for s in json.loads(ran.out)}


NIGER = ("Niger junta meets Russian envoy", "The junta in Niamey received Yevkurov.")
KIDAL = ("Mali army enters Kidal", "Malian soldiers entered Kidal after a long advance.")
NAIROBI = ("Protests in Nairobi", "Thousands marched in Nairobi against the new taxes.")


def test_new_counts_since_each_search_was_last_opened(desk: Desk) -> None:
    old = imported_days_ago(desk, "Gold mines of the north", "Gold sites multiply in Kayes.", 3)
    added = desk.run("saved", "add", "Sahel", "region:Sahel")
    assert added.lines == ["saved search 'Sahel': region:Sahel"]
    assert desk.run("saved", "add", "Security in Mali", "", "--tag", "region:Mali").code == 0
    # Clippings from before a search was saved are not new in it.
    assert saved(desk) == {"Sahel": 0, "Security in Mali": 0}

    niger = store(desk, *NIGER, [("region", "Niger")], source="Le Monde")
    kidal = store(desk, *KIDAL, [("region", "Mali")], source="RFI")
    store(desk, *NAIROBI, [("region", "Kenya")], source="Reuters")
    assert saved(desk) == {"Sahel": 2, "Security in Mali": 1}
    listed = desk.run("saved", "list").lines
    assert listed[0].startswith("Sahel: 2 new since ") and listed[0].endswith("  region:Sahel")
    assert listed[1].endswith("[region:Mali]")

    ran = desk.run("saved", "run", "Sahel", "--json")
    result = json.loads(ran.out)
    assert sorted(h["id"] for h in result["hits"]) == sorted([old, niger, kidal])
    # Running it is opening it: nothing is new in it any more, and the other is untouched.
    assert saved(desk) == {"Sahel": 0, "Security in Mali": 1}
    since = json.loads(desk.run("saved", "run", "Security in Mali", "--since", "2d", "--json").out)
    assert [h["id"] for h in since["hits"]] == [kidal]
    everything = json.loads(desk.run("saved", "run", "Security in Mali", "--json").out)
    assert sorted(h["id"] for h in everything["hits"]) == sorted([old, kidal])

    later = store(desk, "Niger closes its border", "Niamey closed the border with Benin.",
                  [("region", "Niger")])  # fmt: skip
    assert saved(desk) == {"Sahel": 1, "Security in Mali": 0}
    # A trashed clipping is not new.
    with Archive(resolve_location(desk.home)) as archive:
        archive.trash([later])
    assert saved(desk) == {"Sahel": 0, "Security in Mali": 0}


def test_saved_searches_refuse_bad_input_with_one_line(desk: Desk) -> None:
    malformed = desk.run("saved", "add", "Broken", "niger AND (")
    assert malformed.code == 2 and malformed.err.startswith("clipper: malformed query: ")
    nothing = desk.run("saved", "add", "Everything", "  ")
    assert nothing.err == (
        "clipper: a saved search needs a query or a facet (a tag, a source...)\n"
    )
    unknown_tag = desk.run("saved", "add", "X", "niger", "--tag", "region:Atlantis")
    assert unknown_tag.err == "clipper: there is no region called 'Atlantis'\n"
    assert desk.run("saved", "add", "Niger", "niger").code == 0
    twice = desk.run("saved", "add", "Niger", "niamey")
    assert twice.err == "clipper: a saved search called 'Niger' already exists\n"
    assert desk.run("saved", "run", "Nope").err == "clipper: no saved search called 'Nope'\n"
    since = desk.run("saved", "run", "Niger", "--since", "last week")
    assert since.code == 2
    assert since.err.startswith("clipper: 'last week' is not a time: write 1d, 12h, 2w")
    assert desk.run("saved", "remove", "Niger").lines == ["removed saved search 'Niger'"]
    assert saved(desk) == {}


def test_a_digest_groups_the_new_clippings_by_region_as_escaped_html(
    desk: Desk, tmp_path: Path
) -> None:
    imported_days_ago(desk, "Gold mines of the north", "Gold sites multiply in Kayes.", 3)
    desk.run("saved", "add", "Sahel", "region:Sahel")
    store(desk, *NIGER, [("region", "Niger")], source="Le Monde", published=dt.date(2024, 1, 2))
    store(desk, "Kidal <script>alert(1)</script>", KIDAL[1], [("region", "Mali")],
          source="R&D Weekly", url="https://example.org/kidal?a=1&b=<2>")  # fmt: skip
    page = tmp_path / "digest.html"
    ran = desk.run("digest", "Sahel", "--html", str(page))
    assert ran.code == 0, ran.err
    assert ran.lines == [f"wrote {page}: 2 new clipping(s)"]
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "Kidal &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>R&amp;D Weekly</b>" in html
    assert 'href="https://example.org/kidal?a=1&amp;b=&lt;2&gt;"' in html
    # Grouped by region, each group a heading; the older clipping is not new.
    assert html.index("<h2>Mali</h2>") < html.index("Kidal &lt;") < html.index("<h2>Niger</h2>")
    assert html.index("<h2>Niger</h2>") < html.index(NIGER[0])
    assert "Gold mines" not in html
    assert "2 new clippings since " in html and "region:Sahel" in html
    # --since reaches further back.
    wider = tmp_path / "wider.html"
    assert desk.run("digest", "Sahel", "--since", "1w", "--html", str(wider)).code == 0
    assert "Gold mines of the north" in wider.read_text(encoding="utf-8")


def test_a_digest_as_a_pdf_book_and_one_with_nothing_new(
    qapp: object, desk: Desk, tmp_path: Path
) -> None:
    # `qapp` first: the book is drawn by Qt, and a QGuiApplication made by the command line
    # would stand in the way of the window tests' QApplication later in the run.
    desk.run("saved", "add", "Sahel", "region:Sahel")
    empty = desk.run("digest", "Sahel", "--pdf", str(tmp_path / "none.pdf"))
    assert empty.code == 0
    assert empty.lines[0].startswith("nothing new in 'Sahel' since ")
    assert not (tmp_path / "none.pdf").exists()
    store(desk, *NIGER, [("region", "Niger"), ("topic", "Security")], source="Le Monde")
    store(desk, *KIDAL, [("region", "Mali"), ("topic", "Security")], source="RFI")
    book = tmp_path / "digest.pdf"
    ran = desk.run("digest", "Sahel", "--pdf", str(book), "--group-by", "topic", "--title", "Daily")
    assert ran.code == 0, ran.err
    assert ran.lines[0].startswith(f"wrote {book}: 2 new clipping(s), ")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(book).pages)
    assert "Daily" in text and "2 new clippings since" in text
    assert "Security" in text and NIGER[0] in text and KIDAL[0] in text
    with pytest.raises(SystemExit) as both:
        desk.run("digest", "Sahel", "--pdf", str(book), "--html", str(tmp_path / "x.html"))
    assert both.value.code == 2
