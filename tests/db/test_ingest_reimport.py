"""A file imported again: nothing added, and a hint when the options given now differ."""

from __future__ import annotations

import json
from datetime import datetime

from tests.db.helpers import counts, invoke, write_csv

LINES = [
    ["536365", "85123A", "HEART", "6", "12/13/2010 8:26", "2.55", "17850", "United Kingdom"],
    ["536366", "22633", "WARMER", "6", "12/1/2010 8:28", "1.85", "17851", "France"],
]


def _ingest(db_url, path, *options):
    result = invoke("ingest", path, "--db", db_url, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_reimport_with_other_options_says_how_to_reload(db_url, tmp_path):
    path = write_csv(tmp_path / "tiny.csv", LINES)
    first = _ingest(db_url, path, "--map", "customer_id=Country")
    assert (first["options_differ"], first["changed_options"]) == (False, [])
    before = counts(db_url)
    again = invoke("ingest", path, "--db", db_url, "--map", "customer_id=CustomerID")
    assert again.exit_code == 0
    assert again.output == (
        f"{path}: already imported as batch 1, read then with other options (--map); nothing added: "
        "if these read it otherwise, 'segments batches remove 1' and import again\n"
    )
    cases = {
        ("--map", "customer_id=Country"): [],  # the same options
        (): [],  # a plain re-import: nothing given, nothing to compare
        ("--map", "customer_id=Nowhere"): [],  # would refuse the file: removing it would not help
        ("--map", "customer_id=Country", "--decimal-mark", ","): ["--decimal-mark"],
        ("--map", "customer_id=Country", "--decimal-mark", "."): [],  # what the file told
        ("--map", "customer_id=Country", "--date-format", "%d/%m/%Y %H:%M"): ["--date-format"],
        ("--map", "customer_id=Country", "--date-format", "%m/%d/%Y %H:%M"): [],  # what was learned
        ("--map", "customer_id=Country", "--delimiter", ";"): [],  # no columns found: would refuse it
        ("--map", "customer_id=Country", "--encoding", "utf-16"): [],  # the same
        ("--map", "customer_id=Country", "--encoding", "latin-1"): ["--encoding"],
        ("--map", "customer_id=Country", "--encoding", "utf-8"): [],
    }
    for options, changed in cases.items():
        summary = _ingest(db_url, path, *options)
        assert summary["status"] == "already_imported" and summary["batch_id"] == 1
        assert (summary["options_differ"], summary["changed_options"]) == (bool(changed), changed), options
    same = invoke("ingest", path, "--db", db_url, "--map", "customer_id=Country")
    assert same.output == f"{path}: already imported as batch 1; nothing added\n"
    assert counts(db_url) == before


def test_seconds_are_rounded_whether_loaded_or_not(db_url, tmp_path):
    path = write_csv(tmp_path / "tiny.csv", LINES)
    for summary in (_ingest(db_url, path), _ingest(db_url, path)):
        assert summary["seconds"] == round(summary["seconds"], 3)
        assert len(json.dumps(summary["seconds"])) <= len("123.456")


def test_reimport_of_a_workbook_with_another_sheet(db_url, tmp_path):
    import openpyxl
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sales"
    workbook.active.append(["InvoiceDate", "UnitPrice"])
    workbook.active.append([datetime(2011, 1, 5, 10), 2.5])
    other = workbook.create_sheet("Returns")
    other.append(["InvoiceDate", "UnitPrice"])
    other.append([datetime(2011, 1, 6, 10), 1.5])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    assert _ingest(db_url, path)["status"] == "loaded"
    assert _ingest(db_url, path, "--sheet", "Sales")["changed_options"] == []  # the first sheet
    assert _ingest(db_url, path, "--sheet", "Returns")["changed_options"] == ["--sheet"]
    assert _ingest(db_url, path, "--sheet", "Nowhere")["changed_options"] == []  # would not load
