"""Synthetic transactions in the UCI Online Retail layout, for demos, tests and benchmarks.

``write_sample(path, customers=N)`` writes about 120 lines per customer (90 with a
CustomerID, 30 without): 4,000 customers is about the size of the real UCI file (541,909 lines),
83,000 customers about 10 million lines. The file looks like the UCI export: UK-heavy countries,
a November peak, heavy-tailed orders and spend (a few wholesale buyers), ~2% cancellations
("C" invoices with negative quantities, of products the customer bought), ~25% of lines without
CustomerID, non-product codes (POST, M, DOT, ...), ~1% exact duplicate lines, customers who
lapse early and customers active to the end. Rows are in time order and invoice numbers rise
with time. The same seed gives a byte-identical file. Generation goes day by day, so memory
holds one day's lines (not the file), whatever the number of lines.
"""

from __future__ import annotations

import gzip
import os
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from analytics.sample_calendar import make_calendar, make_customers, time_labels
from analytics.sample_catalogue import catalogue, country_names
from analytics.sample_day import DayLines, Pending, generate_day

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
LINES_PER_CUSTOMER = 120  # approximate, documented in the CLI help
FIRST_INVOICE = 536365  # the first invoice number of the UCI file


@dataclass(frozen=True)
class SampleSummary:
    path: Path
    lines: int  # data lines, header excluded
    customers: int  # distinct CustomerIDs in the file
    invoices: int
    cancellation_lines: int
    anonymous_lines: int  # lines without CustomerID
    duplicate_lines: int  # extra copies of an exact duplicate line
    first_date: date
    last_date: date


def _rng(seed: int, *key: int) -> np.random.Generator:
    # Independent streams per purpose and per day, all derived from the one seed.
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _texts(values: np.ndarray, fmt) -> np.ndarray:
    """Format an integer column through its (few) distinct values instead of per line."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return np.array([fmt(int(v)) for v in uniq], dtype=object)[inverse]


def _pounds(pence: int) -> str:
    sign, pence = ("-", -pence) if pence < 0 else ("", pence)
    return f"{sign}{pence // 100}.{pence % 100:02d}"


class _Formatter:
    def __init__(self, cust, cal) -> None:
        self.cust, self.cal = cust, cal
        self.products = catalogue().text
        self.countries = np.array([f",{c}" for c in country_names()], dtype=object)
        self.times = time_labels()

    def day_text(self, day: int, lines: DayLines) -> str:
        if len(lines.number) == 0:
            return ""
        numbers, first, inv = np.unique(lines.number, return_index=True, return_inverse=True)
        label = self.cal.labels[day]
        heads = np.array(
            [f"C{n}" if c else str(n) for n, c in zip(numbers, lines.cancel[first], strict=True)],
            dtype=object,
        )
        dates = np.array([f"{label} {self.times[m]}" for m in lines.minute[first]], dtype=object)
        ident = self.cust.ident[lines.customer[first]]
        tails = np.array([str(i) if i >= 0 else "" for i in ident], dtype=object)
        tails = tails + self.countries[self.cust.country[lines.customer[first]]]
        columns = (
            heads[inv],
            self.products[lines.product],
            _texts(lines.quantity, str),
            dates[inv],
            _texts(lines.price, _pounds),
            tails[inv],
        )
        return "".join(map("{},{},{},{},{},{}\n".format, *columns))


def _is_gzip(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return name.endswith(".gz")
    raise ValueError(f"output file must end in .csv or .csv.gz: {path}")


def _gzip(raw):
    # mtime=0 and no file name in the gzip header keep the bytes identical for one seed.
    return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)


def write_sample(
    path: str | os.PathLike[str],
    *,
    customers: int = 4000,
    seed: int = 42,
    start: str | date = "2010-12-01",
    months: int = 13,
) -> SampleSummary:
    """Write a synthetic UCI-layout export (~120 lines per customer) and summarise it.

    The file is written to ``<path>.part`` first and renamed at the end, so a failed run
    leaves no half-written file under the requested name.
    """
    path = Path(path)
    gz = _is_gzip(path)
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    first_day = date.fromisoformat(start) if isinstance(start, str) else start
    cal = make_calendar(first_day, months)
    if len(cal) == 0:
        raise ValueError("the period has no business days")
    cust = make_customers(_rng(seed, 0), customers, cal)
    cat, fmt, pending = catalogue(), _Formatter(cust, cal), Pending()
    tmp = path.with_name(path.name + ".part")
    counts = dict(lines=0, invoices=0, cancellation_lines=0, anonymous_lines=0, duplicate_lines=0)
    try:
        with open(tmp, "wb") as raw, _gzip(raw) if gz else nullcontext(raw) as out:
            out.write(HEADER.encode())
            number = FIRST_INVOICE
            for day in range(len(cal)):
                lines = generate_day(_rng(seed, 1, day), day, number, cust, cal, cat, pending)
                number += lines.invoices
                out.write(fmt.day_text(day, lines).encode())
                counts["lines"] += len(lines.number)
                counts["invoices"] += lines.invoices
                counts["cancellation_lines"] += int(lines.cancel.sum())
                counts["anonymous_lines"] += int((cust.ident[lines.customer] < 0).sum())
                counts["duplicate_lines"] += lines.duplicates
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return SampleSummary(
        path=path,
        customers=customers,
        first_date=cal.days[0].astype(date),
        last_date=cal.days[-1].astype(date),
        **counts,
    )
