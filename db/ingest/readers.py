"""Open a transaction export (CSV, CSV.gz, Excel) and yield its rows as chunks of strings.

A first streaming pass checks the whole file before anything reaches the database: it hashes
the stored bytes, proves a gzip stream is complete, decides the text encoding and refuses binary
junk. The second pass hands pandas' C parser the file in bounded chunks.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from db.ingest.errors import IngestError

BLOCK = 1 << 20
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
EXTRA_FIELDS = 8  # spare columns that catch rows with more fields than the header
_CP1252_HOLES = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")


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


def _scan_text(path: Path, compressed: bool, encoding: str | None) -> tuple[str, int, int, bytes]:
    """One pass over the decompressed bytes: encoding, size, line count, the first block."""
    opener = gzip.open if compressed else open
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, has_holes, total, lines, head = True, False, 0, 0, b""
    try:
        with opener(path, "rb") as fh:
            while block := fh.read(BLOCK):
                if not head:
                    head = block
                    if b"\x00" in block[:65536] or len(_CONTROL.findall(block[:65536])) > 64:
                        raise IngestError("binary data, not a text export (CSV expected)")
                total += len(block)
                lines += block.count(b"\n")
                if is_utf8:
                    try:
                        utf8.decode(block)
                    except UnicodeDecodeError:
                        is_utf8 = False
                if not is_utf8 and not has_holes:
                    has_holes = bool(_CP1252_HOLES.search(block))
            if is_utf8:
                utf8.decode(b"", final=True)
    except EOFError as exc:
        raise IngestError("truncated gzip file: the compressed stream ends early") from exc
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise IngestError(f"corrupt gzip file ({exc})") from exc
    except UnicodeDecodeError:
        is_utf8 = False
    if total == 0:
        raise IngestError("the file is empty")
    if encoding is None:
        if is_utf8:
            encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        else:
            # The widely shared UCI copy is Windows-1252; bytes it leaves undefined mean Latin-1.
            encoding = "latin-1" if has_holes else "cp1252"
    return encoding, total, lines, head


def _sniff(sample: str, delimiter: str | None) -> tuple[str, tuple[str, ...]]:
    lines = sample.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if not first:
        raise IngestError("the file has no header line")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = max(",;\t", key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    return delimiter, tuple(h.strip() for h in header)


def open_source(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Source:
    """Check the file and learn enough about it to parse it; refuse it with IngestError."""
    if not path.exists():
        raise IngestError("file not found")
    if not path.is_file():
        raise IngestError("not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError("the file is empty")
    kind, compressed = _kind(path)
    sha = _file_sha256(path)
    if kind == "excel":
        return Source(path, kind, False, size, sha)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise IngestError(f"unknown encoding {encoding!r}") from exc
    encoding, _total, lines, head = _scan_text(path, compressed, encoding)
    try:
        sample = head[:65536].decode(encoding, errors="strict" if len(head) <= 65536 else "ignore")
    except UnicodeDecodeError as exc:
        raise IngestError(f"cannot decode the file as {encoding} (byte {exc.start})") from exc
    delimiter, header = _sniff(sample.lstrip("\ufeff"), delimiter)
    return Source(path, kind, compressed, size, sha, encoding, delimiter, header, max(lines - 1, 0))


def iter_csv(source: Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Chunks of string columns named after the header, plus spare columns for ragged rows."""
    names = [f"__col{i}" for i in range(len(source.header) + EXTRA_FIELDS)]
    reader = pd.read_csv(
        source.path,
        sep=source.delimiter,
        encoding=source.encoding,
        compression="gzip" if source.compressed else None,
        header=None,
        skiprows=1,
        names=names,
        dtype=str,
        na_filter=False,
        skip_blank_lines=False,
        chunksize=chunk_rows,
        engine="c",
    )
    try:
        yield from reader
    except pd.errors.ParserError as exc:
        detail = str(exc).replace("C error: ", "").strip().rstrip(".")
        raise IngestError(f"malformed CSV: {detail}") from exc
    except UnicodeDecodeError as exc:
        raise IngestError(f"cannot decode the file as {source.encoding}; pass --encoding") from exc
    finally:
        reader.close()


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


def excel_rows(source: Source, sheet: str | None) -> tuple[tuple[str, ...], Iterator[list[str]]]:
    """Header and data rows (as text) of one sheet; Excel date cells come out as ISO text."""
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
    header = next(rows, None)
    if header is None or not any(_cell_text(c).strip() for c in header):
        raise IngestError(f"sheet {ws.name!r} is empty")
    return tuple(_cell_text(c).strip() for c in header), ([_cell_text(c) for c in row] for row in rows)


def iter_excel(rows: Iterator[list[str]], width: int, chunk_rows: int) -> Iterator[pd.DataFrame]:
    # Cells right of the header are notes people leave in sheets, not shifted fields: ignored.
    names = [f"__col{i}" for i in range(width)]
    start, batch = 0, []
    for row in rows:
        batch.append((row + [""] * len(names))[: len(names)])
        if len(batch) == chunk_rows:
            yield pd.DataFrame(batch, columns=names, index=pd.RangeIndex(start, start + len(batch)))
            start, batch = start + len(batch), []
    if batch:
        yield pd.DataFrame(batch, columns=names, index=pd.RangeIndex(start, start + len(batch)))
