"""gunicorn entry point: ``gunicorn webapp.wsgi:server``.

Settings come from the environment. Importing builds the app but touches no database (the engine
is created in each worker on first request). Several workers share sessions and background jobs
only through a common key, so SEGMENTS_SECRET_KEY is required here. gunicorn serves a network,
so a login is always required (while no user exists every request gets a 503 saying how to add
one); SEGMENTS_NO_AUTH=1 opens it to anyone who can reach it, as ``serve --no-auth`` does.

A setting that is not usable stops the import with one line on stderr and exit code 4, which
gunicorn reads as "App failed to load" and shuts down instead of booting the worker again.
"""

from __future__ import annotations

import os
import sys

from dash import Dash

from db.settings import Settings, SettingsError
from webapp.app import create_app

NO_AUTH_ENV = "SEGMENTS_NO_AUTH"
APP_LOAD_ERROR = 4  # gunicorn's exit code for a worker whose app cannot load (1 would respawn it)


def _settings() -> Settings:
    settings = Settings.from_env()
    if not settings.secret_key:
        raise SettingsError(
            "SEGMENTS_SECRET_KEY is not set: gunicorn workers need one shared secret to sign sessions "
            "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return settings


def _build() -> Dash:
    try:
        return create_app(_settings(), auth_required=os.environ.get(NO_AUTH_ENV) != "1", warm_cache=True)
    except SettingsError as exc:  # a bad variable or cache directory: the message says which
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(APP_LOAD_ERROR)


app = _build()
server = app.server
