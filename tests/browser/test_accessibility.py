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


# Where Tab goes: an element's id, or "<grid id>:<header text>" for a grid's column header.
FOCUSED = """
const e = document.activeElement;
const grid = e.closest('.ag-root-wrapper') && e.closest('[id]');
if (grid && e.matches('.ag-header-cell')) { return grid.id + ':' + e.innerText.trim(); }
return e.id || e.tagName;
"""


def _tab_stops(driver, presses: int, *, backwards: bool = False) -> list[str]:
    stops = []
    for _ in range(presses):
        keys = ActionChains(driver)
        if backwards:
            keys.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
        else:
            keys.send_keys(Keys.TAB)
        keys.perform()
        stops.append(driver.execute_script(FOCUSED))
    return stops


def _headers(driver, grid: str) -> list[str]:
    cells = driver.find_elements(By.CSS_SELECTOR, f"#{grid} .ag-header-cell")
    return [f"{grid}:{c.get_attribute('innerText').strip()}" for c in cells]


# Page -> (the first grid, in tab order, that the headers' Tab went round and round in; the
# control right after it; a control further on that keyboard users could not reach).
KEYBOARD_PATHS = {
    "/runs": ("runs-history-grid", "_dbcprivate_radioitems_runs-preset_input_reference", "runs-start"),
    # (The rejected rows download is no tab stop while there is none to download.)
    "/data": ("data-batches-grid", "data-remove-batch", "data-rejected-batch"),
}


@pytest.mark.parametrize("path", list(KEYBOARD_PATHS))
def test_tab_goes_through_a_grids_headers_and_out_both_ways(page, sample_server, path):
    grid, after, further = KEYBOARD_PATHS[path]
    page.get(sample_server + path)
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, f"#{grid} .ag-row")))
    headers = _headers(page, grid)
    stops = _tab_stops(page, 40)
    # Was: after the navigation bar, 94 of 100 presses cycled among the first grid's headers.
    assert further in stops, stops
    first = stops.index(headers[0])
    assert stops[first : first + len(headers) + 1] == headers + [after], stops
    # Shift+Tab from the control after the grid (reached by Tab again): back through its
    # headers and out before it.
    page.get(sample_server + path)
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, f"#{grid} .ag-row")))
    assert _tab_stops(page, first + len(headers) + 1)[-1] == after
    back = _tab_stops(page, len(headers) + 1, backwards=True)
    assert back[: len(headers)] == headers[::-1], back
    assert not back[-1].startswith(grid + ":"), back
    assert severe_console_errors(page) == []


def test_a_grid_header_still_sorts_from_the_keyboard(page, sample_server):
    page.get(sample_server + "/runs")
    grid = "runs-history-grid"
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, f"#{grid} .ag-row")))
    stops = _tab_stops(page, 20)
    assert stops[-1] != f"{grid}:Name"  # it went on past the grid
    header = page.find_element(By.CSS_SELECTOR, f"#{grid} .ag-header-cell[col-id=name]")
    page.execute_script("arguments[0].focus()", header)
    ActionChains(page).send_keys(Keys.ENTER).perform()
    sort = "return dash_ag_grid.getApi(arguments[0]).getColumnState().find(c => c.colId === 'name').sort"
    WebDriverWait(page, 10).until(lambda d: d.execute_script(sort, grid) == "asc")


def test_a_dropdown_whose_placeholder_repeats_its_label_is_named_once(page, sample_server):
    page.get(sample_server + "/data")
    control = "#data-remove-batch"
    WebDriverWait(page, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, control)))
    # Was "Batch to remove Batch to remove": the hidden label, then the placeholder.
    WebDriverWait(page, 10).until(lambda d: accessible_name(d, control) == "Batch to remove")
    page.find_element(By.CSS_SELECTOR, control).click()
    option = WebDriverWait(page, 10).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, ".dash-dropdown-option"))
    )
    chosen = option.text
    option.click()
    # A chosen batch is said after the label, and the name is single again once it is cleared.
    WebDriverWait(page, 10).until(lambda d: accessible_name(d, control) == f"Batch to remove {chosen}")
    page.find_element(By.CSS_SELECTOR, f"{control} .dash-dropdown-clear").click()
    WebDriverWait(page, 10).until(lambda d: accessible_name(d, control) == "Batch to remove")
    assert accessible_name(page, "#data-rejected-batch") == "Batch All batches"  # a placeholder of its own
    assert severe_console_errors(page) == []


CELL_TEXT = """
const grid = document.getElementById('segments-grid');
const texts = [...grid.querySelectorAll('.heatmaplayer text')];
return [grid.querySelector('.nsewdrag').getBoundingClientRect().width / 5,
        texts.map(t => [t.textContent, t.getBoundingClientRect().width])];
"""


def test_score_grid_cell_labels_fit_their_cells_on_a_phone(page, sample_server):
    try:
        page.set_window_size(390, 844)
        page.get(sample_server + "/segments")
        WebDriverWait(page, WAIT).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, "#segments-grid .heatmaplayer text"))
        )
        cell, texts = page.execute_script(CELL_TEXT)
        # Was: 11 px text, "Hibernating" ~56 px wide in ~51 px cells, cut off at the edges.
        assert len(texts) == 25 and all(width <= cell for _, width in texts), (cell, texts)
    finally:
        page.set_window_size(1400, 1000)
