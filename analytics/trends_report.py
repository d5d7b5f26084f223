"""All trend tables of one selection as one JSON-ready dict (for `segments trends` and the web)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from analytics import trends
from db.queries_cleaning import CleaningRules


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # None instead of NaN, so the JSON is valid.
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def trends_report(*, session: trends.DbSession, rules: CleaningRules, top: int = 10) -> dict[str, Any]:
    """kpis, by_month, by_country (top N + Other), purchase_frequency, basket, revenue_per_customer."""
    rule_fields = asdict(rules)
    rule_fields["countries"] = list(rules.countries)
    per_customer = trends.customer_revenue(session=session, rules=rules)
    return {
        "rules": rule_fields,
        "kpis": trends.kpis(session=session, rules=rules, per_customer=per_customer),
        "by_month": _records(trends.sales_by_month(session=session, rules=rules)),
        "by_country": _records(trends.sales_by_country(session=session, rules=rules, top=top)),
        "purchase_frequency": _records(trends.purchase_frequency(session=session, rules=rules)),
        "basket": _records(trends.basket_size(session=session, rules=rules))[0],
        "revenue_per_customer": _records(trends.revenue_distribution(per_customer)),
    }
