"""Formula cells without a saved value in an .xlsx/.xlsm sheet, read from the sheet's XML."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Generator, Iterable
from pathlib import Path
from xml.etree import ElementTree as ET

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REF = re.compile(r"([A-Z]+)(\d+)")
# A formula element, <f>, <f t="shared" .../> or with a namespace prefix (<x:f>). Raw markup
# only: '<' cannot stand unescaped in text, so a sheet without a match holds no formula.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_TAG_REACH = 256  # bytes kept across a block boundary, more than any tag's name
_BLOCK = 1 << 20
_ERRORS = (zipfile.BadZipFile, KeyError, ET.ParseError, OSError)


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``'s cells."""
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    rel = next((s.get(_REL_ID) for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == sheet), None)
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(_RELS) if r.get("Id") == rel), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _position(ref: str) -> tuple[int, int] | None:
    """'F3' -> (3, 5): the sheet row number and the 0-based column."""
    match = _REF.fullmatch(ref)
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column - 1


def _holds_formula(stream) -> bool:
    """Whether the part's bytes hold a formula element: a byte scan, no XML parsing."""

    def found(data: bytes) -> bool:  # the substring tests are the cheap filter
        return (b"<f" in data or b":f" in data) and _FORMULA_TAG.search(data) is not None

    tail = b""
    while block := stream.read(_BLOCK):
        if found(tail + block[:_TAG_REACH]) or found(block):
            return True
        tail = block[-_TAG_REACH:]
    return False


def _rows(path: Path, sheet: str) -> Generator[tuple[int, list[int]], None, None]:
    """Each row's number and the 0-based columns of its formula cells without a saved value,
    in sheet order; nothing for a sheet without formulas, or anything but an .xlsx-style zip
    (calamine reads .xls and .ods itself)."""
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_part(book, sheet)
            if part is None:
                return
            with book.open(part) as stream:
                if not _holds_formula(stream):
                    return
            with book.open(part) as stream:
                number, cells = 0, []
                for _, element in ET.iterparse(stream):
                    if element.tag == f"{_MAIN}c":
                        value = element.find(f"{_MAIN}v")
                        if element.find(f"{_MAIN}f") is not None and (value is None or not value.text):
                            if (where := _position(element.get("r", ""))) is not None:
                                cells.append(where[1])
                        element.clear()
                    elif element.tag == f"{_MAIN}row":
                        given = element.get("r", "")
                        number = int(given) if given.isdigit() else number + 1
                        element.clear()
                        yield number, cells
                        cells = []
    except _ERRORS:
        return


class UnsavedFormulas:
    """(row number, 0-based column) of a sheet's formula cells without a saved value, read
    only as far down the sheet as the rows asked about: the XML is parsed at most once,
    resuming where the last question stopped, and not at all when its bytes hold no formula."""

    def __init__(self, path: Path, sheet: str) -> None:
        self._rows: Generator[tuple[int, list[int]], None, None] | None = _rows(path, sheet)
        self._read = 0  # the last row number parsed
        self._found: dict[int, list[int]] = {}  # row number -> columns

    def among(self, rows: Iterable[int]) -> set[tuple[int, int]]:
        """The cells in ``rows``."""
        wanted = set(rows)
        last = max(wanted, default=0)
        while self._rows is not None and self._read < last:
            try:
                self._read, columns = next(self._rows)
            except StopIteration:
                self.close()
                break
            if columns:
                self._found.setdefault(self._read, []).extend(columns)
        return {(row, column) for row in wanted for column in self._found.get(row, ())}

    def close(self) -> None:
        """Let go of the workbook, which a parse stopped halfway holds open."""
        if self._rows is not None:
            self._rows.close()
            self._rows = None
