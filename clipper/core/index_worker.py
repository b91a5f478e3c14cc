"""One indexing worker process: `python -m clipper.core.index_worker`, started by
`search.parallel.build_segments` for its share of a big batch.

It opens the archive's database for reading only (no migration, no gazetteer sync: the
process that started it has the archive open already), reads the clippings it was given
through a `DocumentStore`, writes them into new segments of the index folder, and pickles
the segment descriptions to a file for its parent to commit. Like calibre's FTS workers, it
gets what it needs, not the whole library.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from clipper.core.paths import ArchiveLocation
from clipper.core.search.segments import SegmentBuilder, add_documents
from clipper.core.store import DocumentStore, Store


def run_worker(
    index_dir: Path, indexname: str, location: ArchiveLocation, ids: Sequence[int]
) -> list[Any]:
    """Index these clippings into new segments (not committed); returns the segments."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=indexname)
    store = Store.open_readonly(location)
    builder = SegmentBuilder(ix.storage, indexname, ix.schema)
    try:
        add_documents(builder, DocumentStore(store), ids)
        return builder.finish()
    except BaseException:
        builder.discard()
        raise
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="index clippings into new segments (internal)")
    parser.add_argument("--index", required=True)
    parser.add_argument("--indexname", required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--ids", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    ids = json.loads(Path(args.ids).read_text(encoding="utf-8"))
    location = ArchiveLocation(Path(args.home), args.database)
    segments = run_worker(Path(args.index), args.indexname, location, ids)
    with open(args.out, "wb") as handle:
        pickle.dump(segments, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
