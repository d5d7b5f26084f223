"""Pure view helpers of the Data page: query rows -> grid rows, summaries (unit-testable)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from webapp.components.grids import column, number_column

# Bytes as people read them (a 6-line file is "412 B", not "0 MB"); sorting uses the bytes.
FILE_SIZE = {
    "function": "params.value == null ? '' : params.value < 1e3 ? params.value + ' B' : "
    "params.value < 1e6 ? d3.format(',.1f')(params.value / 1e3) + ' KB' : "
    "d3.format(',.1f')(params.value / 1e6) + ' MB'"
}

BATCH_COLUMNS = [
    number_column("id", "Batch", maxWidth=100, ident=True),
    column("source_name", "File"),
    column("status", "Status", maxWidth=140),
    number_column("rows_read", "Rows read"),
    number_column("rows_stored", "Stored"),
    number_column("duplicates", "Duplicates"),
    number_column("rejected", "Rejected"),
    number_column("size_bytes", "Size", valueFormatter=FILE_SIZE),
    column("finished_at", "Loaded at (UTC)"),
]

REJECTED_COLUMNS = [
    number_column("batch_id", "Batch", maxWidth=100, ident=True),
    number_column("row_number", "Row", maxWidth=110, ident=True),
    column("reason", "Reason", maxWidth=200),
    column("detail", "Detail"),
    column("raw", "Raw values", flex=2),
]


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def batch_rows(batches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **{
                k: b[k]
                for k in ("id", "source_name", "status", "rows_read", "rows_stored", "duplicates", "rejected")
            },
            "size_bytes": b["size_bytes"] or 0,
            "finished_at": _when(b["finished_at"]),
        }
        for b in batches
    ]


def rejected_grid_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "batch_id": r["batch_id"],
            "row_number": r["row_number"],
            "reason": r["reason"],
            "detail": r["detail"] or "",
            "raw": json.dumps(r["raw"], ensure_ascii=False, sort_keys=True) if r["raw"] is not None else "",
        }
        for r in rows
    ]


def reasons_badges(reasons: list[dict[str, Any]]) -> list:
    if not reasons:
        return [html.Span("No rejected rows.", className="text-body-secondary small")]
    return [
        dbc.Badge(f"{r['reason']}: {r['rows']:,}", color="warning", text_color="dark", className="me-1")
        for r in reasons
    ]


CLI_MAP_HINT = "(map others with --map FIELD=COLUMN)"
WEB_MAP_HINT = (
    "(this page cannot map columns: rename the column in the file, or load it from the command "
    "line: segments ingest FILE --map FIELD=COLUMN)"
)


def web_wording(error: str) -> str:
    """The ingest message as this page should say it: --map is an option of the command line,
    which the page does not offer."""
    return error.replace(CLI_MAP_HINT, WEB_MAP_HINT)


def upload_not_loaded(filename: str | None, reason: str):
    """The file is fine but the database could not take it now (busy, down): nothing was stored."""
    return dbc.Alert(
        [html.Strong(f"{filename or 'The file'} was not loaded: "), html.Span(reason)],
        color="warning",
        id="data-upload-error",
    )


def upload_outcome(filename: str | None, *, result: dict[str, Any] | None = None, error: str | None = None):
    """The message under the upload box: the refusal (as the CLI words it) or the load summary."""
    name = filename or "the file"
    if error is not None:
        return dbc.Alert(
            [html.Strong(f"{name} was refused: "), html.Span(web_wording(error))],
            color="danger",
            id="data-upload-error",
        )
    assert result is not None
    if result["status"] == "already_imported":
        return dbc.Alert(
            f"{name} was already imported as batch #{result['batch_id']}; nothing changed.",
            color="info",
            id="data-upload-summary",
        )
    reasons = ", ".join(f"{k}: {v:,}" for k, v in sorted(result.get("rejected_by_reason", {}).items()))
    return dbc.Alert(
        [
            html.Strong(f"{name} loaded as batch #{result['batch_id']}. "),
            html.Span(
                f"{result['rows_read']:,} rows read, {result['rows_stored']:,} stored, "
                f"{result['duplicates']:,} duplicates, {result['rejected']:,} rejected"
                + (f" ({reasons})" if reasons else "")
                + f" in {result['seconds']:.1f} s."
            ),
        ],
        color="success",
        id="data-upload-summary",
    )
