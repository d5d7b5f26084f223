"""`segments run/runs/show/backfill/compare/export` through click, on both backends."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from analytics.export import CSV_COLUMNS, RFM_ACTIONS
from tests.analytics.run_fixtures import load_store
from webapp.cli import cli

RUN_KEYS = {
    "run_id",
    "preset",
    "k",
    "n_customers",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "stability_ari",
    "k_sweep",
    "segments",
}
SEGMENT_KEYS = {
    "cluster",
    "label",
    "size",
    "revenue_share",
    "median_recency",
    "median_frequency",
    "median_monetary",
    "action",
}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_json(db_url: str, *args: str) -> dict:
    result = invoke("run", "--db", db_url, "--json", "--resamples", "2", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_run_show_runs_json(engine, db_url):
    load_store(engine)
    out = run_json(db_url, "--preset", "reference", "--k", "3", "--as-of", "2011-12-10", "--name", "dec")
    assert RUN_KEYS <= set(out) and out["preset"] == "reference" and out["k"] == 3
    assert out["n_customers"] == 15 and out["status"] == "finished" and out["k_choice"] == "fixed"
    assert out["k_sweep"] == []
    assert {s["label"] for s in out["segments"]} == {"High value", "Steady mid-value", "At risk"}
    assert all(SEGMENT_KEYS <= set(s) for s in out["segments"])
    assert sum(s["revenue_share"] for s in out["segments"]) == pytest.approx(1.0)

    default = run_json(db_url, "--as-of", "2011-12-10", "--returns", "net", "--include-non-product")
    assert [row["k"] for row in default["k_sweep"]] == list(range(2, 11))
    assert set(default["k_sweep"][0]) == {"k", "inertia", "silhouette"}
    assert default["params"]["rules"] == {
        "include_non_product": True,
        "returns": "net",
        "start": None,
        "end": None,
        "countries": [],
    }

    shown = json.loads(invoke("show", "dec", "--db", db_url, "--json").output)
    assert shown["run_id"] == out["run_id"] and shown["segments"] == out["segments"]
    listed = json.loads(invoke("runs", "--db", db_url, "--json").output)
    assert [r["run_id"] for r in listed] == [default["run_id"], out["run_id"]]

    text = invoke("show", str(out["run_id"]), "--db", db_url).output
    assert "silhouette" in text and "High value" in text and "15 customers" in text
    assert "dec" in invoke("runs", "--db", db_url).output


def test_show_gives_the_median_spend_in_the_currency(engine, db_url):
    load_store(engine)
    run_id = str(run_json(db_url, "--preset", "reference", "--k", "3", "--as-of", "2011-12-10")["run_id"])
    plain = CliRunner().invoke(cli, ["show", run_id, "--db", db_url], env={"SEGMENTS_CURRENCY": None}).output
    euros = CliRunner().invoke(cli, ["show", run_id, "--db", db_url], env={"SEGMENTS_CURRENCY": "EUR"}).output
    assert "€" not in plain and euros.count("€") == 3  # one median spend per segment
    assert euros.replace("€", "").replace("       M  action", "      M  action") == plain
    as_json = ["show", run_id, "--db", db_url, "--json"]
    assert CliRunner().invoke(cli, as_json, env={"SEGMENTS_CURRENCY": "EUR"}).output == invoke(*as_json).output


def test_errors_are_one_line(engine, db_url):
    load_store(engine)
    for command in (["show", "latest"], ["compare", "latest", "1"], ["export", "--run", "latest", "--out", "-"]):
        none_yet = CliRunner().invoke(cli, [*command, "--db", db_url])
        assert none_yet.exit_code == 2, none_yet.output
        assert none_yet.output == "error: no finished run yet: start one with 'segments run'\n"
    missing = CliRunner().invoke(cli, ["show", "42", "--db", db_url])
    assert missing.exit_code == 2 and "no run '42'" in missing.output
    few = CliRunner().invoke(cli, ["run", "--preset", "reference", "--as-of", "2011-03-04", "--db", db_url])
    assert few.output == "error: cannot make 4 segments from 3 customers (need more than 4)\n"
    assert few.exit_code == 2
    bad_k = CliRunner().invoke(cli, ["run", "--k", "1", "--db", db_url])
    assert bad_k.exit_code == 2 and "--k" in bad_k.output
    huge = CliRunner().invoke(cli, ["show", "99999999999999999999", "--db", db_url])
    assert huge.exit_code == 2 and "no run '99999999999999999999'" in huge.output
    far = CliRunner().invoke(cli, ["run", "--as-of", "9999-12-31", "--db", db_url])
    assert far.exit_code == 2 and "outside the years 1900-2100" in far.output
    listed = json.loads(invoke("runs", "--db", db_url, "--json").output)
    assert listed == []  # none of these started a run (too few customers was a failed run)


def test_latest_is_the_run_of_the_latest_data_not_the_newest_made(engine, db_url):
    load_store(engine)
    december = run_json(db_url, "--preset", "reference", "--k", "3", "--as-of", "2011-12-10")["run_id"]
    run_json(db_url, "--preset", "reference", "--k", "3", "--as-of", "2011-10-03")
    assert json.loads(invoke("show", "latest", "--db", db_url, "--json").output)["run_id"] == december
    for spelling in ("LATEST", "Latest"):  # reserved in any case, so read in any case
        assert json.loads(invoke("show", spelling, "--db", db_url, "--json").output)["run_id"] == december


TINY_CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
1001,A1,Widget,2,2011-01-05 10:00,3.50,C1,United Kingdom
1002,A2,Gadget,1,2011-02-10 11:00,10.00,C2,France
1003,A1,Widget,5,2011-03-01 09:00,3.50,C1,United Kingdom
1004,A3,Thing,3,2011-03-15 12:00,2.00,C3,Germany
1005,A2,Gadget,2,2011-03-20 13:00,10.00,C4,France
1006,A1,Widget,1,2011-03-30 14:00,3.50,C5,United Kingdom
C1007,A1,Widget,-1,2011-03-30 15:00,3.50,C1,United Kingdom
1008,POST,POSTAGE,1,2011-03-30 15:00,18.00,C2,France
"""


