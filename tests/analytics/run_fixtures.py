"""A small store with three obvious customer groups, for run tests on both backends.

As of 2011-12-10 00:00 (default rules):
- big   c01-c03: 20 invoices, last on 2011-12-0(4+i) 12:00, each invoice 10 x 50.00 (+i x 1.00)
- mid   c04-c09: 4 invoices, last on 2011-10-0(i-3) 12:00, each 2 x 25.00 (+ i x 0.10)
- old   c10-c15: 1 invoice on 2011-03-0(i-9) 12:00, 1 x 10.00 (+ i x 0.01)
- late  c16: buys only on 2011-12-15, after the snapshot; c01 also buys big then.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.transaction_factory import Line, insert_lines

AS_OF = date(2011, 12, 10)
GROUPS = {"big": range(1, 4), "mid": range(4, 10), "old": range(10, 16)}


def _invoices(customer: int, last: datetime, count: int, qty: int, price: float, country: str):
    for n in range(count):
        when = last - timedelta(days=7 * n)
        invoice = f"5{customer:02d}{n:03d}"
        yield (
            invoice,
            "P1",
            qty,
            when.strftime("%Y-%m-%d %H:%M"),
            f"{price:.2f}",
            f"c{customer:02d}",
            country,
        )


def store_lines() -> list[Line]:
    lines: list[Line] = []
    for i in GROUPS["big"]:
        lines += _invoices(i, datetime(2011, 12, 4 + i, 12), 20, 10, 50 + i, "United Kingdom")
    for i in GROUPS["mid"]:
        lines += _invoices(i, datetime(2011, 10, i - 3, 12), 4, 2, 25 + i / 10, "France")
    for i in GROUPS["old"]:
        lines += _invoices(i, datetime(2011, 3, i - 9, 12), 1, 1, 10 + i / 100, "=cmd|' /C calc'!A0")
    lines.append(("599001", "P1", 1000, "2011-12-15 10:00", "5.00", "c01", "United Kingdom"))
    lines.append(("599002", "P1", 3, "2011-12-15 11:00", "5.00", "c16", "Spain"))
    return lines


def expected_rfm(customer: int) -> tuple[int, int, float]:
    """(recency days, frequency, monetary) as of AS_OF, worked out from the rules above."""
    snapshot = datetime(2011, 12, 10)
    if customer in GROUPS["big"]:
        return (snapshot - datetime(2011, 12, 4 + customer, 12)).days, 20, 20 * 10 * (50 + customer)
    if customer in GROUPS["mid"]:
        price = round(25 + customer / 10, 2)
        return (snapshot - datetime(2011, 10, customer - 3, 12)).days, 4, round(4 * 2 * price, 2)
    return (snapshot - datetime(2011, 3, customer - 9, 12)).days, 1, round(10 + customer / 100, 2)


def load_store(engine) -> None:
    insert_lines(engine=engine, lines=store_lines())


# A store whose first and last stored lines are ones the cleaning drops, so its stored span
# (2010-12-31 to 2011-04-02) is wider than its purchase span: 2011-01-05 to 2011-03-20 under
# the default rules, from 2011-01-04 under the reference rules (which keep postage).
TRIMMED_LINES: tuple[Line, ...] = (
    ("C500000", "A1", -1, "2010-12-31 09:00", "2.00", "c01", "United Kingdom"),  # cancellation
    ("500001", "POST", 1, "2011-01-04 09:00", "18.00", "c01", "United Kingdom"),  # postage only
    ("500002", "A1", 2, "2011-01-05 10:00", "2.00", "c01", "United Kingdom"),
    ("500003", "A2", 1, "2011-01-12 10:00", "3.00", "c02", "United Kingdom"),
    ("500004", "A3", 4, "2011-01-20 10:00", "1.50", "c03", "United Kingdom"),
    ("500005", "A1", 1, "2011-01-25 10:00", "2.00", "c06", "United Kingdom"),
    ("500006", "A2", 6, "2011-02-02 10:00", "3.00", "c04", "France"),
    ("500007", "A1", 3, "2011-02-10 10:00", "2.00", "c01", "United Kingdom"),
    ("500008", "A3", 2, "2011-02-14 10:00", "1.50", "c03", "United Kingdom"),
    ("500009", "A1", 9, "2011-02-20 10:00", "2.00", "c05", "United Kingdom"),
    ("500010", "A2", 2, "2011-03-05 10:00", "3.00", "c05", "United Kingdom"),
    ("500011", "A1", 8, "2011-03-15 10:00", "2.00", "c01", "United Kingdom"),
    ("500012", "A2", 1, "2011-03-20 10:00", "3.00", "c02", "United Kingdom"),
    ("500013", "A1", 5, "2011-04-02 10:00", "2.00", None, "United Kingdom"),  # no customer id
)


def load_trimmed_store(engine) -> None:
    insert_lines(engine=engine, lines=TRIMMED_LINES)
