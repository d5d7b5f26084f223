"""Runs page: history, starting a new run (background job), comparing two runs, sizes over time."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update
from sqlalchemy.orm import Session

from analytics.as_of import as_of_bounds
from analytics.run_series import finished_series
from analytics.segment_history import segment_sizes
from db.session import for_one_snapshot
from webapp.browser_values import as_int, as_shown, single
from webapp.components.figures import empty_figure
from webapp.components.run_figures import migration_heatmap, migration_sankey, size_deltas, sizes_over_time
from webapp.components.run_layout import delta_columns, runs_layout
from webapp.components.url_sync import sync_url
from webapp.run_actions import (
    BadRunRequest,
    check_as_of,
    compare_runs,
    default_pair,
    history_rows,
    parse_new_run,
    preset_span,
    start_run,
)
from webapp.run_choice import finished_runs, run_option
from webapp.run_freshness import batch_changes, newer_batches_note
from webapp.runtime import app_engine
from webapp.size_series import pick_series, series_options, series_sizes, unknown_series_option

dash.register_page(__name__, path="/runs", name="Runs", title="Runs - Customer segments", order=40)

VISIBLE, HIDDEN = {"visibility": "visible"}, {"visibility": "hidden"}


def _from_url(value: object) -> int | str | None:
    """A run id, or the text given when it is none (``?b=abc``): named on screen, not ignored.
    A key given twice (``?a=1&a=2``) is its last value."""
    value = single(value)
    return as_int(value, minimum=1) or as_shown(value)


def layout(a: object = None, b: object = None, series: object = None, **_query: object) -> html.Div:
    return runs_layout({name: _from_url(v) for name, v in (("a", a), ("b", b), ("series", series))})


def _not_shown(wanted: list[object], ids: set[int]) -> list[str]:
    """Why each run asked for (a URL's, or the pickers') is not the one compared."""
    out = []
    for value in wanted:
        run_id = as_int(value, minimum=1)
        if run_id is None and as_shown(value) is not None:
            out.append(f"'{as_shown(value)}' is not a run number")
        elif run_id is not None and run_id not in ids:
            out.append(f"Run {run_id} does not exist or has not finished")
    return out


@callback(Output("runs-history-grid", "rowData"), Input("runs-refresh", "data"))
def show_history(_refresh):
    with Session(app_engine()) as session:
        return history_rows(session=session)


@callback(
    Output("runs-series", "options"),
    Output("runs-series", "value"),
    Input("runs-refresh", "data"),
    State("runs-series", "value"),
    State("runs-init", "data"),
)
def load_series(_refresh, current, init=None):
    """The series of runs made alike: the URL's (``?series=`` any run id of it) at first, then
    kept on refresh (its value moves to its newest run)."""
    with Session(app_engine()) as session:
        series = finished_series(session=session)
    init = init if isinstance(init, dict) else {}  # sent back by the browser: checked below
    given = as_int(current, minimum=1) or init.get("series")
    chosen = pick_series(series, as_int(given, minimum=1))
    options = series_options(series)
    marked = unknown_series_option(given, series)
    if chosen is not None and marked is not None:  # a link's ?series=abc: named, not replaced
        return [*options, marked], marked["value"]
    return options, chosen.run_ids[0] if chosen else None


@callback(
    Output("runs-sizes", "figure"),
    Output("runs-sizes-caption", "children"),
    Input("runs-refresh", "data"),
    Input("runs-series", "value"),
)
def show_sizes(_refresh, run_id):
    """Sizes over time of the series ``run_id`` belongs to (none: the longest series)."""
    with Session(for_one_snapshot(app_engine())) as session:  # a run finishing meanwhile: in both or neither
        series = finished_series(session=session)
        sizes = segment_sizes(session=session)
    sizes, caption = series_sizes(sizes, series, run_id)  # a marked "abc": named in the caption
    return sizes_over_time(sizes), caption


@callback(
    Output("runs-as-of", "min"),
    Output("runs-as-of", "max"),
    Input("runs-refresh", "data"),
    Input("runs-preset", "value"),
)
def limit_as_of(_refresh, preset):
    """The date picker offers only as-of dates inside the purchases the chosen preset keeps."""
    span = preset_span(app_engine(), preset)
    return tuple(day.isoformat() for day in as_of_bounds(span)) if span else (None, None)


@callback(
    Output("runs-a", "options"),
    Output("runs-a", "value"),
    Output("runs-b", "options"),
    Output("runs-b", "value"),
    Output("runs-compare-message", "children"),
    Input("runs-refresh", "data"),
    State("runs-init", "data"),
    State("runs-a", "value"),
    State("runs-b", "value"),
)
def load_pair(_refresh, init, current_a, current_b):
    """The pair to compare: the URL's (then the pickers'), the side not given filled in. A side
    the URL names but no finished run matches (``?a=abc``, ``?a=999``) stays chosen as a marked
    option, so it stays in the address and is named in place of the figures (not replaced)."""
    with Session(app_engine()) as session:
        runs = finished_runs(session=session)
    options = [run_option(r) for r in runs]
    ids = {r["id"] for r in runs}
    if not runs:
        return [], None, [], None, _note("No finished run yet: start one above.", "info")
    init = init if isinstance(init, dict) else {}  # sent back by the browser: checked below
    given = [current_a or init.get("a"), current_b or init.get("b")]
    wanted = [as_int(v, minimum=1) for v in given]
    pair = list(default_pair(runs, *(v if v in ids else None for v in wanted)))
    side_options = [options, options]
    for side, value in enumerate(given):
        marked = _unknown_run_option(value, ids)
        if marked is not None:
            pair[side], side_options[side] = marked["value"], [*options, marked]
    a, b = pair
    if len(runs) == 1 and not _not_shown(given, ids):  # not compared with itself (an index of 1.000)
        only = f"Only one finished run so far (#{runs[0]['id']}): start another run above to compare."
        return options, None, options, b, _note(only, "info", "runs-only-one")
    return side_options[0], a, side_options[1], b, None


def _unknown_run_option(value: object, ids: set[int]) -> dict | None:
    """The picker's marked (disabled) option for a URL's run that no finished run matches."""
    run_id = as_int(value, minimum=1)
    if run_id is None and as_shown(value) is not None:
        return {"label": f"{as_shown(value)} (not a run)", "value": as_shown(value), "disabled": True}
    if run_id is not None and run_id not in ids:
        return {"label": f"#{run_id} (no such finished run)", "value": run_id, "disabled": True}
    return None


def _note(text: str, color: str, id_: str | None = None) -> dbc.Alert:
    return dbc.Alert(text, color=color, **({"id": id_} if id_ else {}))


def _choose(a: object, b: object) -> str:
    """"Choose Run A." (B, or both) for the side(s) left empty."""
    empty = [name for name, value in (("Run A", a), ("Run B", b)) if as_shown(value) is None]
    return f"Choose {' and '.join(empty)}." if empty else "Pick two different finished runs."


@callback(
    Output("runs-heatmap", "figure"),
    Output("runs-sankey", "figure"),
    Output("runs-compare-summary", "children"),
    Output("runs-deltas-grid", "rowData"),
    Output("runs-deltas-grid", "columnDefs"),
    Input("runs-a", "value"),
    Input("runs-b", "value"),
)
def show_comparison(a, b):
    run_a, run_b = as_int(a, minimum=1), as_int(b, minimum=1)
    columns = delta_columns(run_a, run_b)
    if any(as_shown(v) is not None for v in (a, b)):
        with Session(app_engine()) as session:
            ids = {r["id"] for r in finished_runs(session=session)}
        unknown = _not_shown([a, b], ids)
        if unknown:  # a link's run that is none: named, no figures until a run is picked
            text = f"{'; '.join(unknown)}: choose another run above."
            blank = empty_figure(text)
            return blank, blank, _note(text, "warning", "runs-unknown-run"), [], columns
    if run_a is None or run_b is None or run_a == run_b:
        blank = empty_figure(_choose(a, b))
        return blank, blank, None, [], columns
    try:
        result = compare_runs(app_engine(), run_a, run_b)
    except LookupError as exc:
        blank = empty_figure(str(exc))
        return blank, blank, _note(str(exc), "warning"), [], columns
    ari = "-" if result["ari"] is None else f"{result['ari']:.3f}"
    summary = html.Div(
        [
            html.Div([html.Span("Adjusted Rand index "), html.Strong(ari, id="runs-ari")]),
            html.Div(
                f"{result['common']:,} customers in both; {result['only_a']:,} only in run {run_a}, "
                f"{result['only_b']:,} only in run {run_b}",
                className="small text-body-secondary",
            ),
            *_newer_batches_notes(run_a, run_b),
        ]
    )
    return (
        migration_heatmap(result["matrix"], run_a=run_a, run_b=run_b),
        migration_sankey(result["matrix"], run_a=run_a, run_b=run_b),
        summary,
        size_deltas(result, run_a=run_a, run_b=run_b),
        columns,
    )


def _newer_batches_notes(*run_ids: int) -> list[dbc.Alert]:
    """"Run 3: batch #5 (...) was imported after this run: ..." for a compared run missing data."""
    with Session(app_engine()) as session:
        changes = {run_id: batch_changes(session=session, run_id=run_id) for run_id in run_ids}
    texts = [(i, newer_batches_note(c.newer, c.as_of)) for i, c in changes.items()]
    return [
        dbc.Alert(f"Run {i}: {text}", color="warning", id=f"runs-newer-batches-{i}", className="mt-2 small")
        for i, text in texts
        if text
    ]


@callback(
    Output("runs-query", "data"),
    Input("runs-a", "value"),
    Input("runs-b", "value"),
    Input("runs-series", "value"),
    State("runs-series", "options"),
    prevent_initial_call=True,  # the URL's own values stand until the pickers are filled
)
def keep_query(a, b, series, series_options):
    """The address bar: the compared pair, and the sizes' series unless it is the default (the
    first option), so a shared link shows what the sender saw."""
    # Each side on its own: a cleared Run A leaves ?b=9 (a reload shows that B again); the same
    # run twice, and a link's run that is none (?a=abc, marked in the picker), are kept too, as
    # the page names them.
    parts = [(key, as_int(v, minimum=1) or as_shown(v)) for key, v in (("a", a), ("b", b))]
    parts = [(key, value) for key, value in parts if value is not None]
    first = series_options[0] if isinstance(series_options, list) and series_options else None
    default = first.get("value") if isinstance(first, dict) else None
    # A link's bad series (?series=abc, marked in the picker) stays, as the caption names it.
    series = as_int(series, minimum=1) or as_shown(series)
    if series is not None and series != default:
        parts.append(("series", series))
    return "?" + urlencode(parts) if parts else ""


@callback(
    Output("runs-start-result", "children"),
    Output("runs-refresh", "data"),
    Input("runs-start", "n_clicks"),
    State("runs-preset", "value"),
    State("runs-k", "value"),
    State("runs-as-of", "value"),
    State("runs-name", "value"),
    State("runs-refresh", "data"),
    background=True,
    running=[
        (Output("runs-start", "disabled"), True, False),
        (Output("runs-progress", "style"), VISIBLE, HIDDEN),
    ],
    progress=[Output("runs-progress", "label")],
    prevent_initial_call=True,
)
def start_new_run(set_progress, n_clicks, preset, k, as_of, name, refresh):
    """Runs in a child process, so other users' callbacks go on while it computes."""
    if not n_clicks:
        return no_update, no_update
    try:
        request = parse_new_run(preset, k, as_of, name)
        check_as_of(request.as_of, preset_span(app_engine(), request.preset))  # the picker's, again
    except BadRunRequest as exc:
        return _note(str(exc), "danger", "runs-start-error"), no_update
    set_progress(("segmenting customers...",))
    run_id, error = start_run(app_engine(), request)
    refreshed = (refresh if isinstance(refresh, int) else 0) + 1
    if run_id is None:
        return _note(f"Run not started: {error}", "danger", "runs-start-error"), no_update
    if error:
        return _note(f"Run {run_id} failed: {error}", "danger", "runs-start-error"), refreshed
    return _note(f"Run {run_id} finished.", "success", "runs-start-done"), refreshed


sync_url("runs-query", "runs-url-sync")
