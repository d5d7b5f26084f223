"""Refused files: one clear line on stderr, exit code 2, no traceback, database unchanged."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from db.ingest.columns import ALIASES, normalise_header
from db.models import RejectedRow
from db.session import create_db_engine
from tests.db.helpers import UCI_HEADER, counts, invoke, transactions, write_csv

LINE = ["536365", "85123A", "HEART", "6", "12/1/2010 8:26", "2.55", "17850", "United Kingdom"]


def _segments(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from webapp.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    good = write_csv(tmp / "good.csv", [LINE] * 50 + [[*LINE[:3], str(i), *LINE[4:]] for i in range(2000)])
    empty = tmp / "empty.csv"
    empty.write_bytes(b"")
    header_only = write_csv(tmp / "header.csv", [])
    junk = tmp / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 64)
    fake_xlsx = tmp / "fake.xlsx"
    fake_xlsx.write_text("InvoiceNo,StockCode\n1,2\n")
    broken_xlsx = tmp / "broken.xlsx"
    broken_xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    no_price = write_csv(tmp / "noprice.csv", [["1", "2010-12-01 08:26"]], header=["Invoice", "InvoiceDate"])
    truncated = tmp / "truncated.csv.gz"
    truncated.write_bytes(gzip.compress(good.read_bytes())[:-200])
    # Past the first block (1 MiB of text) the reader, not the opening look, meets the damage.
    big = gzip.compress(write_csv(tmp / "big.csv", [[*LINE[:3], str(i), *LINE[4:]] for i in range(20_000)]).read_bytes())
    long_truncated = tmp / "long_truncated.csv.gz"
    long_truncated.write_bytes(big[: len(big) * 3 // 4])
    bad_crc = tmp / "bad_crc.csv.gz"
    bad_crc.write_bytes(big[:-8] + bytes(b ^ 0xFF for b in big[-8:-4]) + big[-4:])
    ambiguous = write_csv(tmp / "ambiguous.csv", [[*LINE[:4], "1/2/2011 10:00", *LINE[5:]]])
    return {
        "good": (good, ""),
        "missing": (tmp / "nope.csv", "file not found"),
        "empty": (empty, "the file is empty"),
        "header only": (header_only, "no data rows after the header"),
        "binary junk": (junk, "binary data"),
        "not a workbook": (fake_xlsx, "not an Excel workbook"),
        "broken workbook": (broken_xlsx, "not a readable Excel workbook"),
        "missing columns": (no_price, "missing required columns: unit_price or line_total"),
        "truncated gzip": (truncated, "truncated gzip file"),
        "long truncated gzip": (long_truncated, "truncated gzip file"),
        "gzip CRC mismatch": (bad_crc, "corrupt gzip file (zlib inflate failed: incorrect data check"),
        "ambiguous dates": (ambiguous, "ambiguous dates"),
    }


KINDS = [
    "missing", "empty", "header only", "binary junk", "not a workbook", "broken workbook",
    "missing columns", "truncated gzip", "long truncated gzip", "gzip CRC mismatch", "ambiguous dates",
]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_refused_file_leaves_database_unchanged(db_url, tmp_path, kind):
    invoke("ingest", write_csv(tmp_path / "before.csv", [LINE]), "--db", db_url)
    before = counts(db_url)
    path, message = _bad_files(tmp_path)[kind]
    result = _segments("ingest", path, "--db", db_url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {path}: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert counts(db_url) == before


def test_missing_columns_are_named_with_the_columns_found(tmp_path, db_url):
    path = write_csv(tmp_path / "odd.csv", [["1", "x"]], header=["Order", "When"])
    result = _segments("ingest", path, "--db", db_url)
    assert result.returncode == 2
    assert "missing required columns: invoice_date (e.g. InvoiceDate)" in result.stderr
    assert "columns found: Order, When" in result.stderr


def test_bad_mapping_is_refused(tmp_path, db_url):
    path = write_csv(tmp_path / "x.csv", [LINE])
    result = _segments("ingest", path, "--db", db_url, "--map", "price=UnitPrice")
    assert result.returncode == 2 and "unknown field 'price'" in result.stderr
    result = _segments("ingest", path, "--db", db_url, "--map", "unit_price=Cost")
    assert result.returncode == 2 and "no column 'Cost'" in result.stderr
    assert "columns found: " + ", ".join(UCI_HEADER) in result.stderr


def test_a_field_mapped_twice_is_refused(tmp_path, db_url):
    """Last one won: countries were loaded as customer ids. One column may feed two fields."""
    line = [*LINE[:4], "12/13/2010 8:26", *LINE[5:]]
    assert invoke("ingest", write_csv(tmp_path / "before.csv", [line]), "--db", db_url).exit_code == 0
    before = counts(db_url)
    path = write_csv(tmp_path / "tiny.csv", [[*line[:3], "7", *line[4:]]])
    twice = ("--map", "customer_id=CustomerID", "--map", "Customer_ID=Country")
    result = _segments("ingest", path, "--db", db_url, *twice)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: {path}: --map 'Customer_ID=Country': field 'customer_id' given twice "
        "(also as customer_id=CustomerID)\n"
    )
    assert counts(db_url) == before
    shared = ("--map", "stock_code=Description", "--map", "description=Description")
    assert _segments("ingest", path, "--db", db_url, *shared).returncode == 0
    (line,) = [t for t in transactions(db_url) if t.quantity == 7]
    assert (line.stock_code, line.description, line.customer_id) == ("HEART", "HEART", "17850")


def test_refused_file_leaves_no_new_database_file(tmp_path):
    db_file = tmp_path / "db" / "fresh.db"
    db_file.parent.mkdir()
    files = _bad_files(tmp_path)
    for kind in ("missing", "empty", "binary junk", "missing columns", "ambiguous dates"):
        result = _segments("ingest", files[kind][0], "--db", f"sqlite:///{db_file}")
        assert result.returncode == 2 and files[kind][1] in result.stderr
        assert list(db_file.parent.iterdir()) == [], kind  # no database, no -wal/-shm, no staging file
    result = _segments("ingest", files["good"][0], "--db", db_file, "--date-format", "%m/%d/%Y %H:%M")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in db_file.parent.iterdir()] == ["fresh.db"]
    assert counts(f"sqlite:///{db_file}")["transactions"] == 2000  # quantity 6 is LINE again


def test_refused_file_on_an_existing_empty_file_leaves_it_empty(tmp_path):
    db_file = tmp_path / "fresh.db"
    db_file.touch()  # an existing (empty) file stays, and gets no schema either
    result = _segments("ingest", _bad_files(tmp_path)["binary junk"][0], "--db", f"sqlite:///{db_file}")
    assert result.returncode == 2
    # Not even the schema was created: the migration ran inside the refused transaction.
    import sqlite3

    with sqlite3.connect(db_file) as conn:
        assert conn.execute("select count(*) from sqlite_master").fetchone() == (0,)


def test_unreachable_database_is_one_line(tmp_path):
    path = write_csv(tmp_path / "x.csv", [LINE])
    result = _segments("ingest", path, "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.startswith("error: postgresql+psycopg://nobody@127.0.0.1:1/none: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_wrong_forced_encoding_is_one_line_wherever_the_bad_byte_is(tmp_path, db_url):
    """Past the first 64 KB the byte is met by the parser itself, not by the look at the first block."""
    rows = [[*LINE[:3], str(i), *LINE[4:]] for i in range(3000)] + [[*LINE[:2], "CAFÉ", *LINE[3:]]]
    path = write_csv(tmp_path / "latin.csv", rows, encoding="latin-1")
    assert path.stat().st_size > 65536
    result = _segments("ingest", path, "--db", db_url, "--encoding", "utf-8")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {path}: cannot decode the file as utf-8")
    assert counts(db_url) == {"import_batches": 0, "transactions": 0, "rejected_rows": 0}


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--date-format", "%Q"), "--date-format '%Q' is not usable: 'Q' is a bad directive"),
        (("--date-format", "%"), "--date-format '%' is not usable: stray %"),
        (("--delimiter", "||"), "--delimiter must be one ASCII character (or \\t for tab), not '||'"),
        (("--delimiter", "§"), "--delimiter must be one ASCII character (or \\t for tab), not '§'"),
        (("--date-format", "%Y-%m-%d %H:%M%z"), "--date-format: leave %z/%Z out"),
        (("--encoding", "klingon"), "unknown encoding 'klingon'"),
    ],
)
def test_unusable_options_are_refused_in_one_line(tmp_path, db_url, option, message):
    path = write_csv(tmp_path / "x.csv", [LINE])
    result = _segments("ingest", path, "--db", db_url, *option)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: {message}")


def test_two_imports_of_one_file_at_once(tmp_path, postgres_url):
    """Whichever commits second stores nothing and says so in one line (it was a traceback)."""
    rows = [[*LINE[:3], str(q), "2011-12-09 08:26", *LINE[5:]] for q in range(1, 60_001)]
    path = write_csv(tmp_path / "big.csv", rows)
    cmd = [sys.executable, "-c", "from webapp.cli import main; main()", "ingest", path, "--db", postgres_url]
    procs = [subprocess.Popen([*map(str, cmd), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]  # noqa: E501
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert all("Traceback" not in err for _, err, _ in results), results
    loaded = [json.loads(out) for out, _, code in results if code == 0 and '"loaded"' in out]
    assert len(loaded) == 1 and loaded[0]["rows_stored"] == 60_000, results
    for out, err, code in results:
        if code == 2:  # the two overlapped: the second learnt of the first only at its commit
            assert err.strip() == f"error: {path}: another import of this file finished first; nothing added"
        else:
            assert code == 0 and json.loads(out)["status"] in ("loaded", "already_imported"), err
    assert counts(postgres_url)["transactions"] == 60_000


@pytest.mark.parametrize("option", [("--delimiter", ";"), ("--encoding", "cp1252")])
def test_csv_options_on_a_workbook_are_refused(tmp_path, db_url, option):
    import openpyxl
    workbook = openpyxl.Workbook()
    workbook.active.append(["InvoiceDate", "UnitPrice"])
    workbook.active.append(["2011-01-05 10:00", 2.5])
    path = tmp_path / "x.xlsx"
    workbook.save(path)
    result = _segments("ingest", path, "--db", db_url, *option)
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: --delimiter and --encoding are for CSV files; this is an Excel workbook\n"
    assert counts(db_url) == {"import_batches": 0, "transactions": 0, "rejected_rows": 0}


def _refused(path: Path, db_url: str, *options: str) -> str:
    """The one line a refused import prints (exit 2, nothing stored)."""
    before = counts(db_url)
    result = _segments("ingest", path, "--db", db_url, *options)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: ")
    assert counts(db_url) == before
    return line.removeprefix(f"error: {path}: ")


def test_a_field_two_columns_could_give_is_refused_until_mapped(tmp_path, db_url):
    """Both layouts' names in one header: the first column of each was taken without a word."""
    header = ["Invoice", "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "UnitPrice",
              "Customer ID", "CustomerID", "Country"]  # fmt: skip
    line = ["536365", "X1", "85123A", "HEART", "6", "12/13/2010 8:26", "2.55", "9.99", "17850", "K9", "UK"]
    path = write_csv(tmp_path / "both.csv", [line], header=header)
    assert _refused(path, db_url) == (
        "ambiguous columns: invoice_no could be read from 'Invoice' (column 1) or 'InvoiceNo' (column 2); "
        "pick one with --map invoice_no=COLUMN"
    )
    picks = ["--map", "invoice_no=InvoiceNo", "--map", "unit_price=Price"]
    assert "ambiguous columns: customer_id could be read from 'Customer ID' (column 9) or 'CustomerID' (column 10)" in (
        _refused(path, db_url, *picks)
    )
    assert _refused(path, db_url, *picks, "--map", "customer_id=customer id") == (
        "--map customer_id=customer id: ambiguous, it names 'Customer ID' (column 9) or 'CustomerID' (column 10); "
        "give the column's exact name"
    )
    result = _segments("ingest", path, "--db", db_url, *picks, "--map", "customer_id=Customer ID")
    assert result.returncode == 0, result.stderr
    (stored,) = transactions(db_url)
    assert (stored.invoice_no, stored.unit_price, stored.customer_id) == ("X1", Decimal("2.55"), "17850")


