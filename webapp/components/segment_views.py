"""Segment cards: one per segment of a run, in original units (pure helpers)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from webapp.components.label_colours import label_colours
from webapp.money import format_money


def _stat(label: str, value: str) -> html.Div:
    return html.Div([html.Span(label, className="text-body-secondary me-1"), html.Strong(value)])


def _rounded(value: float, noun: str) -> str:
    """"1 order", "2 orders" (a median of 1.5 is shown as 2: plural as shown)."""
    text = f"{value:,.0f}"
    return f"{text} {noun}{'' if text == '1' else 's'}"


def segment_card(segment: dict[str, Any], colour: str, currency: str | None = None) -> dbc.Card:
    body = dbc.CardBody(
        [
            html.H5(segment["label"], className="card-title mb-1"),
            html.Div(
                f"{segment['size']:,} customers · {segment['customer_share']:.1%} of customers · "
                f"{segment['revenue_share']:.1%} of revenue",
                className="small mb-2",
            ),
            _stat("Median recency:", _rounded(segment["median_recency"], "day")),
            _stat("Median frequency:", _rounded(segment["median_frequency"], "order")),
            _stat("Median spend:", format_money(segment["median_monetary"], currency)),
            html.P(segment["action"], className="small mt-2 mb-0 fst-italic"),
        ]
    )
    return dbc.Card(
        body,
        className="segment-card shadow-sm h-100",
        style={"borderLeft": f"6px solid {colour}"},
        id=f"segments-card-{int(segment['cluster'])}",
    )


def segment_cards(segments: list[dict[str, Any]], currency: str | None = None) -> dbc.Row:
    """Biggest segment first (cluster 0 is the largest); each label in its own colour, as on every page."""
    colours = label_colours([s["label"] for s in segments])
    return dbc.Row(
        [
            dbc.Col(segment_card(s, colours[s["label"]], currency), md=6, lg=4, xl=3, className="mb-3")
            for s in segments
        ]
    )
