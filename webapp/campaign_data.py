"""Campaign lists for the web app: a checked selection -> the rows of ``segments export``.

The list itself is ``analytics.export.campaign_list`` (the CLI's), so the page, its CSV and the
command line agree. Finished runs never change, so a run's assignments are cached per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from analytics.compare import moved
from analytics.countries import match_countries, unknown_countries
from analytics.export import (
    CSV_COLUMNS,
    SPREADSHEET_BOM,
    Selection,
    campaign_list,
    split_segments,
    to_safe_csv,
)
from analytics.run_history import get_run, run_assignments
from db.models import RUN_FINISHED, Run
from db.session import for_one_snapshot
from webapp.browser_values import as_text
from webapp.campaign_inputs import CampaignQuery
from webapp.run_choice import earlier_runs, finished_runs, latest_run_id, run_option

__all__ = ["finished_runs", "run_option"]  # the pages' run pickers import them from here too

NO_RUNS = "No finished run yet: start one on the Runs page (or run `segments run`)."


def earlier_ids(session: Session, run_id: int) -> set[int]:
    return {r["id"] for r in earlier_runs(finished_runs(session=session), run_id)}


def not_earlier(since: int, run_id: int) -> str:
    return (
        f"Moved since: run {since} is not earlier than run {run_id}; choose an earlier run "
        "(of older data, or made before on the same data)."
    )


@dataclass(frozen=True)
class CampaignList:
    run_id: int | None
    frame: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CSV_COLUMNS))
    message: str | None = None  # why the list is empty or was refused


def _finished(session: Session, run_id: int) -> bool:
    return session.scalar(select(Run.status).where(Run.id == run_id)) == RUN_FINISHED


@lru_cache(maxsize=8)
def assignments(engine: Engine, run_id: int) -> pd.DataFrame:
    """A finished run's assignments, cached per engine (callers must not modify the frame)."""
    with Session(engine) as session:
        return run_assignments(session=session, run_id=run_id)


def run_labels(*, engine: Engine, run_id: int) -> dict[str, int]:
    """Cluster label -> size for one run, in cluster order."""
    with Session(engine) as session:
        return {s["label"]: s["size"] for s in get_run(session=session, run_id=run_id)["segments"]}


def pick_run(*, session: Session, run: int | None) -> tuple[int | None, str | None]:
    """The run to show: the one asked for if it is finished, else the latest finished one."""
    if run is not None:
        if _finished(session, run):
            return run, None
        return None, f"Run {run} does not exist or has not finished; choose another run."
    latest = latest_run_id(finished_runs(session=session))
    return (latest, None) if latest is not None else (None, NO_RUNS)


def _wrong_labels(
    query: CampaignQuery, earlier: set[str] | None, current: dict[str, str], run_id: int
) -> list[str]:
    """The "moved" labels that are not labels of their run (``earlier``: None when unknown)."""
    out = []
    if earlier is not None and query.moved_from not in earlier:
        out.append(f"'{query.moved_from}' is not a label of run {query.since}")
    if query.moved_to not in current:
        out.append(f"'{query.moved_to}' is not a label of run {run_id}")
    return out


def build_list(*, engine: Engine, query: CampaignQuery) -> CampaignList:
    """The target list for ``query``; unknown runs or labels give an empty list and a message."""
    with Session(for_one_snapshot(engine)) as session:  # the run picked and the runs before it: one snapshot
        run_id, problem = pick_run(session=session, run=query.run)
        if run_id is None:
            return CampaignList(None, message=problem)
        actions = {s["label"]: s["action"] for s in get_run(session=session, run_id=run_id)["segments"]}
        if query.moving and not _finished(session, query.since):
            wrong = "".join(f" {w}." for w in _wrong_labels(query, None, actions, run_id))
            text = f"Run {query.since} does not exist or has not finished.{wrong}"
            return CampaignList(run_id, message=text)
        if query.moving and query.since not in earlier_ids(session, run_id):  # itself, or later
            return CampaignList(run_id, message=not_earlier(query.since, run_id))
    try:
        labels, rfm_segments = split_segments(query.segments, run_labels=actions)
    except ValueError as exc:
        text = str(exc)  # not str.capitalize(): it lowercases the names it quotes
        return CampaignList(run_id, message=text[:1].upper() + text[1:])
    known = assignments(engine, run_id)["country"].dropna().unique()
    countries, unknown = match_countries(query.countries, known)
    if unknown:  # a shared link may name one: listing everybody instead would be broader
        where = "no customer of this run lives there"
        return CampaignList(run_id, message=unknown_countries(unknown, known, where=where))
    moved_ids = None
    if query.moving:
        earlier = assignments(engine, query.since)
        wrong = _wrong_labels(query, set(earlier["label"]), actions, run_id)
        if wrong:  # named: a link's labels stay on screen, marked "(unknown)"
            text = f"Moved since: {'; '.join(wrong)}. Choose a label of each run to find who moved."
            return CampaignList(run_id, message=text)
        current = assignments(engine, run_id)
        moved_ids = frozenset(moved(earlier, current, from_label=query.moved_from, to_label=query.moved_to))
    selection = Selection(
        labels,
        rfm_segments,
        countries,
        query.min_spend,
        query.recency_min,
        query.recency_max,
        moved_ids,
    )
    return CampaignList(run_id, campaign_list(assignments(engine, run_id), selection, actions=actions))


def shown_ids(ids: object) -> list[str] | None:
    """Customer ids of the rows the browser shows (after its own sorting and filtering), checked."""
    if not isinstance(ids, list):
        return None
    return [i for i in map(as_text, ids) if i is not None]


def export_csv(listing: CampaignList, ids: list[str] | None) -> str:
    """Spreadsheet-safe CSV of the list, restricted to and ordered like the rows shown."""
    frame = listing.frame
    if ids is not None:
        order = {cid: n for n, cid in enumerate(ids)}
        frame = frame[frame["customer_id"].isin(order)]
        frame = frame.iloc[frame["customer_id"].map(order).argsort(kind="stable")]
    return SPREADSHEET_BOM + to_safe_csv(frame.reset_index(drop=True))
