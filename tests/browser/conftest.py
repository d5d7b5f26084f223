"""Real-browser fixtures: the real app served by ``segments serve``, driven by headless Chromium.

Live servers for the whole session, each on its own migrated SQLite file with a small
ingested sample: an open one (no users) and a locked one (user alice exists) on the six-line
TINY_CSV, and an open one on generated sample data with monthly segmentation runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from analytics.backfill import backfill
from analytics.sample_data import write_sample
from db.ingest import ingest_file
from db.migrate import upgrade
from db.session import create_db_engine
from db.settings import Settings
from tests.conftest import IN_CI, REPO_ROOT
from tests.webapp.conftest import PASSWORD, TINY_CSV
from webapp.cache_dirs import job_cache_dir
from webapp.users import add_user

CHROMIUM = os.environ.get("SEGMENTS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SEGMENTS_CHROMEDRIVER", "/usr/bin/chromedriver")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed_database(path: Path, csv_path: Path, *, user: str | None) -> str:
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        ingest_file(csv_path, session=s)
        if user:
            add_user(session=s, username=user, password=PASSWORD)
    engine.dispose()
    return url


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"segments serve exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"segments serve did not answer within 60 s:\n{log.read_text()}")


SAMPLE_CUSTOMERS = 120
SAMPLE_RUN_MONTHS = (date(2011, 9, 1), date(2011, 11, 30))  # three month ends: three runs


def _add_runs(url: str) -> None:
    engine = create_db_engine(url)
    try:
        results = backfill(
            engine=engine, start=SAMPLE_RUN_MONTHS[0], end=SAMPLE_RUN_MONTHS[1], stability_resamples=2
        )
    finally:
        engine.dispose()
    assert [r["status"] for r in results] == ["finished"] * 3, results


def _serve(tmp: Path, *, user: str | None, sample_customers: int | None = None):
    csv_path = tmp / "sample.csv"
    if sample_customers:
        write_sample(csv_path, customers=sample_customers, seed=7)
    else:
        csv_path.write_text(TINY_CSV)
    url = _seed_database(tmp / "segments.db", csv_path, user=user)
    if sample_customers:
        _add_runs(url)
    yield from serve_database(url, tmp)


def serve_database(url: str, tmp: Path):
    """Run ``segments serve`` on an existing database; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "SEGMENTS_SECRET_KEY": "browser-test-secret", "SEGMENTS_UPLOAD_MAX_MB": "5"}
    log = tmp / "server.log"
    cmd = [
        sys.executable,
        "-c",
        "from webapp.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--db",
        url,
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(job_cache_dir(Settings(database_url=url)), ignore_errors=True)


@pytest.fixture(scope="session")
def open_server(tmp_path_factory):
    """Base URL of a live app with sample data and no users."""
    yield from _serve(tmp_path_factory.mktemp("open-server"), user=None)


@pytest.fixture(scope="session")
def locked_server(tmp_path_factory):
    """Base URL of a live app with sample data and one user (alice)."""
    yield from _serve(tmp_path_factory.mktemp("locked-server"), user="alice")


@pytest.fixture(scope="session")
def sample_server(tmp_path_factory):
    """Base URL of a live app (no users) with generated data for 120 customers and three
    finished monthly runs (as of 2011-10-01, 2011-11-01, 2011-12-01)."""
    yield from _serve(tmp_path_factory.mktemp("sample-server"), user=None, sample_customers=SAMPLE_CUSTOMERS)


@pytest.fixture(scope="session")
def download_dir(tmp_path_factory) -> Path:
    """Where Chromium saves downloads (its ``download.default_directory``)."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def browser(tmp_path_factory, download_dir):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        message = f"Chromium/chromedriver not found at {CHROMIUM}, {CHROMEDRIVER}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False}
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser):
    """The shared browser with no cookies and an empty console log."""
    browser.delete_all_cookies()
    browser.get("about:blank")
    browser.get_log("browser")  # reading the log empties it
    return browser


def severe_console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def external_requests(driver, base: str) -> list[str]:
    """Resources the page fetched from anywhere but the app itself."""
    names = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [n for n in names if not n.startswith(base + "/") and not n.startswith("data:")]
