"""A whole server's data to one file and back (`cjm backup FILE` / `restore`).

SQLite: the online backup API of SQLite itself copies a consistent snapshot while phones keep
posting (a plain `cp` of a database in WAL mode can lose committed writes), and restores the
same way. PostgreSQL: `pg_dump --format=custom`, one consistent snapshot too, and `pg_restore
--clean`. Per-workshop JSON files (`cjm export-json`) stay the way to move one workshop.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


@dataclass(frozen=True)
class Made:
    path: Path
    size: int


def backup(url: URL, target: Path) -> Made:
    """Write the database at `url` to `target` (replaced if it exists)."""
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), partial)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], url)
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    partial.replace(target)  # a half-written backup never carries the real name
    return Made(target, target.stat().st_size)


def restore(url: URL, source: Path) -> None:
    """Replace everything in the database at `url` by the backup `source`."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if url.get_backend_name() == "sqlite":
        _check_sqlite_file(source)
        _sqlite_copy(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"],
            url,
            source,
        )
    else:
        raise BackupError(f"cannot restore into a {url.get_backend_name()} database")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's backup API: a consistent copy, also while others write to the source."""
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    writing = sqlite3.connect(target, timeout=30)
    try:
        reading.backup(writing)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy {source}: {error}") from error
    finally:
        writing.close()
        reading.close()


def _check_sqlite_file(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            ok = connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite backup: {error}") from error
    if not ok or "alembic_version" not in tables:
        raise BackupError(f"{path} is not a backup of CJM Workshop")


def _run(command: list[str], url: URL, source: Path | None = None) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt install postgresql-client)")
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    target = url.set(drivername="postgresql", password=None).render_as_string()
    arguments = [program, *command[1:], f"--dbname={target}"]
    if source is not None:
        arguments.append(str(source))
    finished = subprocess.run(  # noqa: S603 - pg_dump or pg_restore, with our own arguments
        arguments, env=env, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise BackupError(finished.stderr.strip() or f"{command[0]} failed")
