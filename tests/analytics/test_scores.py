"""Quintile scores and named segments on hand-made frames (no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.scores import SCORE_COLUMNS, quintile_score, score_rfm
from analytics.segment_map import SEGMENT_GRID, SegmentMapError, load_segment_map


def _frame(recency, frequency, monetary):
    ids = [f"c{i:02d}" for i in range(len(recency))]
    return pd.DataFrame(
        {"customer_id": ids, "recency": recency, "frequency": frequency, "monetary": monetary}
    )


def test_ten_distinct_values_make_even_quintiles():
    values = pd.Series([50, 10, 40, 20, 30, 100, 90, 60, 80, 70])
    # Sorted: 10,20 -> 1; 30,40 -> 2; 50,60 -> 3; 70,80 -> 4; 90,100 -> 5 (two per quintile).
    assert list(quintile_score(values)) == [3, 1, 2, 1, 2, 5, 5, 3, 4, 4]
    assert list(quintile_score(values, higher_is_better=False)) == [3, 5, 4, 5, 4, 1, 1, 3, 2, 2]


def test_ties_share_a_score_whatever_the_order():
    # Sorted 1,1,1,1 | 2,2 | 5 | 9 of 8; a group scores the quintile overlapping it most.
    # 1s span [0, 4/8): quintiles 1 and 2 hold 1/5 each, 3 holds 1/10 -> the outer one, 1.
    # 2s span [4/8, 6/8): quintile 4 holds 3/20, quintile 3 1/10 -> 4.
    # 5 spans [6/8, 7/8): quintile 5 holds 1/20 (4 holds 1/20 too) -> the outer one, 5. 9 -> 5.
    values = pd.Series([2, 1, 9, 1, 5, 1, 2, 1])
    assert list(quintile_score(values)) == [4, 1, 5, 1, 5, 1, 4, 1]
    shuffled = values.sample(frac=1, random_state=3)
    assert quintile_score(shuffled).sort_index().tolist() == [4, 1, 5, 1, 5, 1, 4, 1]


def test_a_tied_best_group_is_not_scored_below_the_rest():
    """95 customers who all bought yesterday scored R1 ("Hibernating"), the lowest."""
    recency = pd.Series([0] * 95)
    assert set(quintile_score(recency, higher_is_better=False)) == {3}  # nothing to rank
    # Half the customers tied at the best recency, the rest spread out behind them: the tied
    # group fills quintiles 4 and 5 and takes the top one.
    recency = pd.Series([0] * 50 + list(range(10, 60)))
    scores = quintile_score(recency, higher_is_better=False)
    assert set(scores[:50]) == {5}
    assert scores[50:].value_counts().sort_index().to_dict() == {1: 20, 2: 20, 3: 10}


def test_a_tied_worst_group_scores_1_even_above_40_percent():
    """41% one-order customers span percentiles 0-41%: their mid-rank (20.5%) scored F2, F1 was empty."""
    frequency = pd.Series([1] * 41 + [2] * 19 + [3] * 12 + [4] * 8 + list(range(5, 25)))
    scores = quintile_score(frequency)
    assert set(scores[frequency == 1]) == {1}
    # 2s span [41%, 60%), all inside quintile 3; F2 stays empty next to the big tied group.
    assert set(scores[frequency == 2]) == {3}
    assert scores.value_counts().sort_index().to_dict() == {1: 41, 3: 19, 4: 20, 5: 20}
    # A majority of one-order customers still scores 1 (and the rest, the best group, 5).
    assert quintile_score(pd.Series([1] * 70 + [2] * 30)).value_counts().to_dict() == {1: 70, 5: 30}


def test_the_rule_is_symmetric_and_keeps_order():
    values = pd.Series([3, 1, 1, 7, 7, 7, 2, 9, 1, 4, 4, 8])
    up = quintile_score(values)
    assert (quintile_score(values, higher_is_better=False) == 6 - up).all()
    assert (quintile_score(-values) == 6 - up).all()
    ordered = values.sort_values(kind="stable").index
    assert up[ordered].is_monotonic_increasing
    assert set(up[values == 1]) == {1} and set(up[values == 9]) == {5}


@pytest.mark.parametrize("values", [[7.0], [3, 3, 3], [], [1, 2]])
def test_small_and_flat_populations(values):
    scores = quintile_score(pd.Series(values, dtype="float64"))
    assert len(scores) == len(values)
    assert scores.between(1, 5).all()
    if len(set(values)) == 1:
        assert set(scores) == {3}  # one tied group: nothing to rank, the middle
    if values == [1, 2]:
        assert list(scores) == [1, 5]  # the worst and the best group


def test_scores_and_segments_on_a_hand_made_frame():
    frame = _frame(
        recency=[1, 2, 3, 4, 5, 200, 300, 30, 90, 150],
        frequency=[20, 1, 3, 12, 8, 2, 25, 4, 1, 6],
        monetary=[5000.0, 20.0, 150.0, 900.0, 600.0, 40.0, 8000.0, 200.0, 15.0, 300.0],
    )
    scored = score_rfm(frame)
    assert list(scored.columns) == [*frame.columns, *SCORE_COLUMNS]
    by_id = scored.set_index("customer_id")
    # recency ascending: 1,2 -> R5; 3,4 -> R4; 5,30 -> R3; 90,150 -> R2; 200,300 -> R1.
    assert by_id["r_score"].tolist() == [5, 5, 4, 4, 3, 1, 1, 3, 2, 2]
    # frequency sorted 1,1,2,3,4,6,8,12,20,25: each value spans a tenth, the 1s a fifth, so the
    # quintile holding most of each: 1 -> 1; 2, 3 -> 2; 4, 6 -> 3; 8, 12 -> 4; 20, 25 -> 5.
    assert by_id["f_score"].tolist() == [5, 1, 2, 4, 4, 2, 5, 3, 1, 3]
    assert by_id.loc["c00", "rfm_score"] == "555"
    assert by_id["rfm_segment"].to_dict() == {
        "c00": "Champions",  # R5 F5
        "c01": "New Customers",  # R5 F1
        "c02": "Potential Loyalists",  # R4 F2
        "c03": "Loyal Customers",  # R4 F4
        "c04": "Loyal Customers",  # R3 F4
        "c05": "Hibernating",  # R1 F2
        "c06": "Can't Lose Them",  # R1 F5
        "c07": "Need Attention",  # R3 F3
        "c08": "Hibernating",  # R2 F1
        "c09": "At Risk",  # R2 F3
    }
    assert "r_score" not in frame.columns  # the input is left alone


def test_single_customer_and_empty_frame():
    scored = score_rfm(_frame([10], [3], [99.0]))
    assert scored.loc[0, "rfm_score"] == "333" and scored.loc[0, "rfm_segment"] == "Need Attention"
    empty = score_rfm(_frame([], [], []))
    assert empty.empty and list(empty.columns)[-5:] == list(SCORE_COLUMNS)


def test_the_grid_names_all_25_cells_once():
    cells = load_segment_map()
    assert len(cells) == 25
    assert set(cells.values()) == set(SEGMENT_GRID)
    assert cells[(5, 4)] == "Champions" and cells[(3, 3)] == "Need Attention"


def test_a_grid_with_a_hole_or_an_overlap_is_refused():
    holed = {k: v for k, v in SEGMENT_GRID.items() if k != "Promising"}
    with pytest.raises(SegmentMapError, match="no segment for R4 F1"):
        load_segment_map(holed)
    overlapping = {**SEGMENT_GRID, "Promising": {"r": (4,), "f": (1, 2)}}
    with pytest.raises(SegmentMapError, match="R4 F2 is both"):
        load_segment_map(overlapping)
    with pytest.raises(SegmentMapError, match="outside 1..5"):
        load_segment_map({**SEGMENT_GRID, "Extra": {"r": (6,), "f": (1,)}})
    with pytest.raises(SegmentMapError):
        score_rfm(_frame([1], [1], [1.0]), grid=holed)
