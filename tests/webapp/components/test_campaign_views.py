"""Campaigns page view helpers: grid rows equal the CSV's values; summary of shown rows."""

import json
import shutil
import subprocess

import pandas as pd
import pytest

from analytics.export import CSV_COLUMNS
from analytics.segment_map import SEGMENT_GRID
from tests.conftest import IN_CI
from webapp.components.campaign_views import (
    SHOWN_SUMMARY_FOR_RUN_JS,
    SHOWN_SUMMARY_JS,
    grid_columns,
    grid_rows,
    segment_options,
    segment_values,
    with_code,
    with_unknown,
)


def test_grid_rows_have_the_csv_columns_and_text_timestamps():
    frame = pd.DataFrame(
        {
            "customer_id": ["c1"],
            "country": [None],
            "recency_days": [4],
            "frequency": [20],
            "monetary": [10200.01],  # campaign_list rounds to the cent; the grid keeps it
            "rfm_score": ["555"],
            "rfm_segment": ["Champions"],
            "segment": ["High value"],
            "action": ["VIP"],
            "last_purchase": pd.to_datetime(["2011-12-05 12:30"]),
        },
        columns=CSV_COLUMNS,
    )
    assert grid_rows(frame) == [
        {
            "customer_id": "c1",
            "country": "",
            "recency_days": 4,
            "frequency": 20,
            "monetary": 10200.01,
            "rfm_score": "555",
            "rfm_segment": "Champions",
            "segment": "High value",
            "action": "VIP",
            "last_purchase": "2011-12-05 12:30:00",
        }
    ]
    assert grid_rows(pd.DataFrame(columns=CSV_COLUMNS)) == []


def test_grid_shows_the_csv_columns_in_order_with_the_rfm_segment():
    assert [c["field"] for c in grid_columns("GBP")] == CSV_COLUMNS
    headers = {c["field"]: c["headerName"] for c in grid_columns()}
    assert headers["rfm_segment"] == "RFM segment" and headers["segment"] == "Segment"


def test_segment_options_list_cluster_labels_then_rfm_segments():
    options = segment_options({"At risk": 1200, "High value": 3})
    assert options[:2] == [
        {"label": "At risk (cluster, 1,200)", "value": "cluster:At risk"},
        {"label": "High value (cluster, 3)", "value": "cluster:High value"},
    ]
    assert [o["value"] for o in options[2:]] == [f"rfm:{name}" for name in SEGMENT_GRID]
    first, second = list(SEGMENT_GRID)[:2]
    counted = segment_options({"At risk": 1}, {first: 1234})
    assert counted[1]["label"] == f"{first} (RFM, 1,234)" and counted[2]["label"] == f"{second} (RFM, 0)"


def test_unknown_choices_stay_visible_and_commands_show_as_code():
    options = [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]
    assert with_unknown(["b", "z"], options) == [*options, {"label": "z (unknown)", "value": "z"}]
    assert with_unknown([], options) == options
    parts = with_code("start one (or run `segments run`).")
    assert parts[0] == "start one (or run " and parts[1].children == "segments run" and parts[2] == ")."


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if IN_CI:  # .ci/run installs it: a missing one there is a broken setup, not a skip
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    return node


def _summary(rows, unit) -> list:
    """SHOWN_SUMMARY_JS run by Node, as the browser runs it."""
    node = _node()
    script = f"const f = {SHOWN_SUMMARY_JS};\nconsole.log(JSON.stringify(f({json.dumps(rows)}, {json.dumps(unit)})));"
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_the_shown_rows_total_has_the_unit_of_the_page():
    rows = [{"customer_id": "a", "monetary": 1200.5}, {"customer_id": "b", "monetary": 34.25}]
    assert _summary(rows, "") == ["2 customers, revenue at stake 1,234.75", ["a", "b"]]
    assert _summary(rows, "£") == ["2 customers, revenue at stake £1,234.75", ["a", "b"]]
    assert _summary(rows, "CHF ")[0] == "2 customers, revenue at stake CHF 1,234.75"
    assert _summary([{"customer_id": "c", "monetary": -3.2}], "€")[0] == "1 customer, revenue at stake -€3.20"
    assert _summary([], None)[0] == "0 customers, revenue at stake 0.00"  # no unit stored: none shown


def _run_summary(rows, run, unit) -> list:
    """SHOWN_SUMMARY_FOR_RUN_JS (the page's count callback) run by Node."""
    node = _node()
    args = ", ".join(json.dumps(v) for v in (rows, run, unit))
    script = f"const f = {SHOWN_SUMMARY_FOR_RUN_JS};\nconsole.log(JSON.stringify(f({args})));"
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_no_count_without_a_run():
    """With the Run box cleared the page asks for a run; no "0 customers, revenue at stake 0.00"."""
    assert _run_summary([], None, "£") == ["", []]
    rows = [{"customer_id": "a", "monetary": 2.5}]
    assert _run_summary(rows, 3, "£") == ["1 customer, revenue at stake £2.50", ["a"]]


def test_segment_values_match_the_options():
    labels = {"At risk": 4, "Promising": 2}
    chosen = [
        "At risk",
        "Promising",
        "rfm:Promising",
        "Champions",
        "cluster:At risk",
        "cluster:Champions",
        "x",
    ]
    # A bare name is the run's cluster label first (as on the command line), else an RFM segment;
    # prefixed or unknown names are kept as given (an unknown one is then marked, not dropped).
    assert segment_values(chosen, labels) == [
        "cluster:At risk",
        "cluster:Promising",
        "rfm:Promising",
        "rfm:Champions",
        "cluster:Champions",
        "x",
    ]
    values = {o["value"] for o in segment_options(labels)}
    assert set(segment_values(["At risk", "Champions"], labels)) <= values
    # Another case means the one name it matches; one matching two names stays unknown.
    assert segment_values(["promising", "champions", "at risk"], labels) == [
        "cluster:Promising",
        "rfm:Champions",
        "at risk",
    ]
