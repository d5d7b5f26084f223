"""Country names as people type them: the stored spelling, and what to say about an unknown one.

One wording for `segments trends`/`export` and the Overview and Campaigns pages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


def spellings(known: Iterable[object]) -> dict[str, list[str]]:
    """Each known country's casefolded name -> every stored spelling of it: files from two
    systems can write "France" and "FRANCE", and a filter on the one must keep the other's lines."""
    out: dict[str, list[str]] = {}
    for name in sorted({str(c) for c in known}):
        out.setdefault(name.casefold(), []).append(name)
    return out


def match_countries(countries: Iterable[str], known: Iterable[object]) -> tuple[tuple[str, ...], list[str]]:
    """``countries`` in every known spelling (any case matches) and the ones not known."""
    stored = spellings(known)
    countries = list(countries)
    matched = (name for c in countries for name in stored.get(c.casefold(), []))
    return tuple(dict.fromkeys(matched)), [c for c in countries if c.casefold() not in stored]


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
