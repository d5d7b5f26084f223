"""Overview figure builders: traces, axes and empty states from small hand-made frames."""

from datetime import date

import pandas as pd

from webapp.components.trend_figures import (
    country_figure,
    frequency_figure,
    monthly_sales_figure,
    partial_months,
)

BY_MONTH = pd.DataFrame(
    {"month": ["2010-12", "2011-01", "2011-02"], "revenue": [100.0, 0.0, 250.5], "orders": [3, 0, 5]}
)


def test_monthly_sales_bars_revenue_and_lines_orders_on_a_second_axis():
    fig = monthly_sales_figure(BY_MONTH)
    bars, line = fig.data
    assert bars.type == "bar" and list(bars.x) == ["2010-12", "2011-01", "2011-02"]
    assert list(bars.y) == [100.0, 0.0, 250.5]
    assert line.type == "scatter" and line.yaxis == "y2" and list(line.y) == [3, 0, 5]
    # Months are categories, so an empty month keeps its slot (seasonality stays readable).
    assert fig.layout.xaxis.type == "category" and fig.layout.yaxis2.overlaying == "y"


def test_a_month_cut_short_is_hatched_labelled_and_said_in_the_hover():
    fig = monthly_sales_figure(BY_MONTH, date(2010, 12, 1), date(2011, 2, 9))
    bars, line, note = fig.data
    # Was drawn like a full month: the data's last 9 days looked like a sales collapse.
    assert list(bars.marker.pattern.shape) == ["", "", "/"] and list(bars.marker.opacity) == [1, 1, 0.5]
    # Said by a hatched legend entry that draws nothing: written over the bar, the orders line
    # crossed the note on a phone.
    assert note.name == "1-9 Feb only" and note.marker.pattern.shape == "/" and list(note.y) == [None]
    assert not fig.layout.annotations and fig.layout.barmode == "overlay"
    assert list(bars.customdata) == ["", "", " (partial month: 1-9 Feb only)"]
    assert list(line.customdata) == ["3 orders", "0 orders", "5 orders (partial month: 1-9 Feb only)"]
    assert "%{customdata}" in bars.hovertemplate and line.hovertemplate == "%{x}: %{customdata}<extra>Orders</extra>"
    one = monthly_sales_figure(BY_MONTH.assign(orders=[1, 0, 1234]))
    assert list(one.data[1].customdata) == ["1 order", "0 orders", "1,234 orders"]  # was "1 orders"
    assert "%{y:,.2f}" in bars.hovertemplate  # pence, as the cards show (was rounded to pounds)
    assert partial_months(["2010-12", "2011-01"], date(2010, 12, 5), date(2011, 1, 31)) == {
        "2010-12": "5-31 Dec"
    }
    assert partial_months(["2010-12"], date(2010, 12, 13), date(2010, 12, 14)) == {"2010-12": "13-14 Dec"}
    assert partial_months(["2011-01"], date(2011, 1, 1), date(2011, 1, 31)) == {}
    assert partial_months(["2011-12"], date(2011, 12, 9), date(2011, 12, 9)) == {"2011-12": "9 Dec"}
    assert len(monthly_sales_figure(BY_MONTH).data) == 2  # no dates, no claim


def test_monthly_sales_legend_sits_at_the_foot_clear_of_the_toolbar():
    # Was at the top, beside the toolbar (modebar), which covered it on a phone.
    legend = monthly_sales_figure(BY_MONTH).layout.legend
    assert (legend.orientation, legend.xref, legend.yref) == ("h", "container", "container")
    assert (legend.yanchor, legend.y) == ("bottom", 0)


def test_the_orders_axis_steps_in_whole_round_numbers():
    # Was: ticks at the revenue gridlines, 473, 946, 1419 orders (or 3.71, 7.42 for a country).
    for highest, step in ((3, 1), (13, 2), (52, 10), (2600, 500), (99_999, 20_000)):
        frame = BY_MONTH.assign(orders=[highest, 0, 1])
        axis = monthly_sales_figure(frame).to_plotly_json()["layout"]["yaxis2"]
        assert (axis["tickmode"], axis["tick0"], axis["dtick"]) == ("linear", 0, step)
        assert axis["tickformat"] == ",d"  # 1,000 orders, never 2.5
        ticks = [axis["tick0"] + i * axis["dtick"] for i in range(highest // step + 2)]
        assert all(float(t).is_integer() for t in ticks) and 3 <= highest / step <= 8  # a handful


def test_monthly_sales_without_orders_says_so():
    fig = monthly_sales_figure(BY_MONTH.assign(revenue=0.0, orders=0))
    assert len(fig.data) == 0 and "No sales" in fig.layout.annotations[0].text
    assert len(monthly_sales_figure(BY_MONTH.iloc[0:0]).data) == 0


def test_country_bars_biggest_on_top_with_counts_in_hover():
    frame = pd.DataFrame(
        {
            "country": ["United Kingdom", "France"],
            "revenue": [900.0, 50.0],
            "orders": [9, 2],
            "customers": [4, 1],
        }
    )
    fig = country_figure(frame)
    (bar,) = fig.data
    assert bar.orientation == "h"
    assert list(bar.y) == ["France", "United Kingdom"]  # drawn bottom-up: the biggest ends on top
    assert list(bar.x) == [50.0, 900.0]
    assert list(bar.customdata) == ["2 orders, 1 customer", "9 orders, 4 customers"]  # was "1 customers"
    assert bar.hovertemplate.endswith("<br>%{customdata}<extra></extra>")
    assert all(trace.type != "choropleth" and "geo" not in trace.type for trace in fig.data)


def test_country_without_sales_renders_a_message():
    empty = pd.DataFrame(columns=["country", "revenue", "orders", "customers"])
    assert "No sales" in country_figure(empty).layout.annotations[0].text


def test_frequency_bars_per_bucket():
    frame = pd.DataFrame({"bucket": ["1", "2", "51+"], "customers": [5, 0, 1]})
    fig = frequency_figure(frame)
    assert list(fig.data[0].x) == ["1", "2", "51+"] and list(fig.data[0].y) == [5, 0, 1]
    assert fig.layout.xaxis.type == "category"
    assert len(frequency_figure(frame.assign(customers=0)).data) == 0
    # Was "1 purchases: 14,345 customers".
    assert list(fig.data[0].customdata) == ["1 purchase: 5 customers", "2 purchases: 0 customers", "51+ purchases: 1 customer"]
    assert fig.data[0].hovertemplate == "%{customdata}<extra></extra>"


def test_customers_per_purchases_axis_counts_whole_customers():
    one = frequency_figure(pd.DataFrame({"bucket": ["1", "2"], "customers": [1, 0]}))
    assert (one.layout.yaxis.dtick, one.layout.yaxis.tickformat, one.layout.yaxis.tick0) == (1, ",d", 0)
    many = frequency_figure(pd.DataFrame({"bucket": ["1", "2"], "customers": [1800, 900]}))
    assert many.layout.yaxis.dtick in (200, 500) and many.layout.yaxis.tickformat == ",d"
