"""Which database a command opens: missing SQLite files, newer or foreign schemas, --db and the
environment. Refusals are one line on stderr, exit code 2, and change nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from db.migrate import head_revision
from db.session import create_db_engine, dispose_engines
from tests.db.test_schema_checks import add_foreign_table, mark_newer
from webapp.cli import cli

NO_DB = "error: no database at {} (import data with 'segments ingest FILE' first, or check --db)\n"
# `users list` / `remove` say there are no users (was: the import advice above, wrong for them).
NO_USERS_DB = "error: no database at {} (so no users: add one with 'segments users add NAME', or check --db)\n"

# Commands that only read (or need data to exist) refuse a SQLite file that is not there.
READING = [
    ("runs",),
    ("show", "latest"),
    ("trends",),
    ("export", "--run", "latest", "--out", "out.csv"),
    ("compare", "1", "2"),
    ("db", "current"),
    ("run",),
    ("backfill",),
    ("users", "list"),
    ("users", "remove", "bob"),
    ("batches", "list"),
    ("batches", "remove", "1", "--yes"),
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in ("SEGMENTS_DATABASE_URL", "SEGMENTS_MIGRATIONS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    dispose_engines()  # engines are cached by URL, and relative file URLs depend on the cwd


def segments(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def refused(result, message: str) -> bool:
    return result.exit_code == 2 and result.stderr == message and "Traceback" not in result.output


@pytest.mark.parametrize("command", READING, ids=" ".join)
def test_reading_commands_refuse_a_missing_sqlite_file(tmp_path, command):
    message = NO_USERS_DB if command[0] == "users" else NO_DB
    result = segments(*command, "--db", "typo.db")
    assert refused(result, message.format(tmp_path / "typo.db")), result.output
    assert not (tmp_path / "typo.db").exists()
    result = segments(*command, "--db", f"sqlite:///{tmp_path}/typo.db")
    assert refused(result, message.format(tmp_path / "typo.db")), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_creating_commands_create_a_missing_sqlite_file(tmp_path):
    upgraded = segments("db", "upgrade", "--db", "new.db")
    assert upgraded.exit_code == 0 and upgraded.output == f"database upgraded from empty to {head_revision()}\n"
    added = segments("users", "add", "alice", "--db", "other.db", env={"SEGMENTS_USER_PASSWORD": "password-1"})
    assert added.exit_code == 0, added.output
    assert (tmp_path / "new.db").is_file() and (tmp_path / "other.db").is_file()
    assert segments("users", "list", "--db", "other.db").output.startswith("alice\t")


@pytest.mark.parametrize(
    "command",
    [("ingest", "one.csv"), ("db", "upgrade"), ("users", "add", "bob"), ("demo", "--no-serve")],
    ids=" ".join,
)
def test_creating_commands_refuse_a_folder_that_does_not_exist(tmp_path, command):
    # Was: ingest printed a traceback (its staging lock file), the others "unable to open".
    (tmp_path / "one.csv").write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "1,A,x,1,2011-01-05 10:00,1,K1,UK\n"
    )
    env = {"SEGMENTS_USER_PASSWORD": "password-1"}
    result = segments(*command, "--db", f"sqlite:///{tmp_path}/no/such/x.db", env=env)
    assert refused(result, f"error: no folder {tmp_path}/no/such for the database x.db (check --db)\n"), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv"]


@pytest.mark.parametrize(
    "command",
    [("ingest", "one.csv"), ("db", "upgrade"), ("users", "add", "bob"), ("demo", "--no-serve")],
    ids=" ".join,
)
def test_creating_commands_refuse_a_folder_they_cannot_write(tmp_path, command):
    # Was: ingest printed a traceback (FileNotFoundError / OSError 30 on its staging lock file).
    (tmp_path / "one.csv").write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "1,A,x,1,2011-01-05 10:00,1,K1,UK\n"
    )
    env = {"SEGMENTS_USER_PASSWORD": "password-1"}
    result = segments(*command, "--db", "sqlite:////proc/x.db", env=env)
    assert refused(result, "error: cannot create the database in /proc: no such file or directory\n"), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv"]


def test_database_errors_name_the_database(tmp_path, monkeypatch):
    junk = tmp_path / "notdb.db"
    junk.write_text("hello\n")
    for command in (("runs",), ("ingest", junk)):  # the input file is fine; the database is not
        result = segments(*command, "--db", "sqlite:///notdb.db")
        message = "error: sqlite:///notdb.db: file is not a database (not a SQLite database file)\n"
        assert refused(result, message), result.output
    # A password in the URL is never printed.
    result = segments("runs", "--db", "postgresql://bob:s3cret@127.0.0.1:1/none")
    assert result.exit_code == 2 and "s3cret" not in result.output, result.output
    assert result.stderr.startswith("error: postgresql+psycopg://bob:***@127.0.0.1:1/none: ")


def test_a_read_only_folder_is_named(tmp_path, monkeypatch):
    # Tests run as root, whom permissions do not stop: the folder is made to look read-only
    # and the error is SQLite's there ("unable to open database file", was all it said).
    import os
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from webapp.cli import common

    real = tmp_path / "ro.db"
    real.touch()
    common.load_settings(f"sqlite:///{real}")
    monkeypatch.setattr(os, "access", lambda path, mode: str(path) != str(tmp_path))
    error = OperationalError("select 1", {}, sqlite3.OperationalError("unable to open database file"))
    hint = f"the folder {tmp_path} is read-only; SQLite writes its journal beside the file, even to read"
    assert common._describe_db_error(error) == f"sqlite:///{real}: unable to open database file ({hint})"


def test_newer_database_is_refused_by_every_command(db_url, tiny_csv):
    mark_newer(db_url)
    message = (
        f"error: the database was made by a newer version of segments (revision 9999; this version knows "
        f"revisions up to {head_revision()}): upgrade segments\n"
    )
    for command in [("runs",), ("db", "current"), ("db", "upgrade"), ("trends",), ("ingest", tiny_csv)]:
        result = segments(*command, "--db", db_url)
        assert refused(result, message), (command, result.output)
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "9999"
    engine.dispose()


def test_db_upgrade_refuses_tables_without_history(empty_db_url):
    add_foreign_table(empty_db_url)
    result = segments("db", "upgrade", "--db", empty_db_url)
    message = (
        "error: the database has tables but no migration history; point --db at an empty database "
        "or one made by segments\n"
    )
    assert refused(result, message), result.output
    assert refused(segments("db", "current", "--db", empty_db_url), message)
    engine = create_db_engine(empty_db_url)
    assert inspect(engine).get_table_names() == ["someone_elses"]
    engine.dispose()


def test_empty_db_option_is_refused_but_an_empty_variable_is_unset(tmp_path):
    assert refused(segments("runs", "--db", ""), "error: database URL is empty\n")
    assert refused(segments("db", "upgrade", "--db", "  "), "error: database URL is empty\n")
    assert not (tmp_path / "segments.db").exists()
    result = segments("db", "upgrade", env={"SEGMENTS_DATABASE_URL": ""})
    assert result.exit_code == 0 and (tmp_path / "segments.db").is_file()


def test_db_option_overrides_a_broken_variable(tmp_path):
    env = {"SEGMENTS_DATABASE_URL": "mysql://x"}
    assert segments("db", "upgrade", "--db", "real.db", env=env).exit_code == 0
    result = segments("runs", "--db", "real.db", env=env)
    assert result.exit_code == 0 and result.output.startswith("no runs yet")
    unsupported = "error: unsupported database URL mysql://: use postgresql:// or sqlite://\n"
    assert refused(segments("runs", env=env), unsupported)


def test_wrong_migrations_dir_is_one_line(tmp_path):
    assert segments("db", "upgrade", "--db", "real.db").exit_code == 0
    env = {"SEGMENTS_MIGRATIONS_DIR": str(tmp_path / "nowhere")}
    message = f"error: SEGMENTS_MIGRATIONS_DIR={tmp_path / 'nowhere'}: no Alembic migrations there (env.py)\n"
    for command in [("runs",), ("db", "upgrade"), ("db", "current")]:
        result = segments(*command, "--db", "real.db", env=env)
        assert refused(result, message), (command, result.output)
