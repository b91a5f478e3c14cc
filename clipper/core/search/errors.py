"""What can go wrong with the search index, as exceptions the archive and the window tell
apart: an index to rebuild, a build that was cancelled or failed. (A malformed query is
`query.QuerySyntaxError`.)"""

from __future__ import annotations


class IndexUnusable(Exception):
    """The index on disk cannot be used as it is: missing, damaged or outdated."""


class IndexDamaged(Exception):
    """Reading the index's files failed in a way only damage explains (the caller rebuilds)."""


class IndexBuildCancelled(Exception):
    """A rebuild stopped because the archive is being closed; nothing was swapped in."""


class IndexBuildError(RuntimeError):
    """A worker process failed; the message has its error output."""


__all__ = [
    "IndexBuildCancelled",
    "IndexBuildError",
    "IndexDamaged",
    "IndexUnusable",
]
