"""Finished runs for the web app's pickers, in one order: the latest data first.

"Latest" is the finished run with the latest as-of date (ties: the newest created), so making
an old as-of snapshot does not move every page's default back in time. Campaigns, Runs and
Segments all default to ``runs[0]`` of ``finished_runs``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import RUN_FINISHED, Run

_OLDEST = datetime.min


def finished_runs(*, session: Session) -> list[dict[str, Any]]:
    """Finished runs, latest as-of date first (ties: newest created, then highest id)."""
    rows = session.execute(
        select(Run.id, Run.name, Run.as_of, Run.created_at, Run.preset, Run.k, Run.n_customers).where(
            Run.status == RUN_FINISHED
        )
    ).all()
    runs = [row._asdict() for row in rows]
    # Sorted here rather than in SQL: NULLS LAST is spelled differently per database.
    runs.sort(key=lambda r: (r["as_of"] or _OLDEST, r["created_at"] or _OLDEST, r["id"]), reverse=True)
    return runs


def any_finished_run(*, session: Session) -> bool:
    return session.scalar(select(Run.id).where(Run.status == RUN_FINISHED).limit(1)) is not None


def latest_run_id(runs: list[dict[str, Any]]) -> int | None:
    return runs[0]["id"] if runs else None


def family(run: dict[str, Any]) -> tuple[str, int | None]:
    """Runs of one family (same preset and k) have comparable segments over time."""
    return run["preset"], run["k"]


def run_option(run: dict[str, Any]) -> dict[str, Any]:
    """ "#3 june as of 2011-06-01": the as-of date, which is what the run describes."""
    as_of = f" as of {run['as_of']:%Y-%m-%d}" if run["as_of"] else ""
    name = f" {run['name']}" if run["name"] else ""
    return {"label": f"#{run['id']}{name}{as_of}", "value": run["id"]}
