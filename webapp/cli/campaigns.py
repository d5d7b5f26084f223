"""Run comparison and campaign lists: `segments compare`, `segments export`."""

from __future__ import annotations

import math
from pathlib import Path

import click
from sqlalchemy.orm import Session

from analytics.compare import compare_assignments, moved
from analytics.export import Selection, campaign_list, split_segments, to_safe_csv
from analytics.run_history import RunNotFound, finished_runs, get_run, resolve_run, run_assignments
from db.session import for_one_snapshot
from webapp.cli.common import (
    UserError,
    db_option,
    handle_db_errors,
    json_option,
    load_settings,
    open_database,
    print_json,
)
from webapp.cli.countries import matched_countries
from webapp.run_choice import earlier_runs


def _finished_run(session: Session, ref: str) -> int:
    try:
        run_id = resolve_run(session=session, ref=ref)
    except RunNotFound as exc:
        raise UserError(str(exc)) from exc
    run = get_run(session=session, run_id=run_id)
    if run["status"] != "finished":
        raise UserError(f"run {run_id} is {run['status']}, it has no assignments")
    return run_id


def _print_comparison(result: dict, run_a: int, run_b: int) -> None:
    ari = "-" if result["ari"] is None else f"{result['ari']:.3f}"
    click.echo(
        f"run {run_a} -> run {run_b}: {result['common']:,} customers in both, adjusted Rand index {ari}"
    )
    click.echo(f"only in run {run_a}: {result['only_a']:,}; only in run {run_b}: {result['only_b']:,}")
    targets = sorted({dst for row in result["matrix"].values() for dst in row})
    width = max([len(t) for t in targets + list(result["matrix"])] + [10]) + 2
    click.echo()
    click.echo("from \\ to".ljust(width) + "".join(t.rjust(width) for t in targets))
    for src, row in result["matrix"].items():
        click.echo(src.ljust(width) + "".join(f"{row.get(t, 0):>{width},}" for t in targets))
    click.echo(f"\n{'segment':<{width}}{'run ' + str(run_a):>10}{'run ' + str(run_b):>10}{'change':>10}")
    for label, delta in result["size_delta"].items():
        a, b = result["size_a"].get(label, 0), result["size_b"].get(label, 0)
        click.echo(f"{label:<{width}}{a:>10,}{b:>10,}{delta:>+10,}")


@click.command("compare")
@click.argument("run_a")
@click.argument("run_b")
@db_option
@json_option
@handle_db_errors
def compare_command(db_url: str | None, as_json: bool, run_a: str, run_b: str) -> None:
    """Compare two runs by segment label: migration matrix, only-in counts, size changes, ARI."""
    engine = open_database(load_settings(db_url))
    with Session(for_one_snapshot(engine)) as session:  # the runs named and their rows: one snapshot
        id_a, id_b = _finished_run(session, run_a), _finished_run(session, run_b)
        a = run_assignments(session=session, run_id=id_a)
        b = run_assignments(session=session, run_id=id_b)
    result = compare_assignments(a, b).to_dict()
    if as_json:
        print_json({"run_a": id_a, "run_b": id_b, **result})
    else:
        _print_comparison(result, id_a, id_b)


def _check_label(option: str, label: str, assignments, run_id: int) -> str:
    """``label`` as the run spells it (any case, as ``--segment`` takes it), or refused."""
    labels = sorted(assignments["label"].dropna().unique())
    if label in labels:
        return label
    alike = [known for known in labels if known.casefold() == label.casefold()]
    if len(alike) == 1:
        return alike[0]
    known = ", ".join(labels)
    raise UserError(f"{option} {label!r} is not a segment label of run {run_id}; it has: {known}")


def _known_countries(countries: tuple[str, ...], assignments, run_id: int) -> tuple[str, ...]:
    """The run's spelling of each ``--country`` (any case); an unknown one is refused, since it
    would give an empty list that looks like an answer."""
    known = assignments["country"].dropna().unique()
    return matched_countries(countries, known, where=f"no customer of run {run_id} is from there")


