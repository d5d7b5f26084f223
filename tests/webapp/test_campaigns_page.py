"""Campaigns page callbacks as plain functions, on SQLite and Postgres, with known answers."""

import csv
import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.export import CSV_COLUMNS, RFM_ACTIONS, to_safe_csv
from tests.webapp.conftest import create_user, login
from tests.webapp.run_store import FORMULA_COUNTRY, customers, make_two_runs
from tests.webapp.test_callback_inputs import _post
from webapp.campaign_data import NO_RUNS, assignments, build_list
from webapp.campaign_inputs import campaign_query


@pytest.fixture
def page(make_app):
    make_app()  # registers the pages and this database as the app's
    from webapp.pages import campaigns

    return campaigns


def ids(rows):
    return [r["customer_id"] for r in rows]


def show(
    page, run=None, segments=None, countries=None, min_spend=None, rmin=None, rmax=None, options=(), **moving
):
    """``show_list`` with these filters; ``options``: the Run box's options (none: not loaded yet)."""
    values = (run, segments or [], countries or [], min_spend, rmin, rmax)
    moved = (moving.get("since"), moving.get("moved_from"), moving.get("moved_to"))
    return page.show_list(*values, *moved, list(options))


def test_fresh_database_says_what_to_do(page, engine):
    _opts, value, notice = page.load_runs({})
    assert value is None and notice.children[1].children == "segments run"  # code, not backticks
    assert "`" not in str(notice.children) and "`" in NO_RUNS
    assert show(page) == ([], None, page.no_update, True)


def test_runs_segments_and_countries_load_from_the_url(page, engine):
    first, second = make_two_runs(engine)
    options, value, notice = page.load_runs(campaign_query(run=second, since=first).__dict__)
    assert [o["value"] for o in options] == [second, first] and value == second and notice is None
    since_opts, since = page.load_since(second, None, campaign_query(since=first).__dict__, [])
    assert [o["value"] for o in since_opts] == [first] and since == first
    init = {"segments": ["cluster:At risk", "rfm:Champions", "cluster:Nope"], "countries": ["France", "Mars"]}
    seg_opts, segs, country_opts, countries, to_opts, _to = page.load_choices(second, init, [], [], None, [])
    # Unknown ones stay chosen, marked, so the list refuses them visibly (were dropped silently).
    assert segs == ["cluster:At risk", "rfm:Champions", "cluster:Nope"] and countries == ["France", "Mars"]
    assert seg_opts[-1] == {"label": "cluster:Nope (unknown)", "value": "cluster:Nope"}
    assert [o["value"] for o in country_opts] == [FORMULA_COUNTRY, "France", "United Kingdom", "Mars"]
    # Cluster 0 is the largest (ties by K-Means order): labels come in cluster order.
    assert [o["value"] for o in to_opts] == ["Steady mid-value", "At risk", "High value"]
    assert seg_opts[2] == {"label": "High value (cluster, 3)", "value": "cluster:High value"}
    # Without a run asked for, the newest finished run is shown.
    assert page.load_runs({})[1] == second


def test_unknown_run_renders_a_message(page, engine):
    make_two_runs(engine)
    opts, value, notice = page.load_runs({"run": 99})
    assert "Run 99 does not exist" in notice.children
    # The field shows the run asked for, not "latest" while listing nobody.
    assert value == 99 and opts[-1] == {"label": "#99 (not found)", "value": 99, "disabled": True}
    assert page.load_since(99, None, {}, [])[0] == []  # no run is earlier than an unknown one
    rows, message, _q, export_disabled = show(page, run=99)
    assert rows == [] and "Run 99 does not exist" in str(message.children) and export_disabled
    download, note = page.export_shown(1, 99, [], [], None, None, None, None, None, None, None)
    assert download is page.no_update and note.startswith("Nothing exported: Run 99 does not exist")
    assert page.load_choices(99, {}, [], [], None, []) == ([], [], [], [], [], None)
    # A link's filters stay chosen (and in the address) beside an unknown run, as given.
    init = {"segments": ["High value"], "countries": ["France"]}
    assert page.load_choices(99, init, [], [], None, [])[:4] == (
        [{"label": "High value", "value": "High value"}],
        ["High value"],
        [{"label": "France", "value": "France"}],
        ["France"],
    )
    # A tampered start state is checked like any other browser value.
    assert page.load_runs({"run": "1 OR 1=1", "evil": 1})[1] == 2
    assert page.load_runs(["not", "a", "dict"])[1] == 2


