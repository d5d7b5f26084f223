"""Turn a chunk of raw text cells into normalised columns, and rows that fail into rejects.

Everything is vectorised over the chunk. The normalised text (fixed decimal places, one date
spelling) is what the duplicate digest is computed from, so "2.55" and "2.550" are one line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from db.ingest.columns import FIELDS
from db.ingest.dates import DateFormat

# The stored columns: every mappable field but line_total, which only serves to derive the price.
COLUMNS = tuple(field for field in FIELDS if field != "line_total")
MAX_PRICE = 10**10  # Numeric(14, 4)
MAX_QUANTITY = 2**31 - 1
# Plain pattern strings, not compiled objects: pandas hands strings to Arrow's vectorised regex
# engine but falls back to a Python loop for compiled patterns.
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_INTEGER = r"^[+-]?\d+(\.0*)?$"
_CURRENCY = r"^[£$€]|\s+"
_DECIMAL_COMMA = r"^[+-]?\d+,\d+$"
LIMITS = {"invoice_no": 64, "stock_code": 64, "customer_id": 64, "country": 128}


@dataclass
class Converted:
    rows: pd.DataFrame  # COLUMNS as normalised text (None for NULL), index = source row number
    rejects: pd.DataFrame  # row_number, reason, detail; index = source row number


def _text(raw: pd.Series) -> pd.Series:
    cleaned = raw.str.replace("\x00", "", regex=False).str.strip()
    return cleaned.where(cleaned != "", None)


def _number(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Float values and a mask of cells that are not numbers (empty counts as not a number)."""
    text = raw.str.strip().str.replace(_CURRENCY, "", regex=True)
    comma = text.str.match(_DECIMAL_COMMA)
    text = text.where(~comma, text.str.replace(",", ".", regex=False))
    bad = ~text.str.match(_NUMBER)
    values = pd.to_numeric(text.where(~bad, None), errors="coerce")
    return values.astype("float64"), bad | values.isna()


def _arrow_text(values: pd.Series, via: pa.DataType | None = None) -> pd.Series:
    array = pa.array(values.to_numpy())
    if via is not None:
        array = array.cast(via)
    return pd.Series(array.cast(pa.string()), index=values.index, dtype="str")


def _timestamp_text(values: pd.Series) -> pd.Series:
    """ISO text with a space, made by numpy's formatter (Series.dt.strftime is ten times slower)."""
    text = np.datetime_as_string(values.to_numpy(dtype="datetime64[s]"), unit="s")  # <U19, 'T' at 10
    if len(text):
        text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    return pd.Series(text, index=values.index, dtype="str")


