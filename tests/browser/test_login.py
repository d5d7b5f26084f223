"""With a user defined: anonymous page, callback and download requests are refused; login works."""

import json
import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import severe_console_errors
from tests.webapp.conftest import PASSWORD

WAIT = 30


def status_of(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def sign_in(driver, password: str = PASSWORD) -> None:
    driver.find_element(By.ID, "login-username").send_keys("alice")
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("/_dash-update-component", "POST", {"output": "overview-kpis.children", "inputs": []}),
        ("/_dash-layout", "GET", None),
        ("/download/rejected-rows.csv", "GET", None),
        # The campaign CSV export is a callback (dcc.Download): refused like any other.
        (
            "/_dash-update-component",
            "POST",
            {
                "output": "campaigns-download.data",
                "outputs": {"id": "campaigns-download", "property": "data"},
                "inputs": [{"id": "campaigns-export", "property": "n_clicks", "value": 1}],
                "state": [{"id": "campaigns-run", "property": "value", "value": 1}],
                "changedPropIds": ["campaigns-export.n_clicks"],
            },
        ),
    ],
)
def test_anonymous_callbacks_and_downloads_are_refused(locked_server, path, method, body):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        locked_server + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    assert status_of(request) == 401


def test_page_redirects_to_login_then_login_works_and_logout_ends_it(page, locked_server):
    page.get(locked_server + "/data")
    WebDriverWait(page, WAIT).until(EC.url_contains("/login?next="))
    assert page.current_url == locked_server + "/login?next=%2Fdata"

    sign_in(page, password="wrong password")
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.ID, "login-error")))
    page.get_log("browser")  # the refused login answers 401 by design; not a page error

    sign_in(page)
    WebDriverWait(page, WAIT).until(EC.url_to_be(locked_server + "/data"))
    WebDriverWait(page, WAIT).until(
        EC.text_to_be_present_in_element((By.ID, "data-rejected-count"), "1 rejected")
    )
    assert page.find_element(By.ID, "nav-user").text == "alice"
    assert severe_console_errors(page) == []

    page.find_element(By.ID, "nav-logout").click()
    WebDriverWait(page, WAIT).until(EC.url_contains("/login"))
    page.get(locked_server + "/")
    WebDriverWait(page, WAIT).until(EC.url_contains("/login?next="))


def test_back_after_logout_shows_no_cached_page(page, locked_server):
    page.get(locked_server + "/data")
    WebDriverWait(page, WAIT).until(EC.url_contains("/login?next="))
    sign_in(page)
    WebDriverWait(page, WAIT).until(
        EC.text_to_be_present_in_element((By.ID, "data-rejected-count"), "1 rejected")
    )
    page.find_element(By.ID, "nav-logout").click()
    WebDriverWait(page, WAIT).until(EC.url_contains("/login"))
    page.back()  # was: the data page again, from the browser's cache
    WebDriverWait(page, WAIT).until(EC.url_contains("/login?next="))
    assert page.find_elements(By.ID, "data-rejected-count") == []


def test_open_dashboard_login_link_goes_to_the_page(page, open_server):
    """Was: on the open dashboard (no users), /login?next=/campaigns showed a sign-in form that
    refused every answer."""
    page.get(open_server + "/login?next=/campaigns")
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.ID, "campaigns-grid")))
    assert page.current_url == open_server + "/campaigns" and not page.find_elements(By.ID, "login-username")
    assert severe_console_errors(page) == []
