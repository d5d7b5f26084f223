"""Recency, Frequency, Monetary per customer, from one aggregate query in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from db.queries_cleaning import MONEY_SCALE, CleaningRules, as_cutoff
from db.queries_rfm import RFM_COLUMNS, rfm_aggregate

FRAME_COLUMNS = (
    "customer_id",
    "recency",
    "frequency",
    "monetary",
    "first_purchase",
    "last_purchase",
    "country",
)


class NoTransactions(ValueError):
    """No line passes the cleaning rules, so there is no snapshot to measure recency from."""


@dataclass(frozen=True)
class RFMResult:
    """``frame``: one row per customer (FRAME_COLUMNS), sorted by customer_id.

    ``snapshot`` is the moment recency is measured from: ``as_of`` when given, else the last
    kept purchase + 1 day (not truncated to midnight, as in the reference analysis).
    """

    snapshot: datetime
    frame: pd.DataFrame
    rules: CleaningRules
    as_of: datetime | None = None


def compute_rfm(
    *,
    session: Session | Connection,
    as_of: date | datetime | None = None,
    rules: CleaningRules = CleaningRules(),  # noqa: B008 - frozen, so a shared default is safe
) -> RFMResult:
    """RFM of every customer with at least one kept purchase strictly before ``as_of``.

    Recency is whole days, ``(snapshot - last_purchase).days``; frequency is distinct invoices;
    monetary is summed line revenue (net of returns with ``rules.returns="net"``), exact to
    the 4 decimals prices are stored with. Raises NoTransactions when nothing is kept and no
    ``as_of`` was given; with ``as_of`` an empty population gives an empty frame.
    """
    cutoff = as_cutoff(as_of) if as_of is not None else None
    rows = session.execute(rfm_aggregate(rules, before=cutoff)).all()
    raw = pd.DataFrame(rows, columns=list(RFM_COLUMNS))
    if raw.empty and cutoff is None:
        raise NoTransactions("no transactions match the cleaning rules")

    first = pd.to_datetime(raw["first_purchase"]).astype("datetime64[ns]")
    last = pd.to_datetime(raw["last_purchase"]).astype("datetime64[ns]")
    snapshot = cutoff if cutoff is not None else (last.max() + timedelta(days=1)).to_pydatetime()
    frame = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str),
            "recency": (pd.Timestamp(snapshot) - last).dt.days.astype("int64"),
            "frequency": raw["frequency"].astype("int64"),
            # Exact integer units from SQL; the float is then correctly rounded.
            "monetary": (raw["monetary_units"].map(int) / MONEY_SCALE).round(4).astype("float64"),
            "first_purchase": first,
            "last_purchase": last,
            "country": raw["country"].astype(object),
        },
        columns=list(FRAME_COLUMNS),
    )
    # Sorted here, not in SQL: string collation differs between Postgres and SQLite.
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return RFMResult(snapshot=snapshot, frame=frame, rules=rules, as_of=cutoff)
