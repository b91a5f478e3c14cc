"""Sample clippings for a first look: resources/samples, loaded as one operation on request.

The files go through the ordinary import pipeline; `samples.json` then gives them their
source, date, tags, links, a note and a dossier, so a new user sees a working desk.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from clipper.core.archive import Archive, ArchiveError
from clipper.core.ingest import import_inputs
from clipper.core.operations import Operation, OpResult
from clipper.core.paths import RESOURCES_DIR
from clipper.core.views import OpChanges

log = logging.getLogger(__name__)

SAMPLES_DIR = RESOURCES_DIR / "samples"


def load_samples(archive: Archive, folder: Path = SAMPLES_DIR) -> tuple[OpChanges, dict[str, int]]:
    """Import the sample clippings described in folder/samples.json; returns what changed and
    the id of each file's clipping."""
    manifest: dict[str, Any] = json.loads((folder / "samples.json").read_text(encoding="utf-8"))
    changes = OpChanges()
    ids: dict[str, int] = {}
    for spec in manifest["clippings"]:
        path = folder / spec["file"]
        tags = [("region", r) for r in spec.get("regions", ())]
        tags += [("topic", t) for t in spec.get("topics", ())]
        for outcome in import_inputs(archive, [path], tags=tags):
            if not outcome.ok or outcome.id is None:
                log.warning("sample %s was not imported: %s", path.name, outcome.error)
                continue
            ids[spec["file"]] = outcome.id
            changes = changes.merge(outcome.changes)
            fields: dict[str, Any] = {
                key: spec[key] for key in ("source", "language", "url") if spec.get(key)
            }
            if spec.get("published"):
                fields["published"] = dt.date.fromisoformat(spec["published"])
            if (
                outcome.draft is not None
                and outcome.draft.title_guessed
                and spec.get("title_if_guessed")
            ):
                fields["title"] = spec["title_if_guessed"]
            if fields:
                changes = changes.merge(archive.update(outcome.id, **fields))
    for link in manifest.get("links", ()):
        if link["a"] in ids and link["b"] in ids:
            changes = changes.merge(
                archive.link(ids[link["a"]], ids[link["b"]], link["note"], link.get("kind"))
            )
    for note in manifest.get("notes", ()):
        if note["file"] in ids:
            changes = changes.merge(archive.add_note(ids[note["file"]], note["text"]).changes)
    dossier = manifest.get("dossier")
    if dossier:
        try:
            view, created = archive.create_dossier(dossier["name"], dossier.get("description", ""))
            changes = changes.merge(created)
        except ArchiveError:
            view = archive.dossier(dossier["name"])
        members = [ids[f] for f in dossier.get("files", ()) if f in ids]
        if members:
            changes = changes.merge(archive.add_to_dossier(view.id, members))
    return changes, ids


def load_samples_operation(folder: Path = SAMPLES_DIR) -> Operation:
    def apply(archive: Archive) -> OpResult:
        changes, ids = load_samples(archive, folder)
        return OpResult(changes, value=ids)

    return Operation("Load sample clippings", apply, undoable=False)
