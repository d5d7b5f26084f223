"""Overview (placeholder until the trends page lands): what is loaded and what to do next."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from sqlalchemy.orm import Session

from db.queries_batches import store_counts
from webapp.runtime import app_engine

dash.register_page(__name__, path="/", name="Overview", title="Overview - Customer segments", order=0)


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H2("Overview", className="mb-3"),
            dcc.Loading(html.Div(id="home-summary"), type="dot"),
        ]
    )


def _kpi(label: str, value: int, kpi_id: str) -> dbc.Col:
    body = dbc.CardBody(
        [html.Div(label, className="kpi-label"), html.Div(f"{value:,}", className="kpi-value", id=kpi_id)]
    )
    return dbc.Col(dbc.Card(body, className="kpi-card shadow-sm"), md=4, className="mb-3")


def next_steps(counts: dict[str, int]) -> dbc.Alert:
    """What to do next, depending on what the database holds."""
    if counts["batches"] == 0:
        return dbc.Alert(
            [
                html.H5("The database is empty", className="alert-heading"),
                html.P(
                    [
                        "Load a transactions file (UCI Online Retail layout: CSV, CSV.gz or XLSX) on the ",
                        dcc.Link("Data page", href="/data"),
                        ", or from a terminal:",
                    ]
                ),
                html.Pre(
                    "segments ingest online_retail.csv.gz\nsegments demo   # sample data and runs",
                    className="mb-0",
                ),
            ],
            color="info",
            id="home-next",
        )
    return dbc.Alert(
        [
            "Data is loaded. Next: segment the customers with ",
            html.Code("segments run"),
            " (or on the Runs page), then pick target lists on the Campaigns page.",
        ],
        color="secondary",
        id="home-next",
    )


@callback(Output("home-summary", "children"), Input("home-summary", "id"))
def show_summary(_trigger: str) -> list:
    with Session(app_engine()) as s:
        counts = store_counts(session=s)
    cards = dbc.Row(
        [
            _kpi("Import batches", counts["batches"], "home-batches"),
            _kpi("Transaction lines", counts["transactions"], "home-transactions"),
            _kpi("Customers", counts["customers"], "home-customers"),
        ]
    )
    return [cards, next_steps(counts)]
