"""What the Runs page does with the database: history rows, new runs, comparisons.

Browser values are checked here (preset from the list, k in range or "auto", an ISO date, a
short name) before anything runs; comparisons only read finished runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from analytics.as_of import Span, as_of_refusal, purchase_span
from analytics.compare import compare_assignments
from analytics.run_history import list_runs
from analytics.runs import RunFailed, RunRefused, default_rules, execute_run
from analytics.segmentation import MAX_K, PRESETS
from webapp.browser_values import as_int, as_text
from webapp.cache import cached, data_version
from webapp.campaign_data import assignments
from webapp.run_choice import finished_runs

EARLIEST_AS_OF, LATEST_AS_OF = date(1990, 1, 1), date(2100, 1, 1)


class BadRunRequest(ValueError):
    """A new-run form value the page refuses (shown to the user as is)."""


@dataclass(frozen=True)
class NewRun:
    preset: str
    k: int | None
    as_of: date | None
    name: str | None

    def options(self) -> dict[str, Any]:
        return {"preset": self.preset, "k": self.k, "as_of": self.as_of, "name": self.name}


def parse_new_run(preset: object, k: object, as_of: object, name: object) -> NewRun:
    if not isinstance(preset, str) or preset not in PRESETS:
        raise BadRunRequest(f"preset must be one of {', '.join(PRESETS)}")
    k_value = None
    if k not in (None, "", "auto"):
        k_value = as_int(k, minimum=2)
        if k_value is None or k_value > MAX_K:
            raise BadRunRequest(f"k must be 'auto' or a whole number from 2 to {MAX_K}")
    day = None
    if as_of not in (None, ""):
        try:
            day = date.fromisoformat(as_of) if isinstance(as_of, str) and len(as_of) == 10 else None
        except ValueError:
            day = None
        if day is None or not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
            raise BadRunRequest("as-of date must be a date like 2011-12-01")
    # Stripped, as analytics.run_request stores it; a field of spaces is a field left empty.
    blank = name is None or (isinstance(name, str) and not name.strip())
    if not blank and as_text(name) is None:
        raise BadRunRequest("name must be at most 128 characters")
    return NewRun(preset, k_value, day, None if blank else as_text(name))


def preset_span(engine: Engine, preset: str) -> Span | None:
    """The purchases a run of ``preset`` would see (analytics.as_of), cached per data version:
    the date picker asks again on every visit and preset change."""
    preset = preset if preset in PRESETS else "default"  # a browser value: no cache key per junk
    with Session(engine) as session:
        version = data_version(session=session)
        return cached(
            "runs:purchase_span",
            {"preset": preset},
            lambda: purchase_span(session=session, rules=default_rules(preset)),
            version=version,
        )


def check_as_of(day: date | None, span: Span | None) -> None:
    """Refuse an as-of date outside the purchases before a run is created, in the words of
    ``segments run`` (the same rule: analytics.as_of)."""
    refusal = as_of_refusal(day, span)
    if refusal is not None:
        raise BadRunRequest(refusal)


def start_run(engine: Engine, request: NewRun) -> tuple[int | None, str | None]:
    """Run it (in this process: the caller is a background job); (run id, error or None).

    A request analytics refuses before creating a run gives (None, its message).
    """
    try:
        return execute_run(engine=engine, **request.options()), None
    except RunRefused as exc:
        return None, str(exc)
    except RunFailed as exc:
        return exc.run_id, exc.error


def _day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def history_rows(*, session: Session) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "name": r["name"] or "",
            "created_at": f"{r['created_at']:%Y-%m-%d %H:%M}",
            "as_of": _day(r["as_of"]),
            "preset": r["preset"],
            "k": r["k"],
            "n_customers": r["n_customers"],
            "silhouette": None if r["silhouette"] is None else round(r["silhouette"], 3),
            "status": r["status"],
            "error": r["error"] or "",
        }
        for r in list_runs(session=session)
    ]


def default_pair(
    runs: list[dict[str, Any]], a: int | None = None, b: int | None = None
) -> tuple[int | None, int | None]:
    """Fill the side(s) not chosen: B the latest run, A the next one, never one run twice
    (None when there is no other run: a run compared with itself says nothing)."""
    ids = [r["id"] for r in runs]
    if b is None:
        b = next((i for i in ids if i != a), None)
    if a is None:
        a = next((i for i in ids if i != b), None)
    return a, b


def compare_runs(engine: Engine, run_a: int, run_b: int) -> dict[str, Any]:
    """``analytics.compare`` of two finished runs (raises LookupError for any other id)."""
    with Session(engine) as session:
        ids = {r["id"] for r in finished_runs(session=session)}
    missing = [str(r) for r in (run_a, run_b) if r not in ids]
    if missing:
        raise LookupError(f"Run {' and '.join(missing)} does not exist or has not finished.")
    return compare_assignments(assignments(engine, run_a), assignments(engine, run_b)).to_dict()
