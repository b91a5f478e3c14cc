"""`Archive`: the one API for reading and changing a Clipper archive, as a thin facade.

An archive is a database (`store`: one `Store` and a store class per aggregate, each change
one transaction that also appends to the `changes` log and returns an `OpChanges`) and,
beside it, the search index (`search.SearchIndex`, a cache of the database), with `Finder`
(`finding`) searching and listing over both. The archive may be used from any thread;
writes are serialized. Callers get plain dataclasses (`clipper.core.views`), never ORM
objects.

New code may use the stores directly (`archive.stores.dossiers.add(...)`); the methods
below keep the archive's long-standing API as one-line delegations, as Anki's collection
keeps its managers' legacy names.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine

from clipper.core.errors import (
    ArchiveDamaged,
    ArchiveError,
    ArchiveUnavailable,
    InvalidInput,
    NotFound,
    StorageError,
    parse_tag_spec,
)
from clipper.core.finding import Finder
from clipper.core.paths import ArchiveLocation, resolve_location
from clipper.core.regions import Gazetteer, load_gazetteer
from clipper.core.search import SearchIndex
from clipper.core.search.index import IndexWork, pending_work
from clipper.core.store import (
    ChangeLog,
    ClippingStore,
    DocumentStore,
    DossierStore,
    LinkStore,
    NoteStore,
    Store,
    TagStore,
    TrashStore,
    integrity_problems,
)
from clipper.core.store.changes import ChangeCursor
from clipper.core.store.clippings import EDITABLE_FIELDS, SORT_KEYS, TAG_SORTS
from clipper.core.store.feeds import FeedStore, WatchFolderStore
from clipper.core.store.inbox import InboxStore
from clipper.core.store.reviews import ReviewStore
from clipper.core.store.saved import SavedSearchStore

__all__ = [
    "EDITABLE_FIELDS",
    "SORT_KEYS",
    "TAG_SORTS",
    "Archive",
    "ArchiveDamaged",
    "ArchiveError",
    "ArchiveUnavailable",
    "ChangeCursor",
    "InvalidInput",
    "NotFound",
    "StorageError",
    "Stores",
    "parse_tag_spec",
]

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


@dataclass(frozen=True)
class Stores:
    """The archive's stores, one per aggregate, all on one `Store`."""

    unit: Store
    changes: ChangeLog
    tags: TagStore
    clippings: ClippingStore
    notes: NoteStore
    links: LinkStore
    dossiers: DossierStore
    trash: TrashStore
    documents: DocumentStore
    # Monitoring (see clipper.core.monitor, which works over the archive).
    feeds: FeedStore
    watch_folders: WatchFolderStore
    inbox: InboxStore
    saved: SavedSearchStore

    @classmethod
    def on(cls, unit: Store, gazetteer: Gazetteer) -> Stores:
        tags = TagStore(unit, gazetteer)
        return cls(
            unit=unit,
            changes=ChangeLog(unit),
            tags=tags,
            clippings=ClippingStore(unit, tags),
            notes=NoteStore(unit),
            links=LinkStore(unit),
            dossiers=DossierStore(unit),
            trash=TrashStore(unit),
            documents=DocumentStore(unit),
            feeds=FeedStore(unit),
            watch_folders=WatchFolderStore(unit),
            inbox=InboxStore(unit),
            saved=SavedSearchStore(unit),
        )


