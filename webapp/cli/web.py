"""Web commands: ``segments serve`` and ``segments users add|remove|list``."""

from __future__ import annotations

import os
import socket
import sys

import click
from sqlalchemy.orm import Session

from db.session import for_writing
from db.settings import Settings, SettingsError
from webapp.cache_dirs import job_cache_dir
from webapp.cli.common import (
    UserError,
    db_option,
    handle_db_errors,
    json_option,
    load_settings,
    open_database,
    print_json,
)
from webapp.serving import auth_mode, is_loopback, serve_refusal
from webapp.users import (
    UserAdminError,
    add_user,
    list_users,
    remove_user,
    users_exist,
    validate_password,
    validate_username,
)

PASSWORD_ENV = "SEGMENTS_USER_PASSWORD"
# A missing database has no users: what `users list` / `remove` say of it.
NO_USERS = "so no users: add one with 'segments users add NAME'"


@click.group("users")
def users_group() -> None:
    """Dashboard logins (once one exists, the web app requires a login)."""


@users_group.command("add")
@click.argument("name")
@db_option
@handle_db_errors
def users_add(name: str, db_url: str | None) -> None:
    """Add user NAME; the password is prompted twice (or read from $SEGMENTS_USER_PASSWORD)."""
    try:
        validate_username(name)  # before the password is typed, twice
    except UserAdminError as exc:
        raise UserError(str(exc)) from exc
    given = os.environ.get(PASSWORD_ENV)
    if given == "":  # set on purpose, yet empty: a script's missing secret, not a cue to prompt
        raise UserError(f"{PASSWORD_ENV} is empty: set it to the password, or unset it to be asked")
    if given:  # refused before the database is opened (which would create a new one)
        try:
            validate_password(given)
        except UserAdminError as exc:
            raise UserError(str(exc)) from exc
    engine = open_database(load_settings(db_url), create=True)  # a new team may start here
    password = given or _prompt_password(name)
    try:
        with Session(for_writing(engine)) as s, s.begin():
            add_user(session=s, username=name, password=password)
    except UserAdminError as exc:
        raise UserError(str(exc)) from exc
    click.echo(f"user {name} added; the dashboard now requires a login")


def _prompt_password(name: str) -> str:
    # Piped in rather than typed there is nothing to hide (getpass would warn that it cannot).
    hide = sys.stdin.isatty()
    try:
        return click.prompt(f"Password for {name}", hide_input=hide, confirmation_prompt=True)
    except click.Abort as exc:  # end of input before a password
        raise UserError(f"no password given: set {PASSWORD_ENV}, or type it when asked") from exc


@users_group.command("remove")
@click.argument("name")
@db_option
@handle_db_errors
def users_remove(name: str, db_url: str | None) -> None:
    """Remove user NAME (their open sessions stop working)."""
    engine = open_database(load_settings(db_url), advice=NO_USERS)
    try:
        with Session(for_writing(engine)) as s, s.begin():
            name = remove_user(session=s, username=name)
            left = users_exist(session=s)
    except UserAdminError as exc:
        raise UserError(str(exc)) from exc
    # As webapp.auth and serving do: a server started on a network address keeps requiring a
    # login (auth_mode), and `serve` there refuses to start without users (serve_refusal).
    note = (
        ""
        if left
        else "; no users left: served on localhost the dashboard is open again; one already "
        "running on a network address keeps requiring a login and answers 503 until a user is "
        "added, and a new 'segments serve' there refuses to start without one"
    )
    click.echo(f"user {name} removed{note}")


@users_group.command("list")
@db_option
@json_option
@handle_db_errors
def users_list(db_url: str | None, as_json: bool) -> None:
    """List the dashboard users."""
    engine = open_database(load_settings(db_url), advice=NO_USERS)
    with Session(engine) as s:
        users = list_users(session=s)
    if as_json:
        print_json({"users": users})
        return
    if not users:
        click.echo("no users: the dashboard is open to anyone who can reach it")
    for user in users:
        click.echo(f"{user['username']}\tadded {user['created_at']:%Y-%m-%d %H:%M} UTC")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-auth", is_flag=True, help="Serve without login even on a network address.")
@db_option
@handle_db_errors
def serve(host: str, port: int, no_auth: bool, db_url: str | None) -> None:
    """Serve the dashboard (one process; use gunicorn webapp.wsgi:server in production)."""
    serve_dashboard(load_settings(db_url), host=host, port=port, no_auth=no_auth)


def check_listen(host: str, port: int) -> None:
    """Refuse a host that does not resolve or a port in use before announcing the URL."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            # As the server will: a port left in TIME_WAIT by a stopped server is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # socket.gaierror included
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve_dashboard(settings: Settings, *, host: str, port: int, no_auth: bool = False) -> None:
    """Check the serving rules, print the URL and serve until interrupted (also used by demo)."""
    if not host.strip():
        raise UserError("--host is empty: give an address to listen on, such as 127.0.0.1")
    check_listen(host, port)  # a bad address is the first thing to say (was: a missing secret key)
    engine = open_database(settings, create=True)  # files can be uploaded in the browser
    with Session(engine) as s:
        have_users = users_exist(session=s)
    refusal = serve_refusal(host, users_exist=have_users, no_auth=no_auth, secret_key=settings.secret_key)
    if refusal:
        raise UserError(refusal)
    try:
        job_cache_dir(settings)
    except SettingsError as exc:
        raise UserError(str(exc)) from exc

    from webapp.app import create_app  # Dash is heavy: only serving pays for it

    mode = auth_mode(host, no_auth=no_auth)
    app = create_app(settings, auth_required=mode, warm_cache=True, loopback=is_loopback(host))
    shown = f"[{host}]" if ":" in host else host
    login = "login required" if have_users and not no_auth else "no login"
    click.echo(f"Serving the dashboard at http://{shown}:{port}/ ({login}); press Ctrl+C to stop")
    app.run(host=host, port=port, debug=False, threaded=True)
