"""Overview data: browser filters -> cleaning rules -> analytics.trends tables, cached.

Each piece of the page (KPIs, months, countries, purchase frequency) is one aggregate in the
database, cached per data version and filter in the shared results cache, so a repeated view
(in any worker) reads a small pickled frame instead of scanning the transactions again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy.orm import Session

from analytics import trends
from analytics.countries import match_countries, spellings, unknown_countries
from db.ingest.dates import EARLIEST_YEAR, LATEST_YEAR
from db.queries_cleaning import CleaningRules
from db.queries_trends import known_countries
from db.session import for_one_snapshot
from webapp.browser_values import as_shown, as_text, as_texts
from webapp.cache import cached, data_version
from webapp.components.trend_figures import country_figure, frequency_figure, monthly_sales_figure
from webapp.runtime import app_engine, current_settings

# The import's range (db.ingest.dates): a day it can store is a day the filters accept.
EARLIEST, LATEST = date(EARLIEST_YEAR, 1, 1), date(LATEST_YEAR, 12, 31)
TOP_COUNTRIES = 10


@dataclass(frozen=True)
class OverviewFilters:
    start: date | None = None
    end: date | None = None
    countries: tuple[str, ...] = ()  # none: every country

    @property
    def reversed(self) -> bool:
        """A start after the end: no figures (the CLI refuses the same range)."""
        return bool(self.start and self.end and self.start > self.end)

    def rules(self) -> CleaningRules:
        return CleaningRules(start=self.start, end=self.end, countries=self.countries)

    def params(self) -> dict[str, str | None]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            # One country keeps the key it had before several could be chosen (cache keys).
            "country": self.countries[0] if len(self.countries) == 1 else list(self.countries) or None,
        }


# Another piece, read from the same snapshot as the one being drawn: (piece, filters) -> value.
PieceReader = Callable[[str, OverviewFilters], Any]


def parse_day(value: object) -> date | None:
    """A day from the browser ('2011-03-01' or an ISO timestamp); anything else is ignored."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def parse_filters(start: object, end: object, country: object) -> OverviewFilters:
    """Validated filters. A start after the end is kept as given (see ``reversed``): dropping
    either day would show figures for a range other than the one on screen. ``country`` is one
    name or a list of them (``?country=France&country=Germany``, the multi-select's value)."""
    first, last = parse_day(start), parse_day(end)
    return OverviewFilters(first, last, as_texts(country))


def bad_days(start: object, end: object) -> dict[str, str]:
    """The URL's start and end that were given but are no day (``?start=garbage``), as given:
    the page names them instead of showing the whole period as if they were not there."""
    given = {"start": start, "end": end}
    return {k: text[:40] for k, v in given.items() if parse_day(v) is None and (text := as_shown(v))}


def date_problem(bad: object) -> str | None:
    """The problem for ``bad_days`` (a dict the browser sends back: checked again), else None."""
    bad = bad if isinstance(bad, dict) else {}
    named = [f"the {k} date '{text}'" for k in ("start", "end") if (text := as_text(bad.get(k)))]
    if not named:
        return None
    verb = "is not a date" if len(named) == 1 else "are not dates"
    first = named[0][:1].upper() + named[0][1:]
    return f"{' and '.join([first, *named[1:]])} {verb} (YYYY-MM-DD, {EARLIEST.year} to {LATEST.year})"


def whole_period_href(filters: OverviewFilters) -> str:
    """The Overview without dates, the chosen countries kept: a fresh page, without the link's bad
    dates in the address or the notice."""
    return "/" + (f"?{urlencode([('country', c) for c in filters.countries])}" if filters.countries else "")


def _by_country(s: Session, rules: CleaningRules) -> Any:
    # Every country (no "Other" row): the chart shows the top 10, the filter lists them all.
    return trends.sales_by_country(session=s, rules=rules, top=1_000_000, other=False)


PIECES: dict[str, Callable[[Session, CleaningRules], Any]] = {
    "kpis": lambda s, rules: trends.kpis(session=s, rules=rules),
    "by_month": lambda s, rules: trends.sales_by_month(session=s, rules=rules),
    "by_country": _by_country,
    "frequency": lambda s, rules: trends.purchase_frequency(session=s, rules=rules),
    # Every country a stored line spells, with or without a customer id (`segments trends`'s).
    "countries": lambda s, _rules: sorted(s.scalars(known_countries())),
}


# One computation per piece and filter at a time in this process: a second request (or the
# warm-up thread) waits for the first one's result instead of scanning the data again.
_flights: dict[str, threading.Lock] = {}
_flights_guard = threading.Lock()
MAX_FLIGHTS = 1024  # then start afresh: at worst one duplicate computation, memory stays bounded


def _flight(key: str) -> threading.Lock:
    with _flights_guard:
        if key not in _flights and len(_flights) >= MAX_FLIGHTS:
            _flights.clear()
        return _flights.setdefault(key, threading.Lock())


def spelled(filters: OverviewFilters) -> OverviewFilters:
    """The filters with the countries in their stored spellings (``?country=france`` means
    France, and FRANCE if a file wrote it so), as `segments trends` and `segments export` match
    them; an unknown one is kept (see ``country_problem``)."""
    if not filters.countries:
        return filters
    stored = spellings(overview_piece("countries", OverviewFilters())[0])
    chosen = (name for c in filters.countries for name in stored.get(c.casefold(), [c]))
    countries = tuple(dict.fromkeys(chosen))
    return replace(filters, countries=countries)


