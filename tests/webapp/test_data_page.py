"""Data page callbacks through the real callback endpoint, and its pure view helpers."""

from datetime import datetime

from sqlalchemy.orm import Session

from db.ingest import ingest_file
from tests.db.helpers import counts
from tests.webapp.test_callback_inputs import _post
from webapp.components.data_views import batch_rows, upload_outcome


def call(client, output: str, outputs: list[tuple[str, str]], inputs: list[dict], triggered: str = ""):
    body = {
        "output": output,
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": inputs,
        "changedPropIds": [triggered] if triggered else [],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


REJECTED_OUTPUTS = [
    ("data-rejected-grid", "rowData"),
    ("data-rejected-pages", "max_value"),
    ("data-rejected-pages", "active_page"),
    ("data-rejected-count", "children"),
    ("data-rejected-reasons", "children"),
    ("data-rejected-download", "href"),
    ("data-rejected-download", "className"),
    ("data-rejected-download", "aria-disabled"),
]
REJECTED_OUTPUT = "..data-rejected-grid.rowData...data-rejected-pages.max_value...data-rejected-pages.active_page...data-rejected-count.children...data-rejected-reasons.children...data-rejected-download.href...data-rejected-download.className...data-rejected-download.aria-disabled.."  # noqa: E501


def rejected(client, batch, page, triggered=""):
    inputs = [
        {"id": "data-rejected-batch", "property": "value", "value": batch},
        {"id": "data-rejected-pages", "property": "active_page", "value": page},
        {"id": "data-refresh", "property": "data", "value": 0},
    ]
    return call(client, REJECTED_OUTPUT, REJECTED_OUTPUTS, inputs, triggered)


def test_batches_and_rejected_rows(client, engine, tiny_csv):
    with Session(engine) as s, s.begin():
        batch = ingest_file(tiny_csv, session=s).batch_id
    out = call(
        client,
        "..data-batches-grid.rowData...data-rejected-batch.options...data-remove-batch.options..",
        [
            ("data-batches-grid", "rowData"),
            ("data-rejected-batch", "options"),
            ("data-remove-batch", "options"),
        ],
        [{"id": "data-refresh", "property": "data", "value": 0}],
    )
    rows = out["data-batches-grid"]["rowData"]
    assert [(r["id"], r["rows_read"], r["rows_stored"], r["duplicates"], r["rejected"]) for r in rows] == [
        (batch, 6, 4, 1, 1)
    ]
    assert out["data-rejected-batch"]["options"] == [{"label": f"#{batch} tiny.csv", "value": batch}]
    assert out["data-remove-batch"]["options"] == out["data-rejected-batch"]["options"]

    out = rejected(client, batch, 1)
    grid = out["data-rejected-grid"]["rowData"]
    assert [(r["row_number"], r["reason"]) for r in grid] == [(6, "invalid quantity")]
    assert out["data-rejected-count"]["children"] == "1 rejected row"
    assert out["data-rejected-download"]["href"] == f"/download/rejected-rows.csv?batch={batch}"
    assert out["data-rejected-pages"] == {"max_value": 1, "active_page": 1}


def test_rejected_rows_ignore_malformed_browser_values(client, engine, tiny_csv):
    with Session(engine) as s, s.begin():
        ingest_file(tiny_csv, session=s)
    # A string batch id (never passed to SQL) means "all batches"; a bogus page means page 1.
    out = rejected(client, "1 OR 1=1", "x", triggered="data-rejected-pages.active_page")
    assert out["data-rejected-count"]["children"] == "1 rejected row"
    assert out["data-rejected-download"]["href"] == "/download/rejected-rows.csv"
    none = rejected(client, 999, 1)
    assert none["data-rejected-count"]["children"] == "0 rejected rows"
    # Nothing to download: no link, greyed (was: a header-only file).
    assert none["data-rejected-download"] == {
        "href": None,
        "className": "btn btn-outline-secondary btn-sm disabled",
        "aria-disabled": "true",
    }
    assert out["data-rejected-download"]["aria-disabled"] == "false"


def test_upload_outcome_messages():
    refused = upload_outcome("empty.csv", error="the file is empty")
    assert refused.id == "data-upload-error" and refused.color == "danger"
    assert refused.children[0].children == "empty.csv was refused: " and refused.children[1].children == (
        "the file is empty"
    )
    result = {
        "status": "loaded",
        "batch_id": 3,
        "rows_read": 6,
        "rows_stored": 4,
        "duplicates": 1,
        "rejected": 1,
        "rejected_by_reason": {"invalid quantity": 1},
        "seconds": 0.25,
    }
    loaded = upload_outcome("tiny.csv", result=result)
    assert loaded.children[0].children == "tiny.csv loaded as batch #3. "
    assert loaded.children[1].children == (
        "6 rows read, 4 stored, 1 duplicates, 1 rejected (invalid quantity: 1) in 0.2 s."
    )
    again = upload_outcome("tiny.csv", result={**result, "status": "already_imported"})
    assert again.children == "tiny.csv was already imported as batch #3; nothing changed."


def test_grid_counts_have_thousands_separators_ids_do_not():
    from webapp.components.data_views import BATCH_COLUMNS
    from webapp.components.grids import THOUSANDS

    formats = {c["field"]: c.get("valueFormatter") for c in BATCH_COLUMNS}
    assert formats["rows_read"] == formats["rejected"] == THOUSANDS  # 541,909, was 541909
    assert formats["id"] is None


def test_batch_rows_formats_size_and_time():
    batch = {
        "id": 1,
        "source_name": "a.csv",
        "status": "loaded",
        "rows_read": 5,
        "rows_stored": 4,
        "duplicates": 0,
        "rejected": 1,
        "size_bytes": 2_345_678,
        "finished_at": datetime(2011, 1, 2, 3, 4, 5),
    }
    assert batch_rows([batch])[0] | {} == {
        "id": 1,
        "source_name": "a.csv",
        "status": "loaded",
        "rows_read": 5,
        "rows_stored": 4,
        "duplicates": 0,
        "rejected": 1,
        "size_bytes": 2_345_678,  # shown as "2.3 MB" by the grid's formatter
        "finished_at": "2011-01-02 03:04",
    }


def find(component, component_id: str):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found = find(child, component_id)
        if found is not None:
            return found
    return None


def test_batch_in_the_query_string_preselects_the_filter(make_app):
    import dash

    make_app()
    layout = dash.page_registry["webapp.pages.data"]["layout"]
    assert find(layout(batch="7"), "data-rejected-batch").value == 7
    for bogus in (None, "", "0", "-1", "7 OR 1=1", "x"):
        assert find(layout(batch=bogus), "data-rejected-batch").value is None
    assert find(layout(), "data-upload") is not None  # Dash calls it bare at start-up


def _removal_callbacks(client):
    deps = client.get("/_dash-dependencies").get_json()
    # Dash keeps callbacks of an app built but never requested in a global list, which the
    # next app takes in as well: the same callback may be listed twice.
    ask = next(d for d in deps if "data-remove-question.children" in d["output"])
    remove = next(d for d in deps if d["output"].startswith("..data-remove-result.children..."))
    return ask, remove


def test_removing_a_batch_asks_then_removes_it_and_refreshes(client, engine, db_url, tiny_csv):
    with Session(engine) as s, s.begin():
        batch = ingest_file(tiny_csv, session=s).batch_id
    ask, remove = _removal_callbacks(client)
    chosen = {"data-remove-open.n_clicks": 1, "data-remove-batch.value": batch}
    asked = _post(client, ask, chosen).get_json()["response"]
    assert asked["data-remove-dialog"]["is_open"] is True
    assert asked["data-remove-question"]["children"].startswith(
        f"Batch #{batch} (tiny.csv) with its 4 lines and 1 rejected row is deleted"
    )
    done = _post(client, remove, {"data-remove-confirm.n_clicks": 1, "data-remove-batch.value": batch,
                                  "data-refresh.data": 4}).get_json()["response"]  # fmt: skip
    assert done["data-refresh"]["data"] == 5 and done["data-remove-batch"]["value"] is None
    alert = done["data-remove-result"]["children"]["props"]
    assert alert["children"] == f"Batch #{batch} (tiny.csv) removed: 4 lines and 1 rejected row."
    assert counts(db_url) == {"import_batches": 0, "transactions": 0, "rejected_rows": 0}
    # Removed meanwhile (another tab): said so, nothing else happens.
    again = _post(client, ask, chosen).get_json()["response"]
    assert again["data-remove-dialog"]["is_open"] is False
    assert (
        again["data-remove-result"]["children"]["props"]["children"]
        == f"There is no batch #{batch} any more."
    )


def test_removal_ignores_malformed_batch_values(client, engine, db_url, tiny_csv):
    with Session(engine) as s, s.begin():
        ingest_file(tiny_csv, session=s)
    _ask, remove = _removal_callbacks(client)
    for bad in ("1 OR 1=1", -1, 0, 1.5, None, ["1"]):
        values = {"data-remove-confirm.n_clicks": 1, "data-remove-batch.value": bad, "data-refresh.data": 0}
        response = _post(client, remove, values)
        assert response.status_code in (200, 204), bad
    assert counts(db_url) == {"import_batches": 1, "transactions": 4, "rejected_rows": 1}

