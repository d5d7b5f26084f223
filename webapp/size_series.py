"""The Runs page's "Segment sizes over time": which series of runs it draws, and in what words.

A series is the runs made with the same options at different as-of dates (analytics.run_series).
The picker lists every series, the one with the most as-of dates first and chosen by default:
after ``segments run --preset reference`` and ``segments backfill --every month`` that is the
monthly backfill, not the single reference run. Its value is the series' latest run id, so a
run id from anywhere (an old value, a URL) selects the series that run belongs to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from analytics.run_series import Series, SeriesKey
from analytics.runs import default_rules
from analytics.segmentation import fixed_k
from webapp.browser_values import as_int, as_shown
from webapp.wording import counted


def _day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "no date"


def describe(key: SeriesKey) -> str:
    """ "preset default, k by the elbow", then any cleaning rule not the preset's own."""
    parts = [f"preset {key.preset}", "k by the elbow" if key.k is None else f"k={key.k}"]
    defaults = default_rules(key.preset)
    if key.include_non_product != defaults.include_non_product:
        parts.append("with non-product lines" if key.include_non_product else "without non-product lines")
    if key.returns != defaults.returns:
        parts.append(f"returns {key.returns}")
    parts += [f"from {key.start}"] if key.start else []
    parts += [f"to {key.end}"] if key.end else []
    parts += [f"countries {', '.join(key.countries)}"] if key.countries else []
    return ", ".join(parts)


def backfill_command(key: SeriesKey) -> str | None:
    """The ``segments backfill`` that adds monthly runs to this series (None: runs limited to
    dates or countries, which backfill does not make)."""
    if key.start or key.end or key.countries:
        return None
    words = ["segments backfill --every month"]
    words += [f"--preset {key.preset}"] if key.preset != "default" else []
    words += [f"--k {key.k}"] if key.k != fixed_k(key.preset, None) else []
    defaults = default_rules(key.preset)
    if key.include_non_product != defaults.include_non_product:
        words.append("--include-non-product" if key.include_non_product else "--exclude-non-product")
    words += [f"--returns {key.returns}"] if key.returns != defaults.returns else []
    return " ".join(words)


def _span(series: Series) -> str:
    runs = counted(len(series.run_ids), "run")
    if series.dates <= 1:
        return f"{runs}, as of {_day(series.last_as_of)}"
    return f"{runs}, {series.dates} as-of dates from {_day(series.first_as_of)} to {_day(series.last_as_of)}"


def series_options(series: list[Series]) -> list[dict[str, Any]]:
    return [{"label": f"{describe(s.key)}: {_span(s)}", "value": s.run_ids[0]} for s in series]


def pick_series(series: list[Series], run_id: int | None) -> Series | None:
    """The series holding ``run_id``; without one (or an unknown id), the longest."""
    return next((s for s in series if run_id in s.run_ids), series[0] if series else None)


def unknown_series(value: object, series: list[Series]) -> str | None:
    """Why a run asked for (a link's ``?series=``) picks no series, else None: named above the
    default series drawn instead, never replaced by it silently."""
    text = as_shown(value)
    run_id = as_int(value, minimum=1)
    if text is None or any(run_id in s.run_ids for s in series):
        return None
    if run_id is None:
        return f"'{text}' is not a run number"
    return f"Run {run_id} is in no series of finished runs"


def unknown_series_option(value: object, series: list[Series]) -> dict[str, Any] | None:
    """The picker's marked (disabled) option for a run that picks no series, else None."""
    if unknown_series(value, series) is None:
        return None
    run_id = as_int(value, minimum=1)
    shown = run_id if run_id is not None else as_shown(value)
    label = f"#{run_id} (in no series)" if run_id is not None else f"{shown} (not a run)"
    return {"label": label, "value": shown, "disabled": True}


def series_sizes(sizes: pd.DataFrame, series: list[Series], run_id: object) -> tuple[pd.DataFrame, str]:
    """The sizes of the runs of the chosen series and a caption saying which runs they are
    (``run_id`` in none: the default series, with a caption naming the value)."""
    chosen = pick_series(series, as_int(run_id, minimum=1))
    if chosen is None:
        return sizes.iloc[0:0], ""
    others = len(series) - 1
    unknown = unknown_series(run_id, series)
    caption = f"{unknown}; showing the series with the most as-of dates. " if unknown else ""
    caption += f"Runs made with {describe(chosen.key)} ({_span(chosen)})"
    caption += ", each at its as-of date." if chosen.dates > 1 else "."
    if len(chosen.run_ids) > chosen.dates:
        caption += " Of runs with the same as-of date, the newest is drawn."
    command = backfill_command(chosen.key)
    if chosen.dates <= 1 and command:
        caption += f' Only one as-of date in this series: "{command}" makes one run per month end.'
    elif chosen.dates <= 1:
        caption += " Only one as-of date in this series."
    if others:
        caption += (
            f" {others} other series (another preset, k or cleaning rules: they split customers "
            "differently) can be picked above."
        )
    return sizes[sizes["run_id"].isin(chosen.run_ids)], caption
