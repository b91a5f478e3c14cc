"""The Clipper JSON export: every field of every clipping, its tags, notes, links, dossiers and
original bytes, with a schema version; and the importer that recreates an archive from it.

Layout (schema 1), written in this key order so the first bytes identify the file:

    {"format": "clipper-export", "schema_version": 1, "clipper_version": ..., "exported_at": ...,
     "scope": "archive" | "selection",
     "tags": [{"kind", "name", "code", "parent", "groups", "match_mode", "match_pattern",
               ["match_enabled",] "gazetteer"}],
     "clippings": [{"ref", "title", ..., "regions": [names], "topics": [names],
                    "notes": [...], "references": [...], "original": {..., "data": base64}}],
     "links": [{"a": ref, "b": ref, "note", "kind", "created_at"}],
     "dossiers": [{"name", "description", "created_at", "clippings": [refs]}]}

`ref` is the clipping's id in the exporting archive; the importer maps refs to new ids.
Tags are named by kind and name (unique per kind in an archive); a region from the gazetteer
also carries its gazetteer key, so it is found again even after an editor renamed it.
Times are UTC. Optional fields may be added within schema 1 (readers ignore keys they do not
know): `match_enabled` says whether a topic's rule was on in the exporting archive. It is
information only: a rule from a file is stored off until an editor turns it on.

An export to import comes from anywhere: the reader checks every value it uses (types,
ranges, text that can be stored, how deep `extra` nests) before anything is written, and
says which clipping, tag, link or dossier is wrong.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from clipper import __version__
from clipper.core.archive import Archive, ArchiveError, InvalidInput
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.sniff import looks_like_clipper_export
from clipper.core.operations import Operation, OpResult
from clipper.core.store.clippings import NewClipping
from clipper.core.text import name_key
from clipper.core.views import AddResult, ClippingDetail, OpChanges, TagNode
from clipper.core.vocabulary import LINK_KINDS, MATCH_MODES
from clipper.export.common import (
    ExportError,
    IsCancelled,
    Progress,
    atomic_output,
    check_cancelled,
    never_cancelled,
    no_progress,
    read_details,
    utc_now,
)

log = logging.getLogger(__name__)

FORMAT = "clipper-export"
SCHEMA_VERSION = 1
# How deep a clipping's `extra` may nest. The readers write flat facts, and deep nesting
# breaks whatever later walks it recursively; the bound stays above any the archive itself
# sets on `extra`, so an export of an archive always imports again.
MAX_EXTRA_DEPTH = 100
# How far into a file the format marker may sit for `is_clipper_export` to see it.
SNIFF_BYTES = 4096
# Clippings stored per `add_many` call on import: few statements each, and progress between.
IMPORT_CHUNK = 500


# -- writing ------------------------------------------------------------------------------------


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def _tag_entries(nodes: Iterable[TagNode], keep: set[int] | None) -> list[dict[str, Any]]:
    """Tags as name-linked entries, parents before children; `keep` limits to those ids."""
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    entries: list[dict[str, Any]] = []
    written: set[int] = set()

    def entry(node: TagNode) -> dict[str, Any]:
        parent = by_id.get(node.parent_id) if node.parent_id else None
        return {
            "kind": node.kind,
            "name": node.name,
            "code": node.code,
            "parent": parent.name if parent else None,
            "groups": [
                by_id[g].name for g in node.group_ids if g in by_id and (keep is None or g in keep)
            ],
            "match_mode": node.match_mode,
            "match_pattern": node.match_pattern,
            # Optional in schema 1, so only beside a rule.
            **({"match_enabled": node.match_enabled} if node.match_mode else {}),
            "gazetteer": node.gazetteer_key,
        }

    def write(node: TagNode) -> None:
        """The node after its unwritten ancestors; a loop, since trees can be deep."""
        chain: list[TagNode] = []
        current: TagNode | None = node
        while current is not None and current.id not in written:
            written.add(current.id)
            chain.append(current)
            current = by_id.get(current.parent_id) if current.parent_id else None
        entries.extend(entry(n) for n in reversed(chain))

    for node in nodes:
        if keep is None or node.id in keep:
            write(node)
    return entries


def _with_ancestors(nodes: Iterable[TagNode], used: set[int]) -> set[int]:
    parents = {n.id: n.parent_id for n in nodes}
    keep: set[int] = set()
    for tag_id in used:
        current: int | None = tag_id
        while current is not None and current not in keep:
            keep.add(current)
            current = parents.get(current)
    return keep


def _clipping_entry(detail: ClippingDetail, original: bytes | None) -> dict[str, Any]:
    return {
        "ref": detail.id,
        "title": detail.title,
        "title_guessed": detail.title_guessed,
        "standfirst": detail.standfirst,
        "body": detail.body,
        "source": detail.source,
        "author": detail.author,
        "url": detail.url,
        "published": detail.published.isoformat() if detail.published else None,
        "published_precision": detail.published_precision,
        "language": detail.language,
        "origin": detail.origin,
        "imported_at": _time(detail.imported_at),
        "updated_at": _time(detail.updated_at),
        "trashed_at": _time(detail.trashed_at),
        "extra": detail.extra,
        "regions": [t.name for t in detail.regions],
        "topics": [t.name for t in detail.topics],
        "notes": [
            {
                "text": note.text,
                "created_at": _time(note.created_at),
                "updated_at": _time(note.updated_at),
            }
            for note in detail.notes
        ],
        "references": [r.headline for r in detail.references if r.owner_id == detail.id],
        "original": None
        if original is None
        else {
            "filename": detail.original_filename,
            "media_type": detail.original_media_type,
            "size": len(original),
            "sha256": hashlib.sha256(original).hexdigest(),
            "data": base64.b64encode(original).decode("ascii"),
        },
    }


@dataclass(frozen=True)
class JsonExportResult:
    path: Path
    clippings: int
    links: int
    dossiers: int
    tags: int


def write_json_export(
    archive: Archive,
    path: str | Path,
    ids: Sequence[int] | None = None,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> JsonExportResult:
    """Write the clippings `ids` (None: the whole archive, trash included) as Clipper JSON."""
    whole = ids is None
    if ids is None:
        from clipper.export.selection import select_all

        ids = select_all(archive, include_trash=True).ids
    nodes = archive.tag_tree("topic") + archive.tag_tree("region")
    with (
        atomic_output(Path(path), ".json") as temporary,
        temporary.open("w", encoding="utf-8") as out,
    ):
        out.write("{")
        _field(out, "format", FORMAT, first=True)
        _field(out, "schema_version", SCHEMA_VERSION)
        _field(out, "clipper_version", __version__)
        _field(out, "exported_at", _time(utc_now()))
        _field(out, "scope", "archive" if whole else "selection")
        in_export = set(ids)
        links: dict[tuple[int, int], dict[str, Any]] = {}
        used_tags: set[int] = set()
        out.write(',\n "clippings": [')
        for done, clipping_id in enumerate(ids):
            check_cancelled(is_cancelled)
            detail = read_details(archive, [clipping_id])[0]
            used_tags.update(t.id for t in detail.tags)
            for link in detail.links:
                pair = tuple(sorted((detail.id, link.other_id)))
                if link.other_id in in_export and pair not in links:
                    links[pair] = {  # type: ignore[index]
                        "a": pair[0],
                        "b": pair[1],
                        "note": link.note,
                        "kind": link.kind,
                        "created_at": _time(link.created_at),
                    }
            entry = _clipping_entry(detail, archive.original(clipping_id))
            out.write(("\n  " if done == 0 else ",\n  ") + _dumps(entry))
            progress(done + 1, len(ids), "writing clippings")
        out.write("\n ]")
        keep = None if whole else _with_ancestors(nodes, used_tags)
        tags = _tag_entries(nodes, keep)
        _list(out, "tags", tags)
        _list(out, "links", list(links.values()))
        dossiers = []
        for dossier in archive.dossiers():
            members = [cid for cid in dossier.clipping_ids if cid in in_export]
            if whole or members:
                dossiers.append(
                    {
                        "name": dossier.name,
                        "description": dossier.description,
                        "created_at": _time(dossier.created_at),
                        "clippings": members,
                    }
                )
        _list(out, "dossiers", dossiers)
        out.write("\n}\n")
    return JsonExportResult(Path(path), len(ids), len(links), len(dossiers), len(tags))


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _field(out: IO[str], name: str, value: object, first: bool = False) -> None:
    out.write(("" if first else ",") + f"\n {_dumps(name)}: {_dumps(value)}")


def _list(out: IO[str], name: str, items: list[Any]) -> None:
    out.write(f",\n {_dumps(name)}: [")
    out.write(",".join("\n  " + _dumps(item) for item in items))
    out.write("\n ]")


# -- reading --------------------------------------------------------------------------------------


def is_clipper_export(path: str | Path) -> bool:
    """Whether a file is a Clipper JSON export, by its content (the format marker up front)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return looks_like_clipper_export(head)


