"""Failed sign-ins slow down guessing: too many for a user name, or from one client address,
within a window and the login form refuses further attempts there until the oldest ages out.

Failures are rows of ``login_failures``, so every gunicorn worker (and every machine on the same
database) counts the same ones. A refused attempt is not a failure: waiting always ends the
refusal. A successful sign-in forgets the name's failures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import LoginFailure

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
# Higher: one address may be a whole office behind NAT, or a proxy whose hops are not trusted.
MAX_FAILURES_PER_ADDRESS = 20
_KEY_LENGTH = 64  # the columns' size; no user name is longer


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def refused_until(*, session: Session, username: str, address: str) -> datetime | None:
    """When attempts for ``username`` from ``address`` are allowed again; None: now."""
    since = _now() - WINDOW
    ends = []
    for column, key, limit in (
        (LoginFailure.username, username[:_KEY_LENGTH], MAX_FAILURES_PER_NAME),
        (LoginFailure.address, address[:_KEY_LENGTH], MAX_FAILURES_PER_ADDRESS),
    ):
        # The limit-th newest failure in the window: once it ages out, fewer than limit are left.
        oldest_counted = session.scalar(
            select(LoginFailure.failed_at)
            .where(column == key, LoginFailure.failed_at > since)
            .order_by(LoginFailure.failed_at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        if oldest_counted is not None:
            ends.append(oldest_counted + WINDOW)
    return max(ends, default=None)


def record_failure(*, session: Session, username: str, address: str) -> None:
    now = _now()
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - WINDOW))
    session.add(LoginFailure(username=username[:_KEY_LENGTH], address=address[:_KEY_LENGTH], failed_at=now))
    session.flush()


def forget_failures(*, session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == username[:_KEY_LENGTH]))
