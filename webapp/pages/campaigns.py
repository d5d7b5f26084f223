"""Campaigns page: pick a run, segments and filters (or who moved), see and export the list."""

from __future__ import annotations

from dataclasses import asdict

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from sqlalchemy.orm import Session

from webapp.browser_values import as_shown, as_text, as_texts
from webapp.campaign_data import (
    NO_RUNS,
    assignments,
    build_list,
    earlier_ids,
    export_csv,
    finished_runs,
    not_earlier,
    run_labels,
    run_option,
    shown_ids,
)
from webapp.campaign_inputs import (
    CampaignQuery,
    bad_numbers,
    campaign_query,
    export_file_name,
    filter_problems,
    shared_query,
    url_values,
)
from webapp.components.campaign_form import campaign_form, campaign_list_card
from webapp.components.campaign_views import (
    SHOWN_SUMMARY_FOR_RUN_JS,
    country_options,
    country_values,
    grid_rows,
    label_options,
    problems_notice,
    segment_options,
    segment_values,
    with_code,
    with_unknown,
)
from webapp.components.url_sync import sync_url
from webapp.money import unit_prefix
from webapp.run_choice import earlier_runs
from webapp.runtime import app_engine, current_settings
from webapp.segments_view import stale_run_note

dash.register_page(
    __name__, path="/campaigns", name="Campaigns", title="Campaigns - Customer segments", order=30
)

FILTERS = [  # in the order of CampaignQuery's fields
    Input("campaigns-run", "value"),
    Input("campaigns-segments", "value"),
    Input("campaigns-countries", "value"),
    Input("campaigns-min-spend", "value"),
    Input("campaigns-recency-min", "value"),
    Input("campaigns-recency-max", "value"),
    Input("campaigns-since", "value"),
    Input("campaigns-moved-from", "value"),
    Input("campaigns-moved-to", "value"),
]


def _initial(init: object) -> CampaignQuery:
    """The selection the page was opened with (a dict the browser sends back: checked again)."""
    fields = CampaignQuery.__dataclass_fields__
    return (
        campaign_query(**{k: v for k, v in init.items() if k in fields})
        if isinstance(init, dict)
        else CampaignQuery()
    )


def _bad(init: object, key: str) -> str | None:
    """A URL's number field that could not be used (``bad_numbers``), as given (checked again)."""
    bad = init.get("bad") if isinstance(init, dict) else None
    return as_text(bad.get(key)) if isinstance(bad, dict) else None


def _marked(value: object, label: str) -> dict:
    # A Dash 4 dropdown drops a value missing from its options: the run asked for stays chosen
    # (and the list refuses it) rather than a default it is not showing.
    return {"label": label, "value": value, "disabled": True}


def layout(**query: object) -> html.Div:
    values = url_values(query)
    q, bad = campaign_query(**values), bad_numbers(**values)
    currency = current_settings().currency
    return html.Div(
        [
            html.H2("Campaigns", className="mb-3"),
            dcc.Store(id="campaigns-init", data=asdict(q) | {"bad": bad}),
            dcc.Store(id="campaigns-unit", data=unit_prefix(currency)),  # for the shown rows' total
            dcc.Store(id="campaigns-query"),
            dcc.Store(id="campaigns-shown"),  # customer ids the grid shows, in its order
            html.Div(id="campaigns-url-sync", hidden=True),
            html.Div(id="campaigns-notice"),
            campaign_form(q, currency, bad),
            campaign_list_card(currency),
        ]
    )


@callback(
    Output("campaigns-notice", "children", allow_duplicate=True),
    Input("campaigns-run", "value"),
    State("campaigns-run", "options"),
    prevent_initial_call=True,
)
def clear_run_notice(run, options):
    """A link's unknown run is named until a run of the list is picked (as on Segments); the
    notice of ``load_runs`` is otherwise left alone."""
    run_id = campaign_query(run=run).run
    options = options if isinstance(options, list) else []  # sent back by the browser
    offered = any(isinstance(o, dict) and o.get("value") == run_id and not o.get("disabled") for o in options)
    return None if run_id is not None and offered else no_update


def _unknown_run(text: str) -> html.Div:
    return html.Div(text, className="alert alert-warning", id="campaigns-unknown-run")


