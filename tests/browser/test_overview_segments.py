"""Overview and Segments in a real browser: charts drawn, filters applied, shareable URLs."""

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import external_requests, severe_console_errors

WAIT = 30


def wait_text(driver, css: str, text: str) -> None:
    WebDriverWait(driver, WAIT).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def plots(driver) -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg"))


def test_overview_shows_kpis_and_charts(page, open_server):
    # TINY_CSV: invoices 536365 (17850, 35.64) and 536366 (17851, France, 11.10), December 2010
    # (the end date keeps later uploads by other tests out of the figures).
    page.get(open_server + "/?end=2010-12-31")
    wait_text(page, "#overview-kpi-revenue", "46.74")
    assert page.find_element(By.ID, "overview-kpi-orders").text == "2"
    assert page.find_element(By.ID, "overview-kpi-customers").text == "2"
    assert all(e.text.strip() for e in page.find_elements(By.CSS_SELECTOR, ".kpi-value"))
    # 536368 (France, 2.00) has no customer id: left out of the figures, and the page says so.
    wait_text(page, "#overview-customer-note", "2.00 in 1 line without one left out")
    WebDriverWait(page, WAIT).until(lambda d: plots(d) >= 3)
    wait_text(page, "#overview-by-country", "United Kingdom")
    assert severe_console_errors(page) == []
    assert external_requests(page, open_server) == []


def test_overview_filters_change_the_numbers_and_the_url(page, open_server):
    page.get(open_server + "/?country=France")
    wait_text(page, "#overview-kpi-revenue", "11.10")
    assert page.find_element(By.ID, "overview-kpi-customers").text == "1"
    page.find_element(By.ID, "overview-country").click()  # several countries can be chosen
    option = "//label[@role='option'][.//input[@value='{}']]"
    WebDriverWait(page, WAIT).until(
        EC.element_to_be_clickable((By.XPATH, option.format("United Kingdom")))
    ).click()
    wait_text(page, "#overview-kpi-revenue", "46.74")
    WebDriverWait(page, WAIT).until(EC.url_contains("country=France&country=United+Kingdom"))
    page.find_element(By.XPATH, option.format("France")).click()  # France off: the UK alone
    wait_text(page, "#overview-kpi-revenue", "35.64")
    WebDriverWait(page, WAIT).until(lambda d: d.current_url.endswith("/?country=United+Kingdom"))
    page.refresh()  # the URL alone reproduces the view
    wait_text(page, "#overview-kpi-revenue", "35.64")
    assert severe_console_errors(page) == []


def test_overview_several_countries_in_the_url_are_chosen_and_shown(page, open_server):
    """Was: "?country=France&country=United Kingdom" showed "All countries" and every
    country's figures while the address bar kept both."""
    page.get(open_server + "/?end=2010-12-31&country=France&country=United%20Kingdom")
    wait_text(page, "#overview-country", "2 selected")
    wait_text(page, "#overview-kpi-revenue", "46.74")  # France 11.10 + UK 35.64
    assert page.find_element(By.ID, "overview-kpi-customers").text == "2"
    # An unknown one is named, as `segments trends --country` does, not shown as figures.
    page.get(open_server + "/?end=2010-12-31&country=France&country=Atlantis")
    wait_text(page, "#overview-country", "2 selected")
    wait_text(page, "#overview-country-problem", "Unknown country 'Atlantis'")
    assert page.find_elements(By.CSS_SELECTOR, ".kpi-value") == []  # not France's 11.10 alone
    assert "country=France&country=Atlantis" in page.current_url
    assert severe_console_errors(page) == []


def test_overview_start_after_end_shows_a_notice_not_other_figures(page, open_server):
    page.get(open_server + "/?start=2011-03-31&end=2011-01-01")
    wait_text(page, "#overview-range-problem", "start date is after the end date")
    assert page.find_elements(By.CSS_SELECTOR, ".kpi-value") == []
    dates = page.find_elements(By.CSS_SELECTOR, "input.dash-datepicker-input")
    assert [d.get_attribute("value") for d in dates] == ["2011-03-31", "2011-01-01"]  # end kept
    assert severe_console_errors(page) == []


def test_segments_shows_one_card_per_segment_and_its_charts(page, sample_server):
    page.get(sample_server + "/segments")
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".segment-card")))
    WebDriverWait(page, WAIT).until(lambda d: "run=" in d.current_url)
    wait_text(page, "#segments-k-sweep", "chosen k =")
    chosen = int(re.search(r"chosen k = (\d+)", page.find_element(By.ID, "segments-k-sweep").text).group(1))
    assert len(page.find_elements(By.CSS_SELECTOR, ".segment-card")) == chosen
    WebDriverWait(page, WAIT).until(lambda d: plots(d) >= 3)
    legend = page.find_elements(By.CSS_SELECTOR, "#segments-scatter .legendtext")
    assert len(legend) == chosen
    assert "Champions" in page.find_element(By.ID, "segments-grid").text
    assert "customers" in page.find_element(By.ID, "segments-scatter-caption").text
    assert severe_console_errors(page) == []
    assert external_requests(page, sample_server) == []


def test_unknown_run_renders_a_message(page, sample_server):
    page.get(sample_server + "/segments?run=999999")
    wait_text(page, "#segments-missing", "Run 999999 does not exist")
    assert page.find_elements(By.CSS_SELECTOR, ".segment-card") == []
    assert severe_console_errors(page) == []


def test_overview_dates_that_are_no_day_are_named_until_a_filter_changes(page, open_server):
    """Was: /?start=garbage&end=2011-13-45 kept the bad values in the address, showed empty
    pickers and the whole period's figures with no word."""
    page.get(open_server + "/?start=garbage&end=2011-13-45")
    wait_text(page, "#overview-date-problem", "The start date 'garbage' and the end date '2011-13-45'")
    assert page.find_elements(By.CSS_SELECTOR, ".kpi-value") == []
    assert "start=garbage&end=2011-13-45" in page.current_url  # the link, as the notice names it
    # A changed filter replaces the link's dates: the address then holds what the pickers show.
    page.find_element(By.ID, "overview-country").click()
    option = "//label[@role='option'][.//input[@value='France']]"
    WebDriverWait(page, WAIT).until(EC.element_to_be_clickable((By.XPATH, option))).click()
    WebDriverWait(page, WAIT).until(lambda d: d.current_url.endswith("/?country=France"))
    wait_text(page, "#overview-kpi-customers", "1")
    assert page.find_elements(By.ID, "overview-date-problem") == []
    assert severe_console_errors(page) == []


def test_segments_run_that_is_not_a_number_is_named(page, sample_server):
    page.get(sample_server + "/segments?run=abc")
    wait_text(page, "#segments-missing", "'abc' is not a run number")
    assert page.find_elements(By.CSS_SELECTOR, ".segment-card") == []  # not the newest run's
    assert page.current_url.endswith("/segments?run=abc")
    assert severe_console_errors(page) == []


def test_overview_links_bad_dates_can_be_left_for_the_whole_period(page, open_server):
    """Was: "choose the dates again, or clear them", but both pickers were empty: their clear
    button did nothing, and the notice and ?start=garbage stayed."""
    page.get(open_server + "/?start=garbage&country=France")
    wait_text(page, "#overview-date-problem", "The start date 'garbage' is not a date")
    page.find_element(By.ID, "overview-whole-period").click()
    WebDriverWait(page, WAIT).until(lambda d: d.current_url.endswith("/?country=France"))
    wait_text(page, "#overview-kpi-customers", "1")
    assert page.find_elements(By.ID, "overview-date-problem") == []
    assert severe_console_errors(page) == []
