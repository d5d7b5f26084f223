"""The Segments page's points come in the same order on every database, so its fixed-seed sample
shows the same customers whatever the collation."""

from __future__ import annotations

from db.queries_segments import run_points
from db.session import create_db_engine
from tests.webapp.test_segments_page import store_run

# Customer ids "Los0" and "los0": code points put 'L' (0x4C) before 'l' (0x6C); ICU's en-US puts
# the lower case first.
SEGMENTS = {"lost": [(250, 1, 5.0, 1, 1)], "Lost": [(300, 1, 20.0, 1, 1)]}


def _customers(url: str) -> list[str]:
    engine = create_db_engine(url)
    try:
        run_id = store_run(engine, segments=SEGMENTS)
        with engine.connect() as conn:
            return [row.customer_id for row in conn.execute(run_points(run_id))]
    finally:
        engine.dispose()


def test_points_go_by_code_point(db_url):
    assert _customers(db_url) == ["Los0", "los0"]


def test_points_go_by_code_point_on_a_language_collation(icu_url):
    assert _customers(icu_url) == ["Los0", "los0"]