def test_latest_is_the_run_just_made(engine, db_url, tmp_path):
    tiny = tmp_path / "tiny.csv"
    tiny.write_text(TINY_CSV)
    assert invoke("ingest", str(tiny), "--db", db_url).exit_code == 0
    reference = run_json(db_url, "--preset", "reference")  # as of 15:00: the postage line counts
    default = run_json(db_url, "--k", "2")  # as of 14:00: postage left out
    assert (reference["as_of"], default["as_of"]) == ("2011-03-31 15:00:00", "2011-03-31 14:00:00")
    shown = json.loads(invoke("show", "latest", "--db", db_url, "--json").output)
    assert shown["run_id"] == default["run_id"]  # was the reference run
    export = ["--db", db_url, "--out", "-"]
    assert invoke("export", "--run", "latest", *export).output == invoke("export", "--run", str(default["run_id"]), *export).output
    compared = invoke("compare", str(reference["run_id"]), "latest", "--db", db_url).output
    assert compared.startswith(f"run {reference['run_id']} -> run {default['run_id']}: 5 customers in both")


def test_run_names_are_stored_stripped_and_blank_ones_refused(engine, db_url):
    load_store(engine)
    march = run_json(db_url, "--k", "2", "--name", "March ")
    assert march["name"] == "March"
    for ref in ("March ", "March"):
        assert json.loads(invoke("show", ref, "--db", db_url, "--json").output)["run_id"] == march["run_id"]
    again = invoke("run", "--db", db_url, "--k", "2", "--resamples", "1", "--name", " March")
    assert again.stderr == f"note: run {march['run_id']} had the name 'March' too; it now means run {march['run_id'] + 1}\n"
    for blank in ("", "  "):
        result = CliRunner().invoke(cli, ["run", "--k", "2", "--name", blank, "--db", db_url])
        assert result.exit_code == 2 and result.output == "error: a run name cannot be blank: give one, or no name\n"
    assert len(json.loads(invoke("runs", "--db", db_url, "--json").output)) == 2


def test_too_few_customers_for_k_is_refused_and_stores_nothing(engine, db_url):
    load_store(engine)  # before 2011-03-03, two customers (c10, c11); 16 in all
    refused = {
        ("--k", "5", "--as-of", "2011-03-03"): "cannot make 5 segments from 2 customers (need more than 5)",
        ("--as-of", "2011-03-03"): "too few customers (2) to choose k",
        ("--preset", "reference", "--as-of", "2011-03-03"): "cannot make 4 segments from 2 customers",
        ("--k", "2", "--as-of", "2011-03-02"): "cannot make 2 segments from 1 customer (need more than 2)",
    }
    for args, says in refused.items():
        result = CliRunner().invoke(cli, ["run", *args, "--db", db_url])
        assert result.exit_code == 2 and result.output.startswith(f"error: {says}"), result.output
        assert result.output.count("\n") == 1
    assert json.loads(invoke("runs", "--db", db_url, "--json").output) == []


