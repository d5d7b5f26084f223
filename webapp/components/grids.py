"""dash-ag-grid tables with the options every page wants (sortable, filterable, resizable)."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag


def column(field: str, header: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"field": field, "headerName": header or field.replace("_", " ").capitalize(), **extra}


# 541,909 rather than 541909; empty cells stay empty. Sorting and filtering use the raw value.
THOUSANDS = {"function": "params.value == null ? '' : d3.format(',')(params.value)"}


def number_column(
    field: str, header: str | None = None, *, ident: bool = False, **extra: Any
) -> dict[str, Any]:
    """A right-aligned number column with thousands separators (``ident``: an id, shown as is)."""
    if not ident:
        extra.setdefault("valueFormatter", THOUSANDS)
    return column(field, header, type="numericColumn", filter="agNumberColumnFilter", **extra)


# With suppressCellFocus there is no cell for Tab to go to after the last header, and AG Grid
# wraps back to the first header: a keyboard trap. Past either end of the header row, false
# hands Tab (or Shift+Tab) back to the browser, which moves on to the control after (before)
# the grid, or into a pagination bar. The headers themselves stay tab stops (Enter sorts).
LEAVE_HEADER_AT_ENDS = {"function": "params.nextHeaderPosition || false"}


def data_grid(
    grid_id: str, columns: list[dict[str, Any]], *, height: int = 360, **options: Any
) -> dag.AgGrid:
    grid_options = {
        "animateRows": False,
        "suppressCellFocus": True,
        "tabToNextHeader": LEAVE_HEADER_AT_ENDS,
        **options.pop("grid_options", {}),
    }
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        rowData=[],
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
        columnSize="responsiveSizeToFit",
        dashGridOptions=grid_options,
        style={"height": f"{height}px", "width": "100%"},
        **options,
    )
