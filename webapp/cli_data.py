"""Data commands: database upgrade, ingestion, sample data, demo."""

from __future__ import annotations

import click

from db.migrate import current_revision, head_revision, upgrade
from webapp.cli_common import db_option, handle_db_errors, load_settings, open_database


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@db_option
@handle_db_errors
def db_upgrade(db_url: str | None) -> None:
    """Apply all pending migrations."""
    engine = open_database(load_settings(db_url), migrate=False)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    if before == after:
        click.echo(f"database already at revision {after}")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")


@db_group.command("current")
@db_option
@handle_db_errors
def db_current(db_url: str | None) -> None:
    """Show the schema revision of the database and of this code."""
    engine = open_database(load_settings(db_url), migrate=False)
    click.echo(f"database: {current_revision(engine) or 'empty'}; code: {head_revision()}")


data_commands = [db_group]
