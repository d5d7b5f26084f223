"""Segmentation-run benchmark: a stored `default` run against the plain pandas + sklearn way.

    python bench/run.py [--file ../shared/data/online_retail.csv.gz] [--repeat 3] [--sqlite-only]

Loads the real file once per backend (SQLite file, fresh Postgres database; not timed), then
times, median of --repeat:
- ours: `execute_run(preset="default")` end to end: RFM aggregate in the database, scores, k
  sweep 2..10 with silhouettes, elbow, metrics, bootstrap stability, labels, storing every
  customer's assignment, commit;
- plain: read the file with pandas, clean, groupby RFM, sklearn k sweep 2..10
  (StandardScaler + KMeans(n_init=10)) with `silhouette_score` for each k, as the reference
  analysis did. Plain is timed with sklearn's default threads and with one thread (ours runs
  single-threaded); the ratio uses the faster of the two;
- the RFM aggregate alone in each database against the same aggregate in pandas.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sqlalchemy import text
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from analytics.cleaning import REFERENCE_RULES
from analytics.labels import label_segments
from analytics.rfm import compute_rfm
from analytics.runs import execute_run
from analytics.segmentation import segment
from db.admin import admin_url, create_database, drop_database
from db.ingest import ingest_file
from db.migrate import upgrade
from db.session import create_db_engine

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILE = REPO.parent / "shared" / "data" / "online_retail.csv.gz"


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def plain_rfm(path: Path, df: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reference cleaning and RFM in pandas (reads the file unless ``df`` is given)."""
    if df is None:
        df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    df = df.drop_duplicates()
    df = df[df["CustomerID"].notna() & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
    df = df[~df["InvoiceNo"].str.upper().str.startswith("C")]
    df = df.assign(InvoiceDate=pd.to_datetime(df["InvoiceDate"]), Revenue=df["Quantity"] * df["UnitPrice"])
    snapshot = df["InvoiceDate"].max() + pd.Timedelta(days=1)
    rfm = df.groupby("CustomerID").agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("Revenue", "sum")
    )
    rfm["recency"] = (snapshot - rfm["last"]).dt.days
    return rfm


def plain_pipeline(path: Path) -> list[float]:
    rfm = plain_rfm(path)
    x = rfm[["recency", "frequency", "monetary"]].to_numpy(float)
    scores = []
    for k in range(2, 11):
        model = make_pipeline(StandardScaler(), KMeans(n_clusters=k, n_init=10, random_state=42)).fit(x)
        scores.append(silhouette_score(model[:-1].transform(x), model[-1].labels_))
    return scores


def prepare(backend: str, path: Path, workdir: Path):
    """A migrated database of ``backend`` holding the file; returns (engine, cleanup)."""
    if backend == "sqlite":
        engine = create_db_engine(f"sqlite:///{workdir / 'bench.db'}")
        cleanup = engine.dispose
    else:
        name = f"segments_bench_run_{uuid.uuid4().hex[:8]}"
        admin = admin_url("SEGMENTS_BENCH_POSTGRES_URL")
        engine = create_db_engine(create_database(admin, name))

        def cleanup() -> None:
            engine.dispose()
            drop_database(admin, name)

    upgrade(engine)
    with Session(engine) as session, session.begin():
        ingest_file(path, session=session)
    return engine, cleanup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []

    plain_default, scores = timed(lambda: plain_pipeline(args.file), args.repeat)
    with threadpool_limits(limits=1):
        plain_one, _ = timed(lambda: plain_pipeline(args.file), args.repeat)
    plain = min(plain_default, plain_one)
    rows.append(("plain: read + groupby RFM + sweep 2..10 + silhouette (default threads)", plain_default, ""))
    rows.append(("plain: same, one thread", plain_one, f"silhouette k=4 {scores[2]:.3f}"))
    df = pd.read_csv(args.file, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    pandas_rfm, _ = timed(lambda: plain_rfm(args.file, df), args.repeat)
    rows.append(("pandas RFM aggregate alone (file already in memory)", pandas_rfm, ""))

    backends = ["sqlite"] if args.sqlite_only else ["sqlite", "postgres"]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            engine, cleanup = prepare(backend, args.file, Path(tmp))
            try:

                def rfm_only(engine=engine):
                    with Session(engine) as session:
                        return compute_rfm(session=session, rules=REFERENCE_RULES)

                sql_rfm, result = timed(rfm_only, args.repeat)
                rows.append(
                    (f"{backend}: RFM aggregate alone", sql_rfm, f"{sql_rfm / pandas_rfm:.2f}x pandas")
                )
                if backend == "sqlite":
                    with Session(engine) as session:
                        frame = compute_rfm(session=session).frame

                    def seg_only(frame=frame):
                        return label_segments(frame, segment(frame, preset="default").clusters)

                    seconds, _ = timed(seg_only, args.repeat)
                    rows.append(
                        ("default segmentation alone (sweep, metrics, stability, labels)", seconds, "")
                    )
                ours, run_id = timed(
                    lambda engine=engine: execute_run(engine=engine, preset="default"), args.repeat
                )
                with Session(engine) as session:
                    stored = session.scalar(
                        text("SELECT count(*) FROM run_assignments WHERE run_id = :r"), {"r": run_id}
                    )
                rows.append(
                    (
                        f"{backend}: ours, default run end to end ({stored:,} assignments stored)",
                        ours,
                        f"{ours / plain:.2f}x plain",
                    )
                )
            finally:
                cleanup()

    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  note")
    for label, seconds, note in rows:
        print(f"{label:<{width}}  {seconds:>8.2f}  {note}")
    print(f"(median of {args.repeat}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
