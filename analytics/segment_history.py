"""Segment sizes across stored runs, to follow how segments grow and shrink over time."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import RUN_FINISHED, Run, RunSegment

SIZE_COLUMNS = ["run_id", "name", "as_of", "created_at", "label", "size"]


def segment_sizes(*, session: Session) -> pd.DataFrame:
    """One row per (finished run, segment label), ordered by the run's as-of date, then id."""
    query = (
        select(Run.id, Run.name, Run.as_of, Run.created_at, RunSegment.label, RunSegment.size)
        .join(RunSegment, RunSegment.run_id == Run.id)
        .where(Run.status == RUN_FINISHED)
        .order_by(Run.as_of, Run.id, RunSegment.label)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=SIZE_COLUMNS)
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame
