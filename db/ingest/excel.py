"""Excel workbooks (xlsx, xlsm, xls, ods): one sheet's header and rows, as text, in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import numpy as np

from db.ingest.chunks import Chunk, text_table
from db.ingest.errors import IngestError

if TYPE_CHECKING:
    from db.ingest.readers import Source


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class SheetRows:
    header: tuple[str, ...]
    rows: Iterator[list[str]]  # the data rows, as text
    first_row: int  # the sheet row number of the first data row
    sheet: str = ""  # the sheet's name
    first_sheet: bool = True  # whether it is the workbook's first (what no --sheet reads)


def excel_rows(source: Source, sheet: str | None) -> SheetRows:
    """Header and data rows (as text) of one sheet; Excel date cells come out as ISO text.
    The header is the first row with any text (blank rows above it are skipped)."""
    from python_calamine import CalamineWorkbook  # imported here: only Excel imports pay for it

    try:
        workbook = CalamineWorkbook.from_path(str(source.path))
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise IngestError(f"not a readable Excel workbook ({str(exc).splitlines()[0]})") from exc
    names = workbook.sheet_names
    if sheet is not None and sheet not in names:
        raise IngestError(f"sheet {sheet!r} not found; sheets: {', '.join(names)}")
    ws = workbook.get_sheet_by_name(sheet or names[0])
    rows = iter(ws.iter_rows())
    for number, header in enumerate(rows, start=1):
        if any(_cell_text(c).strip() for c in header):
            cells = tuple(_cell_text(c).strip() for c in header)
            data = ([_cell_text(c) for c in row] for row in rows)
            return SheetRows(cells, data, number + 1, ws.name, ws.name == names[0])
    raise IngestError(f"sheet {ws.name!r} is empty")


def iter_excel(sheet: SheetRows, chunk_rows: int) -> Iterator[Chunk]:
    # Cells right of the header are notes people leave in sheets, not shifted fields: ignored.
    width = len(sheet.header)
    start, batch = sheet.first_row, []
    for row in sheet.rows:
        batch.append((row + [""] * width)[:width])
        if len(batch) == chunk_rows:
            yield Chunk(text_table(batch, width), np.arange(start, start + len(batch), dtype=np.int64))
            start, batch = start + len(batch), []
    if batch:
        yield Chunk(text_table(batch, width), np.arange(start, start + len(batch), dtype=np.int64))
