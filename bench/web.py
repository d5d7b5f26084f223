"""Dashboard benchmark: server time of every page's first-view callbacks on the real file.

    python bench/web.py [--file ../shared/data/online_retail.csv.gz] [--repeat 5] [--sqlite-only]
                        [--clients 20] [--requests 400] [--seconds 60]

Per backend (a fresh SQLite file, a fresh Postgres database ``segments_bench_web_<pid>`` from
SEGMENTS_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1/postgres): loads the file
with ``ingest_file``, makes a ``default`` run, empties the results cache, then
1. through the Flask test client, replays each page's first view as the browser sends it
   (bench/web_first_view.py) and prints per callback the first (uncached) call and the median
   of ``--repeat`` further calls (cached); then empties the cache, runs the serving warm-up
   (webapp/warmup.py: what ``segments serve`` and gunicorn do after start-up or a data change)
   and prints the first view after it, in a new app;
2. starts ``gunicorn -w 2 --threads 4 webapp.wsgi:server`` on 127.0.0.1 and a free port and
   lets ``--clients`` threads post the same requests (at most ``--requests`` in all, within
   ``--seconds``), printing p50 / p95 latency per page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import dash
from sqlalchemy import text
from sqlalchemy.orm import Session
from web_first_view import Call, first_view_calls, post
from web_load import load_test

from analytics.runs import execute_run
from db.admin import admin_url, create_database, drop_database
from db.ingest import ingest_file
from db.migrate import upgrade
from db.session import create_db_engine
from db.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILE = REPO.parent / "shared" / "data" / "online_retail.csv.gz"
PG_NAME = f"segments_bench_web_{os.getpid()}"  # per run: two at once must not collide
TARGET_MS = 300


def build(url: str, data: Path) -> None:
    """Migrate, load the file, make the default run; clear the dashboard's results cache."""
    from webapp.cache_dirs import job_cache_dir

    engine = create_db_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as s, s.begin():
            ingest_file(data, session=s)
        execute_run(engine=engine, preset="default")
        if url.startswith("postgresql"):
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))  # as a maintained database would be
    finally:
        engine.dispose()
    shutil.rmtree(job_cache_dir(Settings(database_url=url)), ignore_errors=True)


def _client(url: str):
    from webapp.app import create_app

    app = create_app(Settings(database_url=url, secret_key="bench"))
    client = app.server.test_client()
    client.get("/")  # Flask/Dash set-up on the first request is not a callback's cost
    return app, client


def page_calls(url: str, repeat: int) -> list[tuple[str, Call, float]]:
    """(page path, call, median cached ms) for the first view of every registered page."""
    app, client = _client(url)
    out = []
    for path in sorted(p["path"] for p in dash.page_registry.values()):
        for call in first_view_calls(app, client, path):
            again = [post(client, call.body)[1] for _ in range(repeat)]
            out.append((path, call, statistics.median(again)))
    return out


def warmed_calls(url: str) -> tuple[float, list[float]]:
    """Seconds the warm-up takes from an empty cache, then every first-view call's ms after it."""
    from webapp.cache import results_cache
    from webapp.warmup import warm_views

    app, client = _client(url)
    with app.server.app_context():
        results_cache().clear()  # (removing the directory would not reach this process's handle)
        start = time.perf_counter()
        warm_views()
        seconds = time.perf_counter() - start
    paths = sorted(p["path"] for p in dash.page_registry.values())
    return seconds, [call.first_ms for path in paths for call in first_view_calls(app, client, path)]


def print_calls(
    backend: str, rows: list[tuple[str, Call, float]], warm_s: float, warmed: list[float]
) -> None:
    print(f"\n{backend}: server time per callback, first view (test client)")
    print(f"  {'page':<11} {'callback':<18} {'cold ms':>8} {'cached ms':>10} {'after warm-up ms':>17}")
    for (path, call, cached), after in zip(rows, warmed, strict=True):
        flag = "" if max(after, cached) < TARGET_MS else f"  > {TARGET_MS} ms"
        print(f"  {path:<11} {call.name:<18} {call.first_ms:>8.0f} {cached:>10.0f} {after:>17.0f}{flag}")
    print(f"  (cold: nothing cached; the warm-up from an empty cache took {warm_s:.1f} s in the background)")


def bench_backend(backend: str, url: str, args: argparse.Namespace) -> None:
    print(f"\n== {backend}: loading {args.file.name} and making the default run ...", flush=True)
    build(url, args.file)
    rows = page_calls(url, args.repeat)
    warm_s, warmed = warmed_calls(url)
    print_calls(backend, rows, warm_s, warmed)
    bodies = [(path, call.body) for path, call, _ in rows]
    stats = load_test(url, bodies, clients=args.clients, requests=args.requests, seconds=args.seconds)
    print(f"\n{backend}: gunicorn -w 2 --threads 4, {args.clients} concurrent clients")
    print(f"  {'page':<11} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for page, (count, p50, p95, errors) in stats.items():
        if page not in ("rate", "priming"):
            print(f"  {page:<11} {count:>9} {p50:>8.0f} {p95:>8.0f} {errors:>7}")
    print(f"  throughput: {stats['rate'][0]} requests in {stats['rate'][1]:.1f} s")
    count, slowest, total, _ = stats["priming"]
    print(
        f"  before that, one request of each kind on the fresh workers (not counted above): "
        f"{count} requests, slowest {slowest:.0f} ms, {total / 1000:.1f} s in all"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        bench_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args)
    if args.sqlite_only:
        return
    admin = admin_url("SEGMENTS_BENCH_POSTGRES_URL")
    try:
        bench_backend("postgres", create_database(admin, PG_NAME, replace=True), args)
    finally:
        drop_database(admin, PG_NAME)


if __name__ == "__main__":
    sys.exit(main())
