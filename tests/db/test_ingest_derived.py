"""Files without invoice numbers or quantities: derived invoice numbers and refunds, as the
analytics then see them (the trends under the default rules answer from the import's rollup,
``--returns net`` from the cleaning rules in SQL)."""

from __future__ import annotations

from decimal import Decimal

from tests.db.helpers import ingest_json, transactions, trends_kpis, write_csv

LINE_TOTALS = ["--map", "invoice_date=order_time", "--map", "line_total=amount", "--map", "customer_id=client"]


def test_customer_ids_starting_with_c_do_not_make_sales_cancellations(db_url, tmp_path):
    rows = [
        ["05/03/2011 10:00", "12.50", "C1"],
        ["05/03/2011 10:00", "7.50", "C1"],  # the same order: one invoice
        ["26/03/2011 11:00", "20.00", "CUST42"],
        ["26/03/2011 11:05", "4.00", "c7"],
    ]
    path = write_csv(tmp_path / "lt.csv", rows, header=["order_time", "amount", "client"])
    assert ingest_json(db_url, path, *LINE_TOTALS)["rows_stored"] == 4
    numbers = {t.invoice_no for t in transactions(db_url)}
    assert numbers == {"20110305100000-C1", "20110326110000-CUST42", "20110326110500-c7"}
    kpis = trends_kpis(db_url)
    assert (kpis["revenue"], kpis["orders"], kpis["customers"]) == (44.0, 3, 3)
    assert trends_kpis(db_url, "net")["revenue"] == 44.0

    # The numbers are the same on every import: an overlapping file adds only its new line.
    again = write_csv(tmp_path / "lt2.csv", [*rows, ["27/03/2011 09:00", "1.00", "C1"]],
                      header=["order_time", "amount", "client"])  # fmt: skip
    summary = ingest_json(db_url, again, *LINE_TOTALS)
    assert (summary["rows_stored"], summary["duplicates"]) == (1, 4)


def test_negative_line_total_without_quantity_is_a_return(db_url, tmp_path):
    rows = [
        ["2011-03-05 10:00", "12.50", "C1"],
        ["2011-03-26 11:00", "30.00", "C2"],
        ["2011-03-26 11:00", "-25.00", "C2"],  # a refund at the same second: its own invoice
        ["2011-03-28 09:00", "-0", "C2"],  # zero: neither
    ]
    path = write_csv(tmp_path / "refunds.csv", rows, header=["order_time", "amount", "client"])
    assert ingest_json(db_url, path, *LINE_TOTALS)["rows_stored"] == 4
    stored = {(t.invoice_no, t.quantity, t.unit_price) for t in transactions(db_url)}
    assert stored == {
        ("20110305100000-C1", 1, Decimal("12.5")),
        ("20110326110000-C2", 1, Decimal("30")),
        ("C20110326110000-C2", -1, Decimal("25")),
        ("20110328090000-C2", 1, Decimal("0")),
    }
    assert trends_kpis(db_url)["revenue"] == 42.5
    net = trends_kpis(db_url, "net")
    assert (net["revenue"], net["orders"], net["customers"]) == (17.5, 2, 2)

    # The same refund row normalises to the same line: it is a duplicate, not a second refund.
    again = write_csv(tmp_path / "refunds2.csv", rows[2:], header=["order_time", "amount", "client"])
    summary = ingest_json(db_url, again, *LINE_TOTALS)
    assert (summary["rows_stored"], summary["duplicates"]) == (0, 2)
    assert trends_kpis(db_url, "net")["revenue"] == 17.5


def test_refund_on_the_files_own_cancellation_number(db_url, tmp_path):
    header = ["InvoiceNo", "InvoiceDate", "LineTotal", "CustomerID"]
    rows = [["536365", "2011-03-05 10:00", "40", "17850"], ["C536379", "2011-03-06 10:00", "-15", "17850"]]
    ingest_json(db_url, write_csv(tmp_path / "own.csv", rows, header=header))
    refund = [t for t in transactions(db_url) if t.invoice_no == "C536379"][0]
    assert (refund.quantity, refund.unit_price) == (-1, Decimal("15"))
    assert (trends_kpis(db_url)["revenue"], trends_kpis(db_url, "net")["revenue"]) == (40.0, 25.0)


def test_with_a_quantity_column_the_signs_stay_as_written(db_url, tmp_path):
    """Quantity and total both negative: a return (price 25); a positive quantity with a
    negative total is a negative price, stored like the UCI data's adjustments, and not counted."""
    header = ["order_time", "qty", "amount", "client"]
    rows = [
        ["2011-03-05 10:00", "4", "100", "C1"],
        ["2011-03-06 10:00", "-2", "-50", "C1"],
        ["2011-03-07 10:00", "2", "-50", "C1"],
    ]
    ingest_json(db_url, write_csv(tmp_path / "q.csv", rows, header=header), *LINE_TOTALS, "--map", "quantity=qty")
    stored = {(t.invoice_no, t.quantity, t.unit_price) for t in transactions(db_url)}
    assert stored == {
        ("20110305100000-C1", 4, Decimal("25")),
        ("C20110306100000-C1", -2, Decimal("25")),
        ("20110307100000-C1", 2, Decimal("-25")),
    }
    assert (trends_kpis(db_url)["revenue"], trends_kpis(db_url, "net")["revenue"]) == (100.0, 50.0)
