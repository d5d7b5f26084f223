"""Per-invoice rollup of the clean lines under the default rules, maintained by every import.

The trends read it instead of the lines when it is current (it has folded in the newest batch)
and the rules are the default ones; date and country filters apply to it unchanged, because an
invoice has one timestamp, customer and country (rows are kept apart if it ever has more).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import Connection, Select, delete, exists, func, insert, select, text
from sqlalchemy.orm import Session

from db.models import ImportBatch, InvoiceRollup, RollupState
from db.money_units import money_units
from db.queries_cleaning import (
    GIFT_VOUCHER_PREFIX,
    MONEY_SCALE,
    NON_PRODUCT_CODES,
    CleaningRules,
    clean_lines,
    span_filters,
)

ROLLUP_RULES = CleaningRules()
_STATE_ID = 1
_KEYS = ["invoice_no", "customer_id", "country", "invoice_date", "purchase"]
_COLUMNS = [*_KEYS, "quantity", "revenue"]
_IN_BATCH = 500  # invoice numbers per IN (...) list, well under SQLite's bound-parameter limit
_PG_FOLD_LOCK = 0x5E9_5C4E_3A01  # advisory lock key (the schema's is 0x5E9_5C4E_3A00)


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
    return query.where(*span_filters(rules, r))


def _lock(session: Session) -> None:
    """One import folds at a time, until it commits, and reads the rollup after those before it.

    Without it two Postgres imports fold from the same snapshot: an invoice both add to is summed
    twice, and the first to commit can be the one with the higher batch id. SQLite has a single
    writer already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_FOLD_LOCK})


def _summed_lines() -> Select:
    """The clean lines summed per invoice, in the rollup's columns (``_COLUMNS``)."""
    lines = clean_lines(ROLLUP_RULES).subquery("lines")
    keys = [lines.c[k] for k in _KEYS]
    return select(*keys, func.sum(lines.c.quantity), func.sum(lines.c.revenue)).group_by(*keys)



def _record(session: Session, state: RollupState | None, batch_id: int | None) -> None:
    if batch_id is None:  # nothing loaded: no batch to be current with
        if state is not None:
            session.delete(state)
    elif state is None:
        session.add(RollupState(id=_STATE_ID, batch_id=batch_id))
    else:
        state.batch_id = batch_id
    session.flush()


def rebuild(*, session: Session) -> None:
    """Recompute the whole rollup from the lines (after lines were removed, or by an import that
    finds it behind); it is then current with the newest batch this session sees."""
    _lock(session)
    rollups = InvoiceRollup.__table__
    state = session.get(RollupState, _STATE_ID, populate_existing=True)
    # Read before the lines: a batch committed in between is in the sum but not in the record,
    # which makes the rollup look behind (recomputed next time), never current while it is not.
    newest = session.scalar(select(func.max(ImportBatch.id)))
    session.execute(delete(rollups))
    session.execute(insert(rollups).from_select(_COLUMNS, _summed_lines()))
    _record(session, state, newest)


def _clean(rows: pa.Table) -> pa.Table:
    """``clean_lines(ROLLUP_RULES)`` on a chunk of normalised text lines, in Arrow."""
    customer = rows.column("customer_id")
    code = pc.utf8_upper(pc.fill_null(rows.column("stock_code"), ""))
    quantity = rows.column("quantity").cast(pa.int64())
    price = rows.column("unit_price").cast(pa.float64())
    keep = pc.and_(
        pc.and_(pc.is_valid(customer), pc.not_equal(pc.fill_null(customer, ""), "")),
        pc.and_(pc.greater(quantity, 0), pc.greater(price, 0.0)),
    )
    keep = pc.and_(keep, pc.invert(pc.starts_with(pc.utf8_upper(rows.column("invoice_no")), "C")))
    non_product = pc.or_(
        pc.is_in(code, pa.array(NON_PRODUCT_CODES)), pc.starts_with(code, GIFT_VOUCHER_PREFIX)
    )
    keep = pc.and_(keep, pc.invert(non_product))
    # Exact money units: prices have four decimals, so price * 10^4 rounds to the stored integer.
    units = pc.round(pc.multiply(price, MONEY_SCALE)).cast(pa.int64())
    revenue = pc.multiply(quantity, units)
    total = rows.column("line_total")
    if total.null_count < rows.num_rows:  # the file's line total, where the price came from it
        revenue = pc.coalesce(money_units(total), revenue)
    lines = pa.table(
        {
            "invoice_no": rows.column("invoice_no"),
            "customer_id": customer,
            "country": rows.column("country"),
            "invoice_date": rows.column("invoice_date").cast(pa.timestamp("s")).cast(pa.timestamp("us")),
            "purchase": pa.array([1] * rows.num_rows, pa.int64()),
            "quantity": quantity,
            "revenue": revenue,
        }
    )
    return lines.filter(pc.fill_null(keep, False))


