"""Data commands: database upgrade, ingestion, sample data, demo."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click
from sqlalchemy.exc import IntegrityError

from db.ingest import (
    AMBIGUOUS_NUMBERS,
    FIELDS,
    STATUS_ALREADY,
    IngestError,
    IngestOptions,
    IngestResult,
    check_path,
    ingest_file,
    parse_mapping,
)
from db.migrate import check_known, head_revision, lock_schema, upgrade
from db.session import for_writing
from db.settings import Settings
from db.sqlite_files import building, publish, remove_stale, sqlite_file
from webapp.cli.common import (
    UserError,
    db_option,
    handle_db_errors,
    json_option,
    load_settings,
    open_database,
    print_json,
    require_folder,
    session_scope,
)


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@db_option
@handle_db_errors
def db_upgrade(db_url: str | None) -> None:
    """Apply all pending migrations."""
    engine = open_database(load_settings(db_url), migrate=False, create=True)
    with for_writing(engine.connect()) as conn, conn.begin():
        lock_schema(conn)  # so ``before`` is not changed by another process's upgrade
        # A newer or a foreign database is refused as every other command refuses it.
        before = check_known(conn)
        upgrade(conn)
        after = check_known(conn)
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
    with engine.connect() as conn:
        current = check_known(conn)
    click.echo(f"database: {current or 'empty'}; code: {head_revision()}")


def print_ingest_summary(result: IngestResult, path: Path) -> None:
    if result.status == STATUS_ALREADY:
        if result.earlier_gone:
            gone = ", ".join(map(str, result.earlier_gone))
            were = "batch " + gone if len(result.earlier_gone) == 1 else "batches " + gone
            click.echo(
                f"{path}: already imported as batch {result.batch_id}; nothing added, but that batch "
                f"skipped lines as already stored and {were} before it is gone: if removed since, it "
                f"took such lines with it; to restore them, 'segments batches remove {result.batch_id}' "
                "and import this file again"
            )
            return
        if not result.options_differ:
            click.echo(f"{path}: already imported as batch {result.batch_id}; nothing added")
            return
        click.echo(
            f"{path}: already imported as batch {result.batch_id}, read then with other options "
            f"({', '.join(result.changed_options)}); nothing added: if these read it otherwise, "
            f"'segments batches remove {result.batch_id}' and import again"
        )
        return
    click.echo(f"{path}: imported as batch {result.batch_id} in {result.seconds:.1f} s")
    lines = [
        ("  rows read", result.rows_read),
        ("  stored", result.rows_stored),
        ("  duplicates skipped", result.duplicates),
        ("  rejected", result.rejected),
        *((f"    {reason}", count) for reason, count in result.rejected_by_reason.items()),
    ]
    # Reasons as long as "unit price with the wrong decimal mark" move every number right, so
    # that they stay in one column.
    width = max(23, *(len(label) + 1 for label, _ in lines))
    for label, count in lines:
        click.echo(f"{label:<{width}}{count:>12,}")
    if set(result.rejected_by_reason) & set(AMBIGUOUS_NUMBERS.values()):
        click.echo(
            "  numbers like 1,234 or 1.234 read either way and no number in the file told its decimal "
            f"mark: to load them, 'segments batches remove {result.batch_id}' and import again with "
            "--decimal-mark . or ,"
        )


def _ingest_into(settings: Settings, path: Path, options: IngestOptions, progress: bool) -> IngestResult:
    with session_scope(settings) as session:
        return ingest_file(path, session=session, options=options, progress=progress)


def _ingest(settings: Settings, path: Path, options: IngestOptions, progress: bool) -> IngestResult:
    """Import ``path``; a new SQLite database appears only if the import succeeds."""
    require_folder(settings)
    target = sqlite_file(settings.database_url)
    if target is not None:
        remove_stale(target)  # what killed imports left behind
    if target is None or target.exists():
        return _ingest_into(settings, path, options, progress)
    with building(target) as staged:
        result = _ingest_into(replace(settings, database_url=f"sqlite:///{staged}"), path, options, progress)
        published = publish(staged, target)
    # Another command created the database meanwhile: import into that one instead.
    return result if published else _ingest_into(settings, path, options, progress)


@click.command("ingest")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@click.option("--encoding", help="Text encoding (default: detected, UTF-8 or Windows-1252).")
@click.option("--delimiter", help="Field delimiter (default: sniffed among , ; and tab).")
@click.option("--sheet", help="Excel sheet name (default: the first sheet).")
@click.option("--date-format", help="strftime format of the dates, e.g. %Y%m%d (default: detected).")
@click.option(
    "--decimal-mark",
    type=click.Choice([".", ",", "point", "comma"]),
    help="The numbers' decimal mark (default: learned from the file's first telling number).",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help=f"Take FIELD from COLUMN; repeatable. Fields: {', '.join(FIELDS)}.",
)
@click.option("--name", "source_name", help="Name shown for this import (default: the file name).")
@json_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@handle_db_errors
def ingest(
    path: Path,
    db_url: str | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    date_format: str | None,
    decimal_mark: str | None,
    mappings: tuple[str, ...],
    source_name: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Load a transaction export (CSV, CSV.gz, XLSX, ODS) into the database, in one transaction."""
    settings = load_settings(db_url)
    if source_name is not None:
        source_name = source_name.strip()
        if not source_name:
            raise UserError("--name is blank: give a name, or leave --name out for the file name")
        if not source_name.isprintable():
            raise UserError(f"--name {source_name!r}: give a name on one line (no tab or line break)")
        if len(source_name) > 255:
            raise UserError(f"--name can have at most 255 characters, not {len(source_name)}")
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"
    try:
        options = IngestOptions(
            source_name=source_name,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            date_format=date_format,
            decimal_mark={"point": ".", "comma": ","}.get(decimal_mark or "", decimal_mark),
            mapping=parse_mapping(mappings),
        )
        show_progress = not (quiet or as_json) and sys.stderr.isatty()
        # A missing or empty file is refused before the database is opened (which would create
        # an empty SQLite file).
        check_path(path)
        result = _ingest(settings, path, options, show_progress)
    except IngestError as exc:
        raise UserError(f"{path}: {exc}") from exc
    except IntegrityError as exc:
        if "sha256" not in str(exc.orig):
            raise
        # The same file, committed by another import while this one ran.
        raise UserError(f"{path}: another import of this file finished first; nothing added") from exc
    if as_json:
        print_json(result.to_dict())
    else:
        print_ingest_summary(result, path)
