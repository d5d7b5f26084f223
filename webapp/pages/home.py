"""Overview: KPIs, sales by month, top countries, purchases per customer, with shareable filters."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from sqlalchemy.orm import Session

from webapp.browser_values import single
from webapp.components.figures import empty_figure, graph
from webapp.components.overview_views import customer_note, kpi_cards
from webapp.components.trend_figures import loading_figure
from webapp.overview_data import (
    OverviewFilters,
    bad_days,
    country_options,
    country_problem,
    date_bounds,
    date_problem,
    has_data,
    overview_piece,
    overview_view,
    parse_filters,
    whole_period_href,
)
from webapp.run_choice import any_finished_run
from webapp.runtime import app_engine, current_settings
from webapp.wording import in_the_chosen

dash.register_page(__name__, path="/", name="Overview", title="Overview - Customer segments", order=0)

FILTERS = [
    Input("overview-dates", "start_date"),
    Input("overview-dates", "end_date"),
    Input("overview-country", "value"),
    # The URL's dates that are no day: named until the user changes a filter (sync below).
    Input("overview-bad-dates", "data"),
]


def layout(
    start: str | None = None, end: str | None = None, country: str | list[str] | None = None, **_query: str
):
    """No database work here: the filters come from the query string, data from the callbacks.
    ``?country=France&country=Germany`` (Dash passes a repeated key as a list) picks both; a
    date given twice is its last value."""
    start, end = single(start), single(end)
    filters = parse_filters(start, end, country)
    params = filters.params()
    selected = [{"label": name, "value": name} for name in filters.countries]
    controls = dbc.Row(
        [
            dbc.Col(
                dcc.DatePickerRange(
                    id="overview-dates",
                    start_date=params["start"],
                    end_date=params["end"],
                    display_format="YYYY-MM-DD",
                    clearable=True,
                    start_date_placeholder_text="First day",
                    end_date_placeholder_text="Last day",
                ),
                md="auto",
            ),
            dbc.Col(
                [
                    # Not shown: the placeholder ("All countries") or the chosen names say it.
                    dbc.Label("Countries", html_for="overview-country", className="visually-hidden"),
                    dcc.Dropdown(
                        id="overview-country",
                        options=selected,
                        value=list(filters.countries),
                        multi=True,
                        placeholder="All countries",
                    ),
                ],
                md=3,
            ),
        ],
        className="mb-3 g-2 align-items-center",
    )
    charts = html.Div(
        [
            dcc.Loading(html.Div(id="overview-kpis"), type="dot"),
            dbc.Row(
                [
                    dbc.Col(
                        _card("Sales by month", graph("overview-by-month", loading_figure())),
                        lg=7,
                        className="mb-3",
                    ),
                    dbc.Col(
                        _card("Top 10 countries", graph("overview-by-country", loading_figure())),
                        lg=5,
                        className="mb-3",
                    ),
                ]
            ),
            _card("Purchases per customer", graph("overview-frequency", loading_figure())),
        ],
        id="overview-body",
    )
    return html.Div(
        [
            html.H2("Overview", className="mb-3"),
            controls,
            html.Div(id="overview-empty"),
            charts,
            dcc.Store(id="overview-query"),
            dcc.Store(id="overview-bad-dates", data=bad_days(start, end)),
        ]
    )


def next_steps(*, data: bool, run: bool) -> dbc.Alert | None:
    """What to do next, depending on what the database holds (None: nothing to suggest)."""
    if not data:
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
    if run:
        return None
    return dbc.Alert(
        [
            "Data is loaded. Next: segment the customers on the ",
            dcc.Link("Runs page", href="/runs"),
            " (or with ",
            html.Code("segments run"),
            "), then pick target lists on the ",
            dcc.Link("Campaigns page", href="/campaigns"),
            ".",
        ],
        color="secondary",
        id="home-next",
    )


def _card(title: str, body) -> dbc.Card:  # noqa: ANN001 - any component
    return dbc.Card(dbc.CardBody([html.H5(title, className="card-title"), body]), className="shadow-sm")


@callback(
    Output("overview-country", "options"),
    Output("overview-empty", "children"),
    Output("overview-body", "style"),
    Output("overview-dates", "min_date_allowed"),
    Output("overview-dates", "max_date_allowed"),
    Output("overview-dates", "initial_visible_month"),
    Input("overview-country", "id"),
    State("overview-country", "value"),
)
def show_choices(_trigger: str, selected):
    """Countries and days to choose from, or what to do next when nothing is loaded."""
    by_country, version = overview_piece("by_country", OverviewFilters())
    if not has_data(version):
        return [], next_steps(data=False, run=False), {"display": "none"}, None, None, None
    first, last = date_bounds(overview_piece("by_month", OverviewFilters())[0])
    options = country_options(by_country, parse_filters(None, None, selected).countries)
    with Session(app_engine()) as s:
        hint = next_steps(data=True, run=any_finished_run(session=s))
    return options, hint, {}, first, last, last


REVERSED_RANGE = "The start date is after the end date: choose a start on or before the end."


@callback(Output("overview-kpis", "children"), *FILTERS)
def show_kpis(start, end, country, bad_dates=None):
    filters = parse_filters(start, end, country)
    if date_problem(bad_dates):  # the pickers cannot show "garbage": no whole-period figures
        # Not "or clear them": with both dates bad the pickers are empty, and their clear
        # button does nothing; the link opens the page afresh without the link's dates.
        whole = dcc.Link("show the whole period", href=whole_period_href(filters), id="overview-whole-period")
        text = f"{date_problem(bad_dates)}: choose the dates again, or "
        return dbc.Alert([text, whole, "."], color="warning", id="overview-date-problem")
    if filters.reversed:  # no figures for a range other than the one on screen
        return dbc.Alert(REVERSED_RANGE, color="warning", id="overview-range-problem")
    problem = country_problem(filters)
    if problem:  # a shared link may name one: zeros would look like an answer
        return dbc.Alert(problem, color="warning", id="overview-country-problem")
    kpis, _version = overview_piece("kpis", filters)
    currency = current_settings().currency
    chosen = in_the_chosen(dates=bool(filters.start or filters.end), countries=bool(filters.countries))
    return html.Div([kpi_cards(kpis, currency), customer_note(kpis, currency, chosen)])


def _figure(piece: str, start, end, country, bad_dates):  # noqa: ANN001, ANN202 - browser values
    filters = parse_filters(start, end, country)
    if date_problem(bad_dates):  # named above the charts
        return empty_figure("Not a date in the link").to_plotly_json()
    if filters.reversed:
        return empty_figure("The start date is after the end date").to_plotly_json()
    if country_problem(filters):  # named above the charts
        return empty_figure("Unknown country in the selection").to_plotly_json()
    return overview_view(piece, filters)


@callback(Output("overview-by-month", "figure"), *FILTERS)
def show_by_month(start, end, country, bad_dates=None):
    return _figure("by_month", start, end, country, bad_dates)


@callback(Output("overview-by-country", "figure"), *FILTERS)
def show_by_country(start, end, country, bad_dates=None):
    return _figure("by_country", start, end, country, bad_dates)


@callback(Output("overview-frequency", "figure"), *FILTERS)
def show_frequency(start, end, country, bad_dates=None):
    return _figure("frequency", start, end, country, bad_dates)


# The selection goes into the address bar without a page reload (history.replaceState), so the
# URL can be shared; Dash's own router is not told, so the page is not rebuilt on every change.
# The link's bad dates go with the first change: the address then holds the pickers' dates.
clientside_callback(
    "function(start, end, country) {"
    " return [window.segmentsSyncQuery({start: start, end: end, country: country}), null]; }",
    Output("overview-query", "data"),
    Output("overview-bad-dates", "data"),
    Input("overview-dates", "start_date"),
    Input("overview-dates", "end_date"),
    Input("overview-country", "value"),
    prevent_initial_call=True,
)
