"""Formats, encodings, delimiters, date spellings, header variants and column mapping."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.ingest.readers import open_source
from db.models import RejectedRow
from db.session import create_db_engine
from tests.db.helpers import UCI_HEADER, batch_options, invoke, transactions, write_csv

WRONG_MARK = "unit price with the wrong decimal mark"
LINE = ["536365", "85123A", "CAFÉ HEART £ HOLDER", "6", "2010-12-01 08:26", "2.55", "17850", "United Kingdom"]


def _load(db_url, path, *extra):
    result = invoke("ingest", path, "--db", db_url, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_encodings_are_detected(db_url, tmp_path, encoding):
    path = write_csv(tmp_path / "enc.csv", [LINE], encoding=encoding)
    assert _load(db_url, path)["rows_stored"] == 1
    (line,) = transactions(db_url)
    assert line.description == "CAFÉ HEART £ HOLDER"
    assert line.invoice_no == "536365"  # the BOM did not end up in the first header


def test_late_non_utf8_byte_starts_the_load_over_as_cp1252(db_url, tmp_path):
    """The first block (1 MiB) is plain ASCII: the load starts as UTF-8, meets the byte, restarts."""
    rows = [[*LINE[:2], "PLAIN HEART", str(i), *LINE[4:]] for i in range(1, 20_001)] + [LINE]
    path = write_csv(tmp_path / "late.csv", rows, encoding="cp1252")
    assert path.stat().st_size > 1 << 20
    first_look = open_source(path)
    assert (first_look.encoding, first_look.encoding_guessed) == ("utf-8", True)
    summary = _load(db_url, path)
    assert (summary["rows_read"], summary["rows_stored"], summary["rejected"]) == (20_001, 20_001, 0)
    lines = transactions(db_url)
    assert len(lines) == 20_001  # nothing from the abandoned first attempt is left
    assert [t.description for t in lines if t.quantity == 6 and t.description != "PLAIN HEART"] == [
        "CAFÉ HEART £ HOLDER"
    ]
    assert batch_options(db_url)["encoding"] == "cp1252"


def test_encoding_override(db_url, tmp_path):
    path = write_csv(tmp_path / "enc.csv", [LINE], encoding="cp1252")
    _load(db_url, path, "--encoding", "latin-1")
    assert transactions(db_url)[0].description == "CAFÉ HEART £ HOLDER"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(db_url, tmp_path, delimiter):
    path = write_csv(tmp_path / "d.csv", [LINE, [*LINE[:3], "2", *LINE[4:]]], delimiter=delimiter)
    assert _load(db_url, path)["rows_stored"] == 2


def test_semicolon_file_with_decimal_comma(db_url, tmp_path):
    path = write_csv(tmp_path / "eu.csv", [[*LINE[:5], "2,55", *LINE[6:]]], delimiter=";")
    _load(db_url, path)
    assert transactions(db_url)[0].unit_price == Decimal("2.55")


def test_thousands_separators_are_read_with_the_files_decimal_mark(db_url, tmp_path):
    """The first cell only one mark reads ("1,234.50") makes "," group thousands in the file."""
    prices = {1: "1,234.50", 2: "12,345,678", 3: "1.234,56", 4: "0,125", 5: "2,55", 6: "1,234", 7: "12,500"}
    rows = [[*LINE[:3], str(q), LINE[4], p, *LINE[6:]] for q, p in prices.items()]
    summary = _load(db_url, write_csv(tmp_path / "thousands.csv", rows))
    assert {t.quantity: t.unit_price for t in transactions(db_url)} == {
        1: Decimal("1234.50"), 2: Decimal("12345678"), 6: Decimal("1234"), 7: Decimal("12500")
    }  # fmt: skip
    assert summary["rejected_by_reason"] == {WRONG_MARK: 3}
    assert batch_options(db_url)["decimal_mark"] == "."


def test_a_dotted_thousand_among_decimal_commas_groups_thousands(db_url, tmp_path):
    """A dotted "1.234" beside "2,55" is 1234; beside "2.55" it is a decimal, as ever."""
    eu = [[*LINE[:3], str(q), LINE[4], p, *LINE[6:]] for q, p in enumerate(["2,55", "1.234", "0.125", "12.500,00"], 1)]
    summary = _load(db_url, write_csv(tmp_path / "eu.csv", eu, delimiter=";"))
    assert (summary["rows_stored"], summary["rejected_by_reason"]) == (3, {WRONG_MARK: 1})
    assert {t.quantity: t.unit_price for t in transactions(db_url)} == {
        1: Decimal("2.55"), 2: Decimal("1234"), 4: Decimal("12500")
    }  # fmt: skip
    assert batch_options(db_url)["decimal_mark"] == ","
    plain = [[*LINE[:3], "9", LINE[4], "1.234", *LINE[6:]], [*LINE[:3], "8", LINE[4], "2.55", *LINE[6:]]]
    assert _load(db_url, write_csv(tmp_path / "uk.csv", plain))["rows_stored"] == 2
    assert {t.quantity: t.unit_price for t in transactions(db_url)}[9] == Decimal("1.234")


def test_currency_signs_spaces_and_nul_bytes_are_cleaned_where_they_occur(db_url, tmp_path):
    """Plain cells and ones needing a clean-up in one file (the clean-ups run only when needed)."""
    padding = [[*LINE[:3], str(q), *LINE[4:]] for q in range(100, 1_100)]  # past the binary check
    prices = {1: "£2.55", 2: "1 234.50", 3: "£ 3.39", 4: "\u00a07.00", 5: "2.55"}  # a decimal-point file
    odd = [[*LINE[:3], str(q), LINE[4], p, *LINE[6:]] for q, p in prices.items()]
    odd.append([*LINE[:2], "NUL\x00 HEART", "6", LINE[4], LINE[5], "17850.0", LINE[7]])
    path = write_csv(tmp_path / "mixed.csv", padding + odd)
    summary = _load(db_url, path)
    assert (summary["rows_stored"], summary["rejected"]) == (1_006, 0)
    lines = {t.quantity: t for t in transactions(db_url)}
    assert {q: lines[q].unit_price for q in prices} == {
        1: Decimal("2.55"), 2: Decimal("1234.50"), 3: Decimal("3.39"), 4: Decimal("7.00"), 5: Decimal("2.55")
    }
    assert (lines[6].description, lines[6].customer_id) == ("NUL HEART", "17850")
    assert lines[100].description == LINE[2] and lines[100].unit_price == Decimal("2.55")


def test_gzip(db_url, tmp_path):
    plain = write_csv(tmp_path / "x.csv", [LINE])
    packed = tmp_path / "x.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert _load(db_url, packed)["rows_stored"] == 1


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["12/1/2010 8:26", "12/13/2010 9:00"], [datetime(2010, 12, 1, 8, 26), datetime(2010, 12, 13, 9, 0)]),
        (["1/12/2010 8:26", "13/12/2010 9:00"], [datetime(2010, 12, 1, 8, 26), datetime(2010, 12, 13, 9, 0)]),
        (["2010-12-01T08:26:00", "2010-12-13 09:00"], [datetime(2010, 12, 1, 8, 26), datetime(2010, 12, 13, 9)]),
        (["01.12.2010 08:26", "13.12.2010 09:00"], [datetime(2010, 12, 1, 8, 26), datetime(2010, 12, 13, 9)]),
    ],
    ids=["month-first", "day-first", "iso", "dotted"],
)
def test_date_spellings_are_decided_from_the_data(db_url, tmp_path, dates, expected):
    rows = [[str(i), "A", "CUP", "1", d, "1.0", "100", "UK"] for i, d in enumerate(dates)]
    _load(db_url, write_csv(tmp_path / "dates.csv", rows))
    assert sorted(t.invoice_date for t in transactions(db_url)) == expected


def test_day_first_decided_by_a_late_chunk(db_url, tmp_path):
    """The first chunk cannot tell; a later one can, and the early rows follow its decision."""
    rows = [[str(i), "A", "CUP", "1", "2/1/2011 10:00", "1.0", str(i), "UK"] for i in range(30)]
    rows.append(["99", "A", "CUP", "1", "25/1/2011 10:00", "1.0", "99", "UK"])
    path = write_csv(tmp_path / "late.csv", rows)
    from sqlalchemy.orm import Session

    from db.ingest import IngestOptions, ingest_file
    from db.session import create_db_engine

    engine = create_db_engine(db_url)
    with Session(engine) as session, session.begin():
        result = ingest_file(path, session=session, options=IngestOptions(chunk_rows=10))
    engine.dispose()
    assert result.rows_stored == 31
    assert {t.invoice_date.month for t in transactions(db_url)} == {1}


def test_explicit_date_format(db_url, tmp_path):
    rows = [["1", "A", "CUP", "1", "20110105", "1.0", "100", "UK"]]
    _load(db_url, write_csv(tmp_path / "ymd.csv", rows), "--date-format", "%Y%m%d")
    assert transactions(db_url)[0].invoice_date == datetime(2011, 1, 5)


def test_online_retail_ii_headers(db_url, tmp_path):
    header = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
    _load(db_url, write_csv(tmp_path / "ii.csv", [LINE], header=header))
    line = transactions(db_url)[0]
    assert (line.invoice_no, line.unit_price, line.customer_id) == ("536365", Decimal("2.55"), "17850")


def test_headers_are_case_and_space_insensitive(db_url, tmp_path):
    header = [" invoice no", "STOCK CODE", "description", "quantity", "Invoice Date", "unit_price", "customer id", "COUNTRY"]
    _load(db_url, write_csv(tmp_path / "loose.csv", [LINE], header=header))
    assert transactions(db_url)[0].customer_id == "17850"


def test_mapping_with_line_total_and_derived_fields(db_url, tmp_path):
    """No quantity, invoice number or country: defaults apply, price comes from the total."""
    header = ["order_time", "client", "amount", "sku"]
    rows = [["2011-03-04 10:15", "C-7", "19.80", "X1"], ["2011-03-04 10:15", "", "5", "X2"]]
    path = write_csv(tmp_path / "shop.csv", rows, header=header)
    _load(db_url, path, "--map", "invoice_date=order_time", "--map", "customer_id=client",
          "--map", "line_total=amount", "--map", "stock_code=sku")  # fmt: skip
    lines = {t.stock_code: t for t in transactions(db_url)}
    first, second = lines["X1"], lines["X2"]
    assert (first.quantity, first.unit_price, first.country) == (1, Decimal("19.80"), None)
    assert first.invoice_no == "20110304101500-C-7"
    assert second.invoice_no == "20110304101500-anon" and second.customer_id is None


def test_line_total_divided_by_quantity(db_url, tmp_path):
    header = ["InvoiceDate", "Quantity", "LineTotal", "CustomerID"]
    path = write_csv(tmp_path / "t.csv", [["2011-03-04 10:15", "3", "10", "1"]], header=header)
    _load(db_url, path)
    assert transactions(db_url)[0].unit_price == Decimal("3.3333")


def _write_ods(path, rows):
    """A minimal OpenDocument spreadsheet (what LibreOffice saves), without odfpy: numbers as
    float cells, text as string cells."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sales">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")  # first, stored
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def test_ods_reads_as_a_workbook(db_url, tmp_path):
    # The refusal of a fake workbook names ".ods": the Excel reader (calamine) does read them.
    path = tmp_path / "sales.ods"
    _write_ods(path, [
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"],
        ["536365", "85123A", "HEART", 6, "2010-12-01 08:26", 2.55, "17850", "United Kingdom"],
        ["536366", "22633", "WARMER", 3, "2010-12-13 08:28", 1.85, "13047", "France"],
    ])  # fmt: skip
    summary = _load(db_url, path)
    assert (summary["rows_stored"], summary["rejected"]) == (2, 0)
    lines = {t.stock_code: t for t in transactions(db_url)}
    heart = lines["85123A"]
    assert (heart.invoice_no, heart.customer_id, heart.quantity, heart.unit_price) == ("536365", "17850", 6, Decimal("2.55"))
    assert heart.invoice_date == datetime(2010, 12, 1, 8, 26)
    assert lines["22633"].country == "France"


