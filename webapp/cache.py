"""Results cache for page callbacks: aggregates keyed by what they depend on, shared by workers.

Trend aggregates over the real file take seconds; a page's callback should not. Callbacks wrap
their computation in ``cached(name, params, compute, version=...)``: the first request pays, the
next ones (in any gunicorn worker on this machine) read the pickled result from disk.

- Anything computed from transactions uses ``version=data_version(session=s)``, which changes
  whenever an import batch is added or finishes.
- Anything computed from a stored run can use the run id alone (runs are immutable).

Every key also holds a fingerprint of the code, so results (figures included) cached by an
older release are not served by a newer one, and the currency setting (SEGMENTS_CURRENCY), so
figures and cards rendered with one unit are not served to an app set to another (or to none).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import diskcache
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ImportBatch
from webapp.cache_dirs import job_cache_dir
from webapp.runtime import current_settings

T = TypeVar("T")
SIZE_LIMIT = 512 * 1024 * 1024
DEFAULT_EXPIRE_SECONDS = 24 * 3600
_MISSING = object()
_caches: dict[tuple[str, int], diskcache.Cache] = {}


def results_cache() -> diskcache.Cache:
    """This process's handle on the cache of the configured database (new handle after a fork)."""
    settings = current_settings()
    key = (settings.database_url, os.getpid())
    if key not in _caches:
        _caches[key] = diskcache.Cache(str(job_cache_dir(settings) / "results"), size_limit=SIZE_LIMIT)
    return _caches[key]


def data_version(*, session: Session) -> str:
    """Changes whenever the loaded data changes (a batch is added, finishes or is removed)."""
    count, last_id, last_finished = session.execute(
        select(func.count(), func.max(ImportBatch.id), func.max(ImportBatch.finished_at))
    ).one()
    return f"{count}:{last_id}:{last_finished}"


def code_fingerprint(roots: Iterable[Path]) -> str:
    """Changes when a module under ``roots`` is added, removed or rewritten (names, sizes and
    modification times: a stat per file, no reading)."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


_PACKAGES = Path(__file__).resolve().parent.parent


@functools.cache
def code_version() -> str:
    """This process's code: computed once, on first use (importing the module stats nothing)."""
    return code_fingerprint(_PACKAGES / name for name in ("analytics", "db", "webapp"))


def cache_key(name: str, params: Any, version: str, currency: str | None = None) -> str:
    return json.dumps([name, code_version(), version, params, currency], sort_keys=True, default=str)


def cached(
    name: str,
    params: Any,
    compute: Callable[[], T],
    *,
    version: str,
    expire: int | None = DEFAULT_EXPIRE_SECONDS,
) -> T:
    """``compute()``, or its stored result for the same name, parameters and data version."""
    cache = results_cache()
    # Rendered views carry the unit of money: the app's currency is part of every key.
    key = cache_key(name, params, version, current_settings().currency)
    hit = cache.get(key, default=_MISSING)
    if hit is not _MISSING:
        return hit
    value = compute()
    cache.set(key, value, expire=expire)
    return value
