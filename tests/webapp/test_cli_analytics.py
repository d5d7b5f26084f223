"""`segments trends` through click, on both backends, on the hand-made store."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from analytics.as_of import NO_TRANSACTIONS
from analytics.cleaning import CleaningRules
from tests.analytics.test_trends import ANONYMOUS
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
    # Names the options and days, as backfill does (was "start date is after end date").
    assert result.exit_code == 2 and result.output == "error: --from 2011-05-01 is after --to 2011-01-01\n"
    result = CliRunner().invoke(cli, ["trends", "--db", db_url, "--returns", "keep"])
    assert result.exit_code == 2
    far = CliRunner().invoke(cli, ["trends", "--db", db_url, "--to", "9999-12-31"])  # was an overflow
    assert far.exit_code == 2 and "outside the years 1900-2100" in far.output
    empty = _run("trends", "--db", db_url)
    # No transaction at all: the words of `segments run` (was "no sales with a customer id").
    assert empty.exit_code == 0 and empty.output == f"{NO_TRANSACTIONS}\n"
    assert NO_TRANSACTIONS.startswith("no transactions yet: import a file first")


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
        "error: SEGMENTS_CURRENCY must be an ISO 4217 currency code like GBP, EUR or USD, not 'pounds'\n"
    )


def test_trends_says_what_sales_without_a_customer_it_leaves_out(engine, db_url):
    insert_lines(engine=engine)
    text = _run("trends", "--db", db_url).output  # 536011, 5 x 3.00, has no customer id
    assert "no customer id  15.00 in 1 line left out (only sales with a customer id count" in text
    report = json.loads(_run("trends", "--db", db_url, "--json").output)
    assert (report["kpis"]["without_customer_revenue"], report["kpis"]["without_customer_lines"]) == (15.0, 1)
    germany = _run("trends", "--db", db_url, "--country", "Germany").output
    assert "no customer id  none (" in germany
    help_text = " ".join(_run("trends", "--help").output.split())
    assert "Only sales with a customer id count, as in the RFM analysis" in help_text


def test_trends_on_anonymous_sales_only_says_so(engine, db_url):
    insert_lines(engine=engine, lines=ANONYMOUS)
    # Was "no transactions match these filters", with no filter set.
    result = _run("trends", "--db", db_url)
    assert result.exit_code == 0
    assert result.output == "no sales with a customer id; 9.00 in 3 lines without a customer id left out\n"
    france = _run("trends", "--db", db_url, "--country", "France", "--to", "2011-05-31").output
    assert france == (
        "no sales with a customer id in the chosen dates and countries; "
        "7.00 in 2 lines without a customer id left out\n"
    )
    spain = _run("trends", "--db", db_url, "--from", "2011-07-01").output
    assert spain == "no sales with a customer id in the chosen dates\n"


def test_trends_net_returns_per_customer_figures_add_up(engine, db_url):
    insert_lines(engine=engine)
    report = json.loads(_run("trends", "--db", db_url, "--json", "--returns", "net").output)
    k = report["kpis"]
    # 12345: 11.50 - 1.70, 12346: 118.05, 12347: 1.68, and 12349 who only returned 5.00.
    assert (k["revenue"], k["customers"]) == (124.53, 4)
    assert k["revenue_per_customer_mean"] == round(k["revenue"] / k["customers"], 4) == 31.1325
    assert sum(b["customers"] for b in report["revenue_per_customer"]) == 4
    # 12349's -5.00 has a bucket of its own, not "0-100"; the default report has none.
    assert [(b["bucket"], b["low"], b["customers"]) for b in report["revenue_per_customer"][:2]] == [
        ("<0", None, 1), ("0-100", 0, 2)
    ]
    assert sum(b["revenue"] for b in report["revenue_per_customer"]) == pytest.approx(124.53)
    assert [(b["bucket"], b["customers"]) for b in report["purchase_frequency"][:2]] == [("0", 1), ("1", 1)]
    # The default mode is unchanged: 3 customers, 131.23, no "0" orders bucket.
    default = json.loads(_run("trends", "--db", db_url, "--json").output)
    k = default["kpis"]
    assert (k["revenue"], k["customers"], k["revenue_per_customer_mean"]) == (131.23, 3, round(131.23 / 3, 4))
    assert default["purchase_frequency"][0] == {"bucket": "1", "customers": 1}
    assert default["revenue_per_customer"][0]["bucket"] == "0-100"


def test_trends_country_any_case_and_unknown_refused(engine, db_url):
    insert_lines(engine=engine)
    lower = json.loads(_run("trends", "--db", db_url, "--json", "--country", "france").output)
    assert lower["rules"]["countries"] == ["France"]  # the stored spelling, as export does
    assert (lower["kpis"]["revenue"], lower["kpis"]["orders"]) == (10.55, 2)  # 6.30 + 4.25
    typo = CliRunner().invoke(cli, ["trends", "--db", db_url, "--country", "Frnace"])
    assert typo.exit_code == 2
    assert typo.output == "error: --country 'Frnace': no transaction is from there; did you mean 'France'?\n"
    narnia = CliRunner().invoke(cli, ["trends", "--db", db_url, "--country", "France", "--country", "Narnia"])
    assert narnia.exit_code == 2
    assert narnia.output == (
        "error: --country 'Narnia': no transaction is from there; "
        "3 known: France, Germany, United Kingdom\n"
    )


def test_a_country_stored_in_two_spellings_keeps_the_lines_of_both(engine, db_url):
    # Files from two systems: "France" and "FRANCE". Was: --country france matched the last
    # spelling only and silently dropped the other one's lines.
    from tests.transaction_factory import SAMPLE_LINES

    shouting = [(*line[:6], "FRANCE") if line[0] == "536005" else line for line in SAMPLE_LINES]
    insert_lines(engine=engine, lines=shouting)
    for asked in ("france", "France", "FRANCE"):
        report = json.loads(_run("trends", "--db", db_url, "--json", "--country", asked).output)
        assert report["rules"]["countries"] == ["FRANCE", "France"]
        assert (report["kpis"]["revenue"], report["kpis"]["orders"]) == (10.55, 2)  # 6.30 + 4.25


def test_trends_net_text_is_net_throughout_and_says_what_its_period_is(engine, db_url):
    insert_lines(engine=engine)
    net = _run("trends", "--db", db_url, "--returns", "net").output
    # Was the gross 131.23 / 7 = 18.75 per order next to net revenue and per-customer figures.
    assert "revenue         124.53\n" in net
    assert "basket          18.0 items, 17.79 per order (net of returns)\n" in net
    assert "per customer    mean 31.13, median 5.74\n" in net
    assert "period          2011-01-10 .. 2011-04-01 (first and last of the sales and returns counted)\n" in net
    plain = _run("trends", "--db", db_url).output
    assert "basket          18.0 items, 18.75 per order\n" in plain  # 131.23 / 7: only sales
    # The left-out line (536011) may lie outside these days: the period is that of the sales counted.
    assert "period          2011-01-10 .. 2011-04-01 (first and last of the sales counted)\n" in plain


def test_trends_tables_group_thousands_as_the_headline_figures_do(engine, db_url, capsys):
    from analytics.trends_report import trends_report
    from webapp.cli.analytics import _print_report

    insert_lines(engine=engine)
    with Session(engine) as session:
        report = trends_report(session=session, rules=CleaningRules())
    report["by_month"][0] |= {"orders": 1394, "customers": 3916}
    report["by_country"][0]["customers"] = 4334
    report["purchase_frequency"][0]["customers"] = 1234
    report["revenue_per_customer"][0]["customers"] = 2345
    _print_report(report)
    text = capsys.readouterr().out
    assert "   1,394      3,916\n" in text  # was "1394       3916"
    for grouped in ("4,334", "1,234", "2,345"):
        assert grouped in text
    assert "1394" not in text and "4334" not in text


@pytest.mark.parametrize(
    ("currency", "revenue", "basket"),
    [("JPY", "¥131", "¥19"), ("BHD", "BHD 131.230", "BHD 18.747"), ("GBP", "£131.23", "£18.75")],
)
def test_trends_money_has_the_currency_decimals(engine, db_url, currency, revenue, basket):
    insert_lines(engine=engine)
    text = CliRunner().invoke(cli, ["trends", "--db", db_url], env={"SEGMENTS_CURRENCY": currency}).output
    assert f"revenue         {revenue}\n" in text  # was ¥131.23 and BHD 131.23
    assert f"items, {basket} per order\n" in text
