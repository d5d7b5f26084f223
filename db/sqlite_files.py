"""SQLite database files: which file a URL names, and building a new one out of sight.

A command that fails must not leave a new, empty database file behind. Deleting the file
afterwards is unsafe (another command may have opened it meanwhile), so a new database is built
under a private name and linked into place only once its data is committed.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import make_url

from db.session import get_engine

_SIDE_FILES = ("-wal", "-shm", "-journal")


def sqlite_file(url: str) -> Path | None:
    """The absolute path of the file a SQLite URL names; None for other URLs and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return None  # file: URIs may name memory databases; SQLite decides those itself
    if parsed.database in (None, "", ":memory:"):
        return None
    return Path(os.path.abspath(Path(parsed.database).expanduser()))


def staging_file(target: Path) -> Path:
    """A private name next to ``target`` (same file system, so it can be linked into place)."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.new")


def close_file(path: Path) -> None:
    """Close this process's connections to ``path`` (the last one folds the WAL into the file)."""
    engine = get_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def publish(staged: Path, target: Path) -> bool:
    """Give ``staged`` the name ``target`` unless that exists by now; False if it does."""
    close_file(staged)
    try:
        os.link(staged, target)  # atomic, and never replaces a file made meanwhile
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: rename, with a short window for a race
        if target.exists():
            return False
        os.rename(staged, target)
    return True


def remove(path: Path) -> None:
    """Remove a staging database and its side files (nobody else knows their names)."""
    get_engine(f"sqlite:///{path}").dispose()
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
