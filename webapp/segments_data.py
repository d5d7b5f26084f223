"""Segments data: one stored run shaped for the page (segments, k sweep, score grid, points).

Runs are never changed once finished, so a run's view is cached under its id and creation
time (an id reused after a deletion gets a new entry).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from analytics.run_history import get_run
from db.models import RUN_FINISHED, Run
from db.queries_segments import run_points, score_grid_counts
from db.session import for_one_snapshot
from webapp.browser_values import as_int
from webapp.cache import cached
from webapp.run_choice import finished_runs, run_option
from webapp.runtime import app_engine

SAMPLE_MAX = 5_000  # scatter points: enough to see the shape, light for the browser
SAMPLE_SEED = 42


def parse_run_id(value: object) -> int | None:
    """A run id from the URL or the dropdown; anything but a positive integer is None."""
    return as_int(value, minimum=1)


def run_choices() -> list[dict[str, Any]]:
    """Dropdown options for every finished run, the latest first (the default; see run_choice)."""
    with Session(app_engine()) as s:
        runs = finished_runs(session=s)
    # The as-of date, like Campaigns and Runs: it is what the run describes (not when it ran).
    return [
        {"label": f"{run_option(r)['label']} · k={r['k']} · {r['n_customers']:,} customers", "value": r["id"]}
        for r in runs
    ]


def sample_points(points: pd.DataFrame, *, limit: int = SAMPLE_MAX, seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """At most ``limit`` rows, drawn with a fixed seed (the same run always shows the same dots)."""
    if len(points) <= limit:
        return points.reset_index(drop=True)
    return points.sample(n=limit, random_state=seed).sort_index().reset_index(drop=True)


def _compute_view(s: Session, run_id: int) -> dict[str, Any]:
    run = get_run(session=s, run_id=run_id)
    points = pd.DataFrame(
        s.execute(run_points(run_id)).all(),
        columns=["customer_id", "recency", "frequency", "monetary", "label"],
    )
    grid = pd.DataFrame(
        s.execute(score_grid_counts(run_id)).all(), columns=["r_score", "f_score", "rfm_segment", "customers"]
    )
    sweep = pd.DataFrame(run["k_sweep"], columns=["k", "inertia", "silhouette"])
    return {
        "run": {key: run[key] for key in ("id", "name", "k", "n_customers", "as_of", "preset", "silhouette")},
        "segments": run["segments"],
        "k_sweep": sweep,
        "grid": grid,
        "points": sample_points(points),
        "n_points": len(points),
    }


def run_view(run_id: int) -> dict[str, Any]:
    """``{"status": "missing"}``, ``{"status": "failed"|"running", "error"}`` or the finished view."""
    # One snapshot: a run deleted meanwhile must not leave the page its summary without points.
    with Session(for_one_snapshot(app_engine())) as s:
        run = s.get(Run, run_id)
        if run is None:
            return {"status": "missing"}
        if run.status != RUN_FINISHED:
            return {"status": run.status, "error": run.error}
        version = f"run:{run_id}:{run.created_at.isoformat()}"
        view = cached("segments:run", {"run": run_id}, lambda: _compute_view(s, run_id), version=version)
    return {"status": RUN_FINISHED, "version": version, **view}
