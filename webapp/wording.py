"""Counts and phrases as people read them, the same in the CLI's text and on the web pages."""

from __future__ import annotations


def counted(n: int, noun: str) -> str:
    """"1 line", "2 lines", "12,345 rejected rows" (nouns here take a plain -s)."""
    return f"{n:,} {noun}{'s' * (n != 1)}"


def lines_and_rows(lines: int, rejected: int) -> str:
    """"1 line and 2 rejected rows": what a batch holds."""
    return f"{counted(lines, 'line')} and {counted(rejected, 'rejected row')}"


def in_the_chosen(*, dates: bool, countries: bool) -> str:
    """Which filters were set: " in the chosen dates and countries" ("" for none)."""
    parts = [name for name, on in (("dates", dates), ("countries", countries)) if on]
    return f" in the chosen {' and '.join(parts)}" if parts else ""


def later_batches(ids: list[str]) -> tuple[str, str, str]:
    """("later batch 2", "it", "that batch") or ("later batches 2, 3", "they", "those batches")."""
    if len(ids) == 1:
        return f"later batch {ids[0]}", "it", "that batch"
    return f"later batches {', '.join(ids)}", "they", "those batches"
