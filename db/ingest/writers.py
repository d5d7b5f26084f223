"""Bulk paths into ``transactions``: Postgres COPY (straight or staged), SQLite executemany.

Both store a line only if its (invoice date, digest) key is new, so exact duplicates against
earlier chunks or imports are skipped by the table's key rather than by Python bookkeeping;
repeats inside a chunk are dropped before it is sent. Each write returns the lines it stored,
which the invoice rollup sums.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, compress

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from db.ingest import pg_binary
from db.ingest.convert import COLUMNS

NULL = "\x1e"  # stands for NULL inside the digest input, never occurs in cleaned text
SEP = "\x1f"
_STORED = (*COLUMNS, "batch_id", "line_hash")
# A chunk with line totals names that column too; without any (a unit price file) it is left out
# of the statement or COPY, so those lines cost what they did before the column existed.
_STORED_TOTAL = (*_STORED, "line_total")
_STAGED = ", ".join(_STORED_TOTAL)  # staging holds the column either way (NULL if not copied)
# Rows per SQLite INSERT: one statement per row spends about a third of the load in
# per-statement work; 64 rows of 11 keep the parameters under SQLite's old limit of 999.
_SQLITE_ROWS = 64


def _md5_constructor():
    # Passing usedforsecurity costs a fifth of the per-line loop; only FIPS builds need it.
    try:
        hashlib.md5(b"")
    except ValueError:
        return partial(hashlib.md5, usedforsecurity=False)
    return hashlib.md5


_md5 = _md5_constructor()


def has_totals(rows: pa.Table) -> bool:
    """Whether any line of the chunk keeps a line total (never in a unit price file)."""
    return rows.column("line_total").null_count < rows.num_rows


def line_digests(rows: pa.Table) -> list[bytes]:
    """Digests of a chunk: the join runs in Arrow, only the md5 calls are per line.

    md5 here is a 128-bit fingerprint for spotting repeated lines, not a security measure.
    A line total is no part of it: the same sale read from an export with unit prices, or
    stored before totals were kept, must still be found (two lines of one invoice, stock code,
    time and quantity whose totals differ by less than a rounded price tells are one line).
    """
    parts = [pc.fill_null(rows.column(c), NULL) for c in COLUMNS]
    joined = pc.binary_join_element_wise(*parts, SEP)
    return [h.digest() for h in map(_md5, joined.cast(pa.binary()).to_pylist())]


def unique_lines(rows: pa.Table, earlier: Sequence[bytes] = ()) -> tuple[pa.Table, list[bytes]]:
    """The chunk without repeats (of its own lines, or of the digests ``earlier``) and the
    digests of the lines kept."""
    digests = line_digests(rows)
    # One C hash table over both lists; Series.isin(set) cost five times as much.
    both = pd.Series([*earlier, *digests], dtype=object)
    repeat = both.duplicated().to_numpy()[len(earlier) :]
    if not repeat.any():
        return rows, digests
    return rows.filter(pa.array(~repeat)), list(compress(digests, ~repeat))


def _stored_only(rows: pa.Table, digests: list[bytes], stored: set[bytes]) -> pa.Table:
    return rows.filter(pa.array([d in stored for d in digests]))


class SqliteWriter:
    def __init__(self, session: Session, batch_id: int) -> None:
        self.dbapi = session.connection().connection.driver_connection
        self.batch_id = batch_id
        self.stored = 0
        # Index inserts thrash SQLite's default 2 MB page cache; 64 MB for this connection.
        self.dbapi.execute("PRAGMA cache_size=-65536")

    @staticmethod
    def _insert(rows: int, columns: tuple[str, ...]) -> str:
        values = ", ".join([f"({', '.join('?' * len(columns))})"] * rows)
        # Assembled from this module's constants and a row count only.
        return (
            f"INSERT INTO transactions ({', '.join(columns)}) VALUES {values} "  # noqa: S608
            "ON CONFLICT (invoice_date, line_hash) DO NOTHING"
        )

    def prepare(self, rows: pa.Table) -> pa.Table:
        # Digests and parameter tuples are made in write(): made ahead in the reader thread
        # they were slower (both threads then want the GIL) and held 40% more memory.
        return rows

    def write(self, rows: pa.Table) -> pa.Table:
        """Store the chunk's new lines; returns them (the lines actually stored)."""
        if not rows.num_rows:
            return rows
        rows, digests = unique_lines(rows)
        cols = [rows.column(c).to_pylist() for c in COLUMNS]
        # SQLAlchemy's SQLite DateTime storage format, so ORM reads and range filters agree.
        cols[4] = [d + ".000000" for d in cols[4]]
        cols += [[self.batch_id] * len(digests), digests]
        columns = _STORED
        if has_totals(rows):
            columns = _STORED_TOTAL
            cols.append(rows.column("line_total").to_pylist())
        width = len(columns)
        flat = list(chain.from_iterable(zip(*cols, strict=True)))
        step = _SQLITE_ROWS * width
        whole = len(flat) // step * step
        last_row = self.dbapi.execute("SELECT coalesce(max(rowid), 0) FROM transactions").fetchone()[0]
        before = self.dbapi.total_changes
        if whole:
            batches = (flat[i : i + step] for i in range(0, whole, step))
            self.dbapi.executemany(self._insert(_SQLITE_ROWS, columns), batches)
        if whole < len(flat):
            self.dbapi.execute(self._insert((len(flat) - whole) // width, columns), flat[whole:])
        inserted = self.dbapi.total_changes - before
        self.stored += inserted
        if inserted == rows.num_rows:
            return rows
        # Some lines were stored before: the ones this chunk added have the rowids after last_row.
        added = self.dbapi.execute("SELECT line_hash FROM transactions WHERE rowid > ?", (last_row,))
        return _stored_only(rows, digests, {h for (h,) in added})

    def finish(self) -> int:
        return self.stored


@dataclass
class CopyPayload:
    rows: pa.Table  # the chunk's lines, each once
    digests: list[bytes]
    columns: str  # the COPY's column list, in the order of the payload's fields
    data: bytes  # ``rows`` as a binary COPY of ``columns``, batch id and digest included


class PostgresWriter:
    """Per chunk: COPY straight into ``transactions``, or through staging where lines may exist.

    Lines repeated inside a chunk are dropped while the payload is made (in the reader thread).
    A chunk is then first copied straight into the table inside a savepoint: the primary key
    refuses it as a whole if one of its lines is already stored (a repeat from an earlier chunk
    or import). Such a chunk goes through a staging table and one ``INSERT ... ON CONFLICT DO
    NOTHING``, which skips the stored lines; while staged chunks keep finding more than 1% of
    their lines stored (an overlap with an earlier import), the chunks after them are staged
    too. The straight path spares the server a second copy of every line and the per-line
    speculative insertion.
    """

    def __init__(self, session: Session, batch_id: int) -> None:
        self.conn = session.connection().connection.driver_connection
        self.batch_id = int(batch_id)
        self.stored = 0
        self.straight = True
        self.staging: str | None = None
        self.staging_name = f"ingest_staging_{self.batch_id}"
        self.previous: list[bytes] = []  # the digests of the lines the last chunk sends

    def _create_staging(self) -> str:
        if self.staging is None:
            with self.conn.cursor() as cur:
                cur.execute(
                    f"CREATE TEMP TABLE {self.staging_name} (invoice_no text, stock_code text, "
                    "description text, quantity integer, invoice_date timestamp, "
                    "unit_price numeric(14, 4), customer_id text, country text, batch_id integer, "
                    "line_hash bytea, line_total numeric(14, 4)) ON COMMIT DROP"
                )
            self.staging = self.staging_name
        return self.staging

    def prepare(self, rows: pa.Table) -> CopyPayload | None:
        """The chunk as a binary COPY (runs in the reader thread: no database access)."""
        if not rows.num_rows:
            return None
        # A repeat of a line in the chunk before is dropped here: one would make the key refuse
        # the straight COPY of the whole chunk (an invoice cut by a chunk boundary, twice in
        # the real file), and it is a duplicate whichever way that chunk's lines are stored.
        rows, digests = unique_lines(rows, self.previous)
        self.previous = digests
        totals = has_totals(rows)
        columns = ", ".join(pg_binary.COLUMNS + (("line_total",) if totals else ()))
        data = pg_binary.payload(rows, self.batch_id, digests, totals=totals)
        return CopyPayload(rows, digests, columns, data)

    def _copy(self, cur, table: str, payload: CopyPayload) -> None:
        with cur.copy(f"COPY {table} ({payload.columns}) FROM STDIN (FORMAT binary)") as cp:
            cp.write(payload.data)

    def write(self, payload: CopyPayload | None) -> pa.Table | None:
        """Store the chunk's new lines; returns them (the lines actually stored)."""
        if payload is None:
            return None
        lines = payload.rows.num_rows
        with self.conn.cursor() as cur:
            if self.straight:
                try:
                    with self.conn.transaction():  # a savepoint inside the import's transaction
                        self._copy(cur, "transactions", payload)
                    self.stored += lines
                    return payload.rows
                except psycopg.errors.UniqueViolation:
                    self.straight = False
            staging = self._create_staging()
            cur.execute(f"TRUNCATE {staging}")
            self._copy(cur, staging, payload)
            # SQL assembled from this module's constants and an integer id only.
            cur.execute(
                f"INSERT INTO transactions ({_STAGED}) SELECT {_STAGED} FROM {staging} "  # noqa: S608
                "ON CONFLICT (invoice_date, line_hash) DO NOTHING RETURNING line_hash"
            )
            added = {h for (h,) in cur.fetchall()}
        self.stored += len(added)
        # A few stored lines (a repeat across a chunk boundary) do not make the next chunk
        # likely to hold any; an overlap with an earlier import does.
        self.straight = (lines - len(added)) * 100 < lines
        return payload.rows if len(added) == lines else _stored_only(payload.rows, payload.digests, added)

    def finish(self) -> int:
        if self.staging is not None:
            with self.conn.cursor() as cur:
                cur.execute(f"DROP TABLE {self.staging}")
        return self.stored


def writer_for(session: Session, batch_id: int) -> SqliteWriter | PostgresWriter:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return PostgresWriter(session, batch_id)
    if dialect == "sqlite":
        return SqliteWriter(session, batch_id)
    raise ValueError(f"unsupported database dialect {dialect}")
