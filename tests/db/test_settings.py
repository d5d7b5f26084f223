"""--db replaces SEGMENTS_DATABASE_URL: an empty --db is an error, an empty variable is unset;
SEGMENTS_CURRENCY is an ISO 4217 code or nothing."""

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


@pytest.mark.parametrize("value", ["£", "pounds", "GB", "GBPX", "G8P", "€UR", "ÉUR", "US$", "G B"])
def test_anything_but_three_letters_is_refused_in_one_line(value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"SEGMENTS_CURRENCY": value})
    message = str(refused.value)
    assert message.startswith("SEGMENTS_CURRENCY must be a three-letter ISO 4217 code like GBP")
    assert repr(value.strip()) in message and "\n" not in message
