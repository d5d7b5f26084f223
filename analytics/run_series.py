"""Which finished runs form one time series: runs asked for with the same options.

Runs made the same way (preset, k as asked, cleaning rules) at different as-of dates are
comparable snapshots: ``segments backfill --every month`` makes such a series. A run with
another preset, k or cleaning rules splits customers differently, so its sizes do not belong on
the same lines. The random seed and the resamples of the stability check do not matter here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.runs import default_rules
from db.models import RUN_FINISHED, Run

_OLDEST = datetime.min


@dataclass(frozen=True)
class SeriesKey:
    preset: str
    k: int | None  # as asked: None = chosen per run by the elbow
    include_non_product: bool
    returns: str
    start: str | None
    end: str | None
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    key: SeriesKey
    run_ids: tuple[int, ...]  # latest as-of first (ties: newest created)
    first_as_of: datetime | None
    last_as_of: datetime | None
    dates: int  # distinct as-of dates: the points of its lines


def series_key(run: dict[str, Any]) -> SeriesKey:
    """``run``: preset, k (the k it used) and params (what was asked, as stored)."""
    params = run.get("params") or {}
    k = params.get("k") if "k" in params else run["k"]  # runs stored without params: their k
    if k is None and run["preset"] == "reference":
        k = run["k"]  # the reference preset fixes k (4) when none is asked: the same runs
    defaults = default_rules(run["preset"])
    rules = params.get("rules") or {}
    return SeriesKey(
        preset=run["preset"],
        k=k,
        include_non_product=bool(rules.get("include_non_product", defaults.include_non_product)),
        returns=str(rules.get("returns", defaults.returns)),
        start=rules.get("start"),
        end=rules.get("end"),
        countries=tuple(sorted(rules.get("countries") or ())),
    )


def group_series(runs: list[dict[str, Any]]) -> list[Series]:
    """Runs (id, as_of, created_at, preset, k, params) grouped into series, the longest first:
    most as-of dates, then the latest as-of date, then the newest run."""
    groups: dict[SeriesKey, list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault(series_key(run), []).append(run)
    series = []
    for key, members in groups.items():
        members.sort(key=lambda r: (r["as_of"] or _OLDEST, r["created_at"] or _OLDEST, r["id"]), reverse=True)
        days = [r["as_of"] for r in members if r["as_of"] is not None]
        series.append(
            Series(
                key=key,
                run_ids=tuple(r["id"] for r in members),
                first_as_of=min(days, default=None),
                last_as_of=max(days, default=None),
                dates=len(set(days)),
            )
        )
    series.sort(key=lambda s: (s.dates, s.last_as_of or _OLDEST, s.run_ids[0]), reverse=True)
    return series


def finished_series(*, session: Session) -> list[Series]:
    rows = session.execute(
        select(Run.id, Run.as_of, Run.created_at, Run.preset, Run.k, Run.params).where(
            Run.status == RUN_FINISHED
        )
    ).all()
    return group_series([row._asdict() for row in rows])
