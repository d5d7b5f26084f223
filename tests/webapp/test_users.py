import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import User
from webapp.users import (
    UserAdminError,
    add_user,
    authenticate,
    list_users,
    remove_user,
    users_exist,
)


def test_add_authenticate_remove(engine):
    with Session(engine) as s, s.begin():
        assert not users_exist(session=s)
        add_user(session=s, username="alice", password="password-1")
        add_user(session=s, username="bob", password="password-1")
    with Session(engine) as s:
        assert users_exist(session=s)
        assert [u["username"] for u in list_users(session=s)] == ["alice", "bob"]
        assert authenticate(session=s, username="alice", password="password-1")
        assert not authenticate(session=s, username="alice", password="password-2")
        assert not authenticate(session=s, username="carol", password="password-1")
        hashes = s.scalars(select(User.password_hash)).all()
    # Salted argon2: the same password never gives the same stored hash, and is never stored.
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert len(set(hashes)) == 2 and "password-1" not in "".join(hashes)
    with Session(engine) as s, s.begin():
        remove_user(session=s, username="alice")
        remove_user(session=s, username="bob")
    with Session(engine) as s:
        assert not users_exist(session=s)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("has space", "password-1", "user name must be"),
        ("", "password-1", "user name must be"),
        ("x" * 65, "password-1", "user name must be"),
        ("alice", "short", "at least 8 characters"),
        ("alice", " " * 12, "not be only spaces"),
    ],
)
def test_invalid_users_refused(engine, name, password, message):
    with Session(engine) as s, s.begin(), pytest.raises(UserAdminError, match=message):
        add_user(session=s, username=name, password=password)


def test_duplicate_and_unknown_refused(engine):
    with Session(engine) as s, s.begin():
        add_user(session=s, username="alice", password="password-1")
    with Session(engine) as s, s.begin(), pytest.raises(UserAdminError, match="already exists"):
        add_user(session=s, username="alice", password="password-2")
    with Session(engine) as s, s.begin(), pytest.raises(UserAdminError, match="user 'alice' already exists"):
        add_user(session=s, username="Alice", password="password-2")
    with Session(engine) as s, s.begin(), pytest.raises(UserAdminError, match="no user named 'zed'"):
        remove_user(session=s, username="zed")