def test_backfill_reports_a_month_with_too_few_customers_and_goes_on(engine, db_url):
    load_store(engine)  # by the end of August nine customers had bought, by September's fifteen
    result = CliRunner().invoke(
        cli, ["backfill", "--from", "2011-08-01", "--to", "2011-09-30", "--k", "9", "--resamples", "1",
              "--db", db_url, "--json"],
    )  # fmt: skip
    assert result.exit_code == 2 and result.stderr == "error: of 2 monthly runs, 1 refused\n"
    august, september = json.loads(result.stdout)
    assert august == {
        "as_of": "2011-09-01",
        "run_id": None,
        "status": "refused",
        "error": "cannot make 9 segments from 9 customers (need more than 9)",
    }
    assert september["status"] == "finished"
    listed = json.loads(invoke("runs", "--db", db_url, "--json").output)
    assert [(r["run_id"], r["name"]) for r in listed] == [(september["run_id"], "month end 2011-09")]


def test_requests_that_could_only_fail_are_refused_and_store_nothing(engine, db_url):
    empty = CliRunner().invoke(cli, ["run", "--db", db_url])
    assert empty.exit_code == 2 and empty.output.startswith("error: no transactions yet: import a file first")
    load_store(engine)
    refused = {
        ("--as-of", "2011-01-01"): "as-of 2011-01-01 leaves no purchase before it (purchases start on 2011-03-01)",
        ("--as-of", "2030-01-01"): "as-of 2030-01-01 is after purchases end (2011-12-15)",
        ("--name", "latest"): "run name 'latest' would be read as a run id or 'latest'",
        ("--name", "Latest"): "run name 'Latest' would be read as a run id or 'latest'",
        ("--name", " LATEST "): "run name 'LATEST' would be read as a run id or 'latest'",
        ("--name", "12"): "run name '12' would be read as a run id",
        ("--name", " 5 "): "run name '5' would be read as a run id",
        ("--name", "5.0"): "run name '5.0' would be read as a run id",
        ("--name=-5",): "run name '-5' would be read as a run id",
        ("--name=-x",): "run name '-x' starts with '-', read as an option by commands",
    }
    for args, says in refused.items():
        result = CliRunner().invoke(cli, ["run", *args, "--db", db_url])
        assert result.exit_code == 2 and result.output.startswith(f"error: {says}"), result.output
        assert result.output.count("\n") == 1
    before_data = CliRunner().invoke(cli, ["backfill", "--from", "2010-01-01", "--to", "2011-03-20", "--db", db_url])
    assert before_data.exit_code == 2 and before_data.output == "error: no complete month of data in the chosen range\n"
    reversed_range = CliRunner().invoke(cli, ["backfill", "--from", "2011-05-01", "--to", "2011-04-01", "--db", db_url])
    assert reversed_range.output == "error: --from 2011-05-01 is after --to 2011-04-01\n"  # as trends says it
    assert json.loads(invoke("runs", "--db", db_url, "--json").output) == []


