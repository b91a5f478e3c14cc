"""Bulk adds (`Archive.add_many`, the JSON import's path) store exactly what adding the same
drafts one by one stores, compared table by table against the first `add` (kept here as the
reference: one ORM insert and flush per clipping), on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, select

from clipper.bench.corpus import NewsCorpus
from clipper.core import db
from clipper.core.archive import Archive, InvalidInput
from clipper.core.drafts import ClippingDraft
from clipper.core.errors import checked_kind
from clipper.core.models import (
    Base,
    Clipping,
    ClippingTag,
    Original,
    Reference,
    ShingleBand,
    utcnow,
)
from clipper.core.paths import resolve_location
from clipper.core.store.clippings import ClippingStore, NewClipping, band_keys, checked_extra
from clipper.core.text import content_hash, name_key
from clipper.core.vocabulary import DATE_PRECISIONS
from tests.helpers.archives import fresh_postgres_database, ids, postgres_server_url

pytestmark = pytest.mark.backends


def reference_add(
    store: ClippingStore,
    draft: ClippingDraft,
    tags: Iterable[tuple[str, str]] = (),
    imported_at: dt.datetime | None = None,
    updated_at: dt.datetime | None = None,
) -> tuple[int, bool]:
    """`ClippingStore.add` as it was before bulk adds: (clipping id, created)."""
    title = " ".join(draft.title.split())
    if not draft.body.strip():
        raise InvalidInput("the clipping has no text")
    if not title:
        raise InvalidInput("the clipping has no title")
    if draft.published_precision not in DATE_PRECISIONS:
        raise InvalidInput(f"unknown date precision {draft.published_precision!r}")
    tags = [(checked_kind(kind), name) for kind, name in tags]
    extra = checked_extra(draft.extra)
    digest = content_hash(draft.body)
    bands = band_keys(draft.body)
    with store._store.writing() as s:
        existing = s.scalar(select(Clipping.id).where(Clipping.content_hash == digest))
        if existing is not None:
            return existing, False
        now = imported_at or utcnow()
        clipping = Clipping(
            title=title,
            title_key=name_key(title),
            title_guessed=draft.title_guessed,
            standfirst=draft.standfirst.strip(),
            body=draft.body.strip(),
            source=store._tags.source(s, draft.source),
            author=draft.author,
            url=draft.url,
            published=draft.published,
            published_precision=draft.published_precision,
            language=draft.language,
            imported_at=now,
            updated_at=updated_at or now,
            origin=draft.origin,
            extra=extra,
            content_hash=digest,
        )
        if draft.original is not None:
            clipping.original = Original(
                filename=draft.original_filename,
                media_type=draft.original_media_type,
                data=draft.original,
                sha256=hashlib.sha256(draft.original).hexdigest(),
            )
        with db.race_savepoint(s):
            s.add(clipping)
            s.flush()
        s.add_all(ShingleBand(clipping_id=clipping.id, band=band) for band in bands)
        for kind, name in tags:
            tag = store._tags.get_or_create(s, kind, name)
            s.merge(ClippingTag(clipping_id=clipping.id, tag_id=tag.id))
        seen: set[str] = set()
        for headline in draft.related_refs:
            key = name_key(headline)
            if key and key not in seen:
                seen.add(key)
                s.add(Reference(clipping_id=clipping.id, headline=headline.strip(), key=key))
        store._store.log_change(s, [clipping.id], "add")
        return clipping.id, True


WHEN = dt.datetime(2023, 12, 6, 9, 15, 30, 250000)


def items() -> list[NewClipping]:
    """Corpus articles and the cases that a batch could get wrong: the same text twice (and
    once with other spaces and case), a text already in the archive, sources and tags spelt
    two ways, a tag twice, gazetteer regions by another name, originals, references, times."""
    articles = list(NewsCorpus(7).articles(40))
    made = [NewClipping(a.draft, a.tags) for a in articles]
    made[7] = NewClipping(made[7].draft, made[7].tags, imported_at=WHEN)
    made[9] = NewClipping(made[9].draft, made[9].tags, WHEN, WHEN + dt.timedelta(days=2))
    body = articles[3].draft.body
    made += [
        NewClipping(ClippingDraft(title="Same text, other title", body=body), [("topic", "Mines")]),
        NewClipping(
            ClippingDraft(title="Same again", body="  " + body.upper().replace(" ", "\n ")),
            [("topic", "Wire")],
        ),
        NewClipping(
            ClippingDraft(
                title="  Niamey   receives\tthe delegation ",
                body="Colonel Goïta was not there. Yevkurov landed in Niamey at dawn.",
                standfirst="  The first officials.  ",
                source="le monde",
                author="Morgane Le Cam",
                url="https://example.org/niamey",
                published=dt.date(2023, 12, 6),
                published_precision="month",
                language="fr",
                origin="web",
                extra={"translated_from": "fr", "nested": {"a": [1, 2]}},
                original=b"<html>raw bytes</html>",
                original_filename="niamey.html",
                original_media_type="text/html",
                related_refs=["Read more: Bamako", "read more:  BAMAKO", "", "  Ouagadougou next "],
                title_guessed=True,
            ),
            [
                ("region", "Niger"),
                ("region", "niger"),
                ("region", "NE"),
                ("topic", "Security"),
                ("topic", "security"),
                ("topic", "Diplomatie"),
            ],
        ),
        NewClipping(
            ClippingDraft(
                title="Le Monde spelt otherwise", body="A second story.", source="LE MONDE"
            )
        ),
        NewClipping(ClippingDraft(title="No source", body="A third story.", source="  ")),
        NewClipping(ClippingDraft(title="Already here", body="Stored before the batch.")),
        NewClipping(ClippingDraft(title="Last", body="The last story.", source="Le Monde")),
    ]
    return made


BEFORE = ClippingDraft(title="Stored first", body="Stored before the batch.", source="Le Monde")


def table_rows(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, without the times the archive takes from the clock."""
    rows = {}
    with archive.stores.unit.reading() as s:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if not isinstance(c.type, DateTime)]
            key = [c for c in table.primary_key.columns] or columns
            query = select(*columns).order_by(*key)
            rows[table.name] = [tuple(row) for row in s.execute(query)]
        times = select(Clipping.id, Clipping.imported_at, Clipping.updated_at)
        rows["given times"] = [
            tuple(row)
            for row in s.execute(times.where(Clipping.imported_at == WHEN).order_by(Clipping.id))
        ]
    return rows


