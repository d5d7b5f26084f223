"""`segments demo --no-serve`: sample -> ingest -> monthly runs -> latest run, idempotent."""

from __future__ import annotations

import tempfile

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImportBatch, Run
from db.session import create_db_engine
from webapp.cli import cli


def test_demo_loads_sample_and_makes_monthly_runs(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the sample file goes there
    args = ["demo", "--no-serve", "--customers", "200", "--months", "2", "--db", db_url]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "imported as batch 1" in result.output
    engine = create_db_engine(db_url)
    with Session(engine) as session:
        runs = session.scalars(select(Run).order_by(Run.id)).all()
        assert [r.status for r in runs] == ["finished"] * 3
        assert [r.name for r in runs][-1] == "demo: all data"
        assert runs[0].as_of < runs[1].as_of
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert again.exit_code == 0
    assert "already imported as batch 1" in again.output and "runs already exist" in again.output
    with Session(engine) as session:
        assert len(session.scalars(select(ImportBatch)).all()) == 1
        assert len(session.scalars(select(Run)).all()) == 3
    engine.dispose()
