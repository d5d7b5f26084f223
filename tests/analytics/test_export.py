"""Campaign list selection and spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pandas as pd
import pytest

from analytics.export import CSV_COLUMNS, RFM_ACTIONS, Selection, campaign_list, split_segments, to_safe_csv

ACTIONS = {"High value": "VIP", "At risk": "Win back", "Promising": "Upsell"}


def assignments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["c3", "c1", "c2", "c4"],
            "country": ["France", '=HYPERLINK("http://x")', "United Kingdom", "@SUM(A1)"],
            "last_purchase": pd.to_datetime(
                ["2011-12-01 10:00", "2011-12-05 12:30", "2011-03-01 00:00", "2011-06-01 00:00"]
            ),
            "recency": [9, 4, 284, 190],
            "frequency": [3, 20, 1, 2],
            "monetary": [-12.5, 10_200.0, 10.1, 150.25],
            "rfm_score": ["433", "555", "111", "222"],
            "rfm_segment": ["Need Attention", "Champions", "Hibernating", "Hibernating"],
            "cluster": [2, 0, 1, 1],
            "label": ["Promising", "High value", "At risk", "At risk"],
        }
    )


def test_select_by_label_and_filters():
    a = assignments()
    out = campaign_list(a, Selection(labels=("At risk",)), actions=ACTIONS)
    assert list(out.columns) == CSV_COLUMNS
    assert out["customer_id"].tolist() == ["c2", "c4"]
    assert out["segment"].tolist() == ["At risk"] * 2 and out["action"].tolist() == ["Win back"] * 2
    assert out["rfm_segment"].tolist() == ["Hibernating"] * 2
    assert out["recency_days"].tolist() == [284, 190]
    one = campaign_list(a, Selection(labels=("At risk",), recency_max=200), actions=ACTIONS)
    assert one["customer_id"].tolist() == ["c4"]
    rich = campaign_list(a, Selection(min_monetary=100, recency_min=4, recency_max=190), actions=ACTIONS)
    assert rich["customer_id"].tolist() == ["c1", "c4"]
    french = campaign_list(a, Selection(countries=("France",)), actions=ACTIONS)
    assert french["customer_id"].tolist() == ["c3"]
    moved = campaign_list(a, Selection(customer_ids=frozenset({"c3", "c9"})), actions=ACTIONS)
    assert moved["customer_id"].tolist() == ["c3"]


def test_select_by_rfm_segment_uses_its_action_and_keeps_both_names():
    out = campaign_list(
        assignments(), Selection(labels=("High value",), rfm_segments=("Hibernating",)), actions=ACTIONS
    )
    assert out["customer_id"].tolist() == ["c1", "c2", "c4"]
    assert out["segment"].tolist() == ["High value", "At risk", "At risk"]  # always the cluster label
    assert out["rfm_segment"].tolist() == ["Champions", "Hibernating", "Hibernating"]
    assert out["action"].tolist() == ["VIP", RFM_ACTIONS["Hibernating"], RFM_ACTIONS["Hibernating"]]


def test_a_name_that_is_a_label_and_an_rfm_segment_is_told_apart_in_the_csv():
    """Was: one ``segment`` column held the cluster label or the RFM segment, whichever the
    customer was selected by, so the RFM segment "Promising" read like the label "Promising"."""
    a = pd.DataFrame(
        {
            "customer_id": ["p1", "p2", "p3", "p4"],
            "country": ["France"] * 4,
            "last_purchase": pd.to_datetime(["2011-12-01"] * 4),
            "recency": [30, 20, 10, 200],
            "frequency": [2, 3, 4, 1],
            "monetary": [50.0, 60.0, 70.0, 5.0],
            "rfm_score": ["322", "433", "433", "111"],
            "rfm_segment": ["Need Attention", "Promising", "Promising", "Hibernating"],
            "cluster": [0, 1, 0, 2],
            "label": ["Promising", "At risk", "Promising", "At risk"],
        }
    )
    labels, rfm = split_segments(["cluster:Promising", "rfm:Promising"], run_labels=ACTIONS)
    out = campaign_list(a, Selection(labels, rfm), actions=ACTIONS)
    rows = list(csv.DictReader(io.StringIO(to_safe_csv(out))))
    assert [r["customer_id"] for r in rows] == ["p1", "p2", "p3"]
    # p2 is listed by its RFM segment only: its cluster label is still "At risk".
    assert [r["segment"] for r in rows] == ["Promising", "At risk", "Promising"]
    assert [r["rfm_segment"] for r in rows] == ["Need Attention", "Promising", "Promising"]
    assert [r["action"] for r in rows] == ["Upsell", RFM_ACTIONS["Promising"], "Upsell"]
    # The QA case: an RFM segment and another cluster label, as `segments export` is given them.
    labels, rfm = split_segments(["rfm:Promising", "At risk"], run_labels=ACTIONS)
    out = campaign_list(a, Selection(labels, rfm), actions=ACTIONS)
    rows = list(csv.DictReader(io.StringIO(to_safe_csv(out))))
    assert [(r["customer_id"], r["segment"], r["rfm_segment"]) for r in rows] == [
        ("p2", "At risk", "Promising"),
        ("p3", "Promising", "Promising"),
        ("p4", "At risk", "Hibernating"),
    ]
    # p3 is listed by its RFM segment only (its label was not asked for): that segment's action.
    assert [r["action"] for r in rows] == ["Win back", RFM_ACTIONS["Promising"], "Win back"]


def test_split_segments():
    labels = ["Promising", "At risk"]
    assert split_segments(["At risk", "Champions"], run_labels=labels) == (("At risk",), ("Champions",))
    # "Promising" is both a cluster label and an RFM segment: the label wins unless prefixed.
    assert split_segments(["Promising"], run_labels=labels) == (("Promising",), ())
    assert split_segments(["rfm:Promising", "cluster:At risk"], run_labels=labels) == (
        ("At risk",),
        ("Promising",),
    )
    with pytest.raises(ValueError, match="unknown segment 'Lost'"):
        split_segments(["Lost"], run_labels=labels)


def test_segment_names_in_another_case_mean_the_one_name_they_match():
    # Was: "at risk" was unknown, and "At Risk" (an RFM segment) silently not the cluster "At risk".
    labels = ["Promising", "At risk", "High value"]
    assert split_segments(["high VALUE", "champions"], run_labels=labels) == (("High value",), ("Champions",))
    assert split_segments(["rfm:promising", "cluster:AT RISK"], run_labels=labels) == (("At risk",), ("Promising",))
    assert split_segments(["RFM: At Risk", "Cluster:at risk"], run_labels=labels) == (("At risk",), ("At Risk",))
    # The exact spelling first: "At risk" is the label, "At Risk" the RFM segment.
    assert split_segments(["At risk", "At Risk"], run_labels=labels) == (("At risk",), ("At Risk",))
    with pytest.raises(ValueError, match="segment 'at risk' is more than one name: say 'cluster:At risk' or 'rfm:At Risk'"):
        split_segments(["at risk"], run_labels=labels)


def test_csv_neutralises_formulas_but_keeps_numbers():
    out = campaign_list(assignments(), Selection(), actions=ACTIONS)
    text = to_safe_csv(out)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == CSV_COLUMNS
    by_id = {row["customer_id"]: row for row in rows}
    assert by_id["c1"]["country"] == '\'=HYPERLINK("http://x")'
    assert by_id["c4"]["country"] == "'@SUM(A1)"
    assert by_id["c3"]["monetary"] == "-12.5"  # a number, not text
    assert by_id["c1"]["monetary"] == "10200.0" and by_id["c1"]["recency_days"] == "4"
    assert by_id["c1"]["last_purchase"] == "2011-12-05 12:30:00"
    assert by_id["c2"]["country"] == "United Kingdom"
    assert by_id["c2"]["rfm_segment"] == "Hibernating" and by_id["c2"]["segment"] == "At risk"
    # Names come from the run's stored rows: the RFM segment's text is neutralised as well.
    odd = assignments().assign(rfm_segment=["=1+1", "-x", "@y", "plain"], label=["+z"] * 4)
    odd_rows = list(csv.DictReader(io.StringIO(to_safe_csv(campaign_list(odd, Selection(), actions={})))))
    assert [(r["rfm_segment"], r["segment"]) for r in odd_rows] == [
        ("'-x", "'+z"),
        ("'@y", "'+z"),
        ("'=1+1", "'+z"),
        ("plain", "'+z"),
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_prefixed(start):
    frame = pd.DataFrame({"name": [f"{start}1+1", "plain"], "n": [-1, 2], "when": [datetime(2011, 1, 1)] * 2})
    rows = list(csv.reader(io.StringIO(to_safe_csv(frame), newline="")))
    assert rows[1] == [f"'{start}1+1", "-1", "2011-01-01 00:00:00"]
    assert rows[2] == ["plain", "2", "2011-01-01 00:00:00"]


def test_money_is_to_the_cent_for_the_filter_and_the_list():
    a = assignments().assign(monetary=[274.127, 274.124, 10.1, 0.005])
    out = campaign_list(a, Selection(min_monetary=274.13), actions=ACTIONS)
    # 274.127 is shown as 274.13 and so passes "at least 274.13"; 274.124 (274.12) does not.
    assert out[["customer_id", "monetary"]].values.tolist() == [["c3", 274.13]]
    assert campaign_list(a, Selection(), actions=ACTIONS)["monetary"].tolist() == [274.12, 10.1, 274.13, 0.0]
