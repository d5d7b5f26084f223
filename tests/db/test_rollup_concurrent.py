"""Imports that overlap in time on Postgres leave the rollup complete, exact and known current."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from analytics.sample_data import write_sample
from db.ingest import ingest_file
from db.rollup import is_current
from db.session import create_db_engine
from tests.db.helpers import write_csv
from tests.db.test_ingest_atomic import SEGMENTS
from tests.db.test_rollup import _same_answers


def _line(invoice: str, code: str, qty: int) -> list[str]:
    return [invoice, code, "ITEM", str(qty), "2011-01-05 10:00", "2.55", "17850", "United Kingdom"]


def _backends(url: str, where: str) -> int:
    """How many other sessions of this database match ``where`` (a fixed SQL condition)."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            others = "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
            return conn.scalar(text(f"{others} AND {where}"), {"db": make_url(url).database})
    finally:
        engine.dispose()


def _wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_imports_folding_at_once_sum_a_shared_invoice_once(postgres_url, tmp_path):
    """Both add lines to invoice 536365, which an earlier import began: each must see the other's."""
    engine = create_db_engine(postgres_url)
    imports = [[_line("536365", "85123A", 1)], [_line("536365", "22423", 2)], [_line("536365", "22720", 4)]]
    paths = [write_csv(tmp_path / f"{i}.csv", rows) for i, rows in enumerate(imports)]
    with Session(engine) as session, session.begin():
        ingest_file(paths[0], session=session)
    first = Session(engine)
    first.begin()
    ingest_file(paths[1], session=first)  # folded, not committed
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with Session(engine) as session, session.begin():
                ingest_file(paths[2], session=session)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    try:
        _wait_for(
            lambda: _backends(postgres_url, "wait_event_type = 'Lock'") == 1, "the second import to wait"
        )
    finally:
        first.commit()
        first.close()
        thread.join(timeout=60)
    assert errors == []
    with Session(engine) as session:
        assert is_current(session=session)
        _same_answers(session)
    engine.dispose()


@pytest.mark.slow
def test_a_short_import_committing_during_a_long_one_keeps_the_rollup_current(postgres_url, tmp_path):
    """The long import (a lower batch id) folds after the short one (a higher id) committed."""
    engine = create_db_engine(postgres_url)
    with Session(engine) as session, session.begin():
        ingest_file(write_csv(tmp_path / "first.csv", [_line("536365", "85123A", 1)]), session=session)
    big = tmp_path / "big.csv"
    write_sample(big, customers=2500, seed=11)
    cmd = [*SEGMENTS, "ingest", str(big), "--db", postgres_url]
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as long_import:
        _wait_for(lambda: _backends(postgres_url, "query ILIKE 'COPY%'") > 0, "the long import to write")
        with Session(engine) as session, session.begin():
            ingest_file(write_csv(tmp_path / "short.csv", [_line("536365", "22423", 2)]), session=session)
        assert long_import.poll() is None, "the long import finished first: use a bigger file"
        _, err = long_import.communicate(timeout=120)
    assert long_import.returncode == 0, err
    with Session(engine) as session:
        assert is_current(session=session)
        _same_answers(session)
    engine.dispose()
