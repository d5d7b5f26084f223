"""Runs stored and read back on SQLite and Postgres; failures recorded whole; as-of respected."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import analytics.runs
from analytics.run_history import RunNotFound, get_run, list_runs, resolve_run, run_assignments
from analytics.runs import RunFailed, RunRefused, create_run, execute_run
from db.models import Run, RunAssignment, RunSegment
from tests.analytics.run_fixtures import AS_OF, GROUPS, expected_rfm, load_store
from tests.transaction_factory import insert_lines


def _read(engine, fn, **kwargs):
    with Session(engine) as session:
        return fn(session=session, **kwargs)


def test_run_stored_and_read_back(engine):
    load_store(engine)
    run_id = execute_run(engine=engine, preset="reference", k=3, as_of=AS_OF, name="december")
    run = _read(engine, get_run, run_id=run_id)
    assert run["status"] == "finished" and run["error"] is None and run["name"] == "december"
    assert run["as_of"] == datetime(2011, 12, 10) and run["preset"] == "reference"
    # c16 bought only after the snapshot: 15 customers.
    assert run["n_customers"] == 15 and run["k"] == 3
    assert run["silhouette"] > 0.8 and run["silhouette_sampled"] is False
    assert run["silhouette_sample_size"] == 15 and run["stability_resamples"] == 10
    assert run["davies_bouldin"] > 0 and run["calinski_harabasz"] > 0
    assert 0 < run["stability_ari"] <= 1
    assert run["k_sweep"] == []  # k was given
    assert run["params"]["rules"]["include_non_product"] is True  # reference rules
    assert run["params"]["as_of"] == "2011-12-10" and run["params"]["segmentation"]["k_choice"] == "fixed"
    assert run["versions"]["scikit-learn"] and run["versions"]["python"]
    assert run["data_fingerprint"]["batch_ids"] == [1]
    assert run["data_fingerprint"]["lines"] == 20 * 3 + 4 * 6 + 6 + 2

    segments = {s["label"]: s for s in run["segments"]}
    assert {label: s["size"] for label, s in segments.items()} == {
        "High value": 3,
        "Steady mid-value": 6,
        "At risk": 6,
    }
    big_revenue = sum(expected_rfm(i)[2] for i in GROUPS["big"])
    total = sum(expected_rfm(i)[2] for i in range(1, 16))
    assert segments["High value"]["revenue_share"] == pytest.approx(big_revenue / total)
    assert segments["At risk"]["customer_share"] == pytest.approx(0.4)
    assert segments["High value"]["median_frequency"] == 20
    assert segments["Steady mid-value"]["median_recency"] == pytest.approx(66.5)  # days 69,68,...,64

    frame = _read(engine, run_assignments, run_id=run_id).set_index("customer_id")
    assert len(frame) == 15 and "c16" not in frame.index
    for i in range(1, 16):
        row = frame.loc[f"c{i:02d}"]
        assert (row["recency"], row["frequency"]) == expected_rfm(i)[:2]
        assert row["monetary"] == pytest.approx(expected_rfm(i)[2])
    assert set(frame.loc[[f"c{i:02d}" for i in GROUPS["old"]], "label"]) == {"At risk"}
    assert frame.loc["c01", "rfm_score"] == "555" and frame.loc["c01", "rfm_segment"] == "Champions"
    assert frame.loc["c04", "country"] == "France"
    assert frame.loc["c01", "last_purchase"] == datetime(2011, 12, 5, 12)
    only_big = _read(engine, run_assignments, run_id=run_id, labels=["High value"])
    assert only_big["customer_id"].tolist() == ["c01", "c02", "c03"]


def test_default_preset_records_the_k_sweep(engine):
    load_store(engine)
    run_id = execute_run(engine=engine, preset="default", as_of=AS_OF, stability_resamples=3)
    run = _read(engine, get_run, run_id=run_id)
    assert [row["k"] for row in run["k_sweep"]] == list(range(2, 11))
    assert {"k", "inertia", "silhouette"} == set(run["k_sweep"][0])
    assert run["k"] == run["params"]["segmentation"]["k"] and run["stability_resamples"] == 3
    assert run["params"]["rules"]["include_non_product"] is False


def test_without_as_of_the_snapshot_is_the_day_after_the_last_purchase(engine):
    load_store(engine)
    run_id = execute_run(engine=engine, preset="reference", k=3, stability_resamples=2)
    run = _read(engine, get_run, run_id=run_id)
    assert run["as_of"] == datetime(2011, 12, 16, 11) and run["n_customers"] == 16
    frame = _read(engine, run_assignments, run_id=run_id).set_index("customer_id")
    assert frame.loc["c01", ["recency", "frequency"]].tolist() == [1, 21]


def test_failed_run_is_recorded_with_no_results(engine, monkeypatch):
    load_store(engine)

    def broken(*_args, **_kwargs):
        raise RuntimeError("labelling broke")

    # A failure while computing that no check could foresee (here: labelling).
    monkeypatch.setattr(analytics.runs, "label_segments", broken)
    with pytest.raises(RunFailed, match="RuntimeError: labelling broke") as info:
        execute_run(engine=engine, preset="reference", k=3, as_of=AS_OF, name="broken")
    with Session(engine) as session:
        runs = session.scalars(select(Run)).all()
        # One row, the failure: the 'running' row and any results were rolled back.
        assert [(r.id, r.status, r.name) for r in runs] == [(info.value.run_id, "failed", "broken")]
        assert "RuntimeError" in runs[0].error and runs[0].finished_at is not None
        assert runs[0].params["k"] == 3
        for table in (RunSegment, RunAssignment):
            assert session.scalar(select(func.count()).select_from(table)) == 0


@pytest.mark.parametrize(
    ("options", "says"),
    [
        # Before 2011-03-04 only c10, c11, c12 have bought; before 2011-03-03, c10 and c11.
        ({"k": 3, "as_of": date(2011, 3, 4)}, "cannot make 3 segments from 3 customers (need more than 3)"),
        ({"preset": "reference", "as_of": date(2011, 3, 4)}, "cannot make 4 segments from 3 customers"),
        ({"as_of": date(2011, 3, 3)}, "too few customers (2) to choose k"),
        ({"k": 2, "as_of": date(2011, 3, 2)}, "cannot make 2 segments from 1 customer (need more than 2)"),
        ({"k": 10, "preset": "reference", "as_of": date(2011, 9, 1)}, "cannot make 10 segments from 9 customers"),
    ],
)
def test_too_few_customers_for_k_is_refused_and_stores_nothing(engine, options, says):
    load_store(engine)
    with pytest.raises(RunRefused) as refused:
        execute_run(engine=engine, name="too early", stability_resamples=1, **options)
    assert str(refused.value) == says or str(refused.value).startswith(says)
    assert _read(engine, list_runs) == []


def test_customers_too_alike_to_segment_are_refused_and_store_nothing(engine):
    # Five customers, each one invoice of the same goods at the same time: one RFM profile.
    lines = [(f"70{i}", "P1", 2, "2011-05-02 10:00", "4.00", f"c{i}", "France") for i in range(5)]
    insert_lines(engine=engine, lines=lines)
    for options, says in (
        ({}, "all customers have the same recency, frequency and monetary"),
        ({"k": 3}, "cannot make 3 segments: only 1 distinct RFM profile$"),
    ):
        with pytest.raises(RunRefused, match=says):
            execute_run(engine=engine, stability_resamples=1, **options)
    assert _read(engine, list_runs) == []


def test_run_names_are_stored_stripped_and_blank_ones_refused(engine):
    load_store(engine)
    run_id = execute_run(engine=engine, k=2, as_of=AS_OF, name="  March ", stability_resamples=1)
    assert _read(engine, get_run, run_id=run_id)["name"] == "March"
    assert _read(engine, resolve_run, ref="March ") == _read(engine, resolve_run, ref="March") == run_id
    for blank in ("", "   ", "\t"):
        with pytest.raises(RunRefused, match="^a run name cannot be blank"):
            execute_run(engine=engine, k=2, as_of=AS_OF, name=blank, stability_resamples=1)
    with pytest.raises(RunRefused, match="^run name '7' would be read as a run id"):
        execute_run(engine=engine, k=2, name=" 7 ", stability_resamples=1)
    for broken in ("x\ny", "a\tb"):  # they would break the runs listing
        with pytest.raises(RunRefused, match="has a tab, line break or other control character"):
            execute_run(engine=engine, k=2, name=broken, stability_resamples=1)
    with pytest.raises(RunRefused, match="^a run name can have at most 128 characters, not 129"):
        execute_run(engine=engine, k=2, name="x" * 129, stability_resamples=1)
    assert [r["id"] for r in _read(engine, list_runs)] == [run_id]


def test_empty_store_is_refused_and_stores_nothing(engine):
    with pytest.raises(RunRefused, match="no transactions yet"):
        execute_run(engine=engine, preset="default")
    assert _read(engine, list_runs) == []


def test_create_run_leaves_the_transaction_to_the_caller(engine):
    load_store(engine)
    with Session(engine) as session, session.begin():
        run_id = create_run(session=session, preset="reference", k=3, as_of=AS_OF, stability_resamples=1)
        session.rollback()
    with pytest.raises(RunNotFound):
        _read(engine, get_run, run_id=run_id)


def test_history_and_lookup(engine):
    load_store(engine)
    first = execute_run(engine=engine, preset="reference", k=3, as_of=AS_OF, name="a", stability_resamples=1)
    second = execute_run(engine=engine, preset="reference", k=2, as_of=AS_OF, name="a", stability_resamples=1)
    history = _read(engine, list_runs)
    assert [r["id"] for r in history] == [second, first]
    assert history[0]["k"] == 2 and history[0]["silhouette"] is not None
    assert _read(engine, resolve_run, ref="a") == second
    assert _read(engine, resolve_run, ref="latest") == second
    assert _read(engine, resolve_run, ref=str(first)) == first
    for ref in ("999", "nope"):
        with pytest.raises(RunNotFound, match="no run"):
            _read(engine, resolve_run, ref=ref)
    with pytest.raises(RunNotFound):
        _read(engine, run_assignments, run_id=999)
