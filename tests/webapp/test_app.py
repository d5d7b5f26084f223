"""The app factory: local assets only, request size cap, gunicorn entry point."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from db.settings import Settings
from tests.webapp.test_upload import as_upload
from webapp.app import job_cache_dir, upload_request_limit

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_index_references_nothing_external(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/assets/bootstrap.min.css">' in html
    # Every script and stylesheet is served by the app itself.
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "cdn" not in html.lower()


def test_bootstrap_is_bundled_with_its_license():
    css = (REPO_ROOT / "webapp" / "assets" / "bootstrap.min.css").read_text()
    assert "Bootstrap  v5.3" in css[:200] and "Licensed under MIT" in css[:300]
    assert "@import" not in css and "sourceMappingURL" not in css


def test_upload_request_limit_allows_base64_of_the_configured_size():
    assert upload_request_limit(1) == 4 * 1024 * 1024 // 3 + 1 + 1024 * 1024
    assert upload_request_limit(200) > 200 * 1024 * 1024 * 4 / 3


def test_oversized_request_is_refused(client):
    # upload_max_mb=1 in the fixture: a 2 MB upload exceeds the request cap.
    body = {"inputs": [{"id": "data-upload", "property": "contents", "value": as_upload(b"x" * 2_000_000)}]}
    assert client.post("/_dash-update-component", json=body).status_code == 413


def run_wsgi(
    env_extra: dict[str, str], code: str = "import webapp.wsgi as w; print(type(w.server).__name__)"
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENTS_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_wsgi_needs_a_secret_key(tmp_path):
    result = run_wsgi({"SEGMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 4
    assert result.stderr.startswith("error: SEGMENTS_SECRET_KEY is not set")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SEGMENTS_UPLOAD_MAX_MB": "abc"}, "SEGMENTS_UPLOAD_MAX_MB must be a whole number of megabytes"),
        ({"SEGMENTS_DATABASE_URL": "mysql://x"}, "unsupported database URL mysql://"),
        ({"SEGMENTS_CURRENCY": "pounds"}, "SEGMENTS_CURRENCY must be an ISO 4217 currency code"),
    ],
)
def test_wsgi_bad_setting_is_one_line(env, message):
    result = run_wsgi({"SEGMENTS_SECRET_KEY": "k" * 32, **env})
    assert result.returncode == 4
    assert result.stderr.startswith(f"error: {message}") and len(result.stderr.splitlines()) == 1


def test_gunicorn_stops_on_a_bad_setting_with_one_line_and_no_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGMENTS_", "XDG_RUNTIME_DIR"))}
    # HOME: gunicorn's control socket goes under it, away from other servers'.
    env.update(SEGMENTS_SECRET_KEY="k" * 32, SEGMENTS_UPLOAD_MAX_MB="abc", HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "webapp.wsgi:server"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # Exit code 4 is gunicorn's "App failed to load": the master stops instead of respawning.
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("error: SEGMENTS_UPLOAD_MAX_MB must be a whole number") == 1


def test_wsgi_import_does_not_touch_the_database(tmp_path):
    db = tmp_path / "x.db"
    result = run_wsgi({"SEGMENTS_DATABASE_URL": f"sqlite:///{db}", "SEGMENTS_SECRET_KEY": "k" * 32})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Flask"
    assert not db.exists()
    shutil.rmtree(job_cache_dir(Settings(database_url=f"sqlite:///{db}")), ignore_errors=True)


LAYOUT_STATUS = "import webapp.wsgi as w; print(w.server.test_client().get('/_dash-layout').status_code)"


def test_wsgi_requires_a_login_even_before_any_user_exists(tmp_path):
    env = {"SEGMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SEGMENTS_SECRET_KEY": "k" * 32}
    locked = run_wsgi(env, LAYOUT_STATUS)
    assert locked.returncode == 0, locked.stderr
    assert locked.stdout.strip() == "503"
    opened = run_wsgi({**env, "SEGMENTS_NO_AUTH": "1"}, LAYOUT_STATUS)
    assert opened.stdout.strip() == "200", opened.stderr
    shutil.rmtree(job_cache_dir(Settings(database_url=env["SEGMENTS_DATABASE_URL"])), ignore_errors=True)


def test_outdated_database_gets_a_clear_503(tmp_path):
    from db.migrate import upgrade
    from db.session import create_db_engine
    from webapp.app import create_app

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    client = create_app(Settings(database_url=url, secret_key="k")).server.test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "segments db upgrade" in response.get_data(as_text=True)
    shutil.rmtree(job_cache_dir(Settings(database_url=url)), ignore_errors=True)


def test_database_of_a_newer_version_gets_a_clear_503(tmp_path):
    from sqlalchemy import text

    from db.migrate import upgrade
    from db.session import create_db_engine
    from webapp.app import create_app

    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    client = create_app(Settings(database_url=url, secret_key="k")).server.test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "newer" in response.get_data(as_text=True)
    shutil.rmtree(job_cache_dir(Settings(database_url=url)), ignore_errors=True)