def test_list_filters_with_known_answers(page, engine):
    _first, second = make_two_runs(engine)
    rows, message, query, _x = show(page, run=second, segments=["cluster:Steady mid-value"])
    assert message is None and ids(rows) == customers(4, 5, 6, 7, 8, 9)
    assert query == f"?run={second}&segment=cluster%3ASteady+mid-value"
    # c04-c09 spent 8 x (25 + i/10): 203.20 ... 207.20; recency 69 ... 64 days.
    rows, _m, _q, _x = show(page, run=second, countries=["France"], min_spend=205, rmin=65, rmax=68)
    assert ids(rows) == customers(7, 8) and [r["monetary"] for r in rows] == [205.6, 206.4]
    rows, _m, _q, _x = show(page, run=second, countries=["France"], min_spend=205, rmin=64, rmax=66)
    assert ids(rows) == customers(7, 8, 9) and [r["recency_days"] for r in rows] == [66, 65, 64]
    rows, _m, _q, _x = show(page, run=second, segments=["rfm:Champions", "cluster:At risk"])
    assert ids(rows) == customers(1, 2, 3, 10, 11, 12, 13, 14, 15)
    # "Segment" is the cluster label even for c01-c03, listed by their RFM segment (and its action).
    assert [(r["segment"], r["rfm_segment"]) for r in rows[:4]] == [
        ("High value", "Champions"),
        ("High value", "Champions"),
        ("High value", "Champions"),
        ("At risk", "Hibernating"),
    ]
    assert rows[0]["action"] == RFM_ACTIONS["Champions"] and rows[3]["action"].startswith("Win-back")
    assert round(sum(r["monetary"] for r in rows), 2) == 31_260.75  # 3 x ~10,400 + 6 x ~10.1


def test_who_moved_between_runs(page, engine):
    first, second = make_two_runs(engine)
    assert page.load_moved_from(first, None, {}) == (
        [{"label": "High value", "value": "High value"}, {"label": "At risk", "value": "At risk"}],
        None,
    )
    rows, message, query, _x = show(
        page, run=second, since=first, moved_from="High value", moved_to="Steady mid-value"
    )
    assert message is None and ids(rows) == customers(4, 5, 6, 7, 8, 9)
    assert "since=1&moved_from=High+value&moved_to=Steady+mid-value" in query
    rows, message, _q, _x = show(page, run=second, since=first, moved_from="Gone", moved_to="At risk")
    assert rows == [] and "Choose a label" in str(message.children)


def test_unknown_segment_is_refused_not_queried(page, engine):
    _first, second = make_two_runs(engine)
    rows, message, _q, _x = show(page, run=second, segments=["cluster:' OR 1=1 --"])
    assert rows == [] and "unknown segment" in str(message.children).lower()


