"""Apply the Alembic history programmatically (the CLI and the tests share this path)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

REPO_ROOT = Path(__file__).resolve().parent.parent


class SchemaOutOfDate(RuntimeError):
    """The database has an older schema than this code; upgrading it is an explicit step."""


def migrations_dir() -> Path:
    # migrations/ is loaded by path, not imported; SEGMENTS_MIGRATIONS_DIR serves installs
    # where the source tree is elsewhere.
    path = Path(os.environ.get("SEGMENTS_MIGRATIONS_DIR", REPO_ROOT / "migrations"))
    if not (path / "env.py").is_file():
        raise FileNotFoundError(f"Alembic migrations not found at {path}")
    return path


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(bind: Engine | Connection) -> str | None:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current_revision(conn)
    return MigrationContext.configure(bind).get_current_revision()


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    """Upgrade; on a Connection, inside its transaction (the caller commits or rolls back)."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            upgrade(conn, revision)
        return
    cfg = alembic_config()
    cfg.attributes["connection"] = bind
    command.upgrade(cfg, revision)


def ensure_schema(bind: Engine | Connection) -> None:
    """Create the schema in an empty database; refuse to work on an outdated one.

    Given a Connection, the schema is created inside its transaction, so a command that then
    fails (a refused file, say) leaves an empty database empty.
    """
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            ensure_schema(conn)
        return
    current = current_revision(bind)
    if current == head_revision():
        return
    if current is None:
        if inspect(bind).get_table_names():
            raise SchemaOutOfDate(
                "the database has tables but no migration history; point --db at an empty "
                "database or one made by segments"
            )
        upgrade(bind)
        return
    raise SchemaOutOfDate(
        f"the database schema is at revision {current}, this version needs {head_revision()}: "
        "run `segments db upgrade`"
    )
