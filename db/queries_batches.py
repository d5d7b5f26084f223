"""Read-only queries over the import records: batches, quarantined rows, store totals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ImportBatch, RejectedRow, Transaction


def store_counts(*, session: Session) -> dict[str, int]:
    """How much is loaded: import batches, stored lines, distinct customers."""
    batches = session.scalar(select(func.count()).select_from(ImportBatch)) or 0
    lines = session.scalar(select(func.count()).select_from(Transaction)) or 0
    customers = (
        session.scalar(
            select(func.count(func.distinct(Transaction.customer_id))).where(
                Transaction.customer_id.is_not(None)
            )
        )
        or 0
    )
    return {"batches": int(batches), "transactions": int(lines), "customers": int(customers)}


_BATCH_COLUMNS = (
    ImportBatch.id,
    ImportBatch.source_name,
    ImportBatch.status,
    ImportBatch.size_bytes,
    ImportBatch.rows_read,
    ImportBatch.rows_stored,
    ImportBatch.duplicates,
    ImportBatch.rejected,
    ImportBatch.started_at,
    ImportBatch.finished_at,
)


def list_batches(*, session: Session) -> list[dict[str, Any]]:
    """Every import batch, newest first, with the counts recorded at load time."""
    rows = session.execute(select(*_BATCH_COLUMNS).order_by(ImportBatch.id.desc())).mappings()
    return [dict(r) for r in rows]


def find_batch(*, session: Session, batch_id: int) -> dict[str, Any] | None:
    """One batch as ``list_batches`` gives it, or None."""
    row = session.execute(select(*_BATCH_COLUMNS).where(ImportBatch.id == batch_id)).mappings().first()
    return dict(row) if row is not None else None


def rejected_reason_counts(*, session: Session, batch_id: int | None = None) -> list[dict[str, Any]]:
    """Rejected rows per reason (optionally for one batch), most frequent first."""
    n = func.count().label("rows")
    stmt = select(RejectedRow.reason, n).group_by(RejectedRow.reason).order_by(n.desc(), RejectedRow.reason)
    if batch_id is not None:
        stmt = stmt.where(RejectedRow.batch_id == batch_id)
    return [dict(r) for r in session.execute(stmt).mappings()]


def rejected_rows_page(
    *, session: Session, batch_id: int | None = None, offset: int = 0, limit: int = 100
) -> tuple[list[dict[str, Any]], int]:
    """One page of rejected rows (in file order) and the total number matching the filter."""
    where = [] if batch_id is None else [RejectedRow.batch_id == batch_id]
    total = session.scalar(select(func.count()).select_from(RejectedRow).where(*where)) or 0
    stmt = (
        select(
            RejectedRow.id,
            RejectedRow.batch_id,
            RejectedRow.row_number,
            RejectedRow.reason,
            RejectedRow.detail,
            RejectedRow.raw,
        )
        .where(*where)
        .order_by(RejectedRow.batch_id, RejectedRow.row_number, RejectedRow.id)
        .offset(max(0, int(offset)))
        .limit(max(1, min(int(limit), 1000)))
    )
    return [dict(r) for r in session.execute(stmt).mappings()], int(total)


def iter_rejected_rows(*, session: Session, batch_id: int | None = None, chunk: int = 5000):
    """All rejected rows matching the filter, streamed in chunks (for the CSV download)."""
    stmt = (
        select(
            RejectedRow.batch_id,
            RejectedRow.row_number,
            RejectedRow.reason,
            RejectedRow.detail,
            RejectedRow.raw,
        )
        .order_by(RejectedRow.batch_id, RejectedRow.row_number, RejectedRow.id)
        .execution_options(yield_per=chunk)
    )
    if batch_id is not None:
        stmt = stmt.where(RejectedRow.batch_id == batch_id)
    yield from session.execute(stmt).mappings()
