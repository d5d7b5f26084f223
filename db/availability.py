"""Is the database there: tell a passing outage from a bug, and a cheap readiness ping.

A server that is stopped, restarting or unreachable, or a SQLite file locked by an import, is
worth a "try again" answer; a bad query or a missing table is a bug and must stay one. SQLite
reports both kinds as OperationalError, so its error name decides there.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Literal

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

Cause = Literal["busy", "unavailable"]
PING_TIMEOUT_SECONDS = 3  # libpq counts whole seconds (and takes at least 2)
# SQLite errors that say nothing about the SQL: another writer holds the file, or the file
# cannot be opened, read or written right now.
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_PG_LOCK_NOT_AVAILABLE = "55P03"
_SQLITE_UNAVAILABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_PROTOCOL")


def outage_cause(exc: BaseException) -> Cause | None:
    """Why the database cannot answer: "busy" (a locked SQLite file), "unavailable" (no
    connection, a server going down or refusing more work), or None when ``exc`` is no outage
    and should surface as an error."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return None
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "")
        if name.startswith(_SQLITE_BUSY):
            return "busy"
        return "unavailable" if name.startswith(_SQLITE_UNAVAILABLE) else None
    if getattr(orig, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE:  # lock_timeout: a writer holds it
        return "busy"
    # psycopg: OperationalError and InterfaceError are all about the connection or the server's
    # state (refused, shut down, too many clients, statement timeouts), never the SQL.
    return "unavailable"


def describe(exc: BaseException) -> str:
    """The driver's message on one line, for a log."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return " ".join(line.strip() for line in lines) if lines else type(orig).__name__


def short_reason(exc: SQLAlchemyError) -> str:
    """Why a statement failed, in one short line for a person: never the statement's SQL."""
    cause = outage_cause(exc)
    if cause == "busy":
        return "database is busy (an import is running); try again"
    return f"database {'unavailable' if cause else 'error'}: {describe(exc)}"


@functools.lru_cache(maxsize=8)
def _ping_engine(url: str) -> Engine:
    # Its own engine without a pool: each ping opens a new connection with a short timeout, as
    # a worker would have to, instead of trusting a pooled one that may hang on a dead network.
    if url.startswith("sqlite"):
        return create_engine(url, poolclass=NullPool, connect_args={"timeout": PING_TIMEOUT_SECONDS})
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": PING_TIMEOUT_SECONDS})


def ping(url: str) -> str | None:
    """None when ``SELECT 1`` succeeds on a new connection to ``url``; else why not (one line)."""
    try:
        with _ping_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return describe(exc)
    return None
