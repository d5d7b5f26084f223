"""Ties broken on text give the same answer on every database, whatever its collation.

SQLite compares bytes ('USA' < 'United Kingdom'); a Postgres created with a language collation
(en_US, ICU) compares letters first ('United Kingdom' < 'USA'). A tie-break that decides a
result (a customer's country, the top countries) must not depend on which one holds the data.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from analytics.cleaning import CleaningRules
from analytics.rfm import compute_rfm
from db.session import create_db_engine
from tests.db.helpers import ingest_json, invoke, write_csv

# C2 bought once from each of two countries on the same day for the same amount: a tie all the
# way down to the country's name; USA and United Kingdom also tie on revenue in the trends.
ROWS = [
    ["1001", "A1", "A", "1", "2011-01-03 10:00:00", "2.01", "C2", "United Kingdom"],
    ["1002", "A1", "A", "1", "2011-01-03 10:00:00", "2.01", "C2", "USA"],
    ["1003", "A1", "A", "1", "2011-01-04 10:00:00", "5.00", "C3", "France"],
]


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
