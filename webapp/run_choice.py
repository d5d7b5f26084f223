"""Finished runs for the web app's pickers, in one order: the latest run first.

The order is ``analytics.run_history.finished_runs``, the rule of the CLI's ``latest`` too: the
newest run of the latest data, so a run just made on all the data is the default, and an old
as-of snapshot (or a backfill) made afterwards does not move every page's default back in time.
Campaigns, Runs and Segments all default to ``runs[0]``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.run_history import finished_runs
from db.models import RUN_FINISHED, Run
from webapp.run_freshness import batch_changes, removed_batches_note

__all__ = [
    "any_finished_run",
    "earlier_runs",
    "finished_runs",
    "latest_run_id",
    "removed_batches",
    "removed_batches_note",
    "run_option",
]


def any_finished_run(*, session: Session) -> bool:
    return session.scalar(select(Run.id).where(Run.status == RUN_FINISHED).limit(1)) is not None


def latest_run_id(runs: list[dict[str, Any]]) -> int | None:
    return runs[0]["id"] if runs else None


def earlier_runs(runs: list[dict[str, Any]], run_id: int | None) -> list[dict[str, Any]]:
    """The runs after ``run_id`` in this order (an earlier data cut-off, or the same one made
    before): the runs "moved since" can start from. Not the run itself (everyone in a label
    would "move" to it), nor a later one. Empty for an unknown run."""
    ids = [r["id"] for r in runs]
    return runs[ids.index(run_id) + 1 :] if run_id in ids else []


def run_option(run: dict[str, Any]) -> dict[str, Any]:
    """ "#3 june as of 2011-06-01": the as-of date, which is what the run describes."""
    as_of = f" as of {run['as_of']:%Y-%m-%d}" if run["as_of"] else ""
    name = f" {run['name']}" if run["name"] else ""
    return {"label": f"#{run['id']}{name}{as_of}", "value": run["id"]}


def removed_batches(*, session: Session, run_id: int) -> list[int]:
    """The import batches a run saw (its ``data_fingerprint``) that have been removed since."""
    return batch_changes(session=session, run_id=run_id).removed
