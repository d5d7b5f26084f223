"""Currency marks on money cells: which spellings are removed, and which currency each one names.

Only money columns (unit price, line total) are cleaned of them: a quantity is a count, and
"6 PCS" or "USD 7" there is not one. Letters count as a currency only as a real ISO 4217 code,
so "ABC2.55" or "2.55 XYZ" stay unreadable and are quarantined. A file's money column has one
currency: the first one its numbers are written with; a cell in another is quarantined, since
adding euros to dollars gives a number in no unit (cells with no mark at all go with either).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from db.currency_codes import ISO_4217

# Symbols and local words -> the currency they name; "$", "¥", "¢" and "kr" name several (or a
# fraction of one), so they stay as written: "$2" and "USD 2" in one column are two currencies.
SIGNS: dict[str, str] = {
    "£": "GBP", "€": "EUR", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS", "₫": "VND",
    "₱": "PHP", "₴": "UAH", "₦": "NGN", "฿": "THB", "zł": "PLN", "Kč": "CZK", "Ft": "HUF",
    "US$": "USD", "R$": "BRL", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD",
    "HK$": "HKD", "S$": "SGD", "SG$": "SGD", "NT$": "TWD", "MX$": "MXN", "kr.": "kr",
    "$": "$", "¥": "¥", "¢": "¢", "kr": "kr",
}  # fmt: skip
_SPELLINGS = sorted(ISO_4217) + list(SIGNS)
_SPELLED = pa.array(_SPELLINGS, pa.string())
_NAMES = pa.array(sorted(ISO_4217) + list(SIGNS.values()), pa.string())
_SEVERAL = pa.array([code for code in set(SIGNS.values()) if code not in ISO_4217], pa.string())

# RE2 syntax (Arrow's regex engine). Longer spellings first where one starts another (CA$, C$).
_DOLLARS = "|".join(sorted((s[:-1] for s in SIGNS if s.endswith("$") and len(s) > 1), key=len, reverse=True))
MONEY = rf"(?:[£$€¥₹₩₽₺₪₫₱₴₦฿¢]|(?:{_DOLLARS})\$|kr\.?|zł|Kč|Ft|{'|'.join(sorted(ISO_4217))})"
SPACE = r"[\s\x{00A0}\x{2007}\x{2009}\x{202F}]"
# A sign may come either side of a leading currency (-€2.50, €-2.50).
_LEADING = rf"^[+-]?{SPACE}*(?P<c>{MONEY})"
_TRAILING = rf"(?P<c>{MONEY})$"


def _named(text: pa.Array, pattern: str) -> pa.Array:
    """The currency the mark a pattern finds names (null where there is none)."""
    found = pc.struct_field(pc.extract_regex(text, pattern), [0])
    return _NAMES.take(pc.index_in(found, value_set=_SPELLED))


def marks(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Each cell's currency (null: none written) and the cells whose two marks disagree
    ("€2.50 USD"; "$2.50 USD" is US dollars: a code settles what "$" leaves open)."""
    lead, trail = _named(text, _LEADING), _named(text, _TRAILING)
    vague = pc.fill_null(pc.is_in(lead, value_set=_SEVERAL), False)
    currency = pc.if_else(pc.and_(vague, pc.is_valid(trail)), trail, pc.coalesce(lead, trail))
    clash = pc.and_not(pc.fill_null(pc.not_equal(lead, trail), False), vague)
    return currency, clash


class FileCurrencies:
    """The currency each money column of one file is in: the first one its numbers show."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def others(self, field: str, currency: pa.Array | None, read: np.ndarray) -> np.ndarray:
        """Cells of ``field`` that read as numbers in a currency other than the file's."""
        if currency is None or currency.null_count == len(currency):
            return np.zeros(len(read), dtype=bool)
        shown = pc.and_(pc.is_valid(currency), pa.array(read))
        if field not in self.first:
            at = np.flatnonzero(pc.fill_null(shown, False).to_numpy(zero_copy_only=False))
            if not at.size:
                return np.zeros(len(read), dtype=bool)
            self.first[field] = currency[int(at[0])].as_py()
        other = pc.and_(shown, pc.not_equal(currency, self.first[field]))
        return pc.fill_null(other, False).to_numpy(zero_copy_only=False)
