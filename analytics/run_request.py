"""Whether a run can be made as asked, checked before anything is stored: its name, its as-of
day, and enough customers for its k. Cheap: a few aggregate queries, no RFM."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.orm import Session

from analytics.as_of import NO_TRANSACTIONS, as_of_refusal, purchase_span, transaction_span
from analytics.cleaning import CleaningRules
from analytics.segmentation import fixed_k, too_few_customers
from db.models import Run
from db.queries_cleaning import as_cutoff
from db.queries_rfm import customers_with_purchases

MAX_NAME = Run.__table__.c.name.type.length


class RunRefused(ValueError):
    """The run cannot be made as asked (no data, an as-of day outside it, too few customers, a
    name that cannot be found again); nothing is stored."""


NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def run_name(name: str | None) -> str | None:
    """The name a run is stored under: ``name`` without surrounding spaces (``show`` and the
    other lookups strip theirs). Refuses a blank name and one they would read as a run id or
    ``latest`` (in any case)."""
    if name is None:
        return None
    text = name.strip()
    if not text:
        raise RunRefused("a run name cannot be blank: give one, or no name")
    if text.casefold() == "latest" or NUMBER.fullmatch(text):
        raise RunRefused(f"run name {text!r} would be read as a run id or 'latest': choose another")
    if text.startswith("-"):  # `show -5` would read it as an option
        raise RunRefused(f"run name {text!r} starts with '-', read as an option by commands: choose another")
    if not text.isprintable():  # a tab or newline would break every listing of runs
        raise RunRefused(f"run name {text!r} has a tab, line break or other control character")
    if len(text) > MAX_NAME:
        raise RunRefused(f"a run name can have at most {MAX_NAME} characters, not {len(text)}")
    return text


def check_run_request(
    *,
    session: Session,
    as_of: date | datetime | None,
    name: str | None,
    rules: CleaningRules,
    preset: str = "default",
    k: int | None = None,
) -> None:
    """Refuse what could only make a failed or a misleading run, before anything is stored.

    ``rules``: the run's cleaning rules (its preset's by default); the as-of day must leave
    purchases they keep (analytics.as_of, the rule the web applies too), bought by enough
    customers for ``k`` segments (``preset``'s k, or the elbow's minimum when None).
    """
    run_name(name)
    span = purchase_span(session=session, rules=rules)
    if span is None:
        if transaction_span(session=session) is None:
            raise RunRefused(NO_TRANSACTIONS)
        raise RunRefused("the cleaning rules keep no purchase with a customer id: nothing to segment")
    refusal = as_of_refusal(as_of, span)
    if refusal is not None:
        raise RunRefused(refusal)
    before = as_cutoff(as_of) if as_of is not None else None
    customers = session.scalar(customers_with_purchases(rules, before=before))
    refusal = too_few_customers(customers, fixed_k(preset, k))
    if refusal is not None:
        raise RunRefused(refusal)
