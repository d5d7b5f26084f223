"""--db replaces SEGMENTS_DATABASE_URL: an empty --db is an error, an empty variable is unset."""

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
