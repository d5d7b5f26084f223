"""Campaigns page inputs: browser values and query strings checked into one typed selection.

Nothing from the browser reaches a query unchecked: ids and day counts must be whole numbers,
amounts finite numbers, names short text; labels are checked against the run later
(``analytics.export.split_segments``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from webapp.browser_values import as_float, as_int, as_text, as_texts


@dataclass(frozen=True)
class CampaignQuery:
    """What the page shows; every field already type-checked (labels not yet checked)."""

    run: int | None = None
    segments: tuple[str, ...] = ()  # "cluster:<label>" or "rfm:<segment>" (or a bare name)
    countries: tuple[str, ...] = ()
    min_spend: float | None = None
    recency_min: int | None = None
    recency_max: int | None = None
    since: int | None = None
    moved_from: str | None = None
    moved_to: str | None = None

    @property
    def moving(self) -> bool:
        return self.since is not None and self.moved_from is not None and self.moved_to is not None

    def query_string(self) -> str:
        """The shareable URL query for this selection (empty fields left out)."""
        pairs: list[tuple[str, object]] = []
        if self.run is not None:
            pairs.append(("run", self.run))
        pairs += [("segment", s) for s in self.segments]
        pairs += [("country", c) for c in self.countries]
        for key in ("min_spend", "recency_min", "recency_max", "since", "moved_from", "moved_to"):
            value = getattr(self, key)
            if value is not None:
                pairs.append((key, f"{value:g}" if isinstance(value, float) else value))
        return "?" + urlencode(pairs) if pairs else ""


def campaign_query(
    *,
    run: object = None,
    segments: object = None,
    countries: object = None,
    min_spend: object = None,
    recency_min: object = None,
    recency_max: object = None,
    since: object = None,
    moved_from: object = None,
    moved_to: object = None,
) -> CampaignQuery:
    """Check raw values (from callbacks or from the URL); a bad value is dropped, not trusted."""
    spend = as_float(min_spend)
    return CampaignQuery(
        run=as_int(run, minimum=1),
        segments=as_texts(segments),
        countries=as_texts(countries),
        min_spend=spend if spend is not None and spend >= 0 else None,
        recency_min=as_int(recency_min),
        recency_max=as_int(recency_max),
        since=as_int(since, minimum=1),
        moved_from=as_text(moved_from),
        moved_to=as_text(moved_to),
    )


def from_url(query: dict[str, object]) -> CampaignQuery:
    """The page's query string as Dash passes it to ``layout`` (repeated keys become lists)."""
    return campaign_query(
        run=query.get("run"),
        segments=query.get("segment"),
        countries=query.get("country"),
        **{k: query.get(k) for k in ("min_spend", "recency_min", "recency_max", "since")},
        moved_from=query.get("moved_from"),
        moved_to=query.get("moved_to"),
    )


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip()) and value != []


def filter_problems(
    *,
    min_spend: object = None,
    recency_min: object = None,
    recency_max: object = None,
    since: object = None,
    moved_from: object = None,
    moved_to: object = None,
    **_others: object,
) -> list[str]:
    """Why the typed-in filters cannot be applied, one line per field ([] when they can).

    A value the page cannot use must not be dropped silently: the list (and its CSV) would be
    broader than the selection on screen. The page shows these and lists nobody instead.
    """
    problems = []
    q = campaign_query(min_spend=min_spend, recency_min=recency_min, recency_max=recency_max)
    if _given(min_spend) and q.min_spend is None:
        problems.append("Minimum spend: a number from 0")
    for raw, value, name in ((recency_min, q.recency_min, "from"), (recency_max, q.recency_max, "to")):
        if _given(raw) and value is None:
            problems.append(f"Recency {name}: whole days from 0")
    if q.recency_min is not None and q.recency_max is not None and q.recency_min > q.recency_max:
        problems.append(f"Recency: from ({q.recency_min}) is above to ({q.recency_max})")
    moving = [_given(v) for v in (since, moved_from, moved_to)]
    if any(moving) and not all(moving):
        missing = [n for n, ok in zip(("a run", "From", "To"), moving, strict=True) if not ok]
        problems.append(f"Moved since: choose {' and '.join(missing)} (or clear all three)")
    return problems
