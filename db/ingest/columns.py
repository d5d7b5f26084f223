"""Which source column feeds which field: known header aliases, --map overrides, validation."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from db.ingest.errors import IngestError

FIELDS = (
    "invoice_no",
    "stock_code",
    "description",
    "quantity",
    "invoice_date",
    "unit_price",
    "line_total",
    "customer_id",
    "country",
)

# Normalised header (lower case, no spaces/underscores/dashes) -> field. Covers the UCI Online
# Retail layout, Online Retail II (Invoice, Price, Customer ID) and common export spellings.
ALIASES: dict[str, str] = {
    "invoiceno": "invoice_no",
    "invoice": "invoice_no",
    "invoicenumber": "invoice_no",
    "invoiceid": "invoice_no",
    "stockcode": "stock_code",
    "sku": "stock_code",
    "productcode": "stock_code",
    "description": "description",
    "productdescription": "description",
    "quantity": "quantity",
    "qty": "quantity",
    "invoicedate": "invoice_date",
    "unitprice": "unit_price",
    "price": "unit_price",
    "linetotal": "line_total",
    "customerid": "customer_id",
    "customerno": "customer_id",
    "country": "country",
}


def normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.strip().lstrip("\ufeff")).lower()


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``FIELD=COLUMN`` strings from --map into a dict, refusing unknown and repeated fields.

    One field takes one column; one column may feed several fields (a lone "Product" column
    as both stock code and description)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not field or not column:
            raise IngestError(f"--map {pair!r}: expected FIELD=COLUMN")
        if field not in FIELDS:
            raise IngestError(f"--map {pair!r}: unknown field {field!r}; fields: {', '.join(FIELDS)}")
        if field in mapping:
            earlier = f"{field}={mapping[field]}"
            raise IngestError(f"--map {pair!r}: field {field!r} given twice (also as {earlier})")
        mapping[field] = column
    return mapping


def resolve_columns(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """field -> position in the header; refuses files missing a date or a price/total."""
    found = ", ".join(h for h in header if h) or "(none)"
    by_exact = {h: i for i, h in reversed(list(enumerate(header)))}
    by_norm = {normalise_header(h): i for i, h in reversed(list(enumerate(header)))}
    resolved: dict[str, int] = {}
    for field, column in mapping.items():
        index = by_exact.get(column, by_norm.get(normalise_header(column)))
        if index is None:
            raise IngestError(f"--map {field}={column}: no column {column!r}; columns found: {found}")
        resolved[field] = index
    taken = set(resolved.values())
    for norm, index in by_norm.items():
        field = ALIASES.get(norm)
        if field and field not in resolved and index not in taken:
            resolved[field] = index
            taken.add(index)
    missing = []
    if "invoice_date" not in resolved:
        missing.append("invoice_date (e.g. InvoiceDate)")
    if "unit_price" not in resolved and "line_total" not in resolved:
        missing.append("unit_price or line_total (e.g. UnitPrice)")
    if missing:
        raise IngestError(
            f"missing required columns: {'; '.join(missing)}; columns found: {found} "
            "(map others with --map FIELD=COLUMN)"
        )
    return resolved
