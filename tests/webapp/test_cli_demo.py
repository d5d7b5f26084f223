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


def test_demo_refuses_a_database_with_other_imports(db_url, tmp_path, monkeypatch, tiny_csv):
    # Was: it added its synthetic sales to the real ones as a new batch, then showed an old run.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert CliRunner().invoke(cli, ["ingest", str(tiny_csv), "--db", db_url]).exit_code == 0
    args = ["demo", "--no-serve", "--customers", "60", "--months", "0", "--db", db_url]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert f"holds imports other than the demo's sample segments-demo-60-42.csv.gz ({tiny_csv.name})" in result.stderr
    assert "fresh database" in result.stderr
    engine = create_db_engine(db_url)
    with Session(engine) as session:
        assert [b.source_name for b in session.scalars(select(ImportBatch))] == [tiny_csv.name]
        assert session.scalars(select(Run)).all() == []
    engine.dispose()
    assert not list(tmp_path.glob("segments-demo-*"))  # refused before writing its sample


def test_demo_makes_new_runs_when_its_data_changed(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    args = ["demo", "--no-serve", "--customers", "60", "--months", "0", "--db", db_url]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    # Another sample is another file: refused, not mixed in.
    other = CliRunner().invoke(cli, [*args[:3], "70", *args[4:]])
    assert other.exit_code == 2 and "(segments-demo-60-42.csv.gz)" in other.stderr
    # The sample removed and loaded again: the old run no longer matches the data.
    assert CliRunner().invoke(cli, ["batches", "remove", "1", "--yes", "--db", db_url]).exit_code == 0
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert again.exit_code == 0 and "runs already exist" not in again.output, again.output
    assert again.output.count("run 2  demo: all data") == 1, again.output
    engine = create_db_engine(db_url)
    with Session(engine) as session:
        run = session.get(Run, 2)
        assert run.data_fingerprint["batch_ids"] == [2]
    engine.dispose()
