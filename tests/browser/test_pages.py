"""Pages load in a real browser without console errors; uploads run the real ingestion."""

import re
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import external_requests, severe_console_errors

WAIT = 30


def wait_text(driver, css: str, text: str) -> None:
    WebDriverWait(driver, WAIT).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def test_home_page_is_the_overview(page, open_server):
    page.get(open_server + "/")
    # The sample: 4 stored lines, of which 3 sale lines with a customer (17850 and 17851).
    wait_text(page, "#overview-kpi-customers", "2")
    assert page.find_element(By.ID, "nav-overview").get_attribute("href") == open_server + "/"
    assert page.find_element(By.ID, "nav-data").get_attribute("href") == open_server + "/data"
    assert severe_console_errors(page) == []
    assert external_requests(page, open_server) == []


def test_data_page_shows_batches_and_rejected_rows(page, open_server):
    page.get(open_server + "/data")
    wait_text(page, "#data-rejected-count", "1 rejected row")
    wait_text(page, "#data-batches-grid", "sample.csv")
    grid = page.find_element(By.ID, "data-rejected-grid").text
    assert "invalid quantity" in grid and "HYPERLINK" in grid
    assert re.search(r"\b\d{2,3} B\b", page.find_element(By.ID, "data-batches-grid").text)  # not "0 MB"
    assert "invalid quantity: 1" in page.find_element(By.ID, "data-rejected-reasons").text
    assert severe_console_errors(page) == []
    assert external_requests(page, open_server) == []


def upload(driver, path: Path) -> None:
    field = driver.find_element(By.CSS_SELECTOR, "#data-upload input[type=file]")
    field.send_keys(str(path))


def test_upload_shows_summary_and_new_batch(page, open_server, tmp_path):
    new_file = tmp_path / "december.csv"
    new_file.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "540001,10002,PEN,2,01/14/2011 10:00,0.85,12346,Germany\n"
        "540002,10003,PAD,1,01/15/2011 11:00,2.10,12347,Spain\n"
        "540003,10004,INK,0x,01/15/2011 11:00,2.10,12347,Spain\n"
    )
    page.get(open_server + "/data")
    wait_text(page, "#data-batches-grid", "sample.csv")
    upload(page, new_file)
    wait_text(page, "#data-upload-summary", "december.csv loaded as batch #2")
    summary = page.find_element(By.ID, "data-upload-summary").text
    assert "3 rows read, 2 stored, 0 duplicates, 1 rejected" in summary
    wait_text(page, "#data-batches-grid", "december.csv")
    wait_text(page, "#data-rejected-count", "2 rejected rows")
    # The same file again, without reloading: was no answer at all, the last one left on screen.
    # (A click on the box empties the file input before the dialog opens, so the browser sends
    # the same choice again; send_keys alone does not.)
    page.execute_script("arguments[0].value = null", page.find_element(By.CSS_SELECTOR, "#data-upload input"))
    upload(page, new_file)
    wait_text(page, "#data-upload-summary", "december.csv was already imported as batch #2; nothing changed.")
    assert severe_console_errors(page) == []


def test_file_over_the_upload_limit_is_refused_in_the_page(page, open_server, tmp_path):
    # The server allows 5 MB (SEGMENTS_UPLOAD_MAX_MB): 6 MB travels as 8 MB of base64, over the
    # request cap, so only the browser's own check can say why.
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (6 * 1024 * 1024))
    page.get(open_server + "/data")
    wait_text(page, "#data-batches-grid", "sample.csv")
    upload(page, big)
    wait_text(page, "#data-upload-error", "big.csv was refused: the file is 6.0 MB, over the upload limit of 5 MB")
    assert severe_console_errors(page) == []


