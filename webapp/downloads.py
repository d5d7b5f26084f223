"""File downloads served by Flask (behind the same login as the pages)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask import Flask, Response, abort, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from analytics.export import SPREADSHEET_BOM, neutralise
from db.queries_batches import find_batch, iter_rejected_rows
from webapp.browser_values import as_int
from webapp.runtime import app_engine

REJECTED_PATH = "/download/rejected-rows.csv"
REJECTED_COLUMNS = ["batch_id", "row_number", "reason", "detail", "raw"]


def parse_batch_arg(raw: str | None) -> int | None:
    """The ``batch`` query value: empty means all batches; anything but a positive id is a 400."""
    if raw in (None, ""):
        return None
    batch_id = as_int(raw, minimum=1)
    if batch_id is None:
        abort(400, "batch must be a positive whole number")
    return batch_id


def _rejected_csv(engine: Engine, batch_id: int | None) -> Iterator[str]:
    yield SPREADSHEET_BOM
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(REJECTED_COLUMNS)
    with Session(engine) as s:
        for n, row in enumerate(iter_rejected_rows(session=s, batch_id=batch_id), start=1):
            raw = json.dumps(row["raw"], ensure_ascii=False, sort_keys=True)
            writer.writerow(
                [
                    neutralise(v)  # the campaign exports' rule
                    for v in (row["batch_id"], row["row_number"], row["reason"], row["detail"], raw)
                ]
            )
            if n % 1000 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue()


def rejected_rows_csv() -> Response:
    batch_id = parse_batch_arg(request.args.get("batch"))
    if batch_id is not None:
        with Session(app_engine()) as s:
            known = find_batch(session=s, batch_id=batch_id) is not None
        if not known:  # was: 200 with a header-only file, as if the batch had no rejected rows
            return Response(f"No import batch #{batch_id}.\n", status=404, mimetype="text/plain")
    name = f"rejected-rows-batch-{batch_id}.csv" if batch_id else "rejected-rows.csv"
    return Response(
        _rejected_csv(app_engine(), batch_id),  # engine resolved while the request is live
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def install_downloads(server: Flask) -> None:
    server.add_url_rule(REJECTED_PATH, "segments_rejected_csv", rejected_rows_csv)
