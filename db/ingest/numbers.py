"""The file's decimal mark, and number cells read with it.

"1,234" is 1234 where the comma groups thousands and 1.234 where it is the decimal mark, and
"1.234" the other way round. A file is written with one convention, so the first cell only one
mark reads ("2,50", "1.234,50" -> comma; "1.5", "1,234.50" -> point) decides it for all the
file's number columns (quantity, unit price, line total): one spelling, one number, whichever
chunk it falls in. Everything is vectorised with Arrow kernels; plain numbers take one regex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from db.ingest import currencies
from db.ingest.currencies import MONEY, SPACE

POINT, COMMA = ".", ","
# RE2 syntax (Arrow's regex engine); ASCII digits only, as a database number accepts.
_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
PLAIN_INTEGER = r"^[+-]?[0-9]+$"
# A currency before or after a money amount (see currencies), and spaces anywhere, the no-break,
# thin and narrow no-break ones that group thousands included; a quantity loses only the spaces.
_CURRENCY = rf"^([+-]?){SPACE}*{MONEY}|{MONEY}$|{SPACE}+"
_SPACES = rf"{SPACE}+"
_COMMA_GROUPS = r"^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?$"  # 1,234.50  12,345,678
_DOT_GROUPS = r"^[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?$"  # 1.234,50  1.234.567
_DECIMAL_COMMA = r"^[+-]?[0-9]+,[0-9]+$"  # 2,50
# One group of three after the mark: readable both ways until the file tells which it uses.
_ONE_GROUP = r"^[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}$"
_ONE_DOT_GROUP = r"^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$"


def _mask(values: pa.Array) -> np.ndarray:
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False)


def _matches(text: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(text, pattern)


# Bytes of numbers with no currency or space in them ("1.234,50", "-2e3"): such a column skips
# the clean-up regex, which would cost a decimal-comma file (never on the fast path) twice over.
_NUMBER_BYTES = np.zeros(256, dtype=bool)
_NUMBER_BYTES[np.frombuffer(b"0123456789.,+-eE", dtype=np.uint8)] = True


def _clean(raw: pa.Array, money: bool) -> tuple[pa.Array, pa.Array | None]:
    """Cells without spaces (and a money column's without currency marks), and each money
    cell's currency (None when no cell could have one); a cell with two that disagree is null."""
    text = pc.utf8_trim_whitespace(raw)
    data = text.buffers()[2]
    if data is None or _NUMBER_BYTES[np.frombuffer(data, dtype=np.uint8)].all():
        return text, None
    if not money:
        return pc.replace_substring_regex(text, _SPACES, ""), None
    currency, clash = currencies.marks(text)
    text = pc.replace_substring_regex(text, _CURRENCY, r"\1")  # \1 keeps a sign before a currency
    if pc.any(clash).as_py():
        text = pc.if_else(clash, pa.scalar(None, pa.string()), text)
    return text, currency


def _only_point_comma_ambiguous(text: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Cells only a decimal point reads, cells only a decimal comma reads, and cells both read."""
    ambiguous = _matches(text, _ONE_GROUP)
    dotted = pc.and_(_matches(text, _NUMBER), pc.match_substring(text, "."))
    point = pc.and_not(pc.or_(dotted, _matches(text, _COMMA_GROUPS)), ambiguous)
    comma = pc.and_not(pc.or_(_matches(text, _DECIMAL_COMMA), _matches(text, _DOT_GROUPS)), ambiguous)
    return point, comma, ambiguous


@dataclass
class Read:
    values: np.ndarray  # float, NaN where not read
    invalid: np.ndarray  # not a number at all (empty included)
    wrong_mark: np.ndarray  # a number only in the other convention ("2,50" in a point file)
    ambiguous: np.ndarray  # "1,234" or "1.234" in a file that never says which mark it uses
    currency: pa.Array | None = None  # a money cell's currency (null: none); None: no cell has one


class DecimalMark:
    """Learns the file's decimal mark from its first unambiguous cell, then reads with it."""

    def __init__(self, mark: str | None = None) -> None:
        self.mark: str | None = mark
        self.waiting = False  # ambiguous cells seen and no mark yet: the rest of the file may tell
        self._searched = False

    @property
    def decided(self) -> bool:
        return self.mark is not None

    def learn(self, columns: list[tuple[pa.Array, bool]]) -> None:
        """Look at a chunk's raw number columns (each with whether it holds money); the earliest
        telling cell decides the mark."""
        if self.mark is not None or self._searched:
            return
        first: tuple[int, str] | None = None
        for raw, money in columns:
            if _mask(_matches(raw, PLAIN_INTEGER)).all():  # the common case: nothing to tell
                continue
            point, comma, ambiguous = _only_point_comma_ambiguous(_clean(raw, money)[0])
            for cells, mark in ((point, POINT), (comma, COMMA)):
                at = np.flatnonzero(_mask(cells))
                if at.size and (first is None or at[0] < first[0]):
                    first = (int(at[0]), mark)
            self.waiting |= bool(_mask(ambiguous).any())
        if first is not None:
            self.mark, self.waiting = first[1], False

    def finish_learning(self) -> None:
        """The whole file was seen without a telling cell: ambiguous cells stay ambiguous."""
        self.waiting, self._searched = False, True

    def read(self, raw: pa.Array, *, money: bool) -> Read:
        """Read a column of raw cells with the file's mark (a plain column takes one regex);
        only ``money`` (a price or total, not a quantity) may carry a currency."""
        text = pc.utf8_trim_whitespace(raw)
        none = np.zeros(len(text), dtype=bool)
        if self.mark != COMMA:
            good = _matches(text, _NUMBER)
            told = self.mark == POINT or not pc.any(_matches(text, _ONE_DOT_GROUP)).as_py()
            if told and _mask(good).all():
                values = _floats(text, good)
                return Read(values, np.isnan(values), none, none)
        # Currency signs, inner spaces, separators or the decimal comma somewhere.
        text, currency = _clean(text, money)
        point, comma, ambiguous = _only_point_comma_ambiguous(text)
        plain = _matches(text, _NUMBER)
        if self.mark == COMMA:
            undotted = pc.and_not(plain, pc.match_substring(text, "."))
            text = pc.case_when(
                pc.make_struct(undotted, pc.or_(comma, ambiguous)),
                text,
                pc.replace_substring(pc.replace_substring(text, ".", ""), ",", "."),
                pa.scalar(None, pa.string()),
            )
            wrong, unread = point, pa.array(none)
        else:
            grouped = _matches(text, _COMMA_GROUPS)
            readable = pc.or_(plain, grouped)
            if self.mark is None:
                readable = pc.and_not(readable, ambiguous)
            text = pc.if_else(readable, pc.replace_substring(text, ",", ""), pa.scalar(None, pa.string()))
            # Unknown mark: ``learn`` saw no telling cell, so only ambiguous ones can be left.
            wrong, unread = (comma, pa.array(none)) if self.mark == POINT else (pa.array(none), ambiguous)
        values = _floats(text, pc.is_valid(text))
        wrong_mark, ambiguous_left = _mask(wrong), _mask(unread)
        invalid = np.isnan(values) & ~wrong_mark & ~ambiguous_left
        return Read(values, invalid, wrong_mark, ambiguous_left, currency)


def _floats(text: pa.Array, good: pa.Array) -> np.ndarray:
    values = pc.if_else(good, text, pa.scalar(None, pa.string())).cast(pa.float64())
    return values.to_numpy(zero_copy_only=False)  # nulls become NaN
