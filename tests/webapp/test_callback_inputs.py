"""Every server callback, fed malformed browser values slot by slot, answers without a server error.

A browser (or anyone posting to ``/_dash-update-component``) can send any JSON for any input or
state: each callback must check what it gets, not trust the component that normally sends it.
"""

import pytest

from tests.webapp.run_store import make_two_runs

BAD_VALUES = [
    "1; drop table runs",
    10**23,  # over any integer column
    -3,
    1e308,  # a whole float far over any integer column
    1.5,
    True,
    "²",  # str.isdigit() says yes, int() says no
    "2011-13-45",
    "",
    "x" * 5000,
    ["a", "b"],
    [["a"]],
    {"x": 1},
]
# Values a real page would send, so the bad value in one slot meets working values in the others.
GOOD = {
    "overview-dates.start_date": "2011-01-01",
    "overview-dates.end_date": "2011-12-31",
    "segments-run.value": 2,
    "campaigns-run.value": 2,
    "campaigns-since.value": 1,
    "campaigns-segments.value": ["cluster:High value"],
    "campaigns-segments.options": [{"label": "High value", "value": "cluster:High value"}],
    "campaigns-moved-from.value": "High value",
    "campaigns-moved-to.value": "Steady mid-value",
    "runs-a.value": 1,
    "runs-b.value": 2,
    "runs-series.value": 2,
    "data-rejected-batch.value": 1,
    "data-rejected-pages.active_page": 1,
    "_pages_location.pathname": "/campaigns",
    "_pages_location.search": "?run=2",
}
PAGE_QUERIES = ["?run=%C2%B2", "?run=99999999999999999999999", "?a=%C2%B2&b=1e308", "?batch=%C2%B2",
                "?recency_min=%C2%B2&since=-1&min_spend=nan", "?segment=%00&country=" + "x" * 3000]  # fmt: skip


def _outputs(output: str) -> list[dict] | dict:
    """The ``outputs`` of a request as the renderer sends it: a list for a multi-output callback."""

    def one(spec: str) -> dict:
        return dict(zip(("id", "property"), spec.rsplit(".", 1), strict=True))

    return [one(p) for p in output[2:-2].split("...")] if output.startswith("..") else one(output)


def _slots(dep: dict, values: dict[str, object]) -> tuple[list[dict], list[dict]]:
    def fill(items):
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    return fill(dep["inputs"]), fill(dep["state"])


def _post(client, dep: dict, values: dict[str, object]):
    inputs, state = _slots(dep, values)
    body = {
        "output": dep["output"],
        "outputs": _outputs(dep["output"]),
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }
    return client.post("/_dash-update-component", json=body)


@pytest.fixture
def server_callbacks(make_app, engine):
    make_two_runs(engine)
    client = make_app().server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    # Clientside callbacks never reach the server; background ones start jobs (their input
    # checks are tested with the Runs and Data pages).
    server = [d for d in deps if not d["clientside_function"] and not d["background"]]
    assert len(server) >= 15
    return client, server


def test_every_callback_survives_malformed_values(server_callbacks):
    client, deps = server_callbacks
    failures = []
    for dep in deps:
        for slot in dep["inputs"] + dep["state"]:
            key = f"{slot['id']}.{slot['property']}"
            for bad in BAD_VALUES:
                response = _post(client, dep, {**GOOD, key: bad})
                if response.status_code >= 500:  # a refusal (400) is fine, a crash is not
                    failures.append((dep["output"][:60], key, repr(bad)[:30], response.status_code))
    assert failures == [], "\n".join(map(str, failures))


@pytest.mark.parametrize("path", ["/segments", "/campaigns", "/runs", "/data", "/"])
def test_every_page_survives_a_malformed_query_string(server_callbacks, path):
    client, deps = server_callbacks
    (pages,) = [d for d in deps if d["output"].startswith(".._pages_content")]
    for query in PAGE_QUERIES:
        values = {"_pages_location.pathname": path, "_pages_location.search": query}
        assert _post(client, pages, values).status_code == 200, query


def test_a_page_location_that_is_not_text_is_refused(server_callbacks):
    client, deps = server_callbacks
    (pages,) = [d for d in deps if d["output"].startswith(".._pages_content")]
    assert _post(client, pages, {"_pages_location.pathname": {"x": 1}}).status_code == 400
    assert _post(client, pages, {"_pages_location.pathname": "/runs", "_pages_location.search": 3}).status_code == 400
    assert _post(client, pages, {"_pages_location.pathname": "/runs", "_pages_location.search": None}).status_code == 200
