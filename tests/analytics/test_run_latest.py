"""``latest``: the newest finished run of the latest data, one rule for the CLI and the pages."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from analytics.backfill import backfill
from analytics.run_history import finished_runs, resolve_run
from analytics.runs import execute_run
from db.models import Transaction
from tests.analytics.run_fixtures import load_store, store_lines
from tests.transaction_factory import insert_lines

# The store's last line is postage, a day after its last product line: the reference preset
# keeps it, the default drops it, so their runs on the same data differ in as-of day.
POSTAGE_LAST = ("599003", "POST", 1, "2011-12-16 09:00", "18.00", "c02", "United Kingdom")


def _latest(engine) -> int:
    with Session(engine) as session:
        latest = resolve_run(session=session, ref="latest")
        assert finished_runs(session=session)[0]["id"] == latest  # the pages' default
        return latest


def test_a_run_just_made_on_all_the_data_is_latest_whatever_its_preset(engine):
    insert_lines(engine=engine, lines=[*store_lines(), POSTAGE_LAST])
    reference = execute_run(engine=engine, preset="reference", k=3, stability_resamples=1)
    default = execute_run(engine=engine, preset="default", k=2, stability_resamples=1)
    with Session(engine) as session:
        runs = {r["id"]: r for r in finished_runs(session=session)}
    # As of the last purchase each keeps + 1 day: a day apart, yet both saw all the data.
    assert (runs[reference]["as_of"].date(), runs[default]["as_of"].date()) == (date(2011, 12, 17), date(2011, 12, 16))
    assert runs[reference]["data_cutoff"] == runs[default]["data_cutoff"] == date(2011, 12, 17)
    assert _latest(engine) == default  # was the reference run: the later as-of day
    again = execute_run(engine=engine, preset="reference", k=3, stability_resamples=1)
    assert _latest(engine) == again


def test_old_snapshots_made_afterwards_are_not_latest_and_ties_go_to_the_newest(engine):
    load_store(engine)  # purchases up to 2011-12-15
    current = execute_run(engine=engine, k=2, stability_resamples=1)
    execute_run(engine=engine, k=2, as_of=date(2011, 10, 3), stability_resamples=1)
    months = backfill(engine=engine, start=date(2011, 9, 1), end=date(2011, 11, 30), k=2, stability_resamples=1)
    assert [m["status"] for m in months] == ["finished"] * 3
    assert _latest(engine) == current
    # As of the day after the last purchase: all the data too, made last.
    everything = execute_run(engine=engine, k=2, as_of=date(2011, 12, 16), stability_resamples=1)
    assert _latest(engine) == everything  # was the run without --as-of: later in the day


def test_a_backfill_of_data_ending_on_a_month_end_does_not_take_latest(engine):
    # Was: `run` then `backfill` on data ending 30 November showed the month end run as latest.
    load_store(engine)
    with Session(engine) as session:
        session.execute(Transaction.__table__.delete().where(Transaction.invoice_date >= datetime(2011, 12, 1)))
        session.commit()
    current = execute_run(engine=engine, k=2, stability_resamples=1)
    months = backfill(engine=engine, start=date(2011, 11, 1), end=date(2011, 11, 30), k=2, stability_resamples=1)
    assert [(m["status"], m["as_of"]) for m in months] == [("finished", date(2011, 12, 1))]
    with Session(engine) as session:
        runs = finished_runs(session=session)
    assert runs[0]["data_cutoff"] == runs[1]["data_cutoff"] == date(2011, 12, 1)
    assert _latest(engine) == current


def test_backfill_names_read_back_as_month_ends():
    """One name format, written by backfill and read by the latest-run tie-break."""
    from datetime import date

    from analytics.run_history import _is_month_end, month_end_name

    assert month_end_name(date(2011, 3, 1)) == "month end 2011-02"
    assert month_end_name(date(2011, 1, 1)) == "month end 2010-12"
    assert _is_month_end(month_end_name(date(2011, 1, 1)), "2011-01-01T00:00:00")
    assert not _is_month_end(month_end_name(date(2011, 1, 1)), "2011-02-01T00:00:00")
