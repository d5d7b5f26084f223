"""One decimal mark per file: a number spelling reads the same in every chunk of the file.

The files are loaded two lines per chunk, so what decides the mark and what it is applied to
sit in different chunks; quantities tell the lines apart.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.ingest import IngestError, IngestOptions, ingest_file
from db.ingest.numbers import POINT, DecimalMark
from db.models import RejectedRow
from db.session import create_db_engine
from tests.db.helpers import batch_options, transactions, write_csv

LINE = ["536365", "85123A", "HEART HOLDER", "6", "2010-12-01 08:26", "2.55", "17850", "United Kingdom"]
WRONG = "unit price with the wrong decimal mark"


def _line(quantity: str, price: str) -> list[str]:
    return [*LINE[:3], quantity, LINE[4], price, *LINE[6:]]


def _ingest(db_url, path, chunk_rows=2, **options):
    engine = create_db_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            options = IngestOptions(chunk_rows=chunk_rows, **options)
            return ingest_file(path, session=session, options=options)
    finally:
        engine.dispose()


def _prices(db_url) -> dict[int, Decimal]:
    return {t.quantity: t.unit_price for t in transactions(db_url)}


def _rejects(db_url) -> dict[int, tuple[str, str]]:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(RejectedRow.row_number, RejectedRow.reason, RejectedRow.detail))
            return {number: (reason, detail) for number, reason, detail in rows}
    finally:
        engine.dispose()


def test_decimal_point_file_reads_grouped_thousands_in_every_chunk(db_url, tmp_path):
    rows = [
        _line("1", "2.55"), _line("2", "7"),  # "2.55": only a decimal point reads it
        _line("3", "1,234"), _line("4", "1.234"),
        _line("5", "12,345.60"), _line("6", "2,50"),  # "2,50" has no place in this file
        _line("7", "1,234"), _line("1,000", "3"),
    ]  # fmt: skip
    result = _ingest(db_url, write_csv(tmp_path / "uk.csv", rows))
    assert (result.rows_read, result.rows_stored, result.rejected) == (8, 7, 1)
    assert _prices(db_url) == {
        1: Decimal("2.55"), 2: Decimal("7"), 3: Decimal("1234"), 4: Decimal("1.234"),
        5: Decimal("12345.60"), 7: Decimal("1234"), 1000: Decimal("3"),
    }  # fmt: skip
    assert _rejects(db_url) == {7: (WRONG, "UnitPrice=2,50")}
    assert batch_options(db_url)["decimal_mark"] == "."


def test_decimal_comma_file_reads_dotted_thousands_in_every_chunk(db_url, tmp_path):
    """Chunk 2 holds no comma-only cell, yet its "1.234" is 1234 as the file's first line said."""
    rows = [
        _line("1", "2,50"), _line("2", "7"),
        _line("3", "1.234"), _line("4", "1,234"),
        _line("5", "1.5"), _line("6", "1.234,50"),
        _line("7", "1.234"), _line("1.000", "3"),
    ]  # fmt: skip
    result = _ingest(db_url, write_csv(tmp_path / "eu.csv", rows, delimiter=";"))
    assert (result.rows_stored, result.rejected) == (7, 1)
    assert _prices(db_url) == {
        1: Decimal("2.50"), 2: Decimal("7"), 3: Decimal("1234"), 4: Decimal("1.234"),
        6: Decimal("1234.50"), 7: Decimal("1234"), 1000: Decimal("3"),
    }  # fmt: skip
    assert _rejects(db_url) == {6: (WRONG, "UnitPrice=1.5")}
    assert batch_options(db_url)["decimal_mark"] == ","


@pytest.mark.parametrize(
    ("teller", "mark", "read"),
    [("12,345.60", ".", Decimal("1234")), ("2,50", ",", Decimal("1.234"))],
)
def test_ambiguous_cells_before_the_telling_one_follow_it(db_url, tmp_path, teller, mark, read):
    """ "1,234" in the first chunk waits for the file to tell: a later chunk's cell decides."""
    rows = [
        _line("1", "1,234"),
        _line("2", "5"),
        _line("3", "8"),
        _line("4", "9"),
        _line("5", teller),
        _line("6", "1,234"),
    ]
    result = _ingest(db_url, write_csv(tmp_path / "late.csv", rows))
    assert (result.rows_stored, result.rejected) == (6, 0)
    prices = _prices(db_url)
    assert prices[1] == prices[6] == read
    assert batch_options(db_url)["decimal_mark"] == mark


