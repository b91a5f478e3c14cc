"""Where an archive lives on disk: the one module that decides every path.

The archive folder comes from `--archive DIR`, else `CLIPPER_HOME`, else the user data folder.
The database may live elsewhere (`--database URL` / `CLIPPER_DATABASE_URL`); the search index
and lock files always live in the archive folder, because each desk keeps its own index.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Clipper"
HOME_ENV = "CLIPPER_HOME"
DATABASE_ENV = "CLIPPER_DATABASE_URL"
DATABASE_FILENAME = "archive.sqlite3"

# The repository root, for resources/ and migrations/ (the project installs in editable mode).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES_DIR = PROJECT_ROOT / "resources"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


@dataclass(frozen=True)
class ArchiveLocation:
    """The folder of an archive and the SQLAlchemy URL of its database."""

    home: Path
    database_url: str

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def lock_path(self) -> Path:
        return self.home / "clipper.lock"


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def resolve_location(
    home: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    environ: dict[str, str] | None = None,
) -> ArchiveLocation:
    """Resolve the archive folder and database URL: explicit argument, environment, default."""
    env = os.environ if environ is None else environ
    folder = Path(home) if home else Path(env[HOME_ENV]) if env.get(HOME_ENV) else default_home()
    folder = folder.expanduser().resolve()
    url = database_url or env.get(DATABASE_ENV) or sqlite_url(folder / DATABASE_FILENAME)
    return ArchiveLocation(home=folder, database_url=url)
