"""Trend tables on both backends, against figures worked out by hand.

Sale lines kept by the default rules (tests/transaction_factory.py):
2011-01  536001 12345 UK       2 items   3.00
2011-02  536004 12346 France   3 items   6.30
2011-02  536005 12346 France   1 item    4.25
2011-03  536006 12346 Germany  6 items   7.50
2011-03  536002 12345 UK      10 items   8.50
2011-03  536008 12347 UK       4 items   1.68
2011-04  536009 12346 Germany 100 items 100.00
Total 131.23 over 7 invoices, 126 items, 3 customers (12345: 11.50, 12346: 118.05, 12347: 1.68).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from analytics import trends
from analytics.cleaning import CleaningRules
from tests.transaction_factory import insert_lines

JAPAN = CleaningRules(countries=("Japan",))


@pytest.fixture
def session(engine):
    insert_lines(engine=engine)
    with Session(engine) as session:
        yield session


def _records(frame):
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_sales_by_month(session):
    frame = trends.sales_by_month(session=session)
    assert _records(frame) == [
        ("2011-01", 3.00, 1, 1),
        ("2011-02", 10.55, 2, 1),
        ("2011-03", 17.68, 3, 3),
        ("2011-04", 100.00, 1, 1),
    ]


def test_sales_by_month_fills_empty_months_of_the_range(session):
    rules = CleaningRules(start=date(2010, 11, 15), end=date(2011, 5, 10), countries=("Germany",))
    frame = trends.sales_by_month(session=session, rules=rules)
    assert _records(frame) == [
        ("2010-11", 0.0, 0, 0),
        ("2010-12", 0.0, 0, 0),
        ("2011-01", 0.0, 0, 0),
        ("2011-02", 0.0, 0, 0),
        ("2011-03", 7.50, 1, 1),
        ("2011-04", 100.00, 1, 1),
        ("2011-05", 0.0, 0, 0),
    ]
    assert str(frame["orders"].dtype) == "int64"


def test_sales_by_month_net_of_returns(session):
    frame = trends.sales_by_month(session=session, rules=CleaningRules(returns="net"))
    # March loses the return C536003 (-1.70); February the return of 12349 (-5.00), who has
    # no sale: revenue moves, orders do not, and 12349 is one of February's customers.
    assert _records(frame)[1:3] == [("2011-02", 5.55, 2, 2), ("2011-03", 15.98, 3, 3)]


def test_sales_by_country_top_and_other(session):
    frame = trends.sales_by_country(session=session, top=2)
    assert _records(frame) == [
        ("Germany", 107.50, 2, 1, round(107.50 / 131.23, 6)),
        ("United Kingdom", 13.18, 3, 2, round(13.18 / 131.23, 6)),
        ("Other", 10.55, 2, 1, round(10.55 / 131.23, 6)),
    ]
    no_other = trends.sales_by_country(session=session, top=2, other=False)
    assert list(no_other["country"]) == ["Germany", "United Kingdom"]
    assert len(trends.sales_by_country(session=session, top=10)) == 3  # no empty "Other"


def test_purchase_frequency(session):
    frame = trends.purchase_frequency(session=session)
    counts = dict(zip(frame["bucket"], frame["customers"], strict=True))
    assert counts == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 0, "6-10": 0, "11-20": 0, "21-50": 0, "51+": 0}
    # With manual lines and vouchers kept, 12347 has 2 invoices and 12348 appears with 1.
    frame = trends.purchase_frequency(session=session, rules=CleaningRules(include_non_product=True))
    assert frame["customers"].tolist()[:4] == [1, 2, 0, 1]


def test_basket_size(session):
    row = trends.basket_size(session=session).to_dict("records")[0]
    assert row == {
        "invoices": 7,
        "avg_items": 18.0,
        "avg_value": round(131.23 / 7, 4),
        "max_items": 100,
        "max_value": 100.0,
    }


def test_revenue_per_customer_and_kpis(session):
    dist = trends.revenue_per_customer(session=session)
    customers = dict(zip(dist["bucket"], dist["customers"], strict=True))
    assert (customers["0-100"], customers["100-250"], dist["customers"].sum()) == (2, 1, 3)
    assert dist["revenue"].sum() == pytest.approx(131.23)
    assert trends.kpis(session=session) == {
        "revenue": 131.23,
        "orders": 7,
        "customers": 3,
        "items": 126,
        "avg_basket_items": 18.0,
        "avg_basket_value": round(131.23 / 7, 4),
        "revenue_per_customer_mean": round(131.23 / 3, 4),
        "revenue_per_customer_median": 11.50,
        "first_date": datetime(2011, 1, 10, 10, 0),
        "last_date": datetime(2011, 4, 1, 15, 0),
        # 536011: 5 x 3.00 in March, no customer id: left out, and said so.
        "without_customer_revenue": 15.0,
        "without_customer_lines": 1,
    }


def test_net_kpis_and_empty_selection(session):
    net = trends.kpis(session=session, rules=CleaningRules(returns="net"))
    # Both returns subtract (-1.70, -5.00); orders count sales only. 12349 only returned goods
    # (-5.00): a customer with no order, so the customer figures add up to the revenue.
    assert (net["revenue"], net["orders"], net["customers"]) == (124.53, 7, 4)
    # The value per order is net too (it was the gross 131.23 / 7 next to net revenue).
    assert net["avg_basket_value"] == round(124.53 / 7, 4) == 17.79
    basket = trends.basket_size(session=session, rules=CleaningRules(returns="net")).to_dict("records")[0]
    assert (basket["invoices"], basket["avg_value"], basket["max_value"]) == (7, 17.79, 100.0)
    # 12345: 11.50 - 1.70 = 9.80, 12346: 118.05, 12347: 1.68, 12349: -5.00.
    assert net["revenue_per_customer_mean"] == round(124.53 / 4, 4) == 31.1325
    assert net["revenue_per_customer_median"] == round((1.68 + 9.80) / 2, 4) == 5.74
    per_customer = trends.revenue_per_customer(session=session, rules=CleaningRules(returns="net"))
    assert per_customer["revenue"].sum() == pytest.approx(124.53)
    assert per_customer["customers"].tolist() == [1, 2, 1, 0, 0, 0, 0, 0, 0]  # -5.00 in "<0"
    rows = trends.customer_revenue(session=session, rules=CleaningRules(returns="net"))
    assert _records(rows) == [
        ("12345", 2, 9.80),
        ("12346", 4, 118.05),
        ("12347", 1, 1.68),
        ("12349", 0, -5.0),
    ]
    frequency = trends.purchase_frequency(session=session, rules=CleaningRules(returns="net"))
    assert frequency["bucket"].tolist()[:3] == ["0", "1", "2"]  # "0": returns only
    assert frequency["customers"].tolist()[:5] == [1, 1, 1, 0, 1]
    assert frequency["customers"].sum() == net["customers"]
    empty = trends.kpis(session=session, rules=JAPAN)
    assert (empty["revenue"], empty["orders"], empty["revenue_per_customer_median"]) == (0.0, 0, 0.0)
    assert trends.sales_by_month(session=session, rules=JAPAN).empty
    assert trends.basket_size(session=session, rules=JAPAN)["invoices"][0] == 0
    assert trends.sales_by_country(session=session, rules=JAPAN).empty


# Lines without a customer id (None or ""), which every trend leaves out, and what that adds up to.
ANONYMOUS = (
    ("600001", "X1", 2, "2011-05-01 10:00", "1.50", None, "France"),  # 3.00
    ("600002", "X1", 1, "2011-05-02 10:00", "4.00", "", "France"),  # 4.00, empty id
    ("C600003", "X1", -1, "2011-05-03 10:00", "1.50", None, "France"),  # return: -1.50 if netted
    ("600004", "POST", 1, "2011-05-04 10:00", "18.00", None, "France"),  # postage: 18.00 if kept
    ("600005", "X1", 1, "2011-06-01 10:00", "2.00", None, "Spain"),  # 2.00
)


@pytest.mark.parametrize(
    ("rules", "revenue", "lines"),
    [
        (CleaningRules(), 9.00, 3),
        (CleaningRules(returns="net"), 7.50, 4),
        (CleaningRules(include_non_product=True), 27.00, 4),
        (CleaningRules(countries=("France",)), 7.00, 2),
        (CleaningRules(end=date(2011, 5, 31)), 7.00, 2),
        (CleaningRules(start=date(2011, 7, 1)), 0.0, 0),
    ],
)
def test_sales_without_a_customer_are_counted_apart(engine, rules, revenue, lines):
    insert_lines(engine=engine, lines=ANONYMOUS)
    with Session(engine) as session:
        kpis = trends.kpis(session=session, rules=rules)
    assert (kpis["orders"], kpis["customers"], kpis["revenue"]) == (0, 0, 0.0)
    assert (kpis["without_customer_revenue"], kpis["without_customer_lines"]) == (revenue, lines)
