"""`db` and `analytics` are also names of unrelated PyPI projects: make sure ours are imported."""

from pathlib import Path

import analytics
import db
import webapp

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_packages_come_from_this_repository():
    for module in (db, analytics, webapp):
        assert Path(module.__file__).resolve().parent.parent == REPO_ROOT


def test_every_listed_command_loads():
    """The lazy command map names module:attribute pairs; each must be a click command."""
    import click

    from webapp.cli import COMMANDS, cli

    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.name == name