@pytest.fixture
def archives(backend: str, tmp_path: Path) -> Iterator[list[Archive]]:
    """Three empty archives on the backend under test."""
    with contextlib.ExitStack() as stack:
        opened = []
        for name in ("reference", "one_by_one", "bulk"):
            url = None
            if backend == "postgres":
                server = postgres_server_url()
                if server is None:
                    pytest.skip("PostgreSQL half: set CLIPPER_TEST_POSTGRES_URL to a server")
                url = stack.enter_context(fresh_postgres_database(server))
            opened.append(stack.enter_context(Archive(resolve_location(tmp_path / name, url))))
        yield opened


def test_a_bulk_add_stores_what_adding_one_by_one_stores(archives: list[Archive]) -> None:
    reference, one_by_one, bulk = archives
    batch = items()
    for archive in archives:
        reference_add(archive.stores.clippings, BEFORE)

    expected = [
        reference_add(reference.stores.clippings, i.draft, i.tags, i.imported_at, i.updated_at)
        for i in batch
    ]
    singly = [
        one_by_one.add(i.draft, i.tags, imported_at=i.imported_at, updated_at=i.updated_at)
        for i in batch
    ]
    together = bulk.add_many(batch)

    assert [(r.id, r.created) for r in singly] == expected
    assert [(r.id, r.created) for r in together] == expected
    # The text twice in the batch: the second is the first's clipping, not created.
    assert together[40].id == together[41].id == together[3].id and together[3].created
    assert together[-2].duplicate_of == together[-2].id == 1 and not together[-2].created
    for result in together:
        if result.created:
            assert result.changes.added == {result.id} and result.changes.seq == bulk.last_seq()
        else:
            assert result.duplicate_of == result.id and result.changes.seq is None

    stored = table_rows(reference)
    assert len(stored["given times"]) == 2
    assert len(stored["shingle_bands"]) == 40 * (len(batch) - 3 + 1)
    for archive in (one_by_one, bulk):
        rows = table_rows(archive)
        assert rows.keys() == stored.keys()
        for table in stored:
            assert rows[table] == stored[table], table


