"""Overview callbacks as plain functions on the tiny sample (known answers), both backends."""

from datetime import date

import pytest
from sqlalchemy.orm import Session

from analytics.runs import execute_run
from db.ingest import ingest_file
from tests.analytics.run_fixtures import AS_OF, load_store
from tests.webapp.plotly_arrays import values
from tests.webapp.test_callback_inputs import _post
from webapp.components.overview_views import filter_query
from webapp.overview_data import OverviewFilters, parse_filters

# TINY_CSV keeps three sale lines with a customer: invoice 536365 (17850, United Kingdom,
# 6 x 2.55 + 6 x 3.39 = 35.64, 12 items) and 536366 (17851, France, 6 x 1.85 = 11.10, 6 items).


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.server.app_context():
        yield app


@pytest.fixture
def loaded(app, engine, tiny_csv):
    with Session(engine) as s, s.begin():
        ingest_file(tiny_csv, session=s)
    return app


def kpi_texts(shown) -> dict[str, str]:
    row = shown.children[0]  # the cards; then the note on sales without a customer id
    return {
        card.children.children.children[1].id: card.children.children.children[1].children
        for card in row.children
    }


def test_empty_database_says_what_to_do_next(app):
    from webapp.pages import home

    options, message, style, *bounds = home.show_choices("overview-country", None)
    assert options == [] and style == {"display": "none"} and bounds == [None, None, None]
    assert message.id == "home-next" and "segments ingest" in str(message)
    assert kpi_texts(home.show_kpis(None, None, None))["overview-kpi-orders"] == "0"
    assert len(home.show_by_month(None, None, None)["data"]) == 0


def test_kpis_and_charts_on_the_sample(loaded):
    from webapp.pages import home

    options, message, style, *bounds = home.show_choices("overview-country", None)
    assert [o["value"] for o in options] == ["France", "United Kingdom"] and style == {}
    assert message.id == "home-next" and "Data is loaded" in str(message)  # no run yet
    assert bounds == ["2010-12-01", "2010-12-31", "2010-12-31"]  # the date picker opens on the data
    kpis = kpi_texts(home.show_kpis(None, None, None))
    assert kpis == {
        "overview-kpi-revenue": "46.74",
        "overview-kpi-orders": "2",
        "overview-kpi-customers": "2",
        "overview-kpi-avg-basket-items": "9.0",
        "overview-kpi-avg-basket-value": "23.37",
        "overview-kpi-revenue-per-customer-mean": "23.37",
    }
    month = home.show_by_month(None, None, None)
    assert list(month["data"][0]["x"]) == ["2010-12"] and values(month["data"][0]["y"]).tolist() == [46.74]
    assert month_notes(month) == ["13-14 Dec"]  # sales on 2 days
    country = home.show_by_country(None, None, None)
    assert list(country["data"][0]["y"]) == ["France", "United Kingdom"]
    assert values(country["data"][0]["x"]).tolist() == [11.1, 35.64]
    frequency = home.show_frequency(None, None, None)
    assert values(frequency["data"][0]["y"]).tolist() == [2, 0, 0, 0, 0, 0, 0, 0, 0]


def test_filters_change_every_piece(loaded):
    from webapp.pages import home

    france = kpi_texts(home.show_kpis(None, None, "France"))
    assert (france["overview-kpi-revenue"], france["overview-kpi-orders"]) == ("11.10", "1")
    later = kpi_texts(home.show_kpis("2010-12-14", "2010-12-31", None))
    assert later["overview-kpi-revenue"] == "11.10" and later["overview-kpi-customers"] == "1"
    assert list(home.show_by_country("2010-12-14T00:00:00", None, None)["data"][0]["y"]) == ["France"]
    assert values(home.show_frequency(None, "2010-12-13", None)["data"][0]["y"]).sum() == 1


def test_an_unknown_country_is_named_with_close_matches_not_shown_as_zeros(loaded):
    """Was: ?country=narnia showed every KPI as 0 and "no sales without one here"."""
    from webapp.pages import home

    options = home.show_choices("overview-country", "Atlantis")[0]  # kept, so it can be removed
    assert [o["value"] for o in options] == ["Atlantis", "France", "United Kingdom"]
    shown = home.show_kpis(None, None, "narnia")
    assert shown.id == "overview-country-problem"
    assert shown.children == (
        "Unknown country 'narnia': no transaction is from there; 2 known: France, United Kingdom"
    )
    typo = home.show_kpis("2010-12-01", None, ["France", "Frnace"])  # one unknown spoils the lot
    assert typo.children == "Unknown country 'Frnace': no transaction is from there; did you mean 'France'?"
    for country in ("Atlantis", "x' OR '1'='1", ["France", "Narnia"]):  # a parameter, never SQL text
        assert "Unknown country" in str(home.show_kpis(None, None, country))
        for show in (home.show_by_month, home.show_by_country, home.show_frequency):
            figure = show(None, None, country)
            assert figure["data"] == [] and "Unknown country" in figure["layout"]["annotations"][0]["text"]


