"""Country names as people type them: the stored spelling, and what to say about an unknown one.

One wording for `segments trends`/`export` and the Overview and Campaigns pages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


def match_countries(countries: Iterable[str], known: Iterable[object]) -> tuple[tuple[str, ...], list[str]]:
    """``countries`` in the known spelling (any case matches) and the ones not known."""
    spelled = {str(c).casefold(): str(c) for c in known}
    matched = tuple(spelled[c.casefold()] for c in countries if c.casefold() in spelled)
    return matched, [c for c in countries if c.casefold() not in spelled]


def country_hint(name: str, known: Iterable[object]) -> str:
    """What to suggest instead of an unknown ``name``: "did you mean 'France'?", else the
    known countries ("3 known: France, Germany, United Kingdom"), else "none is known"."""
    known = sorted({str(c) for c in known})
    by_case = {c.casefold(): c for c in known}
    close = difflib.get_close_matches(name.casefold(), list(by_case), n=3, cutoff=0.75)
    if close:
        return "did you mean " + " or ".join(repr(by_case[c]) for c in close) + "?"
    if known:
        return f"{len(known)} known: " + ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return "none is known"


def unknown_countries(unknown: Sequence[str], known: Iterable[object], *, where: str) -> str:
    """A page's message for countries a shared link names and the data has not:
    "Unknown country 'Narnia': <where>; did you mean ...?" (the hint is for the first one)."""
    names = ", ".join(repr(c) for c in unknown)
    return f"Unknown country {names}: {where}; {country_hint(unknown[0], known)}"
