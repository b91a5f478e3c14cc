"""Full-text search: a Whoosh index kept as a cache of the archive.

`SearchIndex` opens (or rebuilds) the index and catches up with the archive's change log;
`SearchIndex.search` takes the query language described in `query` and returns
`SearchResults` of `Hit`s with highlighted snippets, facet counts and a "did you mean".
What the index knows of the archive is in `ports`.
"""

from clipper.core.search.errors import (
    IndexBuildCancelled,
    IndexBuildError,
    IndexDamaged,
    IndexUnusable,
)
from clipper.core.search.index import SearchIndex
from clipper.core.search.query import QuerySyntaxError, facet_term
from clipper.core.search.results import Hit, SearchResults
from clipper.core.search.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "Hit",
    "IndexBuildCancelled",
    "IndexBuildError",
    "IndexDamaged",
    "IndexUnusable",
    "QuerySyntaxError",
    "SearchIndex",
    "SearchResults",
    "facet_term",
]
