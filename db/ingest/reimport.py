"""A file imported before: whether the options given now would have loaded it otherwise."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from db.ingest import readers
from db.ingest.columns import resolve_columns
from db.ingest.errors import IngestError

if TYPE_CHECKING:
    from db.ingest.load import IngestOptions


def _codec(name: str) -> str:
    found = codecs.lookup(name).name
    return "utf-8" if found == "utf-8-sig" else found  # a byte order mark reads the same


def _reading(
    stored: Mapping[str, Any], source: readers.Source, options: IngestOptions
) -> tuple[list[str], tuple[str, ...] | None]:
    """The options given that read the file's text otherwise (encoding, delimiter), and the
    header as the given ones read it (None: not needed)."""
    if source.kind == "excel":
        # The sheet is part of what was imported (a batch per sheet): only the header counts.
        if not options.mapping:
            return [], None  # nothing to compare: don't read a whole sheet for its header
        return [], readers.excel_rows(source, options.sheet).header
    changed = []
    was = stored.get("encoding")
    if options.encoding is not None and was is not None and _codec(options.encoding) != _codec(was):
        changed.append("--encoding")
    if options.delimiter is not None and stored.get("delimiter", options.delimiter) != options.delimiter:
        changed.append("--delimiter")
    return changed, source.header


def changed_options(stored: Mapping[str, Any], source: readers.Source, options: IngestOptions) -> list[str]:
    """The options given now (as the CLI spells them) that differ from those the batch holding
    ``source`` was read with, as its stored options record them.

    Only options given count: a plain re-import says nothing. A --map is compared by the columns
    it picks. Options under which the columns are not found (a --map naming none, a delimiter or
    encoding that splits the header otherwise) are left out: they would refuse the file, so
    removing the batch would not help.
    A difference may still read the file the same (an explicit --date-format matching what was
    detected, --encoding latin-1 on an ASCII file): the caller words it as a possibility.
    """
    reading, header = _reading(stored, source, options)
    if reading and header is not None:
        try:  # a delimiter or encoding under which the columns are not found
            resolve_columns(header, options.mapping)
        except IngestError:
            reading = []  # would refuse the file: removing the batch would not help
    changed = list(reading)
    for key, flag in (("date_format", "--date-format"), ("decimal_mark", "--decimal-mark")):
        wanted = getattr(options, key)
        if wanted is not None and key in stored and stored[key] != wanted:
            changed.append(flag)
    if reading or header is None or not options.mapping or "columns" not in stored:
        return changed  # the header reads otherwise: its columns tell nothing more
    try:
        fields = resolve_columns(header, options.mapping)
    except IngestError:  # these columns would refuse the file
        return changed
    if {f: header[i] for f, i in fields.items()} != stored["columns"]:
        changed.append("--map")
    return changed
