"""Overview pieces that are not figures: KPI cards and the filter query string (pure helpers)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

# (key in analytics.trends.kpis, label, format)
KPIS: tuple[tuple[str, str, str], ...] = (
    ("revenue", "Revenue", "{:,.2f}"),
    ("orders", "Orders", "{:,}"),
    ("customers", "Customers", "{:,}"),
    ("avg_basket_items", "Avg basket (items)", "{:,.1f}"),
    ("avg_basket_value", "Avg basket (value)", "{:,.2f}"),
    ("revenue_per_customer_mean", "Revenue per customer", "{:,.2f}"),
)


def kpi_id(key: str) -> str:
    return "overview-kpi-" + key.replace("_", "-")


def kpi_cards(kpis: dict[str, Any]) -> dbc.Row:
    """One card per headline figure; the values keep stable ids for tests and links."""
    cols = []
    for key, label, fmt in KPIS:
        body = dbc.CardBody(
            [
                html.Div(label, className="kpi-label"),
                html.Div(fmt.format(kpis[key]), className="kpi-value", id=kpi_id(key)),
            ]
        )
        cols.append(dbc.Col(dbc.Card(body, className="kpi-card shadow-sm"), md=4, xl=2, className="mb-3"))
    return dbc.Row(cols)


def filter_query(start: str | None, end: str | None, country: str | None) -> str:
    """The ``?start=..&end=..&country=..`` that reproduces a selection ("" when none)."""
    pairs = [(k, v) for k, v in (("start", start), ("end", end), ("country", country)) if v]
    return "?" + urlencode(pairs) if pairs else ""
