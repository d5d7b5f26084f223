import pytest
from click.testing import CliRunner

from tests.webapp.conftest import create_user
from webapp.cli import cli
from webapp.serving import auth_mode, host_header_is_loopback, is_loopback, serve_refusal


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.org", False),
        # Was True: a resolver need not keep *.localhost on loopback, and serve binds what it gets.
        ("foo.localhost", False),
        ("localhost.example.org", False),
    ],
)
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("localhost:8050", True),
        ("127.0.0.1:8050", True),
        ("[::1]:8050", True),
        ("[::1]", True),
        ("attacker.example:8050", False),
        ("foo.localhost:8050", False),
        ("localhost.attacker.example", False),
        ("evil@example.org", False),
        ("[::1", False),
        ("", False),
    ],
)
def test_host_header_is_loopback(header, expected):
    assert host_header_is_loopback(header) is expected


def test_auth_mode_keeps_a_network_server_locked():
    assert auth_mode("127.0.0.1", no_auth=False) is None  # open until a user exists
    assert auth_mode("0.0.0.0", no_auth=False) is True  # locked, even if all users go
    assert auth_mode("0.0.0.0", no_auth=True) is False


def test_serve_refusal_rules():
    assert serve_refusal("127.0.0.1", users_exist=False, no_auth=False, secret_key=None) is None
    open_refusal = serve_refusal("0.0.0.0", users_exist=False, no_auth=False, secret_key="k")
    assert "without a login" in open_refusal and "--no-auth" in open_refusal
    assert serve_refusal("0.0.0.0", users_exist=False, no_auth=True, secret_key=None) is None
    assert "SEGMENTS_SECRET_KEY" in serve_refusal("0.0.0.0", users_exist=True, no_auth=False, secret_key=None)
    assert serve_refusal("0.0.0.0", users_exist=True, no_auth=False, secret_key="k") is None


def test_serve_on_network_without_users_exits_2(db_url):
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", db_url])
    assert result.exit_code == 2
    assert result.output.startswith("error: refusing to serve on 0.0.0.0 without a login")
    assert len(result.output.strip().splitlines()) == 1


def test_serve_on_network_with_users_needs_secret(db_url, engine, monkeypatch):
    monkeypatch.delenv("SEGMENTS_SECRET_KEY", raising=False)
    create_user(engine)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", db_url])
    assert result.exit_code == 2
    assert "SEGMENTS_SECRET_KEY" in result.output