def test_a_file_that_never_tells_quarantines_its_ambiguous_numbers(db_url, tmp_path):
    rows = [_line("1", "1,234"), _line("2", "5"), _line("1,000", "4"), _line("3", "1.234"), _line("4", "6")]
    result = _ingest(db_url, write_csv(tmp_path / "mute.csv", rows))
    assert (result.rows_stored, result.rejected) == (2, 3)
    assert _prices(db_url) == {2: Decimal("5"), 4: Decimal("6")}
    assert _rejects(db_url) == {
        2: ("ambiguous unit price", "UnitPrice=1,234"),
        4: ("ambiguous quantity", "Quantity=1,000"),
        5: ("ambiguous unit price", "UnitPrice=1.234"),
    }
    assert batch_options(db_url)["decimal_mark"] is None


def test_line_totals_share_the_mark_and_name_their_column(db_url, tmp_path):
    header = ["InvoiceDate", "Quantity", "LineTotal", "CustomerID"]
    told = [
        ["2011-03-04 10:15", "2", "1.234", "1"],
        ["2011-03-04 10:16", "3", "9", "1"],
        ["2011-03-04 10:17", "4", "10,50", "1"],
    ]
    _ingest(db_url, write_csv(tmp_path / "told.csv", told, header=header))
    assert _prices(db_url) == {2: Decimal("617"), 3: Decimal("3"), 4: Decimal("2.625")}
    mute = [["2011-03-05 10:15", "2", "1.234", "1"], ["2011-03-05 10:16", "3", "9", "1"]]
    result = _ingest(db_url, write_csv(tmp_path / "mute.csv", mute, header=header))
    assert result.rejected_by_reason == {"ambiguous line total": 1}


def test_a_huge_number_is_out_of_range_without_a_warning(db_url, tmp_path):
    # Was: numpy's "overflow encountered in multiply" on stderr (rounding 1e308 to 4 places);
    # this suite turns warnings into errors.
    header = ["InvoiceDate", "Quantity", "UnitPrice", "CustomerID"]
    rows = [["2011-03-04 10:15", "2", "1e308", "1"], ["2011-03-04 10:16", "2", "1", "1"]]
    assert _ingest(db_url, write_csv(tmp_path / "huge.csv", rows, header=header)).rejected_by_reason == {
        "unit price out of range": 1
    }
    header = ["InvoiceDate", "Quantity", "LineTotal", "CustomerID"]
    rows = [["2011-03-05 10:15", "2", "1e308", "1"], ["2011-03-05 10:16", "2", "-1e308", "1"]]
    assert _ingest(db_url, write_csv(tmp_path / "huge_totals.csv", rows, header=header)).rejected == 2


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        (".", ["1234", "1.234", "wrong", "1234.5", "wrong", "12345678", "wrong", "3", "invalid"]),
        (",", ["1.234", "1234", "2.5", "wrong", "1234.5", "wrong", "1234567", "3", "invalid"]),
        (
            None,
            ["ambiguous", "ambiguous", "invalid", "1234.5", "invalid", "12345678", "invalid", "3", "invalid"],
        ),
    ],
)
def test_each_spelling_under_each_mark(mark, expected):
    """The reading table; an unknown mark means no cell of the file told one, so none is wrong."""
    cells = ["1,234", "1.234", "2,50", "1,234.50", "1.234,50", "12,345,678", "1.234.567", "€ 3", "x"]
    marks = DecimalMark()
    marks.mark = mark
    read = marks.read(pa.array(cells), money=True)
    got = [
        "ambiguous" if a else "wrong" if w else "invalid" if i else f"{v:.10g}"
        for v, i, w, a in zip(read.values, read.invalid, read.wrong_mark, read.ambiguous, strict=True)
    ]
    assert got == expected


