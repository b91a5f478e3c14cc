"""The export tests' sample archive, built through the `Archive` API from
tests/fixtures/export/clippings.json, and a content snapshot to compare two archives by."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.text import content_hash
from clipper.core.views import ClippingFilter
from tests.helpers.paths import FIXTURES

SAMPLE = FIXTURES / "export" / "clippings.json"


@dataclass(frozen=True)
class Sample:
    archive: Archive
    ids: dict[str, int]
    data: dict[str, Any]

    def title(self, key: str) -> str:
        return next(c["title"] for c in self.data["clippings"] if c["key"] == key)


def fill_sample(archive: Archive) -> dict[str, int]:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    ids: dict[str, int] = {}
    for entry in data["clippings"]:
        original = entry["original"]
        draft = ClippingDraft(
            title=entry["title"],
            body=entry["body"],
            standfirst=entry["standfirst"],
            source=entry["source"],
            author=entry["author"],
            url=entry["url"],
            published=dt.date.fromisoformat(entry["published"]),
            published_precision=entry.get("published_precision", "day"),
            language=entry["language"],
            original=original.encode("utf-8") if original else None,
            original_filename=f"{entry['key']}.txt" if original else None,
            original_media_type="text/plain" if original else None,
            related_refs=["Macron ultimately orders military exit from Niger"]
            if entry["key"] == "niamey"
            else [],
            extra={"desk": "Africa"} if entry["key"] == "bamako" else {},
        )
        tags = [("region", r) for r in entry["regions"]] + [("topic", t) for t in entry["topics"]]
        ids[entry["key"]] = archive.add(draft, tags=tags).id
        for note in entry["notes"]:
            archive.add_note(ids[entry["key"]], note)
    for link in data["links"]:
        archive.link(ids[link["a"]], ids[link["b"]], link["note"], link["kind"])
    for dossier in data["dossiers"]:
        archive.create_dossier(dossier["name"], dossier["description"])
        archive.add_to_dossier(dossier["name"], [ids[k] for k in dossier["clippings"]])
    return ids


def all_ids(archive: Archive) -> list[int]:
    return sorted(
        archive.list_ids(ClippingFilter()) + archive.list_ids(ClippingFilter(in_trash=True))
    )


def snapshot(archive: Archive) -> dict[str, Any]:
    """Everything in an archive, keyed by content instead of ids, to compare two archives."""
    details = {cid: archive.get(cid) for cid in all_ids(archive)}
    key = {cid: content_hash(d.body) for cid, d in details.items()}
    clippings = {}
    links = set()
    for cid, d in details.items():
        clippings[key[cid]] = {
            "title": d.title,
            "title_guessed": d.title_guessed,
            "standfirst": d.standfirst,
            "body": d.body,
            "source": d.source,
            "author": d.author,
            "url": d.url,
            "published": d.published,
            "published_precision": d.published_precision,
            "language": d.language,
            "origin": d.origin,
            "imported_at": d.imported_at,
            "updated_at": d.updated_at,
            "trashed_at": d.trashed_at,
            "extra": d.extra,
            "tags": sorted((t.kind, t.name, t.code) for t in d.tags),
            "notes": [(n.text, n.created_at, n.updated_at) for n in d.notes],
            "dossiers": d.dossiers,
            "references": sorted(
                (r.headline, key[r.owner_id], key.get(r.match_id) if r.match_id else None)
                for r in d.references
            ),
            "original": (
                d.original_filename,
                d.original_media_type,
                d.original_size,
                archive.original(cid),
            ),
        }
        for link in d.links:
            pair = tuple(sorted((key[cid], key[link.other_id])))
            links.add(
                (
                    pair,
                    link.other_title in (details[link.other_id].title,),
                    link.note,
                    link.kind,
                    link.created_at,
                )
            )
    trees = {}
    for kind in ("topic", "region"):
        nodes = archive.tag_tree(kind)
        names = {n.id: n.name for n in nodes}
        trees[kind] = sorted(
            (
                n.name,
                names.get(n.parent_id) if n.parent_id else None,
                n.code,
                tuple(sorted(names[g] for g in n.group_ids)),
                n.match_mode,
                n.match_pattern,
                n.count,
                n.total,
            )
            for n in nodes
        )
    dossiers = sorted(
        (d.name, d.description, d.created_at, tuple(key[c] for c in d.clipping_ids))
        for d in archive.dossiers()
    )
    return {"clippings": clippings, "links": links, "tags": trees, "dossiers": dossiers}


def load_sample(archive: Archive) -> Sample:
    ids = fill_sample(archive)
    return Sample(archive, ids, json.loads(SAMPLE.read_text(encoding="utf-8")))
