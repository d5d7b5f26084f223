"""Answers while the database is down or busy: 503 with a short reason instead of a 500.

Every page, callback and download reaches the database (the login check alone does), so an
outage would otherwise show a server error and a traceback per request. Errors that are no
outage (a bad query, a missing table) are re-raised and stay server errors. Nothing is cached
about the failure: the next request tries again, so the app recovers when the database does.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError

from db.availability import describe, outage_cause, ping
from webapp.auth import CARD_PAGE, wants_page
from webapp.runtime import current_settings

log = logging.getLogger(__name__)
READY_PATH = "/readyz"
RETRY_AFTER_SECONDS = "30"
MESSAGES = {
    "busy": "The database is busy (an import is running); please try again in a minute.",
    "unavailable": "The database is unavailable at the moment; please try again shortly.",
}
PAGE = CARD_PAGE.format(
    title="Database unavailable",
    body="""<div class="alert alert-warning" id="db-unavailable">{message}</div>
<a class="btn btn-primary w-100" href="">Try again</a>""",
)


def install_db_unavailable(server: Flask) -> None:
    server.register_error_handler(OperationalError, database_outage)
    server.register_error_handler(InterfaceError, database_outage)
    server.add_url_rule(READY_PATH, "segments_ready", ready_view)


def database_outage(exc: OperationalError | InterfaceError) -> Response:
    cause = outage_cause(exc)
    if cause is None:
        raise exc  # a bug: Flask logs it and answers 500
    log.warning("%s %s: database %s: %s", request.method, request.path, cause, describe(exc))
    message = MESSAGES[cause]
    if wants_page():
        body = PAGE.format(root=escape(request.script_root), message=escape(message))
        response = Response(body, status=503, mimetype="text/html")
    else:  # callbacks, downloads: Dash shows no body, but a client or a log reader can
        response = Response(message + "\n", status=503, mimetype="text/plain")
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    response.headers["Cache-Control"] = "no-store"
    return response


def ready_view() -> Response:
    """Readiness: can a new connection run ``SELECT 1`` (the reason goes to the log only: this
    path is public, and a driver's message names hosts and users)."""
    failure = ping(current_settings().database_url)
    if failure is not None:
        log.warning("%s: database unavailable: %s", READY_PATH, failure)
        return Response("database unavailable\n", status=503, mimetype="text/plain")
    return Response("ready\n", mimetype="text/plain")
