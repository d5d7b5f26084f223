"""The one-pass silhouette agrees with sklearn's, exact and sampled, and on small known cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from analytics import silhouette as sil
from analytics.silhouette import silhouettes


def test_agrees_with_sklearn_for_several_labelings(monkeypatch):
    monkeypatch.setattr(sil, "BLOCK_CELLS", 300 * 7)  # force several blocks
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3))
    labelings = [rng.integers(0, k, 300) for k in (2, 3, 7)] + [(x[:, 0] > 0).astype(int)]
    expected = [silhouette_score(x, labels) for labels in labelings]
    assert silhouettes(x, labelings) == pytest.approx(expected, abs=1e-12)


def test_sampled_like_sklearn():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(500, 2))
    labels = (x[:, 1] > 0).astype(int) + (x[:, 0] > 1).astype(int)
    expected = silhouette_score(x, labels, sample_size=120, random_state=7)
    assert silhouettes(x, [labels], sample_size=120, seed=7) == pytest.approx([expected], abs=1e-12)


def test_by_hand_with_a_singleton():
    # 1-D points 0, 1 (cluster 0) and 5 (cluster 1, alone: scores 0).
    # Point 0: a = 1, b = 5 -> 0.8; point 1: a = 1, b = 4 -> 0.75; mean = (0.8 + 0.75 + 0) / 3.
    x = np.array([[0.0], [1.0], [5.0]])
    assert silhouettes(x, [np.array([0, 0, 1])]) == pytest.approx([(0.8 + 0.75) / 3])
