"""The as-of rule of a run, the same for the CLI and the web.

A run counts purchases strictly before its as-of day, so a day makes sense from the day after
the first purchase to the day after the last one (all the data). "Purchase" means what the
run's cleaning rules keep: a store whose first lines are cancellations or postage starts later
for a run than its raw lines do.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.cleaning import CleaningRules
from db.models import Transaction
from db.queries_rfm import purchase_span as purchase_span_query

Span = tuple[date, date]

# What every command says of a database without any transaction (`run`, `trends`, `runs`).
NO_TRANSACTIONS = "no transactions yet: import a file first ('segments ingest FILE' or the Data page)"


def transaction_span(*, session: Session) -> tuple[date, date] | None:
    """First and last invoice day in the store (None when empty)."""
    # min/max keep the column's DateTime type, so both backends return datetimes.
    span = select(func.min(Transaction.invoice_date), func.max(Transaction.invoice_date))
    first, last = session.execute(span).one()
    return None if first is None else (first.date(), last.date())


def purchase_span(*, session: Session, rules: CleaningRules) -> Span | None:
    """First and last day of the purchases ``rules`` keep (None when there are none)."""
    first, last = session.execute(purchase_span_query(rules)).one()
    return None if first is None else (first.date(), last.date())


def as_of_bounds(span: Span) -> Span:
    """The first and last as-of day that make sense for purchases over ``span``."""
    first, last = span
    return first + timedelta(days=1), last + timedelta(days=1)


def as_of_refusal(day: date | datetime | None, span: Span | None) -> str | None:
    """Why ``day`` cannot be a run's as-of day, or None when it can (or there is nothing to
    check against: no day, or no purchases, which the caller reports in its own words)."""
    if day is None or span is None:
        return None
    day = day.date() if isinstance(day, datetime) else day
    (first, last), (low, high) = span, as_of_bounds(span)
    allowed = f"choose a day from {low} to {high}"
    if day < low:
        return f"as-of {day} leaves no purchase before it (purchases start on {first}): {allowed}"
    if day > high:
        return f"as-of {day} is after purchases end ({last}), so every customer would look lapsed: {allowed}"
    return None
