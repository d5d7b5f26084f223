"""A stray quote: a quoted field that runs past the end of its line takes the lines after it in
as its text. Told apart from a description with a line break by what those lines read as."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from db.ingest.errors import IngestError

LINE_END = re.compile(r"\r\n|\r|\n")
# A field this long is the rest of the file read as one field, not a description.
LONGEST_FIELD = 64 * 1024
# What starts a date, in any spelling the reader takes or a --date-format is likely to give:
# three groups of digits (2011-01-04, 1/4/2011, 04.01.2011), eight digits, or a month's name.
_DATE = re.compile(r"\s*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}|\d{1,2}[ -][A-Za-z]{3,9}[ ,-]+\d{2,4})(\D|$)")


@dataclass(frozen=True)
class RowShape:
    """What a line needs to read as a row of the file: as many fields as the header names, and
    a date where the dates are (a line of prose with commas in it has no date there)."""

    delimiter: str
    named: int  # the fields up to the header's last named column
    date_column: int | None  # None: not known, the field count alone decides

    @classmethod
    def of(cls, header: Sequence[str], delimiter: str, date_column: int | None) -> RowShape:
        named = max((i + 1 for i, h in enumerate(header) if h), default=len(header))
        return cls(delimiter, max(named, 2), date_column)

    def fits(self, fields: Sequence[str]) -> bool:
        if len(fields) < self.named:
            return False
        at = self.date_column
        return at is None or (at < len(fields) and _DATE.match(fields[at]) is not None)


def swallowed_lines(cells: Sequence[str], column: int, shape: RowShape) -> bool:
    """Whether cell ``column`` of a row (``cells``) took in lines that read as rows of their own.

    Either a line inside the cell reads as a row, or the stray quote was closed a line later:
    the cell's first line, after the cells before it, completes a row, and its last line, with
    the cells after it, makes one too. Or the cell is longer than any description.
    """
    cell = cells[column]
    if len(cell) > LONGEST_FIELD:
        return True
    lines = [line.split(shape.delimiter) for line in LINE_END.split(cell)]
    if len(lines) < 2:
        return False
    if any(shape.fits(line) for line in lines[1:-1]):
        return True
    return shape.fits([*cells[:column], *lines[0]]) and shape.fits([*lines[-1], *cells[column + 1 :]])


def open_quote(line: str, delimiter: str) -> int | None:
    """The position of the field whose opening quote ``line`` does not close, if one."""
    field, i = 0, 0
    while i < len(line):
        if line[i] == '"':
            i += 1
            while True:  # to the closing quote; "" is a quote inside the field
                i = line.find('"', i)
                if i < 0:
                    return field
                if line[i + 1 : i + 2] != '"':
                    break
                i += 2
        i = line.find(delimiter, i)
        if i < 0:
            return None
        field, i = field + 1, i + 1
    return None


def unclosed_quote(row: int, header: Sequence[str], column: int | None, text: str) -> IngestError:
    """The refusal of a row that took in the lines after it."""
    where = f" (column {header[column] or column + 1})" if column is not None and column < len(header) else ""
    line = LINE_END.split(text, maxsplit=1)[0]
    shown = "".join(c if c.isprintable() else "?" for c in line[:60]) + ("..." if len(line) > 60 else "")
    return IngestError(
        f"row {row}: a quoted field is not closed on its line{where}, so the lines after it read as "
        f"its text; close or remove the quote: {shown}"
    )
