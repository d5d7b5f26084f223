"""Ingest one file as one import batch, inside the caller's transaction."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from db.ingest import indexes, readers
from db.ingest.columns import resolve_columns
from db.ingest.convert import Converted, convert
from db.ingest.currencies import FileCurrencies
from db.ingest.dates import DateFormat
from db.ingest.errors import IngestError
from db.ingest.excel import FormulaNotes
from db.ingest.numbers import COMMA, POINT, DecimalMark
from db.ingest.prefetch import prefetch
from db.ingest.reimport import changed_options
from db.ingest.writers import writer_for
from db.models import BATCH_LOADED, ImportBatch, RejectedRow
from db.rollup import Delta
from db.rollup import fold as fold_rollup

STATUS_ALREADY = "already_imported"
# Rows read so far and the file's estimated rows (None: unknown), after each chunk.
RowsReport = Callable[[int, int | None], None]


@dataclass(frozen=True)
class IngestOptions:
    source_name: str | None = None  # shown in batch lists; default: the file name
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    date_format: str | None = None
    decimal_mark: str | None = None  # "." or ","; default: learned from the file
    mapping: dict[str, str] = field(default_factory=dict)
    chunk_rows: int = 50_000

    def __post_init__(self) -> None:
        """Refuse unusable options up front, with the option's name."""
        if self.delimiter is not None and not (len(self.delimiter) == 1 and self.delimiter.isascii()):
            raise IngestError(
                f"--delimiter must be one ASCII character (or \\t for tab), not {self.delimiter!r}"
            )
        if self.decimal_mark not in (None, POINT, COMMA):
            raise IngestError(f"--decimal-mark must be '.' or ',', not {self.decimal_mark!r}")
        if self.date_format is not None and re.search(r"%[zZ]", self.date_format):
            raise IngestError("--date-format: leave %z/%Z out (UTC offsets are dropped, times kept as is)")
        if self.date_format is not None:
            try:  # a format that cannot read back what it writes is no format
                sample = datetime(2011, 12, 9, 8, 26, 59)
                datetime.strptime(sample.strftime(self.date_format), self.date_format)
            except ValueError as exc:
                raise IngestError(f"--date-format {self.date_format!r} is not usable: {exc}") from exc


@dataclass
class IngestResult:
    batch_id: int
    status: str
    source: str
    rows_read: int = 0
    rows_stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Already imported: the options given now would have loaded the file otherwise.
    options_differ: bool = False
    changed_options: list[str] = field(default_factory=list)
    # Already imported: earlier batch ids no longer there (removed, or an import that failed on
    # Postgres, whose ids are not reused), when that batch skipped lines as already stored. A
    # removed one took such lines with it; removals are not recorded, so this says "may".
    earlier_gone: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _earlier_gone(session: Session, batch_id: int) -> list[int]:
    """Batch ids below ``batch_id`` that no batch has now (ids are never reused)."""
    present = set(session.scalars(select(ImportBatch.id).where(ImportBatch.id < batch_id)))
    return [i for i in range(1, batch_id) if i not in present]


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _chunk_source(
    source: readers.Source, options: IngestOptions
) -> tuple[tuple[str, ...], Callable[[int], Iterator[readers.Chunk]]]:
    """The header and a way to iterate the data chunks (again, if dates need a second look),
    given the date column (a CSV reader tells a stray quote's swallowed rows by their dates)."""
    if source.kind == "excel":
        if options.delimiter or options.encoding:
            raise IngestError("--delimiter and --encoding are for CSV files; this is an Excel workbook")
        header = readers.excel_rows(source, options.sheet).header

        def excel_chunks(date_column: int) -> Iterator[readers.Chunk]:
            return readers.iter_excel(readers.excel_rows(source, options.sheet), options.chunk_rows)

        return header, excel_chunks
    return source.header, lambda date_column: readers.iter_csv(source, options.chunk_rows, date_column)


def _delimiter_hint(source: readers.Source, header: tuple[str, ...]) -> str:
    """A header read as one column that holds a likely delimiter: the delimiter to pass."""
    if source.kind != "csv" or len(header) != 1:
        return ""
    seen = [d for d in "|;,\t:" if d != source.delimiter and header[0].count(d)]
    if not seen:
        return ""
    likely = max(seen, key=header[0].count)
    spelled = "tab" if likely == "\t" else f"'{likely}'"
    return f"; the header reads as one column: if {spelled} separates the fields, pass --delimiter {spelled}"


