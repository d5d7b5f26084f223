"""Whether a stored run still describes the loaded data: import batches removed or added since.

A run records the batch ids it read (``data_fingerprint.batch_ids``). Pages showing a run
(Segments, Campaigns, the Runs comparison) name the difference with the batches loaded now:

- a batch the run saw is gone (``segments batches remove``): its lists may hold removed lines;
- a batch imported afterwards: the run leaves its lines out. An ``--as-of`` run reads only lines
  before its as-of date, so a batch whose lines are all on or after that day changes nothing.

One query on ``import_batches`` per page view (tens of rows). Only for an as-of run with newer
batches, whether they hold lines before its as-of date is read from the transactions, once: a
batch's lines never change and its id is never reused, so the answer is cached for good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from db.models import ImportBatch, Run, Transaction
from webapp.cache import cached
from webapp.wording import counted

__all__ = ["BatchChanges", "batch_changes", "newer_batches_note", "removed_batches_note"]


@dataclass(frozen=True)
class BatchChanges:
    removed: list[int] = field(default_factory=list)  # batch ids the run saw, gone since
    newer: list[tuple[int, int]] = field(default_factory=list)  # (batch id, lines stored) it did not see
    as_of: datetime | None = None  # the run's --as-of cut-off (None: all the data)


def _run_as_of(params: Any) -> datetime | None:
    value = params.get("as_of") if isinstance(params, dict) else None
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def batch_changes(*, session: Session, run_id: int) -> BatchChanges:
    """The batches removed since run ``run_id`` and those imported after it that it would read."""
    row = session.execute(select(Run.data_fingerprint, Run.params).where(Run.id == run_id)).one_or_none()
    fingerprint = row[0] if row is not None else None
    seen = fingerprint.get("batch_ids") if isinstance(fingerprint, dict) else None
    seen = [i for i in seen if isinstance(i, int)] if isinstance(seen, list) else []
    if not seen:  # a run recorded without its batches: nothing to compare with
        return BatchChanges()
    present = dict(session.execute(select(ImportBatch.id, ImportBatch.rows_stored)).all())
    removed = [i for i in seen if i not in present]
    seen_ids = set(seen)
    # A batch of duplicates only (no line stored) changes nothing.
    newer = [(i, n) for i, n in sorted(present.items()) if i not in seen_ids and n]
    as_of = _run_as_of(row[1])
    if newer and as_of is not None:
        ids = [i for i, _n in newer]
        before = set(
            cached(
                "run-freshness:batches-before",
                {"batches": ids, "as_of": as_of.isoformat()},
                lambda: _batches_with_lines_before(session, ids, as_of),
                version="batches",  # a batch's lines never change; ids are never reused
            )
        )
        newer = [(i, n) for i, n in newer if i in before]
    return BatchChanges(removed=removed, newer=newer, as_of=as_of)


def _batches_with_lines_before(session: Session, ids: list[int], as_of: datetime) -> list[int]:
    line = exists().where(Transaction.batch_id == ImportBatch.id, Transaction.invoice_date < as_of)
    return list(session.scalars(select(ImportBatch.id).where(ImportBatch.id.in_(ids), line)))


def _names(ids: list[int]) -> str:
    return " and ".join(", ".join(f"#{i}" for i in ids).rsplit(", ", 1))


def removed_batches_note(removed: list[int]) -> str | None:
    """ "This run was computed before batch #2 was removed; its lists may include removed lines." """
    if not removed:
        return None
    which = f"batch {_names(removed)} was" if len(removed) == 1 else f"batches {_names(removed)} were"
    return f"This run was computed before {which} removed; its lists may include removed lines."


def newer_batches_note(newer: list[tuple[int, int]], as_of: datetime | None = None) -> str | None:
    """ "Batch #5 (4,712,345 lines) was imported after this run: start a new run on the Runs page
    to include it." (an as-of run: "some before 2011-06-01", "a new run as of 2011-06-01")."""
    if not newer:
        return None
    ids = [i for i, _n in newer]
    lines = sum(n for _i, n in newer)
    day = f"{as_of:%Y-%m-%d}" if as_of is not None else None
    count = counted(lines, "line") + (f", some before {day}" if day else "")
    which, it = (f"Batch {_names(ids)}", "it") if len(ids) == 1 else (f"Batches {_names(ids)}", "them")
    was = "was" if len(ids) == 1 else "were"
    new_run = f"a new run as of {day}" if day else "a new run"
    return (
        f"{which} ({count}) {was} imported after this run: "
        f"start {new_run} on the Runs page to include {it}."
    )
