"""What becomes of an entry that arrives: its draft (the page read through the import
pipeline, or the feed's own text when the page cannot be had), the archive's suggestions,
the duplicate check against the archive, and the `Arrival` the inbox remembers."""

from __future__ import annotations

import logging

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import IngestError, InputItem, read_item
from clipper.core.ingest.suggest import find_duplicate, suggest
from clipper.core.ingest.text import read_text
from clipper.core.monitor.feeds import FeedEntry
from clipper.core.store.inbox import Arrival

log = logging.getLogger(__name__)


def entry_draft(entry: FeedEntry, feed_name: str, feed_url: str) -> tuple[ClippingDraft, str]:
    """The draft of a feed entry and a note for the editor ("" when all went well).

    The entry's page is fetched and read as `clipper import URL` reads it; when it cannot be
    (gone, timed out, no article in it), the entry's own text stands in, and the note says
    so. IngestError when there is neither.
    """
    note = ""
    draft: ClippingDraft | None = None
    if entry.link:
        try:
            draft = read_item(InputItem(label=entry.link, url=entry.link))
        except IngestError as exc:
            note = f"the page could not be read ({exc}); the feed's own text stands in"
    if draft is None:
        draft = summary_draft(entry, note or "the entry has no page")
    else:
        if entry.title and (draft.title_guessed or not draft.title.strip()):
            draft.title, draft.title_guessed = entry.title, False
        draft.published = draft.published or entry.published
        draft.author = draft.author or entry.author
    draft.source = draft.source or feed_name
    draft.url = draft.url or entry.link
    draft.extra = {**draft.extra, "feed": feed_url}
    return draft, note


def summary_draft(entry: FeedEntry, why: str) -> ClippingDraft:
    """A draft from the entry's own text (its summary or content), or IngestError."""
    label = entry.link or entry.title or "an entry"
    if not entry.summary.strip():
        raise IngestError(f"{why}, and the feed gives no text for it")
    draft = read_text(entry.summary, label, origin="url")
    if entry.title:
        draft.title, draft.title_guessed = entry.title, False
    draft.url = entry.link
    draft.published = entry.published or draft.published
    draft.author = entry.author or draft.author
    draft.original = entry.summary.encode("utf-8")
    draft.original_media_type = "text/plain"
    suggest(draft)
    return draft


def arrival_of(archive: Archive, draft: ClippingDraft, key: str, note: str = "") -> Arrival:
    """The arrival of a read draft (its archive suggestions already added): it waits in the
    inbox, flagged when the archive has a near duplicate, or is `known` when the archive has
    the same text already."""
    duplicate = find_duplicate(archive, draft)
    state = "known" if duplicate is not None and duplicate[1] >= 1.0 else "new"
    return Arrival(
        entry_key=key,
        state=state,
        title=draft.title,
        url=draft.url,
        published=draft.published,
        draft=draft,
        note=note,
        duplicate_of=duplicate[0] if duplicate else None,
        similarity=duplicate[1] if duplicate else None,
    )
