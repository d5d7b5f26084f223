"""Login rules through the Flask test client, against the real app and database."""

from datetime import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.migrate import ensure_schema
from db.models import LoginSession
from db.session import create_db_engine
from tests.webapp.conftest import PASSWORD, create_user, login
from webapp.users import remove_user

HTML = {"Accept": "text/html,application/xhtml+xml"}
CALLBACK = {
    "output": "..overview-country.options...overview-empty.children...overview-body.style..."
    "overview-dates.min_date_allowed...overview-dates.max_date_allowed...overview-dates.initial_visible_month..",
    "outputs": [
        {"id": "overview-country", "property": "options"},
        {"id": "overview-empty", "property": "children"},
        {"id": "overview-body", "property": "style"},
        {"id": "overview-dates", "property": "min_date_allowed"},
        {"id": "overview-dates", "property": "max_date_allowed"},
        {"id": "overview-dates", "property": "initial_visible_month"},
    ],
    "inputs": [{"id": "overview-country", "property": "id", "value": "overview-country"}],
    "changedPropIds": [],
    "state": [{"id": "overview-country", "property": "value", "value": None}],
}


def component_suite_url(client) -> str:
    html = client.get("/", headers=HTML).get_data(as_text=True)
    start = html.index("/_dash-component-suites/")
    return html[start : html.index('"', start)]


def test_open_when_no_user_exists(client):
    assert client.get("/", headers=HTML).status_code == 200
    assert client.get("/data", headers=HTML).status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    response = client.post("/_dash-update-component", json=CALLBACK)
    assert response.status_code == 200
    assert "The database is empty" in response.get_data(as_text=True)
    assert client.get("/download/rejected-rows.csv").status_code == 200


@pytest.mark.parametrize("mode", [None, False])  # loopback without users, --no-auth
def test_open_without_users_login_goes_on_and_logout_goes_home(make_app, engine, mode):
    """Was: /login?next=/campaigns showed a form whose every answer was 401 "Wrong user name or
    password.", and logging out led to that form."""
    client = make_app(auth_required=mode).server.test_client()
    response = client.get("/login?next=/campaigns?run=3", headers=HTML)
    assert response.status_code == 302 and response.headers["Location"] == "/campaigns?run=3"
    for unsafe in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert client.get("/login", query_string={"next": unsafe}).headers["Location"] == "/"
    posted = client.post("/login", data={"username": "x", "password": "y", "next": "/runs"})
    assert posted.status_code == 302 and posted.headers["Location"] == "/runs"
    out = client.post("/logout")
    assert out.status_code == 302 and out.headers["Location"] == "/"

    create_user(engine)  # someone to sign in as: the form again, and logging out leads to it
    assert client.get("/login?next=/campaigns").status_code == 200
    if mode is False:  # (on loopback the anonymous logout now needs a login: 401)
        assert client.post("/logout").headers["Location"] == "/login"


def test_anonymous_requests_refused_once_a_user_exists(client, engine):
    suite = component_suite_url(client)  # learnt while still open
    create_user(engine)
    page = client.get("/data?batch=2", headers=HTML)
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=%2Fdata%3Fbatch%3D2"
    assert client.get("/", headers=HTML).headers["Location"] == "/login?next=%2F"
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-dependencies").status_code == 401
    assert client.get("/download/rejected-rows.csv", headers=HTML).status_code == 401
    with client.get(suite) as bundle:
        assert bundle.status_code == 401
    # Only what the login page itself needs stays public.
    assert client.get("/login").status_code == 200
    with client.get("/assets/bootstrap.min.css") as css:  # a file response: close it
        assert css.status_code == 200
    assert client.get("/healthz").status_code == 200


def test_login_then_everything_works_and_logout_ends_it(client, engine):
    create_user(engine)
    response = login(client, next_path="/data")
    assert response.status_code == 302 and response.headers["Location"] == "/data"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/data", headers=HTML).status_code == 200
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 200
    assert client.get("/download/rejected-rows.csv").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert '"nav-user"' in layout and "alice" in layout
    assert client.post("/logout").status_code == 302
    assert client.get("/", headers=HTML).status_code == 302
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 401


def test_session_cookie_is_secure_when_set(make_app, engine):
    """SEGMENTS_COOKIE_SECURE=1 behind an HTTPS proxy: the browser never sends it in clear."""
    create_user(engine)
    cookie = login(make_app(cookie_secure=True).server.test_client()).headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie
    assert "Secure" not in login(make_app().server.test_client()).headers["Set-Cookie"]


def no_store(response) -> bool:
    return (
        response.headers.get("Cache-Control") == "no-store" and response.headers.get("Pragma") == "no-cache"
    )


