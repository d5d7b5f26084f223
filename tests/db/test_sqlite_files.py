"""A new SQLite database is built under a private name and appears only when it is complete."""

from __future__ import annotations

import os

from sqlalchemy import text

from db.session import get_engine
from db.sqlite_files import publish, remove, sqlite_file, staging_file


def test_sqlite_file_names_files_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sqlite_file("sqlite:///rel.db") == tmp_path / "rel.db"
    assert sqlite_file(f"sqlite:///{tmp_path}/abs.db") == tmp_path / "abs.db"
    assert sqlite_file("sqlite:///~/x.db") == (tmp_path.home() / "x.db")
    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:///file:m?mode=memory&uri=true",
                "postgresql+psycopg://u@h/db"):  # fmt: skip
        assert sqlite_file(url) is None, url


def _make(path, value: int) -> None:
    with get_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": value})


def _value(path) -> int:
    engine = get_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        value = conn.execute(text("SELECT x FROM t")).scalar()
    engine.dispose()
    return value


def test_publish_links_a_complete_file_into_place(tmp_path):
    target = tmp_path / "new.db"
    staged = staging_file(target)
    assert staged.parent == tmp_path and staged.name.startswith(".new.db.")
    _make(staged, 1)
    assert publish(staged, target)
    remove(staged)
    assert os.listdir(tmp_path) == ["new.db"]  # the WAL was folded into the file
    assert _value(target) == 1


def test_publish_never_replaces_a_file_made_meanwhile(tmp_path):
    target = tmp_path / "new.db"
    staged = staging_file(target)
    _make(staged, 1)
    _make(target, 2)  # another command created the database while this one worked
    get_engine(f"sqlite:///{target}").dispose()
    assert not publish(staged, target)
    remove(staged)
    assert os.listdir(tmp_path) == ["new.db"] and _value(target) == 2
