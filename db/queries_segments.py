"""Read-only queries over stored runs for the Segments page: score grid, points."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from db.models import RunAssignment
from db.sql_text import bytewise


def score_grid_counts(run_id: int) -> Select:
    """Customers per (R score, F score) cell of one run, with the cell's named RFM segment."""
    customers = func.count().label("customers")
    return (
        select(RunAssignment.r_score, RunAssignment.f_score, RunAssignment.rfm_segment, customers)
        .where(RunAssignment.run_id == run_id)
        .group_by(RunAssignment.r_score, RunAssignment.f_score, RunAssignment.rfm_segment)
        .order_by(RunAssignment.r_score, RunAssignment.f_score)
    )


def run_points(run_id: int) -> Select:
    """One row per customer of the run: recency, frequency, monetary, label (for the scatter)."""
    return (
        select(
            RunAssignment.customer_id,
            RunAssignment.recency,
            RunAssignment.frequency,
            RunAssignment.monetary,
            RunAssignment.label,
        )
        .where(RunAssignment.run_id == run_id)
        # The page samples by position with a fixed seed: the same customers on every database.
        .order_by(bytewise(RunAssignment.customer_id))
    )
