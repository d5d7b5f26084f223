"""Runs page callbacks as plain functions, on SQLite and Postgres, with known answers."""

import re
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from analytics.runs import execute_run
from analytics.segment_history import segment_sizes
from db.models import RUN_FAILED, Run
from tests.analytics.run_fixtures import load_trimmed_store
from tests.webapp.run_store import make_two_runs
from webapp.campaign_data import run_labels
from webapp.cli import cli
from webapp.run_actions import BadRunRequest, parse_new_run


@pytest.fixture
def page(make_app):
    make_app()
    from webapp.pages import runs

    return runs


def test_history_and_sizes_over_time(page, engine):
    first, second = make_two_runs(engine)
    rows = page.show_history(0)
    assert [(r["id"], r["name"], r["as_of"], r["k"], r["n_customers"], r["status"]) for r in rows] == [
        (second, "later", "2011-12-10", 3, 15, "finished"),
        (first, "early", "2011-11-01", 2, 15, "finished"),
    ]
    assert all(isinstance(r["silhouette"], float) for r in rows)
    # k=2 and k=3 split customers differently: each run is drawn only with its own series.
    fig, caption = page.show_sizes(0, second)
    assert {t.name: list(t.y) for t in fig.data} == {
        "At risk": [6],
        "High value": [3],
        "Steady mid-value": [6],
    }
    assert "preset default, k=3 (1 run, as of 2011-12-10)" in caption and "1 other series" in caption
    fig, caption = page.show_sizes(0, first)
    assert {t.name: list(t.y) for t in fig.data} == {"At risk": [6], "High value": [9]} and "k=2" in caption
    assert [str(x)[:10] for x in fig.data[0].x] == ["2011-11-01"]  # at its as-of date
    with Session(engine) as s:
        assert segment_sizes(session=s)["run_id"].tolist() == [first, first, second, second, second]


def test_sizes_over_time_default_to_the_monthly_series_not_the_reference_run(page, engine):
    # The README's workflow: `segments run --preset reference`, then `segments backfill --every
    # month`. The reference run has the latest as-of date, so it is Run B; the chart showed
    # only it, one point (was: the family of Run B, or of the latest run).
    from tests.analytics.run_fixtures import load_store

    load_store(engine)
    reference = execute_run(engine=engine, preset="reference", stability_resamples=1)
    months = [
        execute_run(engine=engine, as_of=day, name=f"month end {day:%Y-%m}", stability_resamples=1)
        for day in (date(2011, 11, 1), date(2011, 12, 1))
    ]
    assert page.load_pair(0, {}, None, None)[3] == reference  # still Run B by default
    options, value = page.load_series(0, None)
    assert value == months[-1] and [o["value"] for o in options] == [months[-1], reference]
    assert options[0]["label"].startswith("preset default, k by the elbow: 2 runs, 2 as-of dates")
    assert options[1]["label"].startswith("preset reference, k=4: 1 run, as of 2011-12-1")
    fig, caption = page.show_sizes(0, None)
    assert {str(x)[:10] for t in fig.data for x in t.x} == {"2011-11-01", "2011-12-01"}
    assert (
        caption.startswith("Runs made with preset default, k by the elbow (2 runs") and "1 other" in caption
    )
    with Session(engine) as s:
        sizes = segment_sizes(session=s)
    for trace in fig.data:
        assert list(trace.y) == [
            int(sizes[(sizes["run_id"] == run) & (sizes["label"] == trace.name)]["size"].sum())
            for run in months
        ]
    # The reference series on its own: one day, named on a date-only axis, with a note.
    fig, caption = page.show_sizes(0, reference)
    assert len(fig.layout.xaxis.ticktext) == 1
    assert 'Only one as-of date in this series: "segments backfill --every month --preset reference" makes' in caption
    assert fig.layout.annotations[0].text.startswith("One as-of date so far")
    # A choice is kept on refresh, and follows its series when a newer run joins it.
    assert page.load_series(1, reference)[1] == reference
    # A shared link names its series (any run of it); the default series stays out of the URL.
    assert page.load_series(0, None, {"series": reference})[1] == reference
    assert page.load_series(0, None, {"series": months[0]})[1] == months[-1]
    assert page.load_series(0, None, "tampered")[1] == months[-1]
    assert page.keep_query(reference, months[-1], reference, options) == (
        f"?a={reference}&b={months[-1]}&series={reference}"
    )
    assert page.keep_query(reference, months[-1], months[-1], options) == f"?a={reference}&b={months[-1]}"
    # A cleared Run A leaves Run B in the address (was: /runs, and a reload another pair).
    assert page.keep_query(None, months[-1], reference, options) == f"?b={months[-1]}&series={reference}"
    # The same run twice stays (the comparison says to pick two); a text series only encoded.
    assert page.keep_query(3, 3, "1 OR 1=1", "tampered") == "?a=3&b=3&series=1+OR+1%3D1"
    newer = execute_run(engine=engine, as_of=date(2011, 12, 9), name="again", stability_resamples=1)
    assert page.load_series(2, months[-1])[1] == newer
    assert (
        page.load_series(2, "1 OR 1=1")[1] == newer
        and page.show_sizes(0, 99)[1]
        == "Run 99 is in no series of finished runs; showing the series with the most as-of dates. "
        + page.show_sizes(0, None)[1]
    )


