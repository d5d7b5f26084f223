"""The delimiter and header of CSV text, from its first lines."""

from __future__ import annotations

import csv
import re

from db.ingest.errors import IngestError

_LINE_END = re.compile(r"\r\n|\r|\n")
# Blank, or only delimiters and quotes: what a spreadsheet writes for an empty row.
_BLANK_LINE = re.compile(r"[\s,;\t\"']*")


def sniff(sample: str, delimiter: str | None) -> tuple[str, tuple[str, ...], int]:
    """The delimiter, the header's cells and its line number."""
    lines = _LINE_END.split(sample)  # as Arrow counts lines: \n, \r\n or a lone \r
    header_row = next((i for i, ln in enumerate(lines, start=1) if not _BLANK_LINE.fullmatch(ln)), 0)
    if not header_row:
        raise IngestError("the file has no header line")
    first = lines[header_row - 1]
    lines = lines[header_row - 1 :]
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = max(",;\t", key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    return delimiter, tuple(h.strip() for h in header), header_row