@click.command("export")
@click.option("--run", "run_ref", required=True, help="Run id, name or 'latest'.")
@click.option("--segment", "segments", multiple=True, help="Cluster label or RFM segment (repeatable).")
@click.option("--country", "countries", multiple=True, help="Only customers of this country (repeatable).")
@click.option("--min-monetary", type=float, default=None, help="Only customers who spent at least this.")
@click.option(
    "--recency-min", type=click.IntRange(min=0), default=None, help="Days since last purchase, at least."
)
@click.option(
    "--recency-max", type=click.IntRange(min=0), default=None, help="Days since last purchase, at most."
)
@click.option("--moved-from", default=None, help="Label in the --since run.")
@click.option("--moved-to", default=None, help="Label in this run.")
@click.option(
    "--since",
    "since_ref",
    default=None,
    help="Earlier run (older data, or made before on the same data) for --moved-from/--moved-to.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV file (a name ending in .csv), or - for stdout.",
)
@db_option
@handle_db_errors
def export_command(
    db_url,
    run_ref,
    segments,
    countries,
    min_monetary,
    recency_min,
    recency_max,
    moved_from,
    moved_to,
    since_ref,
    out,
):
    """Write a campaign list (CSV, safe to open in a spreadsheet)."""
    moving = (moved_from, moved_to, since_ref)
    if any(moving) and not all(moving):
        raise UserError("--moved-from, --moved-to and --since go together")
    if min_monetary is not None and not math.isfinite(min_monetary):
        raise UserError(f"--min-monetary must be a number, not {min_monetary}")
    if recency_min is not None and recency_max is not None and recency_min > recency_max:
        raise UserError(f"--recency-min {recency_min} is above --recency-max {recency_max}")
    if out != "-" and Path(out).suffix.lower() != ".csv":
        # A spreadsheet opening "x.xlsx" or "x.csv.gz" would find plain CSV text in it.
        raise UserError(f"--out {out}: the list is CSV; give a file name ending in .csv (or - for stdout)")
    if out != "-" and not Path(out).resolve().parent.is_dir():
        raise UserError(f"cannot write {out}: the folder {Path(out).resolve().parent} does not exist")
    engine = open_database(load_settings(db_url))
    with Session(for_one_snapshot(engine)) as session:  # runs named, their rows and order: one snapshot
        run_id = _finished_run(session, run_ref)
        run = get_run(session=session, run_id=run_id)
        assignments = run_assignments(session=session, run_id=run_id)
        moved_ids = None
        if since_ref:
            since_id = _finished_run(session, since_ref)
            if since_id not in {r["id"] for r in earlier_runs(finished_runs(session=session), run_id)}:
                # Itself: everyone in a label "moved" to it; a later run: the movement backwards.
                raise UserError(
                    f"--since run {since_id} is not earlier than run {run_id}: choose a run of older "
                    "data, or one made before on the same data (see 'segments runs')"
                )
            earlier = run_assignments(session=session, run_id=since_id)
            # A label a run does not have would give an empty list that looks like an answer.
            moved_from = _check_label("--moved-from", moved_from, earlier, since_id)
            moved_to = _check_label("--moved-to", moved_to, assignments, run_id)
            moved_ids = frozenset(moved(earlier, assignments, from_label=moved_from, to_label=moved_to))
    actions = {s["label"]: s["action"] for s in run["segments"]}
    try:
        labels, rfm_segments = split_segments(segments, run_labels=actions)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    selection = Selection(
        labels, rfm_segments, _known_countries(countries, assignments, run_id), min_monetary, recency_min,
        recency_max, moved_ids,
    )  # fmt: skip
    frame = campaign_list(assignments, selection, actions=actions)
    text = to_safe_csv(frame)
    if out == "-":
        click.echo(text, nl=False)
    else:
        try:
            Path(out).write_text(text, encoding="utf-8-sig", newline="")  # with Excel's BOM
        except OSError as exc:  # permissions, a full disk, ...
            raise UserError(f"cannot write {out}: {exc.strerror or exc}") from exc
        click.echo(f"wrote {len(frame):,} customers of run {run_id} to {out}", err=True)
