from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from db.models import ImportBatch, RejectedRow, Transaction
from db.queries_batches import (
    find_batch,
    iter_rejected_rows,
    list_batches,
    rejected_reason_counts,
    rejected_rows_page,
    store_counts,
)

T0 = datetime(2011, 1, 5, 10, 0)


def seed(engine) -> None:
    with Session(engine) as s, s.begin():
        for bid in (1, 2):
            s.execute(
                insert(ImportBatch).values(
                    id=bid,
                    source_name=f"f{bid}.csv",
                    sha256=str(bid) * 64,
                    size_bytes=100 * bid,
                    rows_read=5,
                    rows_stored=3,
                    duplicates=0,
                    rejected=2,
                    status="loaded",
                    options={},
                    started_at=T0,
                    finished_at=T0,
                )
            )
        lines = [("1", "A"), ("1", "B"), (None, "C"), ("2", "A")]  # customers 1 and 2; one line without
        s.execute(
            insert(Transaction),
            [
                {
                    "batch_id": 1,
                    "invoice_no": f"{i}",
                    "stock_code": code,
                    "quantity": 1,
                    "invoice_date": T0,
                    "unit_price": 1,
                    "customer_id": cust,
                    "country": "X",
                    "line_hash": bytes([i]) * 16,
                }
                for i, (cust, code) in enumerate(lines)
            ],
        )
        s.execute(
            insert(RejectedRow),
            [
                {"batch_id": 1, "row_number": 9, "reason": "bad date", "detail": None, "raw": {"a": "1"}},
                {"batch_id": 1, "row_number": 3, "reason": "bad quantity", "detail": "q", "raw": {"a": "2"}},
                {"batch_id": 2, "row_number": 4, "reason": "bad quantity", "detail": "q", "raw": {"a": "3"}},
            ],
        )


def test_counts_and_batches(engine):
    with Session(engine) as s:
        assert store_counts(session=s) == {"batches": 0, "transactions": 0, "customers": 0}
    seed(engine)
    with Session(engine) as s:
        assert store_counts(session=s) == {"batches": 2, "transactions": 4, "customers": 2}
        batches = list_batches(session=s)
    assert [b["id"] for b in batches] == [2, 1]
    assert batches[0]["size_bytes"] == 200 and batches[1]["source_name"] == "f1.csv"
    with Session(engine) as s:
        assert find_batch(session=s, batch_id=1) == batches[1]
        assert find_batch(session=s, batch_id=3) is None


def test_rejected_rows_paging_and_reasons(engine):
    seed(engine)
    with Session(engine) as s:
        rows, total = rejected_rows_page(session=s)
        assert total == 3 and [(r["batch_id"], r["row_number"]) for r in rows] == [(1, 3), (1, 9), (2, 4)]
        rows, total = rejected_rows_page(session=s, offset=1, limit=1)
        assert total == 3 and [r["row_number"] for r in rows] == [9]
        rows, total = rejected_rows_page(session=s, batch_id=2)
        assert total == 1 and rows[0]["raw"] == {"a": "3"}
        assert rejected_reason_counts(session=s) == [
            {"reason": "bad quantity", "rows": 2},
            {"reason": "bad date", "rows": 1},
        ]
        assert rejected_reason_counts(session=s, batch_id=1) == [
            {"reason": "bad date", "rows": 1},
            {"reason": "bad quantity", "rows": 1},
        ]
        assert [r["row_number"] for r in iter_rejected_rows(session=s, batch_id=1)] == [3, 9]
