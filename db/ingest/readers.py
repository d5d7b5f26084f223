"""Open a transaction export (CSV, CSV.gz, Excel) and yield its rows as chunks of strings.

Opening hashes the stored bytes and looks at the first block of text: it refuses binary junk,
sniffs the delimiter and header, and takes the encoding to be UTF-8 when the block is. The rest
is checked as Arrow's CSV reader streams it in bounded chunks: Arrow validates UTF-8, its gzip
reader (zlib) proves the stream complete (its length and CRC), and either failure refuses the file
before the import commits. A file whose first block is not UTF-8 gets a whole first pass to
choose between Windows-1252 and Latin-1; so does one that turns out not to be UTF-8 further on
(``EncodingGuessWrong``: the import starts over).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from db.ingest.errors import IngestError

BLOCK = 1 << 20
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_CP1252_HOLES = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_LINE_END = re.compile(r"\r\n|\r|\n")
# Blank, or only delimiters and quotes: what a spreadsheet writes for an empty row.
_BLANK_LINE = re.compile(r"[\s,;\t\"']*")


class EncodingGuessWrong(IngestError):
    """The text stopped being UTF-8 after a first block that was."""


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # "csv" or "excel"
    compressed: bool
    size_bytes: int
    sha256: str
    encoding: str | None = None
    delimiter: str | None = None
    header: tuple[str, ...] = ()
    approx_rows: int = 0
    encoding_guessed: bool = False  # UTF-8 judged from the first block; the reader checks the rest
    header_row: int = 1  # line number of the header (blank lines may come before it)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _kind(path: Path) -> tuple[str, bool]:
    with path.open("rb") as fh:
        magic = fh.read(4)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in EXCEL_SUFFIXES:
        if suffixes[-1] != ".xls" and magic != b"PK\x03\x04":
            raise IngestError("not an Excel workbook (the file is not a valid .xlsx/.ods container)")
        return "excel", False
    if suffixes and suffixes[-1] == ".gz":
        if magic[:2] != b"\x1f\x8b":
            raise IngestError("not a gzip file although the name ends in .gz")
        return "csv", True
    if magic == b"PK\x03\x04":
        raise IngestError("this is a zip/Excel container, not CSV text: give it an .xlsx name")
    return "csv", False


def _scan_text(path: Path, compressed: bool, head: bytes) -> str:
    """The encoding of the whole text (``head``: its first block): UTF-8 if it all decodes,
    else Windows-1252 or Latin-1."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, has_holes = True, False
    with _gzip_errors(), (gzip.open if compressed else open)(path, "rb") as fh:
        while block := fh.read(BLOCK):
            if is_utf8:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    is_utf8 = False
            if not is_utf8 and not has_holes:
                has_holes = bool(_CP1252_HOLES.search(block))
        if is_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    if is_utf8:
        return _utf8_label(head)
    # The widely shared UCI copy is Windows-1252; bytes it leaves undefined mean Latin-1.
    return "latin-1" if has_holes else "cp1252"


def _sniff(sample: str, delimiter: str | None) -> tuple[str, tuple[str, ...], int]:
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


@contextmanager
def _gzip_errors() -> Iterator[None]:
    try:
        yield
    except EOFError as exc:
        raise IngestError("truncated gzip file: the compressed stream ends early") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise IngestError(f"corrupt gzip file ({exc})") from exc


def _head(path: Path, compressed: bool) -> bytes:
    """The first block of the (decompressed) text."""
    with _gzip_errors(), (gzip.open if compressed else open)(path, "rb") as fh:
        return fh.read(BLOCK)


def _utf8_label(head: bytes) -> str:
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def _utf8_name(head: bytes, whole: bool) -> str | None:
    """utf-8 or utf-8-sig if ``head`` decodes as UTF-8 (a character cut at its end allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return None
    return _utf8_label(head)


def _approx_rows(path: Path, compressed: bool, size: int, head: bytes) -> int:
    """Data rows, estimated from the first block's line length (for the progress bar)."""
    lines = head.count(b"\n")
    if len(head) < BLOCK or not lines:
        return max(lines - 1, 0)
    total = size
    if compressed:  # gzip's trailer holds the text's length modulo 2**32
        with path.open("rb") as fh:
            fh.seek(-4, 2)
            total = int.from_bytes(fh.read(4), "little")
        total += 2**32 * (total < len(head))
    return int(total * lines / len(head))