def test_export_is_the_shown_rows_in_the_shown_order(page, engine):
    _first, second = make_two_runs(engine)
    rows, _m, _q, _x = show(page, run=second, countries=[FORMULA_COUNTRY, "United Kingdom"])
    assert ids(rows) == customers(1, 2, 3, 10, 11, 12, 13, 14, 15)
    # The grid filtered and sorted in the browser: 3 rows, by spend descending.
    shown = ["c03", "c02", "c11", "zz", {"customer_id": "c01"}]  # unknown ids and junk are ignored
    filters = (second, [], [FORMULA_COUNTRY, "United Kingdom"], None, None, None, None, None, None)
    sent, note = page.export_shown(1, *filters, shown)
    assert note is None
    # Named for what it lists, with no path or formula characters (a country of "=cmd|' /C calc'!A0").
    assert sent["filename"] == f"campaign-run-{second}-cmd-C-calc-A0-United-Kingdom.csv"
    assert sent["type"] == "text/csv"
    assert sent["content"].startswith("\ufeffcustomer_id,")  # the BOM Excel needs for UTF-8
    table = list(csv.reader(io.StringIO(sent["content"].removeprefix("\ufeff"))))
    assert table[0] == CSV_COLUMNS
    assert [r[0] for r in table[1:]] == ["c03", "c02", "c11"]
    assert table[3][1] == "'" + FORMULA_COUNTRY  # the CLI's spreadsheet safety
    # Same text as `segments export` writes for those customers.
    listing = build_list(engine=engine, query=campaign_query(run=second, countries=["United Kingdom"]))
    frame = listing.frame.set_index("customer_id").loc[["c03", "c02"]].reset_index()
    assert sent["content"].splitlines()[:3] == ("\ufeff" + to_safe_csv(frame)).splitlines()
    # Without the grid's rows (no filtering in the browser) the whole list goes out.
    whole = page.export_shown(1, *filters, None)[0]
    assert len(list(csv.reader(io.StringIO(whole["content"].removeprefix("\ufeff"))))) == 1 + 9
    assert page.export_shown(None, *filters, shown) == (page.no_update, page.no_update)


@pytest.mark.parametrize(
    ("filters", "problem"),
    [
        ({"rmin": -5}, "Recency from: whole days from 0"),
        ({"rmin": 2.5}, "Recency from: whole days from 0"),
        ({"rmax": "x"}, "Recency to: whole days from 0"),
        ({"min_spend": -100}, "Minimum spend: a number from 0, not '-100'"),
        ({"min_spend": "1,000"}, "Minimum spend: a number from 0, not '1,000' (digits and a decimal point"),
        ({"min_spend": "1_000"}, "Minimum spend: a number from 0, not '1_000'"),
        ({"rmin": "-3"}, "Recency from: whole days from 0, not '-3'"),
        ({"since": "abc", "moved_from": "High value", "moved_to": "At risk"}, "Moved since: a run number"),
        ({"rmin": 100, "rmax": 10}, "Recency: from (100) is above to (10)"),
        ({"since": 1, "moved_from": "High value"}, "Moved since: choose To"),
        ({"moved_from": "High value", "moved_to": "At risk"}, "Moved since: choose a run"),
    ],
)
def test_filters_that_cannot_be_applied_list_nobody_and_say_why(page, engine, filters, problem):
    _first, second = make_two_runs(engine)
    # Each was ignored: the list (and the CSV) had every customer under a narrower-looking form.
    rows, message, _q, export_disabled = show(page, run=second, **filters)
    assert rows == [] and export_disabled and message.id == "campaigns-filter-problems"
    assert problem in str(message)
    state = (second, [], [], *(filters.get(k) for k in ("min_spend", "rmin", "rmax")))
    moving = (filters.get("since"), filters.get("moved_from"), filters.get("moved_to"))
    download, note = page.export_shown(1, *state, *moving, None)
    assert download is page.no_update and problem in note


@pytest.mark.parametrize(
    ("segments", "countries", "problem"),
    [
        (["cluster:Bogus"], [], "Unknown segment 'cluster:Bogus'"),
        ([], ["Atlantis"], "Unknown country 'Atlantis'"),
    ],
)
def test_a_shared_link_with_unknown_names_lists_nobody(page, engine, segments, countries, problem):
    _first, second = make_two_runs(engine)
    init = {"run": second, "segments": segments, "countries": countries}
    _so, segs, _co, chosen, _to, _tv = page.load_choices(second, init, [], [], None, [])
    assert (segs, chosen) == (segments, countries)  # still on screen
    rows, message, _q, export_disabled = show(page, run=second, segments=segs, countries=chosen)
    assert rows == [] and export_disabled and problem in str(message.children)


