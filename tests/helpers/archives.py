"""Archives for tests: clippings made in a line (`add`), what a search finds (`ids`), the
small NEWSROOM archive of eight Sahel stories, and fresh PostgreSQL databases for the tests
that run on both backends (`fresh_postgres_database`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from whoosh import index as whoosh_index

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import DATABASE_FILENAME, ArchiveLocation, sqlite_url
from clipper.core.search.writer import INDEX_NAME

# The URL of a PostgreSQL server the tests may create databases on (`.ci/run` starts one and
# sets it); without it the PostgreSQL half of the `backends` tests is skipped.
POSTGRES_URL_ENV = "CLIPPER_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgres")


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server for one test (its URL), dropped afterwards."""
    server = make_url(server_url)
    if server.drivername == "postgresql":
        server = server.set(drivername="postgresql+psycopg")
    name = f"clipper_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def archive_args(location: ArchiveLocation) -> list[str]:
    """The `clipper` options that open this archive (its folder, and its server database)."""
    args = ["--archive", str(location.home)]
    if location.database_url != sqlite_url(location.home / DATABASE_FILENAME):
        args += ["--database", location.database_url]
    return args


def draft(title: str, body: str | None = None, **fields: object) -> ClippingDraft:
    """A draft with that title (and a body made from it)."""
    return ClippingDraft(title=title, body=body or f"Body of {title}.", **fields)  # type: ignore[arg-type]


def add(
    archive: Archive,
    title: str,
    body: str | None = None,
    tags: Iterable[tuple[str, str]] = (),
    **fields: object,
) -> int:
    """Store a clipping and return its id."""
    draft = ClippingDraft(title=title, body=body or f"{title}.", **fields)  # type: ignore[arg-type]
    return archive.add(draft, tags).id


def ids(archive: Archive, query: str, **kwargs: object) -> set[int]:
    """The ids a search finds (every page)."""
    results = archive.search(query, page_size=1000, **kwargs)  # type: ignore[arg-type]
    assert results.total == len(results.hits)
    return {hit.id for hit in results.hits}


NEWSROOM = [
    # (title, body, tags, fields)
    (
        "Niger junta receives a Russian delegation",
        "General Abdourahamane Tiani welcomed Yevkurov, the Russian deputy defence minister, "
        "in Niamey. The junta signed a defence cooperation agreement.",
        [("region", "Niger"), ("topic", "Security")],
        {"source": "Le Monde", "author": "Morgane Le Cam", "language": "en",
         "published": dt.date(2023, 12, 6)},
    ),
    (
        "Mali : l'armée reprend Kidal",
        "L'armée malienne est entrée à Kidal. Le colonel Assimi Goïta salue une victoire "
        "des forces armées et promet la sécurité du nord.",
        [("region", "Mali"), ("topic", "Security")],
        {"source": "RFI", "author": "Jean Dupont", "language": "fr",
         "published": dt.date(2023, 11, 14)},
    ),
    (
        "Burkina Faso : les élections reportées",
        "Le capitaine Ibrahim Traoré a annoncé que les élections présidentielles n'auront pas "
        "lieu en 2024. La transition est prolongée.",
        [("region", "Burkina Faso"), ("topic", "Elections")],
        {"source": "Jeune Afrique", "language": "fr", "published": dt.date(2024, 1, 10)},
    ),
    (
        "Senegal elections: opposition protests in Dakar",
        "Thousands protested in Dakar after the presidential election was postponed.",
        [("region", "Senegal"), ("topic", "Elections")],
        {"source": "Reuters", "language": "en", "published": dt.date(2024, 2, 5)},
    ),
    (
        "Uranium exports from Niger halted",
        "Orano said uranium exports were halted after the border with Benin closed.",
        [("region", "Niger"), ("topic", "Mining")],
        {"source": "Reuters", "language": "en", "published": dt.date(2023, 8, 1)},
    ),
    (
        "Gold rush in the north of Mali",
        "Artisanal gold sites multiply while the state tries to collect royalties.",
        [("region", "Mali"), ("topic", "Mining")],
        {"source": "AFP", "language": "en", "published": dt.date(2022, 5, 3)},
    ),
    (
        "La sécurité alimentaire au Tchad",
        "Les réfugiés soudanais arrivent par milliers; le Programme alimentaire mondial "
        "s'inquiète de la soudure.",
        [("region", "Tchad"), ("topic", "Food security")],
        {"source": "Le Monde", "language": "fr", "published": dt.date(2023, 12, 20)},
    ),
    (
        "Wagner mercenaries extend their reach",
        "The mercenaries of the Wagner group now guard mines across the Central African "
        "Republic.",
        [("region", "Central African Republic"), ("topic", "Security")],
        {"source": "AFP", "language": "en", "published": dt.date(2023, 3, 1)},
    ),
]  # fmt: skip


def segment_sizes(archive: Archive) -> list[int]:
    """How many clippings each committed segment of the search index holds, deleted ones
    included."""
    ix = whoosh_index.open_dir(str(archive.location.index_dir), indexname=INDEX_NAME)
    return [segment.doc_count_all() for segment in ix._segments()]


def fill_newsroom(archive: Archive) -> dict[int, int]:
    """Store the eight NEWSROOM clippings; returns {1..8: id}."""
    made = {}
    for number, (title, body, tags, fields) in enumerate(NEWSROOM, start=1):
        made[number] = add(archive, title, body, tags, **fields)
    return made


def reopen(archive: Archive) -> Archive:
    """A second Archive on the same folder and database, as the command line or the app
    would open it."""
    return Archive(archive.location)


def search_snapshot(
    archive: Archive, queries: Sequence[str]
) -> list[tuple[int, list[tuple[int, float, str]], object]]:
    """Everything the queries return, to compare an index before and after a rebuild."""
    found = []
    for query in queries:
        results = archive.search(query, page_size=50)
        found.append(
            (
                results.total,
                [(h.id, h.score, h.snippet) for h in results.hits],
                results.facets,
            )
        )
    return found


def add_story(
    archive: Archive,
    title: str,
    body: str | None = None,
    source: str = "Test Desk",
    published: dt.date | None = dt.date(2023, 12, 1),
    tags: tuple[tuple[str, str], ...] = (),
) -> int:
    """Store a clipping from the Test Desk with a body long enough to be one."""
    draft = ClippingDraft(
        title=title,
        body=body or f"{title}. A body long enough to be a clipping about {title.lower()}.",
        source=source,
        published=published,
    )
    return archive.add(draft, tags=tags).id
