"""Mean silhouette of several labelings of the same points in one pass over the distances.

The k sweep scores nine clusterings of the same transformed customers. sklearn's
``silhouette_score`` walks the full n x n distance matrix once per clustering; here each chunk
of distances is multiplied by the stacked one-hot matrices of all clusterings, so the matrix is
walked once. Same definition and sampling as sklearn (singletons score 0; the sample is
``check_random_state(seed).permutation(n)[:sample_size]``), so the numbers agree.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils import check_random_state

BLOCK_CELLS = 4_000_000  # distances held at once (32 MB of float64)


def sample_indices(n: int, sample_size: int | None, seed: int) -> np.ndarray:
    if sample_size is None or sample_size >= n:
        return np.arange(n)
    return check_random_state(seed).permutation(n)[:sample_size]


def _mean_silhouette(sums: np.ndarray, labels: np.ndarray) -> float:
    """``sums[i, c]``: summed distance from point i to the points of cluster c."""
    n = len(labels)
    sizes = np.bincount(labels, minlength=sums.shape[1]).astype(float)
    own_size = sizes[labels]
    rows = np.arange(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[rows, labels] / (own_size - 1)
        means = sums / sizes  # empty clusters (absent from a sample) give nan/inf
        means[rows, labels] = np.inf
        means[:, sizes == 0] = np.inf
        b = means.min(axis=1)
        s = (b - a) / np.maximum(a, b)
    s[(own_size <= 1) | ~np.isfinite(s)] = 0.0
    return float(s.mean())


def silhouettes(
    x: np.ndarray, labelings: list[np.ndarray], *, sample_size: int | None = None, seed: int = 0
) -> list[float]:
    """Mean silhouette (Euclidean) of each labeling of ``x``; one sample shared by all."""
    idx = sample_indices(len(x), sample_size, seed)
    points = x[idx]
    parts = [np.asarray(labels)[idx] for labels in labelings]
    widths = [int(np.asarray(labels).max()) + 1 for labels in labelings]
    onehot = np.hstack([np.eye(w)[p] for w, p in zip(widths, parts, strict=True)])
    sums = np.empty((len(points), onehot.shape[1]))
    step = max(1, BLOCK_CELLS // len(points))
    for start in range(0, len(points), step):
        block = euclidean_distances(points[start : start + step], points)
        # A point's distance to itself is 0 (the dot-product formula leaves rounding noise).
        block[np.arange(len(block)), np.arange(start, start + len(block))] = 0.0
        sums[start : start + step] = block @ onehot
    out, offset = [], 0
    for width, labels in zip(widths, parts, strict=True):
        out.append(_mean_silhouette(sums[:, offset : offset + width], labels))
        offset += width
    return out
