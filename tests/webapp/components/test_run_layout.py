"""Runs page layout: every form control is named by its visible label; run names fit."""

import dash_bootstrap_components as dbc
from dash import dcc
from dash.development.base_component import Component

from webapp.components.run_layout import HISTORY_COLUMNS, runs_layout


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if isinstance(child, Component):
            yield from _walk(child)


def test_every_label_is_linked_to_its_control():
    tree = list(_walk(runs_layout({})))
    controls = {c.id for c in tree if isinstance(c, (dcc.Dropdown, dbc.Input, dbc.RadioItems))}
    labelled_by = {getattr(c, "aria-labelledby", None) for c in tree}
    labels = {c.children: c for c in tree if isinstance(c, dbc.Label)}
    assert set(labels) == {
        "Preset", "k", "As of (empty: all data)", "Name", "Run A", "Run B", "Runs made with"
    }
    targets = {text: label.html_for for text, label in labels.items() if text != "Preset"}
    assert targets == {
        "k": "runs-k",
        "As of (empty: all data)": "runs-as-of",
        "Name": "runs-name",
        "Run A": "runs-a",
        "Run B": "runs-b",
        "Runs made with": "runs-series",
    }
    assert set(targets.values()) <= controls
    # The radio buttons have their own labels; "Preset" names their group.
    assert labels["Preset"].id in labelled_by


def test_history_names_are_wide_enough_and_show_whole_on_hover():
    name = next(c for c in HISTORY_COLUMNS if c["field"] == "name")
    # "month end 2011-11" is ~150 px with the cell's padding; longer names wrap.
    assert name["minWidth"] >= 160 and name["tooltipField"] == "name" and name["wrapText"]