def test_nothing_behind_a_login_stays_in_the_browser_cache(client, engine):
    suite = component_suite_url(client)
    assert not no_store(client.get("/", headers=HTML))  # open dashboard: caching is harmless
    create_user(engine)
    login(client)
    # Was: cacheable, so Back after "Log out" showed the previous page and its data.
    assert no_store(client.get("/data", headers=HTML))
    assert no_store(client.get("/_dash-layout"))
    assert no_store(client.post("/_dash-update-component", json=CALLBACK))
    assert no_store(client.get("/download/rejected-rows.csv"))
    with client.get("/assets/app.css") as css, client.get(suite) as bundle:  # code and styles may
        assert css.status_code == bundle.status_code == 200
        assert not no_store(css) and not no_store(bundle)
    assert no_store(client.post("/logout"))
    assert no_store(client.get("/", headers=HTML))  # the redirect to the login form


def test_wrong_password_and_forged_form_are_refused(client, engine):
    create_user(engine)
    wrong = login(client, password="not the password")
    assert wrong.status_code == 401
    assert "Wrong user name or password" in wrong.get_data(as_text=True)
    no_token = client.post("/login", data={"username": "alice", "password": "correct horse battery"})
    assert no_token.status_code == 400
    assert client.get("/", headers=HTML).status_code == 302


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",  # browsers drop the tab: "//evil.example"
        "/\n/evil.example",
        "/x\r\nSet-Cookie: a=1",
        " //evil.example",
    ],
)
def test_login_never_redirects_off_site(client, engine, next_path):
    create_user(engine)
    assert login(client, next_path=next_path).headers["Location"] == "/"
    assert 'name="next" value="/"' in client.get("/login", query_string={"next": next_path}).get_data(
        as_text=True
    )


def test_login_keeps_a_same_site_next_path(client, engine):
    create_user(engine)
    assert login(client, next_path="/campaigns?run=2&segment=At+risk").headers["Location"] == (
        "/campaigns?run=2&segment=At+risk"
    )


def test_removed_user_loses_the_session(client, engine):
    create_user(engine)
    create_user(engine, "bob")
    login(client)
    assert client.get("/", headers=HTML).status_code == 200
    with Session(engine) as s, s.begin():
        remove_user(session=s, username="alice")
    assert client.get("/", headers=HTML).status_code == 302


def _cookie_jar(client) -> dict:
    with client.session_transaction() as sess:
        return dict(sess)


def _replay(client, saved: dict) -> None:
    with client.session_transaction() as sess:
        sess.clear()
        sess.update(saved)


def test_a_kept_cookie_is_worthless_after_logout(client, engine):
    create_user(engine)
    login(client)
    saved = _cookie_jar(client)
    assert client.post("/logout").status_code == 302
    _replay(client, saved)
    assert client.get("/_dash-layout").status_code == 401
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 401


def test_logout_ends_only_that_browsers_session(make_app, engine):
    create_user(engine)
    app = make_app()
    first, second = app.server.test_client(), app.server.test_client()
    login(first)
    login(second)
    first.post("/logout")
    assert first.get("/_dash-layout").status_code == 401
    assert second.get("/_dash-layout").status_code == 200


def test_a_user_removed_and_added_again_does_not_revive_old_cookies(client, engine):
    create_user(engine)
    create_user(engine, "bob")
    login(client)
    saved = _cookie_jar(client)
    with Session(engine) as s, s.begin():
        remove_user(session=s, username="alice")
    create_user(engine, password="another password 2")
    _replay(client, saved)
    assert client.get("/_dash-layout").status_code == 401


def test_an_expired_session_is_refused(client, engine):
    create_user(engine)
    login(client)
    with Session(engine) as s, s.begin():
        s.execute(update(LoginSession).values(expires_at=datetime(2000, 1, 1)))
    assert client.get("/_dash-layout").status_code == 401


def test_a_forged_session_token_is_refused(client, engine):
    create_user(engine)
    with client.session_transaction() as sess:
        sess["sid"] = "made-up"
        sess["user"] = "alice"
    assert client.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("mode", [False])
def test_no_auth_mode_serves_without_login(make_app, engine, mode):
    create_user(engine)
    client = make_app(auth_required=mode).server.test_client()
    assert client.get("/", headers=HTML).status_code == 200
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 200


def test_auth_required_mode_refuses_even_without_users(make_app):
    client = make_app(auth_required=True).server.test_client()
    for response in (
        client.get("/", headers=HTML),
        client.post("/_dash-update-component", json=CALLBACK),
        client.get("/_dash-layout"),
        client.get("/download/rejected-rows.csv"),
    ):
        assert response.status_code == 503
        assert "segments users add NAME" in response.get_data(as_text=True)
    assert "no users yet" in client.get("/login").get_data(as_text=True)


