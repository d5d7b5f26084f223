"""A chunk of normalised lines as a Postgres binary COPY payload, built with Arrow and numpy.

Binary COPY spares the server the text parsing of every field (timestamps and numerics most),
about half of what a CSV COPY of our lines costs it. Each tuple is the fixed-width fields
(counted and length-prefixed in one numpy record) followed by the length-prefixed text fields;
Arrow's element-wise join concatenates them per line, so no Python code runs per line. Format:
https://www.postgresql.org/docs/current/sql-copy.html ("Binary Format").
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from db.money_units import money_units

# In the order of the payload's fields; the COPY column list must name them in this order.
FIXED = ("batch_id", "quantity", "invoice_date", "unit_price", "line_hash")
TEXT = ("invoice_no", "stock_code", "description", "customer_id", "country")
COLUMNS = FIXED + TEXT  # and line_total last, in a payload made ``totals=True``

_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8  # signature, flags, no header extension
_TRAILER = b"\xff\xff"
_POSTGRES_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in Unix microseconds
_NBASE = 10_000  # numeric's digit base
# Money (unit_price, line_total) has 4 decimals and is under 10^10: in base-10000 digits
# weight 2 down to -1. Postgres strips the leading zero digits this fixed layout leaves.
_NUMERIC_DIGITS = 4
_NUMERIC_WEIGHT = 2
_NUMERIC_SCALE = 4
_NUMERIC_NEG = 0x4000
_NULL = b"\xff\xff\xff\xff"  # a field's length -1

_NUMERIC = np.dtype(
    [
        ("len", ">i4"), ("ndigits", ">i2"), ("weight", ">i2"), ("sign", ">u2"),
        ("dscale", ">i2"), ("digits", ">i2", (_NUMERIC_DIGITS,)),
    ]
)  # fmt: skip
_RECORD = np.dtype(
    [
        ("fields", ">i2"),
        ("batch_len", ">i4"), ("batch_id", ">i4"),
        ("quantity_len", ">i4"), ("quantity", ">i4"),
        ("date_len", ">i4"), ("date", ">i8"),
        ("price", _NUMERIC),
        ("hash_len", ">i4"), ("hash", "V16"),
    ]
)  # fmt: skip


def _as_binary(values: np.ndarray) -> pa.Array:
    """One binary value per element of a (structured) numpy array: its raw bytes."""
    width = values.dtype.itemsize
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(values), [None, pa.py_buffer(values.tobytes())]
    )
    return fixed.cast(pa.binary())


def _fill_numeric(field: np.ndarray, money: pa.ChunkedArray) -> None:
    """Fill a ``_NUMERIC`` field from normalised money text (no NULLs)."""
    units = money_units(money).to_numpy()
    field["len"] = _NUMERIC.itemsize - 4
    field["ndigits"] = _NUMERIC_DIGITS
    field["weight"] = _NUMERIC_WEIGHT
    field["sign"] = np.where(units < 0, _NUMERIC_NEG, 0)
    field["dscale"] = _NUMERIC_SCALE
    magnitude = np.abs(units)
    for i in range(_NUMERIC_DIGITS):  # most significant first
        field["digits"][:, i] = magnitude // _NBASE ** (_NUMERIC_DIGITS - 1 - i) % _NBASE


def _fixed_part(rows: pa.Table, batch_id: int, digests: list[bytes], fields: int) -> pa.Array:
    n = rows.num_rows
    rec = np.zeros(n, dtype=_RECORD)
    rec["fields"] = fields
    rec["batch_len"] = rec["quantity_len"] = 4
    rec["batch_id"] = batch_id
    rec["quantity"] = rows.column("quantity").cast(pa.int32()).to_numpy()
    rec["date_len"] = 8
    stamps = rows.column("invoice_date").cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    rec["date"] = stamps - _POSTGRES_EPOCH_US
    _fill_numeric(rec["price"], rows.column("unit_price"))
    rec["hash_len"] = 16
    rec["hash"] = np.frombuffer(b"".join(digests), dtype="V16")
    return _as_binary(rec)


def _text_fields(column: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """A text column's length prefixes (-1 for NULL) and its bytes (empty for NULL)."""
    lengths = pc.fill_null(pc.binary_length(column), -1).to_numpy().astype(">i4")
    return _as_binary(lengths), pc.fill_null(column, "").cast(pa.binary())


def _money_or_null(column: pa.ChunkedArray) -> pa.Array:
    rec = np.zeros(len(column), dtype=_NUMERIC)
    _fill_numeric(rec, pc.fill_null(column, "0.0000"))
    return pc.if_else(pc.is_valid(column), _as_binary(rec), pa.scalar(_NULL, pa.binary()))


def payload(rows: pa.Table, batch_id: int, digests: list[bytes], *, totals: bool = False) -> bytes:
    """``rows`` (normalised text, as convert makes them) as one binary COPY of ``COLUMNS``, and
    of line_total after them if ``totals``."""
    parts = [_fixed_part(rows, batch_id, digests, len(COLUMNS) + totals)]
    for name in TEXT:
        parts.extend(_text_fields(rows.column(name)))
    if totals:
        parts.append(_money_or_null(rows.column("line_total")))
    lines = pc.binary_join_element_wise(*parts, b"")
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=4 * lines.offset)
    body = memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]
    return b"".join((_HEADER, body, _TRAILER))