def check_path(path: Path) -> int:
    """The size of ``path``, a regular non-empty file; else IngestError."""
    if not path.exists():
        raise IngestError("file not found")
    if not path.is_file():
        raise IngestError("not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError("the file is empty")
    return size


def open_source(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, full_scan: bool = False
) -> Source:
    """Check the file and learn enough about it to parse it; refuse it with IngestError.

    ``full_scan`` decides an unforced encoding from the whole text, not its first block.
    """
    size = check_path(path)
    kind, compressed = _kind(path)
    sha = _file_sha256(path)
    if kind == "excel":
        return Source(path, kind, False, size, sha)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise IngestError(f"unknown encoding {encoding!r}") from exc
    head = _head(path, compressed)
    if not head:
        raise IngestError("the file is empty")
    if encoding is None and head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"  # checked first: the UTF-32 LE mark starts like the UTF-16 LE one
    elif encoding is None and head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text" export
    wide = encoding is not None and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    if not wide and (b"\x00" in head[:65536] or len(_CONTROL.findall(head[:65536])) > 64):
        raise IngestError("binary data, not a text export (CSV expected)")
    guessed = False
    if encoding is None and not full_scan:
        encoding = _utf8_name(head, whole=len(head) < BLOCK)
        guessed = encoding is not None and len(head) == BLOCK
    if encoding is None:
        encoding = _scan_text(path, compressed, head)
    try:
        sample = head[:65536].decode(encoding, errors="strict" if len(head) <= 65536 else "ignore")
    except UnicodeDecodeError as exc:
        raise IngestError(f"cannot decode the file as {encoding} (byte {exc.start})") from exc
    # A UTF-8 byte order mark also opens some files that are otherwise Windows-1252.
    for bom in ("\ufeff", codecs.BOM_UTF8.decode("latin-1")):
        sample = sample.removeprefix(bom)
    delimiter, header, header_row = _sniff(sample, delimiter)
    approx = _approx_rows(path, compressed, size, head)
    return Source(path, kind, compressed, size, sha, encoding, delimiter, header, approx, guessed, header_row)


@dataclass
class Chunk:
    """Raw text cells of consecutive data rows and their source row numbers (the header is 1)."""

    table: pa.Table  # string columns, header width; spare ones only for rows with extra fields
    rows: np.ndarray  # int64 row numbers, one per table row
    # CSV rows with fewer fields than the header (padded with empty cells): how many they had.
    # None for chunks of regular rows.
    fields: np.ndarray | None = None

    def __len__(self) -> int:
        return self.table.num_rows

    def text(self, column: int) -> pd.Series:
        return self.table.column(column).to_pandas()


def _names(width: int) -> list[str]:
    return [f"__col{i}" for i in range(width)]


def _text_table(rows: list[list[str]], width: int) -> pa.Table:
    return pa.table(
        {name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(_names(width))}
    )


class _OddRows:
    """Rows whose field count differs from the header's, which Arrow hands over one by one.

    Long rows keep their extra fields in spare columns so that they are quarantined as "too
    many fields"; short rows (cut off: fewer delimiters than the header) are padded with empty
    cells and keep their field count, so that they are quarantined as "too few fields".
    """

    def __init__(self, width: int, delimiter: str, first_row: int = 2) -> None:
        self.width = width
        self.delimiter = delimiter
        self.first_row = first_row  # the line number of the first data row
        self.numbers: list[int] = []  # every odd row, for numbering the regular ones
        self.pending: list[tuple[int, list[str]]] = []

    def __call__(self, row) -> str:
        self.numbers.append(row.number)
        fields = next(csv.reader([row.text], delimiter=self.delimiter), [])
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
        chunk = Chunk(_text_table(cells, width), numbers, fields)
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


def iter_csv(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    """Chunks of text cells, parsed by Arrow's streaming CSV reader in bounded memory."""
    width = len(source.header)
    odd = _OddRows(width, source.delimiter, first_row=source.header_row + 1)
    names = _names(width)
    # The reader parses its first block as it opens, so opening can fail like reading.
    with _arrow_errors(source), _byte_stream(source) as stream:
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
                yield Chunk(head, odd.number(np.arange(seen, seen + head.num_rows)))
                seen += head.num_rows
                buffered, held = rest.to_batches(), rest.num_rows
                # Odd rows follow the regular rows around them, which settle the date format.
                if (extra := odd.take()) is not None:
                    yield extra
        if held:
            table = pa.Table.from_batches(buffered)
            yield Chunk(table, odd.number(np.arange(seen, seen + table.num_rows)))
        if (extra := odd.take()) is not None:
            yield extra


def _padded(path: Path) -> bool:
    """Whether NUL bytes pad the end of a gzip file (as tape and block writers leave). A gzip
    trailer (CRC, then length) can end in a few zeros, never eight."""
    with path.open("rb") as fh:
        fh.seek(-8, 2)
        return fh.read(8) == b"\x00" * 8


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
    if source.size_bytes <= 8 or not _padded(source.path):
        with pa.input_stream(source.path, compression="gzip") as stream:
            yield stream
        return
    with tempfile.TemporaryDirectory(prefix="segments-gunzip-") as tmp:
        text = Path(tmp) / "text"
        with _gzip_errors(), gzip.open(source.path, "rb") as packed, text.open("wb") as out:
            shutil.copyfileobj(packed, out, BLOCK)
        with pa.input_stream(text) as stream:
            yield stream


@contextmanager
def _arrow_errors(source: Source) -> Iterator[None]:
    """Arrow's decoding and parsing errors, as the one-line refusals of this module."""
    try:
        with _gzip_errors():
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
            yield Chunk(_text_table(batch, width), np.arange(start, start + len(batch), dtype=np.int64))
            start, batch = start + len(batch), []
    if batch:
        yield Chunk(_text_table(batch, width), np.arange(start, start + len(batch), dtype=np.int64))
