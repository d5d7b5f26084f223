"""Segments: one run's segments as cards, its RFM scatter, k sweep and R x F score grid."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, dcc, html, no_update

from webapp.browser_values import as_shown, single
from webapp.components.figures import graph
from webapp.components.trend_figures import loading_figure
from webapp.segments_data import parse_run_id, run_choices
from webapp.segments_view import no_run_figure, render_run

dash.register_page(
    __name__, path="/segments", name="Segments", title="Segments - Customer segments", order=10
)


def layout(run: str | None = None, **_query: str) -> html.Div:
    """No database work here: ``?run=N`` preselects a run; without it the latest run (webapp.run_choice).

    The requested id waits in a store: the dropdown drops any value missing from its options,
    and its options only arrive with the first callback. ``?run=1&run=2`` is run 2 (the last).
    """
    run = single(run)
    return html.Div(
        [
            html.H2("Segments", className="mb-3"),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label("Run", html_for="segments-run", className="small mb-1"),
                        dcc.Dropdown(id="segments-run", placeholder="Choose a run", clearable=False),
                    ],
                    md=6,
                ),
                className="mb-3",
            ),
            html.Div(id="segments-none"),
            html.Div(id="segments-message"),
            dcc.Loading(html.Div(id="segments-cards"), type="dot"),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "Recency and spend by segment",
                            [
                                graph("segments-scatter", loading_figure()),
                                html.Div(id="segments-scatter-caption", className="small"),
                            ],
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                    dbc.Col(
                        _card("R x F score grid", [graph("segments-grid", loading_figure())]),
                        lg=5,
                        className="mb-3",
                    ),
                ]
            ),
            _card("Choosing k: elbow and silhouette", [graph("segments-k-sweep", loading_figure())]),
            # ?run=abc is kept as text, to be named: not replaced by the newest run.
            dcc.Store(id="segments-requested", data=parse_run_id(run) or as_shown(run)),
            dcc.Store(id="segments-query"),
        ]
    )


def _card(title: str, body: list) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H5(title, className="card-title"), *body]), className="shadow-sm")


NO_RUNS = dbc.Alert(
    ["No finished segmentation run yet: start one on the Runs page or with ", html.Code("segments run"), "."],
    color="info",
    id="segments-no-runs",
)


@callback(
    Output("segments-run", "options"),
    Output("segments-run", "value"),
    Output("segments-none", "children"),
    Input("segments-requested", "data"),
)
def show_runs(requested):
    """The finished runs; the one asked for in the URL, else the newest, is selected."""
    options = run_choices()
    if parse_run_id(requested) is None and as_shown(requested) is not None:
        return options, None, None  # not a run number: show_run names it
    requested = parse_run_id(requested)
    if requested is not None:
        found = any(o["value"] == requested for o in options)
        return options, requested if found else None, None
    if not options:
        return options, no_update, NO_RUNS
    return options, options[0]["value"], None


@callback(
    Output("segments-message", "children"),
    Output("segments-cards", "children"),
    Output("segments-scatter", "figure"),
    Output("segments-scatter-caption", "children"),
    Output("segments-grid", "figure"),
    Output("segments-k-sweep", "figure"),
    Input("segments-run", "value"),
    Input("segments-requested", "data"),
)
def show_run(value, requested):
    """The chosen run; a run asked for in the URL that is not in the list explains itself."""
    run_id = parse_run_id(value) or parse_run_id(requested)
    text = as_shown(requested)
    if run_id is None and text is not None:
        notice = dbc.Alert(
            f"'{text}' is not a run number; choose a run above.", color="warning", id="segments-missing"
        )
        blank = no_run_figure()
        return notice, None, blank, "", blank, blank
    return render_run(run_id)


clientside_callback(
    "function(run) { return run ? window.segmentsSyncQuery({run: run}) : window.dash_clientside.no_update; }",
    Output("segments-query", "data"),
    Input("segments-run", "value"),
    prevent_initial_call=True,
)
