"""Create and drop whole Postgres databases through an admin URL (tests and benchmarks).

Database names cannot be bound parameters in DDL, so they are quoted by the dialect and must
be plain identifiers.
"""

from __future__ import annotations

import os
import re

from sqlalchemy import make_url, text

from db.session import create_db_engine
from db.settings import normalise_database_url

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def admin_url(env_var: str) -> str:
    """The admin URL from ``env_var``, else local trust auth, normalised to psycopg 3."""
    return normalise_database_url(os.environ.get(env_var) or DEFAULT_ADMIN_URL)


def database_url(admin: str, name: str) -> str:
    """``admin`` pointed at database ``name``."""
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def _execute(admin: str, sql: str, name: str, template: str | None = None) -> None:
    for identifier in (name,) if template is None else (name, template):
        if not _NAME.match(identifier):
            raise ValueError(f"not a plain database name: {identifier!r}")
    engine = create_db_engine(admin)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            quote = conn.dialect.identifier_preparer.quote
            conn.execute(text(sql.format(name=quote(name), template=quote(template or ""))))
    finally:
        engine.dispose()


def create_database(admin: str, name: str, *, template: str | None = None, replace: bool = False) -> str:
    """Create database ``name`` (dropping one of that name first if ``replace``); its URL."""
    if replace:
        drop_database(admin, name)
    _execute(admin, "CREATE DATABASE {name}" + (" TEMPLATE {template}" if template else ""), name, template)
    return database_url(admin, name)


def drop_database(admin: str, name: str) -> None:
    _execute(admin, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", name)
