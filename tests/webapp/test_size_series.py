"""The backfill a one-date series' note suggests makes runs of that same series."""

from analytics.run_series import SeriesKey
from webapp.size_series import backfill_command


def _key(preset="default", k=None, include_non_product=False, returns="exclude", **limits):
    return SeriesKey(preset, k, include_non_product, returns, limits.get("start"), limits.get("end"), ())


def test_the_suggested_backfill_repeats_the_series_options():
    assert backfill_command(_key()) == "segments backfill --every month"
    assert backfill_command(_key("reference", 4, True)) == "segments backfill --every month --preset reference"
    assert backfill_command(_key("reference", 6, True, "net")) == (
        "segments backfill --every month --preset reference --k 6 --returns net"
    )
    assert backfill_command(_key(k=3, include_non_product=True)) == (
        "segments backfill --every month --k 3 --include-non-product"
    )
    assert backfill_command(_key(start="2011-01-01")) is None  # backfill makes no date-limited runs
