"""A new SQLite database is built under a private name and appears only when it is complete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import text

from db.session import dispose_engines, get_engine
from db.sqlite_files import building, publish, remove, remove_stale, sqlite_file, staging_file


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


def test_building_removes_its_files_whatever_happens(tmp_path):
    target = tmp_path / "new.db"
    with pytest.raises(RuntimeError), building(target) as staged:
        _make(staged, 1)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            f"{staged.name}{suffix}" for suffix in ("", "-wal", "-shm", ".lock")
        )
        raise RuntimeError("the import failed")
    assert os.listdir(tmp_path) == []


# A builder in another process: it writes a database in WAL mode (so -wal and -shm exist too),
# says where, and waits to be killed or told to finish.
_BUILDER = """
import sys
from pathlib import Path
from sqlalchemy import text
from db.session import dispose_engines, get_engine
from db.sqlite_files import building
with building(Path(sys.argv[1])) as staged:
    with get_engine(f"sqlite:///{staged}").begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    print(staged, flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def builder(tmp_path):
    with subprocess.Popen(
        [sys.executable, "-c", _BUILDER, str(tmp_path / "new.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        yield proc
        if proc.poll() is None:
            proc.kill()


def test_stale_staging_of_a_killed_builder_is_removed(tmp_path, builder):
    staged = builder.stdout.readline().strip()
    builder.send_signal(signal.SIGKILL)
    builder.wait()
    left = {f"{staged}{suffix}" for suffix in ("", "-wal", "-shm", ".lock")}
    assert {str(p) for p in tmp_path.iterdir()} == left
    (tmp_path / "new.db").touch()  # neither the database itself
    (tmp_path / ".other.db.0123456789ab.new").touch()  # nor another database's staging is touched
    assert [str(p) for p in remove_stale(tmp_path / "new.db")] == [staged]
    assert sorted(os.listdir(tmp_path)) == [".other.db.0123456789ab.new", "new.db"]


def test_staging_of_a_live_builder_is_kept(tmp_path, builder):
    staged = builder.stdout.readline().strip()
    files = sorted(os.listdir(tmp_path))
    assert remove_stale(tmp_path / "new.db") == []
    assert sorted(os.listdir(tmp_path)) == files and len(files) == 4
    builder.communicate("done\n", timeout=30)
    assert builder.returncode == 0
    assert os.listdir(tmp_path) == [], staged


def test_staging_without_a_lock_file_is_stale(tmp_path):
    """What a killed import of an older version left: nobody builds under that name."""
    staged = staging_file(tmp_path / "new.db")
    _make(staged, 1)
    get_engine(f"sqlite:///{staged}").dispose()
    assert remove_stale(tmp_path / "new.db") == [staged]
    assert os.listdir(tmp_path) == []


def test_commands_tidy_what_a_killed_import_left(tmp_path, builder):
    from tests.db.helpers import UCI_HEADER, invoke, write_csv

    builder.stdout.readline()
    builder.send_signal(signal.SIGKILL)
    builder.wait()
    url = f"sqlite:///{tmp_path / 'new.db'}"
    line = ["536365", "85123A", "ITEM", "6", "2011-01-05 10:00", "2.55", "17850", "United Kingdom"]
    data = write_csv(tmp_path.parent / f"{tmp_path.name}-lines.csv", [line], header=UCI_HEADER)
    assert invoke("ingest", data, "--db", url, "--quiet").exit_code == 0  # builds a new file
    assert os.listdir(tmp_path) == ["new.db"]
    for suffix in ("", "-wal", ".lock"):  # a stale staging next to an existing database
        (tmp_path / f".new.db.0123456789ab.new{suffix}").touch()
    assert invoke("db", "current", "--db", url).exit_code == 0
    dispose_engines()  # the command's pooled connection keeps -wal and -shm open
    assert os.listdir(tmp_path) == ["new.db"]
