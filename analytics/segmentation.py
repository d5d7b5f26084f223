"""K-Means segmentation of an RFM frame: presets, k by elbow, quality and stability metrics.

Pure: takes a DataFrame with ``recency``, ``frequency``, ``monetary`` columns, returns arrays and
plain dicts. Metrics are computed in the space K-Means clusters in (after the transform).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from kneed import KneeLocator
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from analytics.silhouette import silhouettes

FEATURES = ["recency", "frequency", "monetary"]
PRESETS = ("reference", "default")
K_SWEEP = range(2, 11)
MAX_K = 10  # one distinct label per segment: analytics.labels has ten prototypes
SILHOUETTE_EXACT_MAX = 20_000  # exact silhouette is O(n^2); sample (with the seed) above this
N_INIT = 10
DEFAULT_SEED = 42
DEFAULT_RESAMPLES = 10
# K-Means on a few thousand rows gains nothing from threads, and OpenMP workers spinning on a
# busy machine (or next to other gunicorn workers) made a run ~20x slower in practice.
THREADS = 1


class SegmentationError(ValueError):
    """The data cannot be segmented as asked (too few customers, bad k, unknown preset)."""


@dataclass(frozen=True)
class Segmentation:
    k: int
    clusters: np.ndarray  # cluster number per input row, 0 = largest cluster
    metrics: dict[str, Any]
    k_sweep: list[dict[str, Any]]  # [{k, inertia, silhouette}], empty when k was given
    params: dict[str, Any] = field(default_factory=dict)


def log1p_nonnegative(x: np.ndarray) -> np.ndarray:
    # Net returns can make Monetary negative; log1p is undefined below -1, so clip at 0.
    return np.log1p(np.clip(x, 0, None))


def profiles(x: np.ndarray, preset: str) -> np.ndarray:
    """The rows as K-Means tells them apart: after the preset's transform (the scaling keeps
    distinct rows distinct, the default's clip at 0 does not: two refunds-only customers with
    different negative spends are one profile there)."""
    return log1p_nonnegative(x) if preset == "default" else x


def build_pipeline(preset: str, k: int, seed: int) -> Pipeline:
    kmeans = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed)
    if preset == "reference":
        return make_pipeline(StandardScaler(), kmeans)
    if preset == "default":
        return make_pipeline(FunctionTransformer(log1p_nonnegative), StandardScaler(), kmeans)
    raise SegmentationError(f"unknown preset {preset!r} (choose one of {', '.join(PRESETS)})")


def _silhouettes(x: np.ndarray, labelings: list[np.ndarray], seed: int) -> tuple[list[float], bool]:
    """Exact up to SILHOUETTE_EXACT_MAX customers, else on a seeded sample (as sklearn samples)."""
    sampled = len(x) > SILHOUETTE_EXACT_MAX
    size = SILHOUETTE_EXACT_MAX if sampled else None
    return silhouettes(x, labelings, sample_size=size, seed=seed), sampled


def fixed_k(preset: str, k: int | None) -> int | None:
    """The k a run uses without a sweep: the one asked for, 4 for ``reference``; None: the elbow."""
    return 4 if preset == "reference" and k is None else k


def too_few_customers(customers: int, k: int | None) -> str | None:
    """Why ``customers`` customers cannot make ``k`` segments (None: k by the elbow), or None
    when they are enough. Needs only a count, so runs check it before they read the data;
    ``_segment`` raises it in the same words."""
    if customers == 0:
        return "no customers to segment"
    if k is not None and customers <= k:  # silhouette & co. need at least one segment with two
        counted = f"{customers} customer" + ("s" if customers != 1 else "")
        return f"cannot make {k} segments from {counted} (need more than {k})"
    if k is None and customers <= min(K_SWEEP):  # the sweep's smallest k needs one more
        return f"too few customers ({customers}) to choose k"
    return None


def _check(x: np.ndarray, k: int | None, preset: str) -> int:
    """Number of distinct customer profiles (rows as clustered); raises when k cannot be honoured."""
    if len(x) == 0:
        raise SegmentationError("no customers to segment")
    if not np.isfinite(x).all():
        raise SegmentationError("recency, frequency and monetary must be finite numbers")
    distinct = len(np.unique(profiles(x, preset), axis=0))
    clipped = distinct < len(np.unique(x, axis=0))
    why = " (the default preset counts a negative spend as 0)" if clipped else ""
    if k is not None and not 2 <= k <= MAX_K:
        raise SegmentationError(f"k must be between 2 and {MAX_K}, got {k}")
    reason = too_few_customers(len(x), k)
    if reason is not None:
        raise SegmentationError(reason)
    if k is not None and distinct < k:
        count = f"{distinct} distinct RFM profile" + ("s" if distinct != 1 else "")
        raise SegmentationError(f"cannot make {k} segments: only {count}{why}")
    if k is None and distinct < 2:
        raise SegmentationError(f"all customers have the same recency, frequency and monetary{why}")
    return distinct


def choose_k(ks: list[int], inertias: list[float]) -> tuple[int, str]:
    """Elbow of the inertia curve by kneed; fallback: largest second difference of inertia."""
    if len(ks) >= 3:
        knee = KneeLocator(ks, inertias, curve="convex", direction="decreasing").knee
        if knee is not None:
            return int(knee), "elbow"
        # No knee (near-straight curve): take the k where the drop slows down the most.
        second = np.diff(inertias, 2)
        return int(ks[int(np.argmax(second)) + 1]), "max-curvature-fallback"
    return int(ks[0]), "smallest-k-fallback"


def _sweep(x: np.ndarray, preset: str, ks: list[int], seed: int):
    models = {k: build_pipeline(preset, k, seed).fit(x) for k in ks}
    # Every model's transform is fitted on the same x, so they share one transformed space.
    xt = models[ks[0]][:-1].transform(x)
    scores, _ = _silhouettes(xt, [models[k][-1].labels_ for k in ks], seed)
    rows = [
        {"k": k, "inertia": float(models[k][-1].inertia_), "silhouette": score}
        for k, score in zip(ks, scores, strict=True)
    ]
    return rows, models


def _stability(
    x: np.ndarray, full: np.ndarray, preset: str, k: int, seed: int, resamples: int
) -> float | None:
    """Mean ARI between the full fit and fits on bootstrap resamples, each predicting everyone;
    None (unknown, stored as NULL on every database) when no resample could hold k clusters."""
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(resamples):
        idx = rng.integers(0, len(x), len(x))
        sample = x[idx]
        if len(np.unique(profiles(sample, preset), axis=0)) < k:  # too degenerate to hold k clusters
            continue
        predicted = build_pipeline(preset, k, seed).fit(sample).predict(x)
        scores.append(adjusted_rand_score(full, predicted))
    return float(np.mean(scores)) if scores else None


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    # K-Means numbers are arbitrary; make cluster 0 the largest (ties: lower original number).
    counts = np.bincount(labels)
    order = sorted(range(len(counts)), key=lambda c: (-counts[c], c))
    mapping = np.empty(len(counts), dtype=int)
    mapping[order] = np.arange(len(counts))
    return mapping[labels]


def segment(rfm: pd.DataFrame, **options: Any) -> Segmentation:
    """Cluster customers (see ``_segment``), with BLAS/OpenMP limited to THREADS threads."""
    with threadpool_limits(limits=THREADS):
        return _segment(rfm, **options)


def _segment(
    rfm: pd.DataFrame,
    *,
    preset: str = "default",
    k: int | None = None,
    random_state: int = DEFAULT_SEED,
    stability_resamples: int = DEFAULT_RESAMPLES,
) -> Segmentation:
    """Cluster customers. ``reference`` fixes k=4 unless ``k`` is given; ``default`` picks k."""
    if preset not in PRESETS:
        raise SegmentationError(f"unknown preset {preset!r} (choose one of {', '.join(PRESETS)})")
    k = fixed_k(preset, k)
    x = rfm[FEATURES].to_numpy(dtype=float)
    distinct = _check(x, k, preset)
    if k is None:
        ks = [c for c in K_SWEEP if c <= min(distinct, len(x) - 1)]  # never empty: see _check
        sweep, models = _sweep(x, preset, ks, random_state)
        k, k_choice = choose_k(ks, [row["inertia"] for row in sweep])
        model = models[k]
    else:
        sweep, k_choice = [], "fixed"
        model = build_pipeline(preset, k, random_state).fit(x)
    raw_labels = model[-1].labels_
    xt = model[:-1].transform(x)
    if sweep:
        silhouette = next(row["silhouette"] for row in sweep if row["k"] == k)
        sampled = len(x) > SILHOUETTE_EXACT_MAX
    else:
        [silhouette], sampled = _silhouettes(xt, [raw_labels], random_state)
    metrics = {
        "silhouette": silhouette,
        "silhouette_sampled": sampled,
        "silhouette_sample_size": SILHOUETTE_EXACT_MAX if sampled else len(x),
        "davies_bouldin": float(davies_bouldin_score(xt, raw_labels)),
        "calinski_harabasz": float(calinski_harabasz_score(xt, raw_labels)),
        "stability_ari": _stability(x, raw_labels, preset, k, random_state, stability_resamples),
        "stability_resamples": stability_resamples,
        "inertia": float(model[-1].inertia_),
    }
    params = {
        "preset": preset,
        "features": FEATURES,
        "transform": "log1p+standard" if preset == "default" else "standard",
        "k": k,
        "k_choice": k_choice,
        "k_sweep_range": [min(K_SWEEP), max(K_SWEEP)] if sweep else None,
        "n_init": N_INIT,
        "random_state": random_state,
        "stability_resamples": stability_resamples,
    }
    return Segmentation(k, _renumber_by_size(raw_labels), metrics, sweep, params)
