"""Runs page figure builders: known matrices in, the expected traces out."""

import pandas as pd

from webapp.components.label_colours import label_colour, label_colours
from webapp.components.run_figures import (
    NO_SHARED,
    migration_heatmap,
    migration_sankey,
    size_deltas,
    sizes_over_time,
)

MATRIX = {"High value": {"High value": 3, "Steady": 6}, "At risk": {"At risk": 6}}


def test_heatmap_rows_are_run_a_labels_columns_run_b_labels():
    fig = migration_heatmap(MATRIX, run_a=1, run_b=2)
    trace = fig.data[0]
    assert list(trace.y) == ["At risk", "High value"] and list(trace.x) == ["At risk", "High value", "Steady"]
    assert [list(row) for row in trace.z] == [[6, 0, 0], [0, 3, 6]]
    assert fig.layout.xaxis.title.text == "label in run 2" and fig.layout.yaxis.title.text == "label in run 1"


def test_sankey_links_carry_the_counts():
    fig = migration_sankey(MATRIX, run_a=1, run_b=2)
    node = list(fig.data[0].node.label)
    assert node == [
        "At risk (run 1)",
        "High value (run 1)",
        "At risk (run 2)",
        "High value (run 2)",
        "Steady (run 2)",
    ]
    link = fig.data[0].link
    flows = {(node[s], node[t]): v for s, t, v in zip(link.source, link.target, link.value, strict=True)}
    assert flows == {
        ("At risk (run 1)", "At risk (run 2)"): 6,
        ("High value (run 1)", "High value (run 2)"): 3,
        ("High value (run 1)", "Steady (run 2)"): 6,
    }


def test_sankey_hovers_say_label_run_and_customers_in_words():
    """Was Plotly's default: "incoming flow count: 0 outgoing flow count: 1" on a node and
    "443 source: New (run 3) target: New (run 8)" on a link."""
    fig = migration_sankey({"New": {"New": 443, "Lost": 1}, "At risk": {"Lost": 0}}, run_a=3, run_b=8)
    node, link = fig.data[0].node, fig.data[0].link
    assert node.hovertemplate == link.hovertemplate == "%{customdata}<extra></extra>"
    assert list(node.customdata) == [
        "At risk in run 3: 0 customers",
        "New in run 3: 444 customers",
        "Lost in run 8: 1 customer",
        "New in run 8: 443 customers",
    ]
    assert list(link.customdata) == ["1 customer: New (run 3) → Lost (run 8)", "443 customers: New (run 3) → New (run 8)"]


def test_no_shared_customer_gives_a_message_not_an_error():
    for build in (migration_heatmap, migration_sankey):
        fig = build({}, run_a=1, run_b=2)
        assert fig.layout.annotations[0].text == NO_SHARED and not fig.data


def test_size_deltas():
    comparison = {
        "size_a": {"A": 9, "B": 6},
        "size_b": {"A": 3, "B": 6, "C": 6},
        "size_delta": {"A": -6, "B": 0, "C": 6},
    }
    assert size_deltas(comparison, run_a=1, run_b=2) == [
        {"label": "A", "size_a": 9, "size_b": 3, "change": -6},
        {"label": "B", "size_a": 6, "size_b": 6, "change": 0},
        {"label": "C", "size_a": 0, "size_b": 6, "change": 6},
    ]


def test_sizes_over_time_draws_true_sizes_at_as_of_dates():
    sizes = pd.DataFrame(
        {
            "run_id": [5, 5, 2, 2, 7],
            "name": ["later", "later", "early", "early", None],
            "as_of": pd.to_datetime(["2011-12-10", "2011-12-10", "2011-11-01", "2011-11-01", "2011-12-10"]),
            "created_at": pd.to_datetime(["2026-01-01"] * 4 + ["2026-01-02"]),
            "label": ["A", "C", "A", "B", "A"],
            "size": [3, 6, 9, 6, 15],
        }
    )
    fig = sizes_over_time(sizes)
    assert [t.name for t in fig.data] == ["A", "B"]  # C only in run 5, which is not drawn
    # One point per as-of date (was: one category per run, so re-runs looked like time steps);
    # of runs 5 and 7 (same as-of date) the newest created, run 7, is drawn.
    assert [str(x)[:10] for x in fig.data[0].x] == ["2011-11-01", "2011-12-10"]
    assert [list(t.y) for t in fig.data] == [[9, 15], [6, 0]]
    assert {t.stackgroup for t in fig.data} == {None}  # sizes, not running totals
    assert list(fig.data[0].customdata) == ["run #2 early", "run #7"]


