"""The Dash app factory: pages, local theme, login, background jobs; no database work here."""

from __future__ import annotations

import logging
import math
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import diskcache
from dash import Dash, DiskcacheManager
from flask import Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from db.migrate import SchemaError
from db.settings import Settings
from webapp.auth import PUBLIC_PATHS, install_auth
from webapp.cache_dirs import job_cache_dir
from webapp.components.shell import app_shell
from webapp.db_unavailable import READY_PATH, install_db_unavailable
from webapp.downloads import install_downloads
from webapp.runtime import SETTINGS_KEY, remember_settings
from webapp.warmup import install_warmer

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
EPHEMERAL_SECRET_KEY = "SEGMENTS_EPHEMERAL_SECRET"
HEALTH_PATH = "/healthz"  # liveness: the process answers (no database; see READY_PATH)


def upload_request_limit(upload_max_mb: int) -> int:
    """Bytes allowed per request: an upload travels base64-encoded (4/3) inside a JSON body."""
    return math.ceil(upload_max_mb * 1024 * 1024 * 4 / 3) + 1024 * 1024


def create_app(
    settings: Settings | None = None,
    *,
    auth_required: bool | None = None,
    warm_cache: bool = False,
    loopback: bool = False,
) -> Dash:
    """A configured Dash app; the engine is created on first use, in the serving process.

    ``auth_required``: None requires a login whenever a user exists, False never (``--no-auth``),
    True always. ``warm_cache``: keep the first views' aggregates computed ahead (serving only).
    ``loopback``: served on a loopback address, so even ``--no-auth`` answers only requests
    addressed to a loopback name (DNS rebinding).
    """
    settings = settings or Settings.from_env()
    remember_settings(settings)
    manager = DiskcacheManager(diskcache.Cache(str(job_cache_dir(settings))))
    app = Dash(
        __package__ or "webapp",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_ignore=r"^bootstrap\.min\.css$",  # linked explicitly below, so it loads first
        serve_locally=True,
        title="Customer segments",
        update_title=None,
        suppress_callback_exceptions=True,
        background_callback_manager=manager,
    )
    app.config.external_stylesheets = [app.get_asset_url("bootstrap.min.css")]
    app.layout = app_shell

    server = app.server
    server.config[SETTINGS_KEY] = settings
    server.config[EPHEMERAL_SECRET_KEY] = settings.secret_key is None
    # Without a configured key, sessions last as long as this process (fine on one machine).
    server.secret_key = settings.secret_key or secrets.token_hex(32)
    server.config["MAX_CONTENT_LENGTH"] = upload_request_limit(settings.upload_max_mb)
    server.add_url_rule(HEALTH_PATH, "segments_health", lambda: Response("ok\n", mimetype="text/plain"))
    if settings.proxy_hops:
        # The client's address (which the login throttle counts) from the proxies' X-Forwarded-For;
        # only the last hops are believed, as a client can send any header of its own.
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.proxy_hops)
    else:
        server.before_request(_warn_once_of_an_untrusted_proxy())  # first: sees every request
    install_auth(
        server,
        auth_required=auth_required,
        public_paths=PUBLIC_PATHS | {HEALTH_PATH, READY_PATH},
        cookie_secure=settings.cookie_secure,
        loopback=loopback,
    )
    install_db_unavailable(server)
    install_downloads(server)
    if warm_cache:
        install_warmer(server)
    server.register_error_handler(SchemaError, _schema_unusable)
    server.before_request(_check_page_location)
    return app


def _warn_once_of_an_untrusted_proxy() -> Callable[[], None]:
    """A hook logging, once per app (one per worker process), that requests carry X-Forwarded-For
    while no proxy is trusted: behind one every client has its address, so the login throttle
    counts all clients' failures as one address's."""
    warned = threading.Event()

    def hook() -> None:
        if not warned.is_set() and "X-Forwarded-For" in request.headers:
            warned.set()
            log.warning(
                "requests carry X-Forwarded-For but SEGMENTS_PROXY_HOPS is 0: behind a reverse proxy, "
                "set it to the number of proxies in front (usually 1), or the login throttle counts "
                "every client as the proxy's address"
            )

    return hook


def _check_page_location() -> Response | None:
    """Refuse a callback request whose page location is not text: Dash Pages' own routing
    callback would fail on it with a server error (a browser always sends text)."""
    if not request.path.endswith("/_dash-update-component"):
        return None
    body = request.get_json(silent=True)  # cached: Dash reads the same parsed body
    inputs = body.get("inputs") if isinstance(body, dict) else None
    for item in inputs if isinstance(inputs, list) else []:
        if isinstance(item, dict) and item.get("id") == "_pages_location":
            value = item.get("value")
            path_ok = item.get("property") != "pathname" or (isinstance(value, str) and value.startswith("/"))
            if not path_ok or not (value is None or isinstance(value, str)):
                return Response("malformed page location\n", status=400, mimetype="text/plain")
    return None


def _schema_unusable(exc: SchemaError) -> Response:
    # Say what is wrong instead of a bare 500 when the database is older or newer than the code.
    return Response(f"database not ready: {exc}\n", status=503, mimetype="text/plain")
