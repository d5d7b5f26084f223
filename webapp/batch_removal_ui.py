"""Data page: taking a wrong import back out (a batch picked, confirmed in a dialog, removed).

The batch id is a browser value: it is checked and looked up before anything is deleted, and
the dialog names what goes (lines, rejected rows, later imports that shared lines).
"""

from __future__ import annotations

import logging
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from db.availability import describe, outage_cause
from db.batch_removal import BatchNotFound, remove_batch
from db.queries_batches import find_batch
from db.session import SQLITE_BUSY_TIMEOUT_MS, for_writing
from webapp.browser_values import as_int
from webapp.db_unavailable import MESSAGES
from webapp.runtime import app_engine
from webapp.wording import later_batches, lines_and_rows

log = logging.getLogger(__name__)
# How long a removal waits for a running import, as SQLite's busy timeout makes it wait there.
WAIT_SECONDS = SQLITE_BUSY_TIMEOUT_MS // 1000


def removal_controls() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    # Not shown: the placeholder says it.
                    dbc.Label("Batch to remove", html_for="data-remove-batch", className="visually-hidden"),
                    dcc.Dropdown(
                        id="data-remove-batch",
                        placeholder="Batch to remove",
                        clearable=True,
                        style={"minWidth": "min(16rem, 100%)"},
                    ),
                    dbc.Button(
                        "Remove batch...",
                        id="data-remove-open",
                        color="danger",
                        outline=True,
                        size="sm",
                        disabled=True,
                        className="text-nowrap",
                    ),
                ],
                # On a phone the button goes under the dropdown rather than past the card's edge.
                className="d-flex flex-wrap gap-2 align-items-center mt-3",
            ),
            html.Div(id="data-remove-result", className="mt-2"),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle("Remove an import batch")),
                    dbc.ModalBody(id="data-remove-question"),
                    dbc.ModalFooter(
                        [
                            dbc.Button("Cancel", id="data-remove-cancel", color="secondary", outline=True),
                            dbc.Button("Remove", id="data-remove-confirm", color="danger"),
                        ]
                    ),
                ],
                id="data-remove-dialog",
                is_open=False,
            ),
        ]
    )


def _batch(batch_id: int) -> dict[str, Any] | None:
    with Session(app_engine()) as s:
        return find_batch(session=s, batch_id=batch_id)


def question(batch: dict[str, Any]) -> str:
    return (
        f"Batch #{batch['id']} ({batch['source_name']}) with its "
        f"{lines_and_rows(batch['rows_stored'], batch['rejected'])} is deleted, and the file can be "
        "loaded again. Lines a later import shared with it go too. Stored segmentation runs are kept "
        "as they are."
    )


def _gone(batch_id: int) -> dbc.Alert:
    return dbc.Alert(f"There is no batch #{batch_id} any more.", color="warning")


def register_callbacks() -> None:
    """Called by the Data page module, which Dash runs once per app (this module is imported
    once per process, so callbacks declared at its top level would reach only the first app)."""

    @callback(Output("data-remove-open", "disabled"), Input("data-remove-batch", "value"))
    def enable_removal(batch_id):
        return as_int(batch_id, minimum=1) is None

    @callback(
        Output("data-remove-dialog", "is_open"),
        Output("data-remove-question", "children"),
        Output("data-remove-result", "children", allow_duplicate=True),
        Input("data-remove-open", "n_clicks"),
        Input("data-remove-cancel", "n_clicks"),
        State("data-remove-batch", "value"),
        prevent_initial_call=True,
    )
    def ask(open_clicks, _cancel, batch_id):
        batch_id = as_int(batch_id, minimum=1)
        if not open_clicks or batch_id is None or ctx.triggered_id != "data-remove-open":
            return False, no_update, no_update
        batch = _batch(batch_id)
        if batch is None:
            return False, no_update, _gone(batch_id)
        return True, question(batch), None

    @callback(
        Output("data-remove-result", "children"),
        Output("data-remove-dialog", "is_open", allow_duplicate=True),
        Output("data-refresh", "data", allow_duplicate=True),
        Output("data-remove-batch", "value"),
        Input("data-remove-confirm", "n_clicks"),
        State("data-remove-batch", "value"),
        State("data-refresh", "data"),
        prevent_initial_call=True,
    )
    def remove(clicks, batch_id, refresh):
        batch_id = as_int(batch_id, minimum=1)
        if not clicks or batch_id is None:
            return no_update, False, no_update, no_update
        try:
            with Session(for_writing(app_engine())) as s, s.begin():
                removed = remove_batch(session=s, batch_id=batch_id, wait_seconds=WAIT_SECONDS)
        except BatchNotFound:
            return _gone(batch_id), False, no_update, None
        except (OperationalError, InterfaceError) as exc:
            cause = outage_cause(exc)
            if cause is None:
                raise  # a bug: a server error
            log.warning("removing batch %s: database %s: %s", batch_id, cause, describe(exc))
            return (
                dbc.Alert(f"Batch #{batch_id} was not removed. {MESSAGES[cause]}", color="warning"),
                False,
                no_update,
                no_update,
            )
        text = (
            f"Batch #{removed.batch_id} ({removed.source_name}) removed: "
            f"{lines_and_rows(removed.lines, removed.rejected)}."
        )
        if removed.sharers:
            later, they, those = later_batches([f"#{i}" for i in removed.sharers])
            text += (
                f" {later.capitalize()} skipped lines as already stored: any {they} shared with it "
                f"are gone too (remove and re-import {those} to restore them)."
            )
        alert = dbc.Alert(text, color="success", id="data-remove-done", dismissable=True)
        return alert, False, (as_int(refresh) or 0) + 1, None
