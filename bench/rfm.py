"""Benchmark: the RFM aggregate in SQLite and Postgres against the same aggregate in pandas.

    python bench/rfm.py [--data FILE] [--repeat N] [--skip-postgres]

Loads the real UCI file into fresh databases (a temporary SQLite file; a Postgres database
``segments_bench_rfm_<pid>`` created and dropped through the admin URL, default
postgresql://postgres@127.0.0.1/postgres, overridden by $SEGMENTS_BENCH_POSTGRES_URL), then
times, best of --repeat runs, with the reference cleaning (customer id, quantity > 0,
price > 0, no cancellations, non-product codes kept):
  - compute_rfm in each database (one SQL aggregate + the per-customer frame),
  - pandas: read the csv.gz, drop duplicates, clean, groupby (and the groupby alone).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from analytics.cleaning import REFERENCE_RULES  # noqa: E402 - after the path set-up
from analytics.rfm import compute_rfm  # noqa: E402
from db.admin import admin_url, create_database, drop_database  # noqa: E402
from db.ingest import ingest_file  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.session import create_db_engine  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "online_retail.csv.gz"
BENCH_DB = f"segments_bench_rfm_{os.getpid()}"  # per run: two at once must not collide


def best_of(repeat: int, func: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def pandas_clean(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    df = df.drop_duplicates()  # the database dedupes at load; same input for both
    df = df[df["CustomerID"].notna() & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
    df = df[~df["InvoiceNo"].str.upper().str.startswith("C")].copy()
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df["Revenue"] = df["Quantity"] * df["UnitPrice"]
    return df


def pandas_rfm(df: pd.DataFrame) -> pd.DataFrame:
    snapshot = df["InvoiceDate"].max() + pd.Timedelta(days=1)
    rfm = df.groupby("CustomerID").agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("Revenue", "sum")
    )
    rfm["recency"] = (snapshot - rfm["last"]).dt.days
    return rfm


def time_database(url: str, data: Path, repeat: int) -> tuple[float, float, pd.DataFrame]:
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        start = time.perf_counter()
        with Session(engine) as session, session.begin():
            ingest_file(data, session=session)
        load_seconds = time.perf_counter() - start
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE transactions"))

        def run() -> pd.DataFrame:
            with Session(engine) as session:
                return compute_rfm(session=session, rules=REFERENCE_RULES).frame

        seconds, frame = best_of(repeat, run)
        return seconds, load_seconds, frame
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("SEGMENTS_REAL_DATA", DEFAULT_DATA)))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"data file not found: {args.data}")

    rows: list[tuple[str, float, str]] = []
    pandas_full, cleaned = best_of(args.repeat, lambda: pandas_clean(args.data))
    groupby_seconds, reference = best_of(args.repeat, lambda: pandas_rfm(cleaned))
    pandas_full += groupby_seconds
    rows.append(("pandas: read csv.gz + clean + groupby", pandas_full, ""))
    rows.append(("pandas: groupby alone (data in memory)", groupby_seconds, ""))

    frames = {}
    with tempfile.TemporaryDirectory() as tmp:
        seconds, load, frames["sqlite"] = time_database(f"sqlite:///{tmp}/bench.db", args.data, args.repeat)
        rows.append(("SQLite: RFM aggregate (compute_rfm)", seconds, f"load {load:.1f} s"))
    if not args.skip_postgres:
        admin = admin_url("SEGMENTS_BENCH_POSTGRES_URL")
        url = create_database(admin, BENCH_DB, replace=True)
        try:
            seconds, load, frames["postgres"] = time_database(url, args.data, args.repeat)
            rows.append(("Postgres: RFM aggregate (compute_rfm)", seconds, f"load {load:.1f} s"))
        finally:
            drop_database(admin, BENCH_DB)

    for name, frame in frames.items():  # the timings only mean something if the answers agree
        ours = frame.set_index("customer_id")
        same = len(ours) == len(reference) and (ours["frequency"] == reference["frequency"]).all()
        same = same and (ours["recency"] == reference["recency"]).all()
        same = same and (ours["monetary"] - reference["monetary"]).abs().max() < 0.005
        if not same:
            sys.exit(f"{name} RFM differs from pandas")

    print(f"RFM aggregate, {len(reference):,} customers, best of {args.repeat} ({args.data.name})")
    print(f"{'method':<42} {'seconds':>8} {'vs pandas':>10}  note")
    for name, seconds, note in rows:
        print(f"{name:<42} {seconds:>8.3f} {seconds / pandas_full:>9.2f}x  {note}")


if __name__ == "__main__":
    main()