def test_a_file_that_is_no_database_is_one_line(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("these are notes, not a database\n" * 100)
    result = CliRunner().invoke(cli, ["runs", "--db", f"sqlite:///{junk}"])
    assert result.exit_code == 2 and result.output == (
        f"error: sqlite:///{junk}: file is not a database (not a SQLite database file)\n"
    )


def test_compare_and_export(engine, db_url, tmp_path):
    load_store(engine)
    early = run_json(db_url, "--preset", "reference", "--k", "3", "--as-of", "2011-10-03")["run_id"]
    late = run_json(db_url, "--preset", "reference", "--k", "3", "--as-of", "2011-12-10")["run_id"]

    result = json.loads(invoke("compare", str(early), str(late), "--db", db_url, "--json").output)
    assert {"ari", "matrix", "only_a", "only_b"} <= set(result)
    assert result["only_a"] == 0 and result["common"] + result["only_b"] == 15
    assert sum(n for row in result["matrix"].values() for n in row.values()) == result["common"]
    assert "adjusted Rand index" in invoke("compare", str(early), str(late), "--db", db_url).output

    out = tmp_path / "at_risk.csv"
    done = invoke("export", "--run", str(late), "--segment", "At risk", "--db", db_url, "--out", str(out))
    assert done.exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfcustomer_id,")  # the BOM Excel needs for UTF-8
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["customer_id"] for r in rows] == [f"c{i}" for i in range(10, 16)]
    assert rows[0]["country"] == "'=cmd|' /C calc'!A0"  # neutralised
    assert rows[0]["segment"] == "At risk" and rows[0]["action"].startswith("Win-back")
    assert rows[0]["rfm_segment"] == "Hibernating" and list(rows[0]) == CSV_COLUMNS
    assert rows[0]["recency_days"] == "283" and rows[0]["monetary"] == "10.1"

    filtered = invoke(
        "export", "--run", "latest", "--segment", "Champions", "--segment", "High value",
        "--recency-max", "5", "--min-monetary", "10000", "--country", "United Kingdom",
        "--db", db_url, "--out", "-",
    )  # fmt: skip
    assert filtered.output.startswith("customer_id,")  # no BOM in a pipe
    ids = [r["customer_id"] for r in csv.DictReader(io.StringIO(filtered.output))]
    assert ids == ["c01", "c02", "c03"]  # recency 4, 3, 2 days; spent 10,200 .. 10,600

    # Listed by an RFM segment or by a cluster label: `segment` is the cluster label either way.
    both = invoke(
        "export", "--run", str(late), "--segment", "rfm:Champions", "--segment", "At risk",
        "--db", db_url, "--out", "-",
    )  # fmt: skip
    kinds = {(r["segment"], r["rfm_segment"], r["action"]) for r in csv.DictReader(io.StringIO(both.output))}
    assert kinds == {
        ("High value", "Champions", RFM_ACTIONS["Champions"]),
        ("At risk", "Hibernating", rows[0]["action"]),
    }

    # --moved-from/--moved-to/--since lists exactly the customers of that cell of the matrix.
    matrix = result["matrix"]
    for src, row in matrix.items():
        for dst, count in row.items():
            moved = invoke(
                "export", "--run", str(late), "--moved-from", src, "--moved-to", dst, "--since", str(early),
                "--db", db_url, "--out", "-",
            )  # fmt: skip
            assert len(list(csv.DictReader(io.StringIO(moved.output)))) == count

    unknown = CliRunner().invoke(
        cli, ["export", "--run", str(late), "--segment", "Nope", "--db", db_url, "--out", "-"]
    )
    assert unknown.exit_code == 2 and "unknown segment 'Nope'" in unknown.output
    half = CliRunner().invoke(
        cli, ["export", "--run", str(late), "--moved-from", "Lost", "--db", db_url, "--out", "-"]
    )
    assert half.exit_code == 2 and "go together" in half.output
    typo = CliRunner().invoke(
        cli, ["export", "--run", str(late), "--moved-from", "At rsk", "--moved-to", "At risk",
              "--since", str(early), "--db", db_url, "--out", "-"],
    )  # fmt: skip
    assert typo.exit_code == 2
    assert f"--moved-from 'At rsk' is not a segment label of run {early}; it has: At risk" in typo.output
    # Any case, as --segment takes it (was: refused as "not a segment label").
    src, dst = next((s, d) for s, row in matrix.items() for d, n in row.items() if n)
    shouted = invoke(
        "export", "--run", str(late), "--moved-from", src.upper(), "--moved-to", dst.lower(),
        "--since", str(early), "--db", db_url, "--out", "-",
    )  # fmt: skip
    assert len(list(csv.DictReader(io.StringIO(shouted.output)))) == matrix[src][dst]
    nowhere = CliRunner().invoke(
        cli, ["export", "--run", str(late), "--db", db_url, "--out", str(tmp_path / "no" / "such" / "x.csv")]
    )
    assert nowhere.exit_code == 2 and "the folder" in nowhere.output and "does not exist" in nowhere.output
    for name in ("x.xlsx", "x.csv.gz", "x"):  # was CSV text written under a spreadsheet's name
        wrong = CliRunner().invoke(cli, ["export", "--run", str(late), "--db", db_url, "--out", str(tmp_path / name)])
        assert wrong.exit_code == 2 and not (tmp_path / name).exists()
        assert wrong.output == (
            f"error: --out {tmp_path / name}: the list is CSV; give a file name ending in .csv (or - for stdout)\n"
        )
    shouting = tmp_path / "LIST.CSV"
    assert invoke("export", "--run", str(late), "--db", db_url, "--out", str(shouting)).exit_code == 0
    assert shouting.exists()

    # Filters that could only give an empty list that looks like an answer are refused.
    refusals = {
        ("--country", "Atlantis"): f"--country 'Atlantis': no customer of run {late} is from there; ",
        ("--recency-min", "100", "--recency-max", "10"): "--recency-min 100 is above --recency-max 10",
        ("--min-monetary", "nan"): "--min-monetary must be a number, not nan",
        ("--min-monetary", "1e999"): "--min-monetary must be a number, not inf",
    }
    for args, says in refusals.items():
        refused = CliRunner().invoke(cli, ["export", "--run", str(late), *args, "--db", db_url, "--out", "-"])
        assert refused.exit_code == 2 and refused.output.startswith(f"error: {says}"), refused.output
    french = invoke("export", "--run", str(late), "--country", "france", "--db", db_url, "--out", "-")
    assert {r["country"] for r in csv.DictReader(io.StringIO(french.output))} == {"France"}


