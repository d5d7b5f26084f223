"""Campaigns page inputs: browser values and query strings checked into one typed selection.

Nothing from the browser reaches a query unchecked: ids and day counts must be whole numbers,
amounts finite numbers, names short text; labels are checked against the run later
(``analytics.export.split_segments``). A number field given a value it cannot use (``?min_spend=abc``,
a typed -5) is not dropped: ``filter_problems`` names it, the list is refused, and the URL keeps
the value as given (``shared_query``), so a shared link shows the same refusal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from webapp.browser_values import as_float, as_int, as_shown, as_text, as_texts, plain_number, single

NUMBERS = ("run", "min_spend", "recency_min", "recency_max", "since")  # checked, else kept as text


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

    def query_string(self, bad: dict[str, str] | None = None) -> str:
        """The shareable URL query for this selection (empty fields left out); ``bad``: number
        fields whose given text could not be used (``bad_numbers``), written as given."""
        bad = bad or {}
        pairs: list[tuple[str, object]] = []
        if self.run is not None or "run" in bad:
            pairs.append(("run", bad.get("run", self.run)))
        pairs += [("segment", s) for s in self.segments]
        pairs += [("country", c) for c in self.countries]
        for key in ("min_spend", "recency_min", "recency_max", "since", "moved_from", "moved_to"):
            value = getattr(self, key)
            if value is None and key in bad:
                pairs.append((key, bad[key]))
            elif value is not None:
                pairs.append((key, plain_number(value) if isinstance(value, float) else value))
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


def url_values(query: dict[str, object]) -> dict[str, object]:
    """The page's query string as Dash passes it to ``layout`` (repeated keys become lists), as
    ``campaign_query``'s keywords, unchecked: segments and countries as lists, any other key
    given twice as its last value (``browser_values.single``)."""
    keys = {"segments": "segment", "countries": "country"}
    return {
        name: query.get(keys[name]) if name in keys else single(query.get(name))
        for name in CampaignQuery.__dataclass_fields__
    }


def from_url(query: dict[str, object]) -> CampaignQuery:
    return campaign_query(**url_values(query))


def bad_numbers(**values: object) -> dict[str, str]:
    """The number fields (of ``NUMBERS``) given a value ``campaign_query`` cannot use, as the text
    given: kept on screen and in the URL, and named by ``filter_problems``."""
    checked = campaign_query(**{k: values.get(k) for k in NUMBERS})
    return {
        key: text
        for key in NUMBERS
        if getattr(checked, key) is None and (text := as_shown(values.get(key))) is not None
    }


def shared_query(**values: object) -> str:
    """The URL query for the values on screen, bad number fields included as given: a link shows
    what the sender saw, a refused filter included (``query_string`` of the checked values)."""
    return campaign_query(**values).query_string(bad_numbers(**values))


def _given(value: object) -> bool:
    return as_shown(value) is not None


def filter_problems(
    *,
    run: object = None,
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
    given = {"run": run, "min_spend": min_spend, "recency_min": recency_min, "recency_max": recency_max}
    bad = bad_numbers(**given, since=since)
    q = campaign_query(**given)
    wanted = {
        "run": ("Run: a run number", ""),
        # "1,000" is refused like any text, as the CLI's --min-monetary does: in much of Europe
        # it means 1.000, and a guess would decide who is emailed.
        "min_spend": ("Minimum spend: a number from 0", " (digits and a decimal point only: 1000, 99.50)"),
        "recency_min": ("Recency from: whole days from 0", ""),
        "recency_max": ("Recency to: whole days from 0", ""),
        "since": ("Moved since: a run number", ""),
    }
    problems = [f"{head}, not '{bad[key]}'{hint}" for key, (head, hint) in wanted.items() if key in bad]
    if q.recency_min is not None and q.recency_max is not None and q.recency_min > q.recency_max:
        problems.append(f"Recency: from ({q.recency_min}) is above to ({q.recency_max})")
    moving = [_given(v) for v in (since, moved_from, moved_to)]
    if any(moving) and not all(moving):
        missing = [n for n, ok in zip(("a run", "From", "To"), moving, strict=True) if not ok]
        problems.append(f"Moved since: choose {' and '.join(missing)} (or clear all three)")
    return problems


_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
NAME_PART_MAX = 40  # characters of the segments' and of the countries' part of an export's name


def _slug(values: tuple[str, ...]) -> str:
    """ASCII letters and digits joined by "-": "cluster:High value" is "High-value", "Côte
    d'Ivoire" "Cote-d-Ivoire"; no path characters, cut at ``NAME_PART_MAX`` between words."""
    words = []
    for value in values:
        plain = unicodedata.normalize("NFKD", value.split(":", 1)[-1]).encode("ascii", "ignore").decode()
        words += [w for w in _UNSAFE.split(plain) if w]
    text = "-".join(words)
    if len(text) > NAME_PART_MAX:
        text = text[:NAME_PART_MAX].rsplit("-", 1)[0] if "-" in text[:NAME_PART_MAX] else text[:NAME_PART_MAX]
    return text


def export_file_name(query: CampaignQuery, run_id: int) -> str:
    """``campaign-run-9-High-value-France.csv``: the run, the segment(s) and the countries the
    list was filtered by, so exports of one run do not all share one name."""
    parts = [f"campaign-run-{run_id}", _slug(query.segments), _slug(query.countries)]
    return "-".join(p for p in parts if p) + ".csv"
