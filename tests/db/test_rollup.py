"""The invoice rollup answers every trend exactly as the lines do, and follows each import."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from analytics.sample_data import write_sample
from db import queries_trends as q
from db.ingest import ingest_file
from db.queries_cleaning import CleaningRules
from db.rollup import is_current, use_rollup
from db.session import create_db_engine
from tests.db.helpers import write_csv

BUILDERS = ["kpis", "sales_by_month", "sales_by_country", "frequency_histogram", "revenue_per_customer", "basket_size"]
RULES = [
    CleaningRules(),
    CleaningRules(start=date(2011, 3, 1), end=date(2011, 8, 31)),
    CleaningRules(countries=("France", "Germany")),
    CleaningRules(start=date(2011, 11, 1), countries=("United Kingdom",)),
]


def _same_answers(session: Session) -> None:
    for rules in RULES:
        for name in BUILDERS:
            builder = getattr(q, name)
            from_lines = sorted(map(tuple, session.execute(builder(rules)).all()), key=repr)
            from_rollup = sorted(map(tuple, session.execute(builder(rules, rollup=True)).all()), key=repr)
            assert from_rollup == from_lines, (name, rules)


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample.csv"
    write_sample(path, customers=150, seed=3)
    return path


def test_rollup_matches_the_lines_after_imports(db_url, sample, tmp_path):
    engine = create_db_engine(db_url)
    with Session(engine) as session, session.begin():
        assert not is_current(session=session)
        ingest_file(sample, session=session)
    with Session(engine) as session:
        assert use_rollup(session=session, rules=CleaningRules(countries=("France",)))
        assert not use_rollup(session=session, rules=CleaningRules(include_non_product=True))
        assert not use_rollup(session=session, rules=CleaningRules(returns="net"))
        _same_answers(session)
    # A second file adds a line to an invoice already folded in, and a new invoice.
    extra = [
        ["536999", "22423", "CAKESTAND", "2", "2011-12-14 10:00", "12.75", "99001", "France"],
        ["536999", "22424", "PLATE", "3", "2011-12-14 10:00", "1.25", "99001", "France"],
    ]
    header = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
    first = write_csv(tmp_path / "a.csv", extra[:1], header=header)
    second = write_csv(tmp_path / "b.csv", extra, header=header)
    for path in (first, second):
        with Session(engine) as session, session.begin():
            ingest_file(path, session=session)
    with Session(engine) as session:
        assert is_current(session=session)
        _same_answers(session)
        revenue_france = dict(
            (c, r) for c, r, *_ in session.execute(q.sales_by_country(CleaningRules(), rollup=True)).all()
        )["France"]
        lines_france = dict((c, r) for c, r, *_ in session.execute(q.sales_by_country(CleaningRules())).all())["France"]
        assert revenue_france == lines_france
    engine.dispose()


def test_lines_stored_without_an_import_are_not_hidden(engine):
    """Rows written outside ingestion (no rollup for their batch) make the trends read the lines."""
    from tests.transaction_factory import insert_lines

    insert_lines(engine=engine)
    with Session(engine) as session:
        assert not is_current(session=session)
        assert not use_rollup(session=session, rules=CleaningRules())