def test_a_repeated_column_is_refused_where_a_field_reads_it(tmp_path, db_url):
    header = [*UCI_HEADER, "CustomerID", "Notes", "Notes"]  # repeated Notes feed nothing: ignored
    line = [*LINE[:4], "12/13/2010 8:26", *LINE[5:], "K9", "a", "b"]
    path = write_csv(tmp_path / "twice.csv", [line], header=header)
    assert _refused(path, db_url) == (
        "ambiguous columns: customer_id could be read from 'CustomerID' (column 7) or 'CustomerID' (column 9); "
        "pick one with --map customer_id=COLUMN (a repeated name can't be picked: rename it in the file first)"
    )
    assert _refused(path, db_url, "--map", "customer_id=CustomerID") == (
        "--map customer_id=CustomerID: ambiguous, it names 'CustomerID' (column 7) or 'CustomerID' (column 9); "
        "rename all but one in the file"
    )
    result = _segments("ingest", path, "--db", db_url, "--map", "customer_id=Notes")
    assert result.returncode == 2 and "it names 'Notes' (column 10) or 'Notes' (column 11)" in result.stderr
    renamed = write_csv(tmp_path / "renamed.csv", [line], header=[*header[:8], "Account", *header[9:]])
    result = _segments("ingest", renamed, "--db", db_url)
    assert result.returncode == 0, result.stderr
    assert transactions(db_url)[0].customer_id == "17850"