def country_problem(filters: OverviewFilters) -> str | None:
    """The message for a chosen country no stored line has ("Unknown country 'Narnia': ...;
    did you mean ...?"), as `segments trends --country` refuses it: zeros would look like an answer."""
    if not filters.countries:
        return None
    known = overview_piece("countries", OverviewFilters())[0]
    unknown = match_countries(filters.countries, known)[1]
    return unknown_countries(unknown, known, where="no transaction is from there") if unknown else None


def _snapshot() -> Session:
    """A session reading one snapshot (Postgres: REPEATABLE READ), so the data version and the
    aggregates cached under it describe the same data even while an import commits."""
    return Session(for_one_snapshot(app_engine()))


def _piece(s: Session, version: str, piece: str, filters: OverviewFilters) -> Any:
    """One PIECES aggregate for (spelled) filters, computed in ``s``, which read ``version``."""
    params = filters.params()
    with _flight(json.dumps([piece, params, version], sort_keys=True)):
        return cached(f"overview:{piece}", params, lambda: PIECES[piece](s, filters.rules()), version=version)


def overview_piece(piece: str, filters: OverviewFilters) -> tuple[Any, str]:
    """(result of one PIECES aggregate for the filters, data version it was computed for)."""
    filters = spelled(filters)
    with _snapshot() as s:
        version = data_version(session=s)
        value = _piece(s, version, piece, filters)
    return value, version


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


def covered_days(
    store: tuple[date | None, date | None], filters: OverviewFilters
) -> tuple[date | None, date | None]:
    """The days the chart covers: the store's first to last day, cut to the chosen dates.

    Not the filtered sales' own span: a country whose first sale is on the 20th has no sales
    on the 1st-19th, but the store covers them, so that month is whole, not partial.
    """
    first, last = store
    if first is None or last is None:
        return None, None
    return max(first, filters.start or first), min(last, filters.end or last)


def _by_month_view(by_month: pd.DataFrame, filters: OverviewFilters, read: PieceReader) -> dict[str, Any]:
    # A month the covered days cut short is marked partial (hatched, "1-9 Dec").
    store = read("kpis", OverviewFilters())  # unfiltered, cached per data version
    first, last = covered_days((_day(store["first_date"]), _day(store["last_date"])), filters)
    return monthly_sales_figure(by_month, first, last, current_settings().currency).to_plotly_json()


def _by_country_view(
    by_country: pd.DataFrame, _filters: OverviewFilters, _read: PieceReader
) -> dict[str, Any]:
    return country_figure(by_country.head(TOP_COUNTRIES), current_settings().currency).to_plotly_json()


def _frequency_view(frequency: pd.DataFrame, _filters: OverviewFilters, _read: PieceReader) -> dict[str, Any]:
    return frequency_figure(frequency).to_plotly_json()


# The page's figures, built from a piece; cached as plain dicts, which load in ~1 ms where
# rebuilding a validated Figure from the cached frame costs 15-30 ms per request.
VIEWS: dict[str, Callable[[Any, OverviewFilters, PieceReader], Any]] = {
    "by_month": _by_month_view,
    "by_country": _by_country_view,
    "frequency": _frequency_view,
}


def overview_view(piece: str, filters: OverviewFilters) -> Any:
    """The figure of one piece for the filters (a plotly figure as a dict), cached."""
    filters = spelled(filters)
    with _snapshot() as s:
        version = data_version(session=s)

        def read(name: str, chosen: OverviewFilters) -> Any:  # from the snapshot that read version
            return _piece(s, version, name, chosen)

        return cached(
            f"overview:{piece}:view",
            filters.params(),
            lambda: VIEWS[piece](read(piece, filters), filters, read),
            version=version,
        )


def has_data(version: str) -> bool:
    """``data_version`` starts with the number of import batches."""
    return not version.startswith("0:")


def country_options(by_country: Any, selected: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Every country with sales, plus the selected ones (a shared URL may name one without).

    A selection in another case (``france``) keeps its value on the country it means."""
    names = {c for c in by_country["country"] if c != trends.UNKNOWN_COUNTRY}
    same = {name.casefold(): name for name in names}
    value: dict[str, str] = {}
    for chosen in selected:
        if chosen.casefold() in same:
            value[same[chosen.casefold()]] = chosen
        else:
            names.add(chosen)
    return [{"label": name, "value": value.get(name, name)} for name in sorted(names)]


def date_bounds(by_month: Any) -> tuple[str | None, str | None]:
    """First day of the first month and last day of the last month with data (ISO)."""
    if by_month.empty:
        return None, None
    first = pd.Period(by_month["month"].iloc[0], freq="M")
    last = pd.Period(by_month["month"].iloc[-1], freq="M")
    return first.start_time.date().isoformat(), last.end_time.date().isoformat()


def warm_overview() -> None:
    """Compute the unfiltered view into the cache (after start-up or an import)."""
    for piece in PIECES:
        overview_piece(piece, OverviewFilters())
    for piece in VIEWS:
        overview_view(piece, OverviewFilters())
