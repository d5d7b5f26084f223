"""Campaigns and Runs pages in a real browser, on generated data with three monthly runs."""

import csv
import time
from urllib.parse import quote, quote_plus

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from analytics.export import CSV_COLUMNS
from tests.browser.conftest import external_requests, severe_console_errors

WAIT = 60
SHOWN_IDS = """
const api = dash_ag_grid.getApi(arguments[0]);
const ids = [];
api.forEachNodeAfterFilterAndSort(node => ids.push(node.data.customer_id));
return ids;
"""

GRID_HEADERS = """
return dash_ag_grid.getApi(arguments[0]).getColumns().map(c => [c.getColId(), c.getColDef().headerName]);
"""

TRACE_TYPES = """
const plot = document.getElementById(arguments[0]).querySelector(".js-plotly-plot");
return plot && plot.data ? plot.data.map(t => t.type) : null;
"""


def wait_text(driver, css: str, text: str) -> None:
    WebDriverWait(driver, WAIT).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def shown_count(driver) -> int:
    return int(driver.find_element(By.ID, "campaigns-count").text.split()[0].replace(",", ""))


def test_campaigns_page_shows_the_list(page, sample_server):
    page.get(sample_server + "/campaigns")
    wait_text(page, "#campaigns-count", "revenue at stake")
    WebDriverWait(page, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#campaigns-grid .ag-row"))
    # The newest finished run is chosen and put in the URL; no segment chosen lists everyone.
    WebDriverWait(page, WAIT).until(EC.url_contains("run="))
    # The count follows the grid's rows through a browser callback: wait for it to catch up.
    WebDriverWait(page, WAIT).until(
        lambda d: shown_count(d) == len(d.execute_script(SHOWN_IDS, "campaigns-grid")) > 50
    )
    # The CSV's columns, in its order; the cluster label and the RFM segment side by side.
    headers = page.execute_script(GRID_HEADERS, "campaigns-grid")
    assert [field for field, _title in headers] == CSV_COLUMNS
    assert ["rfm_segment", "RFM segment"] in headers and ["segment", "Segment"] in headers
    assert severe_console_errors(page) == []
    assert external_requests(page, sample_server) == []


def _wait_for_download(folder, before: set, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = [p for p in folder.iterdir() if p.name not in before and p.suffix == ".csv"]
        if new and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return new[0]
        time.sleep(0.2)
    raise AssertionError(f"no download in {folder}: {sorted(p.name for p in folder.iterdir())}")


def test_export_downloads_exactly_the_rows_shown(page, sample_server, download_dir):
    page.get(sample_server + "/campaigns?min_spend=500")
    wait_text(page, "#campaigns-count", "revenue at stake")
    WebDriverWait(page, WAIT).until(EC.url_contains("min_spend=500"))
    # Settled: the newest run chosen (it goes into the URL) and the grid holding its rows. The
    # count above the grid is written for the empty grid too ("0 customers, ..."), so under
    # load it could be read before the rows arrived.
    WebDriverWait(page, WAIT).until(EC.url_contains("run="))
    WebDriverWait(page, WAIT).until(
        lambda d: 0 < shown_count(d) == len(d.execute_script(SHOWN_IDS, "campaigns-grid"))
    )
    everyone = shown_count(page)
    # Filter and sort inside the grid too: the export follows what the grid shows.
    page.execute_script(
        """
        const api = dash_ag_grid.getApi("campaigns-grid");
        api.setColumnFilterModel("recency_days", {filterType: "number", type: "lessThan", filter: 60})
            .then(() => api.onFilterChanged());
        api.applyColumnState({state: [{colId: "monetary", sort: "desc"}], defaultState: {sort: null}});
        """
    )
    WebDriverWait(page, WAIT).until(lambda d: 0 < shown_count(d) < everyone)
    shown = page.execute_script(SHOWN_IDS, "campaigns-grid")
    assert len(shown) == shown_count(page)
    before = {p.name for p in download_dir.iterdir()}
    page.find_element(By.ID, "campaigns-export").click()
    path = _wait_for_download(download_dir, before)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfcustomer_id,")  # Excel reads it as UTF-8
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS
    assert [r["customer_id"] for r in rows] == shown
    assert all(float(r["monetary"]) >= 500 and int(r["recency_days"]) < 60 for r in rows)
    spends = [float(r["monetary"]) for r in rows]
    assert spends == sorted(spends, reverse=True)
    # The count and the revenue at stake above the grid are those of the exported rows.
    noun = "customer" if len(rows) == 1 else "customers"
    summary = f"{len(rows):,} {noun}, revenue at stake {sum(spends):,.2f}"
    assert page.find_element(By.ID, "campaigns-count").text == summary
    assert severe_console_errors(page) == []


def test_unknown_run_in_the_url_renders_a_message(page, sample_server):
    page.get(sample_server + "/campaigns?run=999")
    wait_text(page, "#campaigns-unknown-run", "Run 999 does not exist")
    page.get(sample_server + "/runs?a=999&b=1")
    wait_text(page, "#runs-unknown-run", "Run 999 does not exist")
    assert severe_console_errors(page) == []


def test_campaign_filters_that_cannot_apply_list_nobody_and_say_why(page, sample_server):
    page.get(sample_server + "/campaigns?run=3&segment=cluster:Bogus&country=Atlantis")
    wait_text(page, "#campaigns-message", "Unknown segment 'cluster:Bogus'")
    assert "cluster:Bogus (unknown)" in page.find_element(By.ID, "campaigns-segments").text
    assert not page.find_element(By.ID, "campaigns-export").is_enabled()
    assert page.execute_script(SHOWN_IDS, "campaigns-grid") == []

    page.get(sample_server + "/campaigns?run=3")
    wait_text(page, "#campaigns-count", "revenue at stake")
    WebDriverWait(page, WAIT).until(lambda d: shown_count(d) > 0)
    page.find_element(By.ID, "campaigns-recency-min").send_keys("-5")
    wait_text(page, "#campaigns-filter-problems", "Recency from: whole days from 0")
    WebDriverWait(page, WAIT).until(lambda d: shown_count(d) == 0)
    assert not page.find_element(By.ID, "campaigns-export").is_enabled()

    page.get(sample_server + "/campaigns?run=999")
    wait_text(page, "#campaigns-unknown-run", "Run 999 does not exist")
    wait_text(page, "#campaigns-run", "#999 (not found)")  # not "Latest finished run"
    assert severe_console_errors(page) == []


def test_a_links_short_segment_name_selects_the_clusters_option(page, sample_server):
    """Was: "?segment=<label>" (the CLI's form) showed "<label> (unknown)" however long one
    waited, while the list showed that cluster's customers."""
    page.get(sample_server + "/campaigns?run=3")
    wait_text(page, "#campaigns-count", "revenue at stake")
    page.find_element(By.ID, "campaigns-segments").click()
    options = WebDriverWait(page, WAIT).until(
        lambda d: [e.text for e in d.find_elements(By.XPATH, "//*[@role='option']") if "(cluster, " in e.text]
    )
    label, shown = options[0].split(" (cluster, ")[0], options[0]
    page.get(f"{sample_server}/campaigns?run=3&segment={quote(label)}&segment=rfm:Champions")
    wait_text(page, "#campaigns-segments", shown)
    WebDriverWait(page, WAIT).until(lambda d: shown_count(d) > 0)
    assert "(unknown)" not in page.find_element(By.ID, "campaigns-segments").text
    # The address bar then holds the options' values (cluster:<label>), which reproduce the view.
    WebDriverWait(page, WAIT).until(EC.url_contains("segment=" + quote_plus(f"cluster:{label}")))
    assert severe_console_errors(page) == []


def test_clearing_the_run_asks_for_one_and_drops_it_from_the_url(page, sample_server):
    page.get(sample_server + "/campaigns?run=2&country=United%20Kingdom")
    WebDriverWait(page, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#campaigns-grid .ag-row"))
    page.find_element(By.CSS_SELECTOR, "#campaigns-run .dash-dropdown-clear").click()
    wait_text(page, "#campaigns-choose-run", "Choose a run")
    # Was: "0 customers, revenue at stake 0.00", no word, and ?run=2 kept for a reload.
    WebDriverWait(page, WAIT).until(lambda d: "run=" not in d.current_url)
    # The country filter stays, on screen and in the address (was: cleared with the run).
    assert page.current_url.endswith("/campaigns?country=United+Kingdom")
    assert "United Kingdom" in page.find_element(By.ID, "campaigns-countries").text
    assert page.find_element(By.ID, "campaigns-count").text == ""
    assert not page.find_element(By.ID, "campaigns-export").is_enabled()
    assert page.execute_script(SHOWN_IDS, "campaigns-grid") == []
    assert severe_console_errors(page) == []


def test_runs_page_compares_and_a_new_run_appears_in_history(page, sample_server):
    page.get(sample_server + "/runs?a=1&b=3")
    wait_text(page, "#runs-history-grid", "month end 2011-11")
    WebDriverWait(page, WAIT).until(
        lambda d: d.find_element(By.ID, "runs-ari").text.startswith(("0", "1", "-"))
    )
    for graph in ("runs-heatmap", "runs-sankey", "runs-sizes"):
        WebDriverWait(page, WAIT).until(lambda d, g=graph: d.execute_script(TRACE_TYPES, g))
    assert page.execute_script(TRACE_TYPES, "runs-heatmap") == ["heatmap"]
    assert page.execute_script(TRACE_TYPES, "runs-sankey") == ["sankey"]
    assert set(page.execute_script(TRACE_TYPES, "runs-sizes")) == {"scatter"}
    assert page.current_url.endswith("/runs?a=1&b=3")
    assert severe_console_errors(page) == []

    page.find_element(By.ID, "runs-name").send_keys("started in the browser")
    page.find_element(By.ID, "runs-start").click()
    wait_text(page, "#runs-start-done", "finished")
    wait_text(page, "#runs-history-grid", "started in the browser")
    row = page.execute_script(
        "return dash_ag_grid.getApi('runs-history-grid').getDisplayedRowAtIndex(0).data"
    )
    assert (row["id"], row["name"], row["status"]) == (4, "started in the browser", "finished")
    assert severe_console_errors(page) == []


def test_pages_without_runs_say_what_to_do(page, open_server):
    page.get(open_server + "/campaigns")
    wait_text(page, "#campaigns-notice", "No finished run yet")
    page.get(open_server + "/runs")
    wait_text(page, "#runs-compare-message", "No finished run yet")
    wait_text(page, "#runs-sizes", "No finished run yet")
    assert severe_console_errors(page) == []


def test_a_links_bad_numbers_stay_in_the_fields_and_the_url_and_list_nobody(page, sample_server):
    """Was: /campaigns?min_spend=1,000&recency_min=-3 became /campaigns?run=N with empty fields
    and every customer listed (and exportable)."""
    page.get(sample_server + "/campaigns?min_spend=1,000&recency_min=-3")
    wait_text(page, "#campaigns-filter-problems", "Minimum spend: a number from 0, not '1,000'")
    wait_text(page, "#campaigns-filter-problems", "Recency from: whole days from 0, not '-3'")
    fields = [
        page.find_element(By.ID, f"campaigns-{k}").get_attribute("value")
        for k in ("min-spend", "recency-min")
    ]
    assert fields == ["1,000", "-3"]
    WebDriverWait(page, WAIT).until(EC.url_contains("run="))  # the run chosen, the bad values kept
    assert page.current_url.endswith("&min_spend=1%2C000&recency_min=-3")
    assert not page.find_element(By.ID, "campaigns-export").is_enabled()
    assert page.execute_script(SHOWN_IDS, "campaigns-grid") == []
    assert severe_console_errors(page) == []


def test_a_refused_typed_value_replaces_the_last_good_one_in_the_url(page, sample_server):
    page.get(sample_server + "/campaigns?run=3&min_spend=1000")
    WebDriverWait(page, WAIT).until(EC.url_contains("min_spend=1000"))
    wait_text(page, "#campaigns-count", "revenue at stake")
    field = page.find_element(By.ID, "campaigns-min-spend")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("-5")
    wait_text(page, "#campaigns-filter-problems", "Minimum spend: a number from 0, not '-5'")
    # Was: min_spend=1000 stayed in the address while "0 customers" showed.
    WebDriverWait(page, WAIT).until(lambda d: d.current_url.endswith("/campaigns?run=3&min_spend=-5"))
    page.refresh()  # the link shows the same refusal
    wait_text(page, "#campaigns-filter-problems", "not '-5'")
    assert page.find_element(By.ID, "campaigns-min-spend").get_attribute("value") == "-5"
    assert severe_console_errors(page) == []


def test_moved_since_offers_only_earlier_runs(page, sample_server):
    """Was: the picker offered the run itself and later runs."""
    page.get(sample_server + "/campaigns?run=2")
    wait_text(page, "#campaigns-count", "revenue at stake")
    page.find_element(By.ID, "campaigns-since").click()
    options = WebDriverWait(page, WAIT).until(
        lambda d: [e.text for e in d.find_elements(By.XPATH, "//*[@role='option']")]
    )
    assert [o.split()[0] for o in options] == ["#1"]
    page.get(sample_server + "/campaigns?run=2&since=2")
    wait_text(page, "#campaigns-since", "(not earlier than this run)")
    assert severe_console_errors(page) == []


def test_runs_and_campaigns_name_a_run_that_is_not_a_number(page, sample_server):
    page.get(sample_server + "/runs?a=999&b=abc")
    wait_text(page, "#runs-unknown-run", "Run 999 does not exist or has not finished; 'abc' is not a run")
    page.get(sample_server + "/campaigns?run=abc")
    wait_text(page, "#campaigns-unknown-run", "'abc' is not a run number")
    wait_text(page, "#campaigns-filter-problems", "Run: a run number, not 'abc'")
    assert page.current_url.endswith("/campaigns?run=abc")  # not the latest run's list
    assert page.execute_script(SHOWN_IDS, "campaigns-grid") == []
    assert severe_console_errors(page) == []


def test_picking_a_run_clears_the_links_unknown_run_notice(page, sample_server):
    """Was: /campaigns?run=abc, then a run picked: the list loaded, the address became ?run=N, but
    "'abc' is not a run number; choose a run." stayed above it."""
    page.get(sample_server + "/campaigns?run=abc")
    wait_text(page, "#campaigns-unknown-run", "'abc' is not a run number")
    page.find_element(By.ID, "campaigns-run").click()
    option = WebDriverWait(page, WAIT).until(
        lambda d: next((e for e in d.find_elements(By.XPATH, "//*[@role='option']") if e.text.startswith("#3")), None)
    )
    option.click()
    WebDriverWait(page, WAIT).until(lambda d: d.current_url.endswith("/campaigns?run=3"))
    WebDriverWait(page, WAIT).until(lambda d: shown_count(d) > 0)
    WebDriverWait(page, WAIT).until(lambda d: d.find_elements(By.ID, "campaigns-unknown-run") == [])
    assert severe_console_errors(page) == []


def test_a_links_moved_from_label_alone_is_named_not_dropped(page, sample_server):
    """Was: /campaigns?run=3&moved_from=Loyal became ?run=3 and listed every customer."""
    page.get(sample_server + "/campaigns?run=3&moved_from=Loyal")
    wait_text(page, "#campaigns-filter-problems", "Moved since: choose a run and To")
    wait_text(page, "#campaigns-moved-from", "Loyal (unknown)")
    assert page.execute_script(SHOWN_IDS, "campaigns-grid") == []
    assert not page.find_element(By.ID, "campaigns-export").is_enabled()
    assert page.current_url.endswith("/campaigns?run=3&moved_from=Loyal")
    assert severe_console_errors(page) == []


def test_runs_links_bad_series_and_same_pair_are_named_and_kept(page, sample_server):
    """Was: ?series=abc drew the default series with no word; ?a=1&b=1 became /runs."""
    page.get(sample_server + "/runs?a=1&b=1&series=abc")
    wait_text(page, "#runs-sizes-caption", "'abc' is not a run number; showing the series")
    wait_text(page, "#runs-series", "abc (not a run)")
    WebDriverWait(page, WAIT).until(lambda d: d.find_element(By.ID, "runs-heatmap").text)
    wait_text(page, "#runs-heatmap", "Pick two different finished runs.")
    time.sleep(1)  # the address is written after the pickers are filled
    assert page.current_url.endswith("/runs?a=1&b=1&series=abc")


def test_runs_links_unknown_run_is_kept_and_a_cleared_side_keeps_the_other(page, sample_server):
    """Was: /runs?a=abc&b=2 became ?a=3&b=2 and compared them under a small note; x on Run A
    made the address /runs while Run B still showed its run."""
    page.get(sample_server + "/runs?a=abc&b=2")
    wait_text(page, "#runs-unknown-run", "'abc' is not a run number: choose another run above.")
    wait_text(page, "#runs-a", "abc (not a run)")
    wait_text(page, "#runs-heatmap", "'abc' is not a run number")
    time.sleep(1)  # the address is written after the pickers are filled
    assert page.current_url.endswith("/runs?a=abc&b=2")
    page.get(sample_server + "/runs?a=3&b=2")
    WebDriverWait(page, WAIT).until(lambda d: d.find_elements(By.ID, "runs-ari"))
    headers = [title for _f, title in page.execute_script(GRID_HEADERS, "runs-deltas-grid")]
    assert headers == ["Segment", "Run 3", "Run 2", "Change"]
    page.find_element(By.CSS_SELECTOR, "#runs-a .dash-dropdown-clear").click()
    wait_text(page, "#runs-heatmap", "Choose Run A.")
    wait_text(page, "#runs-a", "Choose Run A")
    WebDriverWait(page, WAIT).until(lambda d: d.current_url.endswith("/runs?b=2"))
    assert severe_console_errors(page) == []
    assert severe_console_errors(page) == []
