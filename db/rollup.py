"""Per-invoice rollup of the clean lines under the default rules, maintained by every import.

The trends read it instead of the lines when it is current (it has folded in the newest batch)
and the rules are the default ones; date and country filters apply to it unchanged, because an
invoice has one timestamp, customer and country (rows are kept apart if it ever has more).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, Select, delete, func, insert, select
from sqlalchemy.orm import Session

from db.models import ImportBatch, InvoiceRollup, RollupState, Transaction
from db.queries_cleaning import CleaningRules, _as_day, as_cutoff, clean_lines

ROLLUP_RULES = CleaningRules()
_STATE_ID = 1
_ONE_DAY = timedelta(days=1)


def covers(rules: CleaningRules) -> bool:
    """Whether the rollup can answer for ``rules`` (any dates and countries, default otherwise)."""
    return (
        rules.include_non_product == ROLLUP_RULES.include_non_product
        and rules.returns == ROLLUP_RULES.returns
    )


def is_current(*, session: Session | Connection) -> bool:
    folded = session.scalar(select(RollupState.batch_id).where(RollupState.id == _STATE_ID))
    newest = session.scalar(select(func.max(ImportBatch.id)))
    return folded is not None and folded == newest


def use_rollup(*, session: Session | Connection, rules: CleaningRules) -> bool:
    return covers(rules) and is_current(session=session)


def rollup_lines(rules: CleaningRules) -> Select:
    """Rollup rows with the columns and filters of ``clean_lines(rules)``."""
    r = InvoiceRollup.__table__
    query = select(
        r.c.customer_id,
        r.c.invoice_no,
        r.c.invoice_date,
        r.c.quantity,
        r.c.country,
        r.c.revenue,
        r.c.purchase,
    )
    if rules.start is not None:
        query = query.where(r.c.invoice_date >= as_cutoff(_as_day(rules.start)))
    if rules.end is not None:
        query = query.where(r.c.invoice_date < as_cutoff(_as_day(rules.end) + _ONE_DAY))
    if rules.countries:
        query = query.where(r.c.country.in_(rules.countries))
    return query


def refresh(*, session: Session, batch_id: int) -> None:
    """Fold batch ``batch_id`` in: its invoices are recomputed; everything if the rollup is behind."""
    rollups = InvoiceRollup.__table__
    state = session.get(RollupState, _STATE_ID)
    previous = session.scalar(select(func.max(ImportBatch.id)).where(ImportBatch.id < batch_id))
    lines = clean_lines(ROLLUP_RULES).subquery("lines")
    summed = select(
        lines.c.invoice_no,
        lines.c.customer_id,
        lines.c.country,
        lines.c.invoice_date,
        lines.c.purchase,
        func.sum(lines.c.quantity),
        func.sum(lines.c.revenue),
    ).group_by(
        lines.c.invoice_no, lines.c.customer_id, lines.c.country, lines.c.invoice_date, lines.c.purchase
    )
    columns = ["invoice_no", "customer_id", "country", "invoice_date", "purchase", "quantity", "revenue"]
    if state is not None and previous is not None and state.batch_id == previous:
        touched = select(Transaction.invoice_no).where(Transaction.batch_id == batch_id).distinct()
        session.execute(delete(rollups).where(rollups.c.invoice_no.in_(touched)))
        summed = summed.where(lines.c.invoice_no.in_(touched))
    else:
        session.execute(delete(rollups))
    session.execute(insert(rollups).from_select(columns, summed))
    if state is None:
        session.add(RollupState(id=_STATE_ID, batch_id=batch_id))
    else:
        state.batch_id = batch_id
    session.flush()
