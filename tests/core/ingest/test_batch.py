"""The batch through the paths a user takes: `clipper import` (dry run and real, JSON) and
`import_inputs` (the drop target's driver): bad input never stops a batch or changes what is
stored; duplicates exact and near; captured references matched later; suggestions that the
archive accepts as tags."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import InputItem, import_inputs
from tests.helpers.documents import ARTICLE, CORPUS, SEED, corpus_page, make_pdf

# Imports, catch-up and exports must behave the same on a shared server.
pytestmark = pytest.mark.backends

PROMOS = [
    "Macron ultimately orders military exit from Niger",
    "United States partially resumes military activities in Niger",
    "Burkina Faso is strengthening its alliance with Russia",
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict]]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_dry_run_json_for_the_seed_is_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive_dir = tmp_path / "archive"
    code, rows = _run(
        capsys, "--archive", str(archive_dir), "import", "--dry-run", "--json", str(SEED)
    )
    assert code == 0
    [row] = rows
    for field in [
        "path", "ok", "error", "title", "title_guessed", "source", "author", "published",
        "language", "body", "regions", "topics", "related_refs", "duplicate_of",
    ]:  # fmt: skip
        assert field in row
    assert row["ok"] is True and row["error"] is None and row["path"] == str(SEED)
    assert row["source"] == "Le Monde"
    assert row["published"] == "2023-12-06"
    assert row["language"] == "en"
    assert row["title_guessed"] is True and len(row["title"]) < 100
    assert row["body"].startswith("As the last remaining French soldiers leave Niger")
    assert row["body"].endswith('to eventually achieve a federation."')
    assert row["related_refs"] == PROMOS
    assert row["extra"]["translated_from"] == "fr"
    assert row["duplicate_of"] is None
    names = [r["name"] for r in row["regions"]]
    assert names[0] == "Niger"
    assert {"Russia", "Mali", "Burkina Faso"} <= set(names[:5])
    niger = row["regions"][0]
    assert (niger["name"], niger["code"], niger["score"]) == ("Niger", "NE", 1.0)
    # Every suggestion says what it rests on: the words that named the region or the topic.
    assert niger["evidence"].startswith("named: Niger ×")
    assert all(set(t) == {"name", "code", "score", "evidence"} for t in row["topics"])
    assert all(t["evidence"].startswith("words: ") for t in row["topics"])
    assert {"politics", "conflict, war and peace"} <= {t["name"] for t in row["topics"]}
    # A dry run stores nothing.
    with Archive.open(archive_dir) as archive:
        assert archive.count() == 0


def test_suggested_regions_and_topics_are_tags_the_archive_accepts(archive: Archive) -> None:
    [outcome] = import_inputs(archive, [SEED], dry_run=True)
    assert outcome.draft is not None
    tags = [("region", s.name) for s in outcome.draft.regions]
    tags += [("topic", s.name) for s in outcome.draft.topics]
    result = archive.add(outcome.draft, tags=tags)
    detail = archive.get(result.id)
    region_tags = {t.name: t.code for t in detail.regions}
    for suggestion in outcome.draft.regions:
        assert region_tags[suggestion.name] == suggestion.code
    # Region names resolve to the gazetteer's tags, so the region tree counts the clipping.
    niger = archive.find_tag("region", "Niger")
    assert niger is not None and niger.code == "NE"
    west_africa = archive.find_tag("region", "West Africa")
    assert west_africa is not None
    assert niger.id in archive.tag_descendants(west_africa.id)


def test_captured_promo_headline_is_offered_when_that_story_arrives(
    archive: Archive, tmp_path: Path
) -> None:
    [seed] = import_inputs(archive, [SEED])
    later = tmp_path / "burkina.txt"
    later.write_text(
        "Burkina Faso is strengthening its alliance with Russia\n\n"
        "Captain Ibrahim Traoré received a Russian delegation in Ouagadougou on Thursday, "
        "the latest in a series of visits since the coup of September 2022.\n",
        encoding="utf-8",
    )
    [outcome] = import_inputs(archive, [later])
    assert outcome.ok and outcome.draft is not None
    assert not outcome.draft.title_guessed
    references = {r.headline: r.match_id for r in archive.get(seed.id or 0).references}
    assert references[PROMOS[2]] == outcome.id
    assert references[PROMOS[0]] is None


def test_exact_and_near_duplicates_are_reported_with_their_similarity(
    archive: Archive, tmp_path: Path
) -> None:
    html, _ = corpus_page("e7994d55")
    [first] = import_inputs(archive, [InputItem(label="ap.html", data=html.encode())])
    assert first.created
    [again] = import_inputs(archive, [InputItem(label="again.html", data=html.encode())])
    assert not again.created and again.duplicate_of == first.id and again.similarity == 1.0
    # The same wire story as another outlet runs it: its own headline, a sentence cut.
    body = first.draft.body if first.draft else ""
    paragraphs = body.split("\n\n")
    syndicated = "Tories accused over Twitter switch\n\n" + "\n\n".join(paragraphs[:-1])
    copy = tmp_path / "syndicated.txt"
    copy.write_text(syndicated, encoding="utf-8")
    [dry] = import_inputs(archive, [copy], dry_run=True)
    assert dry.duplicate_of == first.id and dry.similarity is not None
    assert 0.8 <= dry.similarity < 1.0
    [stored] = import_inputs(archive, [copy])
    assert stored.created and stored.duplicate_of == first.id
    assert stored.similarity == dry.similarity
    # An unrelated story is no duplicate.
    [other] = import_inputs(archive, [SEED], dry_run=True)
    assert other.duplicate_of is None and other.similarity is None


def _bad_inputs(folder: Path, article_pdf: bytes) -> dict[str, str]:
    """Twenty bad files, two of each kind, and the reason each must name."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(article_pdf)))
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("pictures/a.jpg", b"\xff\xd8\xff\xe0")
    kinds = {
        "empty.txt": (b"", "the file is empty"),
        "junk.bin": (bytes(range(256)) * 64, "binary data"),
        "invalid.txt": ("Niamey, décembre".encode() + b"\xff\xfe oops", "not valid UTF-8"),
        "nothing.html": (
            b"<html><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav></body></html>",
            "no article",
        ),
        "cookies.html": (
            (
                b"<html><body><h2>We value your privacy</h2><p>We and our partners use cookies to "
                b"store and access information on your device. Accept all cookies, reject all or "
                b"manage your privacy settings and consent preferences. Cookie policy.</p>"
                b"</body></html>"
            ),
            "cookie or consent",
        ),
        "cut.pdf": (article_pdf[: len(article_pdf) // 2], "truncated"),
        "locked.pdf": (locked.getvalue(), "password-protected"),
        "fake.docx": (zipped.getvalue(), "zip archive of other files"),
        "photo.html": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "the image is damaged"),
        "blank.html": (b"   \n\n  ", "the file is empty"),
    }
    reasons = {}
    for copy in ("a", "b"):
        for name, (data, reason) in kinds.items():
            path = folder / f"{copy}-{name}"
            path.write_bytes(data)
            reasons[str(path)] = reason
    return reasons


def _real_paragraphs() -> list[str]:
    truths = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    paragraphs = [
        p.strip()
        for truth in truths.values()
        for p in truth["articleBody"].split("\n")
        if len(p.split()) >= 12
    ]
    paragraphs += SEED.read_text(encoding="utf-8").split("\n\n")[3:12]
    return [p for p in paragraphs if len(p.split()) >= 12]


def test_a_batch_of_200_with_20_bad_files_imports_180(
    archive: Archive, tmp_path: Path, article_pdf: bytes
) -> None:
    existing = archive.add(
        ClippingDraft(title="Already here", body=" ".join(" ".join(p) for p in ARTICLE))
    )
    before = archive.get(existing.id)
    folder = tmp_path / "drop"
    (folder / "nested" / "deeper").mkdir(parents=True)
    reasons = _bad_inputs(folder / "nested", article_pdf)
    pool = _real_paragraphs()
    assert len(pool) >= 40
    good = 0
    for i in range(len(pool)):
        for j in range(i + 1, len(pool)):
            if good == 180:
                break
            k = (i + j * 7) % len(pool)
            body = "\n\n".join(dict.fromkeys([pool[i], pool[j], pool[k]]))
            target = folder / ("deeper" if good % 3 else "") / f"story-{good:03d}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"Desk story number {good}\n\n{body}\n", encoding="utf-8")
            good += 1
    # A file of 200 MB, made sparse so the test writes nothing: refused by its size.
    huge = folder / "nested" / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(200 * 2**20)
    reasons[str(huge)] = "200 MB is over the 50 MB limit"

    outcomes = list(import_inputs(archive, [folder]))
    assert len(outcomes) == 201
    failed = {o.label: o.error for o in outcomes if not o.ok}
    assert set(failed) == set(reasons)
    for label, reason in reasons.items():
        error = failed[label] or ""
        assert error.startswith(f"{label}: ") and reason in error, (label, error)
    stored = [o for o in outcomes if o.ok]
    assert len(stored) == 180 and all(o.created for o in stored)
    assert archive.count() == 181
    after = archive.get(existing.id)
    assert (after.title, after.body, after.updated_at) == (
        before.title,
        before.body,
        before.updated_at,
    )


def test_cli_import_reports_each_bad_file_and_imports_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(make_pdf(ARTICLE, title="Sahel juntas quit West African bloc"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    archive_dir = tmp_path / "archive"
    code, rows = _run(capsys, "--archive", str(archive_dir), "import", "--json", str(tmp_path))
    assert code == 1
    by_path = {row["path"]: row for row in rows}
    assert set(by_path[str(good)]) >= {"path", "ok", "id", "duplicate_of", "error"}
    assert by_path[str(good)]["ok"] is True and isinstance(by_path[str(good)]["id"], int)
    assert by_path[str(empty)] == {
        "path": str(empty),
        "ok": False,
        "id": None,
        "duplicate_of": None,
        "error": f"{empty}: the file is empty",
        "similarity": None,
    }


def test_a_clipper_export_inside_a_folder_is_refused_not_read_as_an_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read as text, an export would become one clipping full of JSON; named on its own it
    is imported whole (see tests/export), inside a folder it is refused with directions."""
    source = tmp_path / "colleague"
    with Archive.open(source) as colleague:
        colleague.add(ClippingDraft(title="Niamey talks", body="The ministers met in Niamey."))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    story = "\n\n".join(" ".join(lines) for lines in ARTICLE)
    (inbox / "story.txt").write_text(story, encoding="utf-8")
    export = inbox / "dossier.json"
    assert main(["--archive", str(source), "export", "--json", str(export)]) == 0
    capsys.readouterr()
    archive_dir = tmp_path / "archive"
    code, rows = _run(capsys, "--archive", str(archive_dir), "import", "--json", str(inbox))
    assert code == 1
    by_path = {row["path"]: row for row in rows}
    assert by_path[str(inbox / "story.txt")]["ok"] is True
    refused = by_path[str(export)]
    assert refused["ok"] is False and "this is a Clipper export, not an article" in refused["error"]
    with Archive.open(archive_dir) as archive:
        assert archive.count() == 1  # the story; nothing from the export


def test_topic_rules_set_by_an_editor_are_suggested(archive: Archive) -> None:
    tag = archive.create_tag("topic", "Russia in Africa").value
    archive.set_topic_rule(tag.id, "all", "Russian Wagner")
    sanctions = archive.create_tag("topic", "Sanctions").value
    archive.set_topic_rule(sanctions.id, "phrase", "economic sanctions")
    uranium = archive.create_tag("topic", "Uranium").value
    archive.set_topic_rule(uranium.id, "regex", r"\buranium\b|\bOrano\b")
    [outcome] = import_inputs(archive, [SEED], dry_run=True)
    assert outcome.draft is not None
    topics = {t.name: t.score for t in outcome.draft.topics}
    assert topics["Russia in Africa"] == 1.0
    assert "Sanctions" not in topics and "Uranium" not in topics


def test_near_duplicate_keys_follow_edits_trash_and_purge(archive: Archive) -> None:
    wire = " ".join(" ".join(p) for p in ARTICLE)
    first = archive.add(ClippingDraft(title="Wire", body=wire))
    other = archive.add(ClippingDraft(title="Other", body=SEED.read_text(encoding="utf-8")))
    assert [cid for cid, _ in archive.near_duplicates(wire)] == [first.id]
    # The body is edited into another story: the keys follow it.
    archive.update(other.id, body=wire + " An editor's note closes the text.")
    assert {cid for cid, _ in archive.near_duplicates(wire)} == {first.id, other.id}
    archive.update(other.id, body=SEED.read_text(encoding="utf-8"))
    assert [cid for cid, _ in archive.near_duplicates(wire)] == [first.id]
    archive.trash([first.id])
    assert archive.near_duplicates(wire) == []
    archive.purge([first.id])
    assert archive.near_duplicates(wire) == []
