"""``--country`` values in the stored spelling, for the commands that filter by country."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from analytics.export import match_countries
from webapp.cli_common import UserError


def matched_countries(countries: Iterable[str], known: Iterable[object], *, where: str) -> tuple[str, ...]:
    """Each of ``countries`` in its ``known`` spelling (any case matches). An unknown one is
    refused, naming close matches or the known ones: its empty result would look like an answer.
    ``where`` says what has no such country ("no transaction is from there")."""
    known = sorted({str(c) for c in known})
    matched, unknown = match_countries(tuple(countries), known)
    if not unknown:
        return matched
    name = unknown[0]
    by_case = {c.casefold(): c for c in known}
    close = difflib.get_close_matches(name.casefold(), list(by_case), n=3, cutoff=0.75)
    if close:
        hint = "did you mean " + " or ".join(repr(by_case[c]) for c in close) + "?"
    elif known:
        hint = f"{len(known)} known: " + ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    else:
        hint = "none is known"
    raise UserError(f"--country {name!r}: {where}; {hint}")