def test_an_unknown_country_through_the_callback_endpoint(loaded):
    client = loaded.server.test_client()
    dep = next(
        d for d in client.get("/_dash-dependencies").get_json() if d["output"] == "overview-kpis.children"
    )
    response = _post(client, dep, {"overview-country.value": ["narnia"]})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Unknown country 'narnia'" in text and "0.00" not in text


def test_a_selection_without_sales_says_so_as_the_cli_does(loaded):
    """Was: zeros over "...; no sales without one here." (`segments trends` says "no sales with
    a customer id in the chosen dates")."""
    from webapp.pages import home

    def note(start, end, country) -> str:
        return home.show_kpis(start, end, country).children[1].children

    assert note("2020-01-01", None, None) == "No sales with a customer id in the chosen dates."
    assert (
        note(None, "2010-12-01", "France") == "No sales with a customer id in the chosen dates and countries."
    )
    # 15 Dec holds only 536368 (France, no customer id): said, as the CLI says it.
    assert note("2010-12-15", "2010-12-15", None) == (
        "No sales with a customer id in the chosen dates; 2.00 in 1 line without one left out."
    )
    assert kpi_texts(home.show_kpis("2020-01-01", None, None))["overview-kpi-orders"] == "0"


def test_a_country_with_only_sales_without_a_customer_is_known(app, engine, tmp_path):
    from webapp.pages import home

    path = tmp_path / "anonymous.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "540001,10002,PEN,2,01/14/2011 10:00,0.85,12346,Germany\n"
        "540002,10002,PEN,2,01/14/2011 11:00,1.50,,Spain\n"
    )
    with Session(engine) as s, s.begin():
        ingest_file(path, session=s)
    assert home.show_kpis(None, None, "spain").children[1].children == (
        "No sales with a customer id in the chosen countries; 3.00 in 1 line without one left out."
    )


def test_data_without_a_run_suggests_the_runs_page_until_a_run_exists(app, engine):
    """Was: the "Data is loaded. Next: ..." hint was never shown (only the empty-database one)."""
    from webapp.pages import home

    load_store(engine)
    _options, hint, style, *_bounds = home.show_choices("overview-country", None)
    assert hint.id == "home-next" and style == {}  # the figures show below it
    assert "Data is loaded" in str(hint) and "Link(children='Runs page', href='/runs')" in str(hint)
    execute_run(engine=engine, as_of=AS_OF, k=2, stability_resamples=1)
    assert home.show_choices("overview-country", None)[1] is None


def test_the_orders_axis_has_whole_round_ticks(loaded):
    """Was: the orders axis followed the revenue gridlines (tickmode "sync", plotly's default for
    an overlaying axis): 3.71, 7.42, 11.13 orders."""
    from webapp.pages import home

    orders = home.show_by_month(None, None, None)["layout"]["yaxis2"]
    assert orders["tickmode"] == "linear" and orders["tick0"] == 0 and orders["dtick"] == 1
    assert orders["tickformat"] == ",d"


def test_a_new_import_invalidates_the_cache(loaded, engine, tmp_path):
    from webapp.pages import home

    assert kpi_texts(home.show_kpis(None, None, None))["overview-kpi-orders"] == "2"
    more = tmp_path / "more.csv"
    more.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "540001,10002,PEN,2,01/14/2011 10:00,0.85,12346,Germany\n"
    )
    with Session(engine) as s, s.begin():
        ingest_file(more, session=s)
    kpis = kpi_texts(home.show_kpis(None, None, None))
    assert kpis["overview-kpi-orders"] == "3" and kpis["overview-kpi-revenue"] == "48.44"


def test_browser_values_are_validated():
    reversed_range = parse_filters("2011-02-01", "2011-01-01", "  France ")
    assert reversed_range == OverviewFilters(date(2011, 2, 1), date(2011, 1, 1), ("France",))
    assert reversed_range.reversed and not parse_filters("2011-01-01", "2011-01-01", None).reversed
    assert parse_filters("yesterday", 20110101, "") == OverviewFilters()
    assert parse_filters("0001-01-01", "2011-13-40", "x" * 200) == OverviewFilters()
    assert parse_filters("2011-01-01T00:00:00", None, None).start == date(2011, 1, 1)


