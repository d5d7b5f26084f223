"""Layout of the Campaigns page: the selection form, the target list and its export button."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from webapp.campaign_inputs import CampaignQuery
from webapp.components.campaign_views import grid_columns
from webapp.components.fields import labelled
from webapp.components.grids import data_grid
from webapp.money import with_unit


def _number(id_: str, value, placeholder: str) -> dbc.Input:
    # Text, not type="number": a number input sends what it cannot read ("1e", "-", a link's
    # "abc" or "1,000") as blank and shows a link's "abc" as empty, so a filter would look
    # applied (or absent) while ignored. The server checks the text and names the field instead.
    return dbc.Input(
        id=id_, type="text", inputMode="decimal", value=value, placeholder=placeholder, size="sm"
    )


def _dropdown(id_: str, placeholder: str, multi: bool = False) -> dcc.Dropdown:
    return dcc.Dropdown(id=id_, options=[], value=[] if multi else None, multi=multi, placeholder=placeholder)


def campaign_form(
    q: CampaignQuery, currency: str | None = None, bad: dict[str, str] | None = None
) -> dbc.Card:
    """``bad``: number fields the URL gave a value that cannot be used, shown as given."""
    min_spend = with_unit("Minimum spend", currency)
    shown = {k: (bad or {}).get(k, getattr(q, k)) for k in ("min_spend", "recency_min", "recency_max")}
    spend, days_from, days_to = (
        _number(f"campaigns-{k.replace('_', '-')}", v, "any") for k, v in shown.items()
    )
    rows = [
        dbc.Row(
            [
                labelled("Run", _dropdown("campaigns-run", "Choose a run"), md=4),
                labelled("Segments", _dropdown("campaigns-segments", "All customers", multi=True), md=5),
                labelled("Countries", _dropdown("campaigns-countries", "All countries", multi=True), md=3),
            ],
            className="g-2 mb-2",
        ),
        dbc.Row(
            [
                labelled(min_spend, spend, md=2),
                labelled("Recency from (days)", days_from, md=2),
                labelled("Recency to (days)", days_to, md=2),
                labelled("Moved since run", _dropdown("campaigns-since", "Not used"), md=2),
                labelled("From label (that run)", _dropdown("campaigns-moved-from", "From"), md=2),
                labelled("To label (this run)", _dropdown("campaigns-moved-to", "To"), md=2),
            ],
            className="g-2",
        ),
    ]
    return dbc.Card(dbc.CardBody(rows), className="mb-3 shadow-sm")


def campaign_list_card(currency: str | None = None) -> dbc.Card:
    header = html.Div(
        [
            html.Span(id="campaigns-count", className="fw-semibold me-auto"),
            html.Span(id="campaigns-export-note", className="text-danger small me-2"),
            dbc.Button("Export CSV", id="campaigns-export", size="sm", color="primary", outline=True),
        ],
        className="d-flex align-items-center mb-2",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                header,
                html.Div(id="campaigns-message"),
                data_grid(
                    "campaigns-grid",
                    grid_columns(currency),
                    height=520,
                    getRowId="params.data.customer_id",
                    grid_options={"pagination": True, "paginationPageSize": 100},
                ),
                dcc.Download(id="campaigns-download"),
            ]
        ),
        className="mb-3 shadow-sm",
    )