def _to(path: str, method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[Any, P], R]:
    """A method of the archive that calls `method` on what `path` names (one of its stores,
    `"stores.dossiers"`, or its finder)."""
    target = operator.attrgetter(path)

    def delegated(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(target(self), *args, **kwargs)

    delegated.__name__ = getattr(method, "__name__", path)
    delegated.__doc__ = method.__doc__
    return delegated


class Archive:
    """An open archive: a database (SQLite by default) and, beside it, the search index."""

    def __init__(self, location: ArchiveLocation, gazetteer: Gazetteer | None = None) -> None:
        self.location = location
        location.ensure_home()
        self.gazetteer = gazetteer or load_gazetteer()
        self.stores = Stores.on(Store(location), self.gazetteer)
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        # Set by `cancel_index_build` while the index is being opened (maybe rebuilt).
        self._stop_index_build = threading.Event()
        self._index_opening = False
        self.finder = Finder(
            self.stores.clippings, self.stores.tags, self.stores.dossiers, lambda: self.index
        )
        try:
            if not self.stores.unit.readonly:
                self.stores.tags.sync_gazetteer()
        except BaseException:
            self.stores.unit.close()
            raise

    @classmethod
    def open(cls, home: str | Path | None = None, database_url: str | None = None) -> Archive:
        return cls(resolve_location(home, database_url))

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self.stores.unit.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self.stores.unit.engine

    batch = _to("stores.unit", Store.batch)
    snapshot = _to("stores.unit", Store.snapshot)

    # -- the search index (a cache of this archive) ------------------------------------------

    @property
    def index(self) -> SearchIndex:
        """The search index, opened (and caught up, or rebuilt) on first use."""
        with self._index_lock:
            if self._index is None:
                self._stop_index_build.clear()
                self._index_opening = True
                try:
                    self._index = self.open_index()
                finally:
                    self._index_opening = False
            return self._index

    def open_index(self, parallel: bool = True) -> SearchIndex:
        """A search index object of its own on this archive's index folder (opened, caught
        up, rebuilt if need be); `index` is the archive's shared one."""
        return SearchIndex.open(
            self.location.index_dir,
            self.stores.changes,
            self.stores.documents,
            self.stores.tags,
            worker_location=self.location,
            cancelled=self._stop_index_build.is_set,
            parallel=parallel,
        )

    def cancel_index_build(self) -> None:
        """Stop a rebuild of the search index that another thread is running while opening
        it (the app is closing): it ends within a moment, swaps nothing in, and raises
        IndexBuildCancelled there; the next opening builds again. Does nothing otherwise."""
        if self._index_opening:
            self._stop_index_build.set()

    def index_build_cancelled(self) -> bool:
        return self._stop_index_build.is_set()

    def pending_index_work(self) -> IndexWork:
        """What the search index must do before it answers (see `search.index.pending_work`)."""
        return pending_work(
            self.location.index_dir, self.stores.changes, self.stores.documents, self._index
        )

    search = _to("finder", Finder.search)
    ranked_ids = _to("finder", Finder.ranked_ids)
    hits_for = _to("finder", Finder.hits_for)
    more_like = _to("finder", Finder.more_like)
    highlight = _to("finder", Finder.highlight)

    def integrity_problems(self) -> list[str]:
        """Everything wrong with the stored data (not the index); empty when all is well."""
        return integrity_problems(self.stores.unit)

    # -- the change log -----------------------------------------------------------------------

    last_seq = _to("stores.changes", ChangeLog.last_seq)
    changes_since = _to("stores.changes", ChangeLog.changes_since)
    follow_changes = _to("stores.changes", ChangeLog.follow)
    changes_with_seqs = _to("stores.changes", ChangeLog.changes_with_seqs)
    missing_seqs = _to("stores.changes", ChangeLog.missing_seqs)

    # -- tags and sources --------------------------------------------------------------------

    find_tag = _to("stores.tags", TagStore.find)
    tag_descendants = _to("stores.tags", TagStore.descendants)
    tag_tree = _to("stores.tags", TagStore.tree)
    tag_names = _to("stores.tags", TagStore.names_of)
    create_tag = _to("stores.tags", TagStore.create)
    rename_tag = _to("stores.tags", TagStore.rename)
    move_tag = _to("stores.tags", TagStore.move)
    delete_tag = _to("stores.tags", TagStore.delete)
    set_topic_rule = _to("stores.tags", TagStore.set_topic_rule)
    enable_topic_rule = _to("stores.tags", TagStore.enable_topic_rule)
    topic_rules = _to("stores.tags", TagStore.topic_rules)
    sources = _to("stores.tags", TagStore.sources)
    add_tag = _to("stores.tags", TagStore.add_to)
    remove_tag = _to("stores.tags", TagStore.remove_from)

    # -- clippings ---------------------------------------------------------------------------

    add = _to("stores.clippings", ClippingStore.add)
    add_many = _to("stores.clippings", ClippingStore.add_many)
    update = _to("stores.clippings", ClippingStore.update)
    confirm_title = _to("stores.clippings", ClippingStore.confirm_title)
    get = _to("stores.clippings", ClippingStore.get)
    original = _to("stores.clippings", ClippingStore.original)
    list_ids = _to("stores.clippings", ClippingStore.list_ids)
    count = _to("stores.clippings", ClippingStore.count)
    summaries = _to("stores.clippings", ClippingStore.summaries)
    list_summaries = _to("stores.clippings", ClippingStore.list_summaries)
    near_duplicates = _to("stores.clippings", ClippingStore.near_duplicates)
    clipping_ids_with_hash = _to("stores.clippings", ClippingStore.ids_with_hash)

    # -- notes and links ---------------------------------------------------------------------

    add_note = _to("stores.notes", NoteStore.add)
    edit_note = _to("stores.notes", NoteStore.edit)
    delete_note = _to("stores.notes", NoteStore.delete)
    link = _to("stores.links", LinkStore.link)
    unlink = _to("stores.links", LinkStore.unlink)

    # -- dossiers ----------------------------------------------------------------------------

    dossiers = _to("stores.dossiers", DossierStore.all)
    dossier = _to("stores.dossiers", DossierStore.get)
    create_dossier = _to("stores.dossiers", DossierStore.create)
    update_dossier = _to("stores.dossiers", DossierStore.update)
    delete_dossier = _to("stores.dossiers", DossierStore.delete)
    add_to_dossier = _to("stores.dossiers", DossierStore.add)
    remove_from_dossier = _to("stores.dossiers", DossierStore.remove)
    reorder_dossier = _to("stores.dossiers", DossierStore.reorder)

    # -- trash -------------------------------------------------------------------------------

    trash = _to("stores.trash", TrashStore.trash)
    restore = _to("stores.trash", TrashStore.restore)
    purge = _to("stores.trash", TrashStore.purge)
    empty_trash = _to("stores.trash", TrashStore.empty)

    # -- what imports left for the editor to review -------------------------------------------

    pending_reviews = _to("reviews", ReviewStore.pending)
    review = _to("reviews", ReviewStore.get)
    add_review = _to("reviews", ReviewStore.add)
    settle_review = _to("reviews", ReviewStore.settle)
    dismiss_reviews = _to("reviews", ReviewStore.dismiss)
    put_review = _to("reviews", ReviewStore.put)

    @cached_property
    def reviews(self) -> ReviewStore:
        """Pending import reviews (on the archive's one `Store`, like `stores`)."""
        return ReviewStore(self.stores.unit)

    # -- what the search index reads ---------------------------------------------------------

    index_documents = _to("stores.documents", DocumentStore.index_documents)
    hit_texts = _to("stores.documents", DocumentStore.hit_texts)
    live_ids = _to("stores.documents", DocumentStore.live_ids)
