"""Dashboard users: salted argon2 password hashes in ``users``; signed-in browsers in
``login_sessions``."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from db.models import LoginSession, User

NAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
    return _hasher.hash("not-a-real-password")


class UserAdminError(ValueError):
    """A user could not be added or removed; the message is one line for the command line."""


def validate_username(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise UserAdminError(
            "user name must be 1-64 characters: ASCII letters, digits and . _ @ - (no spaces)"
        )
    return name


def validate_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserAdminError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise UserAdminError("password must not be only spaces")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(*, session: Session, username: str, password: str) -> User:
    validate_username(username)
    validate_password(password)
    # "Bob" next to "bob" is a typo waiting to lock someone out: names differ in more than case.
    taken = session.scalar(select(User.username).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise UserAdminError(f"user {taken!r} already exists")
    user = User(
        username=username,
        password_hash=hash_password(password),
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )
    session.add(user)
    session.flush()
    return user


def remove_user(*, session: Session, username: str) -> str:
    """Remove the user and end all their sessions; returns the name removed. Any case finds
    the user, as ``add_user`` refuses a name differing only in case ("ALICE" is alice)."""
    alike = session.scalars(select(User.username).where(func.lower(User.username) == username.lower())).all()
    if username not in alike and len(alike) > 1:  # stored before add_user refused such names
        names = " or ".join(map(repr, sorted(alike)))
        raise UserAdminError(f"no user named {username!r}; did you mean {names}?")
    username = username if username in alike or not alike else alike[0]
    user_id = select(User.id).where(User.username == username).scalar_subquery()
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    result = session.execute(delete(User).where(User.username == username))
    if result.rowcount == 0:
        raise UserAdminError(f"no user named {username!r}")
    return username


def list_users(*, session: Session) -> list[dict[str, object]]:
    rows = session.execute(select(User.username, User.created_at).order_by(User.username)).mappings()
    return [dict(r) for r in rows]


def users_exist(*, session: Session) -> bool:
    return bool(session.scalar(select(exists().where(User.id.is_not(None)))))


def authenticate(*, session: Session, username: str, password: str) -> bool:
    """True when the name and password match a stored user (constant-ish time either way)."""
    stored = session.scalar(select(User.password_hash).where(User.username == username))
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, session: Session, username: str, lifetime: timedelta) -> str:
    """A new random session token for ``username`` (stored hashed); expired sessions are pruned."""
    now = _now()
    session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise UserAdminError(f"no user named {username!r}")
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user_id, token_hash=_token_hash(token), created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return token


def session_user(*, session: Session, token: object) -> str | None:
    """The user a live session token belongs to; None for an unknown, ended or expired one."""
    if not isinstance(token, str) or not token:
        return None
    return session.scalar(
        select(User.username)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.expires_at > _now())
    )


def end_session(*, session: Session, token: object) -> None:
    if isinstance(token, str) and token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
