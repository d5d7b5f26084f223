"""Create segmentation runs: RFM -> scores -> K-Means -> labels, stored whole or not at all.

``create_run`` works inside the caller's transaction: the run row, its segments and its
assignments become visible together at commit. ``execute_run`` owns the transactions for
callers that have an engine: it refuses a request that could only fail (RunRefused: nothing is
stored), computes from one read-only snapshot, then stores the run in a short write
transaction; on any other failure a ``failed`` run holding the error is committed in a separate
transaction, so no run is ever half-written.
Finished runs are never updated: nothing here writes to an existing run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from analytics.cleaning import REFERENCE_RULES, CleaningRules
from analytics.labels import label_segments
from analytics.rfm import compute_rfm
from analytics.run_provenance import data_fingerprint, library_versions, run_params
from analytics.run_request import RunRefused, check_run_request, run_name
from analytics.scores import score_rfm
from analytics.segmentation import DEFAULT_RESAMPLES, DEFAULT_SEED, SegmentationError, segment
from db.availability import short_reason
from db.models import (
    RUN_FAILED,
    RUN_FINISHED,
    Run,
    RunAssignment,
    RunSegment,
)
from db.session import for_one_snapshot, for_writing

SEGMENT_FIELDS = [c.name for c in RunSegment.__table__.columns if c.name != "run_id"]
ASSIGNMENT_FIELDS = [c.name for c in RunAssignment.__table__.columns if c.name != "run_id"]


class RunFailed(RuntimeError):
    """A run failed; it is recorded as ``failed`` under ``run_id`` with the error text (``run_id``
    is None when the database could not store even that)."""

    def __init__(self, run_id: int | None, error: str) -> None:
        what = f"run {run_id} failed" if run_id is not None else "the run failed and was not stored"
        super().__init__(f"{what}: {error}")
        self.run_id, self.error = run_id, error


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def default_rules(preset: str) -> CleaningRules:
    # The reference analysis kept non-product lines; our default drops them.
    return REFERENCE_RULES if preset == "reference" else CleaningRules()


def run_rules(options: dict[str, Any]) -> CleaningRules:
    """The cleaning rules a run with these ``execute_run`` options uses."""
    rules = options.get("rules")
    return rules if rules is not None else default_rules(options.get("preset", "default"))


def _assignment_rows(scored, clusters, labels: dict[int, str]) -> list[dict[str, Any]]:
    frame = scored.assign(cluster=clusters)
    frame["label"] = frame["cluster"].map(labels)
    frame["last_purchase"] = frame["last_purchase"].dt.to_pydatetime()
    frame["country"] = frame["country"].astype(object).where(frame["country"].notna(), None)
    columns = {name: frame[name].tolist() for name in ASSIGNMENT_FIELDS}  # Python scalars
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


@dataclass(frozen=True)
class ComputedRun:
    """A run worked out from one read of the data, not yet stored."""

    run: dict[str, Any]  # the Run row's columns
    segments: list[dict[str, Any]]  # RunSegment rows, without run_id
    assignments: list[dict[str, Any]]  # RunAssignment rows, without run_id


def compute_run(
    *,
    session: Session,
    preset: str = "default",
    k: int | None = None,
    as_of: date | datetime | None = None,
    name: str | None = None,
    rules: CleaningRules | None = None,
    random_state: int = DEFAULT_SEED,
    stability_resamples: int = DEFAULT_RESAMPLES,
) -> ComputedRun:
    """Read the data and segment it; writes nothing. Raises on failure.

    The fingerprint and the RFM are read in the caller's transaction: give it one snapshot
    (``for_one_snapshot``) so the fingerprint describes the data the run used.
    """
    created_at = _utcnow()
    rules = rules if rules is not None else default_rules(preset)
    params = run_params(preset, k, as_of, rules, random_state, stability_resamples)
    fingerprint = data_fingerprint(session=session)
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
    segments = [{f: row[f] for f in SEGMENT_FIELDS} for row in profiles.astype(object).to_dict("records")]
    rows = _assignment_rows(score_rfm(rfm.frame), seg.clusters, labels)

    metrics = {
        key: seg.metrics[key] for key in ("silhouette", "silhouette_sampled", "silhouette_sample_size")
    }
    metrics |= {
        key: seg.metrics[key]
        for key in ("davies_bouldin", "calinski_harabasz", "stability_ari", "stability_resamples")
    }
    run = {
        "name": run_name(name),
        "created_at": created_at,
        "finished_at": _utcnow(),
        "status": RUN_FINISHED,
        "preset": preset,
        "params": {**params, "segmentation": seg.params, "inertia": seg.metrics["inertia"]},
        "versions": library_versions(),
        "data_fingerprint": fingerprint,
        "as_of": rfm.snapshot,
        "n_customers": len(rfm.frame),
        "k": seg.k,
        "k_sweep": seg.k_sweep,
        **metrics,
    }
    return ComputedRun(run, segments, rows)


def store_run(*, session: Session, computed: ComputedRun) -> int:
    """Insert a computed run, its segments and assignments in the caller's transaction; its id."""
    run = Run(**computed.run)
    session.add(run)
    session.flush()
    session.execute(insert(RunSegment.__table__), [{"run_id": run.id, **s} for s in computed.segments])
    session.execute(insert(RunAssignment.__table__), [{"run_id": run.id, **a} for a in computed.assignments])
    return run.id


def create_run(*, session: Session, **options: Any) -> int:
    """Compute and store one run in the caller's transaction; returns its id. Raises on failure."""
    return store_run(session=session, computed=compute_run(session=session, **options))


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
    run.params = run_params(preset, k, as_of, rules, random_state, stability_resamples)
    run.versions = library_versions()
    run.data_fingerprint = {}
    session.add(run)
    session.flush()
    return run.id


def describe_failure(exc: Exception) -> str:
    """A failed run's error, one short line: never the SQL of a failed statement."""
    if isinstance(exc, SQLAlchemyError):
        return short_reason(exc)
    return f"{type(exc).__name__}: {exc}"


def execute_run(*, engine: Engine, **options: Any) -> int:
    """Compute a run from one snapshot, then store it; on failure record it and raise RunFailed.

    A request that can only fail (RunRefused) is refused before anything is stored: what a count
    shows up front (check_run_request), and data that turns out not to be segmentable as asked
    (SegmentationError: e.g. customers all alike) once its RFM is read, before the run row is
    written. Reading and storing are separate transactions so that the write lock (SQLite) is
    held for the inserts only, not while K-Means runs. RunFailed has no run id when even the
    failure could not be stored (the database is busy or down).
    """
    options = {**options, "name": run_name(options.get("name"))}
    with Session(engine) as session:
        check_run_request(
            session=session,
            as_of=options.get("as_of"),
            name=options["name"],
            rules=run_rules(options),
            preset=options.get("preset", "default"),
            k=options.get("k"),
        )
    try:
        with Session(for_one_snapshot(engine)) as session, session.begin():
            computed = compute_run(session=session, **options)
        with Session(for_writing(engine)) as session, session.begin():
            return store_run(session=session, computed=computed)
    except SegmentationError as exc:
        raise RunRefused(str(exc)) from exc
    except Exception as exc:
        error = describe_failure(exc)
        try:
            with Session(for_writing(engine)) as session, session.begin():
                run_id = record_failed_run(session=session, error=error, **options)
        except SQLAlchemyError:
            raise RunFailed(None, error) from exc
        raise RunFailed(run_id, error) from exc
