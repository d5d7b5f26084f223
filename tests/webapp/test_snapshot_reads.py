"""Readers of several queries read one snapshot: an import that commits between two of their
queries (another connection, as another team member's `segments ingest`) is in all of them or
in none. Postgres reads each statement's own snapshot under READ COMMITTED; SQLite (WAL) already
keeps one per transaction, so the SQLite half guards the fix from being SQLite-only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from analytics import trends
from db.ingest import ingest_file
from db.session import create_db_engine
from tests.db.helpers import invoke, write_csv
from tests.webapp.plotly_arrays import values
from webapp.cache import data_version

# One big new customer: it changes every figure of the report.
LATE_ROWS = [["2001", "A1", "A", "100", "2010-12-20 10:00:00", "10.00", "C9", "France"]]


@pytest.fixture
def late_import(db_url, tmp_path):
    """A function that imports LATE_ROWS from a connection of its own and commits (once)."""
    path = write_csv(tmp_path / "late.csv", LATE_ROWS)
    done = []

    def _import() -> None:
        if done:
            return
        done.append(True)
        engine = create_db_engine(db_url)
        try:
            with Session(engine) as s, s.begin():
                ingest_file(path, session=s)
        finally:
            engine.dispose()

    return _import


@pytest.fixture
def loaded(db_url, tiny_csv):
    engine = create_db_engine(db_url)
    try:
        with Session(engine) as s, s.begin():
            ingest_file(tiny_csv, session=s)
    finally:
        engine.dispose()


def _import_before_kpis(monkeypatch, late_import) -> None:
    """``trends.kpis`` runs after the report's first query: the import commits right before it."""
    kpis = trends.kpis

    def kpis_after_an_import(**kwargs):
        late_import()
        return kpis(**kwargs)

    monkeypatch.setattr(trends, "kpis", kpis_after_an_import)


def test_trends_figures_agree_while_an_import_commits(db_url, loaded, late_import, monkeypatch):
    _import_before_kpis(monkeypatch, late_import)
    result = invoke("trends", "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    kpis, buckets = report["kpis"], report["revenue_per_customer"]
    assert kpis["customers"] == sum(b["customers"] for b in buckets) == 2  # before the import
    assert kpis["revenue"] == pytest.approx(sum(b["revenue"] for b in buckets)) == pytest.approx(46.74)
    assert sum(m["revenue"] for m in report["by_month"]) == pytest.approx(46.74)


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.server.app_context():
        yield app


def _version(db_url: str) -> str:
    engine = create_db_engine(db_url)
    try:
        with Session(engine) as s:
            return data_version(session=s)
    finally:
        engine.dispose()


def test_overview_piece_is_cached_under_the_version_it_describes(
    app, db_url, loaded, late_import, monkeypatch
):
    from webapp.overview_data import OverviewFilters, overview_piece

    before = _version(db_url)
    _import_before_kpis(monkeypatch, late_import)  # after the piece read the data version
    kpis, version = overview_piece("kpis", OverviewFilters())
    assert _version(db_url) != before
    # Not the new data under the old version (served as that version's for a day).
    assert (version, kpis["customers"], kpis["revenue"]) == (before, 2, 46.74)


def test_overview_figure_is_cached_under_the_version_it_describes(
    app, db_url, loaded, late_import, monkeypatch
):
    from webapp.overview_data import OverviewFilters, overview_piece, overview_view

    before = _version(db_url)
    sales_by_month = trends.sales_by_month

    def months_after_an_import(**kwargs):  # after the view read the data version
        late_import()
        return sales_by_month(**kwargs)

    monkeypatch.setattr(trends, "sales_by_month", months_after_an_import)
    figure = overview_view("by_month", OverviewFilters())
    assert _version(db_url) != before
    assert values(figure["data"][0]["y"]).tolist() == [46.74]  # the data of version `before`
    months, version = overview_piece("by_month", OverviewFilters())  # the new version: recomputed
    assert version != before and months["revenue"].tolist() == [1046.74]
