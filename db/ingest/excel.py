"""Excel workbooks (xlsx, xlsm, xls, ods): one sheet's header and rows, as text, in chunks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from db.ingest.chunks import Chunk, text_table
from db.ingest.errors import IngestError
from db.ingest.xlsx_formulas import UnsavedFormulas

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


def _open(source: Source, sheet: str | None):
    """The workbook, and the name of the sheet ``sheet`` picks (None: the first)."""
    from python_calamine import CalamineWorkbook  # imported here: only Excel imports pay for it

    try:
        workbook = CalamineWorkbook.from_path(str(source.path))
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise IngestError(f"not a readable Excel workbook ({str(exc).splitlines()[0]})") from exc
    names = workbook.sheet_names
    if not names:
        raise IngestError("the workbook has no sheets")
    if sheet is not None and sheet not in names:
        raise IngestError(f"sheet {sheet!r} not found; sheets: {', '.join(names)}")
    return workbook, sheet or names[0]


def sheet_name(source: Source, sheet: str | None) -> tuple[str, bool]:
    """The name of the sheet ``sheet`` picks and whether it is the first, without reading it."""
    workbook, name = _open(source, sheet)
    return name, name == workbook.sheet_names[0]


def excel_rows(source: Source, sheet: str | None) -> SheetRows:
    """Header and data rows (as text) of one sheet; Excel date cells come out as ISO text.
    The header is the first row with any text (blank rows above it are skipped)."""
    workbook, name = _open(source, sheet)
    ws = workbook.get_sheet_by_name(name)
    rows = iter(ws.iter_rows())
    for number, header in enumerate(rows, start=1):
        if any(_cell_text(c).strip() for c in header):
            cells = tuple(_cell_text(c).strip() for c in header)
            data = ([_cell_text(c) for c in row] for row in rows)
            return SheetRows(cells, data, number + 1)
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


UNSAVED_FORMULA = " (a formula without a saved value: open and save the workbook in Excel)"


class FormulaNotes:
    """Says so where a quarantined line's empty cell is a formula without a saved value.

    Programs that write workbooks without computing them (openpyxl, many exporters) leave a
    formula's value out; Excel computes it on opening, readers see an empty cell. Only once a
    line was quarantined for an empty cell is the sheet's XML looked at: a byte scan for any
    formula first, then a parse down to the last such line, resumed for later ones.
    """

    def __init__(self, source: Source, sheet: str | None) -> None:
        self.source, self.sheet = source, sheet
        self._formulas: UnsavedFormulas | None = None
        self._first_column: int | None = None

    def explain(self, rejects: pd.DataFrame, header: Sequence[str]) -> None:
        if rejects.empty:
            return
        empty = rejects["detail"].str.endswith("=", na=False)
        if not empty.any():
            return
        if self._formulas is None:
            self._formulas = UnsavedFormulas(self.source.path, _open(self.source, self.sheet)[1])
        at_rows = np.flatnonzero(empty.to_numpy())
        cells = self._formulas.among(int(rejects.index[at]) for at in at_rows)
        if not cells:
            return
        if self._first_column is None:  # where calamine's columns start: it reads the sheet
            workbook, name = _open(self.source, self.sheet)
            self._first_column = (workbook.get_sheet_by_name(name).start or (0, 0))[1]
        columns = {h: i for i, h in reversed(list(enumerate(header)))}  # a name's first column
        for at in at_rows:
            detail = rejects["detail"].iat[at]
            column = columns.get(detail[:-1])
            if column is not None and (int(rejects.index[at]), self._first_column + column) in cells:
                rejects.iat[at, rejects.columns.get_loc("detail")] = detail + UNSAVED_FORMULA

    def close(self) -> None:
        if self._formulas is not None:
            self._formulas.close()