def test_sizes_over_time_without_runs():
    empty = pd.DataFrame(columns=["run_id", "name", "as_of", "created_at", "label", "size"])
    assert sizes_over_time(empty).layout.annotations[0].text == "No finished run yet."


def one_date(label_sizes: dict[str, int], as_of="2011-12-10 12:50:00") -> pd.DataFrame:
    n = len(label_sizes)
    return pd.DataFrame(
        {
            "run_id": [1] * n,
            "name": [None] * n,
            "as_of": pd.to_datetime([as_of] * n),
            "created_at": pd.to_datetime(["2026-01-01"] * n),
            "label": list(label_sizes),
            "size": list(label_sizes.values()),
        }
    )


def test_sizes_over_time_of_one_date_is_a_readable_day_with_a_note():
    # Was: an axis from "12:49:59.999 Dec 10, 2011" to "12:50:00.0005" around the one point.
    fig = sizes_over_time(one_date({"At risk": 6, "High value": 3}))
    axis = fig.layout.xaxis
    assert axis.type == "date" and list(axis.ticktext) == ["2011-12-10"] and len(axis.tickvals) == 1
    assert tuple(axis.range) == ("2011-11-25", "2011-12-25")  # a month around it, not milliseconds
    note = fig.layout.annotations[0]
    assert note.text == "One as-of date so far (2011-12-10):<br>one bar per segment"
    assert (note.xanchor, note.yanchor, note.y) == ("left", "bottom", 1.02)  # under the toolbar
    assert all(stop.value in ("%Y-%m-%d", "") for stop in axis.tickformatstops)  # never a time of day


def test_sizes_over_time_spanning_months_keeps_plotly_ticks_without_times():
    sizes = pd.concat([one_date({"A": 1}, "2011-01-01"), one_date({"A": 2}, "2011-12-01").assign(run_id=2)])
    axis = sizes_over_time(sizes).layout.xaxis
    assert axis.range is None and axis.tickvals is None and axis.tickformatstops[0].value == "%Y-%m-%d"
    assert not sizes_over_time(sizes).layout.annotations


def test_sizes_of_one_date_are_side_by_side_bars_so_equal_sizes_both_show():
    # Was: one point per segment at the one date, so two segments of 3 customers drew one point.
    fig = sizes_over_time(one_date({"At risk": 6, "High value": 3, "Lost": 3, "New": 1}))
    assert [t.type for t in fig.data] == ["bar"] * 4 and [list(t.y) for t in fig.data] == [[6], [3], [3], [1]]
    slots = [(t.offset, t.offset + t.width) for t in fig.data]
    assert all(a[1] <= b[0] for a, b in zip(slots, slots[1:], strict=False))  # none overlaps the next
    day = pd.Timedelta(days=1) / pd.Timedelta(milliseconds=1)
    assert slots[0][0] == -slots[-1][1] and slots[-1][1] - slots[0][0] <= 30 * day  # centred on the date
    assert {t.texttemplate for t in fig.data} == {"%{y:,}"}  # each bar says its size


def test_sizes_legend_runs_along_the_foot():
    # Was: a column at the right, half the width of a phone's graph.
    sizes = pd.concat([one_date({"A": 1}, "2011-01-01"), one_date({"A": 2}, "2011-12-01").assign(run_id=2)])
    for fig in (sizes_over_time(sizes), sizes_over_time(one_date({"A": 1}))):
        legend = fig.layout.legend
        assert (legend.orientation, legend.xref, legend.yref, legend.y) == ("h", "container", "container", 0)


def test_runs_charts_draw_each_label_in_its_colour_of_every_page():
    # Was: Plotly's default colours, by trace order.
    labels = ["At risk", "High value", "Wholesale"]
    fig = sizes_over_time(one_date(dict.fromkeys(labels, 1)))
    assert {t.name: t.marker.color for t in fig.data} == label_colours(labels)
    two = pd.concat([one_date(dict.fromkeys(labels, 1)), one_date(dict.fromkeys(labels, 2), "2011-12-20")])
    fig = sizes_over_time(two.assign(run_id=[1, 1, 1, 2, 2, 2]))
    assert {t.name: t.line.color for t in fig.data} == label_colours(labels)
    assert {t.name: t.marker.color for t in fig.data} == {t.name: t.line.color for t in fig.data}
    sankey = migration_sankey(MATRIX, run_a=1, run_b=2).data[0].node
    assert list(sankey.color) == [label_colour(label.split(" (run")[0]) for label in sankey.label]
    assert sankey.color[0] == sankey.color[2] == "#d62728"  # "At risk" in both runs
