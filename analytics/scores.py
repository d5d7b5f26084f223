"""RFM scores 1..5 by quintile and the named R x F segment: pure functions on DataFrames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analytics.segment_map import SEGMENT_GRID, load_segment_map

SCORE_COLUMNS = ("r_score", "f_score", "m_score", "rfm_score", "rfm_segment")


def quintile_score(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """1..5 by mid-rank percentile: ``1 + floor(5 * (worse + equal / 2) / n)``.

    Ties get the same score (a customer's score never depends on its id or row order), so
    with many equal values a quintile can hold more or fewer than a fifth of customers. A tied
    group sits at the middle of the ranks it spans, so it is not pushed to the bottom: a
    population of equal values (or one customer) scores 3, not 1.
    """
    v = values.to_numpy(dtype="float64")
    if not higher_is_better:
        v = -v
    n = len(v)
    if n == 0:
        return pd.Series([], index=values.index, dtype="int64")
    ordered = np.sort(v, kind="stable")
    worse = np.searchsorted(ordered, v, side="left")
    not_better = np.searchsorted(ordered, v, side="right")
    # 5 * (worse + equal / 2) / n, in integers: (5 * (worse + not_better)) // (2 * n).
    return pd.Series(1 + (5 * (worse + not_better)) // (2 * n), index=values.index, dtype="int64")


def score_rfm(
    frame: pd.DataFrame,
    *,
    grid: Mapping[str, Mapping[str, Sequence[int]]] = SEGMENT_GRID,
) -> pd.DataFrame:
    """A copy of ``frame`` (columns recency, frequency, monetary) with SCORE_COLUMNS added.

    R is reversed (5 = most recent, i.e. fewest days); ``rfm_score`` reads like "545";
    ``rfm_segment`` is the name of the (R, F) cell in ``grid``, validated on every call.
    """
    cells = load_segment_map(grid)
    out = frame.copy()
    out["r_score"] = quintile_score(out["recency"], higher_is_better=False)
    out["f_score"] = quintile_score(out["frequency"])
    out["m_score"] = quintile_score(out["monetary"])
    out["rfm_score"] = (
        out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    ).astype(object)
    names = np.empty((6, 6), dtype=object)  # indexed [r, f]; row and column 0 unused
    for (r, f), name in cells.items():
        names[r, f] = name
    out["rfm_segment"] = pd.Series(
        names[out["r_score"].to_numpy(), out["f_score"].to_numpy()], index=out.index, dtype=object
    )
    return out
