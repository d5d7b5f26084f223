"""Which runs form one series: runs asked for alike (preset, k as asked, cleaning rules)."""

from datetime import datetime

from analytics.run_series import group_series, series_key


def run(id_, as_of, *, preset="default", k=4, asked_k=None, rules=None, created=1):
    params = {"preset": preset, "k": asked_k, "rules": rules or {}, "random_state": id_}
    return {
        "id": id_,
        "as_of": as_of and datetime(2011, as_of, 1),
        "created_at": datetime(2026, 1, created),
        "preset": preset,
        "k": k,
        "params": params,
    }


def test_a_monthly_backfill_is_one_series_whatever_k_the_elbow_chose():
    # `segments run --preset reference` then `segments backfill --every month`: the elbow chose
    # k=4 in some months and k=5 in others (was: split into two families by the chosen k).
    backfill = [run(i, i, k=4 + i % 2) for i in range(1, 12)]
    reference = run(12, 12, preset="reference", k=4)
    series = group_series([reference, *backfill])
    assert [s.run_ids for s in series] == [tuple(range(11, 0, -1)), (12,)]
    assert (series[0].dates, series[0].first_as_of.month, series[0].last_as_of.month) == (11, 1, 11)
    assert series_key(reference).k == 4 and series_key(backfill[0]).k is None


def test_asked_k_and_cleaning_rules_split_series():
    runs = [
        run(1, 1, asked_k=4),
        run(2, 2, asked_k=4),
        run(3, 3),
        run(4, 3, rules={"returns": "net"}),
        run(5, 3, rules={"returns": "exclude", "include_non_product": False, "countries": []}),
    ]
    series = group_series(runs)
    # k=4 asked (2 dates) first; the default rules spelled out are the default rules (3 and 5).
    assert [s.run_ids for s in series] == [(2, 1), (5, 3), (4,)]
    assert series[1].dates == 1  # two runs, one as-of date


def test_reference_without_k_is_reference_with_k4_and_old_runs_without_params():
    asked = run(1, 1, preset="reference", asked_k=4)
    implied = run(2, 2, preset="reference")
    legacy = {**run(3, 3, preset="reference"), "params": {}}
    assert series_key(asked) == series_key(implied) == series_key(legacy)
