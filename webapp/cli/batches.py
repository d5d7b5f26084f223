"""Import batch commands: list what was imported, remove a wrong import."""

from __future__ import annotations

import sys

import click
from sqlalchemy.orm import Session

from db.batch_removal import BatchNotFound, remove_batch
from db.queries_batches import find_batch, list_batches
from webapp.browser_values import MAX_INT
from webapp.cli.common import (
    UserError,
    db_option,
    handle_db_errors,
    json_option,
    load_settings,
    open_database,
    print_json,
    session_scope,
)
from webapp.wording import later_batches, lines_and_rows


@click.group("batches")
def batches_group() -> None:
    """Import batches: one per imported file."""


@batches_group.command("list")
@db_option
@json_option
@handle_db_errors
def batches_list(db_url: str | None, as_json: bool) -> None:
    """List the import batches, newest first."""
    engine = open_database(load_settings(db_url))
    with Session(engine) as s:
        batches = list_batches(session=s)
    if as_json:
        print_json({"batches": batches})
        return
    if not batches:
        click.echo("no imports yet: load a file with 'segments ingest FILE'")
        return
    heads = ("read", "stored", "duplicates")
    counts = "".join(f"{h:>10}  " for h in heads)
    click.echo(f"{'batch':>5}  {'imported (UTC)':<16}  {counts}rejected  file")
    for b in batches:
        when = f"{b['finished_at']:%Y-%m-%d %H:%M}" if b["finished_at"] else "-"
        click.echo(
            f"{b['id']:>5}  {when:<16}  {b['rows_read']:>10,}  {b['rows_stored']:>10,}  "
            f"{b['duplicates']:>10,}  {b['rejected']:>8,}  {b['source_name']}"
        )


class BatchNumber(click.IntRange):
    name = "batch number"  # "'abc' is not a valid batch number" (was "... integer range")


def _can_ask() -> bool:
    return sys.stdin.isatty()


def _confirm(batch: dict, yes: bool) -> None:
    if yes:
        return
    question = (
        f"Remove batch {batch['id']} ({batch['source_name']}) with its "
        f"{lines_and_rows(batch['rows_stored'], batch['rejected'])}?"
    )
    if not _can_ask():
        raise UserError(f"batch {batch['id']} not removed: confirm with --yes (no terminal to ask on)")
    if not click.confirm(question, default=False):  # an answer, not an error: no "error:", exit 1
        click.echo(f"batch {batch['id']} not removed", err=True)
        sys.exit(1)


@batches_group.command("remove")
@click.argument("batch_id", type=BatchNumber(min=1, max=MAX_INT), metavar="BATCH")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
@json_option
@handle_db_errors
def batches_remove(batch_id: int, yes: bool, db_url: str | None, as_json: bool) -> None:
    """Remove import BATCH: its lines and rejected rows; its file can then be imported again.

    Lines are stored once, with the first batch that brought them: lines a later import shared
    with this one go too (re-import that file after removing its batch to restore them).
    Stored segmentation runs are kept as they were computed.
    """
    settings = load_settings(db_url)
    engine = open_database(settings)
    with Session(engine) as s:
        batch = find_batch(session=s, batch_id=batch_id)
    if batch is None:
        raise UserError(f"no import batch {batch_id} (see 'segments batches list')")
    _confirm(batch, yes)
    try:
        with session_scope(settings) as session:
            removed = remove_batch(session=session, batch_id=batch_id)
    except BatchNotFound as exc:  # removed by someone else meanwhile
        raise UserError(str(exc)) from exc
    if as_json:
        print_json(
            {
                "batch_id": removed.batch_id,
                "source": removed.source_name,
                "lines_removed": removed.lines,
                "rejected_removed": removed.rejected,
                "later_batches_with_duplicates": removed.sharers,
            }
        )
        return
    click.echo(
        f"batch {removed.batch_id} ({removed.source_name}) removed: "
        f"{lines_and_rows(removed.lines, removed.rejected)}"
    )
    if removed.sharers:
        later, _, those = later_batches([str(i) for i in removed.sharers])
        click.echo(
            f"note: {later} skipped lines as already stored; if some were batch "
            f"{removed.batch_id}'s, they are gone too (to restore them, remove and re-import {those})"
        )
