"""Database create/drop for tests and benchmarks: names are identifiers, never SQL."""

import pytest

from db.admin import create_database, database_url, drop_database


@pytest.mark.parametrize("name", ['x"; DROP DATABASE postgres; --', "1abc", "a-b", ""])
def test_names_that_are_not_plain_identifiers_are_refused(name):
    with pytest.raises(ValueError, match="not a plain database name"):
        create_database("postgresql+psycopg://nobody@127.0.0.1:1/postgres", name)


def test_url_points_at_the_named_database():
    url = database_url("postgresql+psycopg://u:p@h:5432/postgres", "segt_1")
    assert url == "postgresql+psycopg://u:p@h:5432/segt_1"


def test_create_then_drop(postgres_template):
    from db.session import create_db_engine
    from tests.conftest import PG_ADMIN_URL

    url = create_database(PG_ADMIN_URL, f"{postgres_template}_copy", template=postgres_template, replace=True)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT current_database()").scalar() == f"{postgres_template}_copy"
    engine.dispose()
    drop_database(PG_ADMIN_URL, f"{postgres_template}_copy")
    drop_database(PG_ADMIN_URL, f"{postgres_template}_copy")  # dropping again is fine
