"""A database that is down or busy: 503 with a short reason, one log line, recovery on its own."""

from __future__ import annotations

import logging
import shutil
import threading

import pytest
from sqlalchemy import make_url, text

from db.admin import create_db_engine
from db.settings import Settings
from tests.conftest import PG_ADMIN_URL
from tests.webapp.conftest import create_user, login
from tests.webapp.test_auth import CALLBACK, HTML
from webapp.app import create_app, job_cache_dir

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/x"


@pytest.fixture
def down_app():
    """An app whose database server does not answer (nothing listens on port 1)."""
    settings = Settings(database_url=CLOSED_PORT_URL, secret_key="test-secret-key")

    def _make(**kwargs):
        return create_app(settings, **kwargs).server.test_client()

    yield _make
    shutil.rmtree(job_cache_dir(settings), ignore_errors=True)


def _one_line_warnings(caplog) -> list[logging.LogRecord]:
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in records), records
    return records


@pytest.mark.parametrize("auth_required", [None, True])
def test_page_callback_and_download_get_503_without_traceback(down_app, caplog, auth_required):
    client = down_app(auth_required=auth_required)
    page = client.get("/data", headers=HTML)
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "database is unavailable" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] and page.headers["Cache-Control"] == "no-store"
    for response in (
        client.post("/_dash-update-component", json=CALLBACK),
        client.get("/_dash-layout"),
        client.get("/download/rejected-rows.csv", headers=HTML),
    ):
        assert response.status_code == 503 and response.mimetype == "text/plain"
        assert "database is unavailable" in response.get_data(as_text=True)
    records = _one_line_warnings(caplog)
    assert len(records) == 4 and all("Connection refused" in r.getMessage() for r in records)


def test_login_form_and_login_say_unavailable_not_busy(down_app, caplog):
    client = down_app(auth_required=True)
    form = client.get("/login")
    assert form.status_code == 503 and 'id="login-form"' in form.get_data(as_text=True)
    response = login(client)  # the form's token is still issued
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "database is unavailable" in body and "busy" not in body
    assert len(_one_line_warnings(caplog)) == 3  # each form shown and the login


def test_healthz_stays_up_and_readyz_reports_the_database(down_app, caplog):
    client = down_app(auth_required=True)
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_data(as_text=True) == "database unavailable\n"
    assert "Connection refused" in _one_line_warnings(caplog)[0].getMessage()


def test_readyz_is_public_and_ready_on_a_live_database(make_app, engine):
    create_user(engine)
    client = make_app(auth_required=True).server.test_client()
    assert client.get("/_dash-layout").status_code == 401
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_data(as_text=True) == "ready\n"


def test_a_missing_table_stays_a_server_error(make_app, engine):
    # On SQLite a missing table is an OperationalError too: it is a bug, not an outage.
    client = make_app(auth_required=True).server.test_client()
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE users RENAME TO users_elsewhere"))
    response = client.get("/_dash-layout")
    assert response.status_code == 500 and "unavailable" not in response.get_data(as_text=True)


def set_connections(name: str, *, allowed: bool) -> None:
    admin = create_db_engine(PG_ADMIN_URL)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(text(f"ALTER DATABASE {quoted} ALLOW_CONNECTIONS {'true' if allowed else 'false'}"))
            if not allowed:  # and end the app's pooled connections, as a server restart would
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                )
    finally:
        admin.dispose()


def test_a_postgres_outage_gives_503_and_the_app_recovers_without_restart(postgres_url, caplog):
    settings = Settings(database_url=postgres_url, secret_key="test-secret-key")
    client = create_app(settings, auth_required=True).server.test_client()
    name = make_url(postgres_url).database
    engine = create_db_engine(postgres_url)
    create_user(engine)
    engine.dispose()
    assert login(client).status_code == 302
    assert client.get("/_dash-layout").status_code == 200
    set_connections(name, allowed=False)
    try:
        assert client.get("/_dash-layout").status_code == 503
        assert client.get("/data", headers=HTML).status_code == 503
        assert client.post("/_dash-update-component", json=CALLBACK).status_code == 503
        assert client.get("/readyz").status_code == 503
    finally:
        set_connections(name, allowed=True)
    assert client.get("/_dash-layout").status_code == 200  # still logged in: the session row kept
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 200
    assert client.get("/readyz").status_code == 200
    assert len(_one_line_warnings(caplog)) == 4
    shutil.rmtree(job_cache_dir(settings), ignore_errors=True)


def test_the_warmer_logs_one_line_per_round_while_the_database_is_down(down_app, caplog, monkeypatch):
    from webapp import warmup

    down_app()  # the warmer takes the settings of the last app built in this process
    monkeypatch.setattr(warmup, "_started", set())
    stop = threading.Event()
    thread = warmup.start_warmer(stop)
    try:
        for _ in range(200):
            if any(r.name == warmup.__name__ for r in caplog.records):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    records = [r for r in _one_line_warnings(caplog) if r.name == warmup.__name__]
    assert records and "database unavailable" in records[0].getMessage()
