"""Name clusters from their profile in original units, placed against the whole population.

Each cluster's median recency, frequency and monetary is turned into a population percentile
(recency reversed: 1 = most recent). Clusters are then matched one-to-one to label prototypes
(points in that percentile cube) by the Hungarian algorithm on squared distance, so a run never
has two segments with the same label, and the same data always gets the same labels. The best
recent cluster is pinned to "High value"; "best" is its standing (z-scores of its medians, F and M
on a log scale), since percentiles saturate at the top and cannot tell big spenders from huge ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True)
class Prototype:
    label: str
    recent: float  # population percentile of the cluster's median recency, reversed
    frequent: float
    spend: float
    action: str
    gate: str = "any"  # "active": only for recent clusters; "lapsed": only for lapsed ones


# Order matters only as a tie-break. "Promising" sits just below "High value": recent, frequent,
# above-average spend, with room to grow; "Lost" is the far corner, so a single lapsed
# cluster is "At risk" and "Lost" is only used when a second, even colder cluster exists.
PROTOTYPES = (
    Prototype(
        "High value", 1.0, 1.0, 1.0, "VIP / loyalty programme: early access, account manager", "active"
    ),
    Prototype(
        "Promising", 0.85, 0.85, 0.85, "Upsell / cross-sell: complementary ranges, volume tiers", "active"
    ),
    Prototype("Loyal", 0.5, 0.8, 0.75, "Loyalty rewards: points, referral incentives"),
    Prototype("Steady mid-value", 0.6, 0.55, 0.55, "Nurture: regular newsletter, seasonal offers"),
    Prototype("New", 0.9, 0.2, 0.35, "Onboarding: welcome series, second-order incentive", "active"),
    Prototype("Big spenders, occasional", 0.5, 0.3, 0.85, "Reorder reminders, bundles for big baskets"),
    Prototype("Needs attention", 0.4, 0.4, 0.4, "Re-engage: personalised reminder, limited-time offer"),
    Prototype("Can't lose", 0.15, 0.8, 0.8, "Personal win-back: direct contact, strong incentive", "lapsed"),
    Prototype("At risk", 0.15, 0.25, 0.3, "Win-back offer: discount on the next order", "lapsed"),
    Prototype("Lost", 0.0, 0.0, 0.0, "Low-cost reactivation, or leave out of paid campaigns", "lapsed"),
)
ACTIONS = {p.label: p.action for p in PROTOTYPES}
RFM = ["recency", "frequency", "monetary"]
# A cluster whose median recency is older than ~60% of customers' counts as lapsed; the
# gates keep "At risk" off recent clusters and "New" off lapsed ones, whatever the distances say.
LAPSED_BELOW, ACTIVE_FROM = 0.4, 0.5
GATE_PENALTY = 10.0
# Each label can be used a second time, numbered ("Steady mid-value 2"), at this extra cost:
# above the distance to any fitting free label, far below breaking a gate. Without the spares,
# eight or more recent clusters would have to take a lapsed label ("At risk" for yesterday's buyers).
SPARE_PENALTY = 1.0


def percentile_of(population: pd.Series, values: pd.Series) -> np.ndarray:
    """Share of the population below each value, ties counted half (a mid-rank percentile)."""
    ordered = np.sort(population.to_numpy(dtype=float))
    below = np.searchsorted(ordered, values.to_numpy(dtype=float), side="left")
    at_or_below = np.searchsorted(ordered, values.to_numpy(dtype=float), side="right")
    return (below + at_or_below) / (2 * len(ordered))


def profile_clusters(rfm: pd.DataFrame, clusters: np.ndarray) -> pd.DataFrame:
    """One row per cluster: size, customer and revenue share, mean and median R, F, M."""
    frame = rfm[RFM].assign(cluster=np.asarray(clusters))
    grouped = frame.groupby("cluster", sort=True)
    profile = grouped[RFM].agg(["mean", "median"])
    profile.columns = [f"{stat}_{col}" for col, stat in profile.columns]
    profile.insert(0, "size", grouped.size())
    profile.insert(1, "customer_share", profile["size"] / len(frame))
    total = frame["monetary"].sum()
    revenue = grouped["monetary"].sum()
    profile.insert(2, "revenue_share", revenue / total if total else 0.0)
    return profile.reset_index()


def standing(profiles: pd.DataFrame, rfm: pd.DataFrame) -> np.ndarray:
    """How good each cluster's median customer is, in population standard deviations.

    The mean of three z-scores against the whole population: recency in days (reversed, fewer
    is better), frequency and monetary on a log scale (they are heavy-tailed). Unlike the
    percentiles it does not saturate at the top: a cluster of a few customers with 400,000 each
    stands far above one with 47,000 each, though both sit at the 99th percentile.
    """
    columns = {
        "recency": (lambda x: -x),
        "frequency": (lambda x: np.log1p(np.clip(x, 0, None))),
        "monetary": (lambda x: np.log1p(np.clip(x, 0, None))),
    }
    z = []
    for col, transform in columns.items():
        population = transform(rfm[col].to_numpy(dtype=float))
        spread = population.std() or 1.0
        z.append((transform(profiles[f"median_{col}"].to_numpy(dtype=float)) - population.mean()) / spread)
    return np.mean(z, axis=0)


def _pin_high_value(cost: np.ndarray, positions: np.ndarray, standings: np.ndarray) -> None:
    """The best active cluster (highest standing) is always "High value".

    Without the pin, a run whose top cluster sits a little below the corner would call it
    "Promising" and leave "High value" unused, because nothing else is closer to it. "Best" is
    decided on the standing, not the mean percentile: the top clusters all sit near percentile
    1 in frequency and spend, and the percentiles then only told them apart by a few days of
    recency, naming a cluster of 7 customers with 47,000 each "High value" above one whose
    customer spent 400,000.
    """
    active = np.flatnonzero(positions[:, 0] >= ACTIVE_FROM)
    if not len(active):
        return
    best = active[np.argmax(standings[active])]
    high_value = 0  # PROTOTYPES[0]
    cost[:, high_value] += GATE_PENALTY
    cost[best, :] += GATE_PENALTY
    cost[best, high_value] = 0.0


def label_profiles(profiles: pd.DataFrame, rfm: pd.DataFrame) -> pd.DataFrame:
    """``profiles`` plus percentile positions, ``label`` and ``action`` (one label per cluster)."""
    if len(profiles) > len(PROTOTYPES):
        raise ValueError(f"at most {len(PROTOTYPES)} segments can be labelled, got {len(profiles)}")
    positions = np.column_stack(
        [
            1 - percentile_of(rfm["recency"], profiles["median_recency"]),
            percentile_of(rfm["frequency"], profiles["median_frequency"]),
            percentile_of(rfm["monetary"], profiles["median_monetary"]),
        ]
    )
    targets = np.array([(p.recent, p.frequent, p.spend) for p in PROTOTYPES])
    cost = ((positions[:, None, :] - targets[None, :, :]) ** 2).sum(axis=2)
    recent = positions[:, [0]]
    gates = np.array([p.gate for p in PROTOTYPES])[None, :]
    cost += GATE_PENALTY * ((gates == "lapsed") & (recent > LAPSED_BELOW))
    cost += GATE_PENALTY * ((gates == "active") & (recent < ACTIVE_FROM))
    _pin_high_value(cost, positions, standing(profiles, rfm))
    # Columns: the labels, then their numbered spares.
    rows, cols = linear_sum_assignment(np.hstack([cost, cost + SPARE_PENALTY]))
    chosen = dict(zip(rows.tolist(), cols.tolist(), strict=True))
    out = profiles.copy()
    out["recent_pct"], out["frequent_pct"], out["spend_pct"] = positions.T
    picks = [divmod(chosen[i], len(PROTOTYPES)) for i in range(len(out))]
    out["label"] = [PROTOTYPES[j].label + (" 2" if spare else "") for spare, j in picks]
    out["action"] = [PROTOTYPES[j].action for _, j in picks]
    return out


def label_segments(rfm: pd.DataFrame, clusters: np.ndarray) -> pd.DataFrame:
    """Profiles of the clusters of one run, labelled; one row per cluster, by cluster number."""
    return label_profiles(profile_clusters(rfm, clusters), rfm)
