"""Compare two runs' assignments by segment label (cluster numbers mean nothing across runs)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sklearn.metrics import adjusted_rand_score


@dataclass(frozen=True)
class Comparison:
    ari: float | None  # over customers in both runs; None when fewer than two are shared
    common: int
    matrix: dict[str, dict[str, int]]  # from label (run A) -> to label (run B) -> customers
    only_a: int
    only_b: int
    only_a_by_label: dict[str, int]
    only_b_by_label: dict[str, int]
    size_a: dict[str, int]
    size_b: dict[str, int]
    size_delta: dict[str, int]  # size in B minus size in A, every label of either run

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.value_counts().sort_index().items()}


def compare_assignments(a: pd.DataFrame, b: pd.DataFrame) -> Comparison:
    """``a`` and ``b`` hold ``customer_id`` and ``label`` (one row per customer)."""
    for name, frame in (("a", a), ("b", b)):
        if frame["customer_id"].duplicated().any():
            raise ValueError(f"run {name} has a customer twice")
    merged = a[["customer_id", "label"]].merge(
        b[["customer_id", "label"]], on="customer_id", how="outer", suffixes=("_a", "_b"), indicator=True
    )
    both = merged[merged["_merge"] == "both"]
    crosstab = pd.crosstab(both["label_a"], both["label_b"]) if len(both) else pd.DataFrame()
    matrix = {str(src): {str(dst): int(n) for dst, n in row.items() if n} for src, row in crosstab.iterrows()}
    ari = float(adjusted_rand_score(both["label_a"], both["label_b"])) if len(both) >= 2 else None
    size_a, size_b = _counts(a["label"]), _counts(b["label"])
    labels = sorted(set(size_a) | set(size_b))
    return Comparison(
        ari=ari,
        common=len(both),
        matrix=matrix,
        only_a=int((merged["_merge"] == "left_only").sum()),
        only_b=int((merged["_merge"] == "right_only").sum()),
        only_a_by_label=_counts(merged.loc[merged["_merge"] == "left_only", "label_a"]),
        only_b_by_label=_counts(merged.loc[merged["_merge"] == "right_only", "label_b"]),
        size_a=size_a,
        size_b=size_b,
        size_delta={label: size_b.get(label, 0) - size_a.get(label, 0) for label in labels},
    )


def moved(a: pd.DataFrame, b: pd.DataFrame, *, from_label: str, to_label: str) -> pd.Series:
    """Customer ids labelled ``from_label`` in ``a`` and ``to_label`` in ``b``."""
    merged = a[["customer_id", "label"]].merge(b[["customer_id", "label"]], on="customer_id")
    hit = (merged["label_x"] == from_label) & (merged["label_y"] == to_label)
    return merged.loc[hit, "customer_id"].reset_index(drop=True)
