"""Turn a chunk of raw text cells into normalised columns, and rows that fail into rejects.

Everything is vectorised over the chunk with Arrow kernels (dates with pandas). The normalised
text (fixed decimal places, one date spelling) is what the duplicate digest is computed from,
so "2.55" and "2.550" are one line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from db.ingest.columns import FIELDS
from db.ingest.currencies import FileCurrencies
from db.ingest.dates import DateFormat
from db.ingest.numbers import PLAIN_INTEGER, DecimalMark
from db.ingest.readers import Chunk

# The columns every line's duplicate digest is made of: every mappable field but line_total, which
# is stored (and digested) only where the price was derived from it (see writers.line_digests).
COLUMNS = tuple(field for field in FIELDS if field != "line_total")
MAX_PRICE = 10**10  # Numeric(14, 4)
MAX_LINE_TOTAL = 10**10
MAX_QUANTITY = 2**31 - 1
LIMITS = {"invoice_no": 64, "stock_code": 64, "customer_id": 64, "country": 128}


@dataclass
class Converted:
    rows: pa.Table  # COLUMNS and line_total as normalised text (null for NULL)
    rejects: pd.DataFrame  # reason, detail, raw; index = source row number


def _given_totals(totals: np.ndarray, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
    """A file with unit prices and line totals: the totals (to 4 places) are the lines' revenue,
    as where a price is derived from them (a discount, a price rounded to the penny: 3 at 3.33 for
    10.00). NaN (none) where a cell is empty or unreadable, or where its sign contradicts quantity
    x price (a file writing refunds' totals unsigned): those lines keep quantity x price."""
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.round(totals, 4) + 0.0
        agrees = np.sign(rounded) == np.sign(np.round(quantity * price, 4))
    return np.where(agrees, rounded, np.nan)


def _mask(values: pa.Array) -> np.ndarray:
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False)


def _has_byte(values: pa.Array, byte: bytes) -> bool:
    """Whether a string array's data holds ``byte``: one scan of its buffer, far cheaper than
    a substring kernel, so the rare clean-ups below run only where they can change something."""
    data = values.buffers()[2]
    return data is not None and bool(np.any(np.frombuffer(data, dtype=np.uint8) == byte[0]))


def _text(raw: pa.Array) -> pa.Array:
    if _has_byte(raw, b"\x00"):
        raw = pc.replace_substring(raw, "\x00", "")
    cleaned = pc.utf8_trim_whitespace(raw)
    return pc.if_else(pc.equal(cleaned, ""), pa.scalar(None, pa.string()), cleaned)


# A derived invoice number (the file has none): the 14-digit timestamp, "-", the customer id, as
# in 20110305100000-C1. It starts with a digit, so however customer ids are spelled it never
# reads as a cancellation ("C..." in the cleaning rules); a return line's number is "C" and the
# sale's number, as cancellations are in the UCI data. At most 1 + 14 + 1 + 48 = 64 characters.
_DERIVED_WHO = 48


def _short_customer(customer: str) -> str:
    """A customer id that fits a derived invoice number and stays unique: a long one keeps its
    start and ends in a digest of the whole."""
    if len(customer) <= _DERIVED_WHO:
        return customer
    return customer[:31] + "~" + hashlib.sha256(customer.encode()).hexdigest()[:16]


def _derived_invoices(customer: pa.Array, when: pa.Array, returned: np.ndarray) -> pa.Array:
    """Invoice numbers for lines without one: the same lines get the same numbers on every import
    (the duplicate digest includes them), sales never start with "C", returns always do."""
    who = pc.fill_null(customer, "anon")
    if pc.any(pc.greater(pc.utf8_length(who), _DERIVED_WHO)).as_py():
        who = pa.array([_short_customer(c) for c in who.to_pylist()], pa.string())
    sale = pc.binary_join_element_wise(pc.strftime(when, "%Y%m%d%H%M%S"), who, "-")
    if not returned.any():
        return sale
    return pc.if_else(pa.array(returned), pc.binary_join_element_wise("C", sale, ""), sale)


def _printable(value: object) -> str:
    # Postgres text cannot hold NUL bytes; the rest of a quarantined cell is kept as it was.
    return "" if value is None else str(value).replace("\x00", "")


class Rejects:
    """Collects the first failure of every row: reason, and the column and value as detail."""

    def __init__(self, n: int) -> None:
        self.taken = np.zeros(n, dtype=bool)
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)

    def add(
        self, mask: np.ndarray, reason: str, column: str | None, values: pa.Array, note: str = ""
    ) -> None:
        """``column`` None: the values are the whole detail (no "column=" before them)."""
        new = np.flatnonzero(mask & ~self.taken)
        if new.size:
            self.taken[new] = True
            self.reason[new] = reason
            cells = values.take(pa.array(new)).to_pylist()
            where = "" if column is None else f"{column}="
            self.detail[new] = [f"{where}{_printable(v)[:80]}{note}" for v in cells]


