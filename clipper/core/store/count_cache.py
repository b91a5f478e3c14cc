"""The tag trees' counts kept between sessions: `TagCountCache`, a file per kind in the
archive folder holding each tag's count and subtree count (`TagStore.tree`) with the state of
the archive and of its tree they were counted at.

At 200,000 clippings the counts read 900,000 tag links (0.5-1 s a kind) at every start of
the window, though the archive has mostly not changed since they were last counted. The
state is the last change of the archive's log, its clippings' count and highest id, its
schema revision, and the tree's digest (every tag, parent and grouping member): every change
of a clipping's tags, of its trash date or of the clippings there are is written to the log
with it (the search index is caught up from the same log), so an unchanged state means
unchanged counts. The state is read before the counts; a change committed in between leaves
counts newer than their state, which the next reader's newer state turns away.

Only for SQLite: its writers commit one at a time, so the last change of the log covers
every earlier one; on a PostgreSQL server a transaction may commit a lower change number
after a higher one (the index keeps gaps for that), and there the counts are read every time.

A cache, never the truth: a missing, damaged or foreign file, or a folder it cannot be
written to, only means counting again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from clipper.core.models import Change, Clipping

log = logging.getLogger(__name__)

FORMAT = 1


def archive_state(session: Session) -> list[object]:
    """The archive's part of what cached counts are valid for (see the module notes)."""
    last = session.scalar(select(func.max(Change.seq))) or 0
    count, highest = session.execute(select(func.count(), func.max(Clipping.id))).one()
    revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    return [FORMAT, last, count, highest or 0, revision]


class TagCountCache:
    """The tag counts of one archive folder, a file per kind."""

    def __init__(self, home: Path) -> None:
        self._home = home

    def _path(self, kind: str) -> Path:
        return self._home / f"tag-counts-{kind}.json"

    def get(self, kind: str, state: Sequence[object]) -> tuple[Counter[int], Counter[int]] | None:
        """(count, subtree count) by tag id as cached for this state, or None."""
        try:
            with open(self._path(kind), encoding="utf-8") as handle:
                stored = json.load(handle)
            if stored["state"] != list(state):
                return None
            count = Counter({int(tag_id): int(n) for tag_id, n in stored["count"]})
            total = Counter({int(tag_id): int(n) for tag_id, n in stored["total"]})
            return count, total
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.debug("the cached %s counts are unreadable (%s); counting again", kind, error)
            return None

    def put(
        self, kind: str, state: Sequence[object], count: Counter[int], total: Counter[int]
    ) -> None:
        """Keep the counts for this state; written whole to a new file that replaces the old."""
        path = self._path(kind)
        # Named for the process and the thread: two writers never share a scratch file.
        scratch = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        stored = {"state": list(state), "count": list(count.items()), "total": list(total.items())}
        try:
            with open(scratch, "w", encoding="utf-8") as handle:
                json.dump(stored, handle, separators=(",", ":"))
            os.replace(scratch, path)
        except OSError as error:
            log.debug("the %s counts could not be cached (%s)", kind, error)
            with contextlib.suppress(OSError):
                scratch.unlink(missing_ok=True)
