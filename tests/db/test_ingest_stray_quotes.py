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
        "row 2: a quoted field opens and never closes (column Description), so the lines after it "
        'read as its text; close or remove the quote: 1,A,"unterminated,1,2011-01-04 10:00,1,C1,UK'
    )


def test_a_stray_quote_closed_by_a_later_one_is_refused_too(tmp_path, db_url):
    path = tmp_path / "q.csv"
    path.write_text(
        HEADER + _lines(2, 5) + '5,A,"stray,1,2011-01-04 10:00,1,C1,UK\n' + _lines(6, 9)
        + '9,A,"quoted, fine",1,2011-01-04 10:00,1,C1,UK\n' + _lines(10, 20)
    )  # fmt: skip
    assert _refused(path, db_url).startswith("row 5: a quoted field opens and never closes (column Description)")


def test_an_unclosed_quote_in_the_last_column_is_refused_though_the_count_fits(tmp_path, db_url):
    path = tmp_path / "q.csv"
    path.write_text(HEADER + _lines(2, 5) + '5,A,ok,1,2011-01-04 10:00,1,C1,"UK\n' + _lines(6, 100))
    assert _refused(path, db_url) == (
        "row 5: a quoted field opens and never closes (column Country), so the lines after it read "
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