def test_assignments_are_cached_per_run(engine):
    first, _second = make_two_runs(engine)
    assert assignments(engine, first) is assignments(engine, first)


def test_export_callback_needs_a_login_when_users_exist(make_app, engine):
    _first, second = make_two_runs(engine)
    create_user(engine)
    client = make_app().server.test_client()
    body = {
        "output": "..campaigns-download.data...campaigns-export-note.children..",
        "outputs": [
            {"id": "campaigns-download", "property": "data"},
            {"id": "campaigns-export-note", "property": "children"},
        ],
        "inputs": [{"id": "campaigns-export", "property": "n_clicks", "value": 1}],
        "state": [
            {"id": i, "property": "value", "value": v}
            for i, v in [
                ("campaigns-run", second),
                ("campaigns-segments", ["cluster:High value"]),
                ("campaigns-countries", []),
                ("campaigns-min-spend", None),
                ("campaigns-recency-min", None),
                ("campaigns-recency-max", None),
                ("campaigns-since", None),
                ("campaigns-moved-from", None),
                ("campaigns-moved-to", None),
            ]
        ]
        + [{"id": "campaigns-shown", "property": "data", "value": None}],
        "changedPropIds": ["campaigns-export.n_clicks"],
    }
    assert client.post("/_dash-update-component", json=body).status_code == 401
    login(client)
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    content = response.get_json()["response"]["campaigns-download"]["data"]["content"]
    assert [r[0] for r in csv.reader(io.StringIO(content))][1:] == customers(1, 2, 3)


def test_a_country_in_a_link_matches_in_any_case_as_on_the_command_line(page, engine):
    _first, second = make_two_runs(engine)
    exact = show(page, run=second, countries=["France"])[0]
    lower = show(page, run=second, countries=["france"])[0]
    assert exact and lower == exact


@pytest.mark.parametrize(("currency", "unit"), [(None, ""), ("GBP", "£"), ("CHF", "CHF ")])
def test_the_currency_reaches_the_page_but_not_the_csv(make_app, engine, currency, unit):
    _first, second = make_two_runs(engine)
    with make_app(currency=currency).server.app_context():
        from webapp.pages import campaigns

        layout = campaigns.layout()
        assert layout["campaigns-unit"].data == unit  # the shown rows' total is written with it
        spend = next(c for c in layout["campaigns-grid"].columnDefs if c["field"] == "monetary")
        assert spend["headerName"] == ("Spend" if currency is None else f"Spend ({currency})")
        assert ("Minimum spend (" in str(layout)) == (currency is not None)
        sent, note = campaigns.export_shown(
            1, second, ["cluster:High value"], [], None, None, None, None, None, None, None
        )
    assert note is None
    rows = list(csv.DictReader(io.StringIO(sent["content"].removeprefix("\ufeff"))))
    assert rows and all(float(r["monetary"]) > 0 for r in rows)  # plain numbers, whatever the setting
    assert "£" not in sent["content"] and "CHF" not in sent["content"]


def test_a_links_segment_names_select_the_options_they_name(page, engine):
    """Was: "?segment=At risk" (the CLI's form) showed "At risk (unknown)" beside the option
    "At risk (cluster, N)" while the list showed the cluster's customers."""
    _first, second = make_two_runs(engine)
    init = {
        "segments": ["At risk", "rfm:Champions", "High value", "cluster:High value", "Champions", "Nope"],
        "countries": ["france"],
    }
    seg_opts, segs, country_opts, countries, _to, _tv = page.load_choices(second, init, [], [], None, [])
    assert segs == ["cluster:At risk", "rfm:Champions", "cluster:High value", "Nope"]
    assert [o["label"] for o in seg_opts if "unknown" in o["label"]] == ["Nope (unknown)"]  # only it
    assert countries == ["France"] and not [o for o in country_opts if "unknown" in o["label"]]
    assert set(segs) - {"Nope"} <= {o["value"] for o in seg_opts}
    # The list and the URL then use the options' values; the short form lists the same customers.
    rows, message, query, _x = show(page, run=second, segments=segs[:1])
    assert message is None and query == f"?run={second}&segment=cluster%3AAt+risk"
    assert ids(show(page, run=second, segments=["At risk"])[0]) == ids(rows)
    # After the first load the browser's choices (option values) are kept as they are.
    loaded = [{"label": "x", "value": "x"}]
    assert page.load_choices(second, init, segs[:3], ["France"], None, loaded)[1] == segs[:3]


