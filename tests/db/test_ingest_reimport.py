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


def _two_sheets(path):
    import openpyxl
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sales"
    workbook.active.append(["InvoiceDate", "UnitPrice"])
    workbook.active.append([datetime(2011, 1, 5, 10), 2.5])
    other = workbook.create_sheet("Returns")
    other.append(["InvoiceDate", "UnitPrice"])
    other.append([datetime(2011, 1, 6, 10), 1.5])
    workbook.save(path)
    return path


def test_each_sheet_of_a_workbook_is_an_import_of_its_own(db_url, tmp_path):
    """Online Retail II has a sheet per year: the second answered "already imported"."""
    path = _two_sheets(tmp_path / "book.xlsx")
    assert _ingest(db_url, path)["status"] == "loaded"
    again = _ingest(db_url, path, "--sheet", "Sales")  # the first sheet, by name
    assert (again["status"], again["batch_id"], again["changed_options"]) == ("already_imported", 1, [])
    second = _ingest(db_url, path, "--sheet", "Returns")
    assert (second["status"], second["batch_id"], second["rows_stored"]) == ("loaded", 2, 1)
    assert second["source"] == "book.xlsx [Returns]"  # told apart in batch lists
    assert _ingest(db_url, path, "--sheet", "Returns")["status"] == "already_imported"
    assert counts(db_url)["transactions"] == 2


def test_a_missing_sheet_is_refused_on_an_imported_workbook_too(db_url, tmp_path):
    path = _two_sheets(tmp_path / "book.xlsx")
    _ingest(db_url, path)
    result = invoke("ingest", path, "--db", db_url, "--sheet", "Nope")
    assert result.exit_code == 2
    assert result.output.strip().endswith("sheet 'Nope' not found; sheets: Sales, Returns")


def test_a_first_sheet_imported_before_sheets_were_told_apart_is_still_known(db_url, tmp_path):
    """Batches stored before migration 0011 have sheet "": their workbook's first sheet."""
    from sqlalchemy import update

    from db.models import ImportBatch
    from db.session import create_db_engine

    path = _two_sheets(tmp_path / "book.xlsx")
    _ingest(db_url, path)
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(ImportBatch).values(sheet=""))
    engine.dispose()
    assert _ingest(db_url, path)["status"] == "already_imported"
    assert _ingest(db_url, path, "--sheet", "Sales")["status"] == "already_imported"
    assert _ingest(db_url, path, "--sheet", "Returns")["status"] == "loaded"