def _raw_rejects(db_url: str) -> dict[int, tuple[str, dict]]:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(RejectedRow.row_number, RejectedRow.reason, RejectedRow.raw))
            return {n: (reason, raw if isinstance(raw, dict) else json.loads(raw)) for n, reason, raw in rows}
    finally:
        engine.dispose()


def test_a_repeated_description_is_read_from_its_first_column(tmp_path, db_url):
    """A UCI export with a second Description at the end was stored before the refusal of repeated
    names, then refused with no way out (--map could not pick it, an upload cannot pass --map)."""
    header = [*UCI_HEADER, "Description"]
    line = [*LINE[:4], "12/13/2010 8:26", *LINE[5:], "heart holder, white"]
    bad = [*LINE[:4], "12/13/2010 8:27", "x", *LINE[6:], "second text"]
    path = write_csv(tmp_path / "twice.csv", [line, bad], header=header)
    result = _segments("ingest", path, "--db", db_url)
    assert result.returncode == 0, result.stderr
    (stored,) = transactions(db_url)
    assert stored.description == "HEART"
    # The quarantined line keeps both cells: the second under its position.
    assert _raw_rejects(db_url)[3][1] == {
        **dict(zip(UCI_HEADER, [*LINE[:4], "12/13/2010 8:27", "x", *LINE[6:]], strict=True)),
        "Description (column 9)": "second text",
    }
    # --map may name it too, as any column a field reads (it was refused as ambiguous).
    again = write_csv(tmp_path / "mapped.csv", [["X2", *line[1:]]], header=["Text", *header[1:]])
    result = _segments("ingest", again, "--db", db_url, "--map", "invoice_no=Text", "--map", "description=Description")
    assert result.returncode == 0, result.stderr
    assert {t.invoice_no: t.description for t in transactions(db_url)} == {"536365": "HEART", "X2": "HEART"}


