"""When serving is safe: the rules ``segments serve`` checks before it binds a socket."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1), by its text alone.

    Any other name may resolve anywhere: ``x.localhost`` too, since resolvers need not keep the
    .localhost zone on loopback, and a name in a Host header says nothing of where it resolved.
    """
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost: assume it is reachable from the network


def host_header_is_loopback(host: str) -> bool:
    """Whether a request's Host header (``name[:port]``) names this machine by a loopback name.

    A page on a domain that rebinds to 127.0.0.1 reaches the server under that domain's name."""
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:  # an unbalanced "[" and the like
        return False
    return name is not None and is_loopback(name)


def serve_refusal(host: str, *, users_exist: bool, no_auth: bool, secret_key: str | None) -> str | None:
    """Why serving on ``host`` is refused (one line), or None when it may go ahead."""
    if is_loopback(host):
        return None
    if not users_exist and not no_auth:
        return (
            f"refusing to serve on {host} without a login: add a user with `segments users add NAME` "
            "or pass --no-auth to serve the data to anyone who can reach this address"
        )
    if users_exist and not no_auth and not secret_key:
        return (
            f"refusing to serve logins on {host} without SEGMENTS_SECRET_KEY: set it to a long random "
            "value (it signs the session cookies; logins then survive restarts)"
        )
    return None


def auth_mode(host: str, *, no_auth: bool) -> bool | None:
    """``create_app``'s ``auth_required`` for a server on ``host``.

    On a network address the login stays required for as long as the server runs, even if the
    last user is removed meanwhile; on loopback the dashboard is open until a user exists.
    """
    if no_auth:
        return False
    return None if is_loopback(host) else True
