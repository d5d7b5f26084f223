"""Invoice timestamps: ISO, M/D/YYYY or D/M/YYYY (with a 24- or 12-hour clock, decided from the
data), or a given format."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from db.ingest.errors import IngestError

ISO = "ISO8601"
# Day-first and month-first spellings come in pairs; a file decides between the two of a pair
# only when some value has a day above 12.
_PAIRS = [
    ("%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M"),
    ("%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"),
    ("%m/%d/%Y", "%d/%m/%Y"),
    ("%m/%d/%y %H:%M", "%d/%m/%y %H:%M"),
    ("%m/%d/%y", "%d/%m/%y"),
    ("%m-%d-%Y %H:%M", "%d-%m-%Y %H:%M"),
    # A 12-hour clock, as US-locale spreadsheets write times ("3/5/2011 10:00 AM").
    ("%m/%d/%Y %I:%M %p", "%d/%m/%Y %I:%M %p"),
    ("%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M:%S %p"),
]
_SINGLE = ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"]


# A UTC offset after a time ("10:00+01:00", "10:00:00Z"). Invoices are kept in the shop's
# local time as written; the offset alone (summer and winter time mixed) would make pandas fail.
_OFFSET = r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|UTC|[+-]\d{2}(?::?\d{2})?)$"
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100  # outside: a misread date, not a sale
# A full ISO date (as Excel date cells come out of the reader): read in any file, whatever its
# own format, since year-month-day cannot be misread. Typed-in text dates next to date cells in
# one sheet column are common. A UTC offset after the time is allowed here too (``parse`` drops
# it), as in a file of ISO dates.
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\s*(Z|UTC|[+-]\d{2}(:?\d{2})?))?)?$"


def parse(values: pd.Series, fmt: str) -> pd.Series:
    """Timestamps for ``values``; NaT where a value does not fit ``fmt`` (or is impossible)."""
    text = values.str.strip()
    cells = pa.array(text, type=pa.string(), from_pandas=True)
    if pc.any(pc.match_substring_regex(cells, _OFFSET)).as_py():  # the replace only when needed
        text = pd.Series(pc.replace_substring_regex(cells, _OFFSET, r"\1"), index=values.index)
    stamps = pd.to_datetime(text, format=fmt, errors="coerce")
    years = stamps.dt.year
    return stamps.where((years >= EARLIEST_YEAR) & (years <= LATEST_YEAR))


def _scores(sample: pd.Series) -> dict[str, int]:
    """How many of ``sample``'s values each text format reads."""
    scores = {fmt: int(parse(sample, fmt).notna().sum()) for fmt in _SINGLE}
    for month_first, day_first in _PAIRS:
        scores[month_first] = int(parse(sample, month_first).notna().sum())
        scores[day_first] = int(parse(sample, day_first).notna().sum())
    return scores


class DateFormat:
    """Settles the file's date format from its first chunks and then parses with it.

    Full ISO dates are read in any file besides its own format. Where the file's dates are ISO
    (Excel date cells), text dates typed in among them get a format of their own, learned from
    the first of them that tell it.
    """

    def __init__(self, fixed: str | None = None, column: str = "date") -> None:
        self.fmt = fixed
        self.column = column  # the header's name, for the refusal
        self._example: str | None = None  # the first date cell seen, for the refusal
        self._fixed = fixed is not None
        self._ambiguous_pair: tuple[str, str] | None = None
        self._text_fmt: str | None = None  # text dates among ISO ones (a learned ISO format)

    @property
    def decided(self) -> bool:
        return self.fmt is not None

    def learn(self, values: pd.Series) -> None:
        """Look at a chunk of raw date strings; decide the format if they allow it."""
        if self.fmt is not None:
            return
        sample = values[values.str.strip() != ""]
        if sample.empty:
            return
        if self._example is None:
            self._example = str(sample.iloc[0]).strip()[:80]
        if len(sample) > 5000:
            sample = sample.iloc[:5000]
        iso = parse(sample, ISO).notna()
        if iso.all():  # the common case, settled with one parse
            self.fmt = ISO
            return
        scores = _scores(sample[~iso])  # ISO dates are read anyway; the rest decide the format
        best = max(scores.values())
        if best == 0:
            if iso.any():  # ISO dates next to text that is no date at all
                self.fmt = ISO
            return
        winners = [f for f, n in scores.items() if n == best]
        if len(winners) == 1:
            self.fmt = winners[0]
            self._ambiguous_pair = None
            return
        pair = next((p for p in _PAIRS if set(winners) == set(p)), None)
        self._ambiguous_pair = pair or (winners[0], winners[1])

    @property
    def ambiguous_pair(self) -> tuple[str, str] | None:
        return self._ambiguous_pair if self.fmt is None else None

    def settle(self, values: pd.Series) -> None:
        """With an ambiguous pair pending, look at every value of a chunk for a day above 12."""
        if self.fmt is not None or self._ambiguous_pair is None:
            return
        first, second = self._ambiguous_pair
        ok_first, ok_second = parse(values, first).notna(), parse(values, second).notna()
        if (ok_first & ~ok_second).any() and not (ok_second & ~ok_first).any():
            self.fmt = first
        elif (ok_second & ~ok_first).any() and not (ok_first & ~ok_second).any():
            self.fmt = second
        elif (ok_first != ok_second).any():
            # Both orders occur: go with the one that fits more values, the rest is rejected.
            self.fmt = first if ok_first.sum() >= ok_second.sum() else second

    def finish_learning(self) -> None:
        """Called when the whole file has been seen without settling the format."""
        if self.fmt is not None:
            return
        if self._ambiguous_pair:
            month_first, day_first = self._ambiguous_pair
            raise IngestError(
                "ambiguous dates: every day in the file is 12 or less, so month/day and day/month "
                f"both fit; pass --date-format '{month_first}' or '{day_first}'"
            )
        example = f" ({self.column}={self._example})" if self._example is not None else ""
        raise IngestError(
            f"no recognisable dates in the date column{example}; pass --date-format (strftime syntax)"
        )

    def parse(self, values: pd.Series) -> pd.Series:
        if self.fmt is None:  # only reached for chunks without a single date in them
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
        stamps = parse(values, self.fmt)
        if not stamps.isna().any():
            return stamps
        missed = values[stamps.isna()]
        missed = missed[missed.str.strip() != ""]
        if self.fmt != ISO:
            missed = missed[missed.str.strip().str.fullmatch(_ISO_DATE, na=False)]
            fmt = ISO
        else:
            fmt = self._text_fmt or self._learn_text_format(missed)
        if fmt is None or missed.empty:
            return stamps
        return stamps.fillna(parse(missed, fmt).astype(stamps.dtype))

    def _learn_text_format(self, missed: pd.Series) -> str | None:
        if self._fixed or missed.empty:
            return None
        scores = _scores(missed.iloc[:5000])
        best = max(scores.values())
        winners = [f for f, n in scores.items() if n == best]
        if best and len(winners) == 1:  # undecidable ones (every day <= 12) wait for more
            self._text_fmt = winners[0]
        return self._text_fmt
