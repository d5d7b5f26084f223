"""Run comparison by label: hand-computed migration matrices, only-in counts, ARI."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compare import compare_assignments, moved


def run(pairs: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": list(pairs), "label": list(pairs.values())})


def test_known_matrix_and_counts():
    a = run({"1": "Loyal", "2": "Loyal", "3": "At risk", "4": "At risk", "5": "Lost"})
    b = run({"1": "Loyal", "2": "At risk", "3": "At risk", "4": "Lost", "6": "New", "7": "New"})
    c = compare_assignments(a, b)
    assert c.common == 4
    assert c.matrix == {"Loyal": {"Loyal": 1, "At risk": 1}, "At risk": {"At risk": 1, "Lost": 1}}
    assert (c.only_a, c.only_b) == (1, 2)
    assert c.only_a_by_label == {"Lost": 1} and c.only_b_by_label == {"New": 2}
    assert c.size_a == {"At risk": 2, "Lost": 1, "Loyal": 2}
    assert c.size_delta == {"At risk": 0, "Lost": 0, "Loyal": -1, "New": 2}
    # Common customers: A = [L, L, R, R], B = [L, R, R, X]. No pair is together in both
    # (index 0); rows give 2 pairs, columns 1, of 6: expected 2*1/6 = 1/3, max (2+1)/2 = 1.5;
    # ARI = (0 - 1/3) / (1.5 - 1/3) = -2/7.
    assert c.ari == pytest.approx(-2 / 7)


def test_identical_runs_and_renamed_clusters():
    a = run({"1": "High value", "2": "Steady mid-value", "3": "Steady mid-value", "4": "At risk"})
    same = compare_assignments(a, a)
    assert same.ari == 1.0 and (same.only_a, same.only_b) == (0, 0)
    assert same.matrix == {
        "At risk": {"At risk": 1},
        "High value": {"High value": 1},
        "Steady mid-value": {"Steady mid-value": 2},
    }
    assert set(same.size_delta.values()) == {0}
    # The same partition under other names: ARI still 1, the matrix shows the renaming.
    b = a.assign(label=a["label"].map({"High value": "X", "Steady mid-value": "Y", "At risk": "Z"}))
    assert compare_assignments(a, b).ari == 1.0


def test_disjoint_runs_have_no_ari():
    c = compare_assignments(run({"1": "Lost"}), run({"2": "New"}))
    assert c.ari is None and c.common == 0 and c.matrix == {}
    assert (c.only_a, c.only_b) == (1, 1)
    assert c.to_dict()["size_delta"] == {"Lost": -1, "New": 1}


def test_duplicate_customer_is_an_error():
    a = pd.DataFrame({"customer_id": ["1", "1"], "label": ["Lost", "New"]})
    with pytest.raises(ValueError, match="customer twice"):
        compare_assignments(a, a)


def test_moved_between_labels():
    a = run({"1": "Loyal", "2": "Loyal", "3": "At risk"})
    b = run({"1": "At risk", "2": "Loyal", "3": "At risk", "4": "At risk"})
    assert moved(a, b, from_label="Loyal", to_label="At risk").tolist() == ["1"]
    assert moved(a, b, from_label="New", to_label="At risk").tolist() == []
