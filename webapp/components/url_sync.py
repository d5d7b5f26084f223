"""Keep a page's selection in the address bar, so the URL can be shared.

A server callback writes the checked query string (``?run=3&segment=...``) to a ``dcc.Store``;
this clientside callback puts it in the address bar with ``replaceState``: no reload, no
re-render of the page (``dcc.Location`` would re-run the page layout) and no extra history entry.
"""

from __future__ import annotations

from dash import Input, Output, clientside_callback

_REPLACE_QUERY = """
function(search) {
    if (typeof search === "string" && window.location.search !== search) {
        window.history.replaceState(window.history.state, "", window.location.pathname + search);
    }
    return window.dash_clientside.no_update;
}
"""


def sync_url(store_id: str, sink_id: str) -> None:
    """``store_id.data`` (a query string starting with "?") -> the address bar; ``sink_id`` is a
    hidden element the callback needs as its (never written) output."""
    clientside_callback(_REPLACE_QUERY, Output(sink_id, "children"), Input(store_id, "data"))
