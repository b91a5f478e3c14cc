"""The errors the archive raises for things a user asked that cannot be done, and the one
parser of a `kind:name` tag spec; the messages are meant for the user."""

from __future__ import annotations

from clipper.core.vocabulary import TAG_KINDS


class ArchiveError(Exception):
    """Something the user asked for cannot be done; the message says why."""


class NotFound(ArchiveError):
    pass


class InvalidInput(ArchiveError):
    pass


def checked_kind(kind: str) -> str:
    """`kind` if it is a tag kind; InvalidInput naming the kinds otherwise."""
    if kind not in TAG_KINDS:
        raise InvalidInput(f"unknown tag kind {kind!r}: use one of {', '.join(TAG_KINDS)}")
    return kind


def parse_tag_spec(spec: str) -> tuple[str, str]:
    """'region:Niger' -> ('region', 'Niger'); raises InvalidInput on anything else."""
    kind, sep, name = spec.partition(":")
    if not sep or not name.strip():
        raise InvalidInput(f"tag {spec!r} must look like topic:NAME or region:NAME")
    return checked_kind(kind.strip().lower()), name.strip()


class ArchiveUnavailable(ArchiveError):
    """The archive cannot be opened where it was asked for: the folder, the database URL, its
    driver or server, or what that database holds. The message names the place and why."""


class ArchiveDamaged(ArchiveUnavailable):
    """The archive's database is damaged (or is not a database at all)."""


class StorageError(ArchiveError):
    """The database could not store a change: the disk is full, the archive is read-only, or
    the device failed. Nothing was stored; what was there before is intact."""
