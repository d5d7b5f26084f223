"""A run computed before later imports says so on Segments, Campaigns and the Runs comparison."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from analytics.runs import execute_run
from db.models import ImportBatch, Transaction
from tests.webapp.run_store import make_two_runs
from webapp.run_freshness import batch_changes, newer_batches_note, removed_batches_note


@pytest.fixture
def app(make_app):
    return make_app()  # registers the pages and this database as the app's


def add_batch(engine, batch_id: int, *days: str, stored: int | None = None) -> None:
    """Batch ``batch_id`` with one line on each day (``stored`` lines recorded, default all)."""
    rows = [
        {
            "batch_id": batch_id,
            "invoice_no": f"9{batch_id:02d}{n:03d}",
            "stock_code": "P1",
            "quantity": 1,
            "invoice_date": datetime.fromisoformat(day),
            "unit_price": Decimal("5.00"),
            "customer_id": "c77",
            "country": "Spain",
            "line_hash": hashlib.md5(f"{batch_id}:{n}".encode()).digest(),
        }
        for n, day in enumerate(days)
    ]
    with engine.begin() as conn:
        batch = {"id": batch_id, "source_name": f"b{batch_id}.csv", "sha256": f"{batch_id:064d}", "size_bytes": 1}
        stored = len(days) if stored is None else stored
        conn.execute(insert(ImportBatch), [{**batch, "rows_stored": stored, "started_at": datetime(2026, 1, 1)}])
        if rows:
            conn.execute(insert(Transaction), rows)


def changes(engine, run_id):
    with Session(engine) as s:
        return batch_changes(session=s, run_id=run_id)


def test_notes_name_the_batches_their_lines_and_what_to_do():
    assert newer_batches_note([(5, 4_712_345)]) == (
        "Batch #5 (4,712,345 lines) was imported after this run: start a new run on the Runs page to include it."
    )
    assert newer_batches_note([(5, 1), (6, 2), (8, 3)]) == (
        "Batches #5, #6 and #8 (6 lines) were imported after this run: "
        "start a new run on the Runs page to include them."
    )
    assert newer_batches_note([(5, 1)], datetime(2011, 6, 1)) == (
        "Batch #5 (1 line, some before 2011-06-01) was imported after this run: "
        "start a new run as of 2011-06-01 on the Runs page to include it."
    )
    assert newer_batches_note([]) is None and removed_batches_note([]) is None


def test_a_batch_counts_for_a_run_only_if_it_came_later_and_holds_lines_the_run_would_read(app, engine):
    """Was: after a 4.8M-line upload Segments and Campaigns kept showing the run made before it
    (4,375 customers while the Overview counted 40,000), with no word."""
    early, later = make_two_runs(engine)  # as of 2011-11-01 and 2011-12-10, batch 1
    whole = execute_run(engine=engine, k=3, name="all", stability_resamples=1)  # no --as-of
    assert all(changes(engine, r).newer == [] for r in (early, later, whole))

    add_batch(engine, 2, "2011-12-20 10:00")  # after every as-of date
    add_batch(engine, 3, "2011-11-15 10:00", "2011-12-20 10:00")  # before the later run's as-of only
    add_batch(engine, 4, stored=0)  # duplicates only: nothing new
    assert changes(engine, early).newer == []
    assert changes(engine, later).newer == [(3, 2)]
    assert changes(engine, later).as_of == datetime(2011, 12, 10)
    assert changes(engine, whole).newer == [(2, 1), (3, 2)] and changes(engine, whole).removed == []
    assert changes(engine, 999).newer == []  # no such run: nothing to say


def test_segments_campaigns_and_runs_show_the_note(app, engine):
    from webapp.pages import campaigns, runs, segments

    _early, later = make_two_runs(engine)
    assert segments.show_run(later, None)[0] is None
    add_batch(engine, 2, "2011-11-15 10:00")
    text = newer_batches_note([(2, 1)], datetime(2011, 12, 10))

    note = segments.show_run(later, None)[0]
    assert note.id == "segments-newer-batches" and note.children == text

    rows, message, _query, export_disabled = campaigns.show_list(later, [], [], None, None, None, None, None, None, [])
    assert rows and not export_disabled  # the list is still given, the note above it
    assert message.id == "campaigns-newer-batches" and message.children == text

    summary = runs.show_comparison(_early, later)[2]
    notes = [c for c in summary.children if getattr(c, "id", None) == f"runs-newer-batches-{later}"]
    assert [n.children for n in notes] == [f"Run {later}: {text}"]

    with Session(engine) as s, s.begin():  # and a removed batch too: both notes
        s.delete(s.get(ImportBatch, 1))
    both = segments.show_run(later, None)[0]
    assert [n.id for n in both] == ["segments-removed-batches", "segments-newer-batches"]
