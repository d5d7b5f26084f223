"""Segmentation presets, k choice, metrics and edge cases on hand-made RFM frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analytics import segmentation
from analytics.segmentation import SegmentationError, choose_k, segment


def blobs(sizes=(60, 40, 20), seed=0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three obvious groups: lapsed one-timers, steady mid, recent big spenders."""
    rng = np.random.default_rng(seed)
    centres = [(300, 1, 200), (60, 5, 1_500), (5, 30, 20_000)]
    parts, truth = [], []
    for group, (size, (r, f, m)) in enumerate(zip(sizes, centres, strict=True)):
        parts.append(
            pd.DataFrame(
                {
                    "recency": rng.normal(r, 5, size).round().clip(0),
                    "frequency": rng.normal(f, 0.3, size).round().clip(1),
                    "monetary": rng.normal(m, m * 0.05, size),
                }
            )
        )
        truth += [group] * size
    return pd.concat(parts, ignore_index=True), np.array(truth)


@pytest.mark.parametrize("preset", ["reference", "default"])
def test_recovers_obvious_groups_with_good_metrics(preset):
    frame, truth = blobs()
    result = segment(frame, preset=preset, k=3)
    assert adjusted_rand_score(truth, result.clusters) == 1.0
    # Cluster 0 is the largest group.
    assert np.bincount(result.clusters).tolist() == [60, 40, 20]
    m = result.metrics
    assert m["silhouette"] > 0.8 and m["silhouette_sampled"] is False
    assert m["silhouette_sample_size"] == len(frame)
    assert m["davies_bouldin"] < 0.5 and m["calinski_harabasz"] > 100
    assert m["stability_ari"] > 0.95 and m["stability_resamples"] == 10
    assert result.params["k_choice"] == "fixed" and result.k_sweep == []


def test_reference_preset_is_k4_on_raw_features():
    frame, _ = blobs(sizes=(50, 50, 50))
    result = segment(frame, preset="reference")
    assert result.k == 4 and result.params["transform"] == "standard"
    assert result.params["n_init"] == 10 and result.params["random_state"] == 42


def test_default_chooses_k_by_elbow_and_records_sweep():
    frame, truth = blobs()
    result = segment(frame, preset="default")
    assert [row["k"] for row in result.k_sweep] == list(range(2, 11))
    inertias = [row["inertia"] for row in result.k_sweep]
    assert inertias == sorted(inertias, reverse=True)
    assert all(-1 <= row["silhouette"] <= 1 for row in result.k_sweep)
    assert result.k == 3 and result.params["k_choice"] == "elbow"
    assert adjusted_rand_score(truth, result.clusters) == 1.0


def test_explicit_k_overrides_the_elbow():
    frame, _ = blobs()
    result = segment(frame, preset="default", k=5)
    assert result.k == 5 and len(set(result.clusters)) == 5 and result.k_sweep == []


def test_same_data_same_result():
    frame, _ = blobs(seed=3)
    a, b = segment(frame), segment(frame)
    assert (a.clusters == b.clusters).all() and a.metrics == b.metrics and a.k_sweep == b.k_sweep


def test_silhouette_is_sampled_above_the_limit(monkeypatch):
    monkeypatch.setattr(segmentation, "SILHOUETTE_EXACT_MAX", 50)
    frame, _ = blobs()
    result = segment(frame, preset="reference", k=3, stability_resamples=2)
    assert result.metrics["silhouette_sampled"] is True
    assert result.metrics["silhouette_sample_size"] == 50
    assert result.metrics["silhouette"] > 0.8


def test_choose_k_falls_back_when_there_is_no_knee():
    # A straight line has no knee; three points are too few for kneed here.
    assert choose_k([2, 3, 4, 5, 6], [10, 8, 6, 4, 2])[1] == "max-curvature-fallback"
    assert choose_k([2, 3, 4], [10.0, 5.0, 4.0]) == (3, "max-curvature-fallback")
    assert choose_k([2], [1.0]) == (2, "smallest-k-fallback")


def test_negative_monetary_is_clipped_before_log():
    frame, truth = blobs()
    frame.loc[0, "monetary"] = -50.0  # net returns exceeded purchases
    result = segment(frame, preset="default", k=3)
    assert np.isfinite(result.metrics["silhouette"])


@pytest.mark.parametrize(
    ("rows", "k", "message"),
    [
        (3, 4, "cannot make 4 segments from 3 customers"),
        (4, 4, "cannot make 4 segments from 4 customers"),
        (10, 1, "k must be between 2 and 10"),
        (20, 11, "k must be between 2 and 10"),
        (0, 3, "no customers"),
    ],
)
def test_too_few_customers_or_bad_k(rows, k, message):
    frame, _ = blobs()
    with pytest.raises(SegmentationError, match=message):
        segment(frame.head(rows), preset="reference", k=k)


def test_identical_customers_cannot_be_segmented():
    same = pd.DataFrame({"recency": [3] * 8, "frequency": [2] * 8, "monetary": [10.0] * 8})
    with pytest.raises(SegmentationError, match="same recency"):
        segment(same)
    with pytest.raises(SegmentationError, match="only 1 distinct"):
        segment(same, preset="reference")


def test_profiles_are_counted_as_clustered_negative_spends_as_zero():
    # --returns net: two refunds-only customers differ only below 0, which the default preset
    # clips to 0. Was: k=5 went ahead on 4 distinct points, a duplicate centroid and a warning.
    rfm = pd.DataFrame(
        {
            "recency": [5, 5, 5, 10, 20, 30, 40],
            "frequency": [1, 1, 1, 2, 3, 4, 5],
            "monetary": [-10.0, -20, -30, 50, 60, 70, 80],
        }
    )
    with pytest.raises(SegmentationError, match=r"only 5 distinct RFM profiles \(the default preset counts"):
        segment(rfm, preset="default", k=6)
    assert segment(rfm, preset="reference", k=6, stability_resamples=2).k == 6  # raw values differ
    assert segment(rfm, preset="default", k=5, stability_resamples=2).k == 5


def test_unknown_preset():
    frame, _ = blobs()
    with pytest.raises(SegmentationError, match="unknown preset"):
        segment(frame, preset="fancy")
