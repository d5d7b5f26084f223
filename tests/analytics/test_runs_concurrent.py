"""Runs while an import writes: they wait for it (SQLite), read one snapshot, fail in one line."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from analytics.run_history import get_run
from analytics.runs import RunFailed, execute_run
from db.availability import outage_cause
from db.models import Run
from db.session import create_db_engine
from tests.analytics.run_fixtures import AS_OF, load_store
from tests.held_import import HeldImport, late_customer_csv

BUSY = "database is busy (an import is running); try again"
OPTIONS = {"preset": "reference", "k": 3, "as_of": AS_OF, "stability_resamples": 1}
FIXTURE_LINES = 20 * 3 + 4 * 6 + 6 + 2  # tests/analytics/run_fixtures.py


def _load(engine) -> None:
    load_store(engine)  # batch 1, its id given: move Postgres's sequence past it for the import
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('import_batches', 'id'), 1)"))


def _run(engine, run_id):
    with Session(engine) as session:
        return get_run(session=session, run_id=run_id)


def test_a_run_started_during_an_import_waits_for_it_and_is_stored(engine, tmp_path):
    _load(engine)
    with HeldImport(engine, late_customer_csv(tmp_path)) as held:
        held.finish_after(1.0)  # SQLite: the run's inserts wait for this commit
        run_id = execute_run(engine=engine, name="during import", **OPTIONS)
    run = _run(engine, run_id)
    assert (run["status"], run["error"], run["name"]) == ("finished", None, "during import")
    assert run["n_customers"] in (15, 16) and len(run["segments"]) == 3


def test_fingerprint_and_rfm_come_from_one_snapshot(engine, tmp_path):
    """An import committing between the fingerprint and the RFM reads is seen by neither."""
    _load(engine)
    commits = []

    def import_after_the_fingerprint(conn, cursor, statement, *_args):
        if "FROM import_batches ORDER BY" in statement and not commits:
            with HeldImport(engine, late_customer_csv(tmp_path)) as held:
                held.finish()
            commits.append(1)

    event.listen(engine, "after_cursor_execute", import_after_the_fingerprint)
    try:
        run_id = execute_run(engine=engine, **OPTIONS)
    finally:
        event.remove(engine, "after_cursor_execute", import_after_the_fingerprint)
    assert commits == [1]
    run = _run(engine, run_id)
    assert run["data_fingerprint"]["batch_ids"] == [1]
    assert run["data_fingerprint"]["lines"] == FIXTURE_LINES
    assert run["n_customers"] == 15  # not c17, whose purchases the import added
    after = _run(engine, execute_run(engine=engine, **OPTIONS))
    assert after["data_fingerprint"]["batch_ids"] == [1, 2] and after["n_customers"] == 16


@pytest.fixture
def impatient_sqlite(sqlite_url, monkeypatch):
    """A SQLite engine whose writers wait 0.3 s for the lock instead of 30 s."""
    monkeypatch.setattr("db.session.SQLITE_BUSY_TIMEOUT_MS", 300)
    engine = create_db_engine(sqlite_url)
    _load(engine)
    yield engine
    engine.dispose()


def test_a_run_that_cannot_be_stored_while_locked_says_so_in_one_line(impatient_sqlite, tmp_path):
    engine = impatient_sqlite
    with HeldImport(engine, late_customer_csv(tmp_path)):
        with pytest.raises(RunFailed) as info:
            execute_run(engine=engine, **OPTIONS)
    # Not even the failure could be stored: no run id, a short reason, nothing left behind.
    assert info.value.run_id is None and info.value.error == BUSY
    assert str(info.value) == f"the run failed and was not stored: {BUSY}"
    with Session(engine) as session:
        assert session.scalars(select(Run)).all() == []


def test_a_store_failure_is_recorded_without_its_sql(impatient_sqlite, tmp_path):
    engine = impatient_sqlite
    with HeldImport(engine, late_customer_csv(tmp_path)) as held:

        def finish_the_import_on_the_first_busy_error(context):
            if outage_cause(context.sqlalchemy_exception) == "busy":
                held.finish()  # so recording the failure finds the lock free

        event.listen(engine, "handle_error", finish_the_import_on_the_first_busy_error)
        try:
            with pytest.raises(RunFailed) as info:
                execute_run(engine=engine, name="blocked", **OPTIONS)
        finally:
            event.remove(engine, "handle_error", finish_the_import_on_the_first_busy_error)
    assert info.value.run_id is not None and info.value.error == BUSY
    run = _run(engine, info.value.run_id)
    assert (run["status"], run["name"], run["error"]) == ("failed", "blocked", BUSY)
    assert "INSERT" not in run["error"] and "SQL" not in run["error"]