def _settle_dates(dates: DateFormat, chunks: Iterator[readers.Chunk], column: int) -> None:
    for chunk in chunks:
        values = chunk.text(column)
        if dates.ambiguous_pair is None:  # nothing recognised yet: keep looking
            dates.learn(values)
        dates.settle(values)
        if dates.decided:
            return
    dates.finish_learning()


# The number columns sharing the file's decimal mark.
_NUMBER_FIELDS = ("quantity", "unit_price", "line_total")


def _number_cells(chunk: readers.Chunk, columns: list[tuple[int, bool]]) -> list[Any]:
    return [(chunk.table.column(i).combine_chunks(), money) for i, money in columns]


def _settle_marks(
    marks: DecimalMark, chunks: Iterator[readers.Chunk], columns: list[tuple[int, bool]]
) -> None:
    """Ambiguous numbers ("1,234") came before any telling one: read on until one tells."""
    for chunk in chunks:
        marks.learn(_number_cells(chunk, columns))
        if marks.decided:
            return
    marks.finish_learning()


def _store_rejects(session: Session, batch_id: int, result: Converted) -> None:
    session.execute(
        insert(RejectedRow),
        [
            {"batch_id": batch_id, "row_number": int(row), "reason": reason, "detail": detail, "raw": raw}
            for row, reason, detail, raw in result.rejects.itertuples(name=None)
        ],
    )


@dataclass
class _Loaded:
    header: tuple[str, ...]
    fields: dict[str, int]  # field -> column index in header
    rows_read: int
    good: int
    stored: int
    reasons: Counter[str]
    delta: Delta
    date_format: str | None
    decimal_mark: str | None  # None: no number in the file needed one


def _load_lines(
    session: Session,
    batch_id: int,
    source: readers.Source,
    options: IngestOptions,
    progress: bool,
    on_rows: RowsReport | None = None,
) -> _Loaded:
    """Stream the file's lines into the batch; what was loaded from which columns.

    ``on_rows(rows so far, estimated total or None)`` is called after each chunk (the web
    upload's progress bar; the command line's is ``progress``)."""
    header, read = _chunk_source(source, options)
    try:
        fields = resolve_columns(header, options.mapping)
    except IngestError as exc:
        raise IngestError(f"{exc}{_delimiter_hint(source, header)}") from exc
    date_col = fields["invoice_date"]
    chunks = partial(read, date_col)
    dates = DateFormat(options.date_format, header[date_col])
    # Excel keeps numbers as numbers and hands them over as Python floats ("1.234"): its mark
    # is the point, whatever the locale of the person who typed them.
    marks = DecimalMark(POINT if source.kind == "excel" else options.decimal_mark)
    number_cols = [(fields[f], f != "quantity") for f in _NUMBER_FIELDS if f in fields]
    currencies = FileCurrencies()
    delta = Delta()
    writer = writer_for(session, batch_id)
    reasons: Counter[str] = Counter()
    rows_read = good = done = 0
    date_miss: str | None = None  # the first date the format did not read
    formulas = FormulaNotes(source, options.sheet) if source.kind == "excel" else None

    def converted() -> Iterator[tuple[int, Converted, Any]]:
        for chunk in chunks():
            if not dates.decided:
                raw_dates = chunk.text(date_col)
                if raw_dates.str.strip().ne("").any():
                    dates.learn(raw_dates)
                    if not dates.decided:
                        _settle_dates(dates, chunks(), date_col)
            if not marks.decided:
                marks.learn(_number_cells(chunk, number_cols))
                if marks.waiting:
                    _settle_marks(marks, chunks(), number_cols)
            result = convert(chunk, fields, header, dates, marks, currencies)
            if formulas is not None:
                formulas.explain(result.rejects, header)
            # Writers prepare what needs no database here, off the main thread (Postgres: the
            # digests and the COPY payload).
            yield len(chunk), result, writer.prepare(result.rows)
        if formulas is not None:
            formulas.close()  # a parse stopped at the last quarantined line holds the workbook

    total = source.approx_rows or None
    with tqdm(total=total, unit=" rows", disable=not progress, leave=False) as bar:
        for size, result, payload in prefetch(converted()):
            rows_read += len(result.rows) + len(result.rejects)
            if date_miss is None and len(result.rejects):
                misses = result.rejects["detail"][result.rejects["reason"] == "invalid date"]
                date_miss = misses.iloc[0] if len(misses) else None
            delta.add(writer.write(payload))
            good += len(result.rows)
            if len(result.rejects):
                reasons.update(result.rejects["reason"].tolist())
                _store_rejects(session, batch_id, result)
            bar.update(size)
            done += size
            if on_rows is not None:
                on_rows(done, total)
    if rows_read == 0:
        raise IngestError("no data rows after the header")
    if options.date_format and good == 0 and date_miss is not None:
        # Every line refused and dates among the reasons: the format, not the file, is wrong.
        raise IngestError(f"no date matches --date-format {options.date_format!r} ({date_miss})")
    return _Loaded(header, fields, rows_read, good, writer.finish(), reasons, delta, dates.fmt, marks.mark)


