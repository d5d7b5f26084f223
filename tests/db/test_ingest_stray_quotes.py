"""A quote opened and never closed took in the lines after it: the file is refused, not half read."""

from __future__ import annotations

import pytest

from tests.db.helpers import counts, transactions
from tests.db.test_ingest_refusals import _refused

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def _lines(first: int, last: int) -> str:
    return "".join(f"{i},A,ok,1,2011-01-05 10:00,1,C{i},UK\n" for i in range(first, last))


@pytest.mark.parametrize("after", [999, 20_000])  # 20,000 lines: past the csv module's field limit
def test_an_unclosed_quote_refuses_the_file_naming_its_row_and_column(tmp_path, db_url, after):
    path = tmp_path / "q.csv"
    path.write_text(HEADER + '1,A,"unterminated,1,2011-01-04 10:00,1,C1,UK\n' + _lines(2, 2 + after))
    assert _refused(path, db_url) == (
        "row 2: a quoted field is not closed on its line (column Description), so the lines after it "
        'read as its text; close or remove the quote: 1,A,"unterminated,1,2011-01-04 10:00,1,C1,UK'
    )


def test_a_stray_quote_closed_by_a_later_one_is_refused_too(tmp_path, db_url):
    path = tmp_path / "q.csv"
    path.write_text(
        HEADER + _lines(2, 5) + '5,A,"stray,1,2011-01-04 10:00,1,C1,UK\n' + _lines(6, 9)
        + '9,A,"quoted, fine",1,2011-01-04 10:00,1,C1,UK\n' + _lines(10, 20)
    )  # fmt: skip
    assert _refused(path, db_url).startswith(
        "row 5: a quoted field is not closed on its line (column Description)"
    )


def test_an_unclosed_quote_in_the_last_column_is_refused_though_the_count_fits(tmp_path, db_url):
    path = tmp_path / "q.csv"
    path.write_text(HEADER + _lines(2, 5) + '5,A,ok,1,2011-01-04 10:00,1,C1,"UK\n' + _lines(6, 100))
    assert _refused(path, db_url) == (
        "row 5: a quoted field is not closed on its line (column Country), so the lines after it read "
        'as its text; close or remove the quote: "UK'
    )


def test_quoted_line_breaks_still_load(tmp_path, db_url):
    from tests.db.helpers import ingest_json

    path = tmp_path / "q.csv"
    path.write_text(
        HEADER + '1,A,"two\nlines, one field",1,2011-01-04 10:00,1,C1,UK\n'
        '2,A,"three\n\nlines",1,2011-01-04 10:00,1\n' + _lines(3, 50)
    )  # fmt: skip
    summary = ingest_json(db_url, path)
    assert (summary["rows_stored"], summary["rejected_by_reason"]) == (48, {"too few fields": 1})
    assert "two\nlines, one field" in {t.description for t in transactions(db_url)}
    assert counts(db_url)["rejected_rows"] == 1


@pytest.mark.parametrize(
    "description",
    [
        "Gift set of 6:\nred, green, blue, white, black, pink, grey, gold",  # a row's worth of commas
        "Colours:\nred, green, blue, white, black, pink, grey, gold\nboxed",  # on an inner line
        "Set:\nred, green",  # with the cells after it, as many fields as a row
    ],
)
def test_a_quoted_description_with_a_row_s_worth_of_commas_on_a_line_loads(tmp_path, db_url, description):
    from tests.db.helpers import ingest_json

    path = tmp_path / "q.csv"
    quoted = description.replace('"', '""')
    path.write_text(HEADER + f'1,A,"{quoted}",2,2011-01-04 10:00,3.50,C1,UK\n' + _lines(2, 10))
    summary = ingest_json(db_url, path)
    assert (summary["rows_stored"], summary["rejected"]) == (9, 0)
    assert description in {t.description for t in transactions(db_url)}


def test_a_stray_quote_closed_on_the_next_line_is_refused(tmp_path, db_url):
    """Two rows read as one with the field count right: the description would hold a whole row."""
    path = tmp_path / "q.csv"
    path.write_text(
        HEADER + '536365,85123A,"A,6,2010-12-01 08:26,2.55,17850,United Kingdom\n'
        '536366,85123A,B",6,2010-12-01 08:26,2.55,17850,UK\n' + _lines(3, 10)
    )  # fmt: skip
    assert _refused(path, db_url) == (
        "row 2: a quoted field is not closed on its line (column Description), so the lines after it "
        'read as its text; close or remove the quote: "A,6,2010-12-01 08:26,2.55,17850,United Kingdom'
    )


def test_a_stray_quote_after_the_date_closed_on_the_next_line_is_refused(tmp_path, db_url):
    path = tmp_path / "q.csv"
    path.write_text(
        HEADER + _lines(2, 5) + '5,A,x,1,2011-01-04 10:00,1,"C5,UK\n6,A,y,1,2011-01-05 10:00,1,C6",UK\n' + _lines(7, 10)
    )  # fmt: skip
    assert _refused(path, db_url).startswith(
        "row 5: a quoted field is not closed on its line (column CustomerID)"
    )


@pytest.mark.parametrize(
    "date", ["2011-01-04 10:00", "1/4/2011 10:00", "04.01.2011", "20110104", "4 Jan 2011"]
)
def test_a_swallowed_row_is_told_by_its_date_in_any_spelling(date):
    from db.ingest.stray_quotes import RowShape, swallowed_lines

    shape = RowShape.of(HEADER.strip().split(","), ",", 4)
    row = ["1", "A", f"x\n2,A,y,1,{date},1,C2,UK\nz", "1", "2011-01-04 10:00", "1", "C1", "UK"]
    assert swallowed_lines(row, 2, shape)
    row[2] = "x\n2,A,y,1,some time in May,1,C2,UK\nz"  # prose, however many commas
    assert not swallowed_lines(row, 2, shape)
