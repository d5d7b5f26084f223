"""Ingestion benchmark: `segments ingest` against raw baselines, side by side in one script.

    python bench/ingest.py [--file ../shared/data/online_retail.csv.gz] [--repeat 3]
    python bench/ingest.py --sample-customers 83000      # ~10 million synthetic lines

For each backend it loads the file into a fresh database with our ingestion (parse, validate,
dedupe, quarantine, indexes) and times the raw baseline on the same rows: Postgres `COPY` of the
CSV into an unindexed table, SQLite one `executemany` of the csv module's rows into a plain
table. Every measurement runs in its own child process, so peak RSS is that step's alone.
Prints seconds (median of --repeat), rows/s, ratio to the baseline and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILE = REPO.parent / "shared" / "data" / "online_retail.csv.gz"
# Per run: two benchmarks at once must not drop each other's database (the children get its URL).
BENCH_DB = f"segments_bench_ingest_{os.getpid()}"


def _open_text(path: Path):
    return (
        gzip.open(path, "rt", encoding="utf-8", newline="")
        if path.suffix == ".gz"
        else path.open("r", encoding="utf-8", newline="")
    )


# -- the measured steps, each run in a child process ------------------------------------------
# Each step prepares (imports, connection, schema) outside the timed part and returns the work.
def step_ours(path: Path, url: str):
    from sqlalchemy.orm import Session

    from db.ingest import ingest_file
    from db.migrate import ensure_schema
    from db.session import create_db_engine

    engine = create_db_engine(url)
    ensure_schema(engine)

    def work() -> int:
        with Session(engine) as session, session.begin():
            return ingest_file(path, session=session).rows_read

    return work


def step_pg_copy(path: Path, url: str):
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
    conn.execute(
        "CREATE TABLE raw_copy (invoice_no text, stock_code text, description text, quantity integer, "
        "invoice_date timestamp, unit_price numeric, customer_id text, country text)"
    )
    conn.commit()

    def work() -> int:
        with conn.cursor() as cur:
            with _open_text(path) as fh, cur.copy("COPY raw_copy FROM STDIN (FORMAT csv, HEADER true)") as cp:
                while block := fh.read(1 << 20):
                    cp.write(block)
            conn.commit()
            return cur.execute("SELECT count(*) FROM raw_copy").fetchone()[0]

    return work


def step_sqlite_executemany(path: Path, db_file: str):
    import sqlite3

    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE raw_import (a, b, c, d, e, f, g, h)")

    def work() -> int:
        with _open_text(path) as fh:
            rows = csv.reader(fh)
            next(rows)
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO raw_import VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        return conn.execute("SELECT count(*) FROM raw_import").fetchone()[0]

    return work


STEPS = {"ours": step_ours, "pg_copy": step_pg_copy, "sqlite_executemany": step_sqlite_executemany}


def child_main(step: str, path: str, target: str) -> None:
    work = STEPS[step](Path(path), target)
    started = time.perf_counter()
    rows = work()
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))


# -- orchestration ------------------------------------------------------------------------------
def _fresh_target(backend: str, tmp: Path, n: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'bench{n}.db'}"
    from db.admin import admin_url, create_database

    return create_database(admin_url("SEGMENTS_BENCH_POSTGRES_URL"), BENCH_DB, replace=True)


def measure(step: str, path: Path, target: str) -> tuple[float, int, float]:
    """(seconds, rows, peak RSS in MiB) of one step in a fresh child process."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", step, str(path), target], stdout=subprocess.PIPE, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed with exit code {proc.returncode}")
    result = json.loads(out)
    return result["seconds"], result["rows"], usage.ru_maxrss / 1024


def run(path: Path, repeat: int) -> list[dict]:
    rows_out = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        n = 0
        for backend, baseline in (("postgres", "pg_copy"), ("sqlite", "sqlite_executemany")):
            timings: dict[str, list[tuple[float, int, float]]] = {"ours": [], baseline: []}
            for _ in range(repeat):
                for step in ("ours", baseline):  # alternate, so drift hits both alike
                    n += 1
                    target = _fresh_target(backend, tmp, n)
                    if step == "sqlite_executemany":
                        target = str(tmp / f"raw{n}.db")
                    timings[step].append(measure(step, path, target))
            base_s = statistics.median(t[0] for t in timings[baseline])
            for step, runs in timings.items():
                seconds = statistics.median(t[0] for t in runs)
                rows_out.append({
                    "backend": backend, "step": "segments ingest" if step == "ours" else step,
                    "seconds": seconds, "rows": runs[0][1], "rows_per_s": runs[0][1] / seconds,
                    "ratio": seconds / base_s, "peak_rss_mib": max(t[2] for t in runs),
                })  # fmt: skip
        from db.admin import admin_url, drop_database

        drop_database(admin_url("SEGMENTS_BENCH_POSTGRES_URL"), BENCH_DB)
    return rows_out


def print_table(path: Path, rows: list[dict], repeat: int) -> None:
    print(f"file: {path} ({path.stat().st_size / 2**20:.1f} MiB), median of {repeat}")
    print(
        f"{'backend':<9} {'step':<20} {'seconds':>8} {'rows':>11} {'rows/s':>10} {'ratio':>6} {'peak RSS':>9}"
    )
    for r in rows:
        print(
            f"{r['backend']:<9} {r['step']:<20} {r['seconds']:>8.2f} {r['rows']:>11,} "
            f"{r['rows_per_s']:>10,.0f} {r['ratio']:>5.2f}x {r['peak_rss_mib']:>6.0f} MiB"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sample-customers", type=int, help="benchmark a synthetic file of this many customers"
    )
    args = parser.parse_args()
    path = args.file
    if args.sample_customers:
        from analytics.sample_data import write_sample

        path = Path(tempfile.gettempdir()) / f"segments-bench-{args.sample_customers}.csv.gz"
        if not path.exists():
            print(f"writing {path} ...", flush=True)
            write_sample(path, customers=args.sample_customers, seed=1)
    print_table(path, run(path, args.repeat), args.repeat)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
