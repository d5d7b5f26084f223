"""A callback that fails (session ended, database down) shows a notice instead of old figures
under a new selection with no word; the notice goes once a later callback succeeds."""

import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from db.ingest import ingest_file
from db.session import create_db_engine
from tests.browser.conftest import serve_database, severe_console_errors
from tests.browser.test_login import sign_in
from tests.browser.test_overview_segments import wait_text
from tests.webapp.conftest import TINY_CSV
from tests.webapp.test_db_outage import set_connections

WAIT = 30
NOTICE = (By.ID, "request-failure")
COUNTRY_OPTION = "//label[@role='option'][.//input[@value='{}']]"


def toggle_country(driver, name: str) -> None:
    if not driver.find_elements(By.XPATH, COUNTRY_OPTION.format(name)):  # the menu is closed
        driver.find_element(By.ID, "overview-country").click()
    WebDriverWait(driver, WAIT).until(
        EC.element_to_be_clickable((By.XPATH, COUNTRY_OPTION.format(name)))
    ).click()


def log_out_elsewhere(driver, base: str) -> None:
    """What "Log out" in another tab does: the server deletes this browser's session row."""
    cookie = driver.get_cookie("session")["value"]
    request = urllib.request.Request(base + "/logout", method="POST", headers={"Cookie": f"session={cookie}"})
    opener = urllib.request.build_opener(NoRedirect)
    assert opener.open(request, timeout=10).status == 302


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def http_error_302(self, req, fp, code, msg, headers):
        return fp


def test_session_ended_elsewhere_says_so_and_links_to_the_login(page, locked_server):
    page.get(locked_server + "/?end=2010-12-31&country=France")
    WebDriverWait(page, WAIT).until(EC.url_contains("/login?next="))
    sign_in(page)
    wait_text(page, "#overview-kpi-revenue", "11.10")
    log_out_elsewhere(page, locked_server)

    toggle_country(page, "United Kingdom")  # was: the URL changed, France's figures stayed, no word
    notice = WebDriverWait(page, WAIT).until(EC.visibility_of_element_located(NOTICE))
    assert notice.get_attribute("role") == "alert"
    assert notice.text.startswith("Your session has ended: sign in again")
    link = page.find_element(By.ID, "request-failure-login")
    query = "end=2010-12-31&country=France&country=United+Kingdom"
    assert not script_errors(page)  # were "body stream already read" and Dash's own error log
    WebDriverWait(page, WAIT).until(EC.url_contains(query))
    assert link.get_attribute("href") == (
        locked_server + "/login?next=" + urllib.parse.quote("/?" + query, safe="")
    )

    link.click()  # back to the same selection once signed in
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.ID, "login-username")))
    sign_in(page)
    WebDriverWait(page, WAIT).until(EC.url_to_be(locked_server + "/?" + query))
    wait_text(page, "#overview-kpi-revenue", "46.74")
    assert not page.find_elements(*NOTICE)


@pytest.fixture
def postgres_server(postgres_url, tmp_path):
    """``segments serve`` (open, no users) on a Postgres database holding TINY_CSV."""
    csv_path = tmp_path / "tiny.csv"
    csv_path.write_text(TINY_CSV)
    engine = create_db_engine(postgres_url)
    with Session(engine) as s, s.begin():
        ingest_file(csv_path, session=s)
    engine.dispose()
    yield from serve_database(postgres_url, tmp_path)


def test_database_outage_says_so_until_a_callback_works_again(page, postgres_server, postgres_url):
    page.get(postgres_server + "/?end=2010-12-31&country=France")
    wait_text(page, "#overview-kpi-revenue", "11.10")
    name = make_url(postgres_url).database
    set_connections(name, allowed=False)  # refuses new connections and ends the pooled ones
    try:
        toggle_country(page, "United Kingdom")
        notice = WebDriverWait(page, WAIT).until(EC.visibility_of_element_located(NOTICE))
        assert notice.text.startswith(
            "Could not update: the database is unavailable at the moment; please try again shortly. "
            "What you see may be out of date."
        )
        assert page.find_element(By.ID, "request-failure-retry").text == "Try again"
        assert figures_dimmed(page)  # the old figures do not pass for the new selection's
        assert not script_errors(page)
    finally:
        set_connections(name, allowed=True)
    toggle_country(page, "France")  # France off: the UK alone, from the database again
    wait_text(page, "#overview-kpi-revenue", "35.64")
    WebDriverWait(page, WAIT).until(EC.invisibility_of_element_located(NOTICE))
    assert not figures_dimmed(page)


def script_errors(driver) -> list[str]:
    """The console's errors other than the failed requests themselves (the browser logs each)."""
    return [e for e in severe_console_errors(driver) if "Failed to load resource" not in e]


def figures_dimmed(driver) -> bool:
    kpi = driver.find_element(By.CSS_SELECTOR, ".kpi-card")
    return float(kpi.value_of_css_property("opacity")) < 1


BAD_CALLBACK = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {method: "POST", headers: {"Content-Type": "application/json"}, body: "{"})
  .then(function (r) { done(r.status); }, function (e) { done(String(e)); });
"""


def test_a_refused_request_says_so_without_offering_the_same_again(page, postgres_server):
    page.get(postgres_server + "/?end=2010-12-31&country=France")
    wait_text(page, "#overview-kpi-revenue", "11.10")
    # Through the page's own fetch, as Dash sends it: a body the server cannot read (400).
    status = page.execute_async_script(BAD_CALLBACK, postgres_server + "/_dash-update-component")
    assert status == 204  # the server's 400, handed to Dash as "no update" once the notice says why
    notice = WebDriverWait(page, WAIT).until(EC.visibility_of_element_located(NOTICE))
    assert notice.text.startswith("Could not update: the server refused the request (")
    assert "What you see may be out of date." in notice.text
    assert not page.find_elements(By.ID, "request-failure-retry")  # the same request would fail
    assert figures_dimmed(page)
    assert not script_errors(page)
    # Not over the filters it asks the reader to change (at the top it covered the countries).
    box, filters = notice.rect, page.find_element(By.ID, "overview-country").rect
    assert box["y"] >= filters["y"] + filters["height"]
    toggle_country(page, "United Kingdom")  # a good update clears both
    wait_text(page, "#overview-kpi-revenue", "46.74")
    WebDriverWait(page, WAIT).until(EC.invisibility_of_element_located(NOTICE))
    assert not figures_dimmed(page)
