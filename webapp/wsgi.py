"""gunicorn entry point: ``gunicorn webapp.wsgi:server``.

Settings come from the environment. Importing builds the app but touches no database (the engine
is created in each worker on first request). Several workers share sessions and background jobs
only through a common key, so SEGMENTS_SECRET_KEY is required here. gunicorn serves a network,
so a login is always required (while no user exists every request gets a 503 saying how to add
one); SEGMENTS_NO_AUTH=1 opens it to anyone who can reach it, as ``serve --no-auth`` does.
"""

from __future__ import annotations

import os

from db.settings import Settings
from webapp.app import create_app


def _settings() -> Settings:
    settings = Settings.from_env()
    if not settings.secret_key:
        raise RuntimeError(
            "SEGMENTS_SECRET_KEY is not set: gunicorn workers need one shared secret to sign sessions "
            "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return settings


NO_AUTH_ENV = "SEGMENTS_NO_AUTH"

app = create_app(_settings(), auth_required=os.environ.get(NO_AUTH_ENV) != "1", warm_cache=True)
server = app.server
