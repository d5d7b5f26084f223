"""Segments figure builders and cards: traces, log axes, the marked k, grid counts."""

import pandas as pd
import pytest

from webapp.components.label_colours import label_colours
from webapp.components.segment_figures import (
    decade_ticks,
    k_sweep_figure,
    rfm_scatter,
    score_grid,
    score_grid_figure,
)
from webapp.components.segment_views import segment_cards

POINTS = pd.DataFrame(
    {
        "recency": [0, 10, 200, 300, 5],
        "frequency": [5, 3, 1, 1, 2],
        "monetary": [500.0, 120.0, 15.0, -4.0, 80.0],
        "label": ["High value", "High value", "Lost", "Lost", "New"],
    }
)


def test_scatter_one_trace_per_segment_on_log_axes():
    fig = rfm_scatter(POINTS, ["High value", "Lost", "New"])
    assert [t.name for t in fig.data] == ["High value", "Lost", "New"]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    high, lost, new = fig.data
    assert list(high.x) == [1, 10]  # recency 0 is drawn at 1 day (log axis)
    assert list(lost.y) == [15.0]  # the negative spend cannot be drawn
    assert high.marker.color == label_colours(["High value", "Lost", "New"])["High value"]
    assert high.marker.color != lost.marker.color
    # Below, across the figure: beside the plot it left a phone 100 px of scatter.
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yref == "container"
    # Labels at decades only (was: "8 9 1 2 3 ... 9 10 2 3"), recency from 1 day.
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.range[0] == 0
    # 15 to 500: one decade inside, so 1-2-5 steps.
    assert list(fig.layout.yaxis.ticktext) == ["20", "50", "100", "200", "500"]
    assert list(rfm_scatter(POINTS, ["High value"], "GBP").layout.yaxis.ticktext)[:2] == ["£20", "£50"]
    assert 10 ** fig.layout.xaxis.range[1] >= 200
    # Hovers in words, the true recency (was "19 days, 1 orders" and "1 days" for 0).
    assert list(high.customdata) == ["0 days, 5 orders", "10 days, 3 orders"]
    assert list(lost.customdata) == ["200 days, 1 order"]
    assert high.hovertemplate.startswith("%{customdata}, ")


def test_scatter_with_one_segment_and_without_drawable_points():
    one = rfm_scatter(POINTS.assign(label="Everyone"), ["Everyone"])
    assert len(one.data) == 1 and len(one.data[0].x) == 4
    nothing = rfm_scatter(POINTS.assign(monetary=0.0), ["High value"])
    assert len(nothing.data) == 0 and nothing.layout.annotations


SWEEP = pd.DataFrame(
    {"k": [2, 3, 4, 5], "inertia": [90.0, 50.0, 35.0, 30.0], "silhouette": [0.5, 0.42, 0.4, 0.33]}
)


def test_k_sweep_curves_with_the_chosen_k_marked():
    fig = k_sweep_figure(SWEEP, 3)
    inertia, silhouette = fig.data
    assert list(inertia.x) == [2, 3, 4, 5] and list(inertia.y) == [90.0, 50.0, 35.0, 30.0]
    assert silhouette.yaxis == "y2" and list(silhouette.y) == [0.5, 0.42, 0.4, 0.33]
    (line,) = fig.layout.shapes
    assert line.x0 == 3 and line.x1 == 3
    assert "chosen k = 3" in fig.layout.annotations[0].text
    # Its own rounded ticks (was: "sync"ed to the inertia gridlines, 0.3103, 0.369, 0.4277).
    assert fig.layout.yaxis2.tickmode == "auto" and fig.layout.yaxis2.tickformat == ".2f"
    for trace in fig.data:  # both values, whichever curve is hovered
        assert [list(row) for row in trace.customdata][1] == [50.0, 0.42]
        assert "k = %{x}" in trace.hovertemplate and "silhouette %{customdata[1]:.3f}" in trace.hovertemplate


