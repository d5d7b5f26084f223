"""Calendar and customer base of the synthetic sample (all vectorised, O(customers) memory)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from analytics.sample_catalogue import country_shares

# Relative order intensity by calendar month (Jan..Dec): slow spring, peak in November.
MONTH_WEIGHT = np.array([0.85, 0.7, 0.9, 0.75, 0.9, 0.9, 0.95, 0.9, 1.25, 1.45, 2.1, 1.1])
# Monday..Sunday; the shop ships no orders on Saturdays (like the UCI file).
WEEKDAY_WEIGHT = np.array([1.0, 1.05, 1.0, 1.1, 0.85, 0.0, 0.7])
# Orders by hour of day, 7:00-20:59 (shape of the UCI file).
HOUR_WEIGHT = np.array([0.4, 9, 34, 49, 58, 79, 72, 67, 78, 55, 29, 8, 4, 1.0])
FIRST_HOUR = 7
CLOSED = {(12, 25), (12, 26), (1, 1)}

GUESTS_PER_CUSTOMER = 0.33  # walk-in buyers without a customer id: ~25% of lines
MONTHLY_ORDER_RATE = 0.32  # median repeat orders per month of an active customer
WHOLESALE_SHARE = 0.02  # a few big buyers: more orders, much larger quantities


@dataclass(frozen=True)
class Calendar:
    days: np.ndarray  # datetime64[D], business days only
    weight: np.ndarray  # order intensity per day, mean 1 over a whole year
    labels: list[str]  # "12/1/2010", as in the UCI file
    cdf: np.ndarray  # cumulative weight, to draw days with seasonality

    def __len__(self) -> int:
        return len(self.days)


def make_calendar(start: date, months: int) -> Calendar:
    first = np.datetime64(start, "D")
    month0 = np.datetime64(start, "M")
    end = (month0 + months).astype("datetime64[D]") + (first - month0.astype("datetime64[D]"))
    days = np.arange(first, end, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    closed = np.array([(m, d) in CLOSED for m, d in zip(month, dom, strict=True)], dtype=bool)
    keep = (WEEKDAY_WEIGHT[weekday] > 0) & ~closed
    days, month, dom = days[keep], month[keep], dom[keep]
    weight = MONTH_WEIGHT[month - 1] * WEEKDAY_WEIGHT[weekday[keep]]
    weight = weight / (MONTH_WEIGHT.mean() * WEEKDAY_WEIGHT[WEEKDAY_WEIGHT > 0].mean())
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    labels = [f"{m}/{d}/{y}" for m, d, y in zip(month, dom, years, strict=True)]
    return Calendar(days=days, weight=weight, labels=labels, cdf=np.cumsum(weight) / weight.sum())


def time_labels() -> list[str]:
    """``H:MM`` for every minute of the day (index = minutes after midnight)."""
    return [f"{m // 60}:{m % 60:02d}" for m in range(24 * 60)]


def draw_minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Minutes after midnight for n invoices, business hours shaped like the UCI file."""
    cdf = np.cumsum(HOUR_WEIGHT) / HOUR_WEIGHT.sum()
    hour = FIRST_HOUR + np.searchsorted(cdf, rng.random(n), side="right")
    return hour * 60 + rng.integers(0, 60, n)


@dataclass(frozen=True)
class Customers:
    """Identified customers then guests, sorted by the day of their first order."""

    ident: np.ndarray  # int64 CustomerID, -1 for guests (lines without CustomerID)
    country: np.ndarray  # index into COUNTRIES
    first: np.ndarray  # business-day index of the first order (sorted ascending)
    last: np.ndarray  # last business day the customer may order on (lapsed ones stop early)
    rate: np.ndarray  # expected repeat orders per business day of weight 1
    scale: np.ndarray  # quantity multiplier (wholesale buyers buy far more)


def make_customers(rng: np.random.Generator, n: int, cal: Calendar) -> Customers:
    total = n + int(round(n * GUESTS_PER_CUSTOMER))
    n_days = len(cal)
    # A third were already customers when the period starts: first seen in its first weeks;
    # the others are acquired over the period, more of them in busy months.
    existing = rng.random(total) < 0.35
    first = np.where(
        existing,
        rng.integers(0, max(1, min(40, n_days)), total),
        np.minimum(np.searchsorted(cal.cdf, rng.random(total), side="right"), n_days - 1),
    )
    # Recency: ~45% stay active to the end, the others lapse after a few months (RFM groups).
    stays = rng.random(total) < 0.45
    lifetime = np.ceil(rng.exponential(80.0, total)).astype(np.int64)
    last = np.where(stays, n_days - 1, np.minimum(first + lifetime, n_days - 1))
    wholesale = rng.random(total) < WHOLESALE_SHARE
    per_day = MONTHLY_ORDER_RATE * 12 / 310  # ~310 business days a year
    rate = np.minimum(rng.lognormal(np.log(per_day), 1.1, total) * np.where(wholesale, 3.0, 1.0), 0.8)
    scale = rng.lognormal(0.0, 0.5, total) * np.where(wholesale, rng.uniform(4, 10, total), 1.0)
    ident = np.full(total, -1, dtype=np.int64)
    ident[:n] = 12346 + rng.permutation(n)  # UCI-like 5-digit ids
    country = rng.choice(len(country_shares()), size=total, p=country_shares())
    order = np.argsort(first, kind="stable")
    return Customers(
        ident=ident[order],
        country=country[order],
        first=first[order],
        last=last[order],
        rate=rate[order],
        scale=scale[order],
    )
