"""Turn a browser upload into a file on disk and run the real ingestion on it."""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.session import for_writing

ACCEPTED_SUFFIXES = (".csv", ".csv.gz", ".xlsx")


class UploadError(ValueError):
    """The upload itself is unusable (before ingestion sees it); one line for the page."""


def decode_contents(contents: str) -> bytes:
    """The bytes of a ``dcc.Upload`` value (``data:<type>;base64,<payload>``)."""
    if not isinstance(contents, str) or "," not in contents:
        raise UploadError("the upload did not arrive in one piece; try again")
    header, payload = contents.split(",", 1)
    if not header.endswith(";base64"):
        raise UploadError("the upload did not arrive in one piece; try again")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UploadError("the upload did not arrive in one piece; try again") from exc


def safe_suffix(filename: str) -> str:
    """The name's extensions (``.csv.gz``), which tell ingestion the format; nothing else of it."""
    suffixes = "".join(Path(filename or "").suffixes[-2:]).lower()
    if not re.fullmatch(r"(\.[a-z0-9]{1,8}){0,2}", suffixes):
        return ""
    return suffixes


def source_name(filename: str) -> str:
    """The original file name, as recorded on the import batch (no directories, bounded)."""
    name = Path((filename or "upload").replace("\\", "/")).name.strip() or "upload"
    return name[:255]


def elapsed(seconds: float) -> str:
    """ "8 s", "1 min 05 s"."""
    seconds = int(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


class IngestProgress:
    """The Data page's bar while a file is ingested: ``report((percent, label))`` with the rows
    read so far (of the file's estimate) and the time since the upload started, so a long
    import is seen moving. Rows are reported at most every ``every`` seconds (each report is a
    write to the job cache); a stage always."""

    def __init__(
        self,
        report: Callable[[tuple[int, str]], object],
        *,
        every: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.report, self.every, self.clock = report, every, clock
        self.started = clock()
        self.last: float | None = None

    def stage(self, percent: int, text: str) -> None:
        self.report((percent, f"{text} ({elapsed(self.clock() - self.started)})"))

    def rows(self, done: int, total: int | None) -> None:
        now = self.clock()
        if self.last is not None and now - self.last < self.every:
            return
        self.last = now
        if total:  # 10-95 %: an estimate from the first block, so never "done" before it is
            percent = 10 + round(85 * min(done / total, 1))
            text = f"{done:,} of about {total:,} rows read"
        else:
            percent, text = 50, f"{done:,} rows read"
        self.report((percent, f"{text} ({elapsed(now - self.started)})"))


def ingest_upload(
    contents: str,
    filename: str,
    *,
    engine: Engine,
    max_mb: int | None = None,
    progress: IngestProgress | None = None,
) -> dict[str, Any]:
    """Write the upload to a temporary file and ingest it in one transaction.

    Raises ``UploadError`` for a broken or too big upload and ``IngestError`` for a refused file.
    """
    from db.ingest import IngestOptions, ingest_file  # heavy import, only when a file arrives

    data = decode_contents(contents)
    if max_mb is not None and len(data) > max_mb * 1024 * 1024:
        raise UploadError(
            f"the file is {len(data) / 1024 / 1024:.1f} MB, over the upload limit of {max_mb} MB "
            "(SEGMENTS_UPLOAD_MAX_MB); load it with `segments ingest` instead"
        )
    with tempfile.TemporaryDirectory(prefix="segments-upload-") as tmp:
        path = Path(tmp) / f"upload{safe_suffix(filename)}"
        path.write_bytes(data)
        del data
        if progress is not None:
            progress.stage(10, "reading the file")
        options = IngestOptions(source_name=source_name(filename))
        with Session(for_writing(engine)) as s, s.begin():
            result = ingest_file(path, session=s, options=options, on_rows=progress and progress.rows)
            if progress is not None:
                progress.stage(95, "saving")
        return result.to_dict()