def test_backfill_one_run_per_month_end(engine, db_url):
    load_store(engine)
    result = invoke(
        "backfill", "--every", "month", "--from", "2011-09-01", "--to", "2011-11-30",
        "--preset", "reference", "--k", "2", "--resamples", "1", "--db", db_url, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    months = json.loads(result.output)
    assert [m["as_of"] for m in months] == ["2011-10-01", "2011-11-01", "2011-12-01"]
    assert {m["status"] for m in months} == {"finished"}
    listed = json.loads(invoke("runs", "--db", db_url, "--json").output)
    assert sorted(r["name"] for r in listed) == [
        "month end 2011-09",
        "month end 2011-10",
        "month end 2011-11",
    ]
    assert sorted(r["as_of"] for r in listed) == [
        "2011-10-01 00:00:00",
        "2011-11-01 00:00:00",
        "2011-12-01 00:00:00",
    ]


def test_reusing_a_run_name_says_which_run_it_now_means(engine, db_url):
    load_store(engine)
    first = run_json(db_url, "--preset", "reference", "--k", "3", "--name", "ref")["run_id"]
    again = invoke("run", "--db", db_url, "--preset", "reference", "--k", "3", "--resamples", "2", "--name", "ref")
    assert again.exit_code == 0
    second = json.loads(invoke("show", "ref", "--db", db_url, "--json").stdout)["run_id"]
    assert second > first
    assert again.stderr == f"note: run {first} had the name 'ref' too; it now means run {second}\n"
    assert "note:" not in invoke("run", "--db", db_url, "--resamples", "2", "--name", "other").stderr


def test_a_wholesale_median_spend_keeps_its_own_column(engine, db_url):
    # Was: "218     218,518,518.35": F=2 ran into M=18,518,518.35 and read as one number.
    from tests.transaction_factory import insert_lines

    lines = [
        (f"5{c}{n}", "X1", 10 if c < 2 else 1, f"2011-0{1 + (c + n) % 9}-1{n} 10:00",
         "1234567.89" if c < 2 else f"{5 + 7 * c}.50", f"K{c}", "United Kingdom")
        for c in range(8) for n in range(1 + c % 3)
    ]  # fmt: skip
    insert_lines(engine=engine, lines=lines)
    result = invoke("run", "--db", db_url, "--preset", "reference", "--k", "2", "--resamples", "2")
    assert result.exit_code == 0, result.output
    shown = invoke("show", "latest", "--db", db_url, "--json")
    for segment in json.loads(shown.output)["segments"]:
        row = next(line for line in result.output.splitlines() if line.startswith(segment["label"]))
        tokens = row[len(segment["label"]):].split()
        assert f"{segment['median_frequency']:.0f}" in tokens
        assert f"{segment['median_monetary']:,.2f}" in tokens


def test_export_since_must_name_an_earlier_run(engine, db_url):
    """Was: --since naming the run itself listed everyone in the label as having "moved"; a later
    run was accepted too. Both are refused in one line, exit 2, as the Campaigns page refuses them."""
    from tests.webapp.run_store import make_two_runs

    early, late = make_two_runs(engine)
    for run, since in ((late, late), (early, late)):
        refused = CliRunner().invoke(
            cli, ["export", "--run", str(run), "--moved-from", "High value", "--moved-to", "High value",
                  "--since", str(since), "--db", db_url, "--out", "-"],
        )  # fmt: skip
        assert refused.exit_code == 2 and "Traceback" not in refused.output
        assert refused.output.strip().splitlines() == [
            f"error: --since run {since} is not earlier than run {run}: choose a run of older data, "
            "or one made before on the same data (see 'segments runs')"
        ]
    stayed = invoke(
        "export", "--run", str(late), "--moved-from", "High value", "--moved-to", "High value",
        "--since", str(early), "--db", db_url, "--out", "-",
    )  # fmt: skip
    assert [r["customer_id"] for r in csv.DictReader(io.StringIO(stayed.output))] == ["c01", "c02", "c03"]


# Five customers for the reference preset's k = 4: one bootstrap resample (drawn with
# replacement) never holds four distinct customers, so the stability ARI cannot be measured.
FIVE_CUSTOMERS = [
    ["1001", "A1", "A", "1", "2011-01-01 10:00:00", "10.00", "C1", "France"],
    ["1002", "A1", "A", "2", "2011-01-05 10:00:00", "10.00", "C2", "France"],
    ["1003", "A1", "A", "3", "2011-01-09 10:00:00", "10.00", "C3", "France"],
    ["1004", "A1", "A", "4", "2011-01-13 10:00:00", "10.00", "C4", "France"],
    ["1005", "A1", "A", "5", "2011-01-17 10:00:00", "10.00", "C5", "France"],
    ["1006", "A1", "A", "5", "2011-01-17 11:00:00", "10.00", "C5", "France"],
]


def _strict_json(text: str):
    """JSON as any reader takes it: Python's bare NaN / Infinity are refused."""

    def refuse(constant: str):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_an_unmeasured_stability_is_null_on_every_database(db_url, tmp_path):
    from tests.db.helpers import ingest_json, write_csv

    ingest_json(db_url, write_csv(tmp_path / "five.csv", FIVE_CUSTOMERS))
    result = invoke("run", "--db", db_url, "--json", "--preset", "reference", "--resamples", "1")
    assert result.exit_code == 0, result.output
    assert _strict_json(result.output)["stability_ari"] is None
    shown = invoke("show", "latest", "--db", db_url, "--json")
    assert shown.exit_code == 0, shown.output
    run = _strict_json(shown.output)
    assert (run["k"], run["stability_ari"], run["stability_resamples"]) == (4, None, 1)
    assert "stability ARI - over 1 resamples" in invoke("show", "latest", "--db", db_url).output


def test_json_output_writes_non_finite_numbers_as_null(capsys):
    from webapp.cli.common import print_json

    print_json({"a": float("nan"), "b": [1.5, float("inf")], "c": (float("-inf"),), "d": "NaN"})
    assert _strict_json(capsys.readouterr().out) == {"a": None, "b": [1.5, None], "c": [None], "d": "NaN"}


def test_runs_says_when_there_are_none_and_groups_thousands(engine, db_url):
    from sqlalchemy import text

    from analytics.as_of import NO_TRANSACTIONS

    empty = invoke("runs", "--db", db_url)  # was the header over nothing
    assert empty.exit_code == 0 and empty.output == f"no runs yet, and {NO_TRANSACTIONS}\n"
    assert invoke("runs", "--db", db_url, "--json").output == "[]\n"
    load_store(engine)
    assert invoke("runs", "--db", db_url).output == "no runs yet: start one with 'segments run'\n"
    run_id = run_json(db_url, "--k", "2")["run_id"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE runs SET n_customers = 4334 WHERE id = :id"), {"id": run_id})
    listed = invoke("runs", "--db", db_url).output
    assert "      4,334  " in listed  # as `show` writes it (was 4334)
    assert "4,334 customers" in invoke("show", str(run_id), "--db", db_url).output


def test_backfill_json_help_says_array():
    help_text = " ".join(invoke("backfill", "--help").output.split())
    assert "Print one JSON array: each month's as_of, run_id, status and error." in help_text and "one JSON object" not in help_text
