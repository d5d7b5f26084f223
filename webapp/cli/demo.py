"""`segments demo`: sample data -> database -> monthly runs -> dashboard, on the SQLite default."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from analytics.as_of import purchase_span
from analytics.backfill import backfill, month_end_cutoffs
from analytics.run_history import get_run, latest_run, resolve_run
from analytics.run_provenance import data_fingerprint
from analytics.runs import RunFailed, RunRefused, default_rules, execute_run
from analytics.sample_data import write_sample
from db.ingest import IngestError, ingest_file
from db.models import ImportBatch, Run
from db.sqlite_files import sqlite_file
from webapp.cli.common import (
    UserError,
    db_option,
    handle_db_errors,
    load_settings,
    open_database,
    require_folder,
    session_scope,
    shown_url,
)
from webapp.cli.data import print_ingest_summary
from webapp.cli.runs import print_run


def _sample_path(customers: int, seed: int) -> Path:
    return Path(tempfile.gettempdir()) / f"segments-demo-{customers}-{seed}.csv.gz"


def _sample_file(customers: int, seed: int) -> Path:
    """The sample export, made once per size and seed (it is deterministic)."""
    path = _sample_path(customers, seed)
    if not path.exists():
        click.echo(f"writing sample data for {customers:,} customers to {path} ...")
        write_sample(path, customers=customers, seed=seed)
    return path


def _other_imports(settings, sample: Path) -> list[str]:
    """The imports in the database that are not the demo's ``sample`` file, by name."""
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        return []
    engine = open_database(settings, migrate=False)
    with engine.connect() as conn:
        if not inspect(conn).has_table(ImportBatch.__tablename__):
            return []
        names = conn.scalars(select(ImportBatch.source_name).order_by(ImportBatch.id)).all()
    return [name for name in names if name != sample.name]


def _runs_match_data(session: Session) -> bool:
    """Whether the latest run was made on the data stored now (same batches and lines)."""
    run_id = latest_run(session=session)
    if run_id is None:
        return False
    seen = session.scalar(select(Run.data_fingerprint).where(Run.id == run_id)) or {}
    now = data_fingerprint(session=session)
    return all(seen.get(key) == now[key] for key in ("batch_ids", "lines", "newest_invoice"))


def _make_runs(engine, months: int) -> None:
    with Session(engine) as session:
        if _runs_match_data(session):
            click.echo("runs already exist for this data; not adding more (see `segments runs`)")
            return
        span = purchase_span(session=session, rules=default_rules("default"))  # the runs' rules
    cutoffs = month_end_cutoffs(*span)[-months:] if months and span else []
    if cutoffs:
        click.echo(f"segmenting customers at {len(cutoffs)} month ends ...")
        start = cutoffs[0] - timedelta(days=1)
        for result in backfill(
            engine=engine, start=start.replace(day=1), end=cutoffs[-1] - timedelta(days=1)
        ):
            run_id = result["run_id"] or "(not stored)"
            click.echo(f"  as of {result['as_of']}: run {run_id} {result['status']}")
    click.echo("segmenting customers on all data ...")
    try:
        execute_run(engine=engine, name="demo: all data")
    except RunFailed as exc:
        raise UserError(f"the segmentation run failed: {exc.error}") from exc
    except RunRefused as exc:
        raise UserError(f"the segmentation run was refused: {exc}") from exc


@click.command("demo")
@db_option
@click.option("--customers", type=click.IntRange(50, 200_000), default=1500, show_default=True)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=42, show_default=True)
@click.option("--months", type=click.IntRange(0, 24), default=4, show_default=True, help="Monthly runs.")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the dashboard at the end.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True)
@handle_db_errors
def demo(db_url, customers, seed, months, serve, host, port) -> None:
    """Generate sample data, load it, segment it month by month, and serve the dashboard."""
    settings = load_settings(db_url)
    require_folder(settings)
    if serve:  # a port in use is found now, not after the work
        from webapp.cli.web import check_listen

        check_listen(host, port)
    sample = _sample_path(customers, seed)
    others = _other_imports(settings, sample)
    if others:  # the demo's synthetic sales would be mixed into them
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise UserError(
            f"{shown_url(settings.database_url)} holds imports other than the demo's sample "
            f"{sample.name} ({shown}): give the demo a fresh database, e.g. --db sqlite:///demo.db"
        )
    click.echo(f"database: {shown_url(settings.database_url)}")
    path = _sample_file(customers, seed)
    try:
        with session_scope(settings) as session:
            result = ingest_file(path, session=session)
    except IngestError as exc:
        raise UserError(f"{path}: {exc}") from exc
    print_ingest_summary(result, path)
    engine = open_database(settings)
    _make_runs(engine, months)
    with Session(engine) as session:
        run = get_run(session=session, run_id=resolve_run(session=session, ref="latest"))
    click.echo("")
    print_run(run, settings.currency)
    if serve:
        from webapp.cli.web import serve_dashboard

        click.echo("")
        serve_dashboard(settings, host=host, port=port)
