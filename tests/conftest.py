"""Shared fixtures: every database test runs on SQLite and on Postgres, migrated by Alembic.

Each backend gets a template database migrated once per session (so the migrations are
tested); each test gets its own copy, so tests may commit, like the real commands do.
Postgres comes from SEGMENTS_TEST_POSTGRES_URL (an admin URL, default: local trust auth);
when it is unreachable the Postgres half is skipped on a laptop and fails under CI.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from db.admin import admin_url, create_database, drop_database
from db.migrate import upgrade
from db.session import create_db_engine, dispose_engines

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = Path(
    os.environ.get("SEGMENTS_REAL_DATA", REPO_ROOT.parent / "shared" / "data" / "online_retail.csv.gz")
)
PG_ADMIN_URL = admin_url("SEGMENTS_TEST_POSTGRES_URL")
IN_CI = bool(os.environ.get("CI")) or bool(os.environ.get("SEGMENTS_TEST_REQUIRE_POSTGRES"))
BACKENDS = ["sqlite", "postgres"]
_counter = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:  # fold the WAL back so a file copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _create_postgres(prefix: str) -> tuple[str, str]:
    """(name, URL) of a new empty Postgres database; skipped on a laptop without one, failed in CI."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        return name, create_database(PG_ADMIN_URL, name)
    except OperationalError as exc:
        message = f"Postgres not reachable at {PG_ADMIN_URL}: {str(exc.orig).strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_template():
    name, url = _create_postgres("segtpl")
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    drop_database(PG_ADMIN_URL, name)


def _fresh_database(backend: str, request, tmp_path: Path):
    if backend == "sqlite":
        path = tmp_path / "segments.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        dispose_engines()
        return
    template = request.getfixturevalue("postgres_template")
    name = f"segt_{os.getpid()}_{next(_counter)}"
    url = create_database(PG_ADMIN_URL, name, template=template)
    try:
        yield url
    finally:
        dispose_engines()  # commands cache an engine per URL: close it before the drop
        drop_database(PG_ADMIN_URL, name)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """URL of a fresh, migrated database of each backend (SQLite file, Postgres database)."""
    yield from _fresh_database(request.param, request, tmp_path)


@pytest.fixture
def sqlite_url(request, tmp_path) -> str:
    """A fresh, migrated SQLite file, for what only SQLite shows (its single write lock)."""
    yield from _fresh_database("sqlite", request, tmp_path)


@pytest.fixture
def postgres_url(request, tmp_path) -> str:
    """A fresh, migrated Postgres database, for what only a server shows (concurrent writers)."""
    yield from _fresh_database("postgres", request, tmp_path)


@pytest.fixture(params=BACKENDS)
def empty_db_url(request, tmp_path) -> str:
    """URL of an empty database of each backend, for tests that run the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        dispose_engines()
        return
    name, url = _create_postgres("segm")
    try:
        yield url
    finally:
        dispose_engines()
        drop_database(PG_ADMIN_URL, name)


@pytest.fixture
def engine(db_url):
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def real_data() -> Path:
    """The real UCI file; absent only on machines without ../shared (never in CI)."""
    if not REAL_DATA.is_file():
        if IN_CI:
            pytest.fail(f"real data file missing at {REAL_DATA}")
        pytest.skip(f"real data file not present at {REAL_DATA}")
    return REAL_DATA


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001 - pytest's hook signature
    """Free Arrow readers held in reference cycles (failed imports' tracebacks) while Arrow is
    whole: left to the interpreter's final collection they can abort the process (see run_main)."""
    import gc

    gc.collect()
