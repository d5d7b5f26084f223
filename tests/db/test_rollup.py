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


def test_an_import_that_finds_the_rollup_behind_rebuilds_it(engine, sample, tmp_path):
    """A rollup not current with the batch before (here: emptied, its record gone) is summed
    again from every line by the next import, which then records it current."""
    from sqlalchemy import delete

    from db.models import InvoiceRollup, RollupState

    with Session(engine) as session, session.begin():
        ingest_file(sample, session=session)
    with Session(engine) as session, session.begin():
        session.execute(delete(InvoiceRollup))
        session.execute(delete(RollupState))
    header = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
    row = ["537000", "22423", "CAKESTAND", "2", "2011-12-14 10:00", "12.75", "99001", "France"]
    with Session(engine) as session, session.begin():
        ingest_file(write_csv(tmp_path / "late.csv", [row], header=header), session=session)
    with Session(engine) as session:
        assert is_current(session=session)
        assert len(_rollup_rows(session)) > 1  # the sample's invoices too, not only this one
        _same_answers(session)


def _rollup_rows(session: Session) -> list[tuple]:
    from sqlalchemy import select

    from db.models import InvoiceRollup as R

    columns = (R.invoice_no, R.customer_id, R.country, R.invoice_date, R.purchase, R.quantity, R.revenue)
    return sorted(map(tuple, session.execute(select(*columns)).all()), key=repr)


def test_rollup_folded_by_imports_equals_a_rebuild(db_url, tmp_path):
    """Imports fold their own lines in; the result must equal summing every stored line again."""

    from db.ingest import IngestOptions
    from db.rollup import rebuild

    def line(invoice, code, qty, price, customer="17850", when="2011-01-05 10:00", country="United Kingdom"):
        return [invoice, code, "ITEM", qty, when, price, customer, country]

    a = [
        line("536365", "85123A", "6", "2.55"),
        line("536365", "85123A", "6", "2.55"),  # repeat inside a chunk
        line("c536366", "85123A", "-1", "2.55"),  # cancellation, lower case
        line("536367", "post", "1", "18"),  # non-product, lower case
        line("536368", "gift_0001_20", "1", "20"),  # voucher
        line("536369", "22423", "2", "0"),  # no price
        line("536371", "22423", "2", "12.75", customer=""),  # no customer
        line("536370", "A1", "1", "1.10", customer="12583", country="France", when="2011-02-01 09:00"),
        line("536370", "A2", "2", "2.20", customer="12583", country="France", when="2011-02-01 09:00"),
        line("536370", "A3", "3", "3.30", customer="12583", country="France", when="2011-02-01 09:00"),
        line("536365", "85123A", "6", "2.55"),  # repeat of a line two chunks back
        line("536372", "22720", "4", "4.95", customer="13047", when="2011-03-01 12:00"),
    ]
    b = [
        a[7],  # stored already
        line("536370", "A4", "4", "4.40", customer="12583", country="France", when="2011-02-01 09:00"),
        a[11],  # stored already
        line("536373", "22720", "1", "4.95", customer="13047", when="2011-03-02 12:00"),
    ]
    engine = create_db_engine(db_url)
    for name, rows in (("a.csv", a), ("b.csv", b)):
        with Session(engine) as session, session.begin():
            ingest_file(write_csv(tmp_path / name, rows), session=session, options=IngestOptions(chunk_rows=3))
    with Session(engine) as session, session.begin():
        folded = _rollup_rows(session)
        rebuild(session=session)
        assert _rollup_rows(session) == folded
    engine.dispose()
    by_invoice = {row[0]: row for row in folded}
    assert sorted(by_invoice) == ["536365", "536370", "536372", "536373"]
    assert by_invoice["536365"][5:] == (6, 6 * 25500)
    assert by_invoice["536370"][5:] == (10, 11000 + 2 * 22000 + 3 * 33000 + 4 * 44000)
