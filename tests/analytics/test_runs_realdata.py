"""Segmentation runs on the real UCI file, on both backends, against the reference analysis."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from analytics.compare import compare_assignments
from analytics.run_history import get_run, run_assignments
from analytics.runs import execute_run
from db.ingest import ingest_file

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

# The reference analysis (raw R, F, M; StandardScaler; KMeans k=4, n_init=10, seed 42).
REFERENCE = {"Steady mid-value": 3054, "At risk": 1067, "Promising": 204, "High value": 13}


@pytest.fixture
def loaded(engine, real_data):
    with Session(engine) as session, session.begin():
        ingest_file(real_data, session=session)
    return engine


def _read(engine, fn, **kwargs):
    with Session(engine) as session:
        return fn(session=session, **kwargs)


def test_reference_and_default_runs_on_the_real_file(loaded):
    ref_id = execute_run(engine=loaded, preset="reference")
    ref = _read(loaded, get_run, run_id=ref_id)
    assert ref["n_customers"] == 4338 and ref["k"] == 4
    assert ref["as_of"] == datetime(2011, 12, 10, 12, 50)
    assert ref["silhouette"] == pytest.approx(0.616, abs=0.002)
    assert ref["silhouette_sampled"] is False and ref["stability_resamples"] == 10
    sizes = {s["label"]: s["size"] for s in ref["segments"]}
    assert set(sizes) == set(REFERENCE)  # four distinct labels
    for label, size in REFERENCE.items():
        assert sizes[label] == pytest.approx(size, rel=0.02, abs=2), label
    medians = {s["label"]: (s["median_recency"], s["median_frequency"]) for s in ref["segments"]}
    assert medians["At risk"][0] > 200 and medians["Steady mid-value"][0] < 60  # lapsed vs recent
    assert medians["High value"][1] > medians["Promising"][1] > medians["Steady mid-value"][1]

    # Same data, same labels: a second reference run assigns every customer identically.
    again = execute_run(engine=loaded, preset="reference")
    a = _read(loaded, run_assignments, run_id=ref_id)
    b = _read(loaded, run_assignments, run_id=again)
    assert a[["customer_id", "cluster", "label"]].equals(b[["customer_id", "cluster", "label"]])
    assert compare_assignments(a, b).ari == 1.0

    default = _read(loaded, get_run, run_id=execute_run(engine=loaded, preset="default"))
    assert default["n_customers"] == 4334  # non-product-only customers dropped
    assert [row["k"] for row in default["k_sweep"]] == list(range(2, 11))
    assert 2 <= default["k"] <= 10 and default["params"]["segmentation"]["k_choice"] == "elbow"
    labels = [s["label"] for s in default["segments"]]
    assert len(set(labels)) == len(labels) == default["k"] and "High value" in labels
