"""Create segmentation runs: RFM -> scores -> K-Means -> labels, stored whole or not at all.

``create_run`` works inside the caller's transaction: the run row, its segments and its
assignments become visible together at commit. ``execute_run`` owns the transactions for
callers that have an engine: on any failure the work is rolled back and a ``failed`` run
holding the error is committed in a separate transaction, so no run is ever half-written.
Finished runs are never updated: nothing here writes to an existing run.
"""

from __future__ import annotations

import platform
from dataclasses import asdict
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from analytics.as_of import as_of_refusal, purchase_span
from analytics.cleaning import REFERENCE_RULES, CleaningRules
from analytics.labels import label_segments
from analytics.rfm import compute_rfm
from analytics.scores import score_rfm
from analytics.segmentation import DEFAULT_RESAMPLES, DEFAULT_SEED, segment
from db.models import (
    RUN_FAILED,
    RUN_FINISHED,
    RUN_RUNNING,
    ImportBatch,
    Run,
    RunAssignment,
    RunSegment,
    Transaction,
)

LIBRARIES = ("customer-segments", "scikit-learn", "numpy", "pandas", "scipy", "kneed", "sqlalchemy")
SEGMENT_FIELDS = [c.name for c in RunSegment.__table__.columns if c.name != "run_id"]
ASSIGNMENT_FIELDS = [c.name for c in RunAssignment.__table__.columns if c.name != "run_id"]


class RunFailed(RuntimeError):
    """A run failed; it is recorded as ``failed`` under ``run_id`` with the error text."""

    def __init__(self, run_id: int, error: str) -> None:
        super().__init__(f"run {run_id} failed: {error}")
        self.run_id, self.error = run_id, error


class RunRefused(ValueError):
    """The run cannot be made as asked (no data, an as-of day outside it, a name that cannot be
    found again); nothing is stored."""


def transaction_span(*, session: Session) -> tuple[date, date] | None:
    """First and last invoice day in the store (None when empty)."""
    # min/max keep the column's DateTime type, so both backends return datetimes.
    span = select(func.min(Transaction.invoice_date), func.max(Transaction.invoice_date))
    first, last = session.execute(span).one()
    return None if first is None else (first.date(), last.date())


def check_run_request(
    *, session: Session, as_of: date | datetime | None, name: str | None, rules: CleaningRules
) -> None:
    """Refuse what could only make a failed or a misleading run, before anything is stored.

    ``rules``: the run's cleaning rules (its preset's by default); the as-of day must leave
    purchases they keep (analytics.as_of, the rule the web applies too).
    """
    if name is not None and (name.strip() == "latest" or (name.strip().isascii() and name.strip().isdigit())):
        raise RunRefused(f"run name {name!r} would be read as a run id or 'latest': choose another")
    span = purchase_span(session=session, rules=rules)
    if span is None:
        if transaction_span(session=session) is None:
            raise RunRefused(
                "no transactions yet: import a file first ('segments ingest FILE' or the Data page)"
            )
        raise RunRefused("the cleaning rules keep no purchase with a customer id: nothing to segment")
    refusal = as_of_refusal(as_of, span)
    if refusal is not None:
        raise RunRefused(refusal)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def default_rules(preset: str) -> CleaningRules:
    # The reference analysis kept non-product lines; our default drops them.
    return REFERENCE_RULES if preset == "reference" else CleaningRules()


def run_rules(options: dict[str, Any]) -> CleaningRules:
    """The cleaning rules a run with these ``execute_run`` options uses."""
    rules = options.get("rules")
    return rules if rules is not None else default_rules(options.get("preset", "default"))


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


def _params(preset, k, as_of, rules, random_state, stability_resamples) -> dict[str, Any]:
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