def test_comparison_with_known_answers(page, engine):
    first, second = make_two_runs(engine)
    heat, sankey, summary, deltas, columns = page.show_comparison(first, second)
    assert [c["headerName"] for c in columns] == ["Segment", f"Run {first}", f"Run {second}", "Change"]
    assert [list(r) for r in heat.data[0].z] == [[6, 0, 0], [0, 3, 6]]  # At risk, High value rows
    assert sum(sankey.data[0].link.value) == 15
    # Contingency 3, 6, 6 of rows 9, 6 and columns 3, 6, 6 among 15 customers (pairs: 105).
    expected = 51 * 33 / 105
    ari = (33 - expected) / ((51 + 33) / 2 - expected)
    assert summary.children[0].children[1].children == f"{ari:.3f}" == "0.653"
    assert deltas == [
        {"label": "At risk", "size_a": 6, "size_b": 6, "change": 0},
        {"label": "High value", "size_a": 9, "size_b": 3, "change": -6},
        {"label": "Steady mid-value", "size_a": 0, "size_b": 6, "change": 6},
    ]
    assert page.keep_query(first, second, None, None) == f"?a={first}&b={second}"


def test_pair_defaults_url_values_and_unknown_ids(page, engine):
    first, second = make_two_runs(engine)
    options, a, _o, b, message = page.load_pair(0, {"a": None, "b": None}, None, None)
    assert [o["value"] for o in options] == [second, first] and (a, b) == (first, second)
    assert message is None
    assert page.load_pair(0, {"a": second, "b": first}, None, None)[1::2][:2] == (second, first)
    options_a, a, _o2, b, message = page.load_pair(0, {"a": 99, "b": first}, None, None)
    # Kept, marked and named in place of the figures (was: another run compared with a note).
    assert (a, b) == (99, first) and message is None
    assert options_a[-1] == {"label": "#99 (no such finished run)", "value": 99, "disabled": True}
    heat, _s, note, deltas, _c = page.show_comparison(a, b)
    assert deltas == [] and note.id == "runs-unknown-run"
    assert note.children == "Run 99 does not exist or has not finished: choose another run above."
    assert heat.layout.annotations[0].text.replace("<br>", " ") == note.children
    assert page.keep_query(a, b, None, []) == f"?a=99&b={first}"
    assert page.load_pair(0, "tampered", None, None)[1::2][:2] == (first, second)
    # Named as given, never read as a run (nor passed to a query).
    assert page.load_pair(0, {"a": "1 OR 1=1"}, None, None)[1::2][:2] == ("1 OR 1=1", second)
    assert page.show_comparison("1 OR 1=1", second)[2].children.startswith("'1 OR 1=1' is not a run number")
    assert page.show_comparison("1; DROP TABLE runs", None)[3] == []


def test_one_finished_run_is_not_compared_with_itself(page, engine):
    from tests.analytics.run_fixtures import load_store

    load_store(engine)
    only = execute_run(engine=engine, k=2, name="only", stability_resamples=1)
    _o, a, _o2, b, message = page.load_pair(0, {}, None, None)
    assert (
        (a, b) == (None, only)
        and message.id == "runs-only-one"
        and "Only one finished run" in message.children
    )
    heat, _s, summary, deltas, _c = page.show_comparison(only, only)  # picked twice by hand
    assert summary is None and deltas == [] and "two different" in heat.layout.annotations[0].text
    # Its sizes are the sizes (was: stacked, so points sat at running totals): one bar each, side
    # by side, as one as-of date is drawn.
    fig, _caption = page.show_sizes(0, only)
    assert {t.type for t in fig.data} == {"bar"} and fig.layout.barmode != "stack"
    assert {t.name: t.y[0] for t in fig.data} == run_labels(engine=engine, run_id=only)


