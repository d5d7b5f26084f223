"""Segments callbacks as plain functions, on hand-made stored runs (known answers), both backends."""

from datetime import datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from db.models import RUN_FAILED, RUN_FINISHED, Run, RunAssignment, RunSegment
from tests.webapp.plotly_arrays import values
from webapp.segments_data import parse_run_id, sample_points


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.server.app_context():
        yield app


def store_run(engine, *, segments: dict[str, list[tuple]], sweep=None, k=None, status=RUN_FINISHED) -> int:
    """A stored run; ``segments``: label -> [(recency, frequency, monetary, r_score, f_score)]."""
    when = datetime(2011, 12, 10)
    with Session(engine) as s, s.begin():
        run = Run(created_at=when, finished_at=when, status=status, preset="default", params={}, versions={})
        run.data_fingerprint, run.k_sweep, run.k = {}, sweep, k or len(segments)
        run.n_customers = sum(len(rows) for rows in segments.values())
        run.error = "boom" if status == RUN_FAILED else None
        s.add(run)
        s.flush()
        total = run.n_customers
        for cluster, (label, rows) in enumerate(segments.items()):
            s.execute(
                insert(RunSegment.__table__),
                [
                    {
                        "run_id": run.id,
                        "cluster": cluster,
                        "label": label,
                        "action": f"do something for {label}",
                        "size": len(rows),
                        "customer_share": len(rows) / total,
                        "revenue_share": 0.5,
                        **{
                            f"{stat}_{col}": float(rows[0][i])
                            for i, col in enumerate(("recency", "frequency", "monetary"))
                            for stat in ("mean", "median")
                        },
                    }
                ],
            )
            s.execute(
                insert(RunAssignment.__table__),
                [
                    {
                        "run_id": run.id,
                        "customer_id": f"{label[:3]}{n}",
                        "country": "France",
                        "last_purchase": when,
                        "recency": r,
                        "frequency": f,
                        "monetary": m,
                        "r_score": rs,
                        "f_score": fs,
                        "m_score": 3,
                        "rfm_score": f"{rs}{fs}3",
                        "rfm_segment": "whatever",
                        "cluster": cluster,
                        "label": label,
                    }
                    for n, (r, f, m, rs, fs) in enumerate(rows)
                ],
            )
        return run.id


TWO = {
    "High value": [(3, 12, 5000.0, 5, 5), (5, 9, 4000.0, 5, 5), (8, 7, 3000.0, 5, 4)],
    "Lost": [(300, 1, 20.0, 1, 1), (250, 1, -5.0, 1, 1)],
}
SWEEP = [{"k": 2, "inertia": 10.0, "silhouette": 0.6}, {"k": 3, "inertia": 6.0, "silhouette": 0.5}]


def test_runs_listed_newest_finished_first_and_latest_selected(app, engine):
    from webapp.pages import segments

    assert segments.show_runs(None)[2].id == "segments-no-runs"
    first = store_run(engine, segments=TWO, sweep=SWEEP)
    second = store_run(engine, segments=TWO)
    store_run(engine, segments=TWO, status=RUN_FAILED)
    options, value, none = segments.show_runs(None)
    assert [o["value"] for o in options] == [second, first] and value == second and none is None
    assert "k=2" in options[0]["label"] and "5 customers" in options[0]["label"]
    # The run asked for in the URL is chosen; an unknown one leaves the choice empty.
    assert segments.show_runs(first)[1] == first
    assert segments.show_runs(999999)[1:] == (None, None)


def test_default_run_is_the_latest_as_of_date_and_options_show_it(app, engine):
    from webapp.pages import segments

    recent, old_snapshot = store_run(engine, segments=TWO), store_run(engine, segments=TWO)
    with Session(engine) as s, s.begin():  # the newer run is an old as-of snapshot
        s.get(Run, recent).as_of = datetime(2011, 12, 10)
        s.get(Run, old_snapshot).as_of = datetime(2011, 6, 1)
    options, value, _none = segments.show_runs(None)
    assert value == recent and [o["value"] for o in options] == [recent, old_snapshot]
    # The as-of date, as on Campaigns and Runs (was the creation time).
    assert options[1]["label"].startswith(f"#{old_snapshot} as of 2011-06-01 · k=2")


def test_a_run_renders_cards_scatter_grid_and_sweep(app, engine):
    from webapp.pages import segments

    run_id = store_run(engine, segments=TWO, sweep=SWEEP)
    message, cards, scatter, caption, grid, sweep = segments.show_run(run_id, None)
    assert message is None
    assert [col.children.id for col in cards.children] == ["segments-card-0", "segments-card-1"]
    assert [t["name"] for t in scatter["data"]] == ["High value", "Lost"]
    assert (
        scatter["layout"]["xaxis"]["type"] == "log" and len(values(scatter["data"][1]["x"])) == 1
    )  # spend -5 not drawable
    assert caption.startswith("4 of 5 customers") and "1 with zero or negative spend" in caption
    z = values(grid["data"][0]["z"]).tolist()  # rows R5..R1, columns F1..F5
    assert z[0][4] == 2 and z[0][3] == 1 and z[4][0] == 2 and sum(map(sum, z)) == 5
    assert sweep["layout"]["shapes"][0]["x0"] == 2 and values(sweep["data"][0]["x"]).tolist() == [2, 3]


