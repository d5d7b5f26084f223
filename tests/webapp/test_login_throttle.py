"""Failed sign-ins are throttled per user name and client address, per address and (loosely) per
name, through the login form, against the real app and database (shared by every worker: the
rows are in the database)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import LoginFailure
from tests.webapp.conftest import PASSWORD, create_user
from webapp.login_throttle import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_NAME,
    MAX_FAILURES_PER_NAME_AND_ADDRESS,
    WINDOW,
    record_failure,
)


def attempt(client, name: str = "alice", password: str = PASSWORD, address: str = "127.0.0.1", **headers):
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["login_csrf"]
    form = {"username": name, "password": password, "csrf_token": token, "next": "/"}
    return client.post("/login", data=form, environ_base={"REMOTE_ADDR": address}, headers=headers)


def fail(client, times: int, name: str = "alice", address: str = "127.0.0.1") -> None:
    for _ in range(times):
        assert attempt(client, name, "wrong password", address).status_code == 401


def date_failures(engine, ago: timedelta) -> None:
    """As if every failure had happened ``ago`` (computed here: SQLite stores dates as text)."""
    with Session(engine) as s, s.begin():
        s.execute(update(LoginFailure).values(failed_at=datetime.now(UTC).replace(tzinfo=None) - ago))


def failures(engine) -> list[tuple[str, str]]:
    with Session(engine) as s:
        return [tuple(row) for row in s.execute(select(LoginFailure.username, LoginFailure.address))]


def test_too_many_failures_for_a_name_from_an_address_refuse_even_the_right_password_there(client, engine):
    create_user(engine)
    fail(client, MAX_FAILURES_PER_NAME_AND_ADDRESS)
    refused = attempt(client)
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many failed sign-ins for this user name or from this address: try again in 15 minutes." in text
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    for _ in range(10):  # refused attempts are not failures: they never push the end further
        assert attempt(client, password="wrong password").status_code == 429
    assert len(failures(engine)) == MAX_FAILURES_PER_NAME_AND_ADDRESS
    date_failures(engine, WINDOW - timedelta(minutes=2, seconds=30))
    assert "try again in 3 minutes" in attempt(client).get_data(as_text=True)
    date_failures(engine, WINDOW + timedelta(seconds=1))
    assert attempt(client).status_code == 302  # the window passed: no lasting lock-out
    assert failures(engine) == []  # and signing in forgets the failures


def test_failing_on_purpose_does_not_lock_the_user_out_of_another_address(client, engine):
    create_user(engine)
    fail(client, MAX_FAILURES_PER_NAME_AND_ADDRESS, address="198.51.100.9")
    assert attempt(client, address="198.51.100.9").status_code == 429
    assert attempt(client, address="192.0.2.7").status_code == 302
    # Signing in forgets only that address's failures: the other one is still refused.
    assert attempt(client, address="198.51.100.9").status_code == 429
    assert len(failures(engine)) == MAX_FAILURES_PER_NAME_AND_ADDRESS


def test_many_addresses_failing_for_one_name_refuse_it_everywhere(client, engine):
    """The loose per-name limit: guessing one name from many addresses (as if each had failed
    once already; checking that many passwords through the form would take a while)."""
    create_user(engine)
    with Session(engine) as s, s.begin():
        for i in range(MAX_FAILURES_PER_NAME - 1):
            record_failure(session=s, username="alice", address=f"10.1.{i // 250}.{i % 250}")
    fail(client, 1, address="203.0.113.1")
    assert attempt(client, address="203.0.113.2").status_code == 429
    assert attempt(client, name="bob", password="wrong password", address="203.0.113.2").status_code == 401


def test_signing_in_resets_the_count(client, engine):
    create_user(engine)
    fail(client, MAX_FAILURES_PER_NAME_AND_ADDRESS - 1)
    assert attempt(client).status_code == 302
    fail(client, MAX_FAILURES_PER_NAME_AND_ADDRESS - 1)
    assert attempt(client).status_code == 302


def test_one_address_trying_many_names_is_refused_and_others_are_not(client, engine):
    create_user(engine)
    for i in range(MAX_FAILURES_PER_ADDRESS):
        fail(client, 1, name=f"guess{i}", address="198.51.100.9")
    assert attempt(client, address="198.51.100.9").status_code == 429
    assert attempt(client, address="198.51.100.10").status_code == 302


def test_workers_share_the_count(make_app, engine):
    """Two apps on one database, as two gunicorn workers are."""
    create_user(engine)
    fail(make_app().server.test_client(), MAX_FAILURES_PER_NAME_AND_ADDRESS)
    assert attempt(make_app().server.test_client()).status_code == 429


def test_forwarded_addresses_count_only_behind_trusted_proxies(make_app, engine):
    create_user(engine)
    direct = make_app().server.test_client()
    # A client cannot dodge the address count by sending X-Forwarded-For itself.
    for i in range(MAX_FAILURES_PER_ADDRESS):
        forged = {"X-Forwarded-For": f"203.0.113.{i}"}
        assert attempt(direct, f"guess{i}", "wrong password", "198.51.100.9", **forged).status_code == 401
    assert attempt(direct, address="198.51.100.9", **{"X-Forwarded-For": "203.0.113.99"}).status_code == 429
    assert {address for _, address in failures(engine)} == {"198.51.100.9"}
    proxied = make_app(proxy_hops=1).server.test_client()  # SEGMENTS_PROXY_HOPS=1
    # Behind one proxy every request comes from its address; the client is the forwarded one.
    proxy = "10.0.0.2"
    forwarded = {"X-Forwarded-For": "203.0.113.5"}
    assert attempt(proxied, "nobody", "wrong password", proxy, **forwarded).status_code == 401
    assert ("nobody", "203.0.113.5") in failures(engine)
    assert attempt(proxied, address=proxy, **{"X-Forwarded-For": "203.0.113.6"}).status_code == 302


@pytest.mark.parametrize(
    ("distinct_names", "limit"),
    [(False, MAX_FAILURES_PER_NAME_AND_ADDRESS), (True, MAX_FAILURES_PER_ADDRESS)],
    ids=["one-name", "many-names"],
)
def test_concurrent_failures_check_no_more_passwords_than_the_limit(make_app, engine, distinct_names, limit):
    """40 wrong passwords from one address at once, through two apps (workers): each attempt counts
    the failures of those before it, so only the limit's number of passwords are checked."""
    create_user(engine)
    apps = [make_app(), make_app()]
    clients = [apps[i % 2].server.test_client() for i in range(40)]
    forms = []
    for i, c in enumerate(clients):
        c.get("/login")
        with c.session_transaction() as sess:
            name = f"guess{i}" if distinct_names else "alice"
            forms.append({"username": name, "password": "wrong password", "csrf_token": sess["login_csrf"]})
    barrier = threading.Barrier(len(clients))

    def post(client, form) -> int:
        barrier.wait()
        return client.post("/login", data=form, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = Counter(pool.map(post, clients, forms))
    assert statuses == {401: limit, 429: len(clients) - limit}
    assert len(failures(engine)) == limit


def test_a_forwarded_header_without_trusted_proxies_is_logged_once(make_app, engine, caplog):
    create_user(engine)
    direct = make_app().server.test_client()
    with caplog.at_level(logging.WARNING, logger="webapp.app"):
        assert direct.get("/healthz").status_code == 200
        assert not caplog.records  # no header: no proxy in front to warn about
        for _ in range(3):
            direct.get("/healthz", headers={"X-Forwarded-For": "203.0.113.5"})
        attempt(direct, **{"X-Forwarded-For": "203.0.113.5"})
        assert [r.getMessage() for r in caplog.records] == [
            "requests carry X-Forwarded-For but SEGMENTS_PROXY_HOPS is 0: behind a reverse proxy, set it "
            "to the number of proxies in front (usually 1), or the login throttle counts every client as "
            "the proxy's address"
        ]
        caplog.clear()
        proxied = make_app(proxy_hops=1).server.test_client()
        proxied.get("/healthz", headers={"X-Forwarded-For": "203.0.113.5"})
        assert not caplog.records  # trusted: nothing to warn about
