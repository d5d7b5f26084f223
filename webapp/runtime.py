"""Where pages and callbacks get the settings and the database engine from.

Inside a request the settings come from the Flask app that ``create_app`` configured. Background
callbacks run in a forked process without a request, so the factory also records the settings
of the last app it built for this process.
"""

from __future__ import annotations

import threading

from flask import current_app, has_app_context
from sqlalchemy import Engine

from db.migrate import ensure_schema
from db.session import get_engine
from db.settings import Settings

SETTINGS_KEY = "SEGMENTS_SETTINGS"

_process_settings: Settings | None = None
_ready_urls: set[str] = set()
_lock = threading.Lock()


def remember_settings(settings: Settings) -> None:
    global _process_settings
    _process_settings = settings


def current_settings() -> Settings:
    if has_app_context() and SETTINGS_KEY in current_app.config:
        return current_app.config[SETTINGS_KEY]
    if _process_settings is None:
        raise RuntimeError("no web app configured in this process: call webapp.app.create_app() first")
    return _process_settings


def app_engine() -> Engine:
    """The engine for the configured database; an empty database is migrated on first use."""
    url = current_settings().database_url
    engine = get_engine(url)
    if url not in _ready_urls:
        with _lock:
            if url not in _ready_urls:
                ensure_schema(engine)
                _ready_urls.add(url)
    return engine
