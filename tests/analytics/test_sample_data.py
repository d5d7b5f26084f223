"""The synthetic UCI-layout sample: format, determinism, realistic shares, bounded memory, CLI."""

from __future__ import annotations

import gzip
import re
import tracemalloc
from datetime import date

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from analytics.sample_calendar import make_calendar
from analytics.sample_data import HEADER, write_sample
from webapp.cli import cli

NON_PRODUCT = {"POST", "M", "BANK CHARGES", "DOT", "C2", "AMAZONFEE"}


def _read(path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    df["Quantity"] = df["Quantity"].astype(int)
    df["UnitPrice"] = df["UnitPrice"].astype(float)
    df["when"] = pd.to_datetime(df["InvoiceDate"], format="%m/%d/%Y %H:%M")
    df["sales"] = df["Quantity"] * df["UnitPrice"]
    return df


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample.csv.gz"
    summary = write_sample(path, customers=3000, seed=7)
    return summary, _read(path)


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    a, b, c = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz", tmp_path / "c.csv.gz"
    write_sample(a, customers=150, seed=3)
    write_sample(b, customers=150, seed=3)
    write_sample(c, customers=150, seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    # Only the name differs between .csv and .csv.gz: the content is the same.
    plain = tmp_path / "a.csv"
    write_sample(plain, customers=150, seed=3)
    assert gzip.decompress(a.read_bytes()) == plain.read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_layout_matches_the_uci_file(sample):
    summary, df = sample
    with gzip.open(summary.path, "rt") as fh:
        assert fh.readline() == HEADER
        first = fh.readline()
    # e.g. 536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom
    assert re.fullmatch(
        r"536365,\d{5}[A-G]?,[A-Z0-9 -]+,\d+,12/1/2010 \d{1,2}:\d\d,\d+\.\d\d,\d{5}?,[A-Za-z ]+\n", first
    )
    assert list(df.columns[:8]) == HEADER.strip().split(",")
    assert len(df) == summary.lines
    assert df["InvoiceNo"].str.fullmatch(r"C?\d{6,}").all()
    products = df[~df["StockCode"].isin(NON_PRODUCT)]
    assert products["StockCode"].str.fullmatch(r"\d{5}[A-G]?").all()
    assert set(df["StockCode"]) & NON_PRODUCT == NON_PRODUCT
    assert df["CustomerID"].dropna().str.fullmatch(r"\d{5}").all()
    assert (df["UnitPrice"] > 0).all()
    # Dates: inside the 13 months from 12/1/2010, business hours, never on a Saturday.
    assert df["when"].min() >= pd.Timestamp("2010-12-01 07:00")
    assert df["when"].max() < pd.Timestamp("2012-01-01")
    assert df["when"].dt.hour.between(7, 20).all()
    assert not (df["when"].dt.day_of_week == 5).any()
    assert summary.first_date == date(2010, 12, 1)


def test_invoices_are_unique_and_rise_with_time(sample):
    _, df = sample
    number = df["InvoiceNo"].str.lstrip("C").astype(int)
    assert number.is_monotonic_increasing and df["when"].is_monotonic_increasing
    # One number is one invoice: one timestamp, one customer, cancellation or not.
    per_invoice = df.assign(n=number, cancel=df["InvoiceNo"].str.startswith("C")).groupby("n")
    assert (per_invoice[["InvoiceDate", "cancel"]].nunique().max() == 1).all()
    assert per_invoice["CustomerID"].nunique(dropna=False).max() == 1
    lines_per_invoice = per_invoice.size()
    assert 15 <= lines_per_invoice.mean() <= 25 and lines_per_invoice.max() > 100


def test_cancellations_reverse_earlier_purchases_of_the_same_customer(sample):
    summary, df = sample
    cancel = df[df["InvoiceNo"].str.startswith("C")]
    assert 0.015 <= len(cancel) / len(df) <= 0.025
    assert len(cancel) == summary.cancellation_lines
    assert (cancel["Quantity"] < 0).all() and cancel["CustomerID"].notna().all()
    assert (df.loc[~df.index.isin(cancel.index), "Quantity"] > 0).all()
    bought = df[~df.index.isin(cancel.index)].groupby(["CustomerID", "StockCode"])["when"].min()
    first_bought = bought.reindex(pd.MultiIndex.from_frame(cancel[["CustomerID", "StockCode"]]))
    assert first_bought.notna().all()
    assert (first_bought.to_numpy() <= cancel["when"].to_numpy()).all()


def test_shares_look_like_the_uci_file(sample):
    summary, df = sample
    missing = df["CustomerID"].isna()
    assert 0.22 <= missing.mean() <= 0.28 and missing.sum() == summary.anonymous_lines
    assert 0.005 <= df.duplicated().mean() <= 0.015
    countries = df["Country"].value_counts(normalize=True)
    assert countries.index[0] == "United Kingdom" and 0.8 <= countries.iloc[0] <= 0.95
    assert {"Germany", "France", "EIRE", "Spain", "Netherlands"} <= set(countries.index[:10])
    monthly = df.groupby(df["when"].dt.to_period("M"))["sales"].sum()
    assert monthly.idxmax() == pd.Period("2011-11", "M")
    assert monthly.max() > 1.4 * monthly.drop(pd.Period("2011-11", "M")).max()
    assert df["CustomerID"].nunique() == summary.customers == 3000
    assert 100 <= summary.lines / summary.customers <= 140  # the documented ~120 lines per customer


def test_customers_are_heavy_tailed_and_differ_in_recency(sample):
    _, df = sample
    known = df.dropna(subset=["CustomerID"]).groupby("CustomerID")
    orders, spend = known["InvoiceNo"].nunique(), known["sales"].sum().sort_values()
    assert orders.max() > 10 * orders.median()
    assert spend.iloc[-len(spend) // 100 :].sum() > 0.15 * spend.sum()  # top 1% of buyers
    recency = (df["when"].max() - known["when"].max()).dt.days
    assert (recency <= 30).mean() > 0.2 and (recency > 180).mean() > 0.2


def test_calendar_has_no_saturdays_nor_christmas():
    cal = make_calendar(date(2010, 12, 1), 13)
    assert cal.labels[0] == "12/1/2010" and "12/25/2010" not in cal.labels and "1/1/2011" not in cal.labels
    assert not ((cal.days.astype(np.int64) + 3) % 7 == 5).any()
    assert abs(cal.weight.mean() - 1) < 0.1


def _peak_bytes(path, months: int) -> tuple[int, int]:
    tracemalloc.start()
    try:
        summary = write_sample(path, customers=400, seed=1, months=months)
        return tracemalloc.get_traced_memory()[1], summary.lines
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_lines(tmp_path):
    write_sample(tmp_path / "warm.csv", customers=10, months=1)  # build the cached catalogue
    small_peak, small_lines = _peak_bytes(tmp_path / "small.csv.gz", months=2)
    big_peak, big_lines = _peak_bytes(tmp_path / "big.csv.gz", months=13)
    assert big_lines > 2.5 * small_lines
    # Generation holds one day at a time: holding the file would need ~2.8x the memory.
    assert big_peak < 1.3 * small_peak


def test_tiny_and_short_samples(tmp_path):
    summary = write_sample(tmp_path / "one.csv", customers=1, months=1, start="2011-11-01")
    df = _read(tmp_path / "one.csv")
    assert summary.customers == 1 and df["CustomerID"].nunique() == 1
    assert df["when"].dt.month.eq(11).all()


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [("x.txt", {}, "must end in .csv"), ("x.csv", {"customers": 0}, "at least 1")],
)
def test_bad_arguments_are_refused(tmp_path, name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        write_sample(tmp_path / name, **kwargs)
    assert not list(tmp_path.iterdir())


def test_cli_writes_the_file_and_prints_one_line(tmp_path):
    out = tmp_path / "s.csv"
    result = CliRunner().invoke(cli, ["sample-data", "--out", str(out), "--customers", "50", "--seed", "5"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().count("\n") - 1
    assert result.output == f"wrote {lines:,} lines for 50 customers to {out}\n"
    assert _read(out)["CustomerID"].nunique() == 50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customers", "0"], "'--customers': 0 is not in the range 1<=x<=5000000"),
        (["--customers", "99999999999"], "'--customers': 99999999999 is not in the range"),
        (["--out", "{tmp}/missing/dir/s.csv"], "cannot write"),
        (["--out", "{tmp}/s.parquet"], "must end in .csv or .csv.gz"),
    ],
)
def test_cli_refuses_bad_arguments(tmp_path, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "s.csv")]
    result = CliRunner().invoke(cli, ["sample-data", *args])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output
    assert not list(tmp_path.iterdir())
