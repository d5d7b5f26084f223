"""gunicorn entry point: ``gunicorn webapp.wsgi:server``.

Settings come from the environment. Importing builds the app but touches no database (the engine
is created in each worker on first request). Several workers share sessions and background jobs
only through a common key, so SEGMENTS_SECRET_KEY is required here.
"""

from __future__ import annotations

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


app = create_app(_settings(), warm_cache=True)
server = app.server
