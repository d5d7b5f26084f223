"""docker-compose.yml and the Dockerfile describe a working deployment (Docker is not needed here)."""

import re
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def test_compose_services_start_in_order():
    services = compose()["services"]
    db, migrate, web = services["db"], services["migrate"], services["web"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert migrate["command"] == ["segments", "db", "upgrade"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert web["depends_on"]["db"] == {"condition": "service_healthy"}


def test_compose_configures_through_environment():
    services = compose()["services"]
    for name in ("migrate", "web"):
        env = services[name]["environment"]
        assert env["SEGMENTS_DATABASE_URL"].startswith("postgresql://segments:${POSTGRES_PASSWORD")
        assert env["SEGMENTS_DATABASE_URL"].endswith("@db:5432/segments")
        assert env["SEGMENTS_SECRET_KEY"] == "${SEGMENTS_SECRET_KEY:-}"  # never a default secret
        assert env["SEGMENTS_CURRENCY"] == "${SEGMENTS_CURRENCY:-}"  # empty: no unit, as unset
        assert services[name]["build"] == "."
    # Never a built-in database password: compose stops with a message when it is not set.
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert "${POSTGRES_PASSWORD:?" in services["web"]["environment"]["SEGMENTS_DATABASE_URL"]


def test_dockerfile_serves_wsgi_and_finds_migrations():
    text = (REPO_ROOT / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    migrations = re.search(r"SEGMENTS_MIGRATIONS_DIR=(\S+)", text).group(1)
    assert migrations == "/app/migrations" and "COPY . /app" in text
    assert (REPO_ROOT / "migrations" / "env.py").is_file()
    assert '"webapp.wsgi:server"' in text and "pip install ." in text
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert "migrations" not in ignored and "*.csv.gz" in ignored and ".git" in ignored
    # docker compose reads secrets from .env: they must not be copied into the image or committed.
    assert ".env" in ignored
    assert ".env" in (REPO_ROOT / ".gitignore").read_text().split()
