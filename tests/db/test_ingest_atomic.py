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


def _writing(db_url: str) -> bool:
    """True once the import is visibly writing (but has not committed)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        wal = Path(f"{url.database}-wal")
        return wal.exists() and wal.stat().st_size > 1 << 20
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
