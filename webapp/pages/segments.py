"""Segments: one run's segments as cards, its RFM scatter, k sweep and R x F score grid."""

from __future__ import annotations

from functools import cache

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, dcc, html, no_update

from webapp.cache import cached
from webapp.components.figures import empty_figure, graph
from webapp.components.segment_figures import k_sweep_figure, rfm_scatter, score_grid_figure
from webapp.components.segment_views import segment_cards
from webapp.components.trend_figures import loading_figure
from webapp.segments_data import parse_run_id, run_choices, run_view

dash.register_page(
    __name__, path="/segments", name="Segments", title="Segments - Customer segments", order=10
)


def layout(run: str | None = None, **_query: str) -> html.Div:
    """No database work here: ``?run=N`` preselects a run; without it the newest finished one.

    The requested id waits in a store: the dropdown drops any value missing from its options,
    and its options only arrive with the first callback.
    """
    return html.Div(
        [
            html.H2("Segments", className="mb-3"),
            dbc.Row(
                dbc.Col(
                    dcc.Dropdown(id="segments-run", placeholder="Choose a run", clearable=False),
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
            dcc.Store(id="segments-requested", data=parse_run_id(run)),
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
    requested = parse_run_id(requested)
    if requested is not None:
        found = any(o["value"] == requested for o in options)
        return options, requested if found else None, None
    if not options:
        return options, no_update, NO_RUNS
    return options, options[0]["value"], None


def caption(n_points: int, shown: int, left_out: int) -> str:
    text = f"{shown:,} of {n_points:,} customers"
    if shown < n_points:
        text += " (a random sample with a fixed seed, for speed)"
    if left_out:
        text += f"; {left_out:,} with zero or negative spend cannot be drawn on a log axis"
    return text + ". Log axes; recency 0 is drawn at 1 day."


@cache
def no_run_figure() -> dict:
    return empty_figure("No run selected").to_plotly_json()


def render_run(run_id: int | None) -> tuple:
    """message, cards, scatter, caption, score grid, k sweep for one run id (or none)."""
    blank = no_run_figure()
    if run_id is None:
        return None, None, blank, "", blank, blank
    view = run_view(run_id)
    if view["status"] != "finished":
        text = (
            f"Run {run_id} does not exist (it may have been deleted). Choose another run above."
            if view["status"] == "missing"
            else f"Run {run_id} is {view['status']}" + (f": {view['error']}" if view.get("error") else ".")
        )
        return dbc.Alert(text, color="warning", id="segments-missing"), None, blank, "", blank, blank
    # The figures of a run never change: build them once (a few thousand points) and reuse them.
    return cached("segments:render", {"run": run_id}, lambda: _render(view), version=view["version"])


def _figures(view: dict) -> tuple:
    points, segments = view["points"], view["segments"]
    labels = [s["label"] for s in segments]
    left_out = int((points["monetary"] <= 0).sum())
    return (
        None,
        segment_cards(segments),
        rfm_scatter(points, labels),
        caption(view["n_points"], len(points) - left_out, left_out),
        score_grid_figure(view["grid"]),
        k_sweep_figure(view["k_sweep"], view["run"]["k"]),
    )


def _render(view: dict) -> tuple:
    """As plain dicts: a pickled go.Figure is re-validated on every load (~100 ms here)."""
    message, cards, scatter, text, grid, sweep = _figures(view)
    return message, cards, scatter.to_plotly_json(), text, grid.to_plotly_json(), sweep.to_plotly_json()


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
    return render_run(parse_run_id(value) or parse_run_id(requested))


clientside_callback(
    "function(run) { return run ? window.segmentsSyncQuery({run: run}) : window.dash_clientside.no_update; }",
    Output("segments-query", "data"),
    Input("segments-run", "value"),
    prevent_initial_call=True,
)
