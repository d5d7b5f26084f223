"""The RFM aggregate: one statement, one row per customer, computed inside the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, func, select

from db.models import Transaction
from db.queries_cleaning import CleaningRules, clean_lines, is_purchase, line_filters
from db.queries_cleaning import on_sales as on_sales_of
from db.sql_text import bytewise

RFM_COLUMNS = ("customer_id", "frequency", "monetary_units", "first_purchase", "last_purchase", "country")


def purchase_span(rules: CleaningRules) -> Select:
    """One row: the first and last purchase time that ``rules`` keep (NULLs when none).

    The purchases ``rfm_aggregate`` counts (with ``returns="net"`` a return is no purchase),
    so an as-of day inside this span leaves customers to segment.
    """
    t = Transaction.__table__
    # min/max keep the column's DateTime type, so both backends return datetimes.
    return select(func.min(t.c.invoice_date), func.max(t.c.invoice_date)).where(
        *line_filters(rules, t=t), is_purchase(t)
    )


def customers_with_purchases(rules: CleaningRules, *, before: datetime | None = None) -> Select:
    """One row: how many customers ``rfm_aggregate`` would return (those with at least one
    purchase ``rules`` keep, before ``before``), counted without computing their RFM."""
    t = Transaction.__table__
    return select(func.count(t.c.customer_id.distinct())).where(
        *line_filters(rules, before=before, t=t), is_purchase(t)
    )


def rfm_aggregate(rules: CleaningRules, *, before: datetime | None = None) -> Select:
    """Frequency, summed revenue, first/last purchase and country per customer.

    Frequency, first and last purchase count sales only; with ``returns="net"`` the revenue
    also includes the (negative) returns, and a customer with returns but no sale is left out.
    Country: the one the customer bought in on most invoices (ties: the most recent, then
    alphabetical), so the few customers seen in two countries get one stable answer.
    Recency is not computed here: it is a difference of dates whose SQL differs per dialect,
    and one row per customer is cheap to subtract in pandas.

    Shape: lines -> invoices (the one pass over the big table) -> window columns ranking each
    customer's countries -> one GROUP BY customer. No join back: with a join, Postgres
    misestimated the HAVING and re-ran the country ranking once per customer (60 s, not 1 s).
    """
    lines = clean_lines(rules, before=before).subquery("rfm_lines")
    # An invoice is all sales or all returns, so ``purchase`` is constant within one.
    invoices = (
        select(
            lines.c.customer_id,
            lines.c.invoice_no,
            lines.c.country,
            lines.c.purchase,
            func.min(lines.c.invoice_date).label("invoice_date"),
            func.sum(lines.c.revenue).label("revenue"),
        )
        .group_by(lines.c.customer_id, lines.c.invoice_no, lines.c.country, lines.c.purchase)
        .subquery("rfm_invoices")
    )

    def on_sales(column: ColumnElement) -> ColumnElement:
        return on_sales_of(invoices, column, rules)

    per_country = (invoices.c.customer_id, invoices.c.country)
    counted = select(
        invoices,
        func.count(on_sales(invoices.c.invoice_no)).over(partition_by=per_country).label("country_invoices"),
        func.max(on_sales(invoices.c.invoice_date)).over(partition_by=per_country).label("country_latest"),
    ).subquery("rfm_counted")
    ranked = select(
        counted,
        func.row_number()
        .over(
            partition_by=counted.c.customer_id,
            order_by=(
                counted.c.purchase.desc(),  # a return's country never wins
                counted.c.country_invoices.desc(),
                counted.c.country_latest.desc(),
                bytewise(counted.c.country).asc().nulls_last(),  # as on SQLite, whatever the collation
                counted.c.invoice_no,
            ),
        )
        .label("country_rank"),
    ).subquery("rfm_ranked")

    def on_ranked_sales(column: ColumnElement) -> ColumnElement:
        return on_sales_of(ranked, column, rules)

    return (
        select(
            ranked.c.customer_id,
            func.count(on_ranked_sales(ranked.c.invoice_no).distinct()).label("frequency"),
            func.sum(ranked.c.revenue).label("monetary_units"),
            func.min(on_ranked_sales(ranked.c.invoice_date)).label("first_purchase"),
            func.max(on_ranked_sales(ranked.c.invoice_date)).label("last_purchase"),
            func.max(case((ranked.c.country_rank == 1, ranked.c.country))).label("country"),
        )
        .group_by(ranked.c.customer_id)
        .having(func.max(ranked.c.purchase) == 1)
    )