def ingest_file(
    path: str | Path,
    *,
    session: Session,
    options: IngestOptions | None = None,
    progress: bool = False,
    on_rows: RowsReport | None = None,
) -> IngestResult:
    """Load ``path`` as a new batch; refuse it with IngestError and leave no trace.

    The caller owns the transaction (and must roll it back on IngestError): everything here is
    one unit, so a killed process leaves nothing behind and a re-run loads the file fully. It
    reads before it writes, so on SQLite begin it ``for_writing`` (else it fails at once, not
    waiting, when another import holds the lock).
    """
    started = time.perf_counter()
    options = options or IngestOptions()
    path = Path(path)
    source = readers.open_source(path, encoding=options.encoding, delimiter=options.delimiter)
    if source.kind == "excel" and options.decimal_mark == COMMA:
        raise IngestError("--decimal-mark applies to text files: a workbook stores numbers as numbers")
    if source.kind == "excel":
        # Each sheet is an import of its own; "" is a first sheet stored before sheets had names.
        sheet, first = readers.sheet_name(source, options.sheet)
        sheets = [sheet, ""] if first else [sheet]
    else:
        if options.sheet:
            raise IngestError("--sheet applies to Excel workbooks only")
        sheet, first, sheets = "", True, [""]
    # A sheet other than the first is named in batch lists: the file's sheets are separate imports.
    given = options.source_name or (path.name if first else f"{path.name} [{sheet}]")
    # Shown one per line in batch lists: a tab or line break (a file may be named so) would
    # break them.
    name = "".join(c if c.isprintable() else "?" for c in given)
    existing = session.execute(
        select(ImportBatch.id, ImportBatch.options, ImportBatch.duplicates)
        .where(ImportBatch.sha256 == source.sha256, ImportBatch.sheet.in_(sheets))
        .order_by(ImportBatch.id)
        .limit(1)
    ).one_or_none()
    if existing is not None:
        changed = changed_options(existing.options or {}, source, options)
        return IngestResult(
            existing.id,
            STATUS_ALREADY,
            name,
            seconds=round(time.perf_counter() - started, 3),
            options_differ=bool(changed),
            changed_options=changed,
            earlier_gone=_earlier_gone(session, existing.id) if existing.duplicates else [],
        )

    batch = ImportBatch(
        source_name=name[:255],
        sha256=source.sha256,
        sheet=sheet,
        size_bytes=source.size_bytes,
        status=BATCH_LOADED,
        started_at=_utcnow(),
        options={},
    )
    session.add(batch)
    session.flush()
    deferred = indexes.defer_if_empty(session)
    if source.encoding_guessed:
        try:
            with session.begin_nested():  # a savepoint, to start over from
                loaded = _load_lines(session, batch.id, source, options, progress, on_rows)
        except readers.EncodingGuessWrong:
            # Not UTF-8 after all (past the first block): decide from the whole text, reload.
            source = readers.open_source(path, delimiter=options.delimiter, full_scan=True)
            loaded = _load_lines(session, batch.id, source, options, progress, on_rows)
    else:
        loaded = _load_lines(session, batch.id, source, options, progress, on_rows)
    indexes.rebuild(session, deferred)
    fold_rollup(session=session, batch_id=batch.id, delta=loaded.delta)
    batch.rows_read = loaded.rows_read
    batch.rows_stored = loaded.stored
    batch.duplicates = loaded.good - loaded.stored
    batch.rejected = loaded.rows_read - loaded.good
    batch.options = {
        "kind": source.kind,
        "encoding": source.encoding,
        "delimiter": source.delimiter,
        "sheet": sheet if source.kind == "excel" else None,
        "date_format": loaded.date_format,
        "decimal_mark": loaded.decimal_mark,
        "columns": {f: loaded.header[i] for f, i in sorted(loaded.fields.items())},
    }
    batch.finished_at = _utcnow()
    session.flush()
    return IngestResult(
        batch_id=batch.id,
        status=BATCH_LOADED,
        source=name,
        rows_read=loaded.rows_read,
        rows_stored=loaded.stored,
        duplicates=loaded.good - loaded.stored,
        rejected=loaded.rows_read - loaded.good,
        rejected_by_reason=dict(sorted(loaded.reasons.items())),
        seconds=round(time.perf_counter() - started, 3),
    )
