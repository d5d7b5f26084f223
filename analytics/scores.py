"""RFM scores 1..5 by quintile and the named R x F segment: pure functions on DataFrames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analytics.segment_map import SEGMENT_GRID, load_segment_map

SCORE_COLUMNS = ("r_score", "f_score", "m_score", "rfm_score", "rfm_segment")


def quintile_score(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """1..5: the quintile of the ranking that holds most of a customer's tied group.

    Sorted worst to best, a group of equal values spans the share ``[lo, hi)`` of customers
    (``lo`` strictly worse, ``hi`` worse or equal). It scores the quintile ``[(q-1)/5, q/5)``
    that overlaps it most; when it fills several quintiles equally, the one at its outer edge:
    the lowest for a group below the middle (``lo + hi < 1``), the highest above it, 3 when it
    is centred. So:

    * with distinct values this is the quintile holding the customer's mid-rank (two per
      quintile out of ten), as before ties were resolved this way; only two customers differ
      (1 and 5, not 2 and 4);
    * the group holding the worst value always scores 1 and the one holding the best always 5
      (41% one-order customers are F1; 95 customers who all bought yesterday are R5);
    * ties share a score (never dependent on id or row order), so a quintile can hold more or
      fewer than a fifth of customers, and one next to a big tied group can be empty;
    * a population of equal values (or one customer) has nothing to rank and scores 3.
    """
    v = values.to_numpy(dtype="float64")
    if not higher_is_better:
        v = -v
    n = len(v)
    if n == 0:
        return pd.Series([], index=values.index, dtype="int64")
    distinct, inverse = np.unique(v, return_inverse=True)
    ordered = np.sort(v)
    worse = np.searchsorted(ordered, distinct, side="left")
    not_better = np.searchsorted(ordered, distinct, side="right")
    # In units of 1 / (5n): the group spans [5 * worse, 5 * not_better), quintile q spans
    # [(q - 1) * n, q * n); overlap is an exact integer, one row per distinct value.
    q = np.arange(1, 6)
    overlap = np.clip(
        np.minimum(5 * not_better[:, None], q * n) - np.maximum(5 * worse[:, None], (q - 1) * n), 0, None
    )
    best = overlap == overlap.max(axis=1, keepdims=True)
    lowest = best.argmax(axis=1) + 1
    highest = 5 - best[:, ::-1].argmax(axis=1)
    side = worse + not_better - n  # < 0 below the middle, > 0 above, 0 centred
    scores = np.where(side < 0, lowest, np.where(side > 0, highest, 3))
    return pd.Series(scores[inverse.reshape(-1)], index=values.index, dtype="int64")


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
