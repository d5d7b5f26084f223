"""Cleaning rules of the analysis as SQLAlchemy Core: which transaction lines count, and how.

Every aggregate (RFM, trends) reads from ``clean_lines(rules)``, so the rules are applied the
same way everywhere and inside whichever database holds the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
)

from db.models import Transaction

# Postage, carriage, manual adjustments, fees, samples and charity lines: not products a customer
# chose. Compared upper-case; gift vouchers are a prefix ("gift_0001_10", "gift_0001_20", ...).
NON_PRODUCT_CODES: tuple[str, ...] = (
    "POST",
    "DOT",
    "M",
    "D",
    "S",
    "C2",
    "BANK CHARGES",
    "AMAZONFEE",
    "CRUK",
    "PADS",
    "B",
)
GIFT_VOUCHER_PREFIX = "GIFT_0001"

# Money is summed as integers of 1/10000 (the stored scale of unit_price, line_total): exact on both
# backends, where SQLite would otherwise sum binary floats and Postgres return Decimals.
MONEY_SCALE = 10_000

Returns = Literal["exclude", "net"]


@dataclass(frozen=True)
class CleaningRules:
    """Options of one analysis.

    ``returns="exclude"`` is the reference behaviour (cancellations dropped); ``"net"`` keeps
    returns (negative quantity at a positive price: the UCI file's "C" invoices) so they subtract from
    revenue, without counting as purchases. ``start``/``end`` are inclusive calendar days.
    """

    include_non_product: bool = False
    returns: Returns = "exclude"
    start: date | None = None
    end: date | None = None
    countries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.returns not in ("exclude", "net"):
            raise ValueError(f"returns must be 'exclude' or 'net', not {self.returns!r}")
        if self.start and self.end and _as_day(self.start) > _as_day(self.end):
            raise ValueError("start date is after end date")
        # Lists from a CLI or a web form are accepted; the frozen value stays hashable.
        object.__setattr__(self, "countries", tuple(self.countries))


REFERENCE_RULES = CleaningRules(include_non_product=True, returns="exclude")


def _as_day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def as_cutoff(value: date | datetime) -> datetime:
    """A date means its midnight: ``as_of=2011-12-01`` keeps lines before that day."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min)


def is_cancellation(t=Transaction.__table__) -> ColumnElement[bool]:
    return func.upper(t.c.invoice_no).startswith("C")


def is_non_product(t=Transaction.__table__) -> ColumnElement[bool]:
    code = func.upper(func.coalesce(t.c.stock_code, ""))
    return or_(code.in_(NON_PRODUCT_CODES), code.startswith(GIFT_VOUCHER_PREFIX, autoescape=True))


def is_purchase(t=Transaction.__table__) -> ColumnElement[bool]:
    return and_(t.c.quantity > 0, t.c.unit_price > 0, not_(is_cancellation(t)))


def is_return(t=Transaction.__table__) -> ColumnElement[bool]:
    # Goods coming back at a price, whatever the invoice number: other shops' exports write
    # refunds as negative quantities on their own numbers. In the UCI file these are exactly
    # its "C" invoices (9,251 lines), so the reference figures do not move.
    return and_(t.c.quantity < 0, t.c.unit_price > 0)


def revenue_units(t=Transaction.__table__) -> ColumnElement[int]:
    """Line revenue in 1/MONEY_SCALE money units (an exact integer): the file's line total where
    the price was derived from one (quantity x the rounded price can miss it), else quantity x
    unit price. ``db.rollup._clean`` computes the same in Arrow."""
    price_units = cast(func.round(t.c.unit_price * MONEY_SCALE), BigInteger)
    total_units = cast(func.round(t.c.line_total * MONEY_SCALE), BigInteger)
    return func.coalesce(total_units, cast(t.c.quantity, BigInteger) * price_units)


def has_customer(t=Transaction.__table__) -> ColumnElement[bool]:
    """A line with a customer id: the only lines any analysis counts (RFM needs a customer)."""
    return and_(t.c.customer_id.is_not(None), t.c.customer_id != "")


def line_filters(
    rules: CleaningRules,
    *,
    before: datetime | None = None,
    t=Transaction.__table__,
    customer: bool = True,
):
    """WHERE clauses selecting the lines an analysis uses (purchases, and returns if netted).

    ``customer=False`` selects the lines the rules would keep but for their missing customer id
    (what an analysis leaves out for that reason alone; see ``without_customer``).

    ``db.rollup._clean`` applies the default rules to an import's lines in Arrow, so that the
    rollup need not re-read the table; change both together (tests/db/test_rollup.py checks
    that they agree).
    """
    kept = or_(is_purchase(t), is_return(t)) if rules.returns == "net" else is_purchase(t)
    anonymous = or_(t.c.customer_id.is_(None), t.c.customer_id == "")
    clauses = [has_customer(t) if customer else anonymous, kept]
    if not rules.include_non_product:
        clauses.append(not_(is_non_product(t)))
    clauses += span_filters(rules, t)
    if before is not None:
        clauses.append(t.c.invoice_date < before)
    return clauses


def span_filters(rules: CleaningRules, t) -> list[ColumnElement[bool]]:
    """The rules' dates (whole days, ``end`` included) and countries, on any table with
    ``invoice_date`` and ``country`` (transactions, the invoice rollup)."""
    clauses = []
    if rules.start is not None:
        clauses.append(t.c.invoice_date >= as_cutoff(_as_day(rules.start)))
    if rules.end is not None:
        clauses.append(t.c.invoice_date < as_cutoff(_as_day(rules.end) + timedelta(days=1)))
    if rules.countries:
        clauses.append(t.c.country.in_(rules.countries))
    return clauses


def clean_lines(rules: CleaningRules, *, before: datetime | None = None) -> Select:
    """The kept lines with ``revenue`` (money units) and ``purchase`` (1 for a sale, 0 a return).

    Use it as a subquery; the aggregates count orders and customers over ``purchase = 1``
    lines only and sum ``revenue`` over all, which is what "net" means.
    """
    t = Transaction.__table__
    purchase = case((is_purchase(t), literal(1)), else_=literal(0)) if rules.returns == "net" else literal(1)
    return select(
        t.c.customer_id,
        t.c.invoice_no,
        t.c.invoice_date,
        t.c.quantity,
        t.c.country,
        revenue_units(t).label("revenue"),
        cast(purchase, Integer).label("purchase"),
    ).where(*line_filters(rules, before=before, t=t))


def on_sales(lines, column, rules: CleaningRules) -> ColumnElement:  # noqa: ANN001 - a subquery
    """``column`` on sale lines, NULL on returns: for counting orders, customers, dates."""
    return column if rules.returns == "exclude" else case((lines.c.purchase == 1, column))


def money(units) -> float:  # noqa: ANN001 - int, Decimal or None from either driver
    """Money units from SQL back to currency."""
    return 0.0 if units is None else round(int(units) / MONEY_SCALE, 4)