def test_clearing_the_run_keeps_the_filters_and_another_run_keeps_what_it_has(page, engine):
    """Was: x on Run cleared Segments and Countries, and the address became /campaigns."""
    first, second = make_two_runs(engine)
    loaded = [{"label": "x", "value": "x"}]
    chosen = ["cluster:Steady mid-value", "rfm:Champions"]
    assert page.load_choices(None, {}, chosen, ["France"], None, loaded) == (page.no_update,) * 6
    rows, message, query, _x = show(page, run=None, segments=chosen, countries=["France"], options=loaded)
    assert rows == [] and message.id == "campaigns-choose-run"
    assert query == "?segment=cluster%3ASteady+mid-value&segment=rfm%3AChampions&country=France"
    # Run 1 (k=2) has no "Steady mid-value": only that segment goes; the country stays.
    seg_opts, segs, _co, countries, _to, _tv = page.load_choices(first, {}, chosen, ["France"], None, loaded)
    assert segs == ["rfm:Champions"] and countries == ["France"]
    assert not [o for o in seg_opts if "unknown" in o["label"]]


def test_rfm_segment_options_carry_their_counts(page, engine):
    _first, second = make_two_runs(engine)
    seg_opts = page.load_choices(second, {}, [], [], None, [])[0]
    rfm = [o for o in seg_opts if o["value"].startswith("rfm:")]
    counts = [int(o["label"].rsplit(", ", 1)[1].rstrip(")").replace(",", "")) for o in rfm]
    assert all(o["label"].count("(RFM, ") == 1 for o in rfm) and sum(counts) == 15


def test_a_links_segment_is_matched_through_the_callback_endpoint(make_app, engine):
    _first, second = make_two_runs(engine)
    client = make_app().server.test_client()
    dep = next(
        d for d in client.get("/_dash-dependencies").get_json() if "campaigns-segments.value" in d["output"]
    )
    init = {"run": second, "segments": ["At risk", "rfm:Champions", "High value"], "countries": []}
    response = _post(client, dep, {"campaigns-run.value": second, "campaigns-init.data": init})
    assert response.status_code == 200, response.get_data(as_text=True)
    out = response.get_json()["response"]["campaigns-segments"]
    assert out["value"] == ["cluster:At risk", "rfm:Champions", "cluster:High value"]
    assert not [o for o in out["options"] if "unknown" in o["label"]]


def test_clearing_the_run_asks_for_one_and_drops_it_from_the_url(page, engine):
    _first, second = make_two_runs(engine)
    options = page.load_runs({})[0]
    # Was: an empty list ("0 customers") with no word, and the URL kept ?run=N for a reload.
    rows, message, query, export_disabled = show(page, options=options)
    assert rows == [] and export_disabled and message.id == "campaigns-choose-run"
    assert "Choose a run" in message.children and query == ""  # the address bar loses ?run=N
    assert show(page, min_spend=5, options=options)[2] == "?min_spend=5"  # other filters stay
    # Before the runs are loaded (the first call) the URL is left alone: it holds the link's run.
    assert show(page) == ([], None, page.no_update, True)


