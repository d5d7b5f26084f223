"""Analytics commands: `segments trends` (more analytics commands are appended to the list)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

import click
from sqlalchemy.orm import Session

from analytics.as_of import NO_TRANSACTIONS, transaction_span
from analytics.cleaning import CleaningRules
from analytics.trends_report import trends_report
from db.queries_trends import known_countries
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
from webapp.cli.countries import matched_countries
from webapp.money import format_money, unit_prefix, with_unit
from webapp.wording import counted, in_the_chosen


def cleaning_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--from/--to/--country/--include-non-product/--returns, turned into ``rules=CleaningRules``."""
    options = [
        click.option("--from", "start", type=DATE, metavar="DATE", help="First day included (YYYY-MM-DD)."),
        click.option("--to", "end", type=DATE, metavar="DATE", help="Last day included (YYYY-MM-DD)."),
        click.option(
            "--country",
            "countries",
            multiple=True,
            help="Only this country (repeatable; any case; an unknown one is refused).",
        ),
        click.option(
            "--include-non-product",
            is_flag=True,
            help="Keep postage, fees, manual lines and gift vouchers (the reference analysis does).",
        ),
        click.option(
            "--returns",
            type=click.Choice(["exclude", "net"]),
            default="exclude",
            show_default=True,
            help=(
                "Drop returns (negative quantities at a positive price: the UCI file's C "
                "invoices), or subtract them from revenue (net: a customer who only "
                "returned goods in the period counts too, with 0 orders and negative revenue)."
            ),
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def rules_from_options(
    *,
    start: datetime | None,
    end: datetime | None,
    countries: tuple[str, ...],
    include_non_product: bool,
    returns: str,
) -> CleaningRules:
    if start is not None and end is not None and start > end:
        raise UserError(f"--from {start:%Y-%m-%d} is after --to {end:%Y-%m-%d}")
    try:
        return CleaningRules(
            include_non_product=include_non_product,
            returns=returns,  # type: ignore[arg-type] - click.Choice checked it
            start=start.date() if start else None,
            end=end.date() if end else None,
            countries=tuple(countries),
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def resolve_countries(session: Session, countries: Iterable[str]) -> tuple[str, ...]:
    """Each ``--country`` in the stored spelling (any case matches, as in `segments export`)."""
    countries = tuple(countries)
    if not countries:
        return ()
    known = session.scalars(known_countries())
    return matched_countries(countries, known, where="no transaction is from there")


def _chosen(rules: dict[str, Any]) -> str:
    """Which filters were set, as ' in the chosen dates and countries' ('' for none)."""
    dates = rules.get("start") is not None or rules.get("end") is not None
    return in_the_chosen(dates=dates, countries=bool(rules.get("countries")))


def _print_report(report: dict[str, Any], currency: str | None = None, *, stored: bool = True) -> None:
    """The report as text; ``stored``: whether the database holds any transaction at all."""
    k = report["kpis"]
    net = report["rules"].get("returns") == "net"

    def _money(value: float) -> str:
        return format_money(value, currency)

    extra = len(unit_prefix(currency))  # the money columns widen by the unit ("£", "CHF ")
    wide, pad = 13 + extra, " " * extra
    anonymous = k["without_customer_lines"]
    left_out = f"{_money(k['without_customer_revenue'])} in {counted(anonymous, 'line')}"
    if not stored:  # the same words as `segments run` for the same cause
        click.echo(NO_TRANSACTIONS)
        return
    if not k["orders"] and not k["customers"]:
        without = f"; {left_out} without a customer id left out" if anonymous else ""
        click.echo(f"no sales with a customer id{_chosen(report['rules'])}{without}")
        return
    # The days of the lines counted: the "no customer id" line may name sales outside them
    # (it covers the chosen dates, or all of them).
    counted_lines = "sales and returns" if net else "sales"
    click.echo(
        f"period          {k['first_date']:%Y-%m-%d} .. {k['last_date']:%Y-%m-%d}"
        f" (first and last of the {counted_lines} counted)"
    )
    click.echo(f"revenue         {_money(k['revenue'])}")
    click.echo(
        f"no customer id  {left_out + ' left out' if anonymous else 'none'}"
        " (only sales with a customer id count, as in RFM)"
    )
    click.echo(f"orders          {k['orders']:,}")
    click.echo(f"customers       {k['customers']:,}")
    click.echo(
        f"basket          {k['avg_basket_items']:,.1f} items, {_money(k['avg_basket_value'])} per order"
        + (" (net of returns)" if net else "")
    )
    click.echo(
        f"per customer    mean {_money(k['revenue_per_customer_mean'])}, "
        f"median {_money(k['revenue_per_customer_median'])}"
    )
    click.echo(f"\nmonth      {pad}revenue        orders  customers")
    for row in report["by_month"]:
        click.echo(
            f"{row['month']}  {_money(row['revenue']):>{wide}}  {row['orders']:>6,}  {row['customers']:>9,}"
        )
    click.echo(f"\ncountry                    {pad}revenue   share  customers")
    for row in report["by_country"]:
        click.echo(
            f"{row['country'][:20]:<20}  {_money(row['revenue']):>{wide}}  {row['revenue_share']:>6.1%}  "
            f"{row['customers']:>9,}"
        )
    click.echo("\norders per customer  customers")
    for row in report["purchase_frequency"]:
        click.echo(f"{row['bucket']:>19}  {row['customers']:>9,}")
    spend = with_unit("revenue per customer", currency)  # the buckets are amounts of money
    click.echo(f"\n{spend}  customers")
    for row in report["revenue_per_customer"]:
        click.echo(f"{row['bucket']:>{len(spend)}}  {row['customers']:>9,}")


@click.command("trends")
@cleaning_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Countries listed.")
@db_option
@json_option
@handle_db_errors
def trends_command(db_url: str | None, as_json: bool, top: int, **rule_options: Any) -> None:
    """Sales by month and country, orders per customer, basket size, revenue per customer.

    Only sales with a customer id count, as in the RFM analysis (the reference cleaning rules);
    the output says how much revenue of the period without a customer id is left out
    (--json: kpis.without_customer_revenue and without_customer_lines).
    """
    rules = rules_from_options(**rule_options)
    settings = load_settings(db_url)
    engine = open_database(settings)
    # One snapshot: an import committing meanwhile would make the KPIs and the buckets disagree.
    with Session(for_one_snapshot(engine)) as session, session.begin():
        rules = replace(rules, countries=resolve_countries(session, rules.countries))
        report = trends_report(session=session, rules=rules, top=top)
        empty = not report["kpis"]["orders"] and not report["kpis"]["customers"]
        stored = not empty or transaction_span(session=session) is not None
    if as_json:
        print_json(report)  # plain numbers: no unit in machine output
    else:
        _print_report(report, settings.currency, stored=stored)