def _summed(lines: pa.Table) -> pa.Table:
    summed = lines.group_by(_KEYS).aggregate([("quantity", "sum"), ("revenue", "sum")])
    return summed.rename_columns([*_KEYS, "quantity", "revenue"])


_SUMMED = pa.schema(
    [("invoice_no", pa.string()), ("customer_id", pa.string()), ("country", pa.string())]
    + [("invoice_date", pa.timestamp("us")), ("purchase", pa.int64())]
    + [("quantity", pa.int64()), ("revenue", pa.int64())]
)


class Delta:
    """The clean lines one import stored, summed per invoice as they are written.

    Folded into the rollup at the end of the import (``fold``), which then costs a few indexed
    lookups instead of a pass over every stored line.
    """

    def __init__(self) -> None:
        self.parts: list[pa.Table] = []

    def add(self, stored: pa.Table | None) -> None:
        if stored is None or not stored.num_rows:
            return
        self.parts.append(_summed(_clean(stored)))
        if len(self.parts) > 8:  # memory follows the invoices, not the lines
            self.parts = [self.table()]

    def table(self) -> pa.Table:
        return _summed(pa.concat_tables(self.parts)) if self.parts else _SUMMED.empty_table()


def _insert(session: Session, rows: pa.Table) -> None:
    if session.get_bind().dialect.name != "postgresql":
        for batch in rows.to_batches(max_chunksize=10_000):  # a big file has ~500,000 invoices
            session.execute(insert(InvoiceRollup.__table__), batch.to_pylist())
        return
    # Postgres runs an executemany as one statement per row; COPY takes them in one go.
    buf = pa.BufferOutputStream()
    pa_csv.write_csv(rows, buf, pa_csv.WriteOptions(include_header=False))
    with session.connection().connection.driver_connection.cursor() as cur:
        columns = ", ".join(rows.column_names)  # _SUMMED's names
        with cur.copy(f"COPY invoice_rollups ({columns}) FROM STDIN (FORMAT csv)") as cp:
            cp.write(memoryview(buf.getvalue()))


def fold(*, session: Session, batch_id: int, delta: Delta) -> None:
    """Add batch ``batch_id``'s stored lines (``delta``) to the rollup; rebuild it if it is behind."""
    _lock(session)
    state = session.get(RollupState, _STATE_ID, populate_existing=True)
    previous = session.scalar(select(func.max(ImportBatch.id)).where(ImportBatch.id < batch_id))
    folded = None if state is None else state.batch_id
    if folded != previous:  # behind (or ahead of deleted batches): start over from the lines
        rebuild(session=session)  # this batch is flushed: the newest it records is at least it
        return
    rollups = InvoiceRollup.__table__
    added = delta.table()
    if added.num_rows and session.scalar(select(exists().select_from(rollups))):
        # Invoices that earlier imports began: their rows are summed with this import's lines.
        invoices = pc.unique(added.column("invoice_no")).to_pylist()
        earlier = []
        for i in range(0, len(invoices), _IN_BATCH):
            where = rollups.c.invoice_no.in_(invoices[i : i + _IN_BATCH])
            earlier += session.execute(
                select(*(rollups.c[k] for k in _COLUMNS)).where(where)
            ).all()
            session.execute(delete(rollups).where(where))
        if earlier:
            columns = list(zip(*earlier, strict=True))
            old = pa.table(
                {
                    name: pa.array(values, added.schema.field(name).type)
                    for name, values in zip(added.column_names, columns, strict=True)
                }
            )
            added = _summed(pa.concat_tables([added, old]))
    if added.num_rows:
        _insert(session, added)
    _record(session, state, batch_id)