def test_a_start_after_the_end_shows_a_notice_and_no_figures(loaded):
    from webapp.pages import home

    # Was: the end was dropped, so the figures covered start..end of data under "start -> end".
    notice = home.show_kpis("2010-12-14", "2010-12-13", None)
    assert notice.id == "overview-range-problem" and "start date is after the end date" in str(notice)
    for show in (home.show_by_month, home.show_by_country, home.show_frequency):
        figure = show("2010-12-14", "2010-12-13", None)
        assert figure["data"] == [] and "after the end date" in figure["layout"]["annotations"][0]["text"]
    page = home.layout(start="2011-03-31", end="2011-01-01")  # a shared URL keeps both days
    assert (page["overview-dates"].start_date, page["overview-dates"].end_date) == (
        "2011-03-31",
        "2011-01-01",
    )


def test_layout_reads_the_shareable_query(app):
    from webapp.pages import home

    page = home.layout(start="2011-01-01", end="2011-03-31", country="France")
    dates = page["overview-dates"]
    assert (dates.start_date, dates.end_date) == ("2011-01-01", "2011-03-31")
    assert page["overview-country"].value == ["France"] and page["overview-country"].multi
    assert home.layout(start="nonsense")["overview-dates"].start_date is None
    assert filter_query("2011-01-01", None, "United Kingdom") == "?start=2011-01-01&country=United+Kingdom"
    assert filter_query(None, None, None) == ""


def post_france_kpis(client):
    """The KPI callback for France, as the browser sends it."""
    body = {
        "output": "overview-kpis.children",
        "outputs": {"id": "overview-kpis", "property": "children"},
        "inputs": [
            {"id": "overview-dates", "property": "start_date", "value": None},
            {"id": "overview-dates", "property": "end_date", "value": None},
            {"id": "overview-country", "property": "value", "value": "France"},
            {"id": "overview-bad-dates", "property": "data", "value": {}},
        ],
        "changedPropIds": [],
        "state": [],
    }
    return client.post("/_dash-update-component", json=body)


def test_kpis_through_the_callback_endpoint(loaded):
    client = loaded.server.test_client()
    response = post_france_kpis(client)
    assert response.status_code == 200 and "11.10" in response.get_data(as_text=True)


WHOLE_MONTHS_CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
540001,10002,PEN,2,03/01/2011 10:00,1.00,12346,United Kingdom
540002,10002,PEN,2,03/20/2011 10:00,1.00,12347,France
540003,10002,PEN,2,03/31/2011 10:00,1.00,12346,United Kingdom
540004,10002,PEN,2,04/01/2011 10:00,1.00,12346,United Kingdom
540005,10002,PEN,2,04/10/2011 10:00,1.00,12347,France
540006,10002,PEN,2,04/30/2011 10:00,1.00,12346,United Kingdom
"""


def partial_notes(start, end, country) -> list[str]:
    from webapp.pages import home

    return month_notes(home.show_by_month(start, end, country))


def month_notes(figure) -> list[str]:
    """The partial months the chart names: its legend's hatched entry, "1-9 Dec only"."""
    names = [t.get("name") or "" for t in figure["data"]]
    return [part for name in names if name.endswith(" only") for part in name[: -len(" only")].split(" and ")]


def test_partial_months_follow_the_store_and_the_chosen_dates_not_the_filter(app, engine, tmp_path):
    path = tmp_path / "whole.csv"
    path.write_text(WHOLE_MONTHS_CSV)
    with Session(engine) as s, s.begin():
        ingest_file(path, session=s)
    # The store covers 1 March to 30 April: no partial month, with or without a country whose
    # sales start on the 20th and end on the 10th (it had no sales on the other days, that's all).
    assert partial_notes(None, None, None) == []
    assert partial_notes(None, None, "France") == []
    # A chosen start or end inside a month cuts it short, whatever the country's first sale.
    assert partial_notes("2011-03-15", None, None) == ["15-31 Mar"]
    assert partial_notes("2011-03-15", "2011-04-10", "France") == ["15-31 Mar", "1-10 Apr"]
    # A range wider than the store: the store's ends decide (here, whole months).
    assert partial_notes("2011-01-01", "2011-12-31", "France") == []


