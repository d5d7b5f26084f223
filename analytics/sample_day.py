"""One business day of synthetic transactions: invoices, lines, cancellations, numbering.

Days are generated in order, so invoice numbers rise with time through the whole file, like
the UCI export. Memory is one day's lines plus the cancellations still pending for later days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analytics import sample_catalogue as sc
from analytics.sample_calendar import Calendar, Customers, draw_minutes

LINES_MEDIAN = 10.5  # lines per invoice: lognormal, median ~10, mean ~20 (UCI: 10 and 21)
LINES_SIGMA = 1.2
CANCEL_RATE = 0.027  # per line of an identified customer: ~2% of all lines are cancellations
DUPLICATE_RATE = 0.01  # exact repeated lines (UCI: ~1%)
LAST_MINUTE = 20 * 60 + 59


@dataclass
class DayLines:
    """Lines of one day in file order (all arrays have one entry per line)."""

    number: np.ndarray  # invoice number (cancellations print it with a "C" prefix)
    cancel: np.ndarray  # bool
    customer: np.ndarray  # index into Customers
    product: np.ndarray  # index into the catalogue
    quantity: np.ndarray
    price: np.ndarray  # pence
    minute: np.ndarray  # minutes after midnight
    invoices: int = 0  # purchase and cancellation invoices of the day
    duplicates: int = 0


@dataclass
class Pending:
    """Cancellations generated on an earlier day, waiting for their own day."""

    by_day: dict[int, list[tuple[np.ndarray, ...]]] = field(default_factory=dict)
    next_group: int = 0


def _extra_lines(rng, inv_cust, n_lines, cust: Customers):
    """At most one shipping and one miscellaneous non-product line per invoice."""
    n = len(inv_cust)
    country = cust.country[inv_cust]
    guest, uk = cust.ident[inv_cust] < 0, country == 0
    u, u2 = rng.random(n), rng.random(n)
    ship = np.select(
        [~guest & (country == sc.EIRE) & (u < 0.35), ~guest & ~uk & (u < 0.6), guest & (u < 0.12)],
        [sc.C2, sc.POST, sc.DOT],
        -1,
    )
    misc = np.select(
        [u2 < 0.012, (u2 < 0.016) & ~uk, (u2 < 0.017) & guest], [sc.MANUAL, sc.BANK_CHARGES, sc.AMAZONFEE], -1
    )
    inv = np.concatenate([np.flatnonzero(ship >= 0), np.flatnonzero(misc >= 0)])
    code = np.concatenate([ship[ship >= 0], misc[misc >= 0]])
    eu = np.isin(country[inv], list(sc.EU_POSTAGE))
    k = len(inv)
    price = np.select(
        [code == sc.POST, code == sc.C2, code == sc.DOT, code == sc.BANK_CHARGES, code == sc.MANUAL],
        [
            np.where(eu, 1800, 4000),
            5000,
            (n_lines[inv] * rng.uniform(150, 450, k)).round(),
            1500,
            rng.lognormal(np.log(250), 1.0, k).round() + 1,
        ],
        rng.lognormal(np.log(300000), 0.7, k).round(),  # Amazon fees
    ).astype(np.int64)
    qty = np.select([code == sc.POST, code == sc.MANUAL], [rng.integers(1, 4, k), rng.integers(1, 13, k)], 1)
    return inv, code, qty, price


def _purchases(rng, day: int, cust: Customers, cal: Calendar, cat: sc.Catalogue):
    lo, hi = np.searchsorted(cust.first, [day, day + 1])
    # Sorted by first order: customers [0, lo) were acquired earlier; still active if not lapsed.
    active = np.flatnonzero(cust.last[:lo] >= day)
    repeat = rng.poisson(cust.rate[active] * cal.weight[day])
    inv_cust = np.concatenate([np.arange(lo, hi), np.repeat(active, repeat)])
    n_inv = len(inv_cust)
    inv_minute = draw_minutes(rng, n_inv)
    n_lines = np.clip(np.ceil(rng.lognormal(np.log(LINES_MEDIAN), LINES_SIGMA, n_inv)), 1, 600).astype(int)
    line_inv = np.repeat(np.arange(n_inv), n_lines)
    product = np.minimum(
        np.searchsorted(cat.popularity_cdf, rng.random(len(line_inv)), side="right"), sc.N_PRODUCTS - 1
    )
    # A product once per invoice: repeats would add accidental exact duplicates on top of ~1%.
    _, once = np.unique(line_inv * sc.N_PRODUCTS + product, return_index=True)
    once.sort()
    line_inv, product = line_inv[once], product[once]
    n = len(line_inv)
    units = np.maximum(1, (rng.geometric(0.6, n) * cust.scale[inv_cust[line_inv]]).round())
    qty = cat.pack[product] * units.astype(np.int64)
    price = np.where(qty >= 100, cat.bulk_price[product], cat.price[product])
    x_inv, x_code, x_qty, x_price = _extra_lines(rng, inv_cust, n_lines, cust)
    # Stable sort keeps each invoice's product lines first and its non-product lines last.
    line_inv = np.concatenate([line_inv, x_inv])
    order = np.argsort(line_inv, kind="stable")
    line_inv = line_inv[order]
    product = np.concatenate([product, x_code])[order]
    qty = np.concatenate([qty, x_qty])[order]
    price = np.concatenate([price, x_price])[order]
    return inv_cust, inv_minute, line_inv, product, qty, price


def _schedule_cancellations(rng, day, n_days, pending: Pending, inv_cust, inv_minute, lines, cust):
    """Pick lines of identified customers to cancel later (same day or within weeks)."""
    line_inv, product, qty, price = lines
    pick = np.flatnonzero((cust.ident[inv_cust[line_inv]] >= 0) & (rng.random(len(line_inv)) < CANCEL_RATE))
    invs, group = np.unique(line_inv[pick], return_inverse=True)
    k = len(invs)
    same_day = rng.random(k) < 0.5
    target = np.where(same_day, day, day + 1 + rng.geometric(0.12, k))
    minute = np.where(
        same_day, np.minimum(inv_minute[invs] + rng.integers(1, 181, k), LAST_MINUTE), draw_minutes(rng, k)
    )
    partial = rng.random(len(pick)) < 0.2
    cancel_qty = -np.where(partial, rng.integers(1, np.maximum(qty[pick], 1) + 1), qty[pick])
    g = group + pending.next_group
    pending.next_group += k
    rows = (g, inv_cust[line_inv[pick]], product[pick], cancel_qty, price[pick], minute[group])
    for t in np.unique(target[target < n_days]):
        keep = target[group] == t
        pending.by_day.setdefault(int(t), []).append(tuple(a[keep] for a in rows))


def generate_day(rng, day: int, start_number: int, cust, cal, cat, pending: Pending) -> DayLines:
    inv_cust, inv_minute, *lines = _purchases(rng, day, cust, cal, cat)
    _schedule_cancellations(rng, day, len(cal), pending, inv_cust, inv_minute, lines, cust)
    line_inv, product, qty, price = lines
    dup = rng.random(len(line_inv)) < DUPLICATE_RATE
    take = np.repeat(np.arange(len(line_inv)), 1 + dup)  # a duplicate sits next to its original
    parts = pending.by_day.pop(day, [])
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)] if parts else [np.empty(0, np.int64)] * 6
    c_group, c_cust, c_prod, c_qty, c_price, c_min = cols
    _, g_first, g_idx = np.unique(c_group, return_index=True, return_inverse=True)
    # Number purchases and cancellations together in time order.
    minutes = np.concatenate([inv_minute, c_min[g_first]])
    number = np.empty(len(minutes), dtype=np.int64)
    number[np.argsort(minutes, kind="stable")] = start_number + np.arange(len(minutes))
    line_no = np.concatenate([number[line_inv[take]], number[len(inv_minute) + g_idx]])
    order = np.argsort(line_no, kind="stable")

    def both(purchase: np.ndarray, cancel: np.ndarray) -> np.ndarray:
        return np.concatenate([purchase, cancel])[order]

    return DayLines(
        number=line_no[order],
        cancel=both(np.zeros(len(take), bool), np.ones(len(c_group), bool)),
        customer=both(inv_cust[line_inv[take]], c_cust),
        product=both(product[take], c_prod),
        quantity=both(qty[take], c_qty),
        price=both(price[take], c_price),
        minute=both(inv_minute[line_inv[take]], c_min),
        invoices=len(minutes),
        duplicates=int(dup.sum()),
    )
