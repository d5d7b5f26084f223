"""Files with line totals instead of unit prices: revenue is the file's totals to the penny in the
trends (rollup and lines), RFM and the rollup, though the derived unit price is rounded."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.rfm import compute_rfm
from db.models import InvoiceRollup
from db.rollup import rebuild
from db.session import create_db_engine
from tests.db.helpers import ingest_json, transactions, trends_kpis, write_csv

HEADER = ["invoice", "date", "customer", "qty", "amount"]
MAP = [
    *("--map", "invoice_no=invoice", "--map", "invoice_date=date", "--map", "customer_id=customer"),
    *("--map", "quantity=qty", "--map", "line_total=amount"),
]
# 3 for 10.00 is 3.3333 each, 7 for 1.00 is 0.1429: quantity x price makes 11.0002.
LINES = [["A1", "2011-03-05 10:00", "C1", "3", "10.00"], ["A2", "2011-03-06 10:00", "C1", "7", "1.00"]]


def _rollup(engine) -> dict[str, int]:
    with Session(engine) as session:
        return dict(session.execute(select(InvoiceRollup.invoice_no, InvoiceRollup.revenue)).all())


def _monetary(engine) -> dict[str, float]:
    with Session(engine) as session:
        frame = compute_rfm(session=session).frame
    return dict(zip(frame["customer_id"], frame["monetary"], strict=True))


def test_revenue_is_the_files_line_totals(db_url, tmp_path):
    assert ingest_json(db_url, write_csv(tmp_path / "a.csv", LINES, header=HEADER), *MAP)["rows_stored"] == 2
    stored = [(t.invoice_no, t.quantity, t.unit_price, t.line_total) for t in transactions(db_url)]
    assert stored == [
        ("A1", 3, Decimal("3.3333"), Decimal("10")),
        ("A2", 7, Decimal("0.1429"), Decimal("1")),
    ]
    assert trends_kpis(db_url)["revenue"] == 11.0  # the default rules: from the rollup
    assert trends_kpis(db_url, "net")["revenue"] == 11.0  # other rules: from the lines in SQL
    engine = create_db_engine(db_url)
    assert _rollup(engine) == {"A1": 100_000, "A2": 10_000}
    assert _monetary(engine) == {"C1": 11.0}
    with Session(engine) as session, session.begin():  # the rollup summed again from the lines
        rebuild(session=session)
    assert _rollup(engine) == {"A1": 100_000, "A2": 10_000}

    # An overlapping export: on Postgres its chunk goes through staging, which keeps the totals.
    more = [*LINES, ["A3", "2011-03-07 10:00", "C1", "3", "10.01"]]
    summary = ingest_json(db_url, write_csv(tmp_path / "b.csv", more, header=HEADER), *MAP)
    assert (summary["rows_stored"], summary["duplicates"]) == (1, 2)
    assert transactions(db_url)[-1].line_total == Decimal("10.01")
    assert trends_kpis(db_url)["revenue"] == trends_kpis(db_url, "net")["revenue"] == 21.01
    assert _rollup(engine)["A3"] == 100_100
    assert _monetary(engine) == {"C1": 21.01}
    engine.dispose()


def test_a_sale_read_from_unit_prices_and_then_from_totals_is_one_line(db_url, tmp_path):
    """3 at 3.3333 and 3 for 10.00: one sale in two exports (the price rounds the total). Was,
    with the total in the digest: stored twice, 20.00 of revenue instead of 10.00 (likewise a
    re-import of lines stored before totals were kept)."""
    prices = [["A1", "2011-03-05 10:00", "C1", "3", "3.3333"]]
    by_price = [arg.replace("line_total=", "unit_price=") for arg in MAP]
    ingest_json(db_url, write_csv(tmp_path / "p.csv", prices, header=HEADER), *by_price)
    summary = ingest_json(db_url, write_csv(tmp_path / "t.csv", LINES, header=HEADER), *MAP)
    assert (summary["rows_stored"], summary["duplicates"]) == (1, 1)
    assert [(t.invoice_no, t.line_total) for t in transactions(db_url)] == [("A1", None), ("A2", Decimal("1"))]
    assert trends_kpis(db_url)["revenue"] == trends_kpis(db_url, "net")["revenue"] == 10.9999  # 9.9999 + 1.00


def test_a_total_the_price_reproduces_is_the_line_a_unit_price_export_has(db_url, tmp_path):
    """4 for 10.00 is 2.50 each exactly: the same line as 4 at 2.50, so the exports overlap."""
    prices = [["A1", "2011-03-05 10:00", "C1", "4", "2.50"]]
    by_price = [arg.replace("line_total=", "unit_price=") for arg in MAP]
    ingest_json(db_url, write_csv(tmp_path / "p.csv", prices, header=HEADER), *by_price)
    totals = [["A1", "2011-03-05 10:00", "C1", "4", "10.00"], LINES[0]]
    summary = ingest_json(db_url, write_csv(tmp_path / "t.csv", totals, header=HEADER), *MAP)
    assert (summary["rows_stored"], summary["duplicates"]) == (1, 1)
    assert trends_kpis(db_url)["revenue"] == 20.0


def test_a_total_over_the_limit_is_refused_though_quantity_x_price_is_under(db_url, tmp_path):
    # 10^10 / 7 rounds to 1428571428.5714, whose 7 make 9999999999.9998.
    rows = [["A1", "2011-03-05 10:00", "C1", "7", "10000000000"], LINES[0]]
    summary = ingest_json(db_url, write_csv(tmp_path / "a.csv", rows, header=HEADER), *MAP)
    assert summary["rows_stored"] == 1
    assert summary["rejected_by_reason"] == {"line total out of range": 1}


def test_unit_price_files_store_no_total_and_digest_as_before(db_url, tmp_path):
    rows = [
        ["536365", "85123A", "LANTERN", "6", "2011-01-05 10:00", "2.55", "17850", "United Kingdom"],
        ["536366", "22633", "HAND WARMER", "7", "2011-01-05 11:00", "0.1429", "", "United Kingdom"],
    ]
    assert ingest_json(db_url, write_csv(tmp_path / "uci.csv", rows))["rows_stored"] == 2
    stored = transactions(db_url)
    assert [t.line_total for t in stored] == [None, None]
    # The digest of the normalised fields alone: lines stored before totals were kept still match.
    fields = "536365\x1f85123A\x1fLANTERN\x1f6\x1f2011-01-05 10:00:00\x1f2.5500\x1f17850\x1fUnited Kingdom"
    assert bytes(stored[0].line_hash) == hashlib.md5(fields.encode()).digest()  # noqa: S324
    kpis = trends_kpis(db_url)
    assert (kpis["revenue"], kpis["without_customer_revenue"]) == (15.3, 1.0003)


def test_a_total_beside_a_unit_price_is_the_lines_revenue(db_url, tmp_path):
    """Unit prices to the penny and exact totals (LineTotal is a known header): was, the totals
    were dropped and revenue was 3 x 3.33 + 7 x 0.14 = 10.97 instead of 11.00. A total that
    contradicts the sign of quantity x price (a refund written unsigned), an empty one or one
    that is no number leaves quantity x price, and quarantines nothing."""
    header = ["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "LineTotal"]
    rows = [
        ["A1", "3", "2011-03-05 10:00", "3.33", "C1", "10.00"],
        ["A2", "7", "2011-03-06 10:00", "0.14", "C1", "1.00"],
        ["CA3", "-1", "2011-03-07 10:00", "2.55", "C1", "2.55"],  # unsigned refund
        ["A4", "2", "2011-03-08 10:00", "1.50", "C1", ""],
        ["A5", "1", "2011-03-09 10:00", "1.234", "C1", "n/a"],
    ]
    summary = ingest_json(db_url, write_csv(tmp_path / "both.csv", rows, header=header))
    assert (summary["rows_stored"], summary["rejected"]) == (5, 0)
    stored = {t.invoice_no: t.line_total for t in transactions(db_url)}
    assert stored == {"A1": Decimal("10"), "A2": Decimal("1"), "CA3": None, "A4": None, "A5": None}
    assert trends_kpis(db_url)["revenue"] == 15.234  # 10.00 + 1.00 + 2 x 1.50 + 1.234
    assert trends_kpis(db_url, "net")["revenue"] == 12.684  # less the refund, quantity x price
    engine = create_db_engine(db_url)
    assert _monetary(engine) == {"C1": 15.234}
    engine.dispose()


def test_a_totals_only_file_names_the_total_out_of_range(db_url, tmp_path):
    """No unit price and no quantity: the price is the total, and the total is what is too big."""
    rows = [["2011-03-05 10:00", "C1", "10000000000"], ["2011-03-05 11:00", "C1", "5.00"]]
    path = write_csv(tmp_path / "t.csv", rows, header=["date", "customer", "total"])
    summary = ingest_json(
        db_url, path, "--map", "invoice_date=date", "--map", "customer_id=customer", "--map", "line_total=total"
    )
    assert (summary["rows_stored"], summary["rejected_by_reason"]) == (1, {"line total out of range": 1})
