"""Login for the dashboard: once a user exists, every request needs a live login session.

One ``before_request`` hook guards everything Flask serves (pages, Dash callbacks and layout,
component bundles, assets, downloads), except the login form and the stylesheet it uses.
Anonymous page views are redirected to the login form; anything else gets 401. The signed
cookie carries a random session token that must match a row of ``login_sessions``, so logging
out or removing the user ends the session even for a copy of the cookie. Open on loopback (no
user yet), only requests addressed to a loopback name are answered: DNS rebinding would
otherwise hand the data to any web page the local browser visits.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, redirect, request, session
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from db.availability import describe, outage_cause
from db.session import for_writing
from webapp.login_throttle import forget_failures, record_failure, refused_until
from webapp.runtime import app_engine
from webapp.serving import host_header_is_loopback
from webapp.users import authenticate, end_session, session_user, start_session, users_exist
from webapp.wording import counted

log = logging.getLogger(__name__)
AUTH_MODE_KEY = "SEGMENTS_AUTH_REQUIRED"  # None: when users exist; True: always; False: never
LOOPBACK_KEY = "SEGMENTS_SERVED_ON_LOOPBACK"  # `segments serve` on a loopback address
BUSY = "The database is busy (an import is running); please try again in a minute."
UNAVAILABLE = "The database is unavailable at the moment; please try again shortly."
NO_USERS = (
    "this dashboard requires a login and has no users yet: "
    "add one with `segments users add NAME` against its database"
)
NOT_LOCAL = (
    "this dashboard is open without a login and only answers requests addressed to localhost, "
    "127.0.0.1 or [::1]: add a user with `segments users add NAME` to serve it under another name"
)
NOT_LOCAL_NO_AUTH = (
    "this dashboard is served on loopback without a login (--no-auth) and only answers requests "
    "addressed to localhost, 127.0.0.1 or [::1]"
)
# Browsers drop tabs and newlines from a URL and read a backslash as a slash, which could turn
# a "next" path into another site's address.
_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f\\]")
PUBLIC_KEY = "SEGMENTS_PUBLIC_PATHS"
PUBLIC_PATHS = frozenset({"/login", "/assets/bootstrap.min.css", "/assets/app.css"})
API_PREFIXES = ("/_dash", "/_favicon", "/assets/", "/download/")
# Code and styles, the same for everyone: may stay in the browser cache after a logout.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon")

# A small card page served by Flask itself (login, database outage): the app's own styles, no
# Dash. ``{{root}}`` stays a placeholder for the caller's format().
CARD_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Customer segments</title>
<link rel="stylesheet" href="{{root}}/assets/bootstrap.min.css">
<link rel="stylesheet" href="{{root}}/assets/app.css">
<link rel="icon" href="data:,">
</head><body>
<main class="card login-card shadow-sm"><div class="card-body">
<h1 class="h4 mb-3">Customer segments</h1>
{body}
</div></main></body></html>"""

LOGIN_PAGE = CARD_PAGE.format(
    title="Sign in",
    body="""{error}
<form method="post" action="{root}/login" id="login-form">
<input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<div class="mb-3"><label class="form-label" for="login-username">User name</label>
<input class="form-control" id="login-username" name="username" autocomplete="username"
 required autofocus></div>
<div class="mb-3"><label class="form-label" for="login-password">Password</label>
<input class="form-control" id="login-password" name="password" type="password"
 autocomplete="current-password" required></div>
<button class="btn btn-primary w-100" id="login-submit" type="submit">Sign in</button>
</form>""",
)


def install_auth(
    server: Flask,
    *,
    auth_required: bool | None,
    public_paths: frozenset[str] = PUBLIC_PATHS,
    cookie_secure: bool = False,
    loopback: bool = False,
) -> None:
    server.config[AUTH_MODE_KEY] = auth_required
    server.config[LOOPBACK_KEY] = loopback
    server.config[PUBLIC_KEY] = public_paths
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    server.before_request(require_login)
    server.after_request(no_store_behind_login)
    server.add_url_rule("/login", "segments_login", login_view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "segments_logout", logout_view, methods=["POST"])


def current_user() -> str | None:
    return session.get("user")


