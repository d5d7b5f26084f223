"""Ingestion on both backends: known answers, duplicates, idempotency, quarantined rows."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from tests.db.helpers import UCI_HEADER, counts, invoke, transactions, write_csv

ROWS = [
    ["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", "12/1/2010 8:26", "2.55", "17850", "United Kingdom"],
    ["536365", "71053", "WHITE METAL LANTERN", "6", "12/1/2010 8:26", "3.39", "17850.0", "United Kingdom"],
    ["536365", "71053", "WHITE METAL LANTERN", "6", "12/1/2010 8:26", "3.390", "17850", "United Kingdom"],
    ["C536379", "D", "Discount", "-1", "12/13/2010 9:41", "27.50", "14527", "United Kingdom"],
    ["536414", "22139", "", "56", "12/13/2010 11:52", "0", "", "United Kingdom"],
    ["536370", "POST", "POSTAGE", "3", "12/1/2010 8:45", "18", "12583", "France"],
]  # fmt: skip


def test_known_file_is_stored_once_with_exact_values(db_url, tmp_path):
    path = write_csv(tmp_path / "tiny.csv", ROWS)
    result = invoke("ingest", path, "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["status"] == "loaded"
    assert (summary["rows_read"], summary["rows_stored"], summary["duplicates"], summary["rejected"]) == (
        6, 5, 1, 0,
    )  # fmt: skip
    assert set(summary) >= {
        "batch_id", "status", "rows_read", "rows_stored", "duplicates", "rejected", "rejected_by_reason", "seconds",
    }  # fmt: skip
    # Postgres inserts in (date, digest) order, SQLite in file order: compare in a fixed order.
    lines = {t.stock_code: t for t in transactions(db_url)}
    assert sorted(lines) == ["22139", "71053", "85123A", "D", "POST"]
    heart = lines["85123A"]
    assert (heart.invoice_no, heart.quantity, heart.customer_id) == ("536365", 6, "17850")
    assert heart.invoice_date == datetime(2010, 12, 1, 8, 26)
    assert heart.unit_price == Decimal("2.5500")
    # "17850.0" is the same customer, "3.390" the same price: one line, not two.
    assert (lines["71053"].customer_id, lines["71053"].unit_price) == ("17850", Decimal("3.39"))
    postage, cancellation, no_customer = lines["POST"], lines["D"], lines["22139"]
    assert (cancellation.invoice_no, cancellation.quantity) == ("C536379", -1)
    assert no_customer.customer_id is None and no_customer.description is None
    assert no_customer.unit_price == Decimal("0")
    assert (postage.stock_code, postage.country) == ("POST", "France")


def test_reimport_adds_nothing_and_says_so(db_url, tmp_path):
    path = write_csv(tmp_path / "tiny.csv", ROWS)
    first = json.loads(invoke("ingest", path, "--db", db_url, "--json").output)
    again = invoke("ingest", path, "--db", db_url)
    assert again.exit_code == 0
    assert f"already imported as batch {first['batch_id']}" in again.output
    again_json = json.loads(invoke("ingest", path, "--db", db_url, "--json").output)
    assert again_json["status"] == "already_imported" and again_json["rows_stored"] == 0
    assert counts(db_url) == {"import_batches": 1, "transactions": 5, "rejected_rows": 0}


def test_overlapping_file_adds_only_new_lines(db_url, tmp_path):
    invoke("ingest", write_csv(tmp_path / "a.csv", ROWS[:4]), "--db", db_url)
    newer = [*ROWS[2:], ["536999", "22423", "REGENCY CAKESTAND 3 TIER", "2", "12/14/2010 10:00", "12.75", "13047", "United Kingdom"]]  # fmt: skip
    summary = json.loads(invoke("ingest", write_csv(tmp_path / "b.csv", newer), "--db", db_url, "--json").output)
    assert (summary["rows_read"], summary["rows_stored"], summary["duplicates"]) == (5, 3, 2)
    assert counts(db_url)["transactions"] == 6


def test_bad_rows_are_quarantined_and_the_rest_loads(db_url, tmp_path):
    rows = [
        ROWS[0],
        ["536366", "22633", "HAND WARMER", "six", "12/1/2010 8:28", "1.85", "17850", "United Kingdom"],
        ["536367", "84879", "BIRD ORNAMENT", "32", "2/30/2011 8:34", "1.69", "13047", "United Kingdom"],
        ["536368", "22960", "JAM MAKING SET", "6", "12/1/2010 8:34", "4.2.5", "13047", "United Kingdom"],
        ["536369", "21756", "BATH BUILDING BLOCK", "3", "12/13/2010 8:35", "5.95", "13047", "United Kingdom"],
    ]
    summary = json.loads(invoke("ingest", write_csv(tmp_path / "bad.csv", rows), "--db", db_url, "--json").output)
    assert (summary["rows_read"], summary["rows_stored"], summary["rejected"]) == (5, 2, 3)
    assert summary["rejected_by_reason"] == {"invalid date": 1, "invalid quantity": 1, "invalid unit price": 1}
    from sqlalchemy import select

    from db.models import RejectedRow
    from db.session import create_db_engine

    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        rejected = conn.execute(
            select(RejectedRow.row_number, RejectedRow.reason, RejectedRow.detail, RejectedRow.raw).order_by(
                RejectedRow.row_number
            )
        ).all()
    engine.dispose()
    # Row numbers as a spreadsheet shows them: the header is row 1.
    assert [(r.row_number, r.reason) for r in rejected] == [
        (3, "invalid quantity"), (4, "invalid date"), (5, "invalid unit price"),
    ]  # fmt: skip
    assert rejected[0].detail == "Quantity=six"
    assert rejected[1].raw["InvoiceDate"] == "2/30/2011 8:34"
    assert rejected[2].raw["UnitPrice"] == "4.2.5"


def test_rows_with_extra_fields_are_rejected(db_url, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "1,A,CUP,1,2011-01-05 10:00,1.5,100,UK\n"
        "2,B,PLATE, BLUE,1,2011-01-05 10:00,1.5,100,UK\n"
        "\n"
        "3,C,BOWL,2,2011-01-06 10:00,2.5,101,UK\n"
    )
    summary = json.loads(invoke("ingest", path, "--db", db_url, "--json").output)
    assert summary["rejected_by_reason"] == {"too many fields": 1}
    assert (summary["rows_read"], summary["rows_stored"]) == (3, 2)


def test_duplicates_across_chunks_are_stored_once(db_url, tmp_path):
    """Chunks are written one by one: a repeat in a later chunk must still be caught.

    Chunks of 2: the second repeats the first (dropped before sending), the last repeats the
    first line three chunks back (refused by the key: on Postgres that chunk is staged).
    """
    from sqlalchemy.orm import Session

    from db.ingest import IngestOptions, ingest_file
    from db.session import create_db_engine

    rows = ROWS[:2] * 2 + [ROWS[3], ROWS[4], ROWS[5], ROWS[0]]  # 8 lines, 5 distinct
    path = write_csv(tmp_path / "chunks.csv", rows)
    engine = create_db_engine(db_url)
    with Session(engine) as session, session.begin():
        result = ingest_file(path, session=session, options=IngestOptions(chunk_rows=2))
    engine.dispose()
    assert (result.rows_read, result.rows_stored, result.duplicates) == (8, 5, 3)
    assert counts(db_url)["transactions"] == 5


def test_odd_rows_keep_their_row_numbers(db_url, tmp_path):
    """Short, long and multi-line rows: each reject names the row a spreadsheet would show."""
    path = tmp_path / "odd.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"  # row 1
        '1,A,"CUP\nWITH HANDLE",1,2011-01-05 10:00,1.5,100,UK\n'  # row 2, two physical lines
        "2,B,PLATE,1,2011-01-05 10:00\n"  # row 3: short, no price
        "\n"  # row 4: blank
        "3,C,BOWL,2,2011-01-06 10:00,2.5,101,UK,x,y,z,1,2,3,4,5,6,7,8,9,10\n"  # row 5: 13 extra fields
        "4,D,JUG,x,2011-01-06 10:00,2.5,101,UK\n"  # row 6: bad quantity
        "5,E,MUG,1,2011-01-07 10:00,3,102\n"  # row 7: short, cut off before the country
    )
    summary = json.loads(invoke("ingest", path, "--db", db_url, "--json").output)
    assert (summary["rows_read"], summary["rows_stored"], summary["rejected"]) == (5, 1, 4)
    from sqlalchemy import select

    from db.models import RejectedRow, Transaction
    from db.session import create_db_engine

    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        rejected = conn.execute(select(RejectedRow.row_number, RejectedRow.reason).order_by("row_number")).all()
        stored = conn.execute(select(Transaction.description, Transaction.country).order_by("invoice_no")).all()
    engine.dispose()
    assert [tuple(r) for r in rejected] == [
        (3, "too few fields"), (5, "too many fields"), (6, "invalid quantity"), (7, "too few fields"),
    ]  # fmt: skip
    assert [tuple(r) for r in stored] == [("CUP\nWITH HANDLE", "UK")]
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        long = conn.execute(select(RejectedRow.detail, RejectedRow.raw).where(RejectedRow.row_number == 5)).one()
    engine.dispose()
    # Was: "extra fields" and the first 8 cells only: the download could not show the line.
    assert long.detail == "21 fields, header has 8"
    raw = long.raw if isinstance(long.raw, dict) else json.loads(long.raw)
    assert list(raw.values()) == "3,C,BOWL,2,2011-01-06 10:00,2.5,101,UK,x,y,z,1,2,3,4,5,6,7,8,9,10".split(",")
    assert list(raw)[8:10] == ["field 9", "field 10"]


def test_rows_cut_short_are_rejected_with_what_they_had(db_url, tmp_path):
    """A CSV line with fewer fields than the header is cut off: quarantined like a long one, not
    stored with its last fields empty. Unnamed columns closing the header may be left out."""
    from sqlalchemy import select

    from db.models import RejectedRow
    from db.session import create_db_engine

    path = tmp_path / "cut.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country,,\n"
        "1,A,x,1,2011-01-01 10:00,1.00,C1,UK,,\n"
        "2,A,x,1,2011-01-01 10:00,1.00,C2,UK,,,extra\n"
        "3,A,x,1,2011-01-01 10:00,1.00\n"  # row 4: cut off before the customer
        "4,A,x,1,2011-01-01 10:00,1.00,C4,UK\n"  # row 5: only the unnamed columns left out
    )
    summary = json.loads(invoke("ingest", path, "--db", db_url, "--json").output)
    assert summary["rejected_by_reason"] == {"too few fields": 1, "too many fields": 1}
    assert (summary["rows_read"], summary["rows_stored"]) == (4, 2)
    assert sorted((t.invoice_no, t.customer_id, t.country) for t in transactions(db_url)) == [
        ("1", "C1", "UK"), ("4", "C4", "UK"),
    ]  # fmt: skip
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        cut = conn.execute(select(RejectedRow).where(RejectedRow.reason == "too few fields")).one()
    engine.dispose()
    assert (cut.row_number, cut.detail) == (4, "6 fields, header has 8")
    # The cells it had, and no padding: a missing cell is not an empty one.
    assert cut.raw == {
        "InvoiceNo": "3", "StockCode": "A", "Description": "x", "Quantity": "1",
        "InvoiceDate": "2011-01-01 10:00", "UnitPrice": "1.00",
    }  # fmt: skip


def test_sheet_rows_without_their_last_cells_load(db_url, tmp_path):
    """In a workbook a missing cell is an empty one, not a cut-off line."""
    import openpyxl
    workbook = openpyxl.Workbook()
    workbook.active.append(UCI_HEADER)
    workbook.active.append(["1", "A", "x", 1, datetime(2011, 1, 1, 10), 1.0, "C1", "UK"])
    workbook.active.append(["3", "A", "x", 1, datetime(2011, 1, 1, 10), 1.0])
    path = tmp_path / "short.xlsx"
    workbook.save(path)
    summary = json.loads(invoke("ingest", path, "--db", db_url, "--json").output)
    assert (summary["rows_stored"], summary["rejected"]) == (2, 0)
    assert sorted((t.invoice_no, t.customer_id, t.country) for t in transactions(db_url)) == [
        ("1", "C1", "UK"), ("3", None, None),
    ]  # fmt: skip


def test_row_numbers_stay_right_across_chunks(db_url, tmp_path):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from db.ingest import IngestOptions, ingest_file
    from db.models import RejectedRow
    from db.session import create_db_engine

    good = ["1", "A", "CUP", "1", "2011-01-05 10:00", "1.5", "100", "UK"]
    rows = [[*good[:3], str(i), *good[4:]] for i in range(1, 8)]
    rows[2] = rows[2][:5]  # row 4: short
    rows[5][3] = "many"  # row 7: bad quantity
    path = write_csv(tmp_path / "chunks.csv", rows)
    engine = create_db_engine(db_url)
    with Session(engine) as session, session.begin():
        result = ingest_file(path, session=session, options=IngestOptions(chunk_rows=2))
        numbers = session.scalars(select(RejectedRow.row_number).order_by(RejectedRow.row_number)).all()
    engine.dispose()
    assert (result.rows_read, result.rows_stored, result.rejected) == (7, 5, 2)
    assert numbers == [4, 7]


def _transaction_indexes(db_url):
    from sqlalchemy import inspect

    from db.session import create_db_engine

    engine = create_db_engine(db_url)
    try:
        return sorted(ix["name"] for ix in inspect(engine).get_indexes("transactions"))
    finally:
        engine.dispose()


def test_first_load_builds_the_secondary_index_afterwards(db_url, tmp_path):
    """An empty table loads without its (customer, date) index, which is built at the end."""
    from sqlalchemy import text

    from db.session import create_db_engine

    before = _transaction_indexes(db_url)
    assert "ix_transactions_customer_date" in before
    invoke("ingest", write_csv(tmp_path / "a.csv", ROWS), "--db", db_url)
    assert _transaction_indexes(db_url) == before
    # A refused file on an empty table leaves the index in place (the drop is rolled back) ...
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM transactions"))
    engine.dispose()
    ambiguous = write_csv(tmp_path / "amb.csv", [[*ROWS[0][:4], "1/2/2011 10:00", *ROWS[0][5:]]])
    assert invoke("ingest", ambiguous, "--db", db_url).exit_code == 2
    assert _transaction_indexes(db_url) == before
    # ... and the index answers for the stored lines.
    invoke("ingest", write_csv(tmp_path / "b.csv", ROWS[::-1]), "--db", db_url)
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))
            plan = conn.execute(text("EXPLAIN SELECT invoice_date FROM transactions WHERE customer_id = '17850'"))
        else:
            plan = conn.execute(text("EXPLAIN QUERY PLAN SELECT invoice_date FROM transactions WHERE customer_id = '17850'"))
        assert "ix_transactions_customer_date" in " ".join(str(row) for row in plan)
        assert conn.scalar(text("SELECT count(*) FROM transactions WHERE customer_id = '17850'")) == 2
    engine.dispose()


def test_extreme_values_are_stored_exactly(db_url, tmp_path):
    # Postgres receives these as binary COPY fields (numeric digits, microseconds since 2000).
    rows = [
        ["A1", "B", "Bad debt", "1", "1999-12-31 23:59:59", "-11062.06", "", "United Kingdom"],
        ["A2", "X", "Crème brûlée – ☕", "-1", "2011-12-09 12:50:00", "9999999999.9999", "1", "Ísland"],
        ["A3", "Y", "tiny", "2147483647", "1970-01-01 00:00:00", "0.0001", "12346", ""],
        ["A4", "Z", None, "-2147483647", "2038-01-19 03:14:08", "-0.0001", "", ""],
    ]
    path = write_csv(tmp_path / "edges.csv", rows)
    result = invoke("ingest", path, "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    lines = {t.invoice_no: t for t in transactions(db_url)}
    got = {k: (t.quantity, t.invoice_date, t.unit_price, t.description, t.customer_id, t.country) for k, t in lines.items()}
    assert got == {
        "A1": (1, datetime(1999, 12, 31, 23, 59, 59), Decimal("-11062.06"), "Bad debt", None, "United Kingdom"),
        "A2": (-1, datetime(2011, 12, 9, 12, 50), Decimal("9999999999.9999"), "Crème brûlée – ☕", "1", "Ísland"),
        "A3": (2147483647, datetime(1970, 1, 1), Decimal("0.0001"), "tiny", "12346", None),
        "A4": (-2147483647, datetime(2038, 1, 19, 3, 14, 8), Decimal("-0.0001"), None, None, None),
    }


def test_the_summary_keeps_its_numbers_in_one_column_under_long_reasons(db_url, tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["1", "A", "x", "1", "2011-01-05 10:00", "1", "C1", "UK"],
            ["2", "A", "x", "1", "2011-01-05 10:00", "10000000000", "C1", "UK"],
            ["3", "A", "x", "2", "2011-01-05 10:00", "6000000000", "C1", "UK"],
        ],
    )
    result = invoke("ingest", path, "--db", db_url)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()[1:]
    assert [line.split()[-1] for line in lines] == ["3", "1", "0", "2", "1", "1"]
    assert len({len(line) for line in lines}) == 1, lines  # the numbers end in one column
