"""Trend tables for the dashboard and `segments trends`: SQL aggregates shaped into DataFrames.

Every function takes the session (or a Connection) keyword-only and CleaningRules; the
aggregation runs in the database (db/queries_trends.py), pandas only fills gaps and labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from db import queries_trends as q
from db.queries_cleaning import CleaningRules, money
from db.rollup import use_rollup

DbSession = Session | Connection
DEFAULT_RULES = CleaningRules()
OTHER = "Other"
UNKNOWN_COUNTRY = "Unknown"
# Revenue-per-customer histogram edges, in currency; the last bucket is open-ended.
REVENUE_EDGES: tuple[float, ...] = (0, 100, 250, 500, 1000, 2500, 5000, 10000)


def _rollup(session: DbSession, rules: CleaningRules) -> bool:
    return use_rollup(session=session, rules=rules)


def _money(series: pd.Series) -> pd.Series:
    return series.map(money).astype("float64")


def sales_by_month(*, session: DbSession, rules: CleaningRules = DEFAULT_RULES) -> pd.DataFrame:
    """month ('YYYY-MM'), revenue, orders, customers for every month of the range, zeros included.

    The range is rules.start..rules.end, each end defaulting to the first/last month with data.
    """
    rows = session.execute(q.sales_by_month(rules, rollup=_rollup(session, rules))).all()
    found = pd.DataFrame(rows, columns=["month", "revenue", "orders", "customers"])
    first = rules.start.strftime("%Y-%m") if rules.start else (found["month"].min() if len(found) else None)
    last = rules.end.strftime("%Y-%m") if rules.end else (found["month"].max() if len(found) else None)
    months = [] if first is None or last is None else pd.period_range(first, last, freq="M").strftime("%Y-%m")
    frame = found.set_index("month").reindex(pd.Index(months, name="month")).reset_index()
    frame["revenue"] = frame["revenue"].fillna(0).pipe(_money)
    for column in ("orders", "customers"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def sales_by_country(
    *, session: DbSession, rules: CleaningRules = DEFAULT_RULES, top: int = 10, other: bool = True
) -> pd.DataFrame:
    """country, revenue, orders, customers, revenue_share: the ``top`` countries by revenue.

    With ``other`` the remaining countries are summed into one "Other" row; its customers are
    a sum over countries (a customer seen in two of them counts twice).
    """
    rows = session.execute(q.sales_by_country(rules, rollup=_rollup(session, rules))).all()
    frame = pd.DataFrame(rows, columns=["country", "revenue", "orders", "customers"])
    frame["country"] = frame["country"].fillna(UNKNOWN_COUNTRY)
    frame["revenue"] = _money(frame["revenue"])
    frame[["orders", "customers"]] = frame[["orders", "customers"]].astype("int64")
    head, rest = frame.iloc[:top], frame.iloc[top:]
    if other and len(rest):
        folded = {"country": OTHER, **rest[["revenue", "orders", "customers"]].sum().to_dict()}
        folded["revenue"] = round(folded["revenue"], 4)
        head = pd.concat([head, pd.DataFrame([folded])], ignore_index=True)
    head = head.astype({"orders": "int64", "customers": "int64"}).reset_index(drop=True)
    total = frame["revenue"].sum()
    head["revenue_share"] = (head["revenue"] / total).round(6) if total else 0.0
    return head


def purchase_frequency(*, session: DbSession, rules: CleaningRules = DEFAULT_RULES) -> pd.DataFrame:
    """bucket (invoices per customer: "1", ..., "6-10", "51+"), customers; empty buckets kept.

    With net returns a "0" bucket comes first: customers who only returned goods in the period.
    """
    buckets = q.frequency_buckets(rules)
    counts = dict(session.execute(q.frequency_histogram(rules, rollup=_rollup(session, rules))).all())
    return pd.DataFrame(
        {
            "bucket": [label for label, _low, _high in buckets],
            "customers": [int(counts.get(i, 0)) for i in range(len(buckets))],
        }
    )


def basket_size(*, session: DbSession, rules: CleaningRules = DEFAULT_RULES) -> pd.DataFrame:
    """One row: invoices (sale invoices), avg_items and avg_value per invoice, max_items,
    max_value. ``avg_value`` is revenue per invoice, net of returns when they are netted (as
    ``kpis``' avg_basket_value); the largest basket is a sale invoice as sold."""
    invoices, items, value, max_items, max_value = session.execute(
        q.basket_size(rules, rollup=_rollup(session, rules))
    ).one()
    invoices = int(invoices or 0)
    row = {
        "invoices": invoices,
        "avg_items": round(int(items) / invoices, 4) if invoices else 0.0,
        "avg_value": round(money(value) / invoices, 4) if invoices else 0.0,
        "max_items": int(max_items or 0),
        "max_value": money(max_value),
    }
    return pd.DataFrame([row])


def customer_revenue(*, session: DbSession, rules: CleaningRules = DEFAULT_RULES) -> pd.DataFrame:
    """customer_id, orders, revenue: one row per customer with a kept line (with net returns,
    one who only returned goods has 0 orders and a negative revenue)."""
    rows = session.execute(q.revenue_per_customer(rules, rollup=_rollup(session, rules))).all()
    frame = pd.DataFrame(rows, columns=["customer_id", "orders", "revenue"])
    frame["orders"] = frame["orders"].astype("int64")
    frame["revenue"] = _money(frame["revenue"])
    return frame.sort_values("customer_id", kind="stable").reset_index(drop=True)


def revenue_distribution(per_customer: pd.DataFrame) -> pd.DataFrame:
    """bucket, low, high, customers, revenue over REVENUE_EDGES; with net returns, customers who
    returned more than they bought get a first bucket "<0" (low None) of their own."""
    revenue = per_customer["revenue"].to_numpy()
    lows: list[float | None] = list(REVENUE_EDGES)
    if (revenue < 0).any():
        lows.insert(0, None)
    edges = np.array([-np.inf if lo is None else lo for lo in lows], dtype="float64")
    index = np.clip(np.searchsorted(edges, revenue, side="right") - 1, 0, None)
    grouped = per_customer.groupby(index)["revenue"].agg(["size", "sum"])
    highs = [*lows[1:], None]
    labels = [
        "<0" if lo is None else f"{lo:g}-{hi:g}" if hi is not None else f"{lo:g}+"
        for lo, hi in zip(lows, highs, strict=True)
    ]
    return pd.DataFrame(
        {
            "bucket": labels,
            "low": lows,
            "high": highs,
            "customers": [int(grouped["size"].get(i, 0)) for i in range(len(edges))],
            "revenue": [round(float(grouped["sum"].get(i, 0.0)), 4) for i in range(len(edges))],
        }
    )


def revenue_per_customer(*, session: DbSession, rules: CleaningRules = DEFAULT_RULES) -> pd.DataFrame:
    """The distribution of revenue per customer (see revenue_distribution)."""
    return revenue_distribution(customer_revenue(session=session, rules=rules))


def kpis(
    *, session: DbSession, rules: CleaningRules = DEFAULT_RULES, per_customer: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Headline figures: revenue, orders, customers, basket and revenue per customer, dates.

    Only lines with a customer id count (as in RFM); ``without_customer_revenue`` and
    ``without_customer_lines`` are what the same rules leave out for lack of one.
    ``per_customer``: customer_revenue() of the same rules, when the caller has it already.
    """
    revenue, orders, customers, items, first, last = session.execute(
        q.kpis(rules, rollup=_rollup(session, rules))
    ).one()
    if per_customer is None:
        per_customer = customer_revenue(session=session, rules=rules)
    # Mean and median of the same per-customer revenues whose sum is the revenue (with net
    # returns, customers who only returned goods in the window are among them).
    mean = float(per_customer["revenue"].mean()) if len(per_customer) else 0.0
    median = float(per_customer["revenue"].median()) if len(per_customer) else 0.0
    orders, customers = int(orders or 0), int(customers or 0)
    anonymous_revenue, anonymous_lines = session.execute(q.without_customer(rules)).one()
    return {
        "revenue": money(revenue),
        "orders": orders,
        "customers": customers,
        "items": int(items or 0),
        "avg_basket_items": round(int(items or 0) / orders, 4) if orders else 0.0,
        # Revenue per order: net of returns when they are netted, as revenue and the
        # per-customer figures are (the revenue of a shop that only sold is its sales).
        "avg_basket_value": round(money(revenue) / orders, 4) if orders else 0.0,
        "revenue_per_customer_mean": round(mean, 4),
        "revenue_per_customer_median": round(median, 4),
        "first_date": pd.Timestamp(first).to_pydatetime() if first is not None else None,
        "last_date": pd.Timestamp(last).to_pydatetime() if last is not None else None,
        "without_customer_revenue": money(anonymous_revenue),
        "without_customer_lines": int(anonymous_lines or 0),
    }
