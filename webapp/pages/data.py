"""Data page: import batches, rejected rows with reasons, and uploading a new file."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from db.availability import describe, outage_cause
from db.queries_batches import list_batches, rejected_reason_counts, rejected_rows_page
from db.session import for_one_snapshot
from webapp.batch_removal_ui import register_callbacks, removal_controls
from webapp.browser_values import as_int
from webapp.components.data_views import (
    BATCH_COLUMNS,
    REJECTED_COLUMNS,
    batch_rows,
    reasons_badges,
    rejected_grid_rows,
    upload_not_loaded,
    upload_outcome,
)
from webapp.components.grids import data_grid
from webapp.db_unavailable import MESSAGES
from webapp.downloads import REJECTED_PATH
from webapp.runtime import app_engine, current_settings
from webapp.wording import counted

dash.register_page(__name__, path="/data", name="Data", title="Data - Customer segments", order=50)

PAGE_SIZE = 100
HIDDEN = "visually-hidden"  # a label a screen reader reads; the placeholder says it on screen
log = logging.getLogger(__name__)
register_callbacks()


def batch_from_query(value: object) -> int | None:
    """``?batch=N`` makes the rejected-rows view shareable; anything but a positive id is ignored."""
    return as_int(value, minimum=1) if isinstance(value, str) else None


def layout(batch: str | None = None, **_query: str) -> html.Div:
    max_mb = current_settings().upload_max_mb
    upload = dcc.Upload(
        id="data-upload",
        children=html.Div(
            [
                # Names the file input inside (assets/control_labels.js): the id is on a wrapper.
                html.Label(
                    html.Strong("Drop a file here or click to choose one"),
                    htmlFor="data-upload",
                    className="d-block",
                ),
                html.Div(
                    f"CSV, CSV.gz or XLSX in the UCI Online Retail layout; up to {max_mb} MB",
                    className="text-body-secondary small",
                ),
            ]
        ),
        className="upload-zone",
        multiple=False,
    )
    return html.Div(
        [
            html.H2("Data", className="mb-3"),
            dcc.Store(id="data-refresh", data=0),
            dcc.Store(id="data-upload-limit", data=max_mb),
            dcc.Store(id="data-upload-accepted"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H5("Upload a file", className="card-title"),
                        upload,
                        dbc.Progress(
                            id="data-upload-progress",
                            value=0,
                            striped=True,
                            animated=True,
                            className="mt-3",
                            style={"visibility": "hidden"},
                        ),
                        html.Div(id="data-upload-result", className="mt-3"),
                    ]
                ),
                className="mb-4 shadow-sm",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H5("Import batches", className="card-title"),
                        data_grid("data-batches-grid", BATCH_COLUMNS, height=280),
                        removal_controls(),
                    ]
                ),
                className="mb-4 shadow-sm",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H5("Rejected rows", className="card-title"),
                        dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Label("Batch", html_for="data-rejected-batch", className=HIDDEN),
                                        dcc.Dropdown(
                                            id="data-rejected-batch",
                                            placeholder="All batches",
                                            clearable=True,
                                            value=batch_from_query(batch),
                                        ),
                                    ],
                                    md=4,
                                ),
                                dbc.Col(html.Div(id="data-rejected-reasons"), md=6),
                                dbc.Col(
                                    html.A(
                                        "Download CSV",
                                        id="data-rejected-download",
                                        href=REJECTED_PATH,
                                        className=DOWNLOAD_CLASS,
                                    ),
                                    md=2,
                                    className="text-end",
                                ),
                            ],
                            className="mb-2 g-2 align-items-center",
                        ),
                        data_grid("data-rejected-grid", REJECTED_COLUMNS, height=420),
                        html.Div(
                            [
                                html.Span(
                                    id="data-rejected-count", className="me-3 text-body-secondary small"
                                ),
                                dbc.Pagination(
                                    id="data-rejected-pages",
                                    max_value=1,
                                    active_page=1,
                                    fully_expanded=False,
                                    first_last=True,
                                    previous_next=True,
                                    size="sm",
                                    className="mb-0",
                                ),
                            ],
                            className="d-flex align-items-center mt-2",
                        ),
                    ]
                ),
                className="mb-4 shadow-sm",
            ),
        ]
    )


@callback(
    Output("data-batches-grid", "rowData"),
    Output("data-rejected-batch", "options"),
    Output("data-remove-batch", "options"),
    Input("data-refresh", "data"),
)
def show_batches(_refresh: int):
    with Session(app_engine()) as s:
        batches = list_batches(session=s)
    options = [{"label": f"#{b['id']} {b['source_name']}", "value": b["id"]} for b in batches]
    return batch_rows(batches), options, options


DOWNLOAD_CLASS = "btn btn-outline-secondary btn-sm"


@callback(
    Output("data-rejected-grid", "rowData"),
    Output("data-rejected-pages", "max_value"),
    Output("data-rejected-pages", "active_page"),
    Output("data-rejected-count", "children"),
    Output("data-rejected-reasons", "children"),
    Output("data-rejected-download", "href"),
    Output("data-rejected-download", "className"),
    Output("data-rejected-download", "aria-disabled"),
    Input("data-rejected-batch", "value"),
    Input("data-rejected-pages", "active_page"),
    Input("data-refresh", "data"),
)
def show_rejected(batch_id, page, _refresh):
    # Browser values are checked before they reach the (parameterised) query.
    batch_id = as_int(batch_id, minimum=1)
    page = (as_int(page, minimum=1) if ctx.triggered_id == "data-rejected-pages" else None) or 1
    with Session(for_one_snapshot(app_engine())) as s:  # page, total and reasons of one state
        rows, total = rejected_rows_page(
            session=s, batch_id=batch_id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        reasons = rejected_reason_counts(session=s, batch_id=batch_id)
    pages = max(1, -(-total // PAGE_SIZE))
    count = counted(total, "rejected row")
    href = REJECTED_PATH + (f"?batch={batch_id}" if batch_id else "")
    # No rows: nothing to download (was: a header-only file), so no link, greyed and said so.
    link = (href, DOWNLOAD_CLASS, "false") if total else (None, DOWNLOAD_CLASS + " disabled", "true")
    return rejected_grid_rows(rows), pages, min(page, pages), count, reasons_badges(reasons), *link


# The size check runs in the browser first: a file far over the limit would otherwise be
# refused by the server's request cap (413) before any callback could say why.
# Then the upload box is emptied (contents and name back to null): dcc.Upload sends nothing
# when the same file is chosen again (its value would not change), which left the last
# answer on screen. The accepted file carries the time it was chosen, so a second choice of
# the same file is a new value too and gets its own answer ("already imported ...").
clientside_callback(
    """
    function(contents, filename, limitMb) {
        var none = window.dash_clientside.no_update;
        if (!contents) { return [none, none, none, none]; }
        var bytes = Math.floor((contents.length - contents.indexOf(",") - 1) * 3 / 4);
        if (bytes <= limitMb * 1048576) {
            return [{contents: contents, filename: filename, chosen: Date.now()}, null, null, null];
        }
        var why = "the file is " + (bytes / 1048576).toFixed(1) + " MB, over the upload limit of "
            + limitMb + " MB (SEGMENTS_UPLOAD_MAX_MB); load it with `segments ingest` instead";
        return [none, {
            namespace: "dash_bootstrap_components", type: "Alert",
            props: {id: "data-upload-error", color: "danger", children: [
                {namespace: "dash_html_components", type: "Strong",
                 props: {children: (filename || "the file") + " was refused: "}},
                {namespace: "dash_html_components", type: "Span", props: {children: why}}
            ]}
        }, null, null];
    }
    """,
    Output("data-upload-accepted", "data"),
    Output("data-upload-result", "children", allow_duplicate=True),
    Output("data-upload", "contents"),
    Output("data-upload", "filename"),
    Input("data-upload", "contents"),
    State("data-upload", "filename"),
    State("data-upload-limit", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("data-upload-result", "children"),
    Output("data-refresh", "data"),
    Input("data-upload-accepted", "data"),
    State("data-refresh", "data"),
    background=True,
    running=[
        (Output("data-upload", "disabled"), True, False),
        (Output("data-upload-progress", "style"), {"visibility": "visible"}, {"visibility": "hidden"}),
    ],
    progress=[Output("data-upload-progress", "value"), Output("data-upload-progress", "label")],
    prevent_initial_call=True,
)
def upload_file(set_progress, accepted, refresh):
    from db.ingest import IngestError
    from webapp.upload import IngestProgress, UploadError, ingest_upload

    if not isinstance(accepted, dict) or not isinstance(accepted.get("contents"), str):
        return no_update, no_update
    contents = accepted["contents"]
    filename = accepted.get("filename") if isinstance(accepted.get("filename"), str) else None
    progress = IngestProgress(set_progress)
    progress.stage(5, "loading")
    try:
        settings = current_settings()
        result = ingest_upload(
            contents,
            filename or "upload",
            engine=app_engine(),
            max_mb=settings.upload_max_mb,
            progress=progress,
        )
    except (IngestError, UploadError) as exc:
        return upload_outcome(filename, error=str(exc)), no_update
    except (OperationalError, InterfaceError) as exc:
        # A background callback: Flask's outage handler never sees this, so say it here.
        cause = outage_cause(exc)
        if cause is None:
            raise  # a bad query or a missing table is a bug: it stays a server error
        log.warning("upload of %r: database %s: %s", filename, cause, describe(exc))
        return upload_not_loaded(filename, MESSAGES[cause]), no_update
    set_progress((100, "done"))
    return upload_outcome(filename, result=result), (as_int(refresh) or 0) + 1
