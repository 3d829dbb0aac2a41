"""Backing up a live instance into a directory, and restoring one from it.

A backup directory holds:
- `kbbot.sqlite3`: SQLite's online backup of the database (a consistent copy taken while the app
  serves; WAL mode lets writers go on meanwhile), or `kbbot.pgdump`: `pg_dump --format=custom` of a
  PostgreSQL database;
- `index/`: the dense index as last saved (checked against its manifest when copied and restored;
  the engine brings it up to date with the database on start, so an index a little older than the
  database costs only the changed entries' embeddings);
- `secret_key`: the instance's generated secret key, if it has one (visitor ids and staff sessions
  are signed with it); keep the directory as private as the database;
- `backup.json`: when, of what, with each file's SHA-256.

Restoring replaces the configured database and index with the backup's; stop the app first.
"""

import hashlib
import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import KbbotError
from .files import write_atomically
from .search.index import copy_index

MANIFEST = "backup.json"
SQLITE_FILE = "kbbot.sqlite3"
PG_DUMP_FILE = "kbbot.pgdump"
INDEX = "index"
SECRET = "secret_key"


class BackupError(KbbotError):
    """A backup that cannot be made or restored; says why."""


def _sqlite_path(url):
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq_url(url):
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command):
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except FileNotFoundError as e:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)") from e
    except subprocess.CalledProcessError as e:
        raise BackupError(f"{command[0]} failed: {e.stderr.strip()}") from e


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(database_url, index_dir: Path, instance_path: Path, directory: Path):
    """Back up the instance into `directory` (created; must be empty); returns the manifest written."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    directory.mkdir(parents=True, exist_ok=True)
    kind = make_url(database_url).get_backend_name()
    try:
        if kind == "sqlite":
            source = sqlite3.connect(_sqlite_path(database_url))
            target = sqlite3.connect(directory / SQLITE_FILE)
            try:
                source.backup(target)  # one step: a consistent snapshot
            finally:
                target.close()
                source.close()
        elif kind == "postgresql":
            _run(
                ["pg_dump", "--format=custom", f"--file={directory / PG_DUMP_FILE}", _libpq_url(database_url)]
            )
        else:
            raise BackupError(f"cannot back up a {kind} database; use its own tools")
        copy_index(Path(index_dir), directory / INDEX)
        secret = Path(instance_path) / SECRET
        if secret.is_file():
            shutil.copy2(secret, directory / SECRET)
        files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
        manifest = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": kind,
            "files": {p.relative_to(directory).as_posix(): _sha256(p) for p in files},
        }
        write_atomically(directory / MANIFEST, json.dumps(manifest, indent=2).encode())
    except (OSError, sqlite3.Error) as e:
        raise BackupError(f"cannot back up into {directory}: {e}") from e
    return manifest


def read_manifest(directory: Path):
    """The backup's manifest, its files checked against their SHA-256; `BackupError` says what is wrong."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BackupError(f"{directory} holds no kbbot backup ({MANIFEST}: {e})") from e
    for name, digest in files.items():
        path = directory / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{path} is missing or not as backed up")
    return manifest


def restore(directory: Path, database_url, index_dir: Path, instance_path: Path):
    """Replace the instance's database, index and secret key with the backup's in `directory`."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    kind = make_url(database_url).get_backend_name()
    if manifest["database"] != kind:
        raise BackupError(f"the backup is of a {manifest['database']} database; this instance uses {kind}")
    try:
        if kind == "sqlite":
            source = sqlite3.connect(directory / SQLITE_FILE)
            target = sqlite3.connect(_sqlite_path(database_url), timeout=30)
            try:
                source.backup(target)  # page by page into the live file, its WAL included
            finally:
                target.close()
                source.close()
        else:
            _run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 f"--dbname={_libpq_url(database_url)}", str(directory / PG_DUMP_FILE)]
            )  # fmt: skip
        if (directory / INDEX).is_dir():
            copy_index(directory / INDEX, Path(index_dir))
        if (directory / SECRET).is_file():
            Path(instance_path).mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / SECRET, Path(instance_path) / SECRET)  # its mode too: the owner's only
    except (OSError, sqlite3.Error) as e:
        raise BackupError(f"cannot restore from {directory}: {e}") from e
    return manifest
