"""Turn a browser upload into a file on disk and run the real ingestion on it."""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
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


def ingest_upload(
    contents: str, filename: str, *, engine: Engine, max_mb: int | None = None
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
        with Session(for_writing(engine)) as s, s.begin():
            result = ingest_file(path, session=s, options=IngestOptions(source_name=source_name(filename)))
        return result.to_dict()
