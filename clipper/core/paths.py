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

from clipper.core.errors import ArchiveUnavailable

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

    def ensure_home(self) -> None:
        """Create the archive folder if need be; ArchiveUnavailable naming it when it cannot
        be one (a file, a FIFO, no permission, a parent that is a file)."""
        if self.home.is_dir():
            return
        if self.home.exists():
            raise ArchiveUnavailable(f"the archive folder {self.home} is not a folder")
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveUnavailable(
                f"cannot create the archive folder {self.home}: {exc.strerror or exc}"
            ) from None


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def resolve_location(
    home: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    environ: dict[str, str] | None = None,
) -> ArchiveLocation:
    """Resolve the archive folder and database URL: explicit argument, environment, default.

    An explicit empty folder or URL is refused (ArchiveUnavailable), not taken to mean the
    default: `--archive "$UNSET_VARIABLE"` must not open someone's real archive."""
    env = os.environ if environ is None else environ
    if home is not None and not str(home).strip():
        raise ArchiveUnavailable("the archive folder is empty: give a folder (--archive DIR)")
    if database_url is not None and not database_url.strip():
        raise ArchiveUnavailable("the database URL is empty: give one (--database URL)")
    folder = Path(home) if home else Path(env[HOME_ENV]) if env.get(HOME_ENV) else default_home()
    try:
        folder = folder.expanduser().resolve()
    except (OSError, RuntimeError) as exc:
        raise ArchiveUnavailable(f"the archive folder {folder} cannot be used: {exc}") from None
    url = database_url or env.get(DATABASE_ENV) or sqlite_url(folder / DATABASE_FILENAME)
    return ArchiveLocation(home=folder, database_url=url)


def is_folder(path: str | Path) -> bool:
    """Whether `path` names a folder; False for what cannot name one on this system (a name
    too long for it, a NUL byte): whoever reads it then says what is wrong with it."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def is_file(path: str | Path) -> bool:
    """Whether `path` names a file (see `is_folder`)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False
