"""Engines, one per URL per process, created lazily (gunicorn forks: each worker makes its own)."""

from __future__ import annotations

import os
import threading
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import sessionmaker

_BEGIN_IMMEDIATE = "segments_begin_immediate"
# How long a SQLite writer waits for another one (an import) to commit before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 30_000

Bind = TypeVar("Bind", Engine, Connection)


def for_writing(bind: Bind) -> Bind:
    """``bind``, whose transactions take SQLite's write lock when they begin (a no-op elsewhere).

    For every unit of work that writes: a deferred transaction that read before it writes gets
    "database is locked" at once while an import holds the lock (SQLite never waits to upgrade
    a read to a write); BEGIN IMMEDIATE waits for it (busy timeout) instead. Read-only work must
    not use it: a deferred reader reads its snapshot while an import writes, without waiting.
    """
    return bind.execution_options(**{_BEGIN_IMMEDIATE: True})


def for_one_snapshot(engine: Engine) -> Engine:
    """``engine``, whose transactions only read, all from one snapshot of the data.

    Postgres: REPEATABLE READ, READ ONLY (each statement would otherwise see the commits made
    since the previous one). SQLite already reads one snapshot per transaction (WAL), unlocked.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI types
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so SAVEPOINT and
        # "one transaction per file" behave as on Postgres.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")  # PRAGMA binds no parameters
        if engine.url.database not in (None, "", ":memory:"):
            # Readers (the dashboard) keep working while an import writes.
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        immediate = conn.get_execution_options().get(_BEGIN_IMMEDIATE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str) -> Engine:
    """A new engine for ``url`` with the per-dialect settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


_engines: dict[tuple[str, int], Engine] = {}
_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """The process-wide engine for ``url`` (a forked child gets a fresh one)."""
    key = (url, os.getpid())
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = create_db_engine(url)
        return engine


def dispose_engines() -> None:
    """Close every cached engine's connections (tests drop their databases afterwards)."""
    with _lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


def get_sessionmaker(url: str) -> sessionmaker:
    return sessionmaker(get_engine(url), expire_on_commit=False)
