"""One run per month end, so segment sizes can be followed over time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from analytics.as_of import purchase_span
from analytics.run_history import month_end_name
from analytics.runs import RunFailed, RunRefused, check_run_request, execute_run, run_rules


def month_end_cutoffs(start: date, end: date) -> list[date]:
    """``as_of`` for each month end in [start, end]: the first day of the next month.

    A run ``as_of`` that day uses every purchase up to the end of the month; a month whose
    last day is after ``end`` (e.g. a data set that stops mid-month) is left out.
    """
    cutoffs = []
    month = date(start.year, start.month, 1)
    while True:
        following = (month + timedelta(days=32)).replace(day=1)
        if following - timedelta(days=1) > end:
            return cutoffs
        cutoffs.append(following)
        month = following


def backfill(
    *, engine: Engine, start: date | None = None, end: date | None = None, **options: Any
) -> list[dict[str, Any]]:
    """Create a run per month end in [start, end] (default: the span of the data).

    Runs are named "month end YYYY-MM". The range is cut to the span of the purchases the
    runs' cleaning rules keep (analytics.as_of: a month before the first one could only fail).
    A month too early to segment as asked (too few customers for k) is refused and reported,
    with no run stored; a failed month is recorded as a failed run and reported; the following
    months still run.
    """
    if start is not None and end is not None and start > end:
        raise RunRefused(f"the start ({start}) is after the end ({end})")
    with Session(engine) as session:
        rules = run_rules(options)
        preset, k = options.get("preset", "default"), options.get("k")
        # No data, no purchases, or too few customers even with all the data.
        check_run_request(session=session, as_of=None, name=None, rules=rules, preset=preset, k=k)
        first, last = purchase_span(session=session, rules=rules)
    start, end = max(start or first, first), min(end or last, last)
    results = []
    for cutoff in month_end_cutoffs(start, end):
        name = month_end_name(cutoff)
        try:
            run_id = execute_run(engine=engine, as_of=cutoff, name=name, **options)
            results.append({"as_of": cutoff, "run_id": run_id, "status": "finished", "error": None})
        except RunRefused as exc:
            results.append({"as_of": cutoff, "run_id": None, "status": "refused", "error": str(exc)})
        except RunFailed as exc:
            results.append({"as_of": cutoff, "run_id": exc.run_id, "status": "failed", "error": exc.error})
    return results