def no_store_behind_login(response: Response) -> Response:
    """Pages, callbacks and downloads behind a login are never stored by the browser: after
    "Log out", Back would otherwise show the previous page with its data from the cache."""
    if g.get("behind_login") and not request.path.startswith(STATIC_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def require_login() -> Response | None:
    mode = current_app.config.get(AUTH_MODE_KEY)
    g.behind_login = mode is not False  # until found otherwise: no users and no login asked
    if mode is False:  # --no-auth: open, and on loopback to loopback names only
        return _not_local(NOT_LOCAL_NO_AUTH) if current_app.config.get(LOOPBACK_KEY) else None
    if request.path in current_app.config.get(PUBLIC_KEY, PUBLIC_PATHS):
        return None
    with Session(app_engine()) as s:
        user = session_user(session=s, token=session.get("sid"))
        if user is not None:
            session["user"] = user
            return None
        if "sid" in session:  # logged out elsewhere, expired or removed: the cookie is worth nothing
            session.pop("sid")
            session.pop("user", None)
        if not users_exist(session=s):
            if mode is None:
                g.behind_login = False
                return _not_local(NOT_LOCAL)
            return Response(NO_USERS + "\n", status=503, mimetype="text/plain")
    return _refuse()


def _not_local(message: str) -> Response | None:
    """403 for a request addressed to another name than a loopback one (a page on a domain
    that rebinds to 127.0.0.1 would read the open dashboard), else None: go ahead."""
    if host_header_is_loopback(request.host):
        return None
    return Response(message + "\n", status=403, mimetype="text/plain")


def wants_page() -> bool:
    """A browser asking for a page (not a callback, bundle or download): it gets HTML."""
    return (
        request.method == "GET"
        and not request.path.startswith(API_PREFIXES)
        and request.accept_mimetypes.accept_html
    )


def _refuse() -> Response:
    if wants_page():
        target = request.full_path if request.query_string else request.path
        return redirect(f"{request.script_root}/login?{urlencode({'next': target})}")
    return Response("login required\n", status=401, mimetype="text/plain")


def safe_next(target: object) -> str:
    """Only same-site paths: never an absolute URL or a protocol-relative one, whatever the
    browser strips from it first."""
    if not isinstance(target, str) or not target.startswith("/") or _UNSAFE_NEXT.search(target):
        return "/"
    if target.startswith("//"):
        return "/"
    return target


def _login_form(*, error: str = "", next_path: str = "/", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    session["login_csrf"] = token
    body = LOGIN_PAGE.format(
        root=escape(request.script_root),
        csrf=escape(token),
        next=escape(safe_next(next_path)),
        error=f'<div class="alert alert-danger" id="login-error">{escape(error)}</div>' if error else "",
    )
    return Response(body, status=status, mimetype="text/html")


def _open_without_users() -> bool:
    """No user exists and the dashboard is open without them (loopback without users, or
    --no-auth): there is nobody to sign in as, so the form could only refuse. An outage: False
    (the form then says so)."""
    if current_app.config.get(AUTH_MODE_KEY) is True:
        return False
    try:
        with Session(app_engine()) as s:
            return not users_exist(session=s)
    except (OperationalError, InterfaceError):
        return False


def login_view() -> Response:
    if _open_without_users():  # was a form whose every answer was "Wrong user name or password."
        wanted = request.args.get("next") if request.method == "GET" else request.form.get("next")
        return redirect(f"{request.script_root}{safe_next(wanted)}")
    if request.method == "GET":
        error = ""
        status = 200
        try:
            if current_app.config.get(AUTH_MODE_KEY) is True:
                with Session(app_engine()) as s:
                    error = "" if users_exist(session=s) else NO_USERS[0].upper() + NO_USERS[1:] + "."
        except (OperationalError, InterfaceError) as exc:
            error, status = _outage_message(exc, "login page"), 503
        return _login_form(next_path=request.args.get("next", "/"), error=error, status=status)
    next_path = safe_next(request.form.get("next"))
    expected = session.pop("login_csrf", None)
    sent = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(expected, sent):
        return _login_form(error="The form expired, please sign in again.", next_path=next_path, status=400)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    address = request.remote_addr or ""
    token = retry_at = None
    try:
        with Session(for_writing(app_engine())) as s, s.begin():
            # Checked before the password, so guesses during a refusal learn nothing.
            retry_at = refused_until(session=s, username=username, address=address) if username else None
            if retry_at is None and username:
                if authenticate(session=s, username=username, password=password):
                    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
                    token = start_session(session=s, username=username, lifetime=lifetime)
                    end_session(session=s, token=session.get("sid"))  # the one this browser had
                    forget_failures(session=s, username=username, address=address)
                else:
                    record_failure(session=s, username=username, address=address)
    except (OperationalError, InterfaceError) as exc:
        error = _outage_message(exc, f"login of {username!r} refused")
        return _login_form(error=error, next_path=next_path, status=503)
    if retry_at is not None:
        return _too_many_failures(retry_at, next_path)
    if token is None:
        return _login_form(error="Wrong user name or password.", next_path=next_path, status=401)
    session.clear()  # a fresh session on login (no fixation)
    session["sid"] = token
    session["user"] = username
    session.permanent = True
    return redirect(f"{request.script_root}{next_path}")


def _too_many_failures(retry_at: datetime, next_path: str) -> Response:
    seconds = max(1, math.ceil((retry_at - datetime.now(UTC).replace(tzinfo=None)).total_seconds()))
    log.warning("login from %s refused: too many failed sign-ins", request.remote_addr)
    error = (
        "Too many failed sign-ins for this user name or from this address: "
        f"try again in {counted(math.ceil(seconds / 60), 'minute')}."
    )
    response = _login_form(error=error, next_path=next_path, status=429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _outage_message(exc: OperationalError | InterfaceError, what: str) -> str:
    """Log one line and say why the database cannot answer; re-raise what is no outage (a bug)."""
    cause = outage_cause(exc)
    if cause is None:
        raise exc
    log.warning("%s: database %s: %s", what, cause, describe(exc))
    # Busy: on SQLite an import holds the only write lock. Unavailable: no connection to the server.
    return BUSY if cause == "busy" else UNAVAILABLE


def logout_view() -> Response:
    try:
        with Session(for_writing(app_engine())) as s, s.begin():
            end_session(session=s, token=session.get("sid"))
    except (OperationalError, InterfaceError) as exc:
        # The cookie is cleared anyway; the row left behind expires with the session.
        _outage_message(exc, "logout could not end its session row")
    session.clear()
    # Open without users: the sign-in form has no one to sign in (it would send back here).
    return redirect(f"{request.script_root}{'/' if _open_without_users() else '/login'}")