def test_workbook_numbers_are_read_with_a_decimal_point(db_url, tmp_path):
    # Excel stores numbers as numbers: 1.234 typed in any locale is one and a quarter-ish, and
    # a workbook whose prices all have three decimals must not be quarantined as ambiguous.
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])
    sheet.append(["536365", "85123A", "HEART", 1, "2010-12-01 08:26", 1.234, "17850"])
    sheet.append(["536366", "22633", "WARMER", 2, "2010-12-01 08:28", 2.125, "17850"])
    sheet.append(["536367", "22634", "WARMER", 3, "2010-12-01 08:29", "2,50", "17850"])
    path = tmp_path / "sales.xlsx"
    workbook.save(path)
    _ingest(db_url, path, chunk_rows=1)
    assert _prices(db_url) == {1: Decimal("1.234"), 2: Decimal("2.125")}
    assert _rejects(db_url)[4][0] == WRONG
    assert batch_options(db_url)["decimal_mark"] == "."
    with pytest.raises(IngestError, match="--decimal-mark applies to text files"):
        _ingest(db_url, path, decimal_mark=",")


@pytest.mark.parametrize(
    ("mark", "read", "wrong"),
    [(",", {1: Decimal("1.234"), 3: Decimal("2.5")}, 2), (".", {1: Decimal("1234"), 2: Decimal("1.5")}, 3)],
)
def test_a_given_mark_reads_what_the_file_never_tells(db_url, tmp_path, mark, read, wrong):
    """--decimal-mark: "1,234" reads at once, and a cell only the other mark reads is quarantined."""
    rows = [_line("1", "1,234"), _line("2", "1.5"), _line("3", "2,5")]
    result = _ingest(db_url, write_csv(tmp_path / "told.csv", rows), decimal_mark=mark)
    assert _prices(db_url) == read
    assert result.rejected_by_reason == {WRONG: 1} and _rejects(db_url)[wrong + 1][0] == WRONG
    assert batch_options(db_url)["decimal_mark"] == mark


def test_an_unknown_mark_is_refused():
    with pytest.raises(IngestError, match="--decimal-mark must be '.' or ',', not ';'"):
        IngestOptions(decimal_mark=";")


def test_currencies_before_or_after_and_thin_space_separators(db_url, tmp_path):
    """A trailing sign or ISO code, a sign either side of a leading one, and the narrow no-break
    and thin spaces French and Swiss exports group thousands with (all rejected before)."""
    prices = {
        1: "2,50 €", 2: "€2,50", 3: "EUR 2,50", 4: "2,50 EUR", 5: "1\u202f234,50", 6: "2,50€",
        7: "-€2,50", 8: "€-2,50", 9: "- 2,50 €", 10: "€\u00a01\u2009234,50", 11: "7", 12: "3,10EUR",
    }  # fmt: skip
    rows = [_line(str(q), price) for q, price in prices.items()]
    result = _ingest(db_url, write_csv(tmp_path / "eur.csv", rows, delimiter=";"))
    assert (result.rows_stored, result.rejected) == (12, 0)
    assert _prices(db_url) == {
        1: Decimal("2.5"), 2: Decimal("2.5"), 3: Decimal("2.5"), 4: Decimal("2.5"), 5: Decimal("1234.5"),
        6: Decimal("2.5"), 7: Decimal("-2.5"), 8: Decimal("-2.5"), 9: Decimal("-2.5"), 10: Decimal("1234.5"),
        11: Decimal("7"), 12: Decimal("3.1"),
    }  # fmt: skip
    assert batch_options(db_url)["decimal_mark"] == ","


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("$2.50", "2.5"), ("2.50$", "2.5"), ("2.50 USD", "2.5"), ("GBP2.50", "2.5"), ("¥1,234", "1234"),
        ("-£2.50", "-2.5"), ("£-2.50", "-2.5"), ("-2.50 GBP", "-2.5"), ("1\u2009234.50", "1234.5"),
        ("12.50 kr", "12.5"), ("EUR", "invalid"), ("2.50 eur", "invalid"), ("2.50 EURO", "invalid"),
        ("2.50 € x", "invalid"), ("--2.50 €", "invalid"), ("€ 2.50 -", "invalid"),
        ("CHF\u00a01\u2009234.50", "1234.5"), ("US$ 3.10", "3.1"), ("R$3", "3"), ("C$ 3", "3"), ("7 zł", "7"),
        ("12.50 kr.", "12.5"), ("€2.50 EUR", "2.5"), ("$2.50 USD", "2.5"),
        # Letters go only as an ISO 4217 code (all were read before), and two marks must agree.
        ("ABC2.55", "invalid"), ("2.55 XYZ", "invalid"), ("2.50 PCS", "invalid"), ("AUS$2", "invalid"),
        ("XY$2", "invalid"), ("€2.50 USD", "invalid"),
    ],
)  # fmt: skip
def test_currency_spellings_in_a_decimal_point_file(cell, read):
    """Only a currency at either end goes, and nothing but a currency: the rest must be a number."""
    marks = DecimalMark(POINT)
    got = marks.read(pa.array([cell]), money=True)
    assert ("invalid" if got.invalid[0] else f"{got.values[0]:.10g}") == read


