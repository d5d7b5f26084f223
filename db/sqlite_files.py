"""SQLite database files: which file a URL names, and building a new one out of sight.

A command that fails must not leave a new, empty database file behind. Deleting the file
afterwards is unsafe (another command may have opened it meanwhile), so a new database is built
under a private name and linked into place only once its data is committed.

A builder that is killed cannot tidy up, so it holds an exclusive lock on a sidecar file for
as long as it works: staging files whose lock anyone can take belong to nobody and are removed
by the next command that opens the database (``remove_stale``).
"""

from __future__ import annotations

import fcntl
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


def _lock_file(staged: Path) -> Path:
    return Path(f"{staged}.lock")


def _take_lock(path: Path, *, wait: bool) -> int | None:
    """A descriptor holding an exclusive lock on ``path`` (created if need be); None if taken.

    None too if ``path`` was removed while this waited for it: its holder is then someone who
    has just tidied it away, and a lock on the removed file would guard nothing.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino == os.stat(path).st_ino:
            return fd
    except (BlockingIOError, FileNotFoundError):
        pass
    os.close(fd)
    return None


@contextmanager
def building(target: Path) -> Iterator[Path]:
    """A staging name for a new database at ``target``, locked as alive while the block runs.

    The staging database and its sidecars are removed on the way out, whatever happens.
    """
    while True:  # a sweeper may remove a lock file between its creation and its locking
        staged = staging_file(target)
        fd = _take_lock(_lock_file(staged), wait=True)
        if fd is not None:
            break
    try:
        yield staged
    finally:
        remove(staged)
        _lock_file(staged).unlink(missing_ok=True)
        os.close(fd)


def remove_stale(target: Path) -> list[Path]:
    """Remove the staging databases next to ``target`` whose builders are gone; their names.

    A live builder holds its lock, so its files are left alone. Nothing is raised: a folder
    this process cannot write to is simply not tidied.
    """
    ours = re.compile(rf"^(\.{re.escape(target.name)}\.[0-9a-f]{{12}}\.new)(?:-wal|-shm|-journal|\.lock)?$")
    try:
        with os.scandir(target.parent) as entries:
            names = {m.group(1) for entry in entries if (m := ours.match(entry.name))}
    except OSError:
        return []
    removed = []
    for name in sorted(names):
        staged = target.with_name(name)
        try:
            fd = _take_lock(_lock_file(staged), wait=False)
        except OSError:
            continue
        if fd is None:
            continue  # its builder is alive (or another command is tidying it right now)
        try:
            for suffix in ("", *_SIDE_FILES):
                Path(f"{staged}{suffix}").unlink(missing_ok=True)
            _lock_file(staged).unlink(missing_ok=True)  # last: it is what keeps others out
            removed.append(staged)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


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
