"""Apply the Alembic history programmatically (the CLI and the tests share this path)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from db.session import for_writing

REPO_ROOT = Path(__file__).resolve().parent.parent
# A regular install ships migrations/ as db/migrations (see pyproject.toml); a source checkout
# or an editable install has it at the top level.
_CANDIDATES = (Path(__file__).resolve().parent / "migrations", REPO_ROOT / "migrations")
MIGRATIONS_ENV = "SEGMENTS_MIGRATIONS_DIR"
# Postgres advisory lock key for schema changes (any constant; advisory locks are per database).
_PG_SCHEMA_LOCK = 0x5E9_5C4E_3A00


class SchemaError(RuntimeError):
    """The database schema (or the migrations to manage it) is not usable as it is."""


class SchemaOutOfDate(SchemaError):
    """The database has an older schema than this code; upgrading it is an explicit step."""


class SchemaTooNew(SchemaError):
    """The database was migrated by a newer version of this code."""


class ForeignDatabase(SchemaError):
    """The database has tables that segments did not make."""


class MigrationsNotFound(SchemaError):
    """The Alembic migrations are not where they should be."""


def migrations_dir() -> Path:
    # migrations/ is loaded by path, not imported; SEGMENTS_MIGRATIONS_DIR points elsewhere.
    override = os.environ.get(MIGRATIONS_ENV)
    if override:
        path = Path(override).expanduser()
        if not (path / "env.py").is_file():
            raise MigrationsNotFound(f"{MIGRATIONS_ENV}={override}: no Alembic migrations there (env.py)")
        return path
    for path in _CANDIDATES:
        if (path / "env.py").is_file():
            return path
    raise MigrationsNotFound(
        f"Alembic migrations not found (looked in {', '.join(map(str, _CANDIDATES))}); "
        f"reinstall segments or set {MIGRATIONS_ENV}"
    )


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _scripts().get_current_head()


def current_revision(bind: Engine | Connection) -> str | None:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current_revision(conn)
    return MigrationContext.configure(bind).get_current_revision()


def check_known(bind: Connection) -> str | None:
    """The database's revision; SchemaTooNew or ForeignDatabase if this code cannot manage it."""
    current = current_revision(bind)
    scripts = _scripts()
    if current is None:
        if inspect(bind).get_table_names():
            raise ForeignDatabase(
                "the database has tables but no migration history; point --db at an empty "
                "database or one made by segments"
            )
        return None
    if current not in {script.revision for script in scripts.walk_revisions()}:
        raise SchemaTooNew(
            f"the database was made by a newer version of segments (revision {current}; "
            f"this version knows revisions up to {scripts.get_current_head()}): upgrade segments"
        )
    return current


def lock_schema(bind: Connection) -> None:
    """Keep other processes from changing the schema until this transaction ends.

    On Postgres an advisory lock (two processes creating the same tables at once fail on
    pg_type's unique index); on SQLite the transaction must have begun ``for_writing``, which
    holds the write lock already.
    """
    if bind.dialect.name == "postgresql":
        bind.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    """Upgrade; on a Connection, inside its transaction (the caller commits or rolls back)."""
    if isinstance(bind, Engine):
        with for_writing(bind.connect()) as conn, conn.begin():
            lock_schema(conn)
            upgrade(conn, revision)
        return
    cfg = alembic_config()
    cfg.attributes["connection"] = bind
    command.upgrade(cfg, revision)


def ensure_schema(bind: Engine | Connection) -> None:
    """Create the schema in an empty database; refuse to work on an outdated one.

    Given a Connection, the schema is created inside its transaction, so a command that then
    fails (a refused file, say) leaves an empty database empty; on SQLite that transaction must
    have begun ``for_writing``. Processes that start together on an empty database wait for
    the first one's upgrade instead of running their own.
    """
    head = head_revision()
    if isinstance(bind, Engine):
        # Checked with a plain read first: the write lock would make readers wait for imports.
        if current_revision(bind) != head:
            with for_writing(bind.connect()) as conn, conn.begin():
                ensure_schema(conn)
        return
    if current_revision(bind) == head:  # the usual case, checked first: it is the cheapest
        return
    lock_schema(bind)
    current = check_known(bind)  # again: another process may have upgraded while this one waited
    if current == head:
        return
    if current is None:
        upgrade(bind)
        return
    raise SchemaOutOfDate(
        f"the database schema is at revision {current}, this version needs {head}: run `segments db upgrade`"
    )