class Rejects:
    """Collects the first failure of every row: reason, and the column and value as detail."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series(None, index=index, dtype=object)
        self.detail = pd.Series(None, index=index, dtype=object)

    def add(self, mask: pd.Series, reason: str, column: str, values: pd.Series) -> None:
        new = mask & self.reason.isna()
        if new.any():
            self.reason[new] = reason
            self.detail[new] = column + "=" + values[new].astype(str).str.slice(0, 80)

    @property
    def mask(self) -> pd.Series:
        return self.reason.notna()


def convert(
    chunk: pd.DataFrame,
    fields: dict[str, int],
    header: tuple[str, ...],
    dates: DateFormat,
    *,
    first_row: int,
) -> Converted:
    """Normalise one chunk; ``first_row`` is the source row number of its first line."""
    index = pd.RangeIndex(first_row, first_row + len(chunk))
    chunk = chunk.set_axis(index, axis=0)
    empty = chunk.iloc[:, : len(header)].eq("").all(axis=1)
    chunk = chunk[~empty]
    rej = Rejects(chunk.index)

    def col(field: str) -> pd.Series | None:
        return chunk.iloc[:, fields[field]] if field in fields else None

    def name(field: str) -> str:
        return header[fields[field]]

    extra = chunk.iloc[:, len(header) :]
    if extra.shape[1]:
        too_many = extra.ne("").any(axis=1)
        rej.add(too_many, "too many fields", "row", pd.Series("extra fields", index=chunk.index))

    raw_date = col("invoice_date")
    when = dates.parse(raw_date)
    rej.add(raw_date.str.strip() == "", "missing date", name("invoice_date"), raw_date)
    rej.add(when.isna(), "invalid date", name("invoice_date"), raw_date)

    if "quantity" in fields:
        raw_q = col("quantity")
        q_text = raw_q.str.strip()
        rej.add(q_text == "", "missing quantity", name("quantity"), raw_q)
        rej.add(~q_text.str.match(_INTEGER), "invalid quantity", name("quantity"), raw_q)
        quantity = pd.to_numeric(q_text.where(q_text.str.match(_INTEGER), None), errors="coerce")
        rej.add(quantity.abs() > MAX_QUANTITY, "quantity out of range", name("quantity"), raw_q)
        quantity = quantity.fillna(0)
    else:
        quantity = pd.Series(1, index=chunk.index)

    price_field = "unit_price" if "unit_price" in fields else "line_total"
    raw_p = col(price_field)
    value, bad = _number(raw_p)
    rej.add(bad, f"invalid {price_field.replace('_', ' ')}", name(price_field), raw_p)
    if price_field == "unit_price":
        price = value
    else:
        rej.add(quantity == 0, "zero quantity with line total", name(price_field), raw_p)
        price = value / quantity.replace(0, np.nan)
    price = price.round(4) + 0.0  # + 0.0 turns -0.0 into 0.0, so both spell "0.0000"
    rej.add(price.abs() >= MAX_PRICE, "unit price out of range", name(price_field), raw_p)

    out = pd.DataFrame(index=chunk.index)
    for field in ("stock_code", "description", "country"):
        out[field] = _text(col(field)) if field in fields else None
    customer = _text(col("customer_id")) if "customer_id" in fields else None
    if customer is not None:
        # Spreadsheets turn 17850 into 17850.0; it is the same customer.
        floaty = customer.str.match(r"^\d+\.0+$").fillna(False)
        if floaty.any():
            customer = customer.where(~floaty, customer.str.replace(r"\.0+$", "", regex=True))
    out["customer_id"] = customer
    out["quantity"] = quantity
    out["unit_price"] = price
    out["invoice_date"] = when
    invoice = _text(col("invoice_no")) if "invoice_no" in fields else None
    if invoice is None or invoice.isna().any():
        # No invoice number: one per customer and timestamp, the same on every import.
        derived = (customer.fillna("anon") if customer is not None else "anon") + "-"
        derived = derived + when.dt.strftime("%Y%m%d%H%M%S")
        invoice = derived if invoice is None else invoice.fillna(derived)
    out["invoice_no"] = invoice

    for field, limit in LIMITS.items():
        values = out[field]
        if values is not None and values.notna().any():
            long = values.str.len() > limit
            rej.add(long.fillna(False), "value too long", field, values.fillna(""))

    bad = rej.mask
    good = out[~bad]
    rows = pd.DataFrame(
        {
            "invoice_no": good["invoice_no"],
            "stock_code": good["stock_code"],
            "description": good["description"],
            "quantity": _arrow_text(good["quantity"].astype("int64")),
            "invoice_date": _timestamp_text(good["invoice_date"]),
            # Arrow rounds float -> decimal correctly (2.55 -> "2.5500"), and in C++.
            "unit_price": _arrow_text(good["unit_price"], pa.decimal128(18, 4)),
            "customer_id": good["customer_id"],
            "country": good["country"],
        },
        index=good.index,
    ).astype("str")
    rejects = pd.DataFrame({"reason": rej.reason[bad], "detail": rej.detail[bad]})
    raw_cells = chunk.loc[bad].iloc[:, : len(header)].itertuples(index=False)
    rejects["raw"] = [dict(zip(header, values, strict=False)) for values in raw_cells]
    return Converted(rows=rows, rejects=rejects)
