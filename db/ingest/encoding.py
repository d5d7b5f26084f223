"""The encoding of a text export: UTF-8 when it decodes, else Windows-1252 or Latin-1."""

from __future__ import annotations

import codecs
import gzip
import re
from pathlib import Path

from db.ingest.errors import IngestError
from db.ingest.gzip_text import BLOCK, gzip_errors

_CP1252_HOLES = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


class EncodingGuessWrong(IngestError):
    """The text stopped being UTF-8 after a first block that was."""


def scan_text(path: Path, compressed: bool, head: bytes) -> str:
    """The encoding of the whole text (``head``: its first block): UTF-8 if it all decodes,
    else Windows-1252 or Latin-1."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, has_holes = True, False
    with gzip_errors(), (gzip.open if compressed else open)(path, "rb") as fh:
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
        return utf8_label(head)
    # The widely shared UCI copy is Windows-1252; bytes it leaves undefined mean Latin-1.
    return "latin-1" if has_holes else "cp1252"


def utf8_label(head: bytes) -> str:
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def utf8_name(head: bytes, whole: bool) -> str | None:
    """utf-8 or utf-8-sig if ``head`` decodes as UTF-8 (a character cut at its end allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return None
    return utf8_label(head)