def test_refused_file_shows_the_clear_message(page, open_server, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    page.get(open_server + "/data")
    wait_text(page, "#data-batches-grid", "sample.csv")
    upload(page, empty)
    wait_text(page, "#data-upload-error", "empty.csv was refused: the file is empty")
    assert severe_console_errors(page) == []


def test_small_and_laptop_screens(page, open_server):
    try:
        page.set_window_size(390, 844)  # a phone: the links fold behind the toggler
        page.get(open_server + "/?end=2010-12-31")  # other tests upload more data
        wait_text(page, "#overview-kpi-customers", "2")
        assert page.find_element(By.CSS_SELECTOR, "nav.navbar").size["height"] < 80  # was ~200 px
        assert not page.find_element(By.ID, "nav-data").is_displayed()
        toggler = page.find_element(By.ID, "nav-toggler")
        assert toggler.get_attribute("aria-expanded") == "false"
        assert toggler.get_attribute("aria-controls") == "nav-collapse"
        toggler.click()
        WebDriverWait(page, WAIT).until(lambda d: d.find_element(By.ID, "nav-data").is_displayed())
        assert page.find_element(By.ID, "nav-toggler").get_attribute("aria-expanded") == "true"
        assert page.find_elements(By.CSS_SELECTOR, "main #_pages_content")  # the main landmark
        page.find_element(By.ID, "nav-data").click()
        WebDriverWait(page, WAIT).until(EC.url_to_be(open_server + "/data"))
        WebDriverWait(page, WAIT).until(lambda d: not d.find_element(By.ID, "nav-data").is_displayed())
        assert page.find_element(By.ID, "nav-toggler").get_attribute("aria-expanded") == "false"

        page.set_window_size(1280, 800)
        page.get(open_server + "/?end=2010-12-31")  # other tests upload more data
        wait_text(page, "#overview-kpi-customers", "2")
        assert page.find_element(By.ID, "nav-data").is_displayed()
        value = page.find_element(By.ID, "overview-kpi-revenue")  # 8,737,227.64 wrapped mid-number
        assert page.execute_script("return getComputedStyle(arguments[0]).whiteSpace", value) == "nowrap"
        assert severe_console_errors(page) == []
    finally:
        page.set_window_size(1400, 1000)


def test_a_wrong_upload_is_removed_after_confirming(page, open_server, tmp_path):
    wrong = tmp_path / "wrong-shop.csv"
    wrong.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "550001,10002,PEN,2,02/14/2011 10:00,0.85,12999,Italy\n"
    )
    page.get(open_server + "/data")
    wait_text(page, "#data-batches-grid", "sample.csv")
    upload(page, wrong)
    wait_text(page, "#data-upload-summary", "wrong-shop.csv loaded as batch #")
    wait_text(page, "#data-batches-grid", "wrong-shop.csv")
    assert page.find_element(By.ID, "data-remove-open").get_attribute("disabled") is not None
    page.find_element(By.ID, "data-remove-batch").click()  # Dash 4's dropdown: a list in a popover
    option = WebDriverWait(page, WAIT).until(
        EC.element_to_be_clickable(
            (By.XPATH, "//*[@role='option'][contains(normalize-space(.), 'wrong-shop.csv')]")
        )
    )
    option.click()
    page.find_element(By.TAG_NAME, "h2").click()  # close the popover
    WebDriverWait(page, WAIT).until(lambda d: d.find_element(By.ID, "data-remove-open").is_enabled())
    page.find_element(By.ID, "data-remove-open").click()
    wait_text(page, "#data-remove-question", "(wrong-shop.csv) with its 1 line and 0 rejected rows is deleted")
    page.find_element(By.ID, "data-remove-confirm").click()
    wait_text(page, "#data-remove-done", "(wrong-shop.csv) removed: 1 line and 0 rejected rows.")
    WebDriverWait(page, WAIT).until(
        lambda d: "wrong-shop.csv" not in d.find_element(By.ID, "data-batches-grid").text
    )
    assert "sample.csv" in page.find_element(By.ID, "data-batches-grid").text
    assert severe_console_errors(page) == []
