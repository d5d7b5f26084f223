"""Bulk paths into ``transactions``: Postgres COPY into staging, SQLite batched executemany.

Both store a line only if its digest is new, so exact duplicates (within the file or against
earlier imports) are skipped by the unique index rather than by Python bookkeeping.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy.orm import Session

from db.ingest.convert import COLUMNS

NULL = "\x1e"  # stands for NULL inside the digest input, never occurs in cleaned text
SEP = "\x1f"
_TARGET = ", ".join((*COLUMNS, "batch_id", "line_hash"))


def _pylist(values: pd.Series) -> list:
    return pa.array(values, from_pandas=True).to_pylist()  # NaN -> None


def line_digests(rows: pd.DataFrame) -> list[bytes]:
    """Digests of a chunk: the join runs in Arrow, only the md5 calls are per line.

    md5 here is a 128-bit fingerprint for spotting repeated lines, not a security measure.
    """
    parts = [pc.fill_null(pa.array(rows[c], type=pa.string(), from_pandas=True), NULL) for c in COLUMNS]
    joined = pc.binary_join_element_wise(*parts, SEP).cast(pa.binary()).to_pylist()
    md5 = hashlib.md5
    return [md5(text, usedforsecurity=False).digest() for text in joined]


class SqliteWriter:
    def __init__(self, session: Session, batch_id: int) -> None:
        self.dbapi = session.connection().connection.driver_connection
        self.batch_id = batch_id
        self.stored = 0
        # Index inserts thrash SQLite's default 2 MB page cache; 64 MB for this connection.
        self.dbapi.execute("PRAGMA cache_size=-65536")
        self.sql = (
            f"INSERT INTO transactions ({_TARGET}) VALUES ({', '.join('?' * (len(COLUMNS) + 2))}) "  # noqa: S608
            "ON CONFLICT (invoice_date, line_hash) DO NOTHING"
        )

    def prepare(self, rows: pd.DataFrame) -> pd.DataFrame:
        # Parameter tuples are built in write(): made ahead in the reader thread they were
        # slower (both threads then want the GIL) and held 40% more memory.
        return rows

    def write(self, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        cols = [_pylist(rows[c]) for c in COLUMNS]
        # SQLAlchemy's SQLite DateTime storage format, so ORM reads and range filters agree.
        cols[4] = _pylist(rows["invoice_date"] + ".000000")
        params = zip(*cols, [self.batch_id] * len(rows), line_digests(rows), strict=True)
        before = self.dbapi.total_changes
        self.dbapi.executemany(self.sql, params)
        self.stored += self.dbapi.total_changes - before

    def finish(self) -> int:
        return self.stored


class PostgresWriter:
    """Per chunk: COPY into a typed staging table, then one set-based insert of the new lines.

    Inserting chunk by chunk lets the server's work (parsing COPY, the conflict checks, index
    maintenance) overlap with the parsing of the next chunk in the reader thread; lines repeated
    across chunks are caught because earlier chunks are already in ``transactions``.
    """

    def __init__(self, session: Session, batch_id: int) -> None:
        self.conn = session.connection().connection.driver_connection
        self.batch_id = batch_id
        self.stored = 0
        self.staging = f"ingest_staging_{int(batch_id)}"
        # SQL here is assembled from this module's constants and an integer id only.
        # ON CONFLICT costs the same for every chunk, where an anti-join against the growing
        # table would cost more with each chunk (quadratic over a big file).
        self.insert = (
            f"INSERT INTO transactions ({_TARGET}) "  # noqa: S608 - module constants and an int id
            f"SELECT {', '.join(COLUMNS)}, %s, line_hash FROM {self.staging} "
            "ON CONFLICT (invoice_date, line_hash) DO NOTHING"
        )
        with self.conn.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE {self.staging} (invoice_no text, stock_code text, "
                "description text, quantity integer, invoice_date timestamp, "
                "unit_price numeric(14, 4), customer_id text, country text, line_hash bytea) "
                "ON COMMIT DROP"
            )

    def prepare(self, rows: pd.DataFrame) -> bytes | None:
        """The chunk as COPY CSV (runs in the reader thread: no database access)."""
        if rows.empty:
            return None
        table = pa.table(
            {
                **{c: pa.array(rows[c], type=pa.string(), from_pandas=True) for c in COLUMNS},
                "line_hash": pa.array(["\\x" + d.hex() for d in line_digests(rows)], type=pa.string()),
            }
        )
        buf = pa.BufferOutputStream()
        # Arrow writes NULL as an unquoted empty field, which COPY's CSV format reads as NULL.
        pa_csv.write_csv(table, buf, pa_csv.WriteOptions(include_header=False))
        return buf.getvalue().to_pybytes()

    def write(self, payload: bytes | None) -> None:
        if not payload:
            return
        with self.conn.cursor() as cur:
            cur.execute(f"TRUNCATE {self.staging}")
            with cur.copy(f"COPY {self.staging} FROM STDIN (FORMAT csv)") as cp:
                cp.write(payload)
            cur.execute(self.insert, (self.batch_id,))
            self.stored += cur.rowcount

    def finish(self) -> int:
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