def test_a_bulk_add_that_fails_stores_nothing(archive: Archive) -> None:
    """An invalid item, found before anything is written (no title) or while writing (a tag
    that has no letters): nothing of the call is stored, not even its sources and tags."""
    archive.add(ClippingDraft(title="Before", body="Stored before."))
    seq = archive.last_seq()
    good = NewClipping(ClippingDraft(title="Good", body="Good text.", source="New Source"))
    tagged = NewClipping(ClippingDraft(title="Tagged", body="Other text."), [("topic", "Fresh")])
    for bad in (
        NewClipping(ClippingDraft(title="  ", body="A text without a title.")),
        NewClipping(ClippingDraft(title="Bad tag", body="Third text."), [("topic", "!!!")]),
    ):
        with pytest.raises(InvalidInput):
            archive.add_many([good, tagged, bad])
        assert archive.count() == 1 and archive.last_seq() == seq
        assert archive.sources() == [] and archive.find_tag("topic", "Fresh") is None
    with pytest.raises(InvalidInput), archive.batch():
        archive.add_many([good, tagged])
        archive.add_many([NewClipping(ClippingDraft(title="x", body=" "))])
    assert archive.count() == 1 and archive.last_seq() == seq


def test_a_bulk_add_in_a_batch_sees_the_batch_and_the_index_sees_every_clipping(
    archive: Archive,
) -> None:
    """Inside a batch, a text added before is found by the bulk add; after it, the search
    index catches up on every clipping from the change log."""
    assert ids(archive, "agency") == set()  # the index is built, and will catch up
    with archive.batch():
        first = archive.add(ClippingDraft(title="Wire", body="Wire copy from the agency."))
        results = archive.add_many(
            [
                NewClipping(ClippingDraft(title="Copy", body="wire copy from the agency.")),
                NewClipping(ClippingDraft(title="Zanzibar story", body="Zanzibar harbour.")),
            ]
        )
    assert results[0].id == first.id and not results[0].created
    assert results[1].created
    assert ids(archive, "zanzibar") == {results[1].id}
    assert ids(archive, "agency") == {first.id}


def test_the_same_text_twice_in_one_export_file_is_one_clipping_with_both_tags_and_notes(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`clipper import export.json` (the bulk path): two entries of a file with the same text
    are one clipping, with the tags and notes of both, as when they were added one by one."""
    from clipper.cli import main
    from clipper.export.json_export import write_json_export
    from tests.helpers.archives import archive_args

    with Archive(resolve_location(tmp_path / "colleague")) as colleague:
        wire = colleague.add(
            ClippingDraft(title="Wire copy", body="The agency's wire copy."), [("topic", "Wire")]
        ).id
        colleague.add_note(wire, "First desk's note")
        other = colleague.add(
            ClippingDraft(title="Same, edited", body="Edited later."), [("region", "Niger")]
        ).id
        colleague.add_note(other, "Second desk's note")
        path = tmp_path / "export.json"
        write_json_export(colleague, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["clippings"][1]["body"] = "The  agency's WIRE copy."
    path.write_text(json.dumps(data), encoding="utf-8")

    assert main([*archive_args(archive.location), "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 clipping(s) created, 1 already in the archive" in out, out
    [only] = archive.list_ids()
    detail = archive.get(only)
    assert detail.title == "Wire copy"
    assert {(t.kind, t.name) for t in detail.tags} == {("topic", "Wire"), ("region", "Niger")}
    assert [n.text for n in detail.notes] == ["First desk's note", "Second desk's note"]
    assert {change.clipping_id for change in archive.changes_since(0)} == {only}