def test_k_sweep_of_a_run_with_fixed_k_explains_itself():
    fig = k_sweep_figure(SWEEP.iloc[0:0], 4)
    text = fig.layout.annotations[0].text
    assert len(fig.data) == 0 and "fixed at 4" in text
    assert all(len(line) <= 44 for line in text.split("<br>"))  # wraps: one line was cut off on a phone


COUNTS = pd.DataFrame({"r_score": [5, 5, 1], "f_score": [5, 1, 1], "customers": [7, 2, 3]})


def test_score_grid_is_five_by_five_with_zeros():
    grid = score_grid(COUNTS)
    assert (
        grid.shape == (5, 5) and list(grid.index) == [5, 4, 3, 2, 1] and list(grid.columns) == [1, 2, 3, 4, 5]
    )
    assert grid.loc[5, 5] == 7 and grid.loc[5, 1] == 2 and grid.loc[1, 1] == 3
    assert int(grid.to_numpy().sum()) == 12


def test_score_grid_figure_names_segments_and_counts():
    fig = score_grid_figure(COUNTS)
    (heat,) = fig.data
    assert heat.type == "heatmap" and list(heat.y) == ["R5", "R4", "R3", "R2", "R1"]
    assert heat.z[0][4] == 7 and heat.z[4][0] == 3
    assert heat.text[0][4] == "Champions<br>7" and heat.text[0][0] == "New<br>Customers<br>2"
    assert heat.text[4][0] == "Hibernating<br>3"
    # A fixed size (Plotly fitted the text to ~6 px), clear of the toolbar (the x axis title sat
    # under it at the top); R5 drawn on top.
    assert fig.layout.xaxis.side != "top"
    # At 11 px "Hibernating" and "Champions" were cut off in a phone's ~51 px cells: at 10 px,
    # with no side margins, they fit its ~55 px cells (and are still readable at 1280 px).
    assert heat.textfont.size == 10 and (fig.layout.margin.l, fig.layout.margin.r) == (0, 0)
    assert fig.layout.yaxis.autorange == "reversed"
    assert score_grid_figure(COUNTS.iloc[0:0]).layout.annotations


def test_one_card_per_segment_in_original_units():
    segments = [
        {
            "cluster": 0,
            "label": "High value",
            "action": "VIP",
            "size": 30,
            "customer_share": 0.75,
            "revenue_share": 0.9,
            "median_recency": 12.0,
            "median_frequency": 4.0,
            "median_monetary": 1234.5,
        },
        {
            "cluster": 1,
            "label": "Lost",
            "action": "Reactivate",
            "size": 10,
            "customer_share": 0.25,
            "revenue_share": 0.1,
            "median_recency": 250.0,
            "median_frequency": 1.0,
            "median_monetary": 20.0,
        },
    ]
    row = segment_cards(segments)
    cards = [col.children for col in row.children]
    assert [c.id for c in cards] == ["segments-card-0", "segments-card-1"]
    text = str(cards[0].children)
    assert "30 customers" in text and "75.0% of customers" in text and "90.0% of revenue" in text
    assert "12 days" in text and "4 orders" in text and "1,234.50" in text and "VIP" in text
    assert "'1 order'" in str(cards[1].children) and "1 orders" not in str(cards[1].children)  # was "1 orders"


@pytest.mark.parametrize(
    ("low", "high", "labels"),
    [
        (5, 5000, ["10", "100", "1k"]),  # decades only where two or more fall inside
        (0.5, 2_000_000, ["1", "10", "100", "1k", "10k", "100k", "1M"]),
        (120, 900, ["200", "500"]),  # was "1k" only: a decade outside the drawn range
        (20, 80, ["20", "50"]),  # was no label at all
        (31, 39, ["31", "39"]),  # nothing round inside: the ends
        (23, 27, ["23", "27"]),
        (42, 42, ["42"]),
    ],
)
def test_spend_axis_is_labelled_inside_the_drawn_range(low, high, labels):
    axis = decade_ticks(pd.Series([low, high]))
    assert axis["ticktext"] == labels
    assert 10 ** axis["range"][0] < low and 10 ** axis["range"][1] > high
    assert all(low <= v <= high for v in axis["tickvals"])
