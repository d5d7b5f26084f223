"""While an import holds SQLite's write lock: commands and the web app wait for it, or say why not."""

from __future__ import annotations

import base64
import json
import shutil
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ImportBatch, User
from db.session import create_db_engine
from db.settings import Settings
from tests.analytics.run_fixtures import load_store
from tests.held_import import HeldImport, late_customer_csv
from tests.webapp.conftest import PASSWORD, TINY_CSV, create_user, login
from tests.webapp.test_db_outage import CLOSED_PORT_URL
from webapp.app import create_app, job_cache_dir
from webapp.cli import cli

TINY_UPLOAD = {"contents": "data:text/csv;base64," + base64.b64encode(TINY_CSV.encode()).decode()}


@pytest.fixture
def engine(sqlite_url):
    engine = create_db_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def impatient(monkeypatch):
    """Writers wait 0.2 s for the lock instead of 30 s (new connections only)."""
    monkeypatch.setattr("db.session.SQLITE_BUSY_TIMEOUT_MS", 200)


@pytest.fixture
def make_app():
    made = []

    def _make(url):
        settings = Settings(database_url=url, secret_key="test-secret-key", upload_max_mb=1)
        made.append(settings)
        return create_app(settings)

    yield _make
    for settings in made:
        shutil.rmtree(job_cache_dir(settings), ignore_errors=True)


def invoke(*args, **env):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def test_users_add_waits_for_the_import(engine, sqlite_url, tmp_path):
    with HeldImport(engine, late_customer_csv(tmp_path)) as held:
        held.finish_after(1.0)
        started = time.monotonic()
        result = invoke("users", "add", "bob", "--db", sqlite_url, SEGMENTS_USER_PASSWORD=PASSWORD)
        assert time.monotonic() - started >= 0.9
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert session.scalars(select(User.username)).all() == ["bob"]


def test_segments_run_waits_for_the_import(engine, sqlite_url, tmp_path):
    load_store(engine)
    with HeldImport(engine, late_customer_csv(tmp_path)) as held:
        held.finish_after(1.0)
        result = invoke("run", "--db", sqlite_url, "--preset", "reference", "--k", "3", "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)
    assert run["status"] == "finished" and run["error"] is None and len(run["segments"]) == 3


def test_login_waits_for_the_import(engine, sqlite_url, tmp_path, make_app):
    client = make_app(sqlite_url).server.test_client()
    create_user(engine)
    with HeldImport(engine, late_customer_csv(tmp_path)) as held:
        held.finish_after(1.0)
        assert login(client).status_code == 302


def test_upload_waits_for_the_import(engine, sqlite_url, tmp_path, make_app):
    make_app(sqlite_url)
    from webapp.pages import data

    with HeldImport(engine, late_customer_csv(tmp_path)) as held:
        held.finish_after(1.0)
        outcome, refresh = data.upload_file(lambda _p: None, {**TINY_UPLOAD, "filename": "tiny.csv"}, 0)
    assert outcome.id == "data-upload-summary" and refresh == 1
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ImportBatch)) == 2


def test_upload_during_a_longer_import_says_busy(engine, sqlite_url, tmp_path, make_app, impatient):
    make_app(sqlite_url)
    from webapp.pages import data

    with HeldImport(engine, late_customer_csv(tmp_path)):
        outcome, refresh = data.upload_file(lambda _p: None, {**TINY_UPLOAD, "filename": "tiny.csv"}, 0)
    assert outcome.id == "data-upload-error" and outcome.color == "warning" and refresh is data.no_update
    text = " ".join(str(part.children) for part in outcome.children)
    assert text == "tiny.csv was not loaded:  " + data.MESSAGES["busy"]
    with Session(engine) as session:  # nothing of it was stored; the import was
        assert session.scalars(select(ImportBatch.source_name)).all() == ["late-customer.csv"]


def test_upload_with_the_database_down_says_unavailable(make_app):
    make_app(CLOSED_PORT_URL)
    from webapp.pages import data

    outcome, refresh = data.upload_file(lambda _p: None, {**TINY_UPLOAD, "filename": "tiny.csv"}, 0)
    assert outcome.id == "data-upload-error" and refresh is data.no_update
    assert data.MESSAGES["unavailable"] in str(outcome.children)
