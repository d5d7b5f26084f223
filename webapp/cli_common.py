"""Shared pieces of the command line: the --db option, settings, clear one-line errors."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.migrate import SchemaOutOfDate, ensure_schema
from db.session import get_engine
from db.settings import Settings, SettingsError


class UserError(click.ClickException):
    """A problem the user can fix: printed as one line, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--db URL``: overrides SEGMENTS_DATABASE_URL for one command."""
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help="Database URL (default: $SEGMENTS_DATABASE_URL, else sqlite file ./segments.db).",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(func)


def load_settings(db_url: str | None) -> Settings:
    try:
        return Settings.from_env().with_database(db_url)
    except SettingsError as exc:
        raise UserError(str(exc)) from exc


def open_database(settings: Settings, *, migrate: bool = True) -> Engine:
    """The engine for the configured database, with an empty database brought to head."""
    engine = get_engine(settings.database_url)
    if migrate:
        try:
            ensure_schema(engine)
        except SchemaOutOfDate as exc:
            raise UserError(str(exc)) from exc
    return engine


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """One transaction for a whole command, schema creation included: all of it or nothing."""
    engine = get_engine(settings.database_url)
    with engine.connect() as conn, conn.begin():
        try:
            ensure_schema(conn)
        except SchemaOutOfDate as exc:
            raise UserError(str(exc)) from exc
        with Session(bind=conn) as session:
            yield session


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, default=str, sort_keys=False))


def _describe_db_error(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return f"database error: {text}"


def run_main(group: click.Group) -> None:
    """Run the CLI; unexpected database failures become one line, not a traceback."""
    try:
        group.main(standalone_mode=True)
    except OperationalError as exc:
        click.echo(f"error: {_describe_db_error(exc)}", err=True)
        sys.exit(2)


def handle_db_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn connection failures inside a command into a UserError."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OperationalError as exc:
            raise UserError(_describe_db_error(exc)) from exc

    return wrapper
