"""One colour per segment label, the same in every run and on every page.

The labels analytics.labels can give have fixed colours (green "High value", red "At risk",
grey "Lost", ...); a label's numbered spare ("Steady mid-value 2") a darker shade of its colour;
any other name a colour chosen from the name itself (a digest, not Python's per-process
``hash``), so it too stays the same from run to run and from one server process to the next.
"""

from __future__ import annotations

import hashlib

from plotly.colors import qualitative

KNOWN = {
    "High value": "#2ca02c",
    "Promising": "#17becf",
    "Loyal": "#1f77b4",
    "Steady mid-value": "#9467bd",
    "New": "#bcbd22",
    "Big spenders, occasional": "#8c564b",
    "Needs attention": "#ff7f0e",
    "Can't lose": "#e377c2",
    "At risk": "#d62728",
    "Lost": "#7f7f7f",
}
OTHERS = tuple(c.lower() for c in qualitative.Dark24 if c.lower() not in KNOWN.values())
SPARE_SHADE = 0.6  # "Loyal 2": the colour of "Loyal" at 60% brightness


def _darker(colour: str, factor: float) -> str:
    rgb = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(v * factor):02x}" for v in rgb)


def label_colour(label: str) -> str:
    if label in KNOWN:
        return KNOWN[label]
    base, _, number = label.rpartition(" ")
    if base in KNOWN and number.isdigit():
        return _darker(KNOWN[base], SPARE_SHADE ** (int(number) - 1))
    digest = hashlib.sha256(label.encode("utf-8")).digest()
    return OTHERS[int.from_bytes(digest[:4], "big") % len(OTHERS)]


def label_colours(labels: list[str]) -> dict[str, str]:
    """``label_colour`` of each label (the same whatever the order or the other labels)."""
    return {label: label_colour(label) for label in labels}
