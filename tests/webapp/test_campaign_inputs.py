"""Browser and URL values are checked before they reach a query; the URL round-trips."""

from urllib.parse import parse_qs

from webapp.browser_values import MAX_INT, as_float, as_int, as_texts, single
from webapp.campaign_inputs import (
    bad_numbers,
    campaign_query,
    export_file_name,
    filter_problems,
    from_url,
    shared_query,
    url_values,
)


def test_whole_numbers_only():
    assert as_int(3) == 3 and as_int("12") == 12 and as_int(4.0) == 4
    assert as_int("1 OR 1=1") is None and as_int(-1) is None and as_int(True) is None
    assert as_int(2.5) is None and as_int("") is None and as_int(None) is None
    assert as_int(0, minimum=1) is None
    # ASCII digits only ("²" passes str.isdigit()), and nothing an integer column cannot hold.
    assert as_int("²") is None and as_int("١٢") is None
    assert as_int(MAX_INT) == MAX_INT and as_int(MAX_INT + 1) is None and as_int(str(MAX_INT + 1)) is None
    assert as_int(1e308) is None and as_int(float("nan")) is None and as_int([1]) is None


def test_finite_numbers_only():
    assert as_float("12.5") == 12.5 and as_float(3) == 3.0
    assert as_float("nan") is None and as_float(float("inf")) is None and as_float("x") is None
    assert as_float(False) is None


def test_texts_are_short_unique_strings():
    assert as_texts("France") == ("France",)
    assert as_texts(["a", "a", 3, None, "", "b", "x" * 129]) == ("a", "b")
    assert as_texts({"a": 1}) == ()


def test_bad_values_are_dropped_not_trusted():
    q = campaign_query(
        run="2; DROP TABLE runs",
        segments=["cluster:At risk", {"x": 1}],
        min_spend=-5,
        recency_min="7",
        recency_max=-1,
        since="abc",
        moved_from=["list"],
    )
    assert q.run is None and q.segments == ("cluster:At risk",) and q.min_spend is None
    assert q.recency_min == 7 and q.recency_max is None and q.since is None and q.moved_from is None
    assert not q.moving


def test_query_string_round_trip():
    q = campaign_query(
        run=3,
        segments=["cluster:At risk", "rfm:Can't Lose Them"],
        countries=["United Kingdom"],
        min_spend=100.5,
        recency_min=0,
        recency_max=90,
        since=1,
        moved_from="High value",
        moved_to="At risk",
    )
    text = q.query_string()
    parsed = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(text[1:]).items()}  # as Dash parses
    assert from_url(parsed) == q
    assert campaign_query().query_string() == ""
    # Every digit as typed (was ":g": 10196.57 became 10196.6, 1234567.5 "1.23457e+06").
    for typed, written in (("10196.57", "10196.57"), ("1234567.5", "1234567.5"), ("100", "100"), ("0.00001", "0.00001")):
        shared = campaign_query(run=3, min_spend=typed).query_string()
        assert shared == f"?run=3&min_spend={written}"
        assert from_url({"run": "3", "min_spend": written}).min_spend == float(typed)


def test_numbers_are_plain_decimals():
    """A "1,000" is 1.000 in much of Europe: refused (and named), as the CLI's --min-monetary does."""
    assert as_float("1e3") == 1000.0 and as_float(" .5 ") == 0.5 and as_float("-3") == -3.0
    for text in ("1,000", "1_000", "١٢", "1 000", "0x10", "infinity", ""):
        assert as_float(text) is None, text


def test_bad_numbers_are_kept_as_given_in_the_url():
    raw = {"run": "abc", "min_spend": "1,000", "recency_min": "-3", "recency_max": "30", "since": "2"}
    assert bad_numbers(**raw) == {"run": "abc", "min_spend": "1,000", "recency_min": "-3"}
    text = shared_query(**raw)
    assert text == "?run=abc&min_spend=1%2C000&recency_min=-3&recency_max=30&since=2"
    parsed = {k: v[0] for k, v in parse_qs(text[1:]).items()}
    assert url_values(parsed) | {"segments": None} == {**dict.fromkeys(url_values({})), **raw}
    assert filter_problems(**url_values(parsed))[:3] == [
        "Run: a run number, not 'abc'",
        "Minimum spend: a number from 0, not '1,000' (digits and a decimal point only: 1000, 99.50)",
        "Recency from: whole days from 0, not '-3'",
    ]
    assert shared_query(min_spend=" ", recency_min=None) == ""  # blank fields are no filter


def test_a_single_valued_key_given_twice_is_its_last_value():
    """Dash Pages passes ``?run=1&run=2`` as a list; it was shown as "['1', '2']"."""
    assert single(["1", "2"]) == "2" and single(("a",)) == "a" and single([]) is None
    assert single("3") == "3" and single(None) is None
    values = url_values({"run": ["1", "2"], "min_spend": ["1", "x"], "segment": ["a", "b"], "country": "France"})
    assert (values["run"], values["min_spend"], values["segments"], values["countries"]) == ("2", "x", ["a", "b"], "France")
    assert bad_numbers(**values) == {"min_spend": "x"}
    assert shared_query(**values) == "?run=2&segment=a&segment=b&country=France&min_spend=x"


def test_export_file_names_say_what_was_listed():
    """Was: every export of a run was campaign-run-9.csv."""
    assert export_file_name(campaign_query(), 9) == "campaign-run-9.csv"
    q = campaign_query(segments=["cluster:High value"], countries=["France"])
    assert export_file_name(q, 9) == "campaign-run-9-High-value-France.csv"
    q = campaign_query(segments=["rfm:At Risk", "Lost"], countries=["Côte d'Ivoire", "../../etc/passwd"])
    assert export_file_name(q, 3) == "campaign-run-3-At-Risk-Lost-Cote-d-Ivoire-etc-passwd.csv"
    long = export_file_name(campaign_query(countries=[f"Country {n}" for n in range(30)]), 1)
    assert len(long) <= len("campaign-run-1-.csv") + 40 and not long.endswith("-.csv")
    assert long.isascii() and "/" not in long and "\\" not in long
    assert export_file_name(campaign_query(segments=["cluster:日本"]), 2) == "campaign-run-2.csv"