@pytest.mark.parametrize(("cell", "read"), [("USD 7", "invalid"), ("6 PCS", "invalid"), ("€6", "invalid"),
                                            ("1\u202f000", "1000"), ("- 6", "-6")])  # fmt: skip
def test_a_quantity_has_no_currency(cell, read):
    """A count loses its spaces only: "6 PCS" or "USD 7" is not a quantity (both read as one before)."""
    got = DecimalMark(POINT).read(pa.array([cell]), money=False)
    assert ("invalid" if got.invalid[0] else f"{got.values[0]:.10g}") == read and got.currency is None


def test_letters_that_are_no_currency_code_are_quarantined(db_url, tmp_path):
    """Stored as (6, 2.55) and (7, 2.55) before: any three capitals were taken for a currency,
    in the quantity column too."""
    rows = [
        _line("6 PCS", "ABC2.55"), _line("USD 7", "2.55 XYZ"), _line("8", "ABC2.55"),
        _line("9", "2.55 XYZ"), _line("1", "2.55 USD"), _line("2", "7"),
    ]  # fmt: skip
    result = _ingest(db_url, write_csv(tmp_path / "junk.csv", rows))
    assert (result.rows_stored, result.rejected) == (2, 4)
    assert _prices(db_url) == {1: Decimal("2.55"), 2: Decimal("7")}
    assert _rejects(db_url) == {
        2: ("invalid quantity", "Quantity=6 PCS"),
        3: ("invalid quantity", "Quantity=USD 7"),
        4: ("invalid unit price", "UnitPrice=ABC2.55"),
        5: ("invalid unit price", "UnitPrice=2.55 XYZ"),
    }


def test_money_in_a_currency_other_than_the_files_first_is_quarantined(db_url, tmp_path):
    """The first currency a price shows is the file's, in every later chunk; plain numbers go with
    it. Euros and dollars were added up as one unit before."""
    prices = {
        1: "3", 2: "EUR 2,50", 3: "2,50 €", 4: "USD 3", 5: "7", 6: "-€1,00", 7: "£1,00",
        8: "EUR x", 9: "1,50EUR", 10: "$2",
    }  # fmt: skip
    rows = [_line(str(q), price) for q, price in prices.items()]
    result = _ingest(db_url, write_csv(tmp_path / "mixed.csv", rows, delimiter=";"))
    assert _prices(db_url) == {
        1: Decimal("3"), 2: Decimal("2.5"), 3: Decimal("2.5"), 5: Decimal("7"), 6: Decimal("-1"), 9: Decimal("1.5")
    }
    other = "unit price in another currency"
    assert _rejects(db_url) == {
        5: (other, "UnitPrice=USD 3 (the file's is EUR)"),
        8: (other, "UnitPrice=£1,00 (the file's is EUR)"),
        9: ("invalid unit price", "UnitPrice=EUR x"),  # not a number: its currency tells nothing
        11: (other, "UnitPrice=$2 (the file's is EUR)"),
    }
    assert result.rejected_by_reason == {other: 3, "invalid unit price": 1}


def test_line_totals_keep_one_currency_too(db_url, tmp_path):
    """"$" names several dollars: a file that starts with it keeps "USD" apart."""
    header = ["InvoiceDate", "Quantity", "LineTotal", "CustomerID"]
    rows = [
        ["2011-03-04 10:15", "2", "$10.00", "1"], ["2011-03-04 10:16", "3", "9", "1"],
        ["2011-03-04 10:17", "4", "USD 8.00", "1"], ["2011-03-04 10:18", "5", "$5.00", "1"],
    ]  # fmt: skip
    result = _ingest(db_url, write_csv(tmp_path / "totals.csv", rows, header=header))
    assert _prices(db_url) == {2: Decimal("5"), 3: Decimal("3"), 5: Decimal("1")}
    assert result.rejected_by_reason == {"line total in another currency": 1}
    assert _rejects(db_url)[4] == ("line total in another currency", "LineTotal=USD 8.00 (the file's is $)")
