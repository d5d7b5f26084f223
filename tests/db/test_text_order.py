"""Ties broken on text give the same answer on every database, whatever its collation.

SQLite compares bytes ('USA' < 'United Kingdom'); a Postgres created with a language collation
(en_US, ICU) compares letters first ('United Kingdom' < 'USA'). A tie-break that decides a
result (a customer's country, the top countries) must not depend on which one holds the data.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from analytics.cleaning import CleaningRules
from analytics.rfm import compute_rfm
from db.admin import _NAME, database_url, drop_database
from db.migrate import upgrade
from db.session import create_db_engine, dispose_engines
from tests.conftest import IN_CI, PG_ADMIN_URL
from tests.db.helpers import ingest_json, invoke, write_csv

# C2 bought once from each of two countries on the same day for the same amount: a tie all the
# way down to the country's name; USA and United Kingdom also tie on revenue in the trends.
ROWS = [
    ["1001", "A1", "A", "1", "2011-01-03 10:00:00", "2.01", "C2", "United Kingdom"],
    ["1002", "A1", "A", "1", "2011-01-03 10:00:00", "2.01", "C2", "USA"],
    ["1003", "A1", "A", "1", "2011-01-04 10:00:00", "5.00", "C3", "France"],
]


@pytest.fixture
def icu_url():
    """A fresh, migrated Postgres database whose text sorts by ICU's en-US rules."""
    name = f"segicu_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    assert _NAME.match(name)
    admin = create_db_engine(PG_ADMIN_URL)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text(
                    f'CREATE DATABASE "{name}" TEMPLATE template0 '
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' ENCODING 'UTF8'"
                )
            )
    except (OperationalError, ProgrammingError) as exc:
        message = f"no ICU Postgres database at {PG_ADMIN_URL}: {str(exc.orig).strip()}"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    finally:
        admin.dispose()
    url = database_url(PG_ADMIN_URL, name)
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:  # the premise: this database sorts the other way
            assert conn.scalar(text("SELECT 'United Kingdom' < 'USA'")) is True
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        engine.dispose()
        dispose_engines()
        drop_database(PG_ADMIN_URL, name)


def _answers(url: str, tmp_path) -> tuple[str, list[str]]:
    """(C2's RFM country, `segments trends --top 2` countries)."""
    ingest_json(url, write_csv(tmp_path / "tie.csv", ROWS))
    engine = create_db_engine(url)
    try:
        with Session(engine) as s:
            frame = compute_rfm(session=s, rules=CleaningRules()).frame
    finally:
        engine.dispose()
    result = invoke("trends", "--db", url, "--json", "--top", "2")
    assert result.exit_code == 0, result.output
    by_country = [c["country"] for c in json.loads(result.output)["by_country"]]
    return frame.set_index("customer_id").loc["C2", "country"], by_country


# Code points: 'S' (0x53) before 'n' (0x6E), as SQLite and Python compare.
EXPECTED = ("USA", ["France", "USA", "Other"])


def test_ties_go_by_code_point(db_url, tmp_path):
    assert _answers(db_url, tmp_path) == EXPECTED


def test_ties_go_by_code_point_on_a_language_collation(icu_url, tmp_path):
    assert _answers(icu_url, tmp_path) == EXPECTED
