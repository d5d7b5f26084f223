"""Formula cells without a saved value in an .xlsx/.xlsm sheet, read from the sheet's XML."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REF = re.compile(r"([A-Z]+)(\d+)")


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


def unsaved_formulas(path: Path, sheet: str) -> set[tuple[int, int]]:
    """(row number, 0-based column) of the sheet's formula cells that have no saved value.
    Empty for anything but an .xlsx-style zip (calamine reads .xls and .ods itself)."""
    found: set[tuple[int, int]] = set()
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_part(book, sheet)
            if part is None:
                return found
            with book.open(part) as stream:
                for _, element in ET.iterparse(stream):
                    if element.tag == f"{_MAIN}c":
                        value = element.find(f"{_MAIN}v")
                        if element.find(f"{_MAIN}f") is not None and (value is None or not value.text):
                            if (where := _position(element.get("r", ""))) is not None:
                                found.add(where)
                        element.clear()
                    elif element.tag == f"{_MAIN}row":
                        element.clear()
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError):
        return set()
    return found
