"""Read stored runs: history, the latest run, one run with its segments, its assignments."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import RUN_FINISHED, Run, RunAssignment, RunSegment

METRICS = (
    "silhouette",
    "silhouette_sampled",
    "silhouette_sample_size",
    "davies_bouldin",
    "calinski_harabasz",
    "stability_ari",
    "stability_resamples",
)
SUMMARY = ("id", "name", "status", "created_at", "finished_at", "as_of", "preset", "k", "n_customers")
SEGMENT_COLUMNS = [c.name for c in RunSegment.__table__.columns if c.name != "run_id"]
ASSIGNMENT_COLUMNS = [c.name for c in RunAssignment.__table__.columns if c.name != "run_id"]


class RunNotFound(LookupError):
    """No run with that id (or name)."""


def _summary(run: Run) -> dict[str, Any]:
    out = {key: getattr(run, key) for key in SUMMARY}
    out |= {"silhouette": run.silhouette, "stability_ari": run.stability_ari, "error": run.error}
    return out


def list_runs(*, session: Session) -> list[dict[str, Any]]:
    """Every run, newest first, with its headline metrics."""
    return [_summary(run) for run in session.scalars(select(Run).order_by(Run.id.desc()))]


def runs_named(*, session: Session, name: str) -> list[int]:
    """Ids of the runs named ``name``, oldest first (a name refers to the newest of them)."""
    return list(session.scalars(select(Run.id).where(Run.name == name).order_by(Run.id)))


def data_cutoff(*, asked: str | None, newest_line: str | None, as_of: datetime | None) -> date | None:
    """The day a run's data stops: the as-of day asked for (``--as-of``, backfill), else the day
    after the newest stored line when it ran (it saw all the data), else its as-of day.

    Not the run's ``as_of`` itself: without ``--as-of`` that is the last purchase its cleaning
    rules keep + 1 day, so two runs of the same data would differ by preset, ``--returns`` or
    ``--include-non-product`` (a postage line can be the last line).
    """
    if asked:
        return date.fromisoformat(asked[:10])
    if newest_line:
        return date.fromisoformat(newest_line[:10]) + timedelta(days=1)
    return as_of.date() if as_of is not None else None


def month_end_name(cutoff: date) -> str:
    """The name ``backfill`` gives the run as of ``cutoff`` (a month's first day): the month
    before it, "month end 2011-02"; ``_is_month_end`` reads it back."""
    return f"month end {cutoff - timedelta(days=1):%Y-%m}"


def _is_month_end(name: str | None, asked: str | None) -> bool:
    """Whether a run is a ``backfill`` month's: named by ``month_end_name``, as of the next month."""
    match = re.fullmatch(r"month end (\d{4})-(\d{2})", name or "")
    if match is None or not asked:
        return False
    year, month = int(match[1]), int(match[2])
    following = (year + month // 12, month % 12 + 1)
    return asked[:10] == f"{following[0]:04d}-{following[1]:02d}-01"


def finished_runs(*, session: Session) -> list[dict[str, Any]]:
    """Finished runs, latest first: the newest run of the latest data cut-off (``data_cutoff``).

    So ``segments run`` (all the data) is the latest run right after it is made, while an old
    snapshot (``--as-of``, ``backfill``) made afterwards is not. Nor is a backfill's last month
    when the data ends on a month end (it saw the same data): of runs with the same cut-off,
    month-end runs come after the others. ``latest`` in the CLI and every
    page's default run are ``[0]`` of this list.
    """
    asked = Run.params["as_of"].as_string().label("asked")
    newest_line = Run.data_fingerprint["newest_invoice"].as_string().label("newest_line")
    columns = (Run.id, Run.name, Run.as_of, Run.created_at, Run.preset, Run.k, Run.n_customers)
    rows = session.execute(select(*columns, asked, newest_line).where(Run.status == RUN_FINISHED)).all()
    runs = []
    for row in rows:
        run = row._asdict()
        asked_day = run.pop("asked")
        cutoff = data_cutoff(asked=asked_day, newest_line=run.pop("newest_line"), as_of=run["as_of"])
        rank = (cutoff or date.min, not _is_month_end(run["name"], asked_day), run["id"])
        runs.append((rank, run | {"data_cutoff": cutoff}))
    # Sorted here rather than in SQL: date arithmetic on JSON text differs per database.
    runs.sort(key=lambda ranked: ranked[0], reverse=True)
    return [run for _, run in runs]


def latest_run(*, session: Session) -> int | None:
    """The id of the latest finished run (``finished_runs``), None when there is none."""
    runs = finished_runs(session=session)
    return runs[0]["id"] if runs else None


def resolve_run(*, session: Session, ref: str | int) -> int:
    """A run id from an id, ``latest`` in any case (``finished_runs``) or a run name (newest of
    that name)."""
    text = str(ref).strip()
    if text.casefold() == "latest":
        text = "latest"  # reserved in any case: no run can be named "Latest"
    if text.isascii() and text.isdigit():
        # An id beyond the integer column is no run (the database would refuse the comparison).
        number = int(text)
        run_id = session.scalar(select(Run.id).where(Run.id == number)) if number < 2**31 else None
    elif text == "latest":
        run_id = latest_run(session=session)
    else:
        run_id = session.scalar(select(Run.id).where(Run.name == text).order_by(Run.id.desc()))
    if run_id is None and text == "latest":
        raise RunNotFound("no finished run yet: start one with 'segments run'")
    if run_id is None:
        raise RunNotFound(f"no run {text!r}")
    return run_id


def get_run(*, session: Session, run_id: int) -> dict[str, Any]:
    """One run: summary, metrics, parameters, versions, fingerprint, k sweep, segments."""
    run = session.get(Run, run_id)
    if run is None:
        raise RunNotFound(f"no run {run_id}")
    out = _summary(run)
    out |= {key: getattr(run, key) for key in METRICS}
    out |= {
        "params": run.params,
        "versions": run.versions,
        "data_fingerprint": run.data_fingerprint,
        "k_sweep": run.k_sweep or [],
    }
    rows = session.execute(
        select(*(getattr(RunSegment, c) for c in SEGMENT_COLUMNS))
        .where(RunSegment.run_id == run_id)
        .order_by(RunSegment.cluster)
    ).all()
    out["segments"] = [dict(zip(SEGMENT_COLUMNS, row, strict=True)) for row in rows]
    return out


def run_assignments(*, session: Session, run_id: int, labels: list[str] | None = None) -> pd.DataFrame:
    """Customers of a run (optionally only some labels), one row each, by customer id."""
    if session.get(Run, run_id) is None:
        raise RunNotFound(f"no run {run_id}")
    query = select(*(getattr(RunAssignment, c) for c in ASSIGNMENT_COLUMNS)).where(
        RunAssignment.run_id == run_id
    )
    if labels:
        query = query.where(RunAssignment.label.in_(labels))
    frame = pd.DataFrame(session.execute(query).all(), columns=ASSIGNMENT_COLUMNS)
    frame["last_purchase"] = pd.to_datetime(frame["last_purchase"])
    return frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
