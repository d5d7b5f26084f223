"""Values from the browser (callback inputs, query strings) checked into plain Python types.

Nothing from the browser reaches a query or a computation unchecked: a value of the wrong type,
out of range or malformed becomes None (or is left out), never an exception.
"""

from __future__ import annotations

import math
import re

MAX_TEXT = 128
MAX_ITEMS = 50
MAX_INT = 2**31 - 1  # the largest id or count an integer column holds on both databases
_WHOLE = re.compile(r"[0-9]{1,10}")
# What a person types as a number: no "1_000" or Arabic-Indic digits (float() reads both), and no
# thousands separators ("1,000" is 1.000 in much of Europe: refused and named, not guessed).
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def as_int(value: object, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """A whole number in [minimum, maximum] from an int, a whole float or a string of ASCII
    digits; anything else is None. The bound keeps ids inside the database's integer columns."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if math.isfinite(value) and value.is_integer() else None
    elif isinstance(value, str):
        text = value.strip()
        # Not str.isdigit(): it accepts "²" and other digits int() refuses.
        value = int(text) if _WHOLE.fullmatch(text) else None
    return value if isinstance(value, int) and minimum <= value <= maximum else None


def as_float(value: object) -> float | None:
    """A finite number from a number or numeric string; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = float(text) if _DECIMAL.fullmatch(text) else None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def as_text(value: object) -> str | None:
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_TEXT:
        return value.strip()
    return None


def plain_number(value: float) -> str:
    """The number as typed, for a URL: every digit kept (``:g`` made 10196.57 "10196.6" and a
    shared link another list), no exponent, no trailing zeros (100.0 is "100")."""
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def as_shown(value: object) -> str | None:
    """What the user gave, as short text to name it in a message or keep it in a URL (None when
    nothing was given): a value that cannot be used is named, never silently dropped."""
    if value is None or isinstance(value, list | tuple | dict) and not value:
        return None
    if isinstance(value, float):
        return plain_number(value)
    text = value.strip() if isinstance(value, str) else str(value)
    return text[:MAX_TEXT] or None


def single(value: object) -> object:
    """A URL key meant to hold one value, given several times (``?run=1&run=2``: Dash Pages
    passes a list): the last one, as a later ``&run=2`` appended to a link is meant to win. The
    page then shows and writes back that one value, never the list's Python text "['1', '2']".
    Multi-valued keys (``country``, ``segment``) are read with ``as_texts`` instead."""
    if isinstance(value, list | tuple):
        return value[-1] if value else None
    return value


def as_texts(value: object) -> tuple[str, ...]:
    """A list of short texts (or one text), without duplicates, in the order given."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
    out: list[str] = []
    for item in items[:MAX_ITEMS]:
        text = as_text(item)
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)
