"""A killed import leaves no trace, and running it again loads the file fully."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from analytics.sample_data import write_sample
from db.session import create_db_engine
from tests.db.helpers import counts, invoke

SEGMENTS = [sys.executable, "-c", "from webapp.cli import main; main()"]


def _writing(db_url: str) -> bool:
    """True once the import is visibly writing (but has not committed)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        target = Path(url.database)
        # A new database is written under a staging name next to it.
        for wal in (Path(f"{target}-wal"), *target.parent.glob(f".{target.name}.*.new-wal")):
            if wal.exists() and wal.stat().st_size > 1 << 20:
                return True
        return False
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            return bool(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
                        "AND pid <> pg_backend_pid() AND query ILIKE 'COPY%'"
                    ),
                    {"db": url.database},
                )
            )
    finally:
        engine.dispose()


@pytest.mark.slow
def test_killed_import_leaves_nothing_and_rerun_loads_everything(db_url, tmp_path):
    sample = tmp_path / "sample.csv"
    summary = write_sample(sample, customers=2500, seed=7)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from webapp.cli import main; main()", "ingest", str(sample), "--db", db_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not _writing(db_url):
        assert proc.poll() is None, "import finished before it could be interrupted: use a bigger file"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert counts(db_url) == {"import_batches": 0, "transactions": 0, "rejected_rows": 0}

    result = json.loads(invoke("ingest", sample, "--db", db_url, "--json").output)
    assert result["status"] == "loaded"
    assert result["rows_read"] == summary.lines
    assert result["rejected"] == 0
    assert result["rows_stored"] + result["duplicates"] == summary.lines
    assert counts(db_url)["transactions"] == result["rows_stored"]


@pytest.fixture(scope="module")
def big_sample(tmp_path_factory) -> Path:
    """A file whose import takes a few seconds: long enough to be interrupted midway."""
    path = tmp_path_factory.mktemp("sample") / "sample.csv"
    assert invoke("sample-data", "--out", path, "--customers", 2500, "--seed", 7).exit_code == 0
    return path


def _interrupt_and_rerun(target_url: str, big_sample: Path) -> None:
    folder = Path(make_url(target_url).database).parent if target_url.startswith("sqlite") else None
    before = sorted(os.listdir(folder)) if folder else None
    proc = subprocess.Popen(
        [*SEGMENTS, "ingest", str(big_sample), "--db", target_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _writing(target_url):
        assert proc.poll() is None, "import finished before it could be interrupted: use a bigger file"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.splitlines(), out) == (143, ["interrupted"], "")
    if folder:  # no staging file, WAL or lock; a new database does not appear
        assert sorted(os.listdir(folder)) == before
    if before != []:
        assert counts(target_url) == {"import_batches": 0, "transactions": 0, "rejected_rows": 0}

    result = json.loads(invoke("ingest", big_sample, "--db", target_url, "--json").output)
    assert (result["status"], result["rejected"]) == ("loaded", 0)
    assert counts(target_url)["transactions"] == result["rows_stored"] > 0


@pytest.mark.slow
def test_sigterm_rolls_back_and_exits_143(db_url, big_sample):
    _interrupt_and_rerun(db_url, big_sample)


@pytest.mark.slow
def test_sigterm_leaves_no_new_sqlite_file_nor_staging(tmp_path, big_sample):
    _interrupt_and_rerun(f"sqlite:///{tmp_path / 'new.db'}", big_sample)