@pytest.mark.parametrize("repeated", ["StockCode", "Quantity", "UnitPrice", "InvoiceNo", "Country", "InvoiceDate"])
def test_a_repeated_column_that_decides_identity_or_numbers_is_still_refused(tmp_path, db_url, repeated):
    """Which stock code, invoice, country or number a line has changes what is counted: no guess."""
    at = UCI_HEADER.index(repeated)
    line = [*LINE[:4], "12/13/2010 8:26", *LINE[5:]]
    path = write_csv(tmp_path / "twice.csv", [[*line, line[at]]], header=[*UCI_HEADER, repeated])
    assert _refused(path, db_url).startswith(
        f"ambiguous columns: {ALIASES[normalise_header(repeated)]} could be read from {repeated!r} "
        f"(column {at + 1}) or {repeated!r} (column 9); "
    )


def test_a_header_read_as_one_column_hints_at_its_delimiter(tmp_path, db_url):
    path = tmp_path / "pipes.csv"
    path.write_text("|".join(UCI_HEADER) + "\n" + "|".join([*LINE[:4], "12/13/2010 8:26", *LINE[5:]]) + "\n")
    assert _refused(path, db_url).endswith(
        f"columns found: {'|'.join(UCI_HEADER)} (map others with --map FIELD=COLUMN); the header reads as "
        "one column: if '|' separates the fields, pass --delimiter '|'"
    )
    result = _segments("ingest", path, "--db", db_url, "--delimiter", "|")
    assert result.returncode == 0, result.stderr


def test_dates_in_no_known_spelling_are_refused_with_an_example(tmp_path, db_url):
    header = [h if h != "InvoiceDate" else "Datum" for h in UCI_HEADER]
    path = write_csv(tmp_path / "d.csv", [[*LINE[:4], "5 March 2011 10:00", *LINE[5:]]], header=header)
    assert _refused(path, db_url, "--map", "invoice_date=Datum") == (
        "no recognisable dates in the date column (Datum=5 March 2011 10:00); "
        "pass --date-format (strftime syntax)"
    )
