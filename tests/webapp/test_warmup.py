"""The warm-up fills the results cache for the default Overview and the newest run."""

import threading

import pytest
from sqlalchemy.orm import Session

from db.ingest import ingest_file
from webapp import warmup
from webapp.cache import cache_key, data_version, results_cache
from webapp.overview_data import PIECES, OverviewFilters


@pytest.fixture
def app(make_app, engine, tiny_csv):
    with Session(engine) as s, s.begin():
        ingest_file(tiny_csv, session=s)
    app = make_app()
    with app.server.app_context():
        yield app


def overview_keys(engine) -> list[str]:
    with Session(engine) as s:
        version = data_version(session=s)
    return [cache_key(f"overview:{piece}", OverviewFilters().params(), version) for piece in PIECES]


def test_warm_views_fills_the_default_overview(app, engine):
    assert not any(key in results_cache() for key in overview_keys(engine))
    version, newest_run = warmup.warm_views()
    assert newest_run is None and version.startswith("1:")
    assert all(key in results_cache() for key in overview_keys(engine))


def test_the_thread_warms_then_stops(app, engine, monkeypatch):
    monkeypatch.setattr(warmup, "_started", set())
    stop = threading.Event()
    thread = warmup.start_warmer(stop)
    assert warmup.start_warmer(stop) is None  # one per process
    try:
        for _ in range(200):
            if all(key in results_cache() for key in overview_keys(engine)):
                break
            stop.wait(0.05)
        assert all(key in results_cache() for key in overview_keys(engine))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