def test_clearing_the_run_through_the_callback_endpoint(make_app, engine):
    make_two_runs(engine)
    client = make_app().server.test_client()
    dep = next(
        d for d in client.get("/_dash-dependencies").get_json() if "campaigns-grid.rowData" in d["output"]
    )
    response = _post(
        client, dep, {"campaigns-run.options": [{"label": "#2", "value": 2}], "campaigns-segments.value": []}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    out = response.get_json()["response"]
    assert out["campaigns-query"]["data"] == "" and out["campaigns-export"]["disabled"] is True
    assert out["campaigns-message"]["children"]["props"]["id"] == "campaigns-choose-run"


def test_a_links_bad_numbers_stay_on_screen_and_in_the_url_and_list_nobody(make_app, engine):
    """Was: /campaigns?min_spend=1,000 (or abc, or recency_min=-3) showed empty fields, rewrote the
    address to ?run=N and listed (and exported) every customer."""
    _first, second = make_two_runs(engine)
    with make_app().server.app_context():
        from webapp.pages import campaigns as page

        shown = page.layout(run=str(second), min_spend="1,000", recency_min="-3")
        options = page.load_runs(shown["campaigns-init"].data)[0]
        good = page.layout(min_spend="500", recency_max="30")
    fields = [shown[f"campaigns-{k}"].value for k in ("min-spend", "recency-min", "recency-max")]
    assert fields == ["1,000", "-3", None]  # as the link gave them, where the user sees them
    assert shown["campaigns-min-spend"].type == "text"  # a number input shows "1,000" as empty
    rows, message, query, export_disabled = show(page, second, min_spend="1,000", rmin="-3", options=options)
    assert rows == [] and export_disabled and message.id == "campaigns-filter-problems"
    assert "Minimum spend: a number from 0, not '1,000'" in str(message)
    assert "Recency from: whole days from 0, not '-3'" in str(message)
    assert query == f"?run={second}&min_spend=1%2C000&recency_min=-3"  # reload: the same refusal
    download, note = page.export_shown(1, second, [], [], "abc", None, None, None, None, None, None)
    assert download is page.no_update and "not 'abc'" in note
    # A good link still loads its numbers (the field then holds the number).
    assert (good["campaigns-min-spend"].value, good["campaigns-recency-max"].value) == (500.0, 30)


def test_a_refused_typed_value_replaces_the_last_good_one_in_the_url(page, engine):
    """Was: min_spend=1000 then -5 typed: "0 customers" on screen but min_spend=1000 in the URL,
    so a copied link shared another selection."""
    _first, second = make_two_runs(engine)
    options = page.load_runs({})[0]
    good = show(page, second, ["cluster:At risk"], ["France"], min_spend="1000", options=options)
    assert good[2] == f"?run={second}&segment=cluster%3AAt+risk&country=France&min_spend=1000"
    rows, message, query, _x = show(page, second, ["cluster:At risk"], ["France"], "-5", options=options)
    assert rows == [] and "not '-5'" in str(message)
    assert query == f"?run={second}&segment=cluster%3AAt+risk&country=France&min_spend=-5"
    # Before the runs are loaded the address is left alone: it still holds the link's run.
    assert show(page, min_spend="-5")[2] is page.no_update


def test_a_links_run_that_is_not_a_number_is_named(make_app, engine):
    """Was: ?run=abc showed the latest run's list with no word."""
    _first, second = make_two_runs(engine)
    with make_app().server.app_context():
        from webapp.pages import campaigns as page

        init = page.layout(run="abc", since="x")["campaigns-init"].data
        options, value, notice = page.load_runs(init)
        since_opts, since = page.load_since(value, None, init, [])
    assert value == "abc" and options[-1] == {"label": "abc (not a run)", "value": "abc", "disabled": True}
    assert "'abc' is not a run number" in notice.children and notice.id == "campaigns-unknown-run"
    assert since == "x" and since_opts[-1]["label"] == "x (not a run)"
    rows, message, query, _x = show(page, "abc", options=options)
    assert rows == [] and "Run: a run number, not 'abc'" in str(message) and query == "?run=abc"


def test_moved_since_offers_only_earlier_runs_and_refuses_others(page, engine):
    """Was: the picker offered the run itself and later runs; ?run=2&since=2 listed everyone in a
    label as having "moved" to it."""
    first, second = make_two_runs(engine)
    assert [o["value"] for o in page.load_since(second, None, {}, [])[0]] == [first]
    assert page.load_since(first, None, {}, []) == ([], None)  # nothing older than the oldest
    # A link's since-run that is not earlier stays chosen, marked, and the list refuses it.
    options, value = page.load_since(second, None, {"since": second}, [])
    assert value == second and options[-1]["disabled"] and "not earlier than this run" in options[-1]["label"]
    options, value = page.load_since(first, second, {}, [{"label": "x", "value": second}])
    assert value == second and options[-1]["disabled"]  # the run changed: the choice is marked
    for run, since in ((second, second), (first, second)):
        rows, message, _q, export_disabled = show(
            page, run, since=since, moved_from="High value", moved_to="High value"
        )
        assert rows == [] and export_disabled
        assert f"run {since} is not earlier than run {run}" in str(message.children)
        note = page.export_shown(1, run, [], [], None, None, None, since, "High value", "High value", None)[1]
        assert f"run {since} is not earlier than run {run}" in note
    rows, message, _q, _x = show(page, second, since=first, moved_from="High value", moved_to="High value")
    assert message is None and ids(rows) == customers(1, 2, 3)  # still High value: not "movers"
    # ?run=1&since=2 alone: was only "choose From and To", as if the run would do.
    rows, message, _q, _x = show(page, first, since=second)
    items = [li.children for li in message.children[1].children]
    assert rows == [] and items[0].startswith(f"Moved since: run {second} is not earlier than run {first};")
    assert items[1] == "Moved since: choose From and To (or clear all three)"
    assert len(show(page, second, since=first)[1].children[1].children) == 1  # earlier: not named


def _open(page, **url):
    """The Campaigns page opened at ``/campaigns?<url>``: its callbacks in the browser's order
    (runs, since-run, From, then segments/countries/To), then the list."""
    init = page.layout(**url)["campaigns-init"].data
    options, run, notice = page.load_runs(init)
    since = page.load_since(run, None, init, [])[1]
    from_opts, moved_from = page.load_moved_from(since, None, init, [])
    _so, segs, _co, countries, to_opts, moved_to = page.load_choices(run, init, [], [], None, [])
    moving = {"since": since, "moved_from": moved_from, "moved_to": moved_to}
    listed = show(page, run, segs, countries, options=options, **moving)
    return moving, from_opts, to_opts, listed


@pytest.mark.parametrize(
    ("url", "fields", "problem", "address"),
    [
        # (a) From alone: was ?run=N, no word, every customer listed (and exportable).
        (
            {"moved_from": "Loyal"},
            {"since": None, "moved_from": "Loyal", "moved_to": None},
            "Moved since: choose a run and To (or clear all three)",
            "&moved_from=Loyal",
        ),
        # (b) An unknown since-run: was From and To emptied, "choose From and To".
        (
            {"since": "5", "moved_from": "x", "moved_to": "y"},
            {"since": 5, "moved_from": "x", "moved_to": "y"},
            "Run 5 does not exist or has not finished. 'y' is not a label of run 2.",
            "&since=5&moved_from=x&moved_to=y",
        ),
        # (c) A since-run that is no number: was From dropped, To kept.
        (
            {"since": "abc", "moved_from": "At risk", "moved_to": "High value"},
            {"since": "abc", "moved_from": "At risk", "moved_to": "High value"},
            "Moved since: a run number, not 'abc'",
            "&since=abc&moved_from=At+risk&moved_to=High+value",
        ),
    ],
)
def test_a_links_moved_since_labels_stay_on_screen_and_are_named(make_app, engine, url, fields, problem, address):
    _first, second = make_two_runs(engine)
    with make_app().server.app_context():
        from webapp.pages import campaigns as page

        moving, from_opts, to_opts, listed = _open(page, run=str(second), **url)
    assert moving == fields  # as the link gave them, in the fields
    assert {"label": f"{fields['moved_from']} (unknown)", "value": fields["moved_from"]} in from_opts
    if url.get("moved_to") == "y":
        assert to_opts[-1] == {"label": "y (unknown)", "value": "y"}
    rows, message, query, export_disabled = listed
    assert rows == [] and export_disabled and problem in str(message)
    assert query == f"?run={second}{address}"  # a reload shows the same refusal


def test_moved_since_names_labels_the_runs_do_not_have(page, engine):
    first, second = make_two_runs(engine)
    rows, message, _q, _x = show(page, second, since=first, moved_from="Gone", moved_to="Nope")
    assert rows == [] and (
        "Moved since: 'Gone' is not a label of run 1; 'Nope' is not a label of run 2. Choose a label"
    ) in str(message.children)
    # Once the since-run has the link's label, it is an option like the others, not "(unknown)".
    loaded = [{"label": "At risk (unknown)", "value": "At risk"}]
    options, value = page.load_moved_from(first, "At risk", {}, loaded)
    assert value == "At risk" and options == [
        {"label": "High value", "value": "High value"},
        {"label": "At risk", "value": "At risk"},
    ]
    rows, message, _q, _x = show(page, second, since=first, moved_from="At risk", moved_to="At risk")
    assert message is None and ids(rows) == customers(10, 11, 12, 13, 14, 15)


@pytest.mark.parametrize("run", ["abc", "999"])
def test_picking_a_run_clears_the_links_unknown_run_notice(make_app, engine, run):
    """Was: after ?run=abc then a run picked, the list loaded but "'abc' is not a run number;
    choose a run." stayed above it."""
    _first, second = make_two_runs(engine)
    with make_app().server.app_context():
        from webapp.pages import campaigns as page

        options, value, notice = page.load_runs(page.layout(run=run)["campaigns-init"].data)
        assert notice.id == "campaigns-unknown-run"
        assert page.clear_run_notice(value, options) is page.no_update  # the link's run: named
        assert page.clear_run_notice(second, options) is None  # a run of the list: cleared
        assert page.clear_run_notice(None, options) is page.no_update
        assert page.clear_run_notice("1 OR 1=1", "tampered") is page.no_update


def test_a_key_given_twice_is_its_last_value(make_app, engine):
    """Was: ?min_spend=1&min_spend=2 showed "['1', '2']" in the field, the message and the URL."""
    first, second = make_two_runs(engine)
    with make_app().server.app_context():
        from webapp.pages import campaigns as page

        shown = page.layout(run=[str(first), str(second)], min_spend=["1", "2"], since=["2", "3"])
        init = shown["campaigns-init"].data
        bad = page.layout(min_spend=["1", "abc"], segment=["cluster:At risk", "rfm:Champions"])
    assert (init["run"], init["min_spend"], init["since"], init["bad"]) == (second, 2.0, 3, {})
    assert shown["campaigns-min-spend"].value == 2.0
    assert bad["campaigns-min-spend"].value == "abc"  # the last one, named as given
    assert bad["campaigns-init"].data["segments"] == ("cluster:At risk", "rfm:Champions")  # still both
    options = page.load_runs(init)[0]
    spend = bad["campaigns-min-spend"].value
    rows, message, query, _x = show(page, second, min_spend=spend, options=options)
    assert "not 'abc'" in str(message) and "['" not in str(message) and query == f"?run={second}&min_spend=abc"


def test_a_run_made_before_a_batch_was_removed_says_so_above_its_list(page, engine):
    from db.models import ImportBatch, Run

    _first, second = make_two_runs(engine)
    with Session(engine) as s, s.begin():
        kept = s.scalars(select(ImportBatch.id)).all()
        s.get(Run, second).data_fingerprint = {"batch_ids": [*kept, 99]}
    rows, message, _q, export_disabled = show(page, run=second)
    assert rows and not export_disabled  # the list is still given, with the note above it
    assert message.id == "campaigns-removed-batches"
    assert message.children.startswith("This run was computed before batch #99 was removed")
