"""`segments trends` through click, on both backends, on the hand-made store."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.transaction_factory import insert_lines
from webapp.cli import cli


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_trends_json(engine, db_url):
    insert_lines(engine=engine)
    result = _run("trends", "--db", db_url, "--json", "--top", "1")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["kpis"]["revenue"] == 131.23 and report["kpis"]["customers"] == 3
    assert [m["month"] for m in report["by_month"]] == ["2011-01", "2011-02", "2011-03", "2011-04"]
    assert [(c["country"], c["revenue"]) for c in report["by_country"]] == [
        ("Germany", 107.5),
        ("Other", 23.73),
    ]
    assert report["basket"]["invoices"] == 7
    assert report["rules"] == {
        "include_non_product": False,
        "returns": "exclude",
        "start": None,
        "end": None,
        "countries": [],
    }


def test_trends_filters_and_text_output(engine, db_url):
    insert_lines(engine=engine)
    args = ["trends", "--db", db_url, "--from", "2011-03-01", "--to", "2011-03-31"]
    args += ["--country", "United Kingdom", "--country", "Germany", "--returns", "net"]
    report = json.loads(_run(*args, "--json", "--include-non-product").output)
    # March, UK + Germany, manual and voucher lines kept, return netted:
    # 7.50 + 8.50 + 1.68 + 16.67 + 2.00 - 1.70 = 34.65 over 536006, 536002, 536008, 536007, 536010.
    assert (report["kpis"]["revenue"], report["kpis"]["orders"]) == (34.65, 5)
    assert report["rules"]["start"] == "2011-03-01" and report["rules"]["returns"] == "net"
    text = _run(*args).output
    assert "revenue" in text and "2011-03" in text and "Germany" in text


def test_trends_rejects_bad_input(engine, db_url):
    result = CliRunner().invoke(cli, ["trends", "--db", db_url, "--from", "2011-05-01", "--to", "2011-01-01"])
    assert result.exit_code == 2 and "start date is after end date" in result.output
    result = CliRunner().invoke(cli, ["trends", "--db", db_url, "--returns", "keep"])
    assert result.exit_code == 2
    far = CliRunner().invoke(cli, ["trends", "--db", db_url, "--to", "9999-12-31"])  # was an overflow
    assert far.exit_code == 2 and "outside the years 1900-2100" in far.output
    empty = _run("trends", "--db", db_url)
    assert empty.exit_code == 0 and "no transactions" in empty.output


def test_trends_text_shows_the_currency_only_when_set(engine, db_url):
    insert_lines(engine=engine)
    plain = CliRunner().invoke(cli, ["trends", "--db", db_url], env={"SEGMENTS_CURRENCY": None})
    assert plain.exit_code == 0, plain.output
    assert "revenue         131.23\n" in plain.output and "£" not in plain.output
    assert "\nrevenue per customer  customers\n" in plain.output  # today's text, unchanged
    pounds = CliRunner().invoke(cli, ["trends", "--db", db_url], env={"SEGMENTS_CURRENCY": "gbp"})
    assert pounds.exit_code == 0, pounds.output
    assert "revenue         £131.23\n" in pounds.output
    assert "\nrevenue per customer (GBP)  customers\n" in pounds.output
    months = [line for line in pounds.output.splitlines() if line.startswith("2011-")]
    assert len(months) == 4 and all("£" in line for line in months)
    # the money columns widen by the unit, so the lines still align
    assert len({len(line) for line in months}) == 1
    assert len(months[0]) == len([ln for ln in plain.output.splitlines() if ln.startswith("2011-")][0]) + 1
    francs = CliRunner().invoke(cli, ["trends", "--db", db_url], env={"SEGMENTS_CURRENCY": "CHF"})
    assert "revenue         CHF 131.23\n" in francs.output


def test_trends_json_stays_plain_numbers_with_a_currency(engine, db_url):
    insert_lines(engine=engine)
    args = ["trends", "--db", db_url, "--json"]
    plain = CliRunner().invoke(cli, args, env={"SEGMENTS_CURRENCY": None}).output
    pounds = CliRunner().invoke(cli, args, env={"SEGMENTS_CURRENCY": "GBP"}).output
    assert pounds == plain and json.loads(pounds)["kpis"]["revenue"] == 131.23


def test_a_bad_currency_is_refused_in_one_line(db_url):
    result = CliRunner().invoke(cli, ["trends", "--db", db_url], env={"SEGMENTS_CURRENCY": "pounds"})
    assert result.exit_code == 2
    assert result.output == (
        "error: SEGMENTS_CURRENCY must be a three-letter ISO 4217 code like GBP, EUR or USD, not 'pounds'\n"
    )
