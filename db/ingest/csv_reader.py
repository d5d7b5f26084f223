"""CSV text (plain or gzip) read by Arrow's streaming CSV reader into chunks of text cells.

Arrow validates UTF-8 as it reads, and its gzip reader (zlib) proves the stream complete (its
length and CRC): either failure refuses the file before the import commits.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from db.ingest.chunks import Chunk, column_names, text_table
from db.ingest.encoding import EncodingGuessWrong
from db.ingest.errors import IngestError
from db.ingest.gzip_text import BLOCK, gzip_errors, padded
from db.ingest.stray_quotes import (
    LINE_END,
    LONGEST_FIELD,
    RowShape,
    open_quote,
    swallowed_lines,
    unclosed_quote,
)

if TYPE_CHECKING:
    from db.ingest.readers import Source


class _OddRows:
    """Rows whose field count differs from the header's, which Arrow hands over one by one.

    Long rows keep their extra fields in spare columns so that they are quarantined as "too
    many fields"; short rows (cut off: fewer delimiters than the header) are padded with empty
    cells and keep their field count, so that they are quarantined as "too few fields".
    A row that took in whole lines after it (a stray quote) refuses the file: the handler
    cannot raise through Arrow, so it keeps the refusal and answers "error".
    """

    def __init__(
        self, header: tuple[str, ...], delimiter: str, first_row: int = 2, date_column: int | None = None
    ) -> None:
        self.header = header
        self.width = len(header)
        self.delimiter = delimiter
        self.shape = RowShape.of(header, delimiter, date_column)
        self.first_row = first_row  # the line number of the first data row
        self.numbers: list[int] = []  # every odd row, for numbering the regular ones
        self.pending: list[tuple[int, list[str]]] = []
        self.refusal: IngestError | None = None

    def __call__(self, row) -> str:
        self.numbers.append(row.number)
        breaks = LINE_END.search(row.text) is not None
        if breaks and len(row.text) > LONGEST_FIELD:  # past the csv module's limit, too
            column = open_quote(LINE_END.split(row.text, maxsplit=1)[0], self.delimiter)
            self.refusal = unclosed_quote(row.number, self.header, column, row.text)
            return "error"
        try:
            fields = next(csv.reader([row.text], delimiter=self.delimiter), [])
        except csv.Error as exc:  # a field over the csv module's limit (128 KiB)
            self.refusal = IngestError(f"row {row.number}: cannot be read as CSV ({exc})")
            return "error"
        if breaks:
            for column, cell in enumerate(fields):
                if LINE_END.search(cell) and swallowed_lines(fields, column, self.shape):
                    self.refusal = unclosed_quote(row.number, self.header, column, row.text)
                    return "error"
        if any(f.strip() for f in fields):  # a blank line is not a row
            self.pending.append((row.number, fields))
        return "skip"

    def take(self) -> Chunk | None:
        if not self.pending:
            return None
        width = max(self.width, *(len(f) for _, f in self.pending))
        cells = [f + [""] * (width - len(f)) for _, f in self.pending]
        numbers = np.array([n for n, _ in self.pending], dtype=np.int64)
        fields = np.array([len(f) for _, f in self.pending], dtype=np.int64)
        chunk = Chunk(text_table(cells, width), numbers, fields)
        self.pending = []
        return chunk

    def number(self, ordinals: np.ndarray) -> np.ndarray:
        """Source row numbers of the regular rows with these ordinals (0 = first data row)."""
        skipped = np.asarray(self.numbers, dtype=np.int64)
        rows = ordinals + self.first_row
        while True:  # each pass accounts for odd rows the previous guess stepped over
            guess = ordinals + self.first_row + np.searchsorted(skipped, rows, side="right")
            if np.array_equal(guess, rows):
                return rows
            rows = guess


def _arrow_encoding(encoding: str) -> str:
    # Arrow decodes UTF-8 natively; the BOM sits in the header line, which is skipped.
    return "utf8" if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") else encoding


def iter_csv(source: Source, chunk_rows: int, date_column: int | None = None) -> Iterator[Chunk]:
    """Chunks of text cells, parsed by Arrow's streaming CSV reader in bounded memory.
    ``date_column`` (the invoice dates) tells a stray quote's swallowed rows from prose."""
    width = len(source.header)
    odd = _OddRows(source.header, source.delimiter, source.header_row + 1, date_column)
    names = column_names(width)
    # The reader parses its first block as it opens, so opening can fail like reading.
    with _arrow_errors(source, odd), _byte_stream(source) as stream:
        reader = pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(
                # One thread keeps row numbers known to the odd-row handler; the other core
                # is busy with the database.
                use_threads=False,
                block_size=BLOCK * 4,
                skip_rows=source.header_row,
                column_names=names,
                encoding=_arrow_encoding(source.encoding),
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=source.delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=odd,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        buffered: list[pa.RecordBatch] = []
        held = seen = 0
        for batch in _batches(reader):
            buffered.append(batch)
            held += batch.num_rows
            while held >= chunk_rows:
                table = pa.Table.from_batches(buffered)
                head, rest = table.slice(0, chunk_rows), table.slice(chunk_rows)
                yield _checked(Chunk(head, odd.number(np.arange(seen, seen + head.num_rows))), odd)
                seen += head.num_rows
                buffered, held = rest.to_batches(), rest.num_rows
                # Odd rows follow the regular rows around them, which settle the date format.
                if (extra := odd.take()) is not None:
                    yield extra
        if held:
            table = pa.Table.from_batches(buffered)
            yield _checked(Chunk(table, odd.number(np.arange(seen, seen + table.num_rows))), odd)
        if (extra := odd.take()) is not None:
            yield extra


def _checked(chunk: Chunk, odd: _OddRows) -> Chunk:
    """``chunk``, refused if a stray quote made a cell of whole lines with the field count still
    right: in the last column, or closed by a later quote (on the next line too: the first line
    of the cell completes a row, the rest starts one). A byte scan per column; only a chunk with
    line breaks in its cells gets a closer look."""
    for i in range(odd.width):
        values = chunk.table.column(i)
        if not any(_has_line_end(c) for c in values.chunks):
            continue
        hits = pc.match_substring_regex(values, "[\r\n]")
        for at in np.flatnonzero(pc.fill_null(hits, False).to_numpy(zero_copy_only=False)):
            cells = [column[int(at)].as_py() for column in chunk.table.columns[: odd.width]]
            if swallowed_lines(cells, i, odd.shape):
                raise unclosed_quote(int(chunk.rows[at]), odd.header, i, '"' + cells[i])
    return chunk


def _has_line_end(values: pa.Array) -> bool:
    data = values.buffers()[2]
    if data is None:
        return False
    return bool(np.any(np.frombuffer(data, dtype=np.uint8) <= 13))  # also tabs: a closer look


@contextmanager
def _byte_stream(source: Source) -> Iterator[pa.NativeFile]:
    """The file's text bytes as a native Arrow stream.

    Arrow's own gzip reader (zlib checks the CRC and length at the end), not Python's gzip
    object: Arrow's read-ahead thread would call into Python, which aborts the process if that
    read is still running when the interpreter exits after an error. zlib takes padding after
    the last member for a broken member, so a padded file is first unpacked to a temporary
    file by Python's reader, which skips it.
    """
    if not source.compressed:
        with pa.input_stream(source.path) as stream:
            yield stream
        return
    if source.size_bytes <= 8 or not padded(source.path):
        with pa.input_stream(source.path, compression="gzip") as stream:
            yield stream
        return
    with tempfile.TemporaryDirectory(prefix="segments-gunzip-") as tmp:
        text = Path(tmp) / "text"
        with gzip_errors(), gzip.open(source.path, "rb") as packed, text.open("wb") as out:
            shutil.copyfileobj(packed, out, BLOCK)
        with pa.input_stream(text) as stream:
            yield stream


@contextmanager
def _arrow_errors(source: Source, odd: _OddRows) -> Iterator[None]:
    """Arrow's decoding and parsing errors, as the one-line refusals of this module."""
    try:
        with gzip_errors():
            yield
    except UnicodeDecodeError as exc:
        raise IngestError(f"cannot decode the file as {source.encoding}; pass --encoding") from exc
    except OSError as exc:  # Arrow's decompression and read errors
        detail = str(exc).splitlines()[0].strip().rstrip(".") if str(exc) else type(exc).__name__
        if not source.compressed:
            raise IngestError(f"cannot read the file ({detail})") from exc
        if "truncated" in detail.lower():
            raise IngestError("truncated gzip file: the compressed stream ends early") from exc
        raise IngestError(f"corrupt gzip file ({detail})") from exc
    except pa.ArrowInvalid as exc:
        if odd.refusal is not None:  # what the odd-row handler refused the file for
            raise odd.refusal from exc
        detail = str(exc).splitlines()[0].strip().rstrip(".")
        if "utf8" in detail.lower():
            error = EncodingGuessWrong if source.encoding_guessed else IngestError
            raise error(f"cannot decode the file as {source.encoding} ({detail}); pass --encoding") from exc
        raise IngestError(f"malformed CSV: {detail}") from exc


def _batches(reader) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
