"""Segments figures: pure builders from a run's stored frames to Plotly figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.segment_map import SCORES, load_segment_map
from webapp.components.figures import BOTTOM_LEGEND, empty_figure
from webapp.components.label_colours import label_colours
from webapp.money import hover_money, unit_prefix, with_unit
from webapp.wording import counted

MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}


def _short(value: float) -> str:
    """1000 -> "1k", 1e6 -> "1M", 0.1 -> "0.1": a decade's label."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def decade_ticks(values: pd.Series, currency: str | None = None) -> dict:
    """A log axis over the values' range, labelled at its decades ("£10", "£100", "£1k"), or at
    1-2-5 (then every step) where fewer than two decades fall inside: spend of 20 to 80 had no
    label at all. Not Plotly's own minor labels, "2 5 10 2 5", which read as values."""
    low, high = float(values.min()), float(values.max())
    powers = [10.0**p for p in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)]
    for steps in ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [p * s for p in powers for s in steps if low <= p * s <= high]
        if len(ticks) >= 2:
            break
    ticks = ticks or sorted({round(low, 2), round(high, 2)})  # 23 to 27: no round step inside
    unit = unit_prefix(currency)
    padded = [float(np.log10(low / 1.2)), float(np.log10(high * 1.2))]  # the markers' own room
    labels = [unit + _short(v) for v in ticks]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": labels, "range": padded}


