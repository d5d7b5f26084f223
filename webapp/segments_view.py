"""The Segments page's view of one run: message, cards and figures, cached per run.

A finished run never changes, so its cards and figures are built once (as plain dicts: a
pickled go.Figure is re-validated on every load, ~100 ms for a few thousand points) and then
read from the shared results cache; the warm-up builds them for the newest run ahead.
"""

from __future__ import annotations

from functools import cache

import dash_bootstrap_components as dbc
from sqlalchemy.orm import Session

from webapp.cache import cached
from webapp.components.figures import empty_figure
from webapp.components.segment_figures import k_sweep_figure, rfm_scatter, score_grid_figure
from webapp.components.segment_views import segment_cards
from webapp.run_freshness import batch_changes, newer_batches_note, removed_batches_note
from webapp.runtime import app_engine, current_settings
from webapp.segments_data import run_view


def caption(n_points: int, shown: int, left_out: int) -> str:
    text = f"{shown:,} of {n_points:,} customers"
    if shown < n_points:
        text += " (a random sample with a fixed seed, for speed)"
    if left_out:
        text += f"; {left_out:,} with zero or negative spend cannot be drawn on a log axis"
    return text + ". Log axes; recency 0 is drawn at 1 day."


@cache
def no_run_figure() -> dict:
    return empty_figure("No run selected").to_plotly_json()


def render_run(run_id: int | None) -> tuple:
    """message, cards, scatter, caption, score grid, k sweep for one run id (or none)."""
    blank = no_run_figure()
    if run_id is None:
        return None, None, blank, "", blank, blank
    view = run_view(run_id)
    if view["status"] != "finished":
        text = (
            f"Run {run_id} does not exist (it may have been deleted). Choose another run above."
            if view["status"] == "missing"
            else f"Run {run_id} is {view['status']}" + (f": {view['error']}" if view.get("error") else ".")
        )
        return dbc.Alert(text, color="warning", id="segments-missing"), None, blank, "", blank, blank
    # The figures of a run never change: build them once (a few thousand points) and reuse them.
    shown = cached("segments:render", {"run": run_id}, lambda: _render(view), version=view["version"])
    note = stale_run_note(run_id, "segments")  # data removed or added since: not cached
    return (note, *shown[1:]) if note is not None else shown


def stale_run_note(run_id: int, page: str) -> dbc.Alert | list[dbc.Alert] | None:
    """A note when import batches the run saw have been removed since (its lists still hold
    them), ``<page>-removed-batches``, and one when batches it would read were imported after it,
    ``<page>-newer-batches``. Both: a list."""
    with Session(app_engine()) as session:
        changes = batch_changes(session=session, run_id=run_id)
    texts = [
        (removed_batches_note(changes.removed), f"{page}-removed-batches"),
        (newer_batches_note(changes.newer, changes.as_of), f"{page}-newer-batches"),
    ]
    notes = [dbc.Alert(text, color="warning", id=id_) for text, id_ in texts if text]
    return notes[0] if len(notes) == 1 else notes or None


def _figures(view: dict) -> tuple:
    currency = current_settings().currency
    points, segments = view["points"], view["segments"]
    labels = [s["label"] for s in segments]
    left_out = int((points["monetary"] <= 0).sum())
    return (
        None,
        segment_cards(segments, currency),
        rfm_scatter(points, labels, currency),
        caption(view["n_points"], len(points) - left_out, left_out),
        score_grid_figure(view["grid"]),
        k_sweep_figure(view["k_sweep"], view["run"]["k"]),
    )


def _render(view: dict) -> tuple:
    """As plain dicts: a pickled go.Figure is re-validated on every load (~100 ms here)."""
    message, cards, scatter, text, grid, sweep = _figures(view)
    return message, cards, scatter.to_plotly_json(), text, grid.to_plotly_json(), sweep.to_plotly_json()
