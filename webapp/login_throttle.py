"""Failed sign-ins slow down guessing: too many for a user name from one client address, from
one address whatever the names, or (far more) for a name from anywhere, within a window, and the
login form refuses further attempts there until the oldest ages out.

The strict limit is per name *and* address, so failing on purpose from one address cannot lock
the real user out from theirs. The per-name limit across addresses is only a ceiling on guessing
from many addresses (a botnet): it is loose enough that reaching it takes many addresses' worth
of failures (each capped by the per-address limit), and it is the price of that ceiling that
someone with that many addresses can still lock a name out while they keep failing.

Failures are rows of ``login_failures``, so every gunicorn worker (and every machine on the same
database) counts the same ones. A refused attempt is not a failure: waiting always ends the
refusal. A successful sign-in forgets the failures for that name from that address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, select, text
from sqlalchemy.orm import Session

from db.models import LoginFailure

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME_AND_ADDRESS = 5
# Higher: one address may be a whole office behind NAT, or a proxy whose hops are not trusted.
MAX_FAILURES_PER_ADDRESS = 20
# Only against guessing one name from many addresses: low enough to matter, high enough that
# locking a name out for everyone needs at least five addresses failing all the time.
MAX_FAILURES_PER_NAME = 100
_KEY_LENGTH = 64  # the columns' size; no user name is longer
# Postgres advisory lock classes (two-int form: apart from the one-bigint keys in db/).
_PG_NAME_LOCK, _PG_ADDRESS_LOCK = 0x5E9_3A02, 0x5E9_3A03


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _lock_keys(session: Session, name: str, address: str) -> None:
    """Hold the name's and the address's locks until the transaction ends (Postgres).

    Under READ COMMITTED concurrent attempts would all count the failures committed so far and all
    pass; waiting here makes each count include the failures of those before it. Every attempt
    takes the name's lock before the address's, so no two attempts each wait for the other.
    Sign-ins from one address thus take turns (one password check each), as on SQLite, which
    needs no lock: the login's transaction holds the only write lock (``for_writing``).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    lock = text("SELECT pg_advisory_xact_lock(:class, hashtext(:key))")
    for lock_class, key in ((_PG_NAME_LOCK, name), (_PG_ADDRESS_LOCK, address)):
        session.execute(lock, {"class": lock_class, "key": key})


def refused_until(*, session: Session, username: str, address: str) -> datetime | None:
    """When attempts for ``username`` from ``address`` are allowed again; None: now.

    On Postgres this also locks the name and the address until the transaction ends: record the
    failure (or forget the failures) in the same transaction, before it commits.
    """
    name, address = username[:_KEY_LENGTH], address[:_KEY_LENGTH]
    _lock_keys(session, name, address)
    since = _now() - WINDOW
    ends = []
    same_pair = and_(LoginFailure.username == name, LoginFailure.address == address)
    for condition, limit in (
        (same_pair, MAX_FAILURES_PER_NAME_AND_ADDRESS),
        (LoginFailure.address == address, MAX_FAILURES_PER_ADDRESS),
        (LoginFailure.username == name, MAX_FAILURES_PER_NAME),
    ):
        # The limit-th newest failure in the window: once it ages out, fewer than limit are left.
        oldest_counted = session.scalar(
            select(LoginFailure.failed_at)
            .where(condition, LoginFailure.failed_at > since)
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


def forget_failures(*, session: Session, username: str, address: str) -> None:
    """After a sign-in: that name's failures from that address (others' guesses still count)."""
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == username[:_KEY_LENGTH], LoginFailure.address == address[:_KEY_LENGTH]
        )
    )
