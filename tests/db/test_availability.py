"""Outage or bug: errors from real databases, sorted; the readiness ping against up and down ones."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from db.availability import outage_cause, ping
from db.session import create_db_engine

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/x"


def _error_of(engine, sql: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as info, engine.connect() as conn:
        conn.execute(text(sql))
    return info.value


def test_a_server_that_refuses_connections_is_an_outage():
    engine = create_engine(CLOSED_PORT_URL)
    try:
        assert outage_cause(_error_of(engine, "SELECT 1")) == "unavailable"
    finally:
        engine.dispose()


def test_a_locked_sqlite_file_is_busy(tmp_path):
    path = tmp_path / "locked.db"
    importer = sqlite3.connect(path, isolation_level=None)
    importer.execute("CREATE TABLE t (x INTEGER)")
    importer.execute("BEGIN IMMEDIATE")  # as an import's transaction does
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        assert outage_cause(_error_of(engine, "INSERT INTO t VALUES (1)")) == "busy"
    finally:
        importer.execute("ROLLBACK")
        importer.close()
        engine.dispose()


def test_a_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    try:
        assert outage_cause(_error_of(engine, "SELECT 1")) == "unavailable"
    finally:
        engine.dispose()


@pytest.mark.parametrize("sql", ["SELECT * FROM no_such_table", "SELEC 1"])
def test_bad_sql_is_no_outage(db_url, sql):
    # SQLite reports both as OperationalError: they must still surface as bugs.
    engine = create_db_engine(db_url)
    try:
        assert outage_cause(_error_of(engine, sql)) is None
    finally:
        engine.dispose()


def test_ping(db_url):
    assert ping(db_url) is None
    failure = ping(CLOSED_PORT_URL)
    assert failure is not None and "Connection refused" in failure and "\n" not in failure


def test_a_postgres_lock_timeout_is_busy(postgres_url):
    """A writer (an import) holds the table: a statement that gives up waiting is "busy"."""
    engine = create_db_engine(postgres_url)
    try:
        with engine.connect() as holder, holder.begin():
            holder.execute(text("LOCK TABLE transactions IN EXCLUSIVE MODE"))
            with engine.connect() as waiter, waiter.begin():
                waiter.execute(text("SET LOCAL lock_timeout = '100ms'"))
                with pytest.raises(DBAPIError) as info:
                    waiter.execute(text("LOCK TABLE transactions IN SHARE ROW EXCLUSIVE MODE"))
        assert outage_cause(info.value) == "busy"
    finally:
        engine.dispose()
