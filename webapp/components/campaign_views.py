"""Pure view helpers of the Campaigns page: list frame -> grid rows, options, summary text."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from analytics.countries import match_countries
from analytics.export import resolve_segment
from analytics.segment_map import SEGMENT_GRID
from webapp.components.grids import column, number_column
from webapp.money import money_spec, with_unit


def grid_columns(currency: str | None = None) -> list[dict[str, Any]]:
    """The target list's columns, those of the CSV in its order; the spend column's title names
    the currency, if one is set (its cells stay numbers, as in the CSV). "Segment" is the
    customer's cluster label, "RFM segment" its named R x F cell: one name can be both."""
    spend_format = {"function": f"d3.format('{money_spec(currency)}')(params.value)"}
    return [
        column("customer_id", "Customer", maxWidth=130),
        column("country", "Country"),
        number_column("recency_days", "Recency (days)"),
        number_column("frequency", "Orders"),
        number_column("monetary", with_unit("Spend", currency), valueFormatter=spend_format),
        column("rfm_score", "RFM", maxWidth=100),
        column("rfm_segment", "RFM segment"),
        column("segment", "Segment"),
        column("action", "Suggested action", flex=2),
        column("last_purchase", "Last purchase"),
    ]


GRID_COLUMNS = grid_columns()


def grid_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows with the CSV's columns and values (timestamps as the CSV writes them)."""
    if frame.empty:
        return []
    out = frame.copy()
    out["last_purchase"] = out["last_purchase"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out["country"] = out["country"].astype(object).where(out["country"].notna(), "")
    return out.to_dict("records")


def segment_options(labels: dict[str, int], rfm_sizes: dict[str, int] | None = None) -> list[dict[str, str]]:
    """Cluster labels of the run, then the named RFM segments, each with its number of customers
    in the run (``rfm_sizes``: RFM segment -> customers; one the run lacks has 0)."""
    clusters = [
        {"label": f"{label} (cluster, {size:,})", "value": f"cluster:{label}"}
        for label, size in labels.items()
    ]
    if rfm_sizes is None:
        named = [{"label": f"{name} (RFM)", "value": f"rfm:{name}"} for name in SEGMENT_GRID]
    else:
        named = [
            {"label": f"{name} (RFM, {int(rfm_sizes.get(name, 0)):,})", "value": f"rfm:{name}"}
            for name in SEGMENT_GRID
        ]
    return clusters + named


def segment_values(values: list[str], labels: dict[str, int] | list[str]) -> list[str]:
    """Chosen segments as the values of ``segment_options``: a link's bare name ("High value",
    the CLI's ``--segment`` form) becomes "cluster:High value" when it is a cluster label of the
    run, else "rfm:<name>" when it is a named RFM segment, as ``analytics.export.resolve_segment``
    reads it (any case where that is one name). Anything else is kept as given (shown as unknown)."""
    out: list[str] = []
    for value in values:
        try:
            chosen = ":".join(resolve_segment(value, labels=list(labels)))
        except ValueError:
            chosen = value
        if chosen not in out:
            out.append(chosen)
    return out


def country_values(values: list[str], options: list[dict[str, Any]]) -> list[str]:
    """Chosen countries in the options' spelling (a link's "france" is "France", as the list
    matches it); a country no option has is kept as given (shown as unknown)."""
    known = [o["value"] for o in options]
    out: list[str] = []
    for value in values:
        matched, _unknown = match_countries([value], known)
        chosen = matched[0] if matched else value
        if chosen not in out:
            out.append(chosen)
    return out


def label_options(labels: list[str] | dict[str, int]) -> list[dict[str, str]]:
    return [{"label": label, "value": label} for label in labels]


def country_options(assignments: pd.DataFrame) -> list[dict[str, str]]:
    countries = sorted(assignments["country"].dropna().unique())
    return [{"label": c, "value": c} for c in countries]


# Count and revenue at stake (sum of spend) of the rows the grid shows after its own filtering,
# and their customer ids in the grid's order (what the export sends back). Computed in the
# browser: sending every shown row to the server would move a megabyte on the real data.
# ``unit``: what goes before an amount (webapp.money.unit_prefix: "£", "CHF " or "").
SHOWN_SUMMARY_JS = """
function(rows, unit) {
    rows = Array.isArray(rows) ? rows : [];
    let revenue = 0;
    const ids = [];
    rows.forEach(function (row) {
        const value = row ? row.monetary : null;
        if (typeof value === "number" && isFinite(value)) { revenue += value; }
        if (row && typeof row.customer_id === "string") { ids.push(row.customer_id); }
    });
    const cents = {minimumFractionDigits: 2, maximumFractionDigits: 2};
    const amount = Math.abs(revenue).toLocaleString("en-US", cents);
    const money = (revenue < 0 ? "-" : "") + (typeof unit === "string" ? unit : "") + amount;
    const noun = rows.length === 1 ? "customer" : "customers";
    return [rows.length.toLocaleString("en-US") + " " + noun + ", revenue at stake " + money, ids];
}
"""


# The count line when no run is chosen: empty (the list says to choose a run), not "0 customers".
SHOWN_SUMMARY_FOR_RUN_JS = (
    "function(rows, run, unit) {"
    " if (run === null || run === undefined || run === '') { return ['', []]; }"
    f" return ({SHOWN_SUMMARY_JS.strip()})(rows, unit); }}"
)


def with_unknown(values: list[str], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``options`` plus one marked "(unknown)" per chosen value that is not among them: a shared
    link's unknown segment stays visible (and is refused with a message) rather than vanishing
    and leaving a broader list than the link asked for."""
    allowed = {o["value"] for o in options}
    return options + [{"label": f"{v} (unknown)", "value": v} for v in values if v not in allowed]


def with_code(text: str) -> list:
    """A message whose `backticked` parts (commands) are shown as code, without the backticks."""
    parts = text.split("`")
    return [html.Code(p) if n % 2 else p for n, p in enumerate(parts) if p]


def problems_notice(problems: list[str]) -> html.Div:
    """Why nobody is listed: the filters that cannot be applied as shown."""
    return html.Div(
        [
            html.Div("No list until these filters are fixed:", className="fw-semibold"),
            html.Ul([html.Li(p) for p in problems], className="mb-0"),
        ],
        className="alert alert-warning",
        id="campaigns-filter-problems",
    )
