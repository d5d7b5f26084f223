"""The warm-up fills the results cache for the default Overview and the newest run."""

import threading

import pytest
from sqlalchemy.orm import Session

from db.ingest import ingest_file
from webapp import warmup
from webapp.cache import cache_key, data_version, results_cache
from webapp.overview_data import PIECES, VIEWS, OverviewFilters


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
    names = [f"overview:{piece}" for piece in PIECES] + [f"overview:{piece}:view" for piece in VIEWS]
    return [cache_key(name, OverviewFilters().params(), version) for name in names]


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


def test_warm_views_renders_the_newest_run(app, engine):
    from tests.webapp.test_segments_page import TWO, store_run

    older, newest = store_run(engine, segments=TWO), store_run(engine, segments=TWO)
    assert warmup.warm_views()[1] == newest
    keys = [k for k in results_cache().iterkeys() if k.startswith('["segments:render"')]
    assert len(keys) == 1 and f'"run": {newest}' in keys[0] and f'"run": {older}' not in keys[0]
