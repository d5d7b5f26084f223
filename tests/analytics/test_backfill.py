"""Month-end cut-offs for backfilled runs."""

from __future__ import annotations

from datetime import date

from analytics.backfill import month_end_cutoffs


def test_one_cutoff_per_complete_month():
    # The UCI file runs from 2010-12-01 to 2011-12-09: December 2011 is not complete.
    cutoffs = month_end_cutoffs(date(2010, 12, 1), date(2011, 12, 9))
    assert cutoffs[0] == date(2011, 1, 1) and cutoffs[-1] == date(2011, 12, 1) and len(cutoffs) == 12


def test_edges():
    assert month_end_cutoffs(date(2012, 2, 15), date(2012, 2, 29)) == [date(2012, 3, 1)]  # leap day
    assert month_end_cutoffs(date(2011, 2, 15), date(2011, 2, 27)) == []
    assert month_end_cutoffs(date(2011, 11, 30), date(2012, 1, 31)) == [
        date(2011, 12, 1),
        date(2012, 1, 1),
        date(2012, 2, 1),
    ]
