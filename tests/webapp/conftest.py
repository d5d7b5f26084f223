"""Web app fixtures: a real app on each test database, a Flask test client, users, sample files."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from db.session import get_engine
from db.settings import Settings
from webapp.app import create_app, job_cache_dir
from webapp.users import add_user

PASSWORD = "correct horse battery"

# Four distinct lines, one exact duplicate, one unparsable quantity; days > 12 keep dates unambiguous.
TINY_CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/13/2010 8:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/13/2010 8:26,3.39,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,12/14/2010 8:28,1.85,17851,France
536366,22633,HAND WARMER UNION JACK,6,12/14/2010 8:28,1.85,17851,France
536367,22634,=HYPERLINK(1),abc,12/14/2010 8:28,1.85,17851,France
536368,22635,NO CUSTOMER,2,12/15/2010 9:00,1.00,,France
"""


@pytest.fixture(autouse=True)
def _close_cached_engines(request):
    """The app and the CLI use the process-wide engine of a URL: close its connections before the
    test database is dropped (otherwise psycopg warns when they are garbage-collected)."""
    url = request.getfixturevalue("db_url") if "db_url" in request.fixturenames else None
    yield
    if url:
        get_engine(url).dispose()


@pytest.fixture
def tiny_csv(tmp_path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY_CSV)
    return path


@pytest.fixture
def make_app(db_url):
    settings = Settings(database_url=db_url, secret_key="test-secret-key", upload_max_mb=1)

    def _make(currency: str | None = None, *, cookie_secure: bool = False, proxy_hops: int = 0, **kwargs):
        changes = {"currency": currency, "cookie_secure": cookie_secure, "proxy_hops": proxy_hops}
        return create_app(replace(settings, **changes), **kwargs)

    yield _make
    shutil.rmtree(job_cache_dir(settings), ignore_errors=True)  # per-database job/result cache


@pytest.fixture
def client(make_app):
    return make_app().server.test_client()


def create_user(engine, name: str = "alice", password: str = PASSWORD) -> None:
    with Session(engine) as s, s.begin():
        add_user(session=s, username=name, password=password)


def login(client, name: str = "alice", password: str = PASSWORD, next_path: str = "/"):
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["login_csrf"]
    return client.post(
        "/login", data={"username": name, "password": password, "csrf_token": token, "next": next_path}
    )
