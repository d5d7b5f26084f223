"""Overview figures: pure builders from the analytics.trends frames to Plotly figures."""

from __future__ import annotations

import math
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from webapp.components.figures import BOTTOM_LEGEND, empty_figure
from webapp.money import hover_money, with_unit
from webapp.wording import counted

MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}
REVENUE_COLOUR, ORDERS_COLOUR = "#0d6efd", "#fd7e14"


@cache
def loading_figure() -> dict[str, Any]:
    """The placeholder of a graph until its callback answers, built once as a plain dict
    (constructing a validated Figure on every page layout costs ~10 ms each)."""
    return empty_figure("Loading...").to_plotly_json()


def _layout(fig: go.Figure, **extra: Any) -> go.Figure:
    fig.update_layout(template="plotly_white", margin=MARGIN, height=320, **extra)
    return fig


def partial_months(months: list[str], first: date | None, last: date | None) -> dict[str, str]:
    """'YYYY-MM' -> "1-9 Dec" for a first or last month the data covers only in part."""
    notes: dict[str, str] = {}
    if not months or first is None or last is None:
        return notes
    for month, day in ((months[0], first), (months[-1], last)):
        start = pd.Period(month, freq="M")
        if day.strftime("%Y-%m") != month:
            continue
        # Covered from the first day of data (or the 1st) to the last day (or the month's end).
        lo = first.day if month == months[0] and first.strftime("%Y-%m") == month else 1
        hi = last.day if month == months[-1] and last.strftime("%Y-%m") == month else start.days_in_month
        if lo > 1 or hi < start.days_in_month:
            days = f"{lo}" if lo == hi else f"{lo}-{hi}"
            notes[month] = f"{days} {start.strftime('%b')}"
    return notes


def count_ticks(highest: float) -> dict[str, object]:
    """Axis settings for counts: whole round steps from 0 (never "0.5 customers")."""
    return {"tickmode": "linear", "tick0": 0, "dtick": count_step(highest), "tickformat": ",d"}


def count_step(highest: float, ticks: int = 5) -> int:
    """A round whole step (1, 2, 5, 10, 20, 50, ...) giving about ``ticks`` intervals up to
    ``highest``, for an axis of counts (orders): never a fraction of an order."""
    raw = max(float(highest), 1.0) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    return max(1, min((m * magnitude for m in (1, 2, 5, 10)), key=lambda step: abs(math.log(step / raw))))


def monthly_sales_figure(
    by_month: pd.DataFrame, first: date | None = None, last: date | None = None, currency: str | None = None
) -> go.Figure:
    """Revenue per month as bars, orders as a line on a second axis (seasonality at a glance).

    ``by_month``: month ('YYYY-MM'), revenue, orders (analytics.trends.sales_by_month);
    ``first``/``last``: the first and last day the chart covers (the store's, cut to the chosen
    dates). A month they cut short (the data ends on 9 December 2011) is hatched, and a hatched
    legend entry says "1-9 Dec only", so it does not read as a slump. ``currency``: the unit of
    revenue (None: none shown).
    """
    if by_month.empty or not by_month["orders"].any():
        return empty_figure("No sales in this selection")
    months = by_month["month"].tolist()
    notes = partial_months(months, first, last)
    hover = [f" (partial month: {notes[m]} only)" if m in notes else "" for m in months]
    orders = [counted(int(n), "order") + h for n, h in zip(by_month["orders"], hover, strict=True)]
    fig = go.Figure(
        [
            go.Bar(
                x=months,
                y=by_month["revenue"],
                name="Revenue",
                marker={
                    "color": REVENUE_COLOUR,
                    "opacity": [0.5 if m in notes else 1.0 for m in months],
                    "pattern": {"shape": ["/" if m in notes else "" for m in months]},
                },
                customdata=hover,
                hovertemplate="%{x}: "
                + hover_money("%{y:,.2f}", currency)
                + "%{customdata}<extra>Revenue</extra>",
            ),
            go.Scatter(
                x=months,
                y=by_month["orders"],
                name="Orders",
                mode="lines+markers",
                yaxis="y2",
                line={"color": ORDERS_COLOUR},
                # The count written out: "%{y:,} orders" read "1 orders" for a one-order month.
                customdata=orders,
                hovertemplate="%{x}: %{customdata}<extra>Orders</extra>",
            ),
        ]
    )
    if notes:
        # Said in the legend by a hatched swatch, where no trace can cross it: written over the
        # bar, the orders line ran through the note on a phone.
        fig.add_trace(
            go.Bar(
                x=[None],  # no bar; empty data ([]) would leave it out of the legend
                y=[None],
                name=" and ".join(notes.values()) + " only",
                marker={"color": REVENUE_COLOUR, "opacity": 0.5, "pattern": {"shape": "/"}},
                hoverinfo="skip",
            )
        )
    return _layout(
        fig,
        xaxis={"type": "category", "title": None},
        barmode="overlay",  # the legend's swatch takes no slot beside the revenue bars
        yaxis={"title": with_unit("Revenue", currency), "rangemode": "tozero"},
        yaxis2={
            "title": "Orders",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            # An overlaying axis defaults to tickmode "sync": ticks at the revenue gridlines,
            # i.e. fractions of an order (3.71, 7.42, ...). Whole round steps instead.
            **count_ticks(by_month["orders"].max()),
        },
        # At the foot of the figure, in as many rows as it needs: above the plot, on a phone,
        # the toolbar (modebar) covered it.
        legend=BOTTOM_LEGEND,
    )


def country_figure(by_country: pd.DataFrame, currency: str | None = None) -> go.Figure:
    """Horizontal bars of revenue for the given countries, biggest on top.

    ``by_country``: country, revenue, orders, customers (analytics.trends.sales_by_country).
    """
    if by_country.empty:
        return empty_figure("No sales in this selection")
    ordered = by_country.iloc[::-1]  # Plotly draws the first bar at the bottom
    fig = go.Figure(
        go.Bar(
            x=ordered["revenue"],
            y=ordered["country"],
            orientation="h",
            marker_color=REVENUE_COLOUR,
            # In words: "1 order, 1 customer" (a template would say "1 orders").
            customdata=[
                f"{counted(int(o), 'order')}, {counted(int(c), 'customer')}"
                for o, c in zip(ordered["orders"].tolist(), ordered["customers"].tolist(), strict=True)
            ],
            hovertemplate="%{y}: " + hover_money("%{x:,.2f}", currency) + "<br>%{customdata}<extra></extra>",
        )
    )
    return _layout(
        fig, xaxis={"title": with_unit("Revenue", currency)}, yaxis={"type": "category", "title": None}
    )


def frequency_figure(frequency: pd.DataFrame) -> go.Figure:
    """Customers per number of purchases (invoices), in the buckets of the trends query.

    ``frequency``: bucket ("1", ..., "51+"), customers (analytics.trends.purchase_frequency).
    """
    if frequency.empty or not frequency["customers"].any():
        return empty_figure("No customers in this selection")
    fig = go.Figure(
        go.Bar(
            x=frequency["bucket"],
            y=frequency["customers"],
            marker_color=REVENUE_COLOUR,
            # "1 purchase: 14,345 customers" (a template would say "1 purchases").
            customdata=[
                f"{bucket} purchase{'' if bucket == '1' else 's'}: {counted(int(n), 'customer')}"
                for bucket, n in zip(frequency["bucket"], frequency["customers"], strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    return _layout(
        fig,
        xaxis={"type": "category", "title": "Purchases (invoices) per customer"},
        yaxis={"title": "Customers", "rangemode": "tozero", **count_ticks(frequency["customers"].max())},
    )
