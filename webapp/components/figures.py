"""Figure conventions shared by every page (pure helpers, no data access).

Plotly must not fetch anything from the internet: no MathJax, no topojson from a CDN, no
"edit in Chart Studio" link. Pass ``config=GRAPH_CONFIG`` to every ``dcc.Graph`` (or use
``graph()``), and avoid geo traces (their maps are fetched from a CDN).
"""

from __future__ import annotations

import textwrap
from typing import Any

import plotly.graph_objects as go
from dash import dcc

WRAP = 44  # characters per line of a figure's message (~330 px at 14 px: a phone's graph)
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "showLink": False,
    "showSendToCloud": False,
    "typesetMath": False,
    # Geo traces would fetch their maps from cdn.plot.ly: point them at the app (nothing there).
    "topojsonURL": "/assets/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

# A horizontal legend at the foot of the whole figure ("container": below the axis labels
# however tall they are; Plotly grows the bottom margin to fit its rows). Beside the plot it
# took half a phone's width; above it, the toolbar (modebar) covered it.
BOTTOM_LEGEND: dict[str, Any] = {
    "title": None,
    "orientation": "h",
    "xref": "container",  # the figure's width to fill, not the plot's (half of it beside two axes)
    "yref": "container",
    "yanchor": "bottom",
    "y": 0,
    "x": 0,
}


def empty_figure(message: str) -> go.Figure:
    """A blank figure that says why there is nothing to draw (empty states render, not crash)."""
    fig = go.Figure()
    fig.update_layout(
        template="plotly_white",
        xaxis={"visible": False},
        yaxis={"visible": False},
        # Wrapped: one long line is cut off on both sides in a phone-wide graph.
        annotations=[
            {"text": "<br>".join(textwrap.wrap(message, WRAP)), "showarrow": False, "font": {"size": 14}}
        ],
        margin={"l": 20, "r": 20, "t": 20, "b": 20},
        height=260,
    )
    return fig


def graph(graph_id: str, figure: go.Figure | None = None, **kwargs: Any) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=figure or empty_figure("Loading..."), config=GRAPH_CONFIG, **kwargs)
