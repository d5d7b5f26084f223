"""The frame around every page: navigation bar (with the signed-in user) and page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, clientside_callback, html
from flask import has_request_context, session

# The navigation order is fixed; a link shows once its page module is registered.
NAV = [
    ("/", "Overview"),
    ("/segments", "Segments"),
    ("/campaigns", "Campaigns"),
    ("/runs", "Runs"),
    ("/data", "Data"),
]


def _registered_paths() -> set[str]:
    return {page["path"] for page in dash.page_registry.values()}


def navbar(user: str | None) -> dbc.Navbar:
    paths = _registered_paths()
    links = [
        dbc.NavItem(dbc.NavLink(label, href=path, active="exact", id=f"nav-{label.lower()}"))
        for path, label in NAV
        if path in paths
    ]
    right = []
    if user:
        right = [
            html.Span(user, id="nav-user", className="navbar-text text-light me-3"),
            html.Form(
                dbc.Button("Log out", id="nav-logout", type="submit", size="sm", color="light", outline=True),
                action="/logout",
                method="POST",
                className="d-flex mb-0",
            ),
        ]
    # Below the md breakpoint the links fold behind a toggler: on a phone they took ~200 px.
    menu = dbc.Collapse(
        [
            dbc.Nav(links, navbar=True, className="me-auto"),
            html.Div(right, className="d-flex align-items-center"),
        ],
        id="nav-collapse",
        navbar=True,
        is_open=False,
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Customer segments", href="/"),
                # Bootstrap's toggler markup: dbc.NavbarToggler takes no aria-* attributes, and a
                # screen reader needs to hear what it opens and whether that is open.
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    id="nav-toggler",
                    n_clicks=0,
                    type="button",
                    className="navbar-toggler",
                    **{
                        "aria-controls": "nav-collapse",
                        "aria-expanded": "false",
                        "aria-label": "Toggle navigation",
                    },
                ),
                menu,
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="md",
    )


# In the browser (no server round trip): the toggler opens and closes the menu; following a
# link closes it, or it would stay open over the next page on a phone.
clientside_callback(
    """function(n, path, open) {
        const ctx = window.dash_clientside.callback_context;
        const byToggler = ctx.triggered.some(t => t.prop_id === "nav-toggler.n_clicks");
        const now = byToggler ? !open : false;
        return [now, String(now)];
    }""",
    Output("nav-collapse", "is_open"),
    Output("nav-toggler", "aria-expanded"),
    Input("nav-toggler", "n_clicks"),
    Input("_pages_location", "pathname"),
    State("nav-collapse", "is_open"),
    prevent_initial_call=True,
)


def app_shell() -> html.Div:
    """The app layout; a function so every page load shows the current user."""
    user = session.get("user") if has_request_context() else None
    # <main>: the landmark screen readers jump to, past the navigation.
    main = html.Main(dbc.Container(dash.page_container, fluid=True), className="app-main", id="main")
    return html.Div([navbar(user), main])
