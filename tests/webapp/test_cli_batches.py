"""`segments batches list|remove`: what was imported, and the way back from a wrong import."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.db.helpers import counts, invoke, write_csv
from webapp.cli import batches as cli_batches
from webapp.cli import cli

LINES = [
    ["536365", "85123A", "HEART", "6", "2010-12-01 08:26", "2.55", "17850", "United Kingdom"],
    ["536366", "22633", "WARMER", "x", "2010-12-01 08:28", "1.85", "17850", "United Kingdom"],
]


@pytest.fixture
def loaded(db_url, tmp_path):
    path = write_csv(tmp_path / "shop.csv", LINES)
    assert invoke("ingest", path, "--db", db_url, "--quiet").exit_code == 0
    return path


def test_list_shows_each_batch_with_its_counts(db_url, loaded):
    out = invoke("batches", "list", "--db", db_url).output.splitlines()
    assert out[0].split() == ["batch", "imported", "(UTC)", "read", "stored", "duplicates", "rejected", "file"]
    assert out[1].split()[0] == "1" and out[1].split()[3:] == ["2", "1", "0", "1", "shop.csv"]
    batches = json.loads(invoke("batches", "list", "--db", db_url, "--json").output)["batches"]
    assert [(b["id"], b["rows_stored"], b["rejected"]) for b in batches] == [(1, 1, 1)]


def test_remove_asks_first_and_a_no_keeps_everything(db_url, loaded, monkeypatch):
    monkeypatch.setattr(cli_batches, "_can_ask", lambda: True)
    result = CliRunner().invoke(cli, ["batches", "remove", "1", "--db", db_url], input="n\n")
    assert "Remove batch 1 (shop.csv) with its 1 line and 1 rejected row? [y/N]" in result.output
    assert result.exit_code == 1 and counts(db_url)["transactions"] == 1  # an answer: was "error:", 2
    assert result.output.endswith("[y/N]: n\nbatch 1 not removed\n")
    result = CliRunner().invoke(cli, ["batches", "remove", "1", "--db", db_url], input="y\n")
    assert result.exit_code == 0, result.output
    assert "batch 1 (shop.csv) removed: 1 line and 1 rejected row" in result.output
    assert counts(db_url) == {"import_batches": 0, "transactions": 0, "rejected_rows": 0}


def test_remove_without_a_terminal_needs_yes(db_url, loaded):
    result = CliRunner().invoke(cli, ["batches", "remove", "1", "--db", db_url])
    assert result.exit_code == 2
    assert result.output == "error: batch 1 not removed: confirm with --yes (no terminal to ask on)\n"
    assert counts(db_url)["transactions"] == 1


def test_a_removed_file_imports_again(db_url, loaded):
    again = json.loads(invoke("ingest", loaded, "--db", db_url, "--json").output)
    assert again["status"] == "already_imported"
    removed = json.loads(invoke("batches", "remove", "1", "--db", db_url, "--yes", "--json").output)
    assert removed == {
        "batch_id": 1,
        "source": "shop.csv",
        "lines_removed": 1,
        "rejected_removed": 1,
        "later_batches_with_duplicates": [],
    }
    again = json.loads(invoke("ingest", loaded, "--db", db_url, "--json").output)
    assert (again["status"], again["rows_stored"], again["batch_id"] > 0) == ("loaded", 1, True)


def test_sharing_later_batches_are_named(db_url, loaded, tmp_path):
    overlap = write_csv(tmp_path / "overlap.csv", [LINES[0], [*LINES[0][:3], "1", *LINES[0][4:]]])
    invoke("ingest", overlap, "--db", db_url, "--quiet")
    out = invoke("batches", "remove", "1", "--db", db_url, "--yes").output
    assert "note: later batch 2 skipped lines as already stored; if some were batch 1's" in out
    assert out.endswith("remove and re-import that batch)\n")
    assert counts(db_url)["transactions"] == 1  # overlap.csv's own line stays
    # Was: "already imported as batch 2; nothing added", though its shared line had gone.
    again = invoke("ingest", overlap, "--db", db_url)
    assert again.output == (
        f"{overlap}: already imported as batch 2; nothing added, but that batch skipped lines as "
        "already stored and batch 1 before it is gone: if removed since, it took such lines with "
        "it; to restore them, 'segments batches remove 2' and import this file again\n"
    )
    assert json.loads(invoke("ingest", overlap, "--db", db_url, "--json").output)["earlier_gone"] == [1]


def test_an_unknown_batch_is_one_line(db_url, loaded):
    result = CliRunner().invoke(cli, ["batches", "remove", "7", "--db", db_url, "--yes"])
    assert (result.exit_code, result.output) == (
        2,
        "error: no import batch 7 (see 'segments batches list')\n",
    )
    for bad in ("0", "99999999999"):  # below 1, beyond the integer column
        refused = CliRunner().invoke(cli, ["batches", "remove", bad, "--db", db_url, "--yes"])
        assert refused.exit_code == 2 and refused.output.startswith("error: segments batches remove:"), bad


def test_list_on_an_empty_database(db_url):
    assert invoke("batches", "list", "--db", db_url).output == (
        "no imports yet: load a file with 'segments ingest FILE'\n"
    )


def test_ambiguous_numbers_point_to_removal_and_a_given_mark(db_url, tmp_path):
    """The way out of a file that never tells its decimal mark, as the summary describes it."""
    mute = [[*LINES[0][:5], "1,250", *LINES[0][6:]], [*LINES[0][:3], "2", LINES[0][4], "3", *LINES[0][6:]]]
    path = write_csv(tmp_path / "mute.csv", mute)
    out = invoke("ingest", path, "--db", db_url).output
    assert "ambiguous unit price" in out
    assert "'segments batches remove 1' and import again with --decimal-mark . or ," in out
    assert invoke("batches", "remove", "1", "--db", db_url, "--yes").exit_code == 0
    again = json.loads(invoke("ingest", path, "--db", db_url, "--decimal-mark", "comma", "--json").output)
    assert (again["rows_stored"], again["rejected"]) == (2, 0)
    clean = invoke("ingest", write_csv(tmp_path / "clean.csv", LINES[:1]), "--db", db_url).output
    assert "--decimal-mark" not in clean


def test_an_import_name_stays_on_one_line_of_the_list(db_url, tmp_path):
    # Was: --name "a<TAB>b<LF>c" was stored as given and split the list's row over two lines.
    path = write_csv(tmp_path / "shop.csv", LINES)
    refused = invoke("ingest", path, "--db", db_url, "--name", "a\tb\nc")
    assert refused.exit_code == 2 and "give a name on one line" in refused.output
    blank = invoke("ingest", path, "--db", db_url, "--name", "   ")
    assert blank.exit_code == 2 and "--name is blank" in blank.output
    odd = write_csv(tmp_path / "odd\tname.csv", LINES)  # a file may be named so
    assert invoke("ingest", odd, "--db", db_url, "--quiet", "--name", " spring ").exit_code == 0
    assert invoke("ingest", path, "--db", db_url, "--quiet").exit_code == 0  # already imported
    batches = json.loads(invoke("batches", "list", "--db", db_url, "--json").output)["batches"]
    assert [b["source_name"] for b in batches] == ["spring"]
    other = write_csv(tmp_path / "new\tname.csv", [[*LINES[0][:4], "2011-01-01 08:26", *LINES[0][5:]]])
    assert invoke("ingest", other, "--db", db_url, "--quiet").exit_code == 0
    listed = invoke("batches", "list", "--db", db_url).output.splitlines()
    assert len(listed) == 3 and listed[1].endswith("new?name.csv")


def test_a_batch_is_named_by_its_number():
    result = CliRunner().invoke(cli, ["batches", "remove", "abc"])
    assert result.exit_code == 2
    assert "'abc' is not a valid batch number" in result.output  # was "... integer range"
