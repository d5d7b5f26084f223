"""RFM from the database, on both backends, against figures worked out by hand.

The lines are in tests/transaction_factory.py. Default rules keep, per customer:
12345: 536001 (2 x 1.50), 536002 (10 x 0.85)      -> F 2, M 11.50, last 2011-03-05 09:30
12346: 536004 6.30, 536005 4.25, 536006 7.50, 536009 100.00 -> F 4, M 118.05, last 04-01 15:00
12347: 536008 (4 x 0.42)                           -> F 1, M 1.68, last 2011-03-20 11:00
12348 buys only a manual line "m", 12349 only returns, 536011 has no customer: all dropped.
Snapshot = last kept line (2011-04-01 15:00) + 1 day = 2011-04-02 15:00.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from analytics.cleaning import REFERENCE_RULES, CleaningRules
from analytics.rfm import FRAME_COLUMNS, NoTransactions, compute_rfm
from tests.transaction_factory import insert_lines


def _rfm(engine, **kwargs):
    with Session(engine) as session:
        return compute_rfm(session=session, **kwargs)


def _rows(result, *columns):
    return {row["customer_id"]: tuple(row[c] for c in columns) for row in result.frame.to_dict("records")}


def test_default_rules(engine):
    insert_lines(engine=engine)
    result = _rfm(engine)
    assert result.snapshot == datetime(2011, 4, 2, 15, 0)
    frame = result.frame
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert list(frame["customer_id"]) == ["12345", "12346", "12347"]
    assert _rows(result, "recency", "frequency", "monetary") == {
        "12345": (28, 2, 11.50),  # 04-02 15:00 - 03-05 09:30 = 28 d 5.5 h
        "12346": (1, 4, 118.05),
        "12347": (13, 1, 1.68),  # 04-02 15:00 - 03-20 11:00 = 13 d 4 h
    }
    assert _rows(result, "first_purchase", "last_purchase")["12345"] == (
        datetime(2011, 1, 10, 10, 0),
        datetime(2011, 3, 5, 9, 30),
    )
    # France and Germany on two invoices each: the most recent wins.
    assert _rows(result, "country") == {
        "12345": ("United Kingdom",),
        "12346": ("Germany",),
        "12347": ("United Kingdom",),
    }
    assert str(frame["recency"].dtype) == "int64" and str(frame["frequency"].dtype) == "int64"
    assert str(frame["monetary"].dtype) == "float64"
    assert str(frame["last_purchase"].dtype) == "datetime64[ns]"


def test_as_of_cuts_off_later_lines(engine):
    insert_lines(engine=engine)
    result = _rfm(engine, as_of=date(2011, 3, 31))
    assert result.snapshot == datetime(2011, 3, 31)
    # 536009 (04-01, 100.00) must not leak in; 12346 is then mostly French.
    assert _rows(result, "recency", "frequency", "monetary", "country") == {
        "12345": (25, 2, 11.50, "United Kingdom"),  # 03-31 00:00 - 03-05 09:30 = 25 d 14.5 h
        "12346": (29, 3, 18.05, "France"),
        "12347": (10, 1, 1.68, "United Kingdom"),
    }


def test_as_of_is_strictly_before(engine):
    insert_lines(engine=engine)
    result = _rfm(engine, as_of=datetime(2011, 4, 1, 15, 0))
    assert _rows(result, "frequency", "monetary")["12346"] == (3, 18.05)
    result = _rfm(engine, as_of=datetime(2011, 4, 1, 15, 1))
    assert _rows(result, "recency", "frequency", "monetary")["12346"] == (0, 4, 118.05)


def test_reference_rules_keep_non_product_codes(engine):
    insert_lines(engine=engine)
    result = _rfm(engine, rules=REFERENCE_RULES)
    assert _rows(result, "recency", "frequency", "monetary") == {
        "12345": (28, 2, 29.50),  # + POST 18.00
        "12346": (1, 4, 118.05),
        "12347": (13, 2, 18.35),  # + gift voucher 16.67
        "12348": (8, 1, 2.00),  # lower-case "m" alone; 04-02 15:00 - 03-25 10:00
    }
    assert _rows(result, "first_purchase")["12347"] == (datetime(2011, 3, 10, 11, 0),)


def test_net_returns_subtract_from_monetary_only(engine):
    insert_lines(engine=engine)
    result = _rfm(engine, rules=CleaningRules(returns="net"))
    # The return C536003 (-2 x 0.85) lowers M but is no purchase: F and recency unchanged;
    # 12349, with a return and no sale, is no customer.
    assert _rows(result, "recency", "frequency", "monetary") == {
        "12345": (28, 2, 9.80),
        "12346": (1, 4, 118.05),
        "12347": (13, 1, 1.68),
    }


def test_country_and_date_rules(engine):
    insert_lines(engine=engine)
    rules = CleaningRules(countries=("France",), end=date(2011, 2, 28))
    result = _rfm(engine, rules=rules)
    assert result.snapshot == datetime(2011, 2, 16, 12, 0)
    assert _rows(result, "recency", "frequency", "monetary") == {"12346": (1, 2, 10.55)}


def test_empty_population(engine):
    with pytest.raises(NoTransactions):
        _rfm(engine)
    insert_lines(engine=engine)
    result = _rfm(engine, as_of=date(2010, 1, 1))
    assert result.frame.empty and list(result.frame.columns) == list(FRAME_COLUMNS)
    assert result.snapshot == datetime(2010, 1, 1)
