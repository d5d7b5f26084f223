"""What a keyboard or screen reader user meets, and layouts at phone and desktop widths."""

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import severe_console_errors

WAIT = 60
UPLOAD_INPUT = "#data-upload input[type=file]"

# Page -> control id -> its visible label. A Dash 4 dropdown is a button named by its value
# unless the label is linked in (assets/control_labels.js): its name must start with the label.
LABELS = {
    "/runs": {
        "runs-k": "k",
        "runs-as-of": "As of (empty: all data)",
        "runs-name": "Name",
        "runs-a": "Run A",
        "runs-b": "Run B",
        "runs-series": "Runs made with",
    },
    "/": {"overview-country": "Countries"},
    "/segments": {"segments-run": "Run"},
    "/campaigns": {
        "campaigns-run": "Run",
        "campaigns-segments": "Segments",
        "campaigns-min-spend": "Minimum spend",
    },
    "/data": {"data-rejected-batch": "Batch", "data-remove-batch": "Batch to remove"},
}


def accessible_name(driver, css: str) -> str:
    """The name Chromium computes for assistive technology (WebDriver "Get Computed Label")."""
    return driver.find_element(By.CSS_SELECTOR, css).accessible_name


@pytest.mark.parametrize("path", list(LABELS))
def test_form_controls_are_named_by_their_visible_labels(page, sample_server, path):
    page.get(sample_server + path)
    for control, label in LABELS[path].items():
        WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.ID, control)))
        try:
            WebDriverWait(page, 10).until(
                lambda d, c=control, t=label: accessible_name(d, f"#{c}").startswith(t)
            )
        except TimeoutException:
            name = accessible_name(page, f"#{control}")
            raise AssertionError(f"#{control} is announced as {name!r}, not by its label {label!r}") from None
    assert severe_console_errors(page) == []


def test_upload_is_named_and_shows_keyboard_focus(page, open_server):
    page.get(open_server + "/data")
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, UPLOAD_INPUT)))
    WebDriverWait(page, 10).until(
        lambda d: accessible_name(d, UPLOAD_INPUT) == "Drop a file here or click to choose one"
    )
    # Tab through the navigation bar: the next stop is the (invisible) file input.
    previous = None
    for _ in range(20):
        ActionChains(page).send_keys(Keys.TAB).perform()
        if page.execute_script("return document.activeElement.matches(arguments[0])", UPLOAD_INPUT):
            break
        previous = page.switch_to.active_element
    else:
        pytest.fail("Tab never reached the upload's file input")
    assert previous is not None and page.execute_script("return !!arguments[0].closest('nav')", previous)
    zone = page.find_element(By.CSS_SELECTOR, "#data-upload .upload-zone")
    style = page.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)]", zone
    )
    assert style[0] != "none" and style[1] >= 2, style
    assert severe_console_errors(page) == []


def _right_edges(driver, element) -> tuple[float, float]:
    return tuple(
        driver.execute_script(
            "return [arguments[0].getBoundingClientRect().right,"
            " arguments[0].closest('.card-body').getBoundingClientRect().right]",
            element,
        )
    )


def test_remove_batch_button_stays_inside_its_card_on_a_phone(page, open_server):
    try:
        page.set_window_size(390, 844)
        page.get(open_server + "/data")
        button = WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.ID, "data-remove-open")))
        for control in (button, page.find_element(By.ID, "data-remove-batch")):
            right, card_right = _right_edges(page, control)
            assert right <= card_right, (control.get_attribute("id"), right, card_right)
    finally:
        page.set_window_size(1400, 1000)


# The backfill runs of the sample server, told apart only by their month.
BACKFILL_NAMES = ["month end 2011-09", "month end 2011-10", "month end 2011-11"]
NAME_CELLS = """
const grid = document.getElementById('runs-history-grid');
const view = grid.querySelector('.ag-body-viewport').getBoundingClientRect();
return [...grid.querySelectorAll('.ag-center-cols-container .ag-cell[col-id=name]')].map(c => {
    const box = c.getBoundingClientRect();
    return {text: c.innerText, cut: c.scrollWidth > c.clientWidth, shown: box.left >= view.left && box.right <= view.right};
});
"""


@pytest.mark.parametrize("width", [1400, 390])
def test_history_grid_shows_run_names_whole(page, sample_server, width):
    try:
        page.set_window_size(width, 1000)
        page.get(sample_server + "/runs")
        WebDriverWait(page, WAIT).until(
            EC.text_to_be_present_in_element((By.ID, "runs-history-grid"), BACKFILL_NAMES[-1])
        )
        cells = {c["text"]: c for c in page.execute_script(NAME_CELLS)}
        for name in BACKFILL_NAMES:
            assert cells[name]["shown"] and not cells[name]["cut"], cells[name]
        tooltip = page.execute_script(
            "return dash_ag_grid.getApi('runs-history-grid').getColumn('name').getColDef().tooltipField"
        )
        assert tooltip == "name"  # a longer name wraps, and shows whole on hover
    finally:
        page.set_window_size(1400, 1000)
