"""Shared pieces of the command line: the --db option, settings, clear one-line errors."""

from __future__ import annotations

import functools
import gc
import json
import math
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.ingest import EARLIEST_YEAR, LATEST_YEAR
from db.migrate import SchemaError, ensure_schema
from db.session import for_writing, get_engine
from db.settings import Settings, SettingsError
from db.sqlite_files import remove_stale, sqlite_file


class Day(click.ParamType):
    """A YYYY-MM-DD day within the years the ingestion accepts (so date arithmetic cannot
    overflow and pandas can represent it)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            day = value
        else:
            try:
                day = datetime.strptime(str(value).strip(), "%Y-%m-%d")
            except ValueError:
                self.fail(f"{value!r} is not a date like 2011-12-01", param, ctx)
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            self.fail(f"{value} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}", param, ctx)
        return day


DATE = Day()


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


# The database of the running command, named by database errors (set by ``load_settings``).
_current_url: str | None = None


def load_settings(db_url: str | None) -> Settings:
    global _current_url
    try:
        settings = Settings.from_env(database_url=db_url)
    except SettingsError as exc:
        raise UserError(str(exc)) from exc
    _current_url = settings.database_url
    return settings


def shown_url(url: str) -> str:
    """``url`` as it may be printed: a password in it is written as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the database"


IMPORT_FIRST = "import data with 'segments ingest FILE' first"


def require_database(settings: Settings, *, advice: str = IMPORT_FIRST) -> None:
    """Refuse a SQLite file that does not exist (opening it would create it: a typo in --db
    would leave a new empty database and show nothing). ``advice``: what to do first."""
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise UserError(f"no database at {path} ({advice}, or check --db)")


def require_folder(settings: Settings) -> None:
    """Refuse a new SQLite file in a folder that does not exist (SQLite would only say "unable
    to open database file", and an import's staging lock file a traceback)."""
    path = sqlite_file(settings.database_url)
    if path is None or path.exists():
        return
    if not path.parent.is_dir():
        raise UserError(f"no folder {path.parent} for the database {path.name} (check --db)")
    try:  # a probe: the staging and lock files of a new database are made in that folder
        tempfile.TemporaryFile(dir=path.parent).close()
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise UserError(f"cannot create the database in {path.parent}: {reason}") from exc


def open_database(
    settings: Settings, *, migrate: bool = True, create: bool = False, advice: str = IMPORT_FIRST
) -> Engine:
    """The engine for the configured database, with an empty database brought to head.

    Only commands that store data ``create`` a missing SQLite file; the others refuse it,
    saying ``advice``."""
    if create:
        require_folder(settings)
    else:
        require_database(settings, advice=advice)
    path = sqlite_file(settings.database_url)
    if path is not None:
        remove_stale(path)  # what killed imports of a new database left behind
    engine = get_engine(settings.database_url)
    if migrate:
        try:
            ensure_schema(engine)
        except SchemaError as exc:
            raise UserError(str(exc)) from exc
    return engine


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """One transaction for a whole command, schema creation included: all of it or nothing."""
    engine = get_engine(settings.database_url)
    # Every command that uses this writes: on SQLite, it takes the write lock now, so neither
    # a first upgrade nor a later write can find that another process wrote since it read.
    with for_writing(engine.connect()) as conn, conn.begin():
        try:
            ensure_schema(conn)
        except SchemaError as exc:
            raise UserError(str(exc)) from exc
        with Session(bind=conn) as session:
            yield session


def _finite(obj: Any) -> Any:
    """``obj`` with NaN and infinities as None: JSON has no such numbers (a bare ``NaN`` is
    Python's extension, which other JSON readers refuse)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {key: _finite(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(value) for value in obj]
    return obj


def print_json(obj: Any) -> None:
    """``obj`` as valid JSON: a non-finite number is written as null."""
    click.echo(json.dumps(_finite(obj), default=str, sort_keys=False, allow_nan=False))


def _sqlite_hint(text: str, path: Path) -> str:
    """What a SQLite error about the file itself means, or ""."""
    if "file is not a database" in text:
        return "not a SQLite database file"
    if "unable to open" not in text and "readonly" not in text:
        return ""
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        folder = path.parent
        return f"the folder {folder} is read-only; SQLite writes its journal beside the file, even to read"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only"
    return ""


def _describe_db_error(exc: SQLAlchemyError) -> str:
    """One line naming the database (without its password) and what went wrong."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if _current_url is None:
        return f"database error: {text}"
    path = sqlite_file(_current_url)
    hint = _sqlite_hint(text, path) if path is not None else ""
    return f"{shown_url(_current_url)}: {text}" + (f" ({hint})" if hint else "")


class Interrupted(SystemExit):
    """SIGTERM arrived. Not an Exception, so nothing on the way swallows it; unwinding rolls the
    transaction back and removes a new database's staging file.

    A SystemExit because psycopg treats those (and KeyboardInterrupt) as interruptions: raised
    while it waits on the server (a COPY), it cancels the statement and leaves the connection
    usable for the rollback; any other exception left it "busy" and the rollback failed. Its code
    is 143, should it ever escape ``run_main``.
    """

    def __init__(self) -> None:
        super().__init__(SIGTERM_EXIT)


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends the process at once
    if os.getpid() != _main_pid:  # a forked worker (background callbacks) ends as it would have
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Interrupted


_main_pid: int | None = None
SIGTERM_EXIT = 128 + signal.SIGTERM  # what a shell reports for a process ended by SIGTERM


def run_main(group: click.Group) -> None:
    """Run the CLI; unexpected database failures become one line, not a traceback; SIGTERM
    (docker stop, systemd, kill) ends a command cleanly."""
    global _main_pid
    _main_pid = os.getpid()
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        group.main(standalone_mode=True)
    except Interrupted:
        click.echo("interrupted", err=True)
        sys.exit(SIGTERM_EXIT)
    except DatabaseError as exc:  # connection failures, a file that is no database, ...
        click.echo(f"error: {_describe_db_error(exc)}", err=True)
        sys.exit(2)
    finally:
        # A refused import's traceback holds its Arrow CSV reader in a reference cycle. Freed
        # only in the interpreter's final collection, after Arrow's own teardown, it aborted
        # the process ("terminate called without an active exception", exit 134 for 2) about
        # one time in five on a busy machine: free it now, while Arrow is whole.
        gc.collect()


def handle_db_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn connection failures and unusable schemas inside a command into a UserError."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DatabaseError as exc:  # connection failures, a file that is no database, ...
            raise UserError(_describe_db_error(exc)) from exc
        except SchemaError as exc:  # a newer database, migrations not found, ...
            raise UserError(str(exc)) from exc

    return wrapper
