"""Campaign lists from a run's assignments, and CSV that is safe to open in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analytics.segment_map import SEGMENT_GRID

CSV_COLUMNS = [
    "customer_id",
    "country",
    "recency_days",
    "frequency",
    "monetary",
    "rfm_score",
    "rfm_segment",
    "segment",
    "action",
    "last_purchase",
]
# Spreadsheets run a cell starting with these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Suggested actions for the named R x F segments (cluster labels carry their own).
RFM_ACTIONS = {
    "Champions": "Reward: early access, referral programme",
    "Loyal Customers": "Upsell higher-value ranges; loyalty rewards",
    "Potential Loyalists": "Membership or loyalty offer, recommendations",
    "New Customers": "Onboarding: welcome series, second-order incentive",
    "Promising": "Build the habit: small incentive for the next order",
    "Need Attention": "Limited-time offer based on past purchases",
    "About to Sleep": "Reactivate: popular products, reminder",
    "At Risk": "Win-back: personalised email, discount",
    "Can't Lose Them": "Personal win-back: direct contact, strong incentive",
    "Hibernating": "Low-cost reactivation, or leave out of paid campaigns",
}


@dataclass(frozen=True)
class Selection:
    """Which customers of a run go into a list; empty fields do not filter."""

    labels: tuple[str, ...] = ()  # cluster labels of the run
    rfm_segments: tuple[str, ...] = ()  # named R x F segments
    countries: tuple[str, ...] = ()
    min_monetary: float | None = None
    recency_min: int | None = None
    recency_max: int | None = None
    customer_ids: frozenset[str] | None = None  # e.g. customers who moved between two runs


def resolve_segment(
    name: str, *, labels: Iterable[str], segments: Iterable[str] = SEGMENT_GRID
) -> tuple[str, str]:
    """("cluster", label) or ("rfm", segment) for one ``--segment`` value.

    A name is a cluster label of the run if it is one, else a named RFM segment; prefix
    ``cluster:`` or ``rfm:`` where both exist ("Promising" is both). Written in another case
    ("at risk") it means the one name it matches (a label first, "promising" too); one matching
    two names, a label and a segment spelled apart ("At risk" and "At Risk"), is refused, naming
    both. Unknown names raise ValueError.
    """
    kinds = {"cluster": list(labels), "rfm": list(segments)}
    kind, _, rest = name.partition(":")
    kind = kind.strip().lower()  # "RFM: At Risk" as "rfm:At Risk"
    wanted = [(kind, rest.strip())] if kind in kinds else [("cluster", name), ("rfm", name)]
    for kind, value in wanted:  # the exact spelling first, in this order
        if value in kinds[kind]:
            return kind, value
    folded = [(k, known) for k, value in wanted for known in kinds[k] if known.casefold() == value.casefold()]
    if len({known for _k, known in folded}) == 1:  # one name: a label first, as written exactly
        return folded[0]
    if folded:
        choices = " or ".join(repr(f"{k}:{known}") for k, known in folded)
        raise ValueError(f"segment {name!r} is more than one name: say {choices}")
    labels_text, segments_text = ", ".join(sorted(kinds["cluster"])), ", ".join(sorted(kinds["rfm"]))
    raise ValueError(
        f"unknown segment {name!r}; cluster labels of this run: "
        f"{labels_text}; RFM segments (rfm:NAME): {segments_text}"
    )


def split_segments(names: Iterable[str], *, run_labels: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Sort ``--segment`` values into cluster labels and RFM segment names (``resolve_segment``)."""
    run_labels = list(run_labels)
    chosen: dict[str, list[str]] = {"cluster": [], "rfm": []}
    for name in names:
        kind, value = resolve_segment(name, labels=run_labels)
        chosen[kind].append(value)
    return tuple(chosen["cluster"]), tuple(chosen["rfm"])


def campaign_list(
    assignments: pd.DataFrame, selection: Selection, *, actions: dict[str, str]
) -> pd.DataFrame:
    """CSV_COLUMNS rows for the selected customers, by customer id.

    ``assignments`` is a run's per-customer frame; ``actions`` maps cluster label -> action.
    ``segment`` is always the customer's cluster label and ``rfm_segment`` its named R x F
    segment (one name can be both, e.g. "Promising"). ``action`` is that of what the customer
    was listed by: the cluster label's, or the RFM segment's for one picked only by it.
    """
    a = assignments
    # Money to the cent, as shown in the app: the filter, the grid and the CSV see one value.
    money = a["monetary"].astype("float64").round(2)
    by_label = a["label"].isin(selection.labels)
    by_rfm = a["rfm_segment"].isin(selection.rfm_segments)
    keep = by_label | by_rfm if (selection.labels or selection.rfm_segments) else pd.Series(True, a.index)
    if selection.countries:
        keep &= a["country"].isin(selection.countries)
    if selection.min_monetary is not None:
        keep &= money >= selection.min_monetary
    if selection.recency_min is not None:
        keep &= a["recency"] >= selection.recency_min
    if selection.recency_max is not None:
        keep &= a["recency"] <= selection.recency_max
    if selection.customer_ids is not None:
        keep &= a["customer_id"].isin(selection.customer_ids)
    rows = a[keep]
    as_label = by_label[keep] | ~by_rfm[keep]
    out = pd.DataFrame(
        {
            "customer_id": rows["customer_id"],
            "country": rows["country"],
            "recency_days": rows["recency"].astype("int64"),
            "frequency": rows["frequency"].astype("int64"),
            "monetary": money[keep],
            "rfm_score": rows["rfm_score"],
            "rfm_segment": rows["rfm_segment"],
            "segment": rows["label"],
            "action": rows["label"].map(actions).where(as_label, rows["rfm_segment"].map(RFM_ACTIONS)),
            "last_purchase": pd.to_datetime(rows["last_purchase"]),
        },
        columns=CSV_COLUMNS,
    )
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with ``'``; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Excel opens a UTF-8 CSV as UTF-8 only when it starts with a byte-order mark (else "Müller"
# shows as "MÃ¼ller"): files and downloads get one; text written to stdout, for pipes, does not.
SPREADSHEET_BOM = "\ufeff"


def to_safe_csv(frame: pd.DataFrame) -> str:
    """CSV text: text cells neutralised, numbers left as numbers, timestamps as ISO text."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_datetime64_any_dtype(safe[column]):
            safe[column] = safe[column].dt.strftime("%Y-%m-%d %H:%M:%S")
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    # CRLF (RFC 4180): the csv writer then quotes any cell holding a CR or an LF.
    return safe.to_csv(index=False, lineterminator="\r\n")