def _drop_empty(chunk: Chunk, width: int) -> Chunk:
    filled = np.zeros(len(chunk), dtype=bool)
    for i in range(width):
        filled |= _mask(pc.not_equal(chunk.table.column(i), ""))
    if filled.all():
        return chunk
    fields = None if chunk.fields is None else chunk.fields[filled]
    return Chunk(chunk.table.filter(pa.array(filled)), chunk.rows[filled], fields)

# Quarantine reasons of numbers the file never says how to read ("1,234" with no telling cell).
AMBIGUOUS_NUMBERS = {f: f"ambiguous {f.replace('_', ' ')}" for f in ("quantity", "unit_price", "line_total")}


def convert(
    chunk: Chunk,
    fields: dict[str, int],
    header: tuple[str, ...],
    dates: DateFormat,
    marks: DecimalMark,
    currencies: FileCurrencies,
) -> Converted:
    """Normalise one chunk of raw cells (all-empty rows are dropped: they are blank lines).

    Numbers are read with the file's decimal mark, learned beforehand (``marks.learn``); money
    in a currency other than the first one its column shows is quarantined."""
    width = len(header)
    chunk = _drop_empty(chunk, width)
    table, n = chunk.table, len(chunk)
    rej = Rejects(n)

    def col(field: str) -> pa.Array | None:
        return table.column(fields[field]).combine_chunks() if field in fields else None

    def name(field: str) -> str:
        return header[fields[field]]

    # Unnamed columns closing the header ("...,Country,," or a trailing delimiter) are no fields:
    # a row may leave them out, and the details count the named ones.
    named = max((i + 1 for i, h in enumerate(header) if h), default=width)
    if table.num_columns > width:
        counted = np.full(n, width)  # fields up to the last non-empty one
        for i in range(width, table.num_columns):
            counted[_mask(pc.not_equal(table.column(i), ""))] = i + 1
        found = pa.array([f"{k} fields, header has {named}" for k in counted])
        rej.add(counted > width, "too many fields", None, found)
    if chunk.fields is not None:  # a cut-off line: what its missing cells held is unknown
        found = pa.array([f"{k} fields, header has {named}" for k in chunk.fields])
        rej.add(chunk.fields < named, "too few fields", None, found)

    raw_date = col("invoice_date")
    parsed = dates.parse(pd.Series(raw_date.to_pandas()))
    when = parsed.to_numpy(dtype="datetime64[s]")  # whole seconds, as stored
    blank = _mask(pc.equal(pc.utf8_trim_whitespace(raw_date), ""))
    rej.add(blank, "missing date", name("invoice_date"), raw_date)
    rej.add(np.isnat(when), "invalid date", name("invoice_date"), raw_date)
    when_arrow = pa.array(when, type=pa.timestamp("s"))

    def read_number(field: str) -> tuple[np.ndarray, pa.Array]:
        raw = col(field)
        read = marks.read(raw, money=field != "quantity")
        label = field.replace("_", " ")
        rej.add(read.ambiguous, AMBIGUOUS_NUMBERS[field], name(field), raw)
        rej.add(read.wrong_mark, f"{label} with the wrong decimal mark", name(field), raw)
        other = currencies.others(field, read.currency, ~np.isnan(read.values))
        if other.any():
            note = f" (the file's is {currencies.first[field]})"
            rej.add(other, f"{label} in another currency", name(field), raw, note)
        return read.values, raw

    if "quantity" in fields:
        raw_q = col("quantity")
        q_text = pc.utf8_trim_whitespace(raw_q)
        rej.add(_mask(pc.equal(q_text, "")), "missing quantity", name("quantity"), raw_q)
        if _mask(pc.match_substring_regex(q_text, PLAIN_INTEGER)).all():
            quantity = q_text.cast(pa.float64()).to_numpy(zero_copy_only=False)
        else:  # separators, a decimal part or junk somewhere
            quantity, _ = read_number("quantity")
            with np.errstate(invalid="ignore"):
                quantity = np.where(quantity == np.floor(quantity), quantity, np.nan)
            rej.add(np.isnan(quantity), "invalid quantity", name("quantity"), raw_q)
        rej.add(np.abs(quantity) > MAX_QUANTITY, "quantity out of range", name("quantity"), raw_q)
        quantity = np.nan_to_num(quantity, nan=0.0)
    else:
        quantity = np.ones(n)

    price_field = "unit_price" if "unit_price" in fields else "line_total"
    value, raw_p = read_number(price_field)
    rej.add(np.isnan(value), f"invalid {price_field.replace('_', ' ')}", name(price_field), raw_p)
    total = None  # the file's line total: revenue, where there is one
    if price_field == "unit_price":
        price = value
        if "line_total" in fields:
            # Beside a unit price the total only refines revenue: a cell it cannot read for sure
            # (ambiguous, wrong mark) leaves quantity x price rather than quarantining a good line.
            read = marks.read(col("line_total"), money=True)
            sure = np.where(np.asarray(read.ambiguous) | np.asarray(read.wrong_mark), np.nan, read.values)
            total = _given_totals(sure, quantity, price)
    else:
        if "quantity" not in fields:
            # One item per line; a negative total is a refund of it: a return line (-1 at a
            # positive price), as the analytics count returns. With a quantity column the signs
            # stay as the file wrote them, as a unit price column's do.
            quantity = np.where(value < 0, -1.0, 1.0)
        rej.add(quantity == 0, "zero quantity with line total", name(price_field), raw_p)
        with np.errstate(divide="ignore", invalid="ignore"):
            price = value / np.where(quantity == 0, np.nan, quantity)
        # Stored as written (to the 4 places money has): the rounded price times the quantity
        # can miss it, and revenue is the file's figure.
        with np.errstate(over="ignore"):  # a huge total becomes inf: out of range, below
            total = np.round(value, 4) + 0.0
    with np.errstate(over="ignore"):  # likewise a huge price (1e308)
        price = np.round(price, 4) + 0.0  # + 0.0 turns -0.0 into 0.0, so both spell "0.0000"
    with np.errstate(invalid="ignore", over="ignore"):
        # Revenue is summed in 1/10000 units as 64-bit integers (the invoice rollup): a line
        # worth over 10^10 is a misread number, and would overflow a sum of such lines.
        worth = price * quantity if total is None else np.where(np.isnan(total), price * quantity, total)
        too_big = np.abs(worth) >= MAX_LINE_TOTAL
        out_of_range = [
            (np.abs(price) >= MAX_PRICE, "unit price out of range"),
            (too_big, "line total out of range"),
        ]
        if price_field == "line_total":  # the price comes from the total: the total is what's wrong
            out_of_range.reverse()
        for mask, reason in out_of_range:
            rej.add(mask, reason, name(price_field), raw_p)

    null_text = pa.nulls(n, pa.string())
    out = {
        field: _text(col(field)) if field in fields else null_text
        for field in ("stock_code", "description", "country")
    }
    customer = _text(col("customer_id")) if "customer_id" in fields else null_text
    if _has_byte(customer, b"."):  # spreadsheets turn 17850 into 17850.0; the same customer
        customer = pc.replace_substring_regex(customer, r"^([0-9]+)\.0+$", r"\1")
    out["customer_id"] = customer
    invoice = _text(col("invoice_no")) if "invoice_no" in fields else null_text
    if invoice.null_count:
        # No invoice number: one per timestamp and customer (and one for their returns).
        invoice = pc.coalesce(invoice, _derived_invoices(customer, when_arrow, quantity < 0))
    out["invoice_no"] = invoice

    for field, limit in LIMITS.items():
        values = out[field]
        if values.null_count < n:
            rej.add(_mask(pc.greater(pc.utf8_length(values), limit)), "value too long", field, values)

    good = pa.array(~rej.taken)
    # Rejected rows are dropped below; zero their numbers so the casts cannot overflow first.
    quantity = np.where(rej.taken, 0, quantity).astype(np.int64)
    price = np.where(rej.taken, 0.0, price)
    line_total = null_text  # a unit price file's lines cost nothing more
    if total is not None:
        total = np.where(rej.taken, 0.0, total)
        line_total = pa.array(total, mask=np.isnan(total)).cast(pa.decimal128(18, 4)).cast(pa.string())
    rows = pa.table(
        {
            "invoice_no": out["invoice_no"],
            "stock_code": out["stock_code"],
            "description": out["description"],
            "quantity": pa.array(quantity).cast(pa.string()),
            "invoice_date": when_arrow.cast(pa.string()),
            # Arrow rounds float -> decimal correctly (2.55 -> "2.5500"), and in C++.
            "unit_price": pa.array(price).cast(pa.decimal128(18, 4)).cast(pa.string()),
            "customer_id": out["customer_id"],
            "country": out["country"],
            "line_total": line_total,
        }
    ).filter(good)
    bad_idx = np.flatnonzero(rej.taken)
    rejects = pd.DataFrame(
        {"reason": rej.reason[bad_idx], "detail": rej.detail[bad_idx]}, index=chunk.rows[bad_idx]
    )
    raw_cells = table.take(pa.array(bad_idx)).to_pylist()
    # A short row keeps the cells it had, not the padding; a long one its extra cells too,
    # under their position ("field 10"), so the download shows the whole line.
    found = [width] * len(bad_idx) if chunk.fields is None else chunk.fields[bad_idx].tolist()
    # A repeated name (a second "Description") is keyed by its position too, so no cell is lost.
    keys = [h if not h or h not in header[:i] else f"{h} (column {i + 1})" for i, h in enumerate(header)]
    rejects["raw"] = [
        {
            **{h: _printable(v) for h, v in zip(keys[:k], cells, strict=False)},
            **{f"field {i + 1}": _printable(v) for i, v in enumerate(cells[width:], start=width) if v},
        }
        for cells, k in zip((list(row.values()) for row in raw_cells), found, strict=True)
    ]
    return Converted(rows=rows, rejects=rejects)
