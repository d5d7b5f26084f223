"""Trend aggregates over the cleaned lines, as Core statements (SQLite and Postgres alike).

Revenue sums every kept line (so returns subtract with ``returns="net"``); orders, items and
baskets count sale lines only. Customers are everybody with a kept line, so with net returns a
customer who only returned goods in the period counts too (net revenue <= 0, no orders) and the
customer figures add up to the revenue. Lines without a customer id are never kept (RFM needs a
customer); ``without_customer`` says how much that leaves out. Money comes back in MONEY_SCALE
integer units.
"""

from __future__ import annotations

from sqlalchemy import Integer, Select, case, func, literal, select

from db.models import Transaction
from db.queries_cleaning import CleaningRules, clean_lines, line_filters, on_sales, revenue_units
from db.rollup import rollup_lines
from db.sql_dates import month_key
from db.sql_text import bytewise

# Purchases-per-customer histogram: (label, lowest, highest or None for open-ended).
FREQUENCY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4", 4, 4),
    ("5", 5, 5),
    ("6-10", 6, 10),
    ("11-20", 11, 20),
    ("21-50", 21, 50),
    ("51+", 51, None),
)
# With net returns a customer may have returns and no purchase in the period: listed first.
NO_ORDER_BUCKET: tuple[str, int, int | None] = ("0", 0, 0)


def frequency_buckets(rules: CleaningRules) -> tuple[tuple[str, int, int | None], ...]:
    """FREQUENCY_BUCKETS, led by NO_ORDER_BUCKET when returns are netted."""
    return (NO_ORDER_BUCKET, *FREQUENCY_BUCKETS) if rules.returns == "net" else FREQUENCY_BUCKETS


def _lines(rules: CleaningRules, rollup: bool = False):  # noqa: ANN202 - a Subquery
    """The kept lines, or their per-invoice rollup when the caller checked it is current."""
    return (rollup_lines(rules) if rollup else clean_lines(rules)).subquery("lines")


def kpis(rules: CleaningRules, *, rollup: bool = False) -> Select:
    """One row: revenue, orders, customers, items, first and last line date."""
    lines = _lines(rules, rollup)
    sales = lines.c.purchase == 1
    return select(
        func.sum(lines.c.revenue).label("revenue"),
        func.count(on_sales(lines, lines.c.invoice_no, rules).distinct()).label("orders"),
        func.count(lines.c.customer_id.distinct()).label("customers"),
        func.sum(case((sales, lines.c.quantity), else_=literal(0))).label("items"),
        func.min(lines.c.invoice_date).label("first_date"),
        func.max(lines.c.invoice_date).label("last_date"),
    )


def sales_by_month(rules: CleaningRules, *, rollup: bool = False) -> Select:
    """Per calendar month with data: month ('YYYY-MM'), revenue, orders, customers."""
    lines = _lines(rules, rollup)
    month = month_key(lines.c.invoice_date).label("month")
    return (
        select(
            month,
            func.sum(lines.c.revenue).label("revenue"),
            func.count(on_sales(lines, lines.c.invoice_no, rules).distinct()).label("orders"),
            func.count(lines.c.customer_id.distinct()).label("customers"),
        )
        .group_by(month)
        .order_by(month)
    )


def sales_by_country(rules: CleaningRules, *, rollup: bool = False) -> Select:
    """Per country: revenue, orders, customers; biggest revenue first."""
    lines = _lines(rules, rollup)
    revenue = func.sum(lines.c.revenue).label("revenue")
    return (
        select(
            lines.c.country,
            revenue,
            func.count(on_sales(lines, lines.c.invoice_no, rules).distinct()).label("orders"),
            func.count(lines.c.customer_id.distinct()).label("customers"),
        )
        .group_by(lines.c.country)
        .order_by(revenue.desc(), bytewise(lines.c.country))  # ties: the same top N on every database
    )


def _per_customer(rules: CleaningRules, rollup: bool = False):  # noqa: ANN202 - a Subquery
    lines = _lines(rules, rollup)
    return (
        select(
            lines.c.customer_id,
            func.count(on_sales(lines, lines.c.invoice_no, rules).distinct()).label("orders"),
            func.sum(lines.c.revenue).label("revenue"),
        )
        .group_by(lines.c.customer_id)
        .subquery("per_customer")
    )


def frequency_histogram(rules: CleaningRules, *, rollup: bool = False) -> Select:
    """Customers per ``frequency_buckets(rules)`` index (buckets with nobody are absent)."""
    per_customer = _per_customer(rules, rollup)
    whens = [
        (
            per_customer.c.orders <= high if high is not None else per_customer.c.orders >= low,
            literal(index, Integer),
        )
        for index, (_label, low, high) in enumerate(frequency_buckets(rules))
    ]
    # Bucketed in a subquery: grouping by a CASE with bound parameters fails on Postgres.
    bucketed = select(case(*whens).label("bucket")).subquery("bucketed")
    return (
        select(bucketed.c.bucket, func.count().label("customers"))
        .group_by(bucketed.c.bucket)
        .order_by(bucketed.c.bucket)
    )


def revenue_per_customer(rules: CleaningRules, *, rollup: bool = False) -> Select:
    """One row per customer: customer_id, orders, revenue (a small result: one row each)."""
    per_customer = _per_customer(rules, rollup)
    return select(per_customer.c.customer_id, per_customer.c.orders, per_customer.c.revenue)


def basket_size(rules: CleaningRules, *, rollup: bool = False) -> Select:
    """One row: invoices, their total items, the revenue, the largest basket (items, value).

    Baskets are sale invoices; ``value`` is the revenue of all kept lines, so with net returns
    the value per order is net too, as the revenue and the per-customer figures are. A return
    is no basket of its own: the largest ones are sale invoices as sold."""
    lines = _lines(rules, rollup)
    per_invoice = (
        select(
            lines.c.invoice_no,
            func.sum(lines.c.quantity).label("n_items"),
            func.sum(lines.c.revenue).label("basket_value"),
        )
        .where(lines.c.purchase == 1)
        .group_by(lines.c.invoice_no)
        .subquery("per_invoice")
    )
    revenue = select(func.sum(lines.c.revenue)).scalar_subquery()
    return select(
        func.count().label("invoices"),
        func.sum(per_invoice.c.n_items).label("items"),
        revenue.label("value"),
        func.max(per_invoice.c.n_items).label("max_items"),
        func.max(per_invoice.c.basket_value).label("max_value"),
    )


def without_customer(rules: CleaningRules) -> Select:
    """One row: revenue and lines the rules would keep but for a missing customer id.

    Always read from the lines (the rollup holds only lines with a customer); the customer id
    index finds them.
    """
    t = Transaction.__table__
    return select(
        func.coalesce(func.sum(revenue_units(t)), 0).label("revenue"),
        func.count().label("lines"),
    ).where(*line_filters(rules, customer=False, t=t))


def known_countries() -> Select:
    """Every country spelled in the stored lines (with or without a customer id)."""
    t = Transaction.__table__
    return select(t.c.country).where(t.c.country.is_not(None)).distinct()
