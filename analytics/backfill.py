"""One run per month end, so segment sizes can be followed over time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from analytics.runs import RunFailed, RunRefused, execute_run, transaction_span


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

    Runs are named "month end YYYY-MM". The range is cut to the span of the data (a month
    before the first purchase could only fail). A failed month is recorded as a failed run and
    reported; the following months still run.
    """
    if start is not None and end is not None and start > end:
        raise RunRefused(f"the start ({start}) is after the end ({end})")
    with Session(engine) as session:
        span = transaction_span(session=session)
    if span is None:
        raise RunRefused("no transactions yet: import a file first ('segments ingest FILE' or the Data page)")
    start, end = max(start or span[0], span[0]), min(end or span[1], span[1])
    results = []
    for cutoff in month_end_cutoffs(start, end):
        name = f"month end {cutoff - timedelta(days=1):%Y-%m}"
        try:
            run_id = execute_run(engine=engine, as_of=cutoff, name=name, **options)
            results.append({"as_of": cutoff, "run_id": run_id, "status": "finished", "error": None})
        except RunFailed as exc:
            results.append({"as_of": cutoff, "run_id": exc.run_id, "status": "failed", "error": exc.error})
    return results
