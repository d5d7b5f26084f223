"""Formula cells without a saved value: the sheet's XML is read only when it holds formulas, and
only down to the last quarantined line."""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from sqlalchemy import select

from db.ingest import xlsx_formulas
from db.ingest.xlsx_formulas import UnsavedFormulas
from db.models import RejectedRow
from db.session import create_db_engine
from tests.db.helpers import UCI_HEADER, ingest_json


def _workbook(path, rows, *, formulas=()):
    """An openpyxl workbook (formulas saved without values) with ``rows`` lines after the header;
    ``formulas``: the row numbers whose UnitPrice (column F) is a formula."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(UCI_HEADER)
    for number in range(2, rows + 2):
        price = f"=1+{number}" if number in formulas else 1.5
        sheet.append([str(number), "A", "x", "" if number == 4 else 2, "2011-01-05 10:00", price, "C1", "UK"])
    workbook.save(path)
    return path


@pytest.fixture
def parses(monkeypatch):
    """The XML parses started, and the rows each has gone through."""
    started: list[list[int]] = []
    real = ET.iterparse

    def counting(source, *args, **kwargs):
        started.append(rows := [0])
        for event, element in real(source, *args, **kwargs):
            if element.tag.endswith("}row"):
                rows[0] += 1
            yield event, element

    monkeypatch.setattr(xlsx_formulas.ET, "iterparse", counting)
    return started


def test_a_sheet_without_formulas_is_not_parsed(tmp_path, parses):
    path = _workbook(tmp_path / "plain.xlsx", 50)
    assert UnsavedFormulas(path, "Sheet").among([4, 40]) == set()
    assert parses == []


def test_the_parse_stops_at_the_last_row_asked_about_and_resumes_from_there(tmp_path, parses):
    path = _workbook(tmp_path / "f.xlsx", 2_000, formulas={3, 1_500})
    formulas = UnsavedFormulas(path, "Sheet")
    assert formulas.among([3, 4]) == {(3, 5)}
    assert [n for (n,) in parses] == [4]  # the header row, rows 2 to 4
    assert formulas.among([1_500]) == {(1_500, 5)}
    assert formulas.among([3, 1_600]) == {(3, 5)}  # rows already read are remembered
    assert [n for (n,) in parses] == [1_600]  # one parse, resumed
    formulas.close()


def test_formulas_under_a_namespace_prefix_are_found(tmp_path):
    path = _workbook(tmp_path / "plain.xlsx", 5, formulas={3})
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(path) as book, zipfile.ZipFile(prefixed, "w") as out:
        for item in book.infolist():
            data = book.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace('<worksheet xmlns="', '<worksheet xmlns:x="')
                data = re.sub(r"<(/?)([A-Za-z]\w*)([\s/>])", r"<\1x:\2\3", text).encode()
                assert "<x:f>" in data.decode()
            out.writestr(item, data)
    assert UnsavedFormulas(prefixed, "Sheet").among([3]) == {(3, 5)}


def test_a_quarantined_line_in_a_workbook_without_formulas_reads_no_xml(db_url, tmp_path, parses):
    summary = ingest_json(db_url, _workbook(tmp_path / "plain.xlsx", 50))
    assert (summary["rows_stored"], summary["rejected"]) == (49, 1)
    assert parses == []
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(RejectedRow.row_number, RejectedRow.detail)).all() == [(4, "Quantity=")]
    engine.dispose()