def test_latest_run_is_the_latest_as_of_date(page, engine):
    first, second = make_two_runs(engine)
    older = execute_run(
        engine=engine, as_of=date(2011, 6, 1), k=2, name="old snapshot", stability_resamples=1
    )
    # Made last, but about older data: the defaults stay on the latest data.
    options, a, _o, b, _m = page.load_pair(0, {}, None, None)
    assert [o["value"] for o in options] == [second, first, older] and (a, b) == (first, second)


def test_fresh_database_renders(page, engine):
    fig, _caption = page.show_sizes(0, None)
    assert page.show_history(0) == [] and fig.layout.annotations[0].text == "No finished run yet."
    assert page.load_pair(0, {}, None, None)[4].children == "No finished run yet: start one above."


def test_new_run_from_the_page(page, engine):
    make_two_runs(engine)
    progress = []
    result, refresh = page.start_new_run(progress.append, 1, "reference", 3, "2011-12-10", "from page", 4)
    assert result.id == "runs-start-done" and refresh == 5 and progress == [("segmenting customers...",)]
    rows = page.show_history(refresh)
    newest = rows[0]
    assert (newest["name"], newest["preset"], newest["k"], newest["as_of"], newest["status"]) == (
        "from page",
        "reference",
        3,
        "2011-12-10",
        "finished",
    )
    assert result.children == f"Run {newest['id']} finished."


def test_failed_run_shows_its_error(page, engine):
    make_two_runs(engine)
    with Session(engine) as s, s.begin():
        when = datetime(2011, 12, 10)
        s.add(Run(created_at=when, status=RUN_FAILED, preset="default", params={}, error="x" * 300))
    failed = page.show_history(1)[0]
    assert failed["status"] == "failed" and failed["error"] == "x" * 300  # whole: the grid wraps it


@pytest.mark.parametrize("as_of", ["2001-01-01", "2030-01-01"])
def test_as_of_outside_the_data_is_refused_before_a_run_exists(page, engine, as_of):
    make_two_runs(engine)
    low, high = page.limit_as_of(0, "default")  # the picker's: the day after the first / last purchase
    assert low < "2011-11-01" < "2011-12-10" <= high
    result, refresh = page.start_new_run(lambda _p: None, 1, "default", "auto", as_of, None, 0)
    assert result.id == "runs-start-error" and f"choose a day from {low} to {high}" in result.children
    assert refresh is page.no_update and len(page.show_history(0)) == 2  # no failed run row
    assert page.start_new_run(lambda _p: None, 1, "default", 2, high, None, 0)[0].id == "runs-start-done"


@pytest.mark.parametrize(
    ("preset", "low"),
    [("default", "2011-01-06"), ("reference", "2011-01-05")],  # reference keeps 4 Jan's postage
)
def test_the_web_and_the_cli_accept_and_refuse_the_same_days(page, engine, db_url, preset, low):
    # Stored lines run from 2010-12-31 to 2011-04-02; purchases from 2011-01-04/05 to 2011-03-20.
    load_trimmed_store(engine)
    assert page.limit_as_of(0, preset) == (low, "2011-03-21")  # the picker follows the preset
    for day in (
        "2011-01-01",
        "2011-01-04",
        "2011-01-05",
        "2011-01-06",
        "2011-03-21",
        "2011-03-22",
        "2011-04-03",
    ):
        web = page.start_new_run(lambda _p: None, 1, preset, 2, day, None, 0)[0]
        run = ["run", "--preset", preset, "--k", "2", "--resamples", "1", "--as-of", day, "--db", db_url]
        said = CliRunner().invoke(cli, run).output
        if low <= day <= "2011-03-21":  # a day inside: a run was made, or too few customers by then
            if web.id == "runs-start-done":
                assert re.match(r"Run \d+ finished", web.children) and re.match(r"run \d+ ", said), (day, said)
            else:  # refused by both, in the same words, and not stored
                assert web.children.startswith("Run not started: cannot make 2 segments from 1 customer")
                assert said == f"error: {web.children.removeprefix('Run not started: ')}\n"
        else:  # refused by both, in the same words
            assert web.id == "runs-start-error" and web.children.startswith(f"as-of {day} "), web.children
            assert said == f"error: {web.children}\n"


