"""A form control under its visible label, the one way every page labels its controls."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc


def labelled(label: Any, control: Any, **col: Any) -> dbc.Col:
    """``control`` (any Dash control with an id) under ``label``, linked by ``html_for``; a
    dcc.Dropdown gets its name through assets/control_labels.js (Dash 4 names it by its value)."""
    return dbc.Col([dbc.Label(label, html_for=control.id, className="small mb-1"), control], **col)
