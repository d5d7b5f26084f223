"""Fixed reference tables for the synthetic sample: products, non-product codes, countries.

The catalogue is built from a constant seed, so every sample shares the same products whatever
the seed of the transactions; it looks like the UCI gift-ware range (``85123A``, ``WHITE
HANGING HEART T-LIGHT HOLDER``, prices in pounds with typical retail price points).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_CATALOGUE_SEED = 20101201
N_PRODUCTS = 3600

_ADJECTIVES = (
    "WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "CREAM", "BLACK", "SILVER", "GOLD",
    "VINTAGE", "RETRO", "REGENCY", "ANTIQUE", "PAISLEY", "SPOTTY", "STRIPED", "FLORAL",
    "KNITTED", "GLASS", "ZINC", "WOODEN", "ENAMEL", "JUMBO", "SMALL", "LARGE", "MINI",
    "HANGING", "PARTY", "CHRISTMAS",
)  # fmt: skip
_THEMES = (
    "HEART", "STAR", "BIRD", "ROSE", "DOLLY GIRL", "SPACEBOY", "RABBIT", "OWL", "POLKADOT",
    "UNION FLAG", "LOVEBIRD", "BAROQUE", "SKULL", "SUKI", "RETROSPOT", "CUPID", "BUTTERFLY",
    "CHERRY", "DAISY", "APPLE", "SNOWFLAKE", "REINDEER", "ANGEL", "PANTRY", "LOVE",
)  # fmt: skip
_ITEMS = (
    "T-LIGHT HOLDER", "LANTERN", "COAT HANGER", "HOT WATER BOTTLE", "LUNCH BAG", "LUNCH BOX",
    "PAPER NAPKINS", "MUG", "TEACUP AND SAUCER", "CAKE CASES", "DOORMAT", "CUSHION COVER",
    "PHOTO FRAME", "WALL CLOCK", "BUNTING", "PEG BAG", "SHOPPER BAG", "JAM JAR", "TIN",
    "STORAGE BOX", "CANDLE", "GIFT WRAP", "NOTEBOOK", "PENCILS", "FRIDGE MAGNET", "CAKESTAND",
    "CHOPPING BOARD", "WATER BOTTLE", "PARASOL", "BOWL", "PLATE", "DRAWER KNOB", "CARD HOLDER",
    "JEWELLERY BOX", "WASHBAG", "APRON", "OVEN GLOVE", "TEA TOWEL", "BAKING SET", "DECORATION",
)  # fmt: skip

# Typical retail price points (pence); product base prices snap to these.
_PRICE_POINTS = np.array(
    [19, 21, 29, 39, 42, 55, 65, 72, 79, 85, 95, 125, 145, 165, 185, 195, 210, 249, 255, 295, 325, 375,
     425, 495, 595, 750, 795, 850, 995, 1275, 1495, 1695, 2495, 3995],
)  # fmt: skip
_PACK_SIZES = np.array([1, 2, 3, 4, 6, 8, 10, 12, 24])
_PACK_WEIGHTS = np.array([32, 10, 6, 6, 12, 4, 5, 19, 6], dtype=float)

# Non-product codes appended after the products: (code, description).
NON_PRODUCTS = (
    ("POST", "POSTAGE"),
    ("C2", "CARRIAGE"),
    ("DOT", "DOTCOM POSTAGE"),
    ("M", "Manual"),
    ("BANK CHARGES", "Bank Charges"),
    ("AMAZONFEE", "AMAZON FEE"),
)
POST, C2, DOT, MANUAL, BANK_CHARGES, AMAZONFEE = range(N_PRODUCTS, N_PRODUCTS + len(NON_PRODUCTS))

# Countries with their share of customers (UK-heavy like the UCI file); index 0 is the UK.
COUNTRIES = (
    ("United Kingdom", 89.6), ("Germany", 2.2), ("France", 2.0), ("EIRE", 0.9), ("Spain", 0.7),
    ("Netherlands", 0.5), ("Belgium", 0.6), ("Switzerland", 0.5), ("Portugal", 0.4),
    ("Australia", 0.3), ("Norway", 0.3), ("Italy", 0.3), ("Channel Islands", 0.2),
    ("Finland", 0.2), ("Cyprus", 0.2), ("Sweden", 0.2), ("Austria", 0.2), ("Denmark", 0.2),
    ("Japan", 0.2), ("Poland", 0.1), ("USA", 0.1), ("Israel", 0.1), ("Singapore", 0.1),
    ("Iceland", 0.05), ("Canada", 0.1), ("Greece", 0.05),
)  # fmt: skip
EU_POSTAGE = frozenset(range(1, 20)) - {9, 18}  # flat European postage rate (not Australia/Japan)
EIRE = 3


@dataclass(frozen=True)
class Catalogue:
    """Products then non-product codes; arrays indexed by product number."""

    text: np.ndarray  # object: "StockCode,Description" ready for the CSV line
    price: np.ndarray  # int64 pence (0 for non-products: their price is drawn per line)
    bulk_price: np.ndarray  # int64 pence charged for quantities of 100 and more
    pack: np.ndarray  # int64 usual pack size (quantities are multiples of it)
    popularity_cdf: np.ndarray  # float64 over the products only (not the non-product codes)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    rng = np.random.default_rng(_CATALOGUE_SEED)
    n_combos = len(_ADJECTIVES) * len(_THEMES) * len(_ITEMS)
    combos = rng.choice(n_combos, size=N_PRODUCTS, replace=False)
    adj, rest = np.divmod(combos, len(_THEMES) * len(_ITEMS))
    theme, item = np.divmod(rest, len(_ITEMS))
    bases = rng.choice(np.arange(20000, 91000), size=N_PRODUCTS, replace=False)
    # About a quarter of the codes are colour variants with a letter suffix, like 85123A.
    letters = np.where(rng.random(N_PRODUCTS) < 0.25, rng.integers(0, 7, N_PRODUCTS), -1)
    texts = [
        f"{b}{'ABCDEFG'[lt] if lt >= 0 else ''},{_ADJECTIVES[a]} {_THEMES[t]} {_ITEMS[i]}"
        for b, lt, a, t, i in zip(bases, letters, adj, theme, item, strict=True)
    ]
    texts += [f"{code},{desc}" for code, desc in NON_PRODUCTS]
    wanted = rng.lognormal(np.log(210), 0.95, N_PRODUCTS)
    price = _PRICE_POINTS[np.abs(np.log(wanted)[:, None] - np.log(_PRICE_POINTS)[None, :]).argmin(1)]
    bulk = np.maximum(1, (price * 0.85).round()).astype(np.int64)
    pack = rng.choice(_PACK_SIZES, size=N_PRODUCTS, p=_PACK_WEIGHTS / _PACK_WEIGHTS.sum())
    # Cheap items come in bigger packs, as in the real range.
    pack = np.where(price >= 500, np.minimum(pack, 2), pack)
    # Zipf-like popularity with a flat head: the best seller is ~0.5% of lines.
    weight = 1.0 / (rng.permutation(N_PRODUCTS) + 50.0)
    extra = np.zeros(len(NON_PRODUCTS), dtype=np.int64)
    return Catalogue(
        text=np.array(texts, dtype=object),
        price=np.concatenate([price, extra]).astype(np.int64),
        bulk_price=np.concatenate([bulk, extra]),
        pack=np.concatenate([pack, extra + 1]).astype(np.int64),
        popularity_cdf=np.cumsum(weight) / weight.sum(),
    )


def country_names() -> list[str]:
    return [name for name, _ in COUNTRIES]


def country_shares() -> np.ndarray:
    share = np.array([s for _, s in COUNTRIES])
    return share / share.sum()
