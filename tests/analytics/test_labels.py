"""Cluster profiles in original units and their labels: known answers, determinism, uniqueness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.labels import ACTIONS, PROTOTYPES, label_segments, percentile_of, profile_clusters


def tiny() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame(
        {
            "recency": [10, 20, 200, 300, 30],
            "frequency": [2, 4, 1, 1, 3],
            "monetary": [100.0, 300.0, 50.0, 50.0, 500.0],
        }
    )
    return frame, np.array([0, 0, 1, 1, 0])


def test_profile_by_hand():
    frame, clusters = tiny()
    p = profile_clusters(frame, clusters).set_index("cluster")
    assert p.loc[0, ["size", "customer_share", "revenue_share"]].tolist() == [3, 0.6, 0.9]
    assert p.loc[1, ["size", "customer_share", "revenue_share"]].tolist() == [2, 0.4, 0.1]
    assert p.loc[0, ["mean_recency", "median_recency", "mean_frequency", "median_frequency"]].tolist() == [
        20,
        20,
        3,
        3,
    ]
    assert p.loc[0, ["mean_monetary", "median_monetary"]].tolist() == [300, 300]
    assert p.loc[1, ["mean_recency", "median_recency", "median_monetary"]].tolist() == [250, 250, 50]


def test_percentile_counts_ties_half():
    population = pd.Series([1, 1, 2, 3, 4])
    assert percentile_of(population, pd.Series([1, 3, 5, 0])).tolist() == [0.2, 0.7, 1.0, 0.0]


def test_labels_by_hand():
    frame, clusters = tiny()
    labelled = label_segments(frame, clusters).set_index("cluster")
    # Cluster 0 sits at percentiles (0.7, 0.7, 0.7): the best recent cluster is "High value";
    # cluster 1 at (0.2, 0.2, 0.2) is lapsed with low spend: "At risk" (closer than "Lost").
    assert labelled.loc[0, ["recent_pct", "frequent_pct", "spend_pct"]].tolist() == pytest.approx([0.7] * 3)
    assert labelled.loc[1, ["recent_pct", "frequent_pct", "spend_pct"]].tolist() == pytest.approx([0.2] * 3)
    assert labelled["label"].tolist() == ["High value", "At risk"]
    assert labelled.loc[1, "action"] == ACTIONS["At risk"]


def reference_like(seed=0) -> tuple[pd.DataFrame, np.ndarray]:
    """The shape of the reference run: steady, at-risk, promising, a few huge customers."""
    rng = np.random.default_rng(seed)
    groups = [  # size, recency, frequency, monetary
        (300, (10, 80), (1, 6), (300, 2_000)),
        (100, (180, 370), (1, 2), (50, 800)),
        (20, (0, 20), (10, 30), (5_000, 15_000)),
        (3, (0, 5), (50, 100), (80_000, 200_000)),
    ]
    parts = [
        pd.DataFrame(
            {
                "recency": rng.integers(*r, size),
                "frequency": rng.integers(*f, size),
                "monetary": rng.uniform(*m, size),
            }
        )
        for size, r, f, m in groups
    ]
    clusters = np.repeat(np.arange(4), [g[0] for g in groups])
    return pd.concat(parts, ignore_index=True), clusters


def test_reference_shape_gets_the_reference_labels():
    frame, clusters = reference_like()
    labels = label_segments(frame, clusters)["label"].tolist()
    assert labels == ["Steady mid-value", "At risk", "Promising", "High value"]


def test_same_data_same_labels_whatever_the_cluster_numbers():
    frame, clusters = reference_like(seed=5)
    first = label_segments(frame, clusters)
    assert first.equals(label_segments(frame, clusters))
    renumbered = np.array([3, 2, 0, 1])[clusters]
    second = label_segments(frame, renumbered).set_index("cluster")
    assert [second.loc[c, "label"] for c in [3, 2, 0, 1]] == first["label"].tolist()


def test_two_lapsed_groups_are_at_risk_and_lost():
    frame = pd.DataFrame(
        {
            "recency": [1, 2, 3, 5, 6, 7, 8, 9, 200, 210, 220, 360, 365, 370],
            "frequency": [8, 9, 10, 11, 8, 9, 10, 11, 1, 2, 1, 1, 1, 1],
            "monetary": [900.0, 950, 1000, 1200, 900, 950, 1000, 1200, 150, 200, 180, 20, 25, 30],
        }
    )
    # Both older groups are lapsed (recency percentile < 0.4); the colder, cheaper one is "Lost".
    clusters = np.repeat([0, 1, 2], [8, 3, 3])
    assert label_segments(frame, clusters)["label"].tolist() == ["High value", "At risk", "Lost"]


@pytest.mark.parametrize("k", range(2, 11))
def test_never_two_segments_with_the_same_label(k):
    rng = np.random.default_rng(k)
    frame = pd.DataFrame(
        {
            "recency": rng.integers(0, 370, 500),
            "frequency": rng.geometric(0.3, 500),
            "monetary": rng.lognormal(6, 1, 500),
        }
    )
    clusters = np.arange(500) % k
    labels = label_segments(frame, clusters)["label"]
    assert labels.is_unique and len(labels) == k
    assert {label.removesuffix(" 2") for label in labels} <= {p.label for p in PROTOTYPES}


@pytest.mark.parametrize("k", [8, 10])
def test_recent_clusters_never_get_a_lapsed_label(k):
    # Everyone bought on the last day: no cluster is lapsed, however many there are (with only
    # the ten labels, three of the ten had to be "Can't lose", "At risk" and "Lost").
    rng = np.random.default_rng(k)
    frame = pd.DataFrame({"recency": np.zeros(300), "frequency": rng.geometric(0.3, 300), "monetary": rng.lognormal(6, 1, 300)})  # noqa: E501
    labelled = label_segments(frame, np.arange(300) % k)
    lapsed = {p.label for p in PROTOTYPES if p.gate == "lapsed"}
    assert labelled["label"].is_unique
    assert not {label.removesuffix(" 2") for label in labelled["label"]} & lapsed
    assert labelled["action"].notna().all()


def test_too_many_clusters_to_label():
    frame = pd.DataFrame({"recency": range(11), "frequency": range(11), "monetary": range(11)})
    with pytest.raises(ValueError, match="at most 10 segments"):
        label_segments(frame, np.arange(11))


def test_the_biggest_spenders_are_high_value_though_the_percentiles_saturate():
    """A demo reference run named one customer with 400,000 (16% of revenue) "Promising"."""
    rng = np.random.default_rng(0)
    groups = [  # size, recency, frequency, monetary
        (300, (10, 80), (1, 6), (300, 2_000)),
        (100, (180, 370), (1, 2), (50, 800)),
        (7, (2, 7), (50, 70), (40_000, 55_000)),
    ]
    parts = [
        pd.DataFrame(
            {"recency": rng.integers(*r, n), "frequency": rng.integers(*f, n), "monetary": rng.uniform(*m, n)}
        )
        for n, r, f, m in groups
    ]
    parts.append(pd.DataFrame({"recency": [14], "frequency": [93], "monetary": [400_000.0]}))
    frame = pd.concat(parts, ignore_index=True)
    clusters = np.repeat(np.arange(4), [300, 100, 7, 1])
    labelled = label_segments(frame, clusters)
    # Both top clusters sit at the 99th percentile of frequency and spend, so the mean percentile
    # was decided by recency (5 days against 14) and named the 7 smaller spenders "High value".
    assert labelled["spend_pct"].iloc[2] > 0.98 and labelled["spend_pct"].iloc[3] > 0.99
    assert labelled["recent_pct"].iloc[2] > labelled["recent_pct"].iloc[3]
    assert labelled["label"].tolist() == ["Steady mid-value", "At risk", "Promising", "High value"]