def test_too_few_customers_is_refused_before_a_run_exists(page, engine):
    make_two_runs(engine)
    # Four segments of the three customers who had bought by then: refused, as `segments run` does.
    result, refresh = page.start_new_run(lambda _p: None, 1, "reference", "auto", "2011-03-04", None, 0)
    assert result.id == "runs-start-error" and refresh is page.no_update
    assert result.children == "Run not started: cannot make 4 segments from 3 customers (need more than 4)"
    assert len(page.show_history(0)) == 2  # no failed run row


def test_a_run_that_fails_shows_its_error(page, engine, monkeypatch):
    import analytics.runs

    make_two_runs(engine)

    def broken(*_args, **_kwargs):
        raise RuntimeError("labelling broke")

    monkeypatch.setattr(analytics.runs, "label_segments", broken)
    result, refresh = page.start_new_run(lambda _p: None, 1, "reference", "auto", "2011-12-10", None, 0)
    assert result.id == "runs-start-error" and "failed" in result.children and refresh == 1
    failed = page.show_history(refresh)[0]
    assert failed["status"] == "failed" and failed["error"] and failed["error"] in result.children


def test_the_run_just_made_on_all_the_data_is_the_default(page, engine):
    from tests.analytics.run_fixtures import store_lines
    from tests.transaction_factory import insert_lines

    # Postage is the last line: the reference preset's as-of day is a day later than the default's.
    postage = ("599003", "POST", 1, "2011-12-16 09:00", "18.00", "c02", "United Kingdom")
    insert_lines(engine=engine, lines=[*store_lines(), postage])
    reference = page.start_new_run(lambda _p: None, 1, "reference", 3, None, None, 0)[0]
    default = page.start_new_run(lambda _p: None, 1, "default", 2, None, "  ", 0)[0]
    ids = [int(re.match(r"Run (\d+) finished", r.children).group(1)) for r in (reference, default)]
    options, a, _o, b, _m = page.load_pair(0, {}, None, None)
    assert (a, b) == (ids[0], ids[1])  # B, the latest, was the reference run
    assert page.show_history(0)[0]["name"] == ""  # a name of spaces is no name


def test_bad_form_values_start_nothing(page, engine):
    result, refresh = page.start_new_run(lambda _p: None, 1, "default", 11, None, None, 0)
    assert result.id == "runs-start-error" and refresh is page.no_update
    assert page.show_history(0) == []


@pytest.mark.parametrize(
    ("preset", "k", "as_of", "name"),
    [
        ("magic", "auto", None, None),
        ("default", 1, None, None),
        ("default", "3 OR 1", None, None),
        ("default", "auto", "2011-13-01", None),
        ("default", "auto", "01/12/2011", None),
        ("default", "auto", "1900-01-01", None),
        ("default", "auto", None, "x" * 129),
        ("default", "auto", None, " " + "x" * 129),
        ("default", "auto", None, ["list"]),
    ],
)
def test_parse_new_run_refuses(preset, k, as_of, name):
    with pytest.raises(BadRunRequest):
        parse_new_run(preset, k, as_of, name)


def test_parse_new_run_accepts():
    request = parse_new_run("default", "auto", "", " monthly ")
    assert (request.k, request.as_of, request.name) == (None, None, "monthly")
    assert parse_new_run("reference", "4", "2011-12-01", None).options()["k"] == 4
    assert parse_new_run("default", "auto", "", "   ").name is None  # a field of spaces: no name


