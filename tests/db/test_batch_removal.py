"""Removing an import batch takes its lines, quarantined rows and record, and keeps the
invoice rollup equal to the remaining lines; the file can then be imported again."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.batch_removal import BatchNotFound, remove_batch
from db.ingest import IngestOptions, ingest_file
from db.models import ImportBatch, InvoiceRollup, RejectedRow, RollupState, Transaction
from db.rollup import is_current
from db.session import for_writing
from tests.db.helpers import write_csv
from tests.db.test_rollup import _same_answers
from tests.held_import import LATE_CUSTOMER_CSV, HeldImport, late_customer_csv


def _line(invoice, qty, price="2.55", customer="17850", when="2011-01-05 10:00", code="85123A"):
    return [invoice, code, "ITEM", qty, when, price, customer, "United Kingdom"]


A = [_line("536365", "6"), _line("536366", "2", customer="12583"), _line("536367", "many")]
# B repeats A's first line, adds two of its own and one bad row.
B = [A[0], _line("536370", "1", when="2011-02-01 09:00"), _line("536371", "3", customer="13047"),
     _line("536372", "1", price="x")]  # fmt: skip
C = [_line("536380", "4", when="2011-03-01 12:00", customer="12583")]


def _ingest(engine, path):
    with Session(for_writing(engine)) as session, session.begin():
        return ingest_file(path, session=session, options=IngestOptions(chunk_rows=2))


def _remove(engine, batch_id):
    with Session(for_writing(engine)) as session, session.begin():
        return remove_batch(session=session, batch_id=batch_id)


def _store(engine):
    """Invoices stored per batch, rejected rows per batch, batch ids, rollup invoices."""
    with Session(engine) as s:
        lines = s.execute(
            select(Transaction.batch_id, Transaction.invoice_no).order_by(Transaction.invoice_no)
        )
        rejected = s.execute(select(RejectedRow.batch_id, RejectedRow.row_number).order_by(RejectedRow.id))
        return {
            "lines": [tuple(r) for r in lines],
            "rejected": [tuple(r) for r in rejected],
            "batches": s.scalars(select(ImportBatch.id).order_by(ImportBatch.id)).all(),
            "rollup": s.scalars(select(InvoiceRollup.invoice_no).order_by(InvoiceRollup.invoice_no)).all(),
        }


@pytest.fixture
def three(engine, tmp_path):
    paths = [write_csv(tmp_path / f"{n}.csv", rows) for n, rows in (("a", A), ("b", B), ("c", C))]
    for path in paths:
        _ingest(engine, path)
    return paths


def test_removing_a_middle_batch_takes_its_lines_and_rejects_only(engine, three):
    before = _store(engine)
    assert before["lines"] == [(1, "536365"), (1, "536366"), (2, "536370"), (2, "536371"), (3, "536380")]
    assert before["rejected"] == [(1, 4), (2, 5)]
    removed = _remove(engine, 2)
    assert (removed.batch_id, removed.source_name, removed.lines, removed.rejected) == (2, "b.csv", 2, 1)
    assert removed.sharers == []  # batch 3 skipped nothing
    after = _store(engine)
    assert after["lines"] == [(1, "536365"), (1, "536366"), (3, "536380")]
    assert after["rejected"] == [(1, 4)]
    assert after["batches"] == [1, 3]
    assert after["rollup"] == ["536365", "536366", "536380"]
    with Session(engine) as s:
        assert is_current(session=s)
        _same_answers(s)


def test_the_removed_file_imports_again_in_full(engine, three):
    _remove(engine, 2)
    again = _ingest(engine, three[1])
    assert (again.status, again.rows_stored, again.duplicates, again.rejected) == ("loaded", 2, 1, 1)
    assert sorted(_store(engine)["rollup"]) == ["536365", "536366", "536370", "536371", "536380"]
    with Session(engine) as s:
        assert is_current(session=s)
        _same_answers(s)


def test_lines_a_later_batch_shared_leave_with_the_first_and_are_named(engine, three):
    removed = _remove(engine, 1)
    assert removed.sharers == [2]  # b.csv skipped A's first line as already stored
    assert [i for _b, i in _store(engine)["lines"]] == ["536370", "536371", "536380"]
    with Session(engine) as s:
        _same_answers(s)


def test_after_removing_the_newest_the_next_import_folds_onto_the_rebuilt_rollup(engine, three, tmp_path):
    _remove(engine, 3)
    _ingest(engine, write_csv(tmp_path / "d.csv", [_line("536390", "5", when="2011-04-01 10:00")]))
    with Session(engine) as s:
        assert is_current(session=s)
        _same_answers(s)
        assert "536390" in _store(engine)["rollup"]


def test_removing_every_batch_leaves_an_empty_store_that_loads_again(engine, three):
    for batch_id in (3, 1, 2):
        _remove(engine, batch_id)
    assert _store(engine) == {"lines": [], "rejected": [], "batches": [], "rollup": []}
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RollupState)) == 0
    _ingest(engine, three[0])
    with Session(engine) as s:
        assert is_current(session=s)
        _same_answers(s)


def test_an_unknown_batch_is_refused_and_nothing_changes(engine, three):
    before = _store(engine)
    with pytest.raises(BatchNotFound, match="no import batch 9"):
        _remove(engine, 9)
    assert _store(engine) == before


def test_removal_waits_for_a_running_import_that_skipped_its_lines(engine, tmp_path):
    """An import that found a line already stored (in the batch being removed) must commit
    before the removal reads, or the line would vanish from both."""
    first = tmp_path / "first.csv"
    first.write_text("".join(LATE_CUSTOMER_CSV.splitlines(keepends=True)[:2]))  # its first line
    _ingest(engine, first)
    result: dict = {}
    with HeldImport(engine, late_customer_csv(tmp_path)) as held:  # repeats first.csv's line
        remover = threading.Thread(target=lambda: result.update(removed=_remove(engine, 1)), daemon=True)
        remover.start()
        time.sleep(0.5)  # the removal is waiting for the import by now
        held.finish()
        remover.join(60)
    assert result["removed"].sharers == [2]  # it saw the import that committed before it
    assert [i for _b, i in _store(engine)["lines"]] == ["599102"]


def test_a_removed_batch_id_is_never_given_to_the_next_import(engine, three):
    """Runs record the batch ids they read: SQLite must not hand a removed newest id out again."""
    _remove(engine, 3)
    _ingest(engine, three[2])
    assert _store(engine)["batches"] == [1, 2, 4]