class InvalidExport(ExportError):
    """The file is not a Clipper export this version can read; the message says where."""


def _describe(value: object) -> str:
    """What a JSON value is, in the words of an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def _check_text(entry: object, where: str) -> None:
    """Refuse text that cannot be stored: JSON can spell unpaired surrogates ("\\ud800"),
    which no database takes. Walks the entry without recursion, keys included."""
    stack = [entry]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = value[exc.start]
                raise InvalidExport(
                    f"{where}: text holds an unpaired surrogate (U+{ord(bad):04X}), not "
                    "valid Unicode"
                ) from None
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _check_depth(value: object, where: str, limit: int) -> None:
    """Refuse lists and objects nested more than `limit` deep, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                raise InvalidExport(f"{where}: nested more than {limit} levels deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _parse_time(value: object, where: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidExport(f"{where}: expected a time, got {_describe(value)}")
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    except ValueError:
        raise InvalidExport(f"{where}: {value[:40]!r} is not a time") from None
    except OverflowError:  # "0001-01-01T00:00+05:00" is before year 1 in UTC
        raise InvalidExport(f"{where}: {value[:40]!r} is out of range") from None
    return parsed


def _parse_date(value: object, where: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidExport(f"{where}: expected a date, got {_describe(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidExport(f"{where}: {value[:40]!r} is not a date") from None


def _require(entry: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in entry:
        raise InvalidExport(f"{where}: {key!r} is missing")
    value = entry[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise InvalidExport(f"{where}: {key!r} has the wrong type ({_describe(value)})")
    return value


def _optional(entry: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = entry.get(key)
    if value is not None and (
        not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)
    ):
        raise InvalidExport(f"{where}: {key!r} has the wrong type ({_describe(value)})")
    return value


def _is_ref(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ref(entry: dict[str, Any], key: str, where: str) -> int:
    if key not in entry:
        raise InvalidExport(f"{where}: {key!r} is missing")
    value = entry[key]
    if not _is_ref(value):
        raise InvalidExport(f"{where}: {key!r} must be a clipping ref, not {_describe(value)}")
    return int(value)


def _names(entry: dict[str, Any], key: str, where: str) -> list[str]:
    """A list of names (tags, headlines): text only."""
    values = _optional(entry, key, list, where) or []
    for value in values:
        if not isinstance(value, str):
            raise InvalidExport(f"{where}: {key!r} must list text, not {_describe(value)}")
    return values


@dataclass(frozen=True)
class ExportedNote:
    text: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class ExportedClipping:
    ref: int
    draft: ClippingDraft
    tags: tuple[tuple[str, str], ...]
    notes: tuple[ExportedNote, ...]
    imported_at: dt.datetime | None
    updated_at: dt.datetime | None
    trashed_at: dt.datetime | None


@dataclass(frozen=True)
class ExportedTag:
    kind: str
    name: str
    parent: str | None
    match_mode: str | None
    match_pattern: str | None
    gazetteer: str | None = None
    # Whether the rule was on where the file was made (absent in older files).
    match_enabled: bool | None = None


@dataclass(frozen=True)
class ExportedLink:
    a: int
    b: int
    note: str
    kind: str | None
    created_at: dt.datetime | None


@dataclass(frozen=True)
class ExportedDossier:
    name: str
    description: str
    created_at: dt.datetime | None
    clippings: tuple[int, ...]


@dataclass(frozen=True)
class ClipperExport:
    """A parsed and checked export: everything the importer needs, nothing written yet."""

    schema_version: int
    tags: tuple[ExportedTag, ...]
    clippings: tuple[ExportedClipping, ...]
    links: tuple[ExportedLink, ...]
    dossiers: tuple[ExportedDossier, ...]


def _parse_clipping(entry: Any, index: int) -> ExportedClipping:
    where = f"clipping {index + 1}"
    if not isinstance(entry, dict):
        raise InvalidExport(f"{where}: expected an object, got {_describe(entry)}")
    ref = _ref(entry, "ref", where)
    where = f"clipping {index + 1} (ref {ref})"
    extra = _optional(entry, "extra", dict, where) or {}
    _check_depth(extra, f"{where}: 'extra'", MAX_EXTRA_DEPTH)
    _check_text(entry, where)
    original = _optional(entry, "original", dict, where)
    data = None
    if original is not None:
        try:
            data = base64.b64decode(_require(original, "data", str, where), validate=True)
        except binascii.Error:
            raise InvalidExport(f"{where}: the original's bytes are not valid base64") from None
        digest = _optional(original, "sha256", str, f"{where}: the original")
        if digest is not None and hashlib.sha256(data).hexdigest() != digest:
            raise InvalidExport(f"{where}: the original's bytes do not match their sha256")
    draft = ClippingDraft(
        title=_require(entry, "title", str, where),
        body=_require(entry, "body", str, where),
        title_guessed=bool(_optional(entry, "title_guessed", bool, where)),
        standfirst=_optional(entry, "standfirst", str, where) or "",
        source=_optional(entry, "source", str, where),
        author=_optional(entry, "author", str, where),
        url=_optional(entry, "url", str, where),
        published=_parse_date(entry.get("published"), where),
        published_precision=_optional(entry, "published_precision", str, where) or "day",
        language=_optional(entry, "language", str, where),
        origin=_optional(entry, "origin", str, where) or "file",
        extra=dict(extra),
        original=data,
        original_filename=_optional(original, "filename", str, where) if original else None,
        original_media_type=_optional(original, "media_type", str, where) if original else None,
        related_refs=_names(entry, "references", where),
    )
    tags = tuple(
        [("region", name) for name in _names(entry, "regions", where)]
        + [("topic", name) for name in _names(entry, "topics", where)]
    )
    notes = []
    for note in _optional(entry, "notes", list, where) or []:
        if not isinstance(note, dict):
            raise InvalidExport(f"{where}: a note is {_describe(note)}, not an object")
        notes.append(
            ExportedNote(
                text=_require(note, "text", str, where),
                created_at=_parse_time(note.get("created_at"), where),
                updated_at=_parse_time(note.get("updated_at"), where),
            )
        )
    return ExportedClipping(
        ref=ref,
        draft=draft,
        tags=tags,
        notes=tuple(notes),
        imported_at=_parse_time(entry.get("imported_at"), where),
        updated_at=_parse_time(entry.get("updated_at"), where),
        trashed_at=_parse_time(entry.get("trashed_at"), where),
    )


def _check_rule(mode: str | None, pattern: str | None, where: str) -> None:
    """Refuse a topic rule the archive would refuse, before anything is imported."""
    if mode is None:
        return
    if mode not in MATCH_MODES:
        raise InvalidExport(f"{where}: unknown match mode {mode!r}")
    if mode == "regex" and pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidExport(
                f"{where}: invalid regular expression {pattern!r} ({exc})"
            ) from None


def parse_export(data: Any) -> ClipperExport:
    """Check a decoded export completely, so a bad file fails before anything is written."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidExport("this is not a Clipper JSON export (no clipper-export marker)")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidExport("the export has no schema version")
    if version > SCHEMA_VERSION:
        raise InvalidExport(
            f"the export uses schema {version}; this Clipper reads up to {SCHEMA_VERSION} "
            "(update Clipper to import it)"
        )
    tags = []
    for index, entry in enumerate(_require(data, "tags", list, "export")):
        where = f"tag {index + 1}"
        if not isinstance(entry, dict):
            raise InvalidExport(f"{where}: expected an object, got {_describe(entry)}")
        _check_text(entry, where)
        kind = _require(entry, "kind", str, where)
        if kind not in ("topic", "region"):
            raise InvalidExport(f"{where}: unknown kind {kind!r}")
        match_mode = _optional(entry, "match_mode", str, where)
        match_pattern = _optional(entry, "match_pattern", str, where)
        _check_rule(match_mode, match_pattern, where)
        tags.append(
            ExportedTag(
                kind=kind,
                name=_require(entry, "name", str, where),
                parent=_optional(entry, "parent", str, where),
                match_mode=match_mode,
                match_pattern=match_pattern,
                gazetteer=_optional(entry, "gazetteer", str, where),
                match_enabled=_optional(entry, "match_enabled", bool, where),
            )
        )
    clippings = [
        _parse_clipping(entry, index)
        for index, entry in enumerate(_require(data, "clippings", list, "export"))
    ]
    refs = {c.ref for c in clippings}
    if len(refs) != len(clippings):
        raise InvalidExport("two clippings share a ref")
    links = []
    for index, entry in enumerate(_require(data, "links", list, "export")):
        where = f"link {index + 1}"
        if not isinstance(entry, dict):
            raise InvalidExport(f"{where}: expected an object, got {_describe(entry)}")
        _check_text(entry, where)
        a, b = _ref(entry, "a", where), _ref(entry, "b", where)
        if a not in refs or b not in refs:
            raise InvalidExport(f"{where}: links a clipping that is not in the export")
        link_kind = _optional(entry, "kind", str, where)
        if link_kind is not None and link_kind not in LINK_KINDS:
            raise InvalidExport(
                f"{where}: unknown link kind {link_kind!r} (this Clipper knows "
                f"{', '.join(LINK_KINDS)})"
            )
        links.append(
            ExportedLink(
                a=a,
                b=b,
                note=_optional(entry, "note", str, where) or "",
                kind=link_kind,
                created_at=_parse_time(entry.get("created_at"), where),
            )
        )
    dossiers = []
    for index, entry in enumerate(_require(data, "dossiers", list, "export")):
        where = f"dossier {index + 1}"
        if not isinstance(entry, dict):
            raise InvalidExport(f"{where}: expected an object, got {_describe(entry)}")
        _check_text(entry, where)
        members = tuple(_require(entry, "clippings", list, where))
        for member in members:
            if not _is_ref(member):
                raise InvalidExport(
                    f"{where}: 'clippings' must list clipping refs, not {_describe(member)}"
                )
        if any(m not in refs for m in members):
            raise InvalidExport(f"{where}: lists a clipping that is not in the export")
        dossiers.append(
            ExportedDossier(
                name=_require(entry, "name", str, where),
                description=_optional(entry, "description", str, where) or "",
                created_at=_parse_time(entry.get("created_at"), where),
                clippings=members,
            )
        )
    return ClipperExport(version, tuple(tags), tuple(clippings), tuple(links), tuple(dossiers))


def read_export(path: str | Path) -> ClipperExport:
    """Read and check an export. Errors do not repeat the path: callers name the file."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise InvalidExport(f"cannot read it ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidExport(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise InvalidExport("not a Clipper export: its JSON is nested too deeply to read") from None
    except ValueError:  # a number longer than Python reads (int_max_str_digits)
        raise InvalidExport("not valid JSON here (a number in it is too long to read)") from None
    return parse_export(data)


# -- importing ------------------------------------------------------------------------------------


@dataclass
class JsonImportReport:
    """What an import did; `merged` counts clippings that were already in the archive."""

    created: int = 0
    merged: int = 0
    tags_created: int = 0
    # Topic rules stored from the file, all of them off until an editor turns them on.
    rules_off: int = 0
    notes: int = 0
    links: int = 0
    dossiers: int = 0
    ids: dict[int, int] = field(default_factory=dict)
    # Everything the import changed, for the window to refresh from.
    changes: OpChanges = field(default_factory=OpChanges)

    def record(self, changes: OpChanges) -> None:
        self.changes = self.changes.merge(changes)

    def summary(self) -> str:
        parts = [f"{self.created} clipping(s) created"]
        if self.merged:
            parts.append(f"{self.merged} already in the archive")
        parts.append(f"{self.notes} note(s), {self.links} link(s), {self.dossiers} dossier(s)")
        if self.rules_off:
            parts.append(f"{self.rules_off} topic rule(s) kept off until an editor turns them on")
        return ", ".join(parts)


def _is_empty(archive: Archive) -> bool:
    from clipper.core.views import ClippingFilter

    return (
        not archive.count()
        and not archive.count(ClippingFilter(in_trash=True))
        and not (archive.dossiers())
    )


TagNames = dict[tuple[str, str], str]


def _import_tags(
    archive: Archive, tags: Sequence[ExportedTag], mirror: bool, report: JsonImportReport
) -> tuple[int, TagNames]:
    """Find or create each tag under its parent; returns how many were created and, for each
    exported (kind, name key), the name of the tag it became here.

    A gazetteer region is found by its gazetteer key, whatever either archive calls it. Into
    an empty archive the tree is mirrored exactly (names, parents, topic rules), since there
    is nothing of the editor's own to disturb; into a busy one, existing tags stay as they are.
    """
    created = 0
    ids: dict[tuple[str, str], int] = {}
    names: TagNames = {}
    nodes = archive.tag_tree("topic") + archive.tag_tree("region")
    parents = {n.id: n.parent_id for n in nodes}
    by_gazetteer = {n.gazetteer_key: n for n in nodes if n.gazetteer_key}
    for tag in tags:
        key = (tag.kind, name_key(tag.name))
        parent_id = ids.get((tag.kind, name_key(tag.parent))) if tag.parent else None
        node = by_gazetteer.get(tag.gazetteer) if tag.gazetteer and tag.kind == "region" else None
        found = archive.find_tag(tag.kind, tag.name) if node is None else None
        new = node is None and found is None
        if new:
            ref, changes = archive.create_tag(tag.kind, tag.name, parent_id)
            report.record(changes)
            tag_id, name = ref.id, tag.name
            created += 1
        else:
            tag_id, name = (node.id, node.name) if node else (found.id, found.name)  # type: ignore[union-attr]
            if mirror and name != tag.name:
                report.record(archive.rename_tag(tag_id, tag.name))
                name = tag.name
            if mirror and parents.get(tag_id) != parent_id:
                report.record(archive.move_tag(tag_id, parent_id))
        ids[key] = tag_id
        names[key] = name
        if tag.match_mode and (mirror or new):
            # A rule runs on every import: one from a file stays off until an editor looks.
            # Whatever `tag.match_enabled` says: the file is not the editor.
            report.record(
                archive.set_topic_rule(tag_id, tag.match_mode, tag.match_pattern, enabled=False)
            )
            report.rules_off += 1
    return created, names


def import_export(
    archive: Archive,
    export: ClipperExport,
    progress: Progress = no_progress,
    tags: Sequence[tuple[str, str]] = (),
) -> JsonImportReport:
    """Recreate an export's clippings, tags, notes, links and dossiers in `archive`, and
    give every clipping of it the extra `tags` (`clipper import --tag`, a drop on a tag).

    Into an empty archive this recreates the exported archive (new ids, same content and
    times). Into a non-empty one it merges: a clipping already there (same text) is matched,
    not duplicated, and gets the export's tags, and notes and links it lacks. The import is
    one transaction: if it stops on an error, the archive is left as it was.
    """
    report = JsonImportReport()
    try:
        with archive.batch():
            _import_all(archive, export, progress, report)
            ids = sorted(set(report.ids.values()))
            for kind, name in tags:
                report.record(archive.add_tag(ids, kind, name))
    except ArchiveError as exc:
        raise ExportError(f"import stopped, nothing was imported: {exc}") from exc
    return report


def _import_all(
    archive: Archive, export: ClipperExport, progress: Progress, report: JsonImportReport
) -> None:
    mirror = _is_empty(archive)
    report.tags_created, tag_names = _import_tags(archive, export.tags, mirror, report)
    total = len(export.clippings)
    for start in range(0, total, IMPORT_CHUNK):
        chunk = export.clippings[start : start + IMPORT_CHUNK]
        tags = [_tags_here(clipping, tag_names) for clipping in chunk]
        results = archive.add_many(
            NewClipping(c.draft, t, c.imported_at, c.updated_at)
            for c, t in zip(chunk, tags, strict=True)
        )
        for done, (clipping, clipping_tags, result) in enumerate(
            zip(chunk, tags, results, strict=True), start + 1
        ):
            _import_clipping(archive, clipping, clipping_tags, result, report)
            progress(done, total, "importing clippings")
    for link in export.links:
        a, b = report.ids[link.a], report.ids[link.b]
        if a == b:
            continue
        if any(view.other_id == b for view in archive.get(a).links):
            continue
        report.record(archive.link(a, b, link.note, link.kind, created_at=link.created_at))
        report.links += 1
    existing = {d.name: d for d in archive.dossiers()}
    for dossier in export.dossiers:
        members = list(dict.fromkeys(report.ids[ref] for ref in dossier.clippings))
        if dossier.name not in existing:
            created = archive.create_dossier(
                dossier.name, dossier.description, created_at=dossier.created_at
            )
            report.record(created.changes)
            report.dossiers += 1
        present = set(existing[dossier.name].clipping_ids) if dossier.name in existing else set()
        missing = [m for m in members if m not in present]
        if missing:
            report.record(archive.add_to_dossier(dossier.name, missing))


def _tags_here(clipping: ExportedClipping, tag_names: TagNames) -> list[tuple[str, str]]:
    """The clipping's tags as this archive names them (a renamed gazetteer region keeps its
    identity)."""
    return [(kind, tag_names.get((kind, name_key(name)), name)) for kind, name in clipping.tags]


def _import_clipping(
    archive: Archive,
    clipping: ExportedClipping,
    tags: Sequence[tuple[str, str]],
    result: AddResult,
    report: JsonImportReport,
) -> None:
    """What follows the storing of one clipping: its notes, its trashing, and for one that
    was already there (or earlier in the file) the export's tags and notes it lacks."""
    report.ids[clipping.ref] = result.id
    report.record(result.changes)
    if result.created:
        report.created += 1
        known_notes: set[str] = set()
    else:
        report.merged += 1
        detail = archive.get(result.id)
        have = {(t.kind, name_key(t.name)) for t in detail.tags}
        for kind, name in tags:
            if (kind, name_key(name)) not in have:
                report.record(archive.add_tag(result.id, kind, name))
        known_notes = {n.text for n in detail.notes}
    for note in clipping.notes:
        if note.text.strip() in known_notes:
            continue
        _note_id, changes = archive.add_note(
            result.id, note.text, created_at=note.created_at, updated_at=note.updated_at
        )
        report.record(changes)
        report.notes += 1
    if result.created and clipping.trashed_at is not None:
        report.record(archive.trash([result.id], at=clipping.trashed_at))


def import_json_file(
    archive: Archive,
    path: str | Path,
    progress: Progress = no_progress,
    tags: Sequence[tuple[str, str]] = (),
) -> JsonImportReport:
    return import_export(archive, read_export(path), progress, tags)


def import_clipper_export(path: Path, tags: Sequence[tuple[str, str]] = ()) -> Operation:
    """An export file brought into the archive as one operation (a colleague's dossier, an
    archive moved from another machine, dropped on the window); the value is the report.
    Not undoable: into a busy archive it merges notes and links into clippings already there.
    It lives here, not with the core's operations, because the core never imports exports.
    """

    def apply(archive: Archive) -> OpResult:
        try:
            report = import_json_file(archive, path, tags=tags)
        except ExportError as exc:
            raise InvalidInput(str(exc)) from exc
        return OpResult(report.changes, None, report)

    # import_export is one transaction already: no batch is needed around it.
    return Operation(f"Import {path.name}", apply, undoable=False)
