"""Fixtures shared by the database tests."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from db.admin import _NAME, database_url, drop_database
from db.migrate import upgrade
from db.session import create_db_engine, dispose_engines
from tests.conftest import IN_CI, PG_ADMIN_URL


@pytest.fixture
def icu_url():
    """A fresh, migrated Postgres database whose text sorts by ICU's en-US rules."""
    name = f"segicu_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    assert _NAME.match(name)
    admin = create_db_engine(PG_ADMIN_URL)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text(
                    f'CREATE DATABASE "{name}" TEMPLATE template0 '
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' ENCODING 'UTF8'"
                )
            )
    except (OperationalError, ProgrammingError) as exc:
        message = f"no ICU Postgres database at {PG_ADMIN_URL}: {str(exc.orig).strip()}"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    finally:
        admin.dispose()
    url = database_url(PG_ADMIN_URL, name)
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:  # the premise: this database sorts the other way
            assert conn.scalar(text("SELECT 'United Kingdom' < 'USA'")) is True
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        engine.dispose()
        dispose_engines()
        drop_database(PG_ADMIN_URL, name)