@callback(
    Output("campaigns-run", "options"),
    Output("campaigns-run", "value"),
    Output("campaigns-notice", "children"),
    Input("campaigns-init", "data"),
)
def load_runs(init):
    q, bad_run = _initial(init), _bad(init, "run")
    with Session(app_engine()) as session:
        runs = finished_runs(session=session)
    options = [run_option(r) for r in runs]
    ids = {r["id"] for r in runs}
    if not runs:
        return options, None, html.Div(with_code(NO_RUNS), className="alert alert-info")
    if q.run is None and bad_run is not None:  # ?run=abc: named, not replaced by the latest run
        notice = _unknown_run(f"'{bad_run}' is not a run number; choose a run.")
        return [*options, _marked(bad_run, f"{bad_run} (not a run)")], bad_run, notice
    if q.run is not None and q.run not in ids:
        notice = _unknown_run(f"Run {q.run} does not exist or has not finished; choose another run.")
        return [*options, _marked(q.run, f"#{q.run} (not found)")], q.run, notice
    return options, q.run or runs[0]["id"], None


@callback(
    Output("campaigns-since", "options"),
    Output("campaigns-since", "value"),
    Input("campaigns-run", "value"),
    State("campaigns-since", "value"),
    State("campaigns-init", "data"),
    State("campaigns-since", "options"),
)
def load_since(run, current, init, loaded):
    """The runs "moved since" can start from: those before the chosen one (``earlier_runs``),
    not itself or a later one. A URL's other value stays chosen, marked, and the list refuses it."""
    runs = _runs()
    run_id = campaign_query(run=run).run
    choices = [run_option(r) for r in (runs if run_id is None else earlier_runs(runs, run_id))]
    # First load (no options yet): the URL's; then the browser's, checked like any input.
    wanted = current if loaded else (_initial(init).since or _bad(init, "since"))
    wanted = campaign_query(since=wanted).since or as_shown(wanted)
    if wanted is None or wanted in {o["value"] for o in choices}:
        return choices, wanted
    if not isinstance(wanted, int):
        return [*choices, _marked(wanted, f"{wanted} (not a run)")], wanted
    known = {r["id"]: run_option(r)["label"] for r in runs}
    if wanted not in known:
        return [*choices, _marked(wanted, f"#{wanted} (not found)")], wanted
    return [*choices, _marked(wanted, f"{known[wanted]} (not earlier than this run)")], wanted


@callback(
    Output("campaigns-segments", "options"),
    Output("campaigns-segments", "value"),
    Output("campaigns-countries", "options"),
    Output("campaigns-countries", "value"),
    Output("campaigns-moved-to", "options"),
    Output("campaigns-moved-to", "value"),
    Input("campaigns-run", "value"),
    State("campaigns-init", "data"),
    State("campaigns-segments", "value"),
    State("campaigns-countries", "value"),
    State("campaigns-moved-to", "value"),
    State("campaigns-segments", "options"),
)
def load_choices(run, init, segments, countries, moved_to, loaded):
    q = _initial(init)
    run_id = campaign_query(run=run).run
    if run_id is None or run_id not in {r["id"] for r in _runs()}:
        if loaded:  # Run cleared (or a marked one): the filters stay, in the address too
            return (no_update,) * 6
        # A link's run that is none (?run=abc): its filters stay chosen, as given, till a run is picked.
        segments, countries = list(q.segments), list(q.countries)
        moved_to = [q.moved_to] if q.moved_to else []
        return _as_given(segments), segments, _as_given(countries), countries, _as_given(moved_to), q.moved_to
    labels = run_labels(engine=app_engine(), run_id=run_id)
    frame = assignments(app_engine(), run_id)
    seg_opts = segment_options(labels, frame["rfm_segment"].value_counts().to_dict())
    countries_opts = country_options(frame)
    to_opts = label_options(labels)
    if loaded:  # the browser's current choices, checked like any other input
        segments, countries, moved_to = list(as_texts(segments)), list(as_texts(countries)), as_text(moved_to)
        # Another run picked: the segments it does not have go (the countries stay, named if unknown).
        offered = {o["value"] for o in seg_opts}
        segments = [s for s in segment_values(segments, labels) if s in offered]
    else:  # first load: the choices come from the URL
        segments, countries, moved_to = list(q.segments), list(q.countries), q.moved_to
    segments = segment_values(segments, labels)  # a link's "At risk" is the option "cluster:At risk"
    countries = country_values(countries, countries_opts)  # and its "france" is "France"
    # Unknown segments and countries stay chosen (marked) so the list refuses them visibly.
    return (
        with_unknown(segments, seg_opts),
        segments,
        with_unknown(countries, countries_opts),
        countries,
        with_unknown([moved_to] if moved_to else [], to_opts),  # a link's "y" is named, not dropped
        moved_to,
    )


def _as_given(values: list[str]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} for v in values]


def _finished_ids(session: Session) -> set[int]:
    return {r["id"] for r in finished_runs(session=session)}


def _runs() -> list[dict]:
    with Session(app_engine()) as session:
        return finished_runs(session=session)


