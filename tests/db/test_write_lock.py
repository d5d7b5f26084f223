"""SQLite has one writer: while an import writes, other writers wait for it and readers go on."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.availability import outage_cause
from db.models import ImportBatch
from db.queries_batches import list_batches
from db.session import create_db_engine, for_one_snapshot, for_writing
from tests.held_import import HeldImport, late_customer_csv


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = create_db_engine(sqlite_url)
    yield engine
    engine.dispose()


def _read_then_write(session: Session) -> None:
    """A unit of work that reads before it writes, as adding a user or storing a run does."""
    newest = session.scalar(select(func.max(ImportBatch.id))) or 0
    started = datetime(2026, 1, 1)
    session.add(
        ImportBatch(id=newest + 100, source_name="w", sha256="1" * 64, size_bytes=0, started_at=started)
    )
    session.flush()


def test_a_writer_waits_for_the_import_instead_of_failing(sqlite_engine, tmp_path):
    with HeldImport(sqlite_engine, late_customer_csv(tmp_path)) as held:
        held.finish_after(1.0)
        started = time.monotonic()
        with Session(for_writing(sqlite_engine)) as session, session.begin():
            _read_then_write(session)
        waited = time.monotonic() - started
    assert waited >= 0.9  # it waited for the import's commit, then wrote after it
    with Session(sqlite_engine) as session:
        assert session.scalars(select(ImportBatch.source_name).order_by(ImportBatch.id)).all() == [
            "late-customer.csv",
            "w",
        ]


def test_a_deferred_read_then_write_would_fail_at_once(sqlite_engine, tmp_path):
    """Why writers need ``for_writing``: SQLite does not wait to turn a read into a write."""
    with HeldImport(sqlite_engine, late_customer_csv(tmp_path)):
        started = time.monotonic()
        with pytest.raises(OperationalError) as info, Session(sqlite_engine) as session, session.begin():
            _read_then_write(session)
        assert time.monotonic() - started < 5  # far below the 30 s busy timeout
    assert outage_cause(info.value) == "busy"


def test_dashboard_reads_go_on_while_an_import_holds_the_lock(sqlite_engine, tmp_path):
    with HeldImport(sqlite_engine, late_customer_csv(tmp_path)):
        started = time.monotonic()
        for engine in (sqlite_engine, for_one_snapshot(sqlite_engine)):
            with Session(engine) as session, session.begin():
                assert list_batches(session=session) == []  # the import is not committed yet
        assert time.monotonic() - started < 5
    with Session(sqlite_engine) as session:
        assert [b["source_name"] for b in list_batches(session=session)] == ["late-customer.csv"]


def test_a_writer_gives_up_after_the_busy_timeout(sqlite_engine, tmp_path, monkeypatch):
    monkeypatch.setattr("db.session.SQLITE_BUSY_TIMEOUT_MS", 200)
    sqlite_engine.dispose()  # new connections take the shorter timeout
    with HeldImport(sqlite_engine, late_customer_csv(tmp_path)):
        started = time.monotonic()
        with pytest.raises(OperationalError) as info, Session(for_writing(sqlite_engine)) as s, s.begin():
            _read_then_write(s)
        assert 0.15 <= time.monotonic() - started < 5
    assert outage_cause(info.value) == "busy"


def test_for_one_snapshot_on_postgres_is_repeatable_read_and_read_only(postgres_url):
    engine = create_db_engine(postgres_url)
    try:
        with Session(for_one_snapshot(engine)) as session, session.begin():
            assert session.scalar(select(func.current_setting("transaction_isolation"))) == "repeatable read"
            assert session.scalar(select(func.current_setting("transaction_read_only"))) == "on"
        with Session(engine) as session, session.begin():  # the pooled connection is reset
            assert session.scalar(select(func.current_setting("transaction_isolation"))) == "read committed"
            assert session.scalar(select(func.current_setting("transaction_read_only"))) == "off"
    finally:
        engine.dispose()