def test_money_shows_the_configured_currency(make_app, engine, tiny_csv):
    with Session(engine) as s, s.begin():
        ingest_file(tiny_csv, session=s)
    with make_app(currency="GBP").server.app_context():
        from webapp.pages import home  # after an app exists (Dash Pages)

        kpis = kpi_texts(home.show_kpis(None, None, None))
        assert kpis["overview-kpi-revenue"] == "£46.74" and kpis["overview-kpi-avg-basket-value"] == "£23.37"
        assert (
            kpis["overview-kpi-orders"] == "2" and kpis["overview-kpi-avg-basket-items"] == "9.0"
        )  # not money
        month = home.show_by_month(None, None, None)
        assert month["layout"]["yaxis"]["title"]["text"] == "Revenue (GBP)"
        assert month["data"][0]["hovertemplate"].startswith("%{x}: £%{y:,.2f}")
        assert month["layout"]["yaxis2"]["title"]["text"] == "Orders"
        country = home.show_by_country(None, None, None)
        assert country["layout"]["xaxis"]["title"]["text"] == "Revenue (GBP)"
        assert "£%{x:,.2f}" in country["data"][0]["hovertemplate"]
    with make_app(currency="CHF").server.app_context():
        assert kpi_texts(home.show_kpis(None, None, None))["overview-kpi-revenue"] == "CHF 46.74"


def test_cached_figures_do_not_carry_a_unit_to_another_setting(make_app, engine, tiny_csv):
    """The results cache is shared by every app on the database: a figure rendered for one
    currency (or none) is not served to an app set to another."""
    with Session(engine) as s, s.begin():
        ingest_file(tiny_csv, session=s)
    titles = {}
    for currency in (None, "EUR", None, "USD"):
        with make_app(currency=currency).server.app_context():
            from webapp.pages import home  # after an app exists (Dash Pages)

            month = home.show_by_month(None, None, None)
            titles.setdefault(currency, set()).add(month["layout"]["yaxis"]["title"]["text"])
            kpis = kpi_texts(home.show_kpis(None, None, "France"))
            assert kpis["overview-kpi-revenue"] == {None: "11.10", "EUR": "€11.10", "USD": "$11.10"}[currency]
    assert titles == {None: {"Revenue"}, "EUR": {"Revenue (EUR)"}, "USD": {"Revenue (USD)"}}


def test_kpis_with_a_currency_through_the_callback_endpoint(make_app, engine, tiny_csv):
    import json

    with Session(engine) as s, s.begin():
        ingest_file(tiny_csv, session=s)
    client = make_app(currency="JPY").server.test_client()
    response = post_france_kpis(client)
    assert response.status_code == 200
    shown = json.dumps(response.get_json(), ensure_ascii=False)
    assert '"¥11"' in shown and "¥11.10" not in shown  # yen have no decimals (ISO 4217)


def test_kpis_say_what_sales_without_a_customer_leave_out(loaded):
    from webapp.pages import home

    # 536368 (2 x 1.00, France) has no customer id: not in the figures, but said under them.
    note = home.show_kpis(None, None, None).children[1]
    assert note.id == "overview-customer-note"
    assert note.children == (
        "Figures count sales with a customer id, as the segmentation does; "
        "2.00 in 1 line without one left out."
    )
    uk = home.show_kpis(None, None, "United Kingdom").children[1].children
    assert uk.endswith("; no sales without one here.")


def test_country_in_any_case_means_the_stored_one(loaded):
    from webapp.pages import home

    # ?country=france matches France, as `segments trends --country france` and export do.
    france = kpi_texts(home.show_kpis(None, None, "france"))
    assert (france["overview-kpi-revenue"], france["overview-kpi-orders"]) == ("11.10", "1")
    assert list(home.show_by_country(None, None, "FRANCE")["data"][0]["y"]) == ["France"]
    options = home.show_choices("overview-country", "france")[0]
    assert options == [
        {"label": "France", "value": "france"},
        {"label": "United Kingdom", "value": "United Kingdom"},
    ]


def test_several_countries_from_the_url_are_chosen_and_filter_the_figures(loaded):
    """Was: "?country=France&country=Germany" showed "All countries" and everyone's figures
    while the address bar kept both countries."""
    from webapp.pages import home

    page = home.layout(country=["France", "Germany", "France", " "])  # Dash: a repeated key is a list
    assert page["overview-country"].multi and page["overview-country"].value == ["France", "Germany"]
    assert parse_filters(None, None, ["France", "United Kingdom"]).countries == ("France", "United Kingdom")
    assert parse_filters(None, None, [["a"], {"x": 1}, 3]) == OverviewFilters()  # browser values checked
    both = ["France", "United Kingdom"]
    assert kpi_texts(home.show_kpis(None, None, both))["overview-kpi-revenue"] == "46.74"
    assert home.show_kpis(None, None, ["France", "Germany"]).id == "overview-country-problem"  # as the CLI
    assert list(home.show_by_country(None, None, ["France"])["data"][0]["y"]) == ["France"]
    options = home.show_choices("overview-country", ["Germany", "France"])[0]  # Germany kept: on screen
    assert [o["value"] for o in options] == ["France", "Germany", "United Kingdom"]
    assert filter_query(None, None, both) == "?country=France&country=United+Kingdom"


