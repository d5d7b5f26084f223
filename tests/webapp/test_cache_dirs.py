"""The job and results cache lives in a directory no other local user can read or plant in."""

import os
import stat

import pytest

from db.settings import Settings, SettingsError
from webapp.cache_dirs import job_cache_dir, private_dir


def test_cache_directory_is_private_and_per_database(tmp_path):
    base = tmp_path / "cache"
    a = job_cache_dir(Settings(database_url="sqlite:///a.db", cache_dir=str(base)))
    b = job_cache_dir(Settings(database_url="sqlite:///b.db", cache_dir=str(base)))
    assert a.parent == b.parent == base and a != b
    assert stat.S_IMODE(base.stat().st_mode) == 0o700


def test_an_open_directory_is_refused_and_left_as_it_is(tmp_path):
    base = tmp_path / "shared"
    base.mkdir()
    base.chmod(0o1777)  # like /tmp: others use it too, so it must not be re-permissioned
    with pytest.raises(SettingsError, match="is open to other users; set SEGMENTS_CACHE_DIR"):
        private_dir(base)
    assert stat.S_IMODE(base.stat().st_mode) == 0o1777


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown")
def test_a_directory_of_another_user_is_refused(tmp_path):
    base = tmp_path / "planted"
    base.mkdir()
    os.chown(base, 12345, 12345)
    with pytest.raises(SettingsError, match="belongs to another user; set SEGMENTS_CACHE_DIR"):
        private_dir(base)


def test_a_symlink_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(SettingsError):
        private_dir(link)


def test_cache_dir_from_the_environment():
    settings = Settings.from_env({"SEGMENTS_CACHE_DIR": "/srv/segments-cache"})
    assert settings.cache_dir == "/srv/segments-cache"
