"""One as-of rule (analytics.as_of): the span of the purchases a run's cleaning rules keep.

TRIMMED_LINES starts with a cancellation and ends with a line without customer id, so the
stored lines span more days than the purchases do; both backends.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.as_of import as_of_bounds, as_of_refusal, purchase_span, transaction_span
from analytics.backfill import backfill
from analytics.cleaning import CleaningRules
from analytics.runs import RunRefused, default_rules, execute_run
from db.models import Run
from tests.analytics.run_fixtures import load_trimmed_store

SPAN = (date(2011, 1, 5), date(2011, 3, 20))


def test_bounds_and_refusals():
    assert as_of_bounds(SPAN) == (date(2011, 1, 6), date(2011, 3, 21))
    for day in (date(2011, 1, 6), date(2011, 3, 21), datetime(2011, 3, 21, 23, 59)):
        assert as_of_refusal(day, SPAN) is None
    assert as_of_refusal(date(2011, 1, 5), SPAN) == (
        "as-of 2011-01-05 leaves no purchase before it (purchases start on 2011-01-05): "
        "choose a day from 2011-01-06 to 2011-03-21"
    )
    assert as_of_refusal(date(2011, 3, 22), SPAN) == (
        "as-of 2011-03-22 is after purchases end (2011-03-20), so every customer would look lapsed: "
        "choose a day from 2011-01-06 to 2011-03-21"
    )
    assert as_of_refusal(None, SPAN) is None and as_of_refusal(date(2011, 1, 1), None) is None


def test_the_span_is_the_purchases_the_rules_keep(engine):
    load_trimmed_store(engine)
    with Session(engine) as s:
        assert transaction_span(session=s) == (date(2010, 12, 31), date(2011, 4, 2))
        assert purchase_span(session=s, rules=default_rules("default")) == SPAN
        assert purchase_span(session=s, rules=default_rules("reference")) == (
            date(2011, 1, 4),
            date(2011, 3, 20),
        )
        # Netted returns are kept lines, but no purchase: the span still starts on the 5th.
        assert purchase_span(session=s, rules=CleaningRules(returns="net")) == SPAN
        france = CleaningRules(countries=("France",))
        assert purchase_span(session=s, rules=france) == (date(2011, 2, 2), date(2011, 2, 2))
        assert purchase_span(session=s, rules=CleaningRules(countries=("Atlantis",))) is None


@pytest.mark.parametrize(
    ("preset", "day", "says"),
    [
        (
            "default",
            date(2011, 1, 5),
            "as-of 2011-01-05 leaves no purchase before it (purchases start on 2011-01-05)",
        ),
        (
            "reference",
            date(2011, 1, 4),
            "as-of 2011-01-04 leaves no purchase before it (purchases start on 2011-01-04)",
        ),
        ("default", date(2011, 3, 22), "as-of 2011-03-22 is after purchases end (2011-03-20)"),
        ("reference", date(2011, 4, 3), "as-of 2011-04-03 is after purchases end (2011-03-20)"),
    ],
)
def test_a_day_inside_the_stored_lines_but_outside_the_purchases_is_refused(engine, preset, day, says):
    load_trimmed_store(engine)
    with pytest.raises(RunRefused) as refused:
        execute_run(engine=engine, preset=preset, k=2, as_of=day, stability_resamples=1)
    assert str(refused.value).startswith(says)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 0  # refused, not a failed run


def test_rules_that_keep_no_purchase_are_refused(engine):
    load_trimmed_store(engine)
    with pytest.raises(RunRefused, match="^the cleaning rules keep no purchase with a customer id"):
        execute_run(engine=engine, rules=CleaningRules(countries=("Atlantis",)))


def test_backfill_months_are_cut_to_the_purchases(engine):
    load_trimmed_store(engine)
    # The stored lines would give month ends 2010-12 to 2011-03; only January and February
    # end inside the purchases (March's end, 1 April, is after the last one on 20 March).
    results = backfill(engine=engine, k=2, stability_resamples=1)
    assert [r["as_of"] for r in results] == [date(2011, 2, 1), date(2011, 3, 1)]
    assert [r["status"] for r in results] == ["finished", "finished"]
