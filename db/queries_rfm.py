"""The RFM aggregate: one statement, one row per customer, computed inside the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select

from db.queries_cleaning import CleaningRules, clean_lines
from db.queries_cleaning import on_sales as on_sales_of

RFM_COLUMNS = ("customer_id", "frequency", "monetary_units", "first_purchase", "last_purchase", "country")


def rfm_aggregate(rules: CleaningRules, *, before: datetime | None = None) -> Select:
    """Frequency, summed revenue, first/last purchase and country per customer.

    Frequency, first and last purchase count sales only; with ``returns="net"`` the revenue
    also includes the (negative) returns, and a customer with returns but no sale is left out.
    Country: the one the customer bought in on most invoices (ties: the most recent, then
    alphabetical), so the few customers seen in two countries get one stable answer.
    Recency is not computed here: it is a difference of dates whose SQL differs per dialect,
    and one row per customer is cheap to subtract in pandas.
    """
    lines = clean_lines(rules, before=before).subquery("rfm_lines")
    # One pass over the lines down to invoices (a few per customer); everything after works
    # on that small set. An invoice is all sales or all returns, so ``purchase`` is constant.
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
        .cte("rfm_invoices")
    )
    sale = invoices.c.purchase == 1

    def on_sales(column: ColumnElement) -> ColumnElement:
        return on_sales_of(invoices, column, rules)

    per_customer = (
        select(
            invoices.c.customer_id,
            func.count(on_sales(invoices.c.invoice_no).distinct()).label("frequency"),
            func.sum(invoices.c.revenue).label("monetary_units"),
            func.min(on_sales(invoices.c.invoice_date)).label("first_purchase"),
            func.max(on_sales(invoices.c.invoice_date)).label("last_purchase"),
        )
        .group_by(invoices.c.customer_id)
        .having(func.max(invoices.c.purchase) == 1)
        .subquery("per_customer")
    )

    by_country = (
        select(
            invoices.c.customer_id,
            invoices.c.country,
            func.count(invoices.c.invoice_no.distinct()).label("invoices"),
            func.max(invoices.c.invoice_date).label("latest"),
        )
        .where(sale)
        .group_by(invoices.c.customer_id, invoices.c.country)
        .subquery("by_country")
    )
    ranked = select(
        by_country.c.customer_id,
        by_country.c.country,
        func.row_number()
        .over(
            partition_by=by_country.c.customer_id,
            order_by=(
                by_country.c.invoices.desc(),
                by_country.c.latest.desc(),
                by_country.c.country.asc().nulls_last(),
            ),
        )
        .label("rank"),
    ).subquery("ranked")

    return select(
        per_customer.c.customer_id,
        per_customer.c.frequency,
        per_customer.c.monetary_units,
        per_customer.c.first_purchase,
        per_customer.c.last_purchase,
        ranked.c.country,
    ).join_from(
        per_customer,
        ranked,
        (ranked.c.customer_id == per_customer.c.customer_id) & (ranked.c.rank == 1),
    )
