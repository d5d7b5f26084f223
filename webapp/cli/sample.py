"""``segments sample-data``: write a synthetic UCI-layout export."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.sample_data import LINES_PER_CUSTOMER, write_sample
from webapp.cli.common import UserError


@click.command("sample-data")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write: .csv or .csv.gz (compressed).",
)
@click.option(
    "--customers",
    default=4000,
    show_default=True,
    type=click.IntRange(1, 5_000_000),
    help=f"Customers with an id; about {LINES_PER_CUSTOMER} lines each (4000 ~ the real UCI file, "
    "83000 ~ 10 million lines).",
)
@click.option("--seed", default=42, show_default=True, type=int, help="Same seed, same file (byte for byte).")
def sample_data(out: Path, customers: int, seed: int) -> None:
    """Write synthetic retail transactions in the UCI Online Retail layout.

    About 120 lines per customer over 13 months from 12/1/2010: UK-heavy countries, a November
    peak, ~2% cancellations, ~25% of lines without CustomerID, some non-product codes.
    """
    if seed < 0:
        raise UserError(f"--seed must not be negative, got {seed}")
    try:
        summary = write_sample(out, customers=customers, seed=seed)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {summary.lines:,} lines for {summary.customers:,} customers to {summary.path}")