def test_xlsx_with_excel_date_cells(db_url, tmp_path):
    import openpyxl
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["nothing here"])
    sheet = workbook.create_sheet("Sales")
    sheet.append(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"])
    sheet.append([536365, "85123A", "HEART", 6, datetime(2010, 12, 1, 8, 26), 2.55, 17850, "United Kingdom"])
    sheet.append([536366, "22633", "WARMER", 6, datetime(2010, 12, 13, 8, 28), 1.85, None, "United Kingdom"])
    path = tmp_path / "sales.xlsx"
    workbook.save(path)
    summary = _load(db_url, path, "--sheet", "Sales")
    assert summary["rows_stored"] == 2
    lines = {t.stock_code: t for t in transactions(db_url)}
    heart = lines["85123A"]
    assert (heart.invoice_no, heart.customer_id, heart.unit_price) == ("536365", "17850", Decimal("2.55"))
    assert heart.invoice_date == datetime(2010, 12, 1, 8, 26)
    assert lines["22633"].customer_id is None


@pytest.mark.parametrize("date_format", [None, "%d/%m/%Y %H:%M"], ids=["learned", "given"])
def test_xlsx_date_cells_next_to_typed_in_dates(db_url, tmp_path, date_format):
    """Date cells (read as ISO) and text dates in one column: each is read in its own way."""
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(UCI_HEADER)
    when = [datetime(2010, 12, 1, 8, 26), "13/12/2010 09:00", datetime(2010, 12, 2, 10, 0), "1/12/2010 11:00", "n/a"]
    for quantity, stamp in enumerate(when, start=1):
        sheet.append(["536365", "85123A", "HEART", quantity, stamp, 2.55, "17850", "United Kingdom"])
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    summary = _load(db_url, path, *(("--date-format", date_format) if date_format else ()))
    assert (summary["rows_stored"], summary["rejected_by_reason"]) == (4, {"invalid date": 1})
    assert {t.quantity: t.invoice_date for t in transactions(db_url)} == {
        1: datetime(2010, 12, 1, 8, 26), 2: datetime(2010, 12, 13, 9), 3: datetime(2010, 12, 2, 10), 4: datetime(2010, 12, 1, 11)
    }  # fmt: skip


def test_text_dates_after_chunks_of_date_cells_learn_their_own_format(db_url, tmp_path):
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(UCI_HEADER)
    when = [datetime(2010, 12, day, 8) for day in range(1, 11)] + ["12/13/2010 9:00", "12/14/2010 9:00", "12/15"]
    for quantity, stamp in enumerate(when, start=1):
        sheet.append(["536365", "85123A", "HEART", quantity, stamp, 2.55, "17850", "United Kingdom"])
    path = tmp_path / "later.xlsx"
    workbook.save(path)
    from sqlalchemy.orm import Session

    from db.ingest import IngestOptions, ingest_file

    engine = create_db_engine(db_url)
    with Session(engine) as session, session.begin():
        result = ingest_file(path, session=session, options=IngestOptions(chunk_rows=4))
    engine.dispose()
    assert (result.rows_stored, result.rejected_by_reason) == (12, {"invalid date": 1})
    stored = {t.quantity: t.invoice_date for t in transactions(db_url)}
    assert (stored[1], stored[11], stored[12]) == (datetime(2010, 12, 1, 8), datetime(2010, 12, 13, 9), datetime(2010, 12, 14, 9))


def test_iso_dates_are_read_in_a_month_first_file_but_nothing_looser(db_url, tmp_path):
    stamps = ["12/13/2010 9:00", "2010-12-14 10:00", "12/15/2010 9:00", "2011", "2010-02-30 10:00"]
    rows = [[*LINE[:3], str(q), stamp, *LINE[5:]] for q, stamp in enumerate(stamps, start=1)]
    summary = _load(db_url, write_csv(tmp_path / "mixed_iso.csv", rows))
    assert (summary["rows_stored"], summary["rejected_by_reason"]) == (3, {"invalid date": 2})
    assert {t.quantity: t.invoice_date for t in transactions(db_url)} == {
        1: datetime(2010, 12, 13, 9), 2: datetime(2010, 12, 14, 10), 3: datetime(2010, 12, 15, 9)
    }  # fmt: skip


def test_blank_lines_before_the_header(db_url, tmp_path):
    path = write_csv(tmp_path / "blank.csv", [LINE, [*LINE[:3], "x", *LINE[4:]]])
    path.write_text("\n  \n" + path.read_text())
    summary = _load(db_url, path)
    assert (summary["rows_read"], summary["rows_stored"], summary["rejected"]) == (2, 1, 1)
    assert transactions(db_url)[0].invoice_no == LINE[0]
    engine = create_db_engine(db_url)
    with engine.connect() as conn:  # numbered by line in the file: the header is on line 3
        assert conn.execute(select(RejectedRow.row_number)).scalars().all() == [5]
    engine.dispose()


def test_utf8_bom_on_a_windows_1252_file_does_not_hide_the_first_column(db_url, tmp_path):
    path = write_csv(tmp_path / "bom.csv", [[*LINE[:7], "Österreich"]], encoding="cp1252")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _load(db_url, path)
    (line,) = transactions(db_url)
    assert (line.invoice_no, line.description, line.country) == ("536365", "CAFÉ HEART £ HOLDER", "Österreich")


@pytest.mark.parametrize("forced", [False, True])
def test_utf16_text_export(db_url, tmp_path, forced):
    path = write_csv(tmp_path / "unicode.txt", [LINE], delimiter="\t", encoding="utf-16")
    _load(db_url, path, *(("--encoding", "utf-16") if forced else ()))
    (line,) = transactions(db_url)
    assert (line.invoice_no, line.description) == ("536365", "CAFÉ HEART £ HOLDER")


def test_utc_offsets_keep_the_local_time_as_written(db_url, tmp_path):
    stamps = ["2011-01-01 10:00:00", "2011-01-01T11:00:00+01:00", "2011-06-01T11:00:00+02:00", "2011-06-02T09:30Z"]
    rows = [[*LINE[:3], str(q), stamp, *LINE[5:]] for q, stamp in enumerate(stamps, start=1)]
    assert _load(db_url, write_csv(tmp_path / "tz.csv", rows))["rows_stored"] == 4
    assert {t.quantity: t.invoice_date for t in transactions(db_url)} == {
        1: datetime(2011, 1, 1, 10), 2: datetime(2011, 1, 1, 11), 3: datetime(2011, 6, 1, 11), 4: datetime(2011, 6, 2, 9, 30)
    }  # fmt: skip


def test_date_format_with_a_bad_row_quarantines_it(db_url, tmp_path):
    rows = [[*LINE[:4], "20110101", *LINE[5:]], [*LINE[:4], "20110102", *LINE[5:], "extra"], [*LINE[:3], "abc", "20110103", *LINE[5:]]]  # noqa: E501
    summary = _load(db_url, write_csv(tmp_path / "df.csv", rows), "--date-format", "%Y%m%d")
    assert (summary["rows_stored"], summary["rejected_by_reason"]) == (1, {"invalid quantity": 1, "too many fields": 1})


def test_implausible_dates_and_line_totals_are_quarantined(db_url, tmp_path):
    rows = [
        [*LINE[:4], "0101-11-20 10:00", *LINE[5:]],
        [*LINE[:4], "9999-12-31 10:00", *LINE[5:]],
        [*LINE[:3], "2000000000", LINE[4], "1000000", *LINE[6:]],  # 2 * 10^15: overflowed the rollup
        LINE,
    ]
    summary = _load(db_url, write_csv(tmp_path / "odd.csv", rows))
    assert summary["rows_stored"] == 1
    assert summary["rejected_by_reason"] == {"invalid date": 2, "line total out of range": 1}


def test_nul_bytes_in_a_quarantined_row_are_dropped(db_url, tmp_path):
    padding = [[*LINE[:3], str(q), *LINE[4:]] for q in range(100, 1_100)]  # past the binary check
    path = write_csv(tmp_path / "nul.csv", [*padding, [*LINE[:3], "bad\x00qty", *LINE[4:]]])
    summary = _load(db_url, path)  # Postgres text cannot hold NUL: this was a traceback there
    assert (summary["rows_stored"], summary["rejected_by_reason"]) == (1_000, {"invalid quantity": 1})
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        detail, raw = conn.execute(select(RejectedRow.detail, RejectedRow.raw)).one()
    engine.dispose()
    assert detail == "Quantity=badqty" and raw["Quantity"] == "badqty"


def test_xlsx_with_blank_rows_above_the_header(db_url, tmp_path):
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"] = "InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice"
    sheet.append(["A1", 2, datetime(2011, 1, 5, 10), 1.5])
    sheet.append(["A2", "two", datetime(2011, 1, 6, 10), 1.5])
    path = tmp_path / "report.xlsx"
    workbook.save(path)
    summary = _load(db_url, path)
    assert (summary["rows_stored"], summary["rejected"]) == (1, 1)
    engine = create_db_engine(db_url)
    with engine.connect() as conn:  # rows numbered as the sheet numbers them
        assert conn.execute(select(RejectedRow.row_number)).scalars().all() == [5]
    engine.dispose()


def test_derived_invoice_numbers_fit_and_stay_apart_with_long_customer_ids(db_url, tmp_path):
    alice, bob = "x" * 48 + "-alice", "x" * 48 + "-bob"  # the same first 48 characters
    rows = [["2011-03-04 10:15", "3", alice], ["2011-03-04 10:15", "3", bob], ["2011-03-04 10:15", "3", "c1"]]
    path = write_csv(tmp_path / "t.csv", rows, header=["InvoiceDate", "UnitPrice", "CustomerID"])
    assert _load(db_url, path)["rows_stored"] == 3
    numbers = {t.customer_id: t.invoice_no for t in transactions(db_url)}
    assert numbers["c1"] == "20110304101500-c1"
    assert len({numbers[alice], numbers[bob]}) == 2
    assert all(len(n) <= 63 and n.startswith("20110304101500-" + "x" * 31 + "~") for n in (numbers[alice], numbers[bob]))


def test_old_mac_line_ends_and_spreadsheet_blank_rows(db_url, tmp_path):
    lines = [",".join(UCI_HEADER), ",".join(LINE), ",".join([*LINE[:3], "x", *LINE[4:]])]
    mac = tmp_path / "mac.csv"
    mac.write_bytes(("\r".join(lines) + "\r").encode("cp1252"))
    assert _load(db_url, mac)["rows_stored"] == 1
    blank_rows = tmp_path / "blank_rows.csv"
    blank_rows.write_text(",,,,,,,\n" + "\n".join(lines) + "\n", encoding="utf-8")
    summary = _load(db_url, blank_rows)
    assert (summary["rows_read"], summary["rejected"]) == (2, 1)
    engine = create_db_engine(db_url)
    with engine.connect() as conn:  # mac.csv: line 3; blank_rows.csv: line 4
        assert sorted(conn.execute(select(RejectedRow.row_number)).scalars()) == [3, 4]
    engine.dispose()


def test_gzip_padded_with_nul_bytes(db_url, tmp_path):
    plain = write_csv(tmp_path / "x.csv", [LINE])
    padded = tmp_path / "padded.csv.gz"
    padded.write_bytes(gzip.compress(plain.read_bytes()) + b"\x00" * 512)
    assert _load(db_url, padded)["rows_stored"] == 1


def test_utf32_text_export(db_url, tmp_path):
    path = write_csv(tmp_path / "wide.csv", [LINE], encoding="utf-32")
    _load(db_url, path)
    assert transactions(db_url)[0].description == "CAFÉ HEART £ HOLDER"


def test_iso_dates_with_an_offset_read_in_a_day_first_file_as_in_an_iso_one(db_url, tmp_path):
    """ "Z" and "+01:00" were refused as invalid dates once the file's format was D/M/YYYY."""
    iso = ["2011-01-15 10:00", "2011-01-16T10:00:00Z", "2011-01-17 10:00:00+01:00", "2011-01-18T09:30-05:00"]
    for name, stamps in (("iso", iso), ("day_first", ["13/01/2011 10:00", "14/01/2011 10:00", *iso])):
        rows = [[f"{name}{q}", *LINE[1:3], str(q), stamp, *LINE[5:]] for q, stamp in enumerate(stamps, start=1)]
        summary = _load(db_url, write_csv(tmp_path / f"{name}.csv", rows))
        assert (summary["rows_stored"], summary["rejected"]) == (len(stamps), 0), name
    stored = {t.invoice_no: t.invoice_date for t in transactions(db_url)}
    assert [stored[f"day_first{q}"] for q in range(3, 7)] == [stored[f"iso{q}"] for q in range(1, 5)] == [
        datetime(2011, 1, 15, 10), datetime(2011, 1, 16, 10), datetime(2011, 1, 17, 10), datetime(2011, 1, 18, 9, 30)
    ]  # fmt: skip
    assert batch_options(db_url)["date_format"] == "%d/%m/%Y %H:%M"


def test_twelve_hour_clock_dates_are_read(db_url, tmp_path):
    dates = ["3/5/2011 10:00 AM", "3/5/2011 1:05 PM", "3/25/2011 12:30 AM", "3/25/2011 12:30 PM"]
    rows = [[str(i), "A", "x", "1", d, "1", "C1", "UK"] for i, d in enumerate(dates)]
    assert _load(db_url, write_csv(tmp_path / "ampm.csv", rows))["rows_stored"] == 4
    assert [t.invoice_date for t in transactions(db_url)] == [
        datetime(2011, 3, 5, 10, 0), datetime(2011, 3, 5, 13, 5),
        datetime(2011, 3, 25, 0, 30), datetime(2011, 3, 25, 12, 30),
    ]  # fmt: skip
    rows = [[str(i), "A", "x", "1", d, "1", "C1", "UK"] for i, d in enumerate(["25/3/2011 1:05 PM", "5/3/2011 9:00 AM"])]
    assert _load(db_url, write_csv(tmp_path / "dm.csv", rows))["rows_stored"] == 2
    assert datetime(2011, 3, 5, 9, 0) in {t.invoice_date for t in transactions(db_url)}


def test_fractions_of_a_second_are_cut_to_whole_seconds(db_url, tmp_path):
    stamps = ["2011-03-05 10:00:00.123", "2011-03-05 10:00:00.999", "2011-03-05T10:00:01.5"]
    rows = [[str(i), "A", "x", "1", s, "1", "C1", "UK"] for i, s in enumerate(stamps)]
    summary = _load(db_url, write_csv(tmp_path / "ms.csv", rows))
    assert (summary["rows_stored"], summary["rejected"]) == (3, 0)
    assert [t.invoice_date for t in transactions(db_url)] == [
        datetime(2011, 3, 5, 10, 0, 0), datetime(2011, 3, 5, 10, 0, 0), datetime(2011, 3, 5, 10, 0, 1),
    ]  # fmt: skip


def test_a_formula_without_a_saved_value_says_so(db_url, tmp_path):
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(UCI_HEADER)
    sheet.append(["1", "A", "x", 2, "2011-01-05 10:00", 1.5, "C1", "UK"])
    sheet.append(["2", "A", "x", 2, "2011-01-05 10:00", "=F2*2", "C1", "UK"])  # openpyxl computes nothing
    sheet.append(["3", "A", "x", 2, "2011-01-05 10:00", None, "C1", "UK"])  # empty: nothing to add
    workbook.save(tmp_path / "f.xlsx")
    summary = _load(db_url, tmp_path / "f.xlsx")
    assert (summary["rows_stored"], summary["rejected"]) == (1, 2)
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        details = dict(conn.execute(select(RejectedRow.row_number, RejectedRow.detail)).all())
    engine.dispose()
    assert details == {
        3: "UnitPrice= (a formula without a saved value: open and save the workbook in Excel)",
        4: "UnitPrice=",
    }
