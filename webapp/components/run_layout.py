"""Layout of the Runs page: history grid, new-run form, comparison, sizes over time."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.segmentation import MAX_K, PRESETS
from webapp.components.fields import labelled
from webapp.components.figures import graph
from webapp.components.grids import column, data_grid, number_column
from webapp.components.trend_figures import loading_figure  # built once, a plain dict

WRAPPED = {"lineHeight": "1.4", "paddingTop": "10px", "paddingBottom": "10px"}

HISTORY_COLUMNS = [
    number_column("id", "Run", maxWidth=90, ident=True),
    # Wide enough for a backfill's "month end 2011-11" (they differ only in the month); a longer
    # name wraps, and shows whole on hover.
    column(
        "name", "Name", minWidth=160, tooltipField="name", wrapText=True, autoHeight=True, cellStyle=WRAPPED
    ),
    column("created_at", "Created (UTC)", tooltipField="created_at", minWidth=165),
    column("as_of", "As of", minWidth=115),
    column("preset", "Preset", minWidth=115, maxWidth=130),
    number_column("k", "k", maxWidth=80),
    # Wide enough for their headers at 1280 px (the flexible Error column takes the rest).
    number_column("n_customers", "Customers", minWidth=125),
    number_column("silhouette", "Silhouette", minWidth=125),
    column("status", "Status", maxWidth=110),
    # Long errors wrap (the row grows) and show whole on hover: truncated they said nothing.
    # 120 px (not more): with the Name column's 160 the minimums still fit the grid at 1280 px.
    column(
        "error",
        "Error",
        flex=2,
        minWidth=120,
        tooltipField="error",
        wrapText=True,
        autoHeight=True,
        cellStyle=WRAPPED,
    ),
]



def delta_columns(run_a: int | None = None, run_b: int | None = None) -> list[dict]:
    """The sizes table's columns, titled with the compared runs' numbers ("Run 3", "Run 9")."""
    return [
        column("label", "Segment"),
        number_column("size_a", f"Run {run_a}" if run_a else "Run A"),
        number_column("size_b", f"Run {run_b}" if run_b else "Run B"),
        number_column("change", "Change"),
    ]


DELTA_COLUMNS = delta_columns()


def _card(title: str, *children, **kwargs) -> dbc.Card:
    body = [html.H5(title, className="card-title"), *children]
    return dbc.Card(dbc.CardBody(body), className="mb-4 shadow-sm", **kwargs)


def new_run_card() -> dbc.Card:
    k_options = [{"label": "auto (elbow)", "value": "auto"}] + [
        {"label": str(k), "value": k} for k in range(2, MAX_K + 1)
    ]
    preset = html.Div(
        [
            dbc.Label("Preset", id="runs-preset-label", className="small mb-1"),
            dbc.RadioItems(id="runs-preset", options=list(PRESETS), value="default", inline=True),
        ],
        role="radiogroup",
        **{"aria-labelledby": "runs-preset-label"},
    )
    form = dbc.Row(
        [
            dbc.Col(preset, md=3),
            labelled("k", dcc.Dropdown(id="runs-k", options=k_options, value="auto", clearable=False), md=2),
            labelled("As of (empty: all data)", dbc.Input(id="runs-as-of", type="date", size="sm"), md=3),
            labelled(
                "Name",
                dbc.Input(id="runs-name", type="text", maxLength=128, size="sm", placeholder="optional"),
                md=2,
            ),
            dbc.Col(dbc.Button("Start run", id="runs-start", color="primary", className="w-100"), md=2),
        ],
        className="g-2 align-items-end",
    )
    progress = dbc.Progress(
        id="runs-progress",
        value=100,
        striped=True,
        animated=True,
        className="mt-3",
        style={"visibility": "hidden"},
    )
    return _card("Start a new run", form, progress, html.Div(id="runs-start-result", className="mt-3"))


def compare_card() -> dbc.Card:
    pickers = dbc.Row(
        [
            labelled("Run A", dcc.Dropdown(id="runs-a", placeholder="Choose Run A"), md=4),
            labelled("Run B", dcc.Dropdown(id="runs-b", placeholder="Choose Run B"), md=4),
            dbc.Col(html.Div(id="runs-compare-summary"), md=4),
        ],
        className="g-2 mb-3 align-items-end",
    )
    charts = dbc.Row(
        [
            dbc.Col(graph("runs-heatmap", loading_figure()), lg=6),
            dbc.Col(graph("runs-sankey", loading_figure()), lg=6),
        ]
    )
    return _card(
        "Compare two runs",
        pickers,
        html.Div(id="runs-compare-message"),
        charts,
        html.H6("Segment sizes", className="mt-3"),
        data_grid("runs-deltas-grid", DELTA_COLUMNS, height=330),
    )


def runs_layout(init: dict) -> html.Div:
    return html.Div(
        [
            html.H2("Runs", className="mb-3"),
            dcc.Store(id="runs-refresh", data=0),
            dcc.Store(id="runs-init", data=init),
            dcc.Store(id="runs-query"),
            html.Div(id="runs-url-sync", hidden=True),
            _card("History", data_grid("runs-history-grid", HISTORY_COLUMNS, height=320)),
            new_run_card(),
            compare_card(),
            _card(
                "Segment sizes over time",
                dbc.Row(
                    dbc.Col(
                        [
                            dbc.Label("Runs made with", className="small mb-1", html_for="runs-series"),
                            dcc.Dropdown(id="runs-series", clearable=False),
                        ],
                        lg=8,
                    ),
                    className="mb-2",
                ),
                html.P(id="runs-sizes-caption", className="small text-body-secondary"),
                graph("runs-sizes", loading_figure()),
            ),
        ]
    )
