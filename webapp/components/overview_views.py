"""Overview pieces that are not figures: KPI cards and the filter query string (pure helpers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from webapp.money import format_money
from webapp.wording import counted

MONEY = "money"  # a format that is an amount of money: shown with the currency unit, if one is set

# (key in analytics.trends.kpis, label, format)
KPIS: tuple[tuple[str, str, str], ...] = (
    ("revenue", "Revenue", MONEY),
    ("orders", "Orders", "{:,}"),
    ("customers", "Customers", "{:,}"),
    ("avg_basket_items", "Avg basket (items)", "{:,.1f}"),
    ("avg_basket_value", "Avg basket (value)", MONEY),
    ("revenue_per_customer_mean", "Revenue per customer", MONEY),
)


def kpi_id(key: str) -> str:
    return "overview-kpi-" + key.replace("_", "-")


def kpi_cards(kpis: dict[str, Any], currency: str | None = None) -> dbc.Row:
    """One card per headline figure; the values keep stable ids for tests and links."""
    cols = []
    for key, label, fmt in KPIS:
        text = format_money(kpis[key], currency) if fmt == MONEY else fmt.format(kpis[key])
        body = dbc.CardBody(
            [
                html.Div(label, className="kpi-label"),
                html.Div(text, className="kpi-value", id=kpi_id(key)),
            ]
        )
        cols.append(dbc.Col(dbc.Card(body, className="kpi-card shadow-sm"), md=4, xl=2, className="mb-3"))
    return dbc.Row(cols)


def customer_note(kpis: dict[str, Any], currency: str | None = None, chosen: str = "") -> html.Small:
    """Under the cards: the figures count sales with a customer id (as the RFM analysis does),
    and what the same filters leave out for lack of one. With no such sale, says so as
    `segments trends` does; ``chosen``: which filters were set (" in the chosen dates")."""
    lines = int(kpis.get("without_customer_lines", 0))
    left_out = ""
    if lines:
        amount = format_money(kpis["without_customer_revenue"], currency)
        left_out = f"{amount} in {counted(lines, 'line')} without one left out"
    if not kpis["orders"] and not kpis["customers"]:
        text = f"No sales with a customer id{chosen}" + (f"; {left_out}." if left_out else ".")
    else:
        text = "Figures count sales with a customer id, as the segmentation does; "
        text += f"{left_out}." if left_out else "no sales without one here."
    return html.Small(text, className="text-muted d-block mb-3", id="overview-customer-note")


def filter_query(start: str | None, end: str | None, country: str | Sequence[str] | None) -> str:
    """The ``?start=..&end=..&country=..`` that reproduces a selection ("" when none); several
    countries repeat the key (``country=France&country=Germany``)."""
    countries = [country] if isinstance(country, str) else list(country or [])
    pairs = [(k, v) for k, v in (("start", start), ("end", end)) if v]
    pairs += [("country", c) for c in countries if c]
    return "?" + urlencode(pairs) if pairs else ""