def test_auth_required_mode_locks_again_when_the_last_user_goes(make_app, engine):
    create_user(engine)
    client = make_app(auth_required=True).server.test_client()
    login(client)
    assert client.get("/_dash-layout").status_code == 200
    with Session(engine) as s, s.begin():
        remove_user(session=s, username="alice")
    assert client.get("/_dash-layout").status_code == 503
    assert client.get("/download/rejected-rows.csv").status_code == 503


def test_login_while_an_import_holds_the_sqlite_write_lock(tmp_path, monkeypatch):
    """SQLite has one writer: a login that waited for an import in vain says so, not a 500."""
    import sqlite3

    monkeypatch.setattr("db.session.SQLITE_BUSY_TIMEOUT_MS", 200)  # not 30 s

    from db.settings import Settings
    from webapp.app import create_app

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    client = create_app(Settings(database_url=url, secret_key="k")).server.test_client()
    engine = create_db_engine(url)
    ensure_schema(engine)
    create_user(engine)
    importer = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # as an import's transaction does
    try:
        busy = login(client)
        assert busy.status_code == 503 and "an import is running" in busy.get_data(as_text=True)
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    assert login(client).status_code == 302  # and once it is done, logging in works
    engine.dispose()


def test_logging_in_again_ends_the_browsers_previous_session(client, engine):
    create_user(engine)
    login(client)
    saved = _cookie_jar(client)
    login(client)
    assert client.get("/_dash-layout").status_code == 200
    _replay(client, saved)
    assert client.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("host", ["attacker.example:8050", "attacker.example", "foo.localhost:8050", "10.0.0.5"])
def test_open_dashboard_refuses_other_host_names(client, host):
    """DNS rebinding: a page on attacker.example rebound to 127.0.0.1 reaches the server under
    its own name; open on loopback, only loopback names are answered (was: 200 with the data)."""
    for response in (
        client.get("/download/rejected-rows.csv", headers={"Host": host}),
        client.get("/", headers={**HTML, "Host": host}),
        client.post("/_dash-update-component", json=CALLBACK, headers={"Host": host}),
    ):
        assert response.status_code == 403
        text = response.get_data(as_text=True)
        assert text.startswith("this dashboard is open without a login") and text.count("\n") == 1


@pytest.mark.parametrize("host", ["localhost:8050", "127.0.0.1:8050", "127.0.0.2", "[::1]:8050", "LOCALHOST"])
def test_open_dashboard_answers_loopback_host_names(client, host):
    assert client.get("/download/rejected-rows.csv", headers={"Host": host}).status_code == 200


def test_any_host_name_is_served_once_a_login_is_required(make_app, engine):
    """A reverse proxy passing its own Host works as soon as a user exists (the login guards)."""
    create_user(engine)
    proxied = make_app().server.test_client()
    base = "http://segments.example.com"
    assert proxied.get("/download/rejected-rows.csv", base_url=base).status_code == 401
    proxied.get("/login", base_url=base)
    with proxied.session_transaction(base_url=base) as sess:
        token = sess["login_csrf"]
    form = {"username": "alice", "password": PASSWORD, "csrf_token": token, "next": "/"}
    assert proxied.post("/login", data=form, base_url=base).status_code == 302
    assert proxied.get("/download/rejected-rows.csv", base_url=base).status_code == 200
    no_auth = make_app(auth_required=False).server.test_client()  # --no-auth: explicitly open
    assert no_auth.get("/download/rejected-rows.csv", base_url=base).status_code == 200


def test_no_auth_on_loopback_answers_loopback_names_only(make_app, engine):
    """`serve --no-auth` on 127.0.0.1 is as open as a loopback server without users: DNS
    rebinding must not reach it either (was: any Host answered); on a network address
    --no-auth stays open to every name."""
    create_user(engine)  # --no-auth ignores users: open all the same
    local = make_app(auth_required=False, loopback=True).server.test_client()
    foreign = local.get("/download/rejected-rows.csv", headers={"Host": "attacker.example:8050"})
    assert foreign.status_code == 403
    assert foreign.get_data(as_text=True).startswith("this dashboard is served on loopback without a login")
    assert local.get("/download/rejected-rows.csv", headers={"Host": "localhost:8050"}).status_code == 200
    network = make_app(auth_required=False, loopback=False).server.test_client()
    assert network.get("/download/rejected-rows.csv", headers={"Host": "attacker.example"}).status_code == 200