def test_cards_and_scatter_give_spend_in_the_currency_and_cached_renders_keep_theirs(make_app, engine):
    def render(currency):
        with make_app(currency=currency).server.app_context():
            from webapp.pages import segments

            return segments.show_run(run_id, None)

    run_id = store_run(engine, segments=TWO)
    for currency, spend, title in (
        (None, "Median spend:5,000.00", "Monetary (spend)"),
        ("GBP", "Median spend:£5,000.00", "Monetary (spend) (GBP)"),
        (None, "Median spend:5,000.00", "Monetary (spend)"),  # not the pounds cached just before
        ("SEK", "Median spend:SEK 5,000.00", "Monetary (spend) (SEK)"),
    ):
        _message, cards, scatter, *_ = render(currency)
        stats = cards.children[0].children.children.children[4]  # html.Div([label, value])
        assert "".join(part.children for part in stats.children) == spend
        assert scatter["layout"]["yaxis"]["title"]["text"] == title
        unit = {"GBP": "£", "SEK": "SEK "}.get(currency, "")
        assert f"%{{customdata}}, {unit}%{{y:,.2f}}<extra>" in scatter["data"][0]["hovertemplate"]


def test_a_run_with_one_segment_renders(app, engine):
    from webapp.pages import segments

    run_id = store_run(engine, segments={"Everyone": TWO["High value"]}, k=None)
    message, cards, scatter, _caption, grid, sweep = segments.show_run(None, str(run_id))
    assert message is None and len(cards.children) == 1 and len(scatter["data"]) == 1
    assert values(grid["data"][0]["z"]).sum() == 3
    assert "fixed at 1" in sweep["layout"]["annotations"][0]["text"]  # no sweep stored


def test_unknown_deleted_or_failed_run_gives_a_message(app, engine):
    from webapp.pages import segments

    message, cards, *_ = segments.show_run(None, 999999)
    assert (
        message.id == "segments-missing" and "Run 999999 does not exist" in message.children and cards is None
    )
    failed = store_run(engine, segments=TWO, status=RUN_FAILED)
    assert "is failed: boom" in segments.show_run(failed, None)[0].children
    assert segments.show_run("abc", None)[0] is None  # nothing selected: blank, no error


def test_layout_reads_the_run_from_the_query(app):
    from webapp.pages import segments

    assert segments.layout(run="7")["segments-requested"].data == 7
    # Not a run number: kept as text, to be named (was: None, so the newest run was shown).
    assert segments.layout(run="7 OR 1=1")["segments-requested"].data == "7 OR 1=1"
    assert segments.layout()["segments-requested"].data is None
    # Given twice: the last (was "['1', '2']", named as "not a run number").
    assert segments.layout(run=["1", "2"])["segments-requested"].data == 2
    assert segments.layout(run=["1", "abc"])["segments-requested"].data == "abc"


def test_run_ids_and_sampling():
    assert [parse_run_id(v) for v in ("12", 12, " 3 ", "-1", "0", True, 2**40, None, "1e3")] == [
        12,
        12,
        3,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    import pandas as pd

    frame = pd.DataFrame({"x": range(20)})
    first, again = sample_points(frame, limit=5), sample_points(frame, limit=5)
    assert len(first) == 5 and first.equals(again) and list(first["x"]) == sorted(first["x"])
    assert len(sample_points(frame, limit=50)) == 20


def test_a_label_has_the_same_colour_in_every_run(app, engine):
    # Was by position: "At risk" second (red) in one run and first (blue) in the next.
    from webapp.components.label_colours import label_colour
    from webapp.pages import segments

    at_risk = [(200, 1, 30.0, 2, 1), (220, 1, 25.0, 2, 1)]
    one = store_run(engine, segments={"High value": TWO["High value"], "At risk": at_risk})
    other = store_run(engine, segments={"At risk": at_risk, "Wholesale": TWO["High value"][:1]})
    seen = {}
    for run_id in (one, other):
        _m, cards, scatter, *_rest = segments.show_run(run_id, None)
        for col in cards.children:
            card = col.children
            label = card.children.children[0].children
            seen.setdefault(label, set()).add(card.style["borderLeft"].split()[-1])
        for trace in scatter["data"]:
            seen[trace["name"]].add(trace["marker"]["color"])
    assert seen == {
        "High value": {"#2ca02c"},
        "At risk": {"#d62728"},
        "Wholesale": {label_colour("Wholesale")},  # a name of its own: a colour from the name
    }


def test_a_links_run_that_is_not_a_number_is_named_not_replaced(app, engine):
    """Was: /segments?run=abc showed the newest run as if it had been asked for."""
    from webapp.pages import segments

    store_run(engine, segments=TWO)
    requested = segments.layout(run="abc")["segments-requested"].data
    options, value, none = segments.show_runs(requested)
    assert options and value is None and none is None  # no run chosen for the user
    message, cards, *_figures = segments.show_run(value, requested)
    assert message.id == "segments-missing" and cards is None
    assert message.children == "'abc' is not a run number; choose a run above."
    assert segments.show_run(options[0]["value"], requested)[0] is None  # a chosen run shows


def test_a_run_made_before_a_batch_was_removed_says_so(app, engine):
    """Was: after `segments batches remove 2`, Segments and Campaigns opened on a run holding
    that batch's customers, with no word."""
    from webapp.pages import segments
    from webapp.run_choice import removed_batches_note

    run_id = store_run(engine, segments=TWO, sweep=SWEEP)
    assert segments.show_run(run_id, None)[0] is None  # its fingerprint names no batch
    with Session(engine) as s, s.begin():
        s.get(Run, run_id).data_fingerprint = {"batch_ids": [7], "lines": 5}  # no batch 7 any more
    note = segments.show_run(run_id, None)[0]
    assert note.id == "segments-removed-batches" and note.children == (
        "This run was computed before batch #7 was removed; its lists may include removed lines."
    )
    assert removed_batches_note([2, 3, 5]).startswith("This run was computed before batches #2, #3 and #5 were")
    assert removed_batches_note([]) is None
