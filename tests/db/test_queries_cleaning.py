"""Which lines the cleaning rules keep, money in exact units, month buckets: on both backends."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from db.models import Transaction
from db.queries_cleaning import CleaningRules, clean_lines, money
from db.sql_dates import month_key
from tests.transaction_factory import insert_lines

LINES = [
    ("1", "85123A", 6, "2011-01-31 23:59", "2.55", "1", "UK"),  # kept: 15.30
    ("2", "post", 1, "2011-02-01 00:00", "18.00", "1", "UK"),  # postage, any case
    ("3", "Bank Charges", 1, "2011-02-01 00:00", "15.00", "1", "UK"),
    ("4", "GIFT_0001_40", 1, "2011-02-01 00:00", "33.33", "1", "UK"),  # voucher prefix
    ("5", "GIFTX0001", 1, "2011-02-01 00:00", "1.25", "1", "UK"),  # "_" is no wildcard: kept
    ("6", None, 3, "2011-02-01 00:00", "0.001", "1", "UK"),  # no stock code: kept, 0.003
    ("c7", "85123A", -1, "2011-02-02 00:00", "2.55", "1", "UK"),  # lower-case "c": a return
    ("8", "85123A", 0, "2011-02-02 00:00", "2.55", "1", "UK"),  # zero quantity
    ("9", "85123A", 1, "2011-02-02 00:00", "-2.55", "1", "UK"),  # negative price
    ("10", "85123A", 1, "2011-02-02 00:00", "2.55", None, "UK"),  # no customer
    ("11", "85123A", 2, "2011-03-01 00:00", "2.55", "2", "France"),  # kept: 5.10
    ("12", "85123A", -2, "2011-03-02 00:00", "2.55", "2", "France"),  # a shop's own refund number
    ("13", "85123A", -3, "2011-03-02 00:00", "0", "2", "France"),  # stock written off: no money
]


def _kept(engine, rules, **kwargs):
    lines = clean_lines(rules, **kwargs).subquery()
    query = select(lines.c.invoice_no, lines.c.revenue, lines.c.purchase)
    with engine.connect() as conn:  # sorted here: collations differ between the backends
        return sorted(
            (invoice, money(revenue), purchase) for invoice, revenue, purchase in conn.execute(query)
        )


def test_default_rules(engine):
    insert_lines(engine=engine, lines=LINES)
    assert _kept(engine, CleaningRules()) == [
        ("1", 15.30, 1),
        ("11", 5.10, 1),
        ("5", 1.25, 1),
        ("6", 0.003, 1),
    ]


def test_non_product_codes_and_returns(engine):
    insert_lines(engine=engine, lines=LINES)
    kept = _kept(engine, CleaningRules(include_non_product=True, returns="net"))
    assert kept == [
        ("1", 15.30, 1),
        ("11", 5.10, 1),
        ("12", -5.10, 0),  # was left out: only "C" numbers were returns
        ("2", 18.00, 1),
        ("3", 15.00, 1),
        ("4", 33.33, 1),
        ("5", 1.25, 1),
        ("6", 0.003, 1),
        ("c7", -2.55, 0),
    ]


def test_dates_countries_and_cutoff(engine):
    insert_lines(engine=engine, lines=LINES)
    # end is an inclusive day: 2011-01-31 23:59 is in, 2011-03-01 00:00 is not.
    assert [k[0] for k in _kept(engine, CleaningRules(end=date(2011, 1, 31)))] == ["1"]
    assert [k[0] for k in _kept(engine, CleaningRules(start=date(2011, 3, 1)))] == ["11"]
    assert [k[0] for k in _kept(engine, CleaningRules(countries=("France",)))] == ["11"]
    assert [k[0] for k in _kept(engine, CleaningRules(), before=datetime(2011, 2, 1))] == ["1"]


def test_month_key(engine):
    insert_lines(engine=engine, lines=LINES)
    t = Transaction.__table__
    month = month_key(t.c.invoice_date).label("month")
    query = select(month).distinct().order_by(month)
    with engine.connect() as conn:
        assert conn.execute(query).scalars().all() == ["2011-01", "2011-02", "2011-03"]


def test_rules_validation():
    with pytest.raises(ValueError, match="returns"):
        CleaningRules(returns="keep")
    with pytest.raises(ValueError, match="after"):
        CleaningRules(start=date(2011, 2, 1), end=date(2011, 1, 1))
    assert CleaningRules(countries=["UK"]).countries == ("UK",)
    assert hash(CleaningRules(countries=["UK"])) == hash(CleaningRules(countries=("UK",)))
