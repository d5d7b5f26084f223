from webapp.components.shell import NAV, navbar


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
