"""Keep the first views warm: compute the default Overview and the latest run's view ahead.

On the real file the Overview's aggregates take 0.5-1.5 s each when nobody has asked for them
yet; read from the results cache they take milliseconds. A daemon thread per serving process
(started by the first request, so importing and forking stay free of database work) checks
every POLL_SECONDS whether the data or the latest run changed, and if so fills the cache for
the views people open first. Workers share the cache, and a disk lock keeps them from doing
the same work twice. Only serving enables it (``create_app(warm_cache=True)``), never tests.
"""

from __future__ import annotations

import logging
import os
import threading

import diskcache
from flask import Flask
from sqlalchemy.orm import Session

from analytics.run_history import latest_run
from db.availability import describe, outage_cause
from webapp.cache import data_version, results_cache
from webapp.overview_data import warm_overview
from webapp.runtime import app_engine
from webapp.segments_view import render_run

POLL_SECONDS = 10.0
LOCK_EXPIRE_SECONDS = 600
log = logging.getLogger(__name__)
_started: set[int] = set()  # pids: a forked worker starts its own thread
_guard = threading.Lock()


def signature() -> tuple[str, int | None]:
    """What the warm views depend on: the loaded data and the latest run (the pages' default)."""
    with Session(app_engine()) as s:
        return data_version(session=s), latest_run(session=s)


def warm_views() -> tuple[str, int | None]:
    """Fill the cache for the default Overview and the latest run; returns what was warmed."""
    seen = signature()
    with diskcache.Lock(results_cache(), "segments:warm-lock", expire=LOCK_EXPIRE_SECONDS):
        warm_overview()
        if seen[1] is not None:
            render_run(seen[1])
    return seen


def _loop(stop: threading.Event) -> None:
    warmed = None
    while not stop.is_set():
        try:
            if signature() != warmed:
                warmed = warm_views()
        except Exception as exc:  # a database being migrated or restarted: try again next round
            cause = outage_cause(exc)
            if cause is None:
                log.exception("warming the dashboard cache failed")
            else:  # one line every round while it lasts, not a traceback
                log.warning("warming the dashboard cache skipped: database %s: %s", cause, describe(exc))
        stop.wait(POLL_SECONDS)


def start_warmer(stop: threading.Event | None = None) -> threading.Thread | None:
    """Start this process's warm-up thread (once per process); None when already running."""
    with _guard:
        if os.getpid() in _started:
            return None
        _started.add(os.getpid())
    thread = threading.Thread(
        target=_loop, args=(stop or threading.Event(),), name="segments-warmup", daemon=True
    )
    thread.start()
    return thread


def install_warmer(server: Flask) -> None:
    """Start the warm-up thread on the first request this process serves."""

    @server.before_request
    def _start_warmer() -> None:
        if os.getpid() not in _started:
            start_warmer()
