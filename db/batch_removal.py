"""Remove one import batch: its stored lines, its quarantined rows and its record.

The way back from a wrong import (a wrong column mapping, decimal mark or date order): once the
batch is gone, the same file can be imported again. Lines are stored once, with the first batch
that brought them, so lines a later import shared with this one leave with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from db.models import ImportBatch, RejectedRow, Transaction
from db.rollup import rebuild


class BatchNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Removed:
    batch_id: int
    source_name: str
    lines: int  # stored lines removed
    rejected: int  # quarantined rows removed
    sharers: list[int]  # later batches that skipped lines as already stored (maybe this one's)


def _hold_out_writers(session: Session, wait_seconds: int | None) -> None:
    """Postgres: wait for running imports and keep new ones waiting until this commits.

    An import that found a line already stored (in this batch) and skipped it must not commit
    after the line is gone. SQLite has one writer at a time already (BEGIN IMMEDIATE).
    ``wait_seconds``: give up (an OperationalError, LockNotAvailable) rather than wait longer.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if wait_seconds is not None:
        # SET takes no bound parameters; set_config does, and is_local=true scopes it like SET LOCAL.
        ms = str(int(wait_seconds) * 1000)
        session.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": ms})
    session.execute(text("LOCK TABLE transactions IN SHARE ROW EXCLUSIVE MODE"))


def remove_batch(*, session: Session, batch_id: int, wait_seconds: int | None = None) -> Removed:
    """Delete batch ``batch_id`` in the caller's transaction; the trend rollup is rebuilt."""
    _hold_out_writers(session, wait_seconds)
    name = session.scalar(select(ImportBatch.source_name).where(ImportBatch.id == batch_id))
    if name is None:
        raise BatchNotFound(f"no import batch {batch_id}")
    lines = session.execute(delete(Transaction).where(Transaction.batch_id == batch_id)).rowcount
    rejected = session.execute(delete(RejectedRow).where(RejectedRow.batch_id == batch_id)).rowcount
    sharers = session.scalars(
        select(ImportBatch.id)
        .where(ImportBatch.id > batch_id, ImportBatch.duplicates > 0)
        .order_by(ImportBatch.id)
    ).all()
    session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
    rebuild(session=session)
    return Removed(batch_id, name, int(lines), int(rejected), list(sharers))
