"""Text files, plain or gzip-compressed: their first block, and gzip's failures as refusals."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db.ingest.errors import IngestError

BLOCK = 1 << 20


@contextmanager
def gzip_errors() -> Iterator[None]:
    try:
        yield
    except EOFError as exc:
        raise IngestError("truncated gzip file: the compressed stream ends early") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise IngestError(f"corrupt gzip file ({exc})") from exc


def read_head(path: Path, compressed: bool) -> bytes:
    """The first block of the (decompressed) text."""
    with gzip_errors(), (gzip.open if compressed else open)(path, "rb") as fh:
        return fh.read(BLOCK)


def padded(path: Path) -> bool:
    """Whether NUL bytes pad the end of a gzip file (as tape and block writers leave). A gzip
    trailer (CRC, then length) can end in a few zeros, never eight."""
    with path.open("rb") as fh:
        fh.seek(-8, 2)
        return fh.read(8) == b"\x00" * 8
