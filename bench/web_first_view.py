"""Record the Dash callback requests a browser makes for a page's first view.

A tiny stand-in for the Dash renderer, through the Flask test client: the page router callback,
then every server callback of the page module that fires on load (inputs taken from the page's
layout), then the callbacks chained on what those returned (e.g. the Segments page selecting the
newest run), with the same JSON bodies the browser posts to ``/_dash-update-component``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import dash

UPDATE = "/_dash-update-component"
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


@dataclass
class Call:
    name: str  # callback function name
    body: dict[str, Any]
    first_ms: float = 0.0  # server time of the first (uncached) request


def _outputs(entry: dict[str, Any]) -> list[dict[str, str]]:
    text = entry["output"]
    parts = text.strip(".").split("...") if text.startswith("..") else [text]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def _body(entry: dict[str, Any], values: dict, changed: list[str]) -> dict[str, Any]:
    def with_values(deps: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [{**d, "value": values.get((d["id"], d["property"]))} for d in deps]

    outputs = _outputs(entry)
    return {
        "output": entry["output"],
        "outputs": outputs if entry["output"].startswith("..") else outputs[0],
        "inputs": with_values(entry["inputs"]),
        "state": with_values(entry["state"]),
        "changedPropIds": changed,
    }


def _layout_values(layout: Any) -> dict[tuple[str, str], Any]:
    values: dict[tuple[str, str], Any] = {}
    for component in [layout, *layout._traverse()]:
        cid = getattr(component, "id", None)
        if isinstance(cid, str):
            for prop in component._prop_names:
                values[(cid, prop)] = getattr(component, prop, None)
    return values


def post(client, body: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The callback's outputs and the request's time in milliseconds."""
    start = time.perf_counter()
    response = client.post(UPDATE, json=body)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code == 204:  # every output was no_update
        return {}, elapsed
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json().get("response", {}), elapsed


def first_view_calls(app: dash.Dash, client, path: str, query: str = "") -> list[Call]:
    """The requests of one page's first view, in the order the browser sends them."""
    deps = client.get("/_dash-dependencies").get_json()
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    router = next(d for d in deps if d["output"] == ROUTER_OUTPUT)
    location = {("_pages_location", "pathname"): path, ("_pages_location", "search"): query}
    calls = [Call("page layout", _body(router, location, []))]
    calls[0].first_ms = post(client, calls[0].body)[1]
    mine = [
        d
        for d in deps
        if d["output"] in app.callback_map
        and "callback" in app.callback_map[d["output"]]
        and app.callback_map[d["output"]]["callback"].__module__ == page["module"]
        and not d.get("clientside_function")
        and not d.get("background")
    ]
    layout = page["layout"](**dict(parse_qsl(query.lstrip("?"))))
    values = _layout_values(layout)
    due = [(d, []) for d in mine if not d["prevent_initial_call"]]
    for _round in range(3):  # chains on these pages are short; stop runaway loops
        changed: set[tuple[str, str]] = set()
        for entry, triggered in due:
            body = _body(entry, values, triggered)
            response, elapsed = post(client, body)
            calls.append(Call(app.callback_map[entry["output"]]["callback"].__name__, body, elapsed))
            for cid, props in response.items():
                for prop, value in props.items():
                    if values.get((cid, prop)) != value:
                        values[(cid, prop)] = value
                        changed.add((cid, prop))
        due = []
        for entry in mine:
            hit = [
                f"{i['id']}.{i['property']}" for i in entry["inputs"] if (i["id"], i["property"]) in changed
            ]
            if hit:
                due.append((entry, hit))
        if not due:
            break
    return calls
