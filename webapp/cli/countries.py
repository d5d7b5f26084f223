"""``--country`` values in the stored spelling, for the commands that filter by country."""

from __future__ import annotations

from collections.abc import Iterable

from analytics.countries import country_hint, match_countries
from webapp.cli.common import UserError


def matched_countries(countries: Iterable[str], known: Iterable[object], *, where: str) -> tuple[str, ...]:
    """Each of ``countries`` in its ``known`` spelling (any case matches). An unknown one is
    refused, naming close matches or the known ones: its empty result would look like an answer.
    ``where`` says what has no such country ("no transaction is from there")."""
    known = sorted({str(c) for c in known})
    matched, unknown = match_countries(tuple(countries), known)
    if not unknown:
        return matched
    raise UserError(f"--country {unknown[0]!r}: {where}; {country_hint(unknown[0], known)}")
