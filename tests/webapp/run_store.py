"""Two stored runs over the hand-made store of tests/analytics/run_fixtures.py, known answers.

Run 1 (as of 2011-11-01, k=2): "High value" = c01-c09, "At risk" = c10-c15.
Run 2 (as of 2011-12-10, k=3): "High value" = c01-c03, "Steady mid-value" = c04-c09,
"At risk" = c10-c15. So c04-c09 moved from "High value" to "Steady mid-value".
Countries: c01-c03 United Kingdom, c04-c09 France, c10-c15 a formula-like text.
"""

from __future__ import annotations

from datetime import date

from analytics.runs import execute_run
from tests.analytics.run_fixtures import AS_OF, load_store

EARLY = date(2011, 11, 1)
FORMULA_COUNTRY = "=cmd|' /C calc'!A0"


def make_two_runs(engine) -> tuple[int, int]:
    load_store(engine)
    first = execute_run(engine=engine, as_of=EARLY, k=2, name="early", stability_resamples=1)
    second = execute_run(engine=engine, as_of=AS_OF, k=3, name="later", stability_resamples=1)
    return first, second


def customers(*numbers: int) -> list[str]:
    return [f"c{n:02d}" for n in numbers]