def test_several_countries_through_the_callback_endpoint(loaded):
    client = loaded.server.test_client()
    dep = next(
        d for d in client.get("/_dash-dependencies").get_json() if d["output"] == "overview-kpis.children"
    )
    response = _post(client, dep, {"overview-country.value": ["France", "United Kingdom"]})
    assert response.status_code == 200 and "46.74" in response.get_data(as_text=True)
    response = _post(client, dep, {"overview-country.value": ["France"]})
    assert response.status_code == 200 and "11.10" in response.get_data(as_text=True)


def test_a_country_in_two_spellings_counts_the_lines_of_both(app, engine, tmp_path):
    from webapp.pages import home

    shouting = tmp_path / "other_system.csv"
    shouting.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536366,22633,HAND WARMER UNION JACK,6,12/14/2010 8:28,1.85,17851,France\n"
        "536370,22634,CANDLE,2,12/16/2010 9:00,4.00,17852,FRANCE\n"
    )
    with Session(engine) as s, s.begin():
        ingest_file(shouting, session=s)
    for asked in ("france", "FRANCE"):  # was: one spelling's lines only
        shown = kpi_texts(home.show_kpis(None, None, asked))
        assert (shown["overview-kpi-revenue"], shown["overview-kpi-orders"]) == ("19.10", "2")


def test_a_links_dates_that_are_no_day_are_named_not_shown_as_the_whole_period(loaded):
    """Was: /?start=garbage&end=2011-13-45 kept the bad values in the address, showed empty
    pickers and the whole period's figures with no word."""
    from webapp.pages import home

    # The import's range (was 1990..2100 here, while an import kept 1950's sales).
    assert home.layout(start="1950-01-01")["overview-bad-dates"].data == {}
    shown = home.layout(start="garbage", end="2011-13-45")
    bad = shown["overview-bad-dates"].data
    assert bad == {"start": "garbage", "end": "2011-13-45"}
    kpis = home.show_kpis(None, None, None, bad)
    text, link, end = kpis.children
    assert kpis.id == "overview-date-problem" and (text, link.children, end) == (
        "The start date 'garbage' and the end date '2011-13-45' are not dates (YYYY-MM-DD, 1900 to "
        "2100): choose the dates again, or ",
        "show the whole period",
        ".",
    )
    # Was "or clear them": both pickers are empty, so their clear button did nothing. The link
    # opens the page without the dates (countries kept), so the notice and ?start=garbage go.
    assert link.id == "overview-whole-period" and link.href == "/"
    assert home.show_kpis(None, None, ["France", "United Kingdom"], bad).children[1].href == (
        "/?country=France&country=United+Kingdom"
    )
    for show in (home.show_by_month, home.show_by_country, home.show_frequency):
        figure = show(None, None, None, bad)
        assert figure["data"] == [] and figure["layout"]["annotations"][0]["text"] == "Not a date in the link"
    one_bad = home.layout(start="2010-12-01", end="1899-12-31")["overview-bad-dates"].data
    one = home.show_kpis("2010-12-01", None, None, one_bad)
    assert one.children[0].startswith("The end date '1899-12-31' is not a date (")
    # Good dates, none, or a cleared store (the user changed a filter): the figures.
    assert home.layout(start="2010-12-01", end="2010-12-31")["overview-bad-dates"].data == {}
    for cleared in (None, {}, "tampered", {"start": ["x"]}):
        assert kpi_texts(home.show_kpis(None, None, None, cleared))


def test_a_links_bad_date_through_the_callback_endpoint(loaded):
    client = loaded.server.test_client()
    dep = next(
        d for d in client.get("/_dash-dependencies").get_json() if d["output"] == "overview-kpis.children"
    )
    response = _post(client, dep, {"overview-bad-dates.data": {"start": "garbage"}})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "The start date 'garbage' is not a date" in text


def test_a_date_given_twice_is_its_last_value(app):
    """Was: /?start=garbage&start=2010-12-01 named "['garbage', '2010-12-01']" as no date."""
    from webapp.pages import home

    shown = home.layout(start=["garbage", "2010-12-01"], end=["2010-12-31"])
    assert shown["overview-bad-dates"].data == {}
    assert (shown["overview-dates"].start_date, shown["overview-dates"].end_date) == ("2010-12-01", "2010-12-31")
    assert home.layout(start=["2010-12-01", "garbage"])["overview-bad-dates"].data == {"start": "garbage"}
