"""--db replaces SEGMENTS_DATABASE_URL: an empty --db is an error, an empty variable is unset;
SEGMENTS_CURRENCY is an ISO 4217 code or nothing; SEGMENTS_COOKIE_SECURE is 1 or 0 and
SEGMENTS_PROXY_HOPS a count."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.settings import Settings, SettingsError


def test_empty_db_option_is_refused():
    with pytest.raises(SettingsError, match="database URL is empty"):
        Settings.from_env({}, database_url="")
    with pytest.raises(SettingsError, match="database URL is empty"):
        Settings.from_env({}).with_database(" ")


def test_empty_variable_means_the_default_file():
    url = Settings.from_env({"SEGMENTS_DATABASE_URL": ""}).database_url
    assert url == f"sqlite:///{Path.cwd() / 'segments.db'}"


def test_variable_is_checked_only_when_used():
    env = {"SEGMENTS_DATABASE_URL": "mysql://x"}
    assert Settings.from_env(env, database_url="real.db").database_url == "sqlite:///real.db"
    with pytest.raises(SettingsError, match="unsupported database URL mysql://"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("  ", None), ("GBP", "GBP"), ("eur", "EUR"), (" chf ", "CHF"), ("uSd", "USD")],
)
def test_currency_is_an_upper_case_code_or_unset(value, expected):
    env = {} if value is None else {"SEGMENTS_CURRENCY": value}
    assert Settings.from_env(env).currency == expected


@pytest.mark.parametrize("value", ["£", "pounds", "GB", "GBPX", "G8P", "€UR", "ÉUR", "US$", "G B", "XYZ", "abc"])
def test_anything_but_a_currency_code_is_refused_in_one_line(value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"SEGMENTS_CURRENCY": value})
    message = str(refused.value)
    assert message.startswith("SEGMENTS_CURRENCY must be an ISO 4217 currency code like GBP")
    assert repr(value.strip()) in message and "\n" not in message


@pytest.mark.parametrize(("value", "expected"), [(None, False), ("", False), ("0", False), ("1", True), (" 1 ", True)])
def test_cookie_secure_is_a_flag(value, expected):
    env = {} if value is None else {"SEGMENTS_COOKIE_SECURE": value}
    assert Settings.from_env(env).cookie_secure is expected


def test_cookie_secure_refuses_other_words():
    with pytest.raises(SettingsError, match=r"^SEGMENTS_COOKIE_SECURE must be 1 \(on\) or 0 \(off\), not 'yes'$"):
        Settings.from_env({"SEGMENTS_COOKIE_SECURE": "yes"})


def test_proxy_hops_is_a_count():
    assert Settings.from_env({}).proxy_hops == 0
    assert Settings.from_env({"SEGMENTS_PROXY_HOPS": "2"}).proxy_hops == 2
    for value in ("-1", "one", "1.5", "²"):
        with pytest.raises(SettingsError, match="SEGMENTS_PROXY_HOPS must be a number of proxies"):
            Settings.from_env({"SEGMENTS_PROXY_HOPS": value})
