from dash import html

from webapp.components.shell import NAV, app_shell, navbar


def ids(component) -> list[str]:
    found = [component.id] if getattr(component, "id", None) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found += ids(child)
    return found


def test_navbar_links_only_registered_pages_and_shows_the_user(make_app):
    make_app()  # registers the pages of this codebase
    anonymous = ids(navbar(None))
    assert "nav-overview" in anonymous and "nav-data" in anonymous
    assert "nav-user" not in anonymous and "nav-logout" not in anonymous
    assert [label for _path, label in NAV] == ["Overview", "Segments", "Campaigns", "Runs", "Data"]
    signed_in = ids(navbar("alice"))
    assert "nav-user" in signed_in and "nav-logout" in signed_in


def find(component, id_):
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if (found := find(child, id_)) is not None:
            return found
    return None


def test_page_content_is_the_main_landmark_and_the_toggler_says_what_it_opens(make_app):
    make_app()
    shell = app_shell()
    main = find(shell, "main")
    assert isinstance(main, html.Main) and find(main, "_pages_content") is not None
    toggler = find(navbar(None), "nav-toggler")
    attrs = toggler.to_plotly_json()["props"]
    assert attrs["aria-controls"] == "nav-collapse" and find(navbar(None), "nav-collapse") is not None
    assert attrs["aria-expanded"] == "false" and attrs["className"] == "navbar-toggler"
