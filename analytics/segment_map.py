"""The named RFM segments: the common R x F grid, as data, checked to cover every cell once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# name -> the R scores and F scores it covers (its cells are every R x F combination).
SEGMENT_GRID: dict[str, dict[str, tuple[int, ...]]] = {
    "Champions": {"r": (5,), "f": (4, 5)},
    "Loyal Customers": {"r": (3, 4), "f": (4, 5)},
    "Potential Loyalists": {"r": (4, 5), "f": (2, 3)},
    "New Customers": {"r": (5,), "f": (1,)},
    "Promising": {"r": (4,), "f": (1,)},
    "Need Attention": {"r": (3,), "f": (3,)},
    "About to Sleep": {"r": (3,), "f": (1, 2)},
    "At Risk": {"r": (1, 2), "f": (3, 4)},
    "Can't Lose Them": {"r": (1, 2), "f": (5,)},
    "Hibernating": {"r": (1, 2), "f": (1, 2)},
}

SCORES = (1, 2, 3, 4, 5)


class SegmentMapError(ValueError):
    """A segment grid that leaves a cell unnamed, names one twice, or uses a score outside 1..5."""


def load_segment_map(
    grid: Mapping[str, Mapping[str, Sequence[int]]] = SEGMENT_GRID,
) -> dict[tuple[int, int], str]:
    """``{(r, f): name}`` for all 25 cells; raises SegmentMapError unless each is named exactly once."""
    cells: dict[tuple[int, int], str] = {}
    problems: list[str] = []
    for name, axes in grid.items():
        if set(axes) != {"r", "f"}:
            problems.append(f"{name!r} must list exactly 'r' and 'f' scores")
            continue
        for r in axes["r"]:
            for f in axes["f"]:
                if r not in SCORES or f not in SCORES:
                    problems.append(f"{name!r} uses R{r} F{f}, outside 1..5")
                elif (r, f) in cells:
                    problems.append(f"R{r} F{f} is both {cells[(r, f)]!r} and {name!r}")
                else:
                    cells[(r, f)] = name
    missing = [f"R{r} F{f}" for r in SCORES for f in SCORES if (r, f) not in cells]
    if missing:
        problems.append("no segment for " + ", ".join(missing))
    if problems:
        raise SegmentMapError("; ".join(problems))
    return cells