def rfm_scatter(sample: pd.DataFrame, labels: list[str], currency: str | None = None) -> go.Figure:
    """Recency (days) against spend, one trace per segment, both axes logarithmic.

    ``sample``: recency, frequency, monetary, label. Log axes cannot show zero or less: recency
    0 (bought on the snapshot day) is drawn at 1 day; customers with spend <= 0 (net returns)
    are left out; the caption says so.
    """
    shown = sample[sample["monetary"] > 0]
    if shown.empty:
        return empty_figure("No customers with a positive spend in this run")
    colours = label_colours(labels)
    traces = []
    for label in labels:
        part = shown[shown["label"] == label]
        if part.empty:
            continue
        traces.append(
            go.Scatter(
                x=np.maximum(part["recency"].to_numpy(), 1),
                y=part["monetary"],
                mode="markers",
                name=label,
                marker={"color": colours[label], "size": 5, "opacity": 0.6},
                # In words: "19 days, 1 order" (a template would say "1 orders"); the true
                # recency, where the axis draws 0 days at 1.
                customdata=[
                    f"{counted(int(r), 'day')}, {counted(int(f), 'order')}"
                    for r, f in zip(part["recency"].tolist(), part["frequency"].tolist(), strict=True)
                ],
                hovertemplate="%{customdata}, "
                + hover_money("%{y:,.2f}", currency)
                + "<extra>"
                + label
                + "</extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        template="plotly_white",
        margin=MARGIN,
        height=420,
        # Labels at decades only (dtick 1 on a log axis: 1, 10, 100 days; 10, 100, 1k): Plotly's
        # own labelled 2..9 in each decade ("8 9 1 2 3"), which read as values. Recency from 1 day.
        xaxis={
            "type": "log",
            "title": "Recency (days since last purchase)",
            "dtick": 1,
            "range": [0, float(np.log10(max(float(shown["recency"].max()), 1.0) * 1.2))],
        },
        yaxis={
            "type": "log",
            "title": with_unit("Monetary (spend)", currency),
            **decade_ticks(shown["monetary"], currency),
        },
        legend=BOTTOM_LEGEND,  # beside the plot it left a phone 100 px of scatter
    )
    return fig


def k_sweep_figure(k_sweep: pd.DataFrame, chosen_k: int | None) -> go.Figure:
    """Inertia (elbow) and silhouette over k, two y axes, the chosen k marked by a dashed line.

    ``k_sweep``: k, inertia, silhouette (the run's stored sweep; empty when k was fixed).
    """
    if k_sweep.empty:
        fixed = f"k was fixed at {chosen_k}" if chosen_k else "no k sweep"
        return empty_figure(f"{fixed}: this run stored no elbow or silhouette curve")
    sweep = k_sweep.sort_values("k")
    both = sweep[["inertia", "silhouette"]].to_numpy()  # each curve's hover names both values
    hover = "k = %{x}<br>inertia %{customdata[0]:,.1f}<br>silhouette %{customdata[1]:.3f}<extra></extra>"
    fig = go.Figure(
        [
            go.Scatter(
                x=sweep["k"],
                y=sweep["inertia"],
                name="Inertia (elbow)",
                mode="lines+markers",
                customdata=both,
                hovertemplate=hover,
            ),
            go.Scatter(
                x=sweep["k"],
                y=sweep["silhouette"],
                name="Silhouette",
                mode="lines+markers",
                yaxis="y2",
                customdata=both,
                hovertemplate=hover,
            ),
        ]
    )
    if chosen_k is not None:
        fig.add_vline(
            x=chosen_k,
            line_dash="dash",
            line_color="#dc3545",
            annotation_text=f"chosen k = {chosen_k}",
            annotation_position="top",
        )
    fig.update_layout(
        template="plotly_white",
        margin={**MARGIN, "t": 50},  # the "chosen k" note clear of the toolbar
        height=320,
        xaxis={"title": "k (number of segments)", "dtick": 1},
        yaxis={"title": "Inertia"},
        # An overlaying axis defaults to tickmode "sync" (ticks at the inertia gridlines: 0.3103,
        # 0.369, ...): its own round ticks instead.
        yaxis2={
            "title": "Silhouette",
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickmode": "auto",
            "nticks": 6,
            "tickformat": ".2f",
        },
        # Below the plot: above it, on a phone, the legend, the "chosen k" note and the toolbar
        # were drawn over one another.
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
    )
    return fig


def score_grid(counts: pd.DataFrame) -> pd.DataFrame:
    """5 x 5 customer counts indexed by R score (rows, 5 on top) and F score (columns 1..5).

    ``counts``: r_score, f_score, customers (missing cells count 0).
    """
    grid = counts.pivot_table(index="r_score", columns="f_score", values="customers", aggfunc="sum")
    return grid.reindex(index=list(SCORES)[::-1], columns=list(SCORES)).fillna(0).astype("int64")


def _two_lines(name: str) -> str:
    """ "Potential Loyalists" -> "Potential<br>Loyalists": long names fit a cell at a readable size."""
    head, _, tail = name.rpartition(" ")
    return f"{head}<br>{tail}" if head and len(name) > 10 else name


def score_grid_figure(counts: pd.DataFrame) -> go.Figure:
    """The R x F score grid as a heatmap; each cell names its RFM segment and its customers."""
    grid = score_grid(counts)
    if int(grid.to_numpy().sum()) == 0:
        return empty_figure("No scored customers in this run")
    names = load_segment_map()
    text = [[f"{_two_lines(names[(r, f)])}<br>{grid.loc[r, f]:,}" for f in grid.columns] for r in grid.index]
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"F{f}" for f in grid.columns],
            y=[f"R{r}" for r in grid.index],
            text=text,
            texttemplate="%{text}",
            # A fixed size: left to fit the cells, Plotly shrank "Potential Loyalists" to ~6 px.
            # 10 px: at 11 px "Hibernating" and "Champions" overflowed a phone's ~51 px cells.
            textfont={"size": 10},
            colorscale="Blues",
            hovertemplate="%{y} %{x}: %{z:,} customers<extra></extra>",
            showscale=False,
        )
    )
    fig.update_layout(
        template="plotly_white",
        # No side margins: on a phone every pixel goes to the cells (the axes take their own room).
        margin={**MARGIN, "l": 0, "r": 0},
        height=420,
        # The axis title at the bottom: at the top the toolbar (modebar) covered it.
        xaxis={"title": "Frequency score (5 = most orders)", "type": "category"},
        # Reversed: a category axis draws its first row (R5) at the bottom, not on top.
        yaxis={"title": "Recency score (5 = most recent)", "type": "category", "autorange": "reversed"},
    )
    return fig
