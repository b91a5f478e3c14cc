"""The search index's state file: which archive changes the index has applied, with which
schema, and the change numbers it is still waiting for. Written atomically after each commit.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clipper.core.views import ChangeRecord

log = logging.getLogger(__name__)

STATE_FILENAME = "clipper-index.json"

# How long a missing change number is looked for again (see IndexState), and how far below
# the newest change a rebuild looks for missing ones.
GAP_PATIENCE = 600.0
GAP_LOOKBACK = 1000


@dataclass(frozen=True)
class IndexState:
    """What the index has applied: every change up to `seq`, except the `gaps`.

    A gap is a change number below `seq` that was not in the log when the index caught up,
    with the time it was first missed. SQLite commits change numbers in order and leaves
    none; on a server database a transaction can commit after a later-numbered one, so a
    catch-up looks for its gaps again until they appear or GAP_PATIENCE has passed (a
    rolled-back transaction leaves a number that never comes).
    """

    schema: int
    seq: int
    build: str
    gaps: tuple[tuple[int, float], ...] = ()

    @property
    def gap_seqs(self) -> list[int]:
        return [seq for seq, _since in self.gaps]


def remaining_gaps(
    state: IndexState,
    late: Sequence[ChangeRecord],
    changes: Sequence[ChangeRecord],
    now: float,
) -> tuple[tuple[int, float], ...]:
    """The gaps still open after a catch-up that found `late` (committed since) and
    `changes` (above the old high-water mark)."""
    found = {c.seq for c in late}
    kept = [(seq, since) for seq, since in state.gaps if seq not in found]
    kept = [(seq, since) for seq, since in kept if now - since < GAP_PATIENCE]
    if changes:
        present = {c.seq for c in changes}
        kept += [(seq, now) for seq in range(state.seq + 1, changes[-1].seq) if seq not in present]
    return tuple(kept)


def read_state(index_dir: Path) -> IndexState | None:
    try:
        data = json.loads((index_dir / STATE_FILENAME).read_text(encoding="utf-8"))
        gaps = tuple((int(seq), float(since)) for seq, since in data.get("gaps", ()))
        return IndexState(int(data["schema"]), int(data["seq"]), str(data["build"]), gaps)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Damage (NotADirectoryError: the index's place is a file), not a missing index.
        log.warning("unreadable index state in %s: %s", index_dir, exc)
        return None


def write_state(index_dir: Path, state: IndexState) -> None:
    """Replace the state file atomically (write aside, flush to disk, rename over)."""
    target = index_dir / STATE_FILENAME
    temporary = index_dir / f".{STATE_FILENAME}.{os.getpid()}.{threading.get_ident()}"
    payload = {
        "schema": state.schema,
        "seq": state.seq,
        "build": state.build,
        "gaps": [list(gap) for gap in state.gaps],
    }
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
