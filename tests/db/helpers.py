"""Small factories for ingestion tests: files written on the fly, database snapshots."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from db.models import ImportBatch, RejectedRow, Transaction
from db.session import create_db_engine
from webapp.cli import cli

UCI_HEADER = [
    "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country",
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], *, header=UCI_HEADER, delimiter=",", encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def ingest_json(db_url: str, path, *extra: str) -> dict:
    """`segments ingest PATH --json` that must succeed: its summary."""
    result = invoke("ingest", path, "--db", db_url, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def trends_kpis(db_url: str, returns: str = "exclude") -> dict:
    """`segments trends --json` KPIs under the given returns rule."""
    result = invoke("trends", "--db", db_url, "--json", "--returns", returns)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["kpis"]


def counts(db_url: str) -> dict[str, int]:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            return {
                model.__tablename__: conn.scalar(select(func.count()).select_from(model))
                for model in (ImportBatch, Transaction, RejectedRow)
            }
    finally:
        engine.dispose()


def transactions(db_url: str) -> list[Transaction]:
    engine = create_db_engine(db_url)
    try:
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            return list(session.scalars(select(Transaction).order_by(Transaction.invoice_date, Transaction.invoice_no, Transaction.stock_code)))
    finally:
        engine.dispose()


def batch_options(db_url: str) -> dict:
    """The options recorded for the newest import batch (encoding, delimiter, columns...)."""
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(ImportBatch.options).order_by(ImportBatch.id.desc()).limit(1))
    finally:
        engine.dispose()
