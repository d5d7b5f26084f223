import pandas as pd
from sqlalchemy.orm import Session

from db.ingest import ingest_file
from webapp import cache


def test_cached_computes_once_per_version_and_params(make_app, engine, tiny_csv):
    app = make_app()
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"revenue": [len(calls) * 1.5]})

    with app.server.app_context():
        with Session(engine) as s:
            empty = cache.data_version(session=s)
        first = cache.cached("trend", {"country": ["France"]}, compute, version=empty)
        again = cache.cached("trend", {"country": ["France"]}, compute, version=empty)
        assert len(calls) == 1 and again.equals(first)
        cache.cached("trend", {"country": ["Spain"]}, compute, version=empty)
        assert len(calls) == 2

        with Session(engine) as s, s.begin():
            ingest_file(tiny_csv, session=s)
        with Session(engine) as s:
            loaded = cache.data_version(session=s)
        assert loaded != empty
        fresh = cache.cached("trend", {"country": ["France"]}, compute, version=loaded)
        assert len(calls) == 3 and fresh["revenue"].iloc[0] == 4.5


def test_cache_is_shared_between_processes_handles(make_app):
    app = make_app()
    with app.server.app_context():
        cache.cached("kpis", {}, lambda: {"orders": 7}, version="v1")
        cache._caches.clear()  # as in another worker: a new handle on the same directory
        assert cache.cached("kpis", {}, lambda: {"orders": 0}, version="v1") == {"orders": 7}


def test_cache_key_is_order_independent():
    assert cache.cache_key("x", {"a": 1, "b": 2}, "v") == cache.cache_key("x", {"b": 2, "a": 1}, "v")
    assert cache.cache_key("x", {"a": 1}, "v") != cache.cache_key("x", {"a": 1}, "w")


def test_results_of_older_code_are_not_served(tmp_path):
    """A key holds the code's fingerprint: a deployed change does not show figures cached before."""
    import os

    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    module = package / "sub" / "figures.py"
    module.write_text("SIZE = 1\n")
    before = cache.code_fingerprint([package])
    assert cache.code_fingerprint([package]) == before
    module.write_text("SIZE = 22\n")
    changed = cache.code_fingerprint([package])
    assert changed != before
    os.utime(module, ns=(1, 1))  # same size, other time: an edit undone by hand, a reinstall
    assert cache.code_fingerprint([package]) != changed
    (package / "new.py").write_text("")
    assert cache.code_fingerprint([package]) not in (before, changed)
    assert cache.code_version() in cache.cache_key("trends", {}, "1:1:x")
