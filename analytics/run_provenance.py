"""What a stored run records about how it was made: its parameters, the data it saw, and the
library versions that computed it (so a run can be reproduced or explained later)."""

from __future__ import annotations

import platform
from dataclasses import asdict
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ImportBatch, Transaction

LIBRARIES = ("customer-segments", "scikit-learn", "numpy", "pandas", "scipy", "kneed", "sqlalchemy")


def library_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def data_fingerprint(*, session: Session) -> dict[str, Any]:
    """Which data the run saw: loaded batches, stored lines, the newest invoice date."""
    lines, newest = session.execute(select(func.count(), func.max(Transaction.invoice_date))).one()
    batches = session.scalars(select(ImportBatch.id).order_by(ImportBatch.id)).all()
    return {
        "batch_ids": list(batches),
        "lines": int(lines),
        "newest_invoice": newest.isoformat(sep=" ") if newest is not None else None,
    }


def run_params(preset, k, as_of, rules, random_state, stability_resamples) -> dict[str, Any]:
    rules_dict = {key: (v.isoformat() if isinstance(v, date) else v) for key, v in asdict(rules).items()}
    rules_dict["countries"] = list(rules.countries)
    return {
        "preset": preset,
        "k": k,
        "as_of": as_of.isoformat() if as_of is not None else None,
        "rules": rules_dict,
        "random_state": random_state,
        "stability_resamples": stability_resamples,
    }
