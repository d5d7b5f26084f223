"""Processes that start together on an empty database all find it migrated, none fails."""

from __future__ import annotations

import subprocess
import sys

from db.migrate import current_revision, head_revision
from db.session import create_db_engine

_WORKERS = 4
# Each worker imports everything first, says so, and waits for the word to go: the upgrades then
# start within a few milliseconds of each other, as gunicorn workers forked together do.
_WORKER = """
import sys
from db.migrate import ensure_schema
from db.session import create_db_engine
engine = create_db_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
ensure_schema(engine)
engine.dispose()
"""


def test_concurrent_first_use_migrates_once(empty_db_url):
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, empty_db_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(_WORKERS)
    ]
    try:
        for proc in workers:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in workers:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        failures = []
        for proc in workers:
            _, err = proc.communicate(timeout=120)
            if proc.returncode:
                failures.append([line for line in err.splitlines() if "Error" in line][-1:])
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
    assert failures == []
    engine = create_db_engine(empty_db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
