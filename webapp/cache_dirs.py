"""Where background jobs and cached results live: a private directory per user and database."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from db.settings import Settings, SettingsError


def private_dir(path: Path) -> Path:
    """``path`` as a directory only this user can use, created so if missing; refused if not.

    It holds pickles the app loads and customer data: one planted or readable by another local
    user (a shared temp directory) would run their code or leak the data. An existing directory
    is never re-permissioned: it may be shared on purpose (``/tmp``).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise SettingsError(f"cache directory {path} belongs to another user; set SEGMENTS_CACHE_DIR")
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise SettingsError(
            f"cache directory {path} is open to other users; set SEGMENTS_CACHE_DIR to a private one "
            "(or chmod 700 it)"
        )
    return path


def job_cache_dir(settings: Settings) -> Path:
    # Shared by all workers serving one database (a progress poll may reach another worker).
    digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    base = Path(settings.cache_dir) if settings.cache_dir else default_base()
    return private_dir(base) / f"jobs-{digest}"


def default_base() -> Path:
    user = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"segments-{user}"
