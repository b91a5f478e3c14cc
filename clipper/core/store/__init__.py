"""The SQL side of the archive: one `Store` (sessions, the write lock, the change log) and one
store class per aggregate, each taking the `Store`. Dependencies run one way:
clippings -> tags -> unit and documents -> tags -> unit; everything else uses only unit."""

from clipper.core.store.annotations import LinkStore, NoteStore
from clipper.core.store.changes import ChangeLog
from clipper.core.store.clippings import ClippingStore
from clipper.core.store.documents import DocumentStore
from clipper.core.store.dossiers import DossierStore
from clipper.core.store.integrity import integrity_problems
from clipper.core.store.tags import TagStore
from clipper.core.store.trash import TrashStore
from clipper.core.store.unit import Store

__all__ = [
    "ChangeLog",
    "ClippingStore",
    "DocumentStore",
    "DossierStore",
    "LinkStore",
    "NoteStore",
    "Store",
    "TagStore",
    "TrashStore",
    "integrity_problems",
]
