"""Insert hand-written transaction lines (Core insert, one batch), for tests with known answers."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine, insert

from db.models import ImportBatch, Transaction

# (invoice_no, stock_code, quantity, invoice_date, unit_price, customer_id, country)
Line = tuple[str, str | None, int, str, str, str | None, str | None]

# A tiny store with every cleaning case; expected figures are worked out in the tests.
SAMPLE_LINES: tuple[Line, ...] = (
    ("536001", "X1", 2, "2011-01-10 10:00", "1.50", "12345", "United Kingdom"),
    ("536001", "POST", 1, "2011-01-10 10:00", "18.00", "12345", "United Kingdom"),
    ("536002", "Y1", 10, "2011-03-05 09:30", "0.85", "12345", "United Kingdom"),
    ("536002", "Z1", 1, "2011-03-05 09:30", "0.00", "12345", "United Kingdom"),  # zero price
    ("C536003", "Y1", -2, "2011-03-06 08:00", "0.85", "12345", "United Kingdom"),  # return
    ("536004", "A1", 3, "2011-02-01 12:00", "2.10", "12346", "France"),
    ("536005", "A2", 1, "2011-02-15 12:00", "4.25", "12346", "France"),
    ("536006", "A3", 6, "2011-03-01 12:00", "1.25", "12346", "Germany"),
    ("536009", "A4", 100, "2011-04-01 15:00", "1.00", "12346", "Germany"),  # after as_of 03-31
    ("536007", "gift_0001_20", 1, "2011-03-10 11:00", "16.67", "12347", "United Kingdom"),
    ("536008", "B1", 4, "2011-03-20 11:00", "0.42", "12347", "United Kingdom"),
    ("536010", "m", 1, "2011-03-25 10:00", "2.00", "12348", "United Kingdom"),  # manual only
    ("536011", "X1", 5, "2011-03-02 10:00", "3.00", None, "United Kingdom"),  # no customer
    ("C536012", "A1", -1, "2011-02-20 10:00", "5.00", "12349", "France"),  # return, no sale
)


def insert_lines(*, engine: Engine, lines: tuple[Line, ...] | list[Line] = SAMPLE_LINES) -> None:
    rows = [
        {
            "batch_id": 1,
            "invoice_no": invoice,
            "stock_code": code,
            "description": None,
            "quantity": quantity,
            "invoice_date": datetime.fromisoformat(when),
            "unit_price": Decimal(price),
            "customer_id": customer,
            "country": country,
            "line_hash": hashlib.md5(f"{i}".encode()).digest(),
        }
        for i, (invoice, code, quantity, when, price, customer, country) in enumerate(lines)
    ]
    with engine.begin() as conn:
        batch = {"id": 1, "source_name": "hand", "sha256": "0" * 64, "size_bytes": 0}
        conn.execute(insert(ImportBatch), [{**batch, "started_at": datetime(2026, 1, 1)}])
        conn.execute(insert(Transaction), rows)
