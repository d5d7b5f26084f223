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


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_removing_a_batch_during_an_import_says_busy_and_keeps_it(
    backend, request, tmp_path, make_app, monkeypatch
):
    """The Data page's removal gives up after its wait (SQLite's busy timeout, Postgres's
    lock_timeout) with the busy message, and the batch stays."""
    from tests.webapp.test_callback_inputs import _post
    from tests.webapp.test_data_page import _removal_callbacks

    url = request.getfixturevalue(f"{backend}_url")
    monkeypatch.setattr("db.session.SQLITE_BUSY_TIMEOUT_MS", 1000)
    monkeypatch.setattr("webapp.batch_removal_ui.WAIT_SECONDS", 1)
    engine = create_db_engine(url)
    first = tmp_path / "first.csv"
    first.write_text(TINY_CSV)
    with Session(engine) as s, s.begin():
        from db.ingest import ingest_file

        ingest_file(first, session=s)
    client = make_app(url).server.test_client()
    _ask, remove = _removal_callbacks(client)
    values = {"data-remove-confirm.n_clicks": 1, "data-remove-batch.value": 1, "data-refresh.data": 0}
    with HeldImport(engine, late_customer_csv(tmp_path)):
        response = _post(client, remove, values)
    assert response.status_code == 200, response.get_data(as_text=True)
    alert = response.get_json()["response"]["data-remove-result"]["children"]["props"]
    assert alert["children"] == (
        "Batch #1 was not removed. The database is busy (an import is running); please try again in a minute."
    )
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 2  # kept, and the import's
    engine.dispose()
