"""Pure figure builders of the Runs page: migration heatmap and Sankey, segment sizes over time."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from webapp.components.figures import BOTTOM_LEGEND, empty_figure
from webapp.components.label_colours import label_colour
from webapp.wording import counted

NO_SHARED = "No customer is in both runs."
DAY_MS = 86_400_000
MIN_SPAN_DAYS = 30  # a shorter span of as-of dates is drawn this wide, centred on the dates


def _axes(matrix: dict[str, dict[str, int]]) -> tuple[list[str], list[str]]:
    sources = sorted(matrix)
    targets = sorted({dst for row in matrix.values() for dst in row})
    return sources, targets


def migration_heatmap(matrix: dict[str, dict[str, int]], *, run_a: int, run_b: int) -> go.Figure:
    """Customers by label in run A (rows) and label in run B (columns)."""
    sources, targets = _axes(matrix)
    if not sources:
        return empty_figure(NO_SHARED)
    z = [[matrix[src].get(dst, 0) for dst in targets] for src in sources]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=targets,
            y=sources,
            text=[[f"{v:,}" for v in row] for row in z],
            texttemplate="%{text}",
            colorscale="Blues",
            hovertemplate=f"run {run_a}: %{{y}}<br>run {run_b}: %{{x}}<br>%{{z:,}} customers<extra></extra>",
        )
    )
    fig.update_layout(
        template="plotly_white",
        xaxis_title=f"label in run {run_b}",
        yaxis_title=f"label in run {run_a}",
        yaxis_autorange="reversed",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=420,
    )
    return fig


def migration_sankey(matrix: dict[str, dict[str, int]], *, run_a: int, run_b: int) -> go.Figure:
    """Flows from each label of run A to each label of run B, one node per label and run, in
    the label's colour."""
    sources, targets = _axes(matrix)
    if not sources:
        return empty_figure(NO_SHARED)
    nodes = [f"{label} (run {run_a})" for label in sources] + [f"{label} (run {run_b})" for label in targets]
    colours = [label_colour(label) for label in sources + targets]  # as on every page
    links = [
        (i, len(sources) + targets.index(dst), n)
        for i, src in enumerate(sources)
        for dst, n in sorted(matrix[src].items())
        if n > 0
    ]
    # Hovers in words (Plotly's default: "incoming flow count: 0 outgoing flow count: 1").
    sizes = [sum(matrix[src].values()) for src in sources]
    sizes += [sum(matrix[src].get(dst, 0) for src in sources) for dst in targets]
    runs = [run_a] * len(sources) + [run_b] * len(targets)
    node_hovers = [
        f"{label} in run {run}: {counted(n, 'customer')}"
        for label, run, n in zip(sources + targets, runs, sizes, strict=True)
    ]
    link_hovers = [f"{counted(n, 'customer')}: {nodes[s]} → {nodes[t]}" for s, t, n in links]
    fig = go.Figure(
        go.Sankey(
            node={
                "label": nodes,
                "color": colours,
                "pad": 12,
                "thickness": 14,
                "customdata": node_hovers,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
            link={
                "source": [s for s, _, _ in links],
                "target": [t for _, t, _ in links],
                "value": [n for _, _, n in links],
                "customdata": link_hovers,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    fig.update_layout(template="plotly_white", margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=420)
    return fig


def size_deltas(comparison: dict, *, run_a: int, run_b: int) -> list[dict]:
    """Grid rows: each label's size in both runs and the change (B minus A)."""
    return [
        {
            "label": label,
            "size_a": comparison["size_a"].get(label, 0),
            "size_b": comparison["size_b"].get(label, 0),
            "change": delta,
        }
        for label, delta in comparison["size_delta"].items()
    ]


def sizes_over_time(sizes: pd.DataFrame) -> go.Figure:
    """Segment sizes of comparable runs at their as-of dates: one line per label, true sizes.

    ``sizes`` has run_id, name, as_of, created_at, label, size, for runs of one series (the
    caller picks them: other presets or k split customers differently). Not stacked: each point
    is a segment's own size. Of runs sharing an as-of date the newest created one is drawn; a
    label absent from a run has 0 customers in it. Each label has its colour of every page.
    """
    if sizes.empty:
        return empty_figure("No finished run yet.")
    runs = sizes.drop_duplicates("run_id").sort_values(["as_of", "created_at", "run_id"])
    runs = runs.drop_duplicates("as_of", keep="last")
    frame = sizes[sizes["run_id"].isin(runs["run_id"])]
    table = frame.pivot_table(index="as_of", columns="label", values="size", aggfunc="sum", fill_value=0)
    table = table.reindex(runs["as_of"], fill_value=0)
    names = [n if isinstance(n, str) else "" for n in runs["name"]]  # None arrives as NaN
    runs_text = [f"run #{i} {n}".rstrip() for i, n in zip(runs["run_id"], names, strict=True)]
    one_date = len(table.index) == 1
    fig = go.Figure()
    for i, label in enumerate(table.columns):
        colour = label_colour(label)
        common = {
            "x": list(table.index),
            "y": [int(v) for v in table[label]],
            "name": label,
            "marker": {"color": colour},
            "customdata": runs_text,
            "hovertemplate": f"{label}: %{{y:,}} customers<br>as of %{{x|%Y-%m-%d}}, %{{customdata}}"
            "<extra></extra>",
        }
        if one_date:
            # Side by side bars: points at one date hid each other when two segments had one size.
            fig.add_trace(go.Bar(**common, **_bar_slot(i, len(table.columns)), texttemplate="%{y:,}"))
        else:
            common["marker"]["size"] = 8
            fig.add_trace(go.Scatter(**common, mode="lines+markers", line={"color": colour}))
    fig.update_layout(
        template="plotly_white",
        xaxis=_date_axis(list(table.index)),
        yaxis={"title": "customers", "rangemode": "tozero"},
        legend=BOTTOM_LEGEND,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=420,
    )
    if one_date:
        fig.update_traces(textposition="outside", cliponaxis=False)
        # Two lines at the left, under the toolbar (a wider top margin): one line, centred, ran
        # off a phone's graph and into the toolbar.
        fig.update_layout(margin_t=70)
        fig.add_annotation(
            text=f"One as-of date so far ({table.index[0]:%Y-%m-%d}):<br>one bar per segment",
            xref="paper",
            yref="paper",
            x=0,
            xanchor="left",
            y=1.02,
            yanchor="bottom",
            align="left",
            showarrow=False,
            font={"size": 12, "color": "#6c757d"},
        )
    return fig


def _bar_slot(index: int, count: int) -> dict:
    """Width and offset (ms, on the date axis) of the ``index``-th of ``count`` bars drawn side by
    side over two thirds of the MIN_SPAN_DAYS the axis shows around one date."""
    width = MIN_SPAN_DAYS * 2 / 3 * DAY_MS / count
    return {"width": width, "offset": (index - count / 2) * width}


def _date_axis(days: list[pd.Timestamp]) -> dict:
    """A date axis that never shows times of day (as-of dates are days; a snapshot's time of day
    is no news). Too short a span (one date: Plotly zoomed to milliseconds around it) is widened
    to MIN_SPAN_DAYS around the dates, and a single date is named on its one tick."""
    axis = {
        "title": "as-of date",
        "type": "date",
        "hoverformat": "%Y-%m-%d",
        "tickformatstops": [
            {"dtickrange": [None, DAY_MS], "value": "%Y-%m-%d"},  # zoomed in: still days, no times
            {"dtickrange": [DAY_MS, None], "value": ""},  # Plotly's own: "Jan 2011", "Dec 4"...
        ],
    }
    first, last = min(days), max(days)
    if last - first < pd.Timedelta(days=MIN_SPAN_DAYS):
        middle = first + (last - first) / 2
        half = pd.Timedelta(days=MIN_SPAN_DAYS / 2)
        axis["range"] = [f"{middle - half:%Y-%m-%d}", f"{middle + half:%Y-%m-%d}"]
    if first == last:
        axis |= {"tickmode": "array", "tickvals": [first], "ticktext": [f"{first:%Y-%m-%d}"]}
    return axis
