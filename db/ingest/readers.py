"""Open a transaction export (CSV, CSV.gz, Excel) and yield its rows as chunks of strings.

Opening hashes the stored bytes and looks at the first block of text: it refuses binary junk,
sniffs the delimiter and header, and takes the encoding to be UTF-8 when the block is. The rest
is checked as Arrow's CSV reader streams it in bounded chunks: Arrow validates UTF-8, its gzip
reader (zlib) proves the stream complete (its length and CRC), and either failure refuses the file
before the import commits. A file whose first block is not UTF-8 gets a whole first pass to
choose between Windows-1252 and Latin-1; so does one that turns out not to be UTF-8 further on
(``EncodingGuessWrong``: the import starts over).

This module opens the file (``open_source``) and hands out the readers that parse it: the encoding
guess lives in encoding.py, delimiter and header sniffing in sniff.py, the CSV and gzip streaming
in csv_reader.py, Excel in excel.py.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from db.ingest.chunks import Chunk
from db.ingest.csv_reader import iter_csv
from db.ingest.encoding import EncodingGuessWrong, scan_text, utf8_name
from db.ingest.errors import IngestError
from db.ingest.excel import excel_rows, iter_excel, sheet_name
from db.ingest.gzip_text import BLOCK, read_head
from db.ingest.sniff import sniff

# The readers and what they yield, for load.py, reimport.py and convert.py.
__all__ = [
    "Chunk",
    "EncodingGuessWrong",
    "Source",
    "check_path",
    "excel_rows",
    "iter_csv",
    "iter_excel",
    "open_source",
    "sheet_name",
]

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
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
    head = read_head(path, compressed)
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
        encoding = utf8_name(head, whole=len(head) < BLOCK)
        guessed = encoding is not None and len(head) == BLOCK
    if encoding is None:
        encoding = scan_text(path, compressed, head)
    try:
        sample = head[:65536].decode(encoding, errors="strict" if len(head) <= 65536 else "ignore")
    except UnicodeDecodeError as exc:
        raise IngestError(f"cannot decode the file as {encoding} (byte {exc.start})") from exc
    # A UTF-8 byte order mark also opens some files that are otherwise Windows-1252.
    for bom in ("\ufeff", codecs.BOM_UTF8.decode("latin-1")):
        sample = sample.removeprefix(bom)
    delimiter, header, header_row = sniff(sample, delimiter)
    approx = _approx_rows(path, compressed, size, head)
    return Source(path, kind, compressed, size, sha, encoding, delimiter, header, approx, guessed, header_row)
