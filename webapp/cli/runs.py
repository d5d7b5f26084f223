"""Segmentation run commands: `segments run`, `runs`, `show`, `backfill`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.orm import Session

from analytics.as_of import NO_TRANSACTIONS, transaction_span
from analytics.backfill import backfill
from analytics.cleaning import CleaningRules
from analytics.run_history import RunNotFound, get_run, list_runs, resolve_run, runs_named
from analytics.runs import RunFailed, RunRefused, default_rules, execute_run
from analytics.segmentation import DEFAULT_RESAMPLES, MAX_K, PRESETS
from db.session import for_one_snapshot
from webapp.cli.common import (
    DATE,
    UserError,
    db_option,
    handle_db_errors,
    json_option,
    load_settings,
    open_database,
    print_json,
)
from webapp.money import format_money, unit_prefix

NO_RUNS = "no runs yet: start one with 'segments run'"
SEGMENT_KEYS = ("cluster", "label", "size", "customer_share", "revenue_share")


def run_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by `run` and `backfill`: preset, k, cleaning rules, resamples."""
    options = [
        click.option("--preset", type=click.Choice(PRESETS), default="default", show_default=True),
        click.option(
            "--k", type=click.IntRange(2, MAX_K), default=None, help="Fix k (default: elbow; reference: 4)."
        ),
        click.option(
            "--include-non-product/--exclude-non-product",
            default=None,
            help="Keep postage, fees, vouchers (default: the preset's; reference keeps them).",
        ),
        click.option(
            "--returns", type=click.Choice(["exclude", "net"]), default=None, help="Default: exclude."
        ),
        click.option(
            "--resamples",
            type=click.IntRange(1, 200),
            default=DEFAULT_RESAMPLES,
            show_default=True,
            help="Bootstrap resamples for the stability ARI.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def rules_for(preset: str, include_non_product: bool | None, returns: str | None) -> CleaningRules:
    base = default_rules(preset)
    return CleaningRules(
        include_non_product=base.include_non_product if include_non_product is None else include_non_product,
        returns=returns or base.returns,  # type: ignore[arg-type] - click.Choice checked it
    )


def run_json(run: dict[str, Any]) -> dict[str, Any]:
    """The JSON of one run: headline fields first, then segments, k sweep and provenance."""
    out = {"run_id": run["id"], **{k: v for k, v in run.items() if k not in ("id", "segments")}}
    out["k_choice"] = (run["params"].get("segmentation") or {}).get("k_choice")
    out["segments"] = [
        {
            **{key: seg[key] for key in SEGMENT_KEYS},
            **{
                f"{stat}_{col}": seg[f"{stat}_{col}"]
                for col in ("recency", "frequency", "monetary")
                for stat in ("median", "mean")
            },
            "action": seg["action"],
        }
        for seg in run["segments"]
    ]
    return out


def _metric(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def print_run(run: dict[str, Any], currency: str | None = None) -> None:
    named = f"  {run['name']}" if run["name"] else ""
    click.echo(f"run {run['id']}{named}  [{run['status']}]  preset {run['preset']}")
    if run["status"] != "finished":
        click.echo(f"error: {run['error']}")
        return
    sampled = f" (sampled {run['silhouette_sample_size']})" if run["silhouette_sampled"] else ""
    click.echo(f"as of {run['as_of']:%Y-%m-%d %H:%M}, {run['n_customers']:,} customers, k = {run['k']}")
    click.echo(
        f"silhouette {_metric(run['silhouette'])}{sampled}  Davies-Bouldin {_metric(run['davies_bouldin'])}  "
        f"Calinski-Harabasz {_metric(run['calinski_harabasz'], '.0f')}  "
        f"stability ARI {_metric(run['stability_ari'])} over {run['stability_resamples']} resamples"
    )
    if run["k_sweep"]:
        click.echo("\n  k      inertia  silhouette")
        for row in run["k_sweep"]:
            mark = " <" if row["k"] == run["k"] else ""
            click.echo(f"{row['k']:>3}  {row['inertia']:>11.1f}  {row['silhouette']:>10.3f}{mark}")
    spends = [format_money(s["median_monetary"], currency) for s in run["segments"]]
    # The median spend, unit included; wider for a wholesale spend, which would otherwise run
    # into the F column and read as one number.
    wide = max(12 + len(unit_prefix(currency)), *(len(spend) + 2 for spend in spends))
    click.echo(
        f"\n{'segment':<26}{'customers':>10}{'share':>8}{'revenue':>9}{'R days':>8}{'F':>6}"
        f"{'M':>{wide}}  action"
    )
    for s, spend in zip(run["segments"], spends, strict=True):
        click.echo(
            f"{s['label']:<26}{s['size']:>10,}{s['customer_share']:>8.1%}{s['revenue_share']:>9.1%}"
            f"{s['median_recency']:>8.0f}{s['median_frequency']:>6.0f}{spend:>{wide}}"
            f"  {s['action']}"
        )


@click.command("run")
@run_options
@click.option("--as-of", type=DATE, default=None, help="Use only purchases before this day (YYYY-MM-DD).")
@click.option(
    "--name", default=None, help="A name to find the run by (not blank, not a number, not 'latest')."
)
@db_option
@json_option
@handle_db_errors
def run_command(db_url, as_json, preset, k, include_non_product, returns, resamples, as_of, name) -> None:
    """Segment customers (RFM + K-Means) and store the run."""
    settings = load_settings(db_url)
    engine = open_database(settings)
    try:
        run_id = execute_run(
            engine=engine,
            preset=preset,
            k=k,
            as_of=as_of,
            name=name,
            rules=rules_for(preset, include_non_product, returns),
            stability_resamples=resamples,
        )
    except (RunFailed, RunRefused) as exc:
        raise UserError(str(exc)) from exc
    with Session(engine) as session:
        run = get_run(session=session, run_id=run_id)
        name = run["name"]  # as stored: stripped
        earlier = [i for i in runs_named(session=session, name=name) if i != run_id] if name else []
    print_json(run_json(run)) if as_json else print_run(run, settings.currency)
    if earlier:
        # Names are handles that move to the newest run (backfill reuses its month names).
        ids = ", ".join(map(str, earlier))
        click.echo(f"note: run {ids} had the name {name!r} too; it now means run {run_id}", err=True)


@click.command("runs")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the runs as one JSON array.")
@handle_db_errors
def runs_command(db_url: str | None, as_json: bool) -> None:
    """List stored runs, newest first."""
    engine = open_database(load_settings(db_url))
    with Session(engine) as session:
        runs = list_runs(session=session)
        stored = bool(runs) or transaction_span(session=session) is not None
    if as_json:
        print_json([{"run_id": r.pop("id"), **r} for r in runs])
        return
    if not runs:  # not a header over nothing
        click.echo(NO_RUNS if stored else f"no runs yet, and {NO_TRANSACTIONS}")
        return
    click.echo(
        f"{'id':>4}  {'created (UTC)':<16}  {'status':<8}  {'preset':<9}  {'as of':<10}  {'k':>2}  "
        f"{'customers':>9}  {'silh.':>5}  name"
    )
    for r in runs:
        as_of = f"{r['as_of']:%Y-%m-%d}" if r["as_of"] else "-"
        customers = f"{r['n_customers']:,}" if r["n_customers"] else "-"  # as `show` writes them
        click.echo(
            f"{r['id']:>4}  {r['created_at']:%Y-%m-%d %H:%M}  {r['status']:<8}  {r['preset']:<9}  "
            f"{as_of:<10}  {r['k'] or '-':>2}  {customers:>9}  "
            f"{_metric(r['silhouette'], '.2f'):>5}  {r['name'] or ''}"
        )


@click.command("show")
@click.argument("run")
@db_option
@json_option
@handle_db_errors
def show_command(db_url: str | None, as_json: bool, run: str) -> None:
    """Show one run (id, name, or 'latest')."""
    settings = load_settings(db_url)
    engine = open_database(settings)
    with Session(for_one_snapshot(engine)) as session:  # 'latest' and the run it names: one snapshot
        try:
            found = get_run(session=session, run_id=resolve_run(session=session, ref=run))
        except RunNotFound as exc:
            raise UserError(str(exc)) from exc
    print_json(run_json(found)) if as_json else print_run(found, settings.currency)


@click.command("backfill")
@click.option("--every", type=click.Choice(["month"]), default="month", show_default=True)
@click.option("--from", "start", type=DATE, default=None, help="First month (default: first purchase).")
@click.option("--to", "end", type=DATE, default=None, help="Last day (default: last purchase).")
@run_options
@db_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON array: each month's as_of, run_id, status and error.",
)
@handle_db_errors
def backfill_command(db_url, as_json, every, start, end, preset, k, include_non_product, returns, resamples):
    """Create one run per month end, to follow segment sizes over time."""
    if start is not None and end is not None and start > end:  # as `trends` says it
        raise UserError(f"--from {start:%Y-%m-%d} is after --to {end:%Y-%m-%d}")
    engine = open_database(load_settings(db_url))
    try:
        results = backfill(
            engine=engine,
            start=start.date() if start else None,
            end=end.date() if end else None,
            preset=preset,
            k=k,
            rules=rules_for(preset, include_non_product, returns),
            stability_resamples=resamples,
        )
    except RunRefused as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        print_json(results)
    else:
        for r in results:
            click.echo(
                f"as of {r['as_of']}: run {r['run_id'] or '(not stored)'} {r['status']}"
                + (f" ({r['error']})" if r["error"] else "")
            )
    failed = sum(r["status"] == "failed" for r in results)
    refused = sum(r["status"] == "refused" for r in results)
    if failed or refused:
        counts = [f"{n} {what}" for n, what in ((failed, "failed"), (refused, "refused")) if n]
        raise UserError(f"of {len(results)} monthly runs, {' and '.join(counts)}")
    if not results:
        raise UserError("no complete month of data in the chosen range")