def test_a_links_run_that_is_not_a_number_is_named(page, engine):
    """Was: /runs?a=999&b=abc named 999 only; "abc" was silently replaced by another run. Then:
    /runs?a=abc&b=2 became ?a=10&b=2 and compared run 10 with 2 under a small note."""
    first, second = make_two_runs(engine)
    init = page.layout(a="999", b="abc")["runs-init"].data
    assert (init["a"], init["b"]) == (999, "abc")
    options_a, a, options_b, b, message = page.load_pair(0, init, None, None)
    assert (a, b) == (999, "abc") and message is None
    assert options_b[-1] == {"label": "abc (not a run)", "value": "abc", "disabled": True}
    heat, sankey, note, deltas, _c = page.show_comparison(a, b)
    assert note.id == "runs-unknown-run" and deltas == [] and not heat.data and not sankey.data
    assert note.children == (
        "Run 999 does not exist or has not finished; 'abc' is not a run number: choose another run above."
    )
    assert page.keep_query(a, b, None, []) == "?a=999&b=abc"  # the address keeps what it names
    _o, a, _o2, b, _m = page.load_pair(0, page.layout(a="abc", b=str(first))["runs-init"].data, None, None)
    assert (a, b) == ("abc", first) and page.keep_query(a, b, None, []) == f"?a=abc&b={first}"
    assert page.show_comparison(a, b)[2].children.startswith("'abc' is not a run number")
    assert page.load_pair(0, {"b": "0"}, None, None)[3] == "0"
    assert page.show_comparison(second, "0")[2].children.startswith("'0' is not a run number")
    assert page.layout(a="2", b="1")["runs-init"].data == {"a": 2, "b": 1, "series": None}


def test_a_cleared_side_asks_for_that_run(page, engine):
    """Was: "Pick two different finished runs." for a cleared Run A, and the address lost b."""
    first, second = make_two_runs(engine)
    heat, _s, summary, deltas, _c = page.show_comparison(None, second)
    assert heat.layout.annotations[0].text == "Choose Run A." and summary is None and deltas == []
    assert page.show_comparison(first, None)[0].layout.annotations[0].text == "Choose Run B."
    assert page.show_comparison(None, None)[0].layout.annotations[0].text == "Choose Run A and Run B."
    assert page.keep_query(None, second, None, []) == f"?b={second}"


@pytest.mark.parametrize(
    ("given", "named", "marked"),
    [
        ("abc", "'abc' is not a run number", {"label": "abc (not a run)", "value": "abc", "disabled": True}),
        ("0", "'0' is not a run number", {"label": "0 (not a run)", "value": "0", "disabled": True}),
        ("-1", "'-1' is not a run number", {"label": "-1 (not a run)", "value": "-1", "disabled": True}),
        ("999", "Run 999 is in no series of finished runs", {"label": "#999 (in no series)", "value": 999, "disabled": True}),
    ],
)
def test_a_links_series_that_picks_none_is_named_and_kept(page, engine, given, named, marked):
    """Was: /runs?series=abc (999, 0, -1) drew the default series with no word and the address
    lost the value."""
    make_two_runs(engine)
    init = page.layout(series=given)["runs-init"].data
    options, value = page.load_series(0, None, init)
    assert options[-1] == marked and value == marked["value"]  # chosen, marked, not the default
    assert page.load_series(1, value, init) == (options, value)  # kept on refresh
    fig, caption = page.show_sizes(0, value)
    default_fig, default_caption = page.show_sizes(0, None)
    assert caption == f"{named}; showing the series with the most as-of dates. {default_caption}"
    assert fig == default_fig
    assert page.keep_query(None, None, value, options[:-1]) == f"?series={given}"
    # A series picked afterwards replaces the named value.
    assert page.load_series(1, options[1]["value"], init)[1] == options[1]["value"]
    assert page.show_sizes(0, options[1]["value"])[1].startswith("Runs made with")


def test_the_same_run_twice_stays_in_the_address(page, engine):
    """Was: /runs?a=5&b=5 said "Pick two different finished runs." and the address became /runs."""
    first, _second = make_two_runs(engine)
    _o, a, _o2, b, _message = page.load_pair(0, {"a": first, "b": first}, None, None)
    assert (a, b) == (first, first)
    assert page.show_comparison(a, b)[0].layout.annotations[0].text == "Pick two different finished runs."
    assert page.keep_query(a, b, None, []) == f"?a={first}&b={first}"


def test_a_key_given_twice_is_its_last_value(page, engine):
    """Was: /runs?a=1&a=2 showed "'['1', '2']' is not a run number"."""
    init = page.layout(a=["1", "2"], b=["abc", "1"], series=["x", "2"])["runs-init"].data
    assert init == {"a": 2, "b": 1, "series": 2}
