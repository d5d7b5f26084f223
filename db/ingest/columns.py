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


# Fields read from the first of a repeated column ("Description" twice): a free-text label, never a
# number, that no figure groups or counts by (it is in the duplicate digest, but the same column
# is picked on every import). A repeated name is refused for every other field: reading the wrong
# stock code, invoice, customer, country, date or number changes what is counted, so the file
# has to say which one it means.
FIRST_OF_REPEATED = frozenset({"description"})


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


def _listed(header: Sequence[str], at: list[int]) -> str:
    """'CustomerID' (column 7) or 'Customer ID' (column 9): where a field could come from."""
    names = [f"{header[i]!r} (column {i + 1})" for i in at]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _named(header: Sequence[str], column: str) -> list[int]:
    """Positions of the columns a --map name picks: its exact spelling, else its normalised one."""
    exact = [i for i, h in enumerate(header) if h == column]
    wanted = normalise_header(column)
    return exact or [i for i, h in enumerate(header) if normalise_header(h) == wanted]


def resolve_columns(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """field -> position in the header; refuses files missing a date or a price/total, and
    headers where a field could be read from two columns (a repeated name, or both the UCI and
    the Online Retail II name) that no --map settles: reading either one would be a guess. A
    repeated description column is read from its first occurrence (FIRST_OF_REPEATED)."""
    found = ", ".join(h for h in header if h) or "(none)"
    resolved: dict[str, int] = {}
    for field, column in mapping.items():
        at = _named(header, column)
        if not at:
            raise IngestError(f"--map {field}={column}: no column {column!r}; columns found: {found}")
        same = len({header[i] for i in at}) == 1
        if len(at) > 1 and not (same and field in FIRST_OF_REPEATED):
            fix = "rename all but one in the file" if same else "give the column's exact name"
            raise IngestError(f"--map {field}={column}: ambiguous, it names {_listed(header, at)}; {fix}")
        resolved[field] = at[0]
    taken = set(resolved.values())
    candidates: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        field = ALIASES.get(normalise_header(name))
        if field and field not in resolved and index not in taken:
            candidates.setdefault(field, []).append(index)
    for field, at in candidates.items():
        if len(at) > 1 and not (field in FIRST_OF_REPEATED and len({header[i] for i in at}) == 1):
            repeated = len({header[i] for i in at}) < len(at)
            rename = " (a repeated name can't be picked: rename it in the file first)" if repeated else ""
            raise IngestError(
                f"ambiguous columns: {field} could be read from {_listed(header, at)}; "
                f"pick one with --map {field}=COLUMN{rename}"
            )
        resolved[field] = at[0]
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
