"""Databases this code cannot manage are refused before anything is changed; migrations are found."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from db.migrate import (
    REPO_ROOT,
    ForeignDatabase,
    MigrationsNotFound,
    SchemaTooNew,
    check_known,
    ensure_schema,
    head_revision,
    migrations_dir,
)
from db.session import create_db_engine


def mark_newer(url: str, revision: str = "9999") -> None:
    """Pretend a newer segments migrated this database (a revision this code does not know)."""
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})
    engine.dispose()


def add_foreign_table(url: str) -> None:
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE someone_elses (x INTEGER)"))
    engine.dispose()


def test_newer_database_is_refused_as_newer(db_url):
    mark_newer(db_url)
    engine = create_db_engine(db_url)
    try:
        with pytest.raises(SchemaTooNew, match=rf"newer version of segments \(revision 9999; .* up to {head_revision()}"):
            ensure_schema(engine)
        with engine.connect() as conn, pytest.raises(SchemaTooNew):
            check_known(conn)
    finally:
        engine.dispose()


def test_tables_without_history_are_refused_and_left_alone(empty_db_url):
    add_foreign_table(empty_db_url)
    engine = create_db_engine(empty_db_url)
    try:
        with engine.connect() as conn, pytest.raises(ForeignDatabase, match="no migration history"):
            check_known(conn)
        with pytest.raises(ForeignDatabase):
            ensure_schema(engine)
        assert inspect(engine).get_table_names() == ["someone_elses"]
    finally:
        engine.dispose()


def test_migrations_dir_override_must_hold_migrations(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGMENTS_MIGRATIONS_DIR", str(tmp_path))
    with pytest.raises(MigrationsNotFound, match=f"SEGMENTS_MIGRATIONS_DIR={tmp_path}: no Alembic migrations"):
        migrations_dir()
    monkeypatch.setenv("SEGMENTS_MIGRATIONS_DIR", str(REPO_ROOT / "migrations"))
    assert (migrations_dir() / "env.py").is_file()


def test_migrations_found_next_to_the_installed_package(tmp_path, monkeypatch):
    """A regular install has db/migrations (pyproject's package-dir) and no top-level migrations/."""
    import db.migrate as migrate

    installed = tmp_path / "site-packages" / "db" / "migrations"
    installed.mkdir(parents=True)
    (installed / "env.py").write_text("")
    monkeypatch.delenv("SEGMENTS_MIGRATIONS_DIR", raising=False)
    monkeypatch.setattr(migrate, "_CANDIDATES", (installed, tmp_path / "site-packages" / "migrations"))
    assert migrate.migrations_dir() == installed
    (installed / "env.py").unlink()
    with pytest.raises(MigrationsNotFound, match="reinstall segments or set SEGMENTS_MIGRATIONS_DIR"):
        migrate.migrations_dir()