def _assignment_rows(scored, clusters, labels: dict[int, str]) -> list[dict[str, Any]]:
    frame = scored.assign(cluster=clusters)
    frame["label"] = frame["cluster"].map(labels)
    frame["last_purchase"] = frame["last_purchase"].dt.to_pydatetime()
    frame["country"] = frame["country"].astype(object).where(frame["country"].notna(), None)
    columns = {name: frame[name].tolist() for name in ASSIGNMENT_FIELDS}  # Python scalars
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def create_run(
    *,
    session: Session,
    preset: str = "default",
    k: int | None = None,
    as_of: date | datetime | None = None,
    name: str | None = None,
    rules: CleaningRules | None = None,
    random_state: int = DEFAULT_SEED,
    stability_resamples: int = DEFAULT_RESAMPLES,
) -> int:
    """Compute and store one run in the caller's transaction; returns its id. Raises on failure."""
    rules = rules if rules is not None else default_rules(preset)
    params = _params(preset, k, as_of, rules, random_state, stability_resamples)
    run = Run(name=name, created_at=_utcnow(), status=RUN_RUNNING, preset=preset, params=params)
    run.versions = library_versions()
    run.data_fingerprint = data_fingerprint(session=session)
    session.add(run)
    session.flush()

    rfm = compute_rfm(session=session, as_of=as_of, rules=rules)
    seg = segment(
        rfm.frame,
        preset=preset,
        k=k,
        random_state=random_state,
        stability_resamples=stability_resamples,
    )
    profiles = label_segments(rfm.frame, seg.clusters)
    labels = dict(zip(profiles["cluster"], profiles["label"], strict=True))
    segments = [
        {"run_id": run.id, **{f: row[f] for f in SEGMENT_FIELDS}}
        for row in profiles.astype(object).to_dict("records")
    ]
    session.execute(insert(RunSegment.__table__), segments)
    rows = _assignment_rows(score_rfm(rfm.frame), seg.clusters, labels)
    for row in rows:
        row["run_id"] = run.id
    session.execute(insert(RunAssignment.__table__), rows)

    metrics = {
        key: seg.metrics[key] for key in ("silhouette", "silhouette_sampled", "silhouette_sample_size")
    }
    metrics |= {
        key: seg.metrics[key]
        for key in ("davies_bouldin", "calinski_harabasz", "stability_ari", "stability_resamples")
    }
    for key, value in metrics.items():
        setattr(run, key, value)
    run.params = {**params, "segmentation": seg.params, "inertia": seg.metrics["inertia"]}
    run.as_of, run.n_customers, run.k, run.k_sweep = rfm.snapshot, len(rfm.frame), seg.k, seg.k_sweep
    run.status, run.finished_at = RUN_FINISHED, _utcnow()
    session.flush()
    return run.id


def record_failed_run(
    *,
    session: Session,
    error: str,
    preset: str = "default",
    k: int | None = None,
    as_of: date | datetime | None = None,
    name: str | None = None,
    rules: CleaningRules | None = None,
    random_state: int = DEFAULT_SEED,
    stability_resamples: int = DEFAULT_RESAMPLES,
) -> int:
    """Store a ``failed`` run (parameters and error, no results); returns its id."""
    rules = rules if rules is not None else default_rules(preset)
    now = _utcnow()
    run = Run(name=name, created_at=now, finished_at=now, status=RUN_FAILED, error=error, preset=preset)
    run.params = _params(preset, k, as_of, rules, random_state, stability_resamples)
    run.versions = library_versions()
    run.data_fingerprint = {}
    session.add(run)
    session.flush()
    return run.id


def execute_run(*, engine: Engine, **options: Any) -> int:
    """``create_run`` in its own transaction; on failure record it and raise RunFailed.

    A request that can only fail (RunRefused) is refused before anything is stored.
    """
    with Session(engine) as session:
        check_run_request(
            session=session, as_of=options.get("as_of"), name=options.get("name"), rules=run_rules(options)
        )
    try:
        with Session(engine) as session, session.begin():
            return create_run(session=session, **options)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        try:
            with Session(engine) as session, session.begin():
                run_id = record_failed_run(session=session, error=error, **options)
        except Exception:
            raise exc from None  # e.g. the database is down: report the first error, not this one
        raise RunFailed(run_id, error) from exc