@callback(
    Output("campaigns-moved-from", "options"),
    Output("campaigns-moved-from", "value"),
    Input("campaigns-since", "value"),
    State("campaigns-moved-from", "value"),
    State("campaigns-init", "data"),
    State("campaigns-moved-from", "options"),
)
def load_moved_from(since, current, init, loaded=None):
    """The since-run's labels. The label asked for (the URL's at first, then the browser's) stays
    chosen, marked "(unknown)" when that run lacks it or is unknown or not chosen: dropped, the
    list would be everybody (``?moved_from=Loyal`` alone) or "choose From" as if none was given."""
    wanted = as_text(current) if loaded else _initial(init).moved_from
    since_id = campaign_query(since=since).since
    known = since_id is not None and since_id in {r["id"] for r in _runs()}
    options = label_options(run_labels(engine=app_engine(), run_id=since_id) if known else [])
    return with_unknown([wanted] if wanted else [], options), wanted


CHOOSE_RUN = html.Div(
    "Choose a run to see its target list.", className="alert alert-info", id="campaigns-choose-run"
)


def _query(*values: object) -> CampaignQuery:
    """The FILTERS' values, in order, checked."""
    return campaign_query(**dict(zip(CampaignQuery.__dataclass_fields__, values, strict=True)))


def _problems(*values: object) -> list[str]:
    return filter_problems(**dict(zip(CampaignQuery.__dataclass_fields__, values, strict=True)))


def _shared(*values: object) -> str:
    return shared_query(**dict(zip(CampaignQuery.__dataclass_fields__, values, strict=True)))


@callback(
    Output("campaigns-grid", "rowData"),
    Output("campaigns-message", "children"),
    Output("campaigns-query", "data"),
    Output("campaigns-export", "disabled"),
    *FILTERS,
    State("campaigns-run", "options"),
)
def show_list(*values):
    *values, run_options = values
    q = _query(*values)
    problems = _problems(*values)
    if problems and q.since is not None and q.run is not None:  # ?run=3&since=9 alone: say so too
        with Session(app_engine()) as session:
            if q.since not in earlier_ids(session, q.run) and _finished_ids(session) >= {q.run, q.since}:
                problems = [not_earlier(q.since, q.run).removesuffix("."), *problems]
    if problems:  # nobody rather than a list broader than the filters on screen
        # The URL keeps what is on screen, bad values as typed: a shared link shows the same
        # refusal (not the last good list). Before the runs load it still holds the link's run.
        loading = values[0] is None and not run_options
        return [], problems_notice(problems), no_update if loading else _shared(*values), True
    if q.run is None:
        if not run_options:  # runs not loaded yet (or none: the page says so): URL left as it is
            return [], None, no_update, True
        # Run box cleared: say so, and take the old run out of the URL (a reload would bring it back).
        return [], CHOOSE_RUN, q.query_string(), True
    listing = build_list(engine=app_engine(), query=q)
    message = listing.message and html.Div(with_code(listing.message), className="alert alert-warning")
    if listing.run_id is not None and (note := stale_run_note(listing.run_id, "campaigns")):
        message = [message, *(note if isinstance(note, list) else [note])] if message else note
    return grid_rows(listing.frame), message, q.query_string(), bool(listing.message)


clientside_callback(
    SHOWN_SUMMARY_FOR_RUN_JS,
    Output("campaigns-count", "children"),
    Output("campaigns-shown", "data"),
    Input("campaigns-grid", "virtualRowData"),
    Input("campaigns-run", "value"),
    State("campaigns-unit", "data"),
)


@callback(
    Output("campaigns-download", "data"),
    Output("campaigns-export-note", "children"),
    Input("campaigns-export", "n_clicks"),
    *[State(i.component_id, i.component_property) for i in FILTERS],
    State("campaigns-shown", "data"),
    prevent_initial_call=True,
)
def export_shown(n_clicks, *values):
    *filters, shown = values
    if not n_clicks:
        return no_update, no_update
    q = _query(*filters)
    problems = _problems(*filters)
    listing = build_list(engine=app_engine(), query=q) if q.run is not None and not problems else None
    reason = "; ".join(problems) or (listing.message if listing else "choose a run")
    if listing is None or listing.message:
        return no_update, f"Nothing exported: {reason.rstrip('.')}."
    # The CSV holds the rows the grid shows (after its own sorting and filtering), read again
    # from the database: the browser only says which customers, never what they contain.
    text = export_csv(listing, shown_ids(shown))
    return dcc.send_string(text, export_file_name(q, listing.run_id), type="text/csv"), None


sync_url("campaigns-query", "campaigns-url-sync")
