"""`db` and `analytics` are also names of unrelated PyPI projects: make sure ours are imported."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_wheel_ships_the_migrations(tmp_path):
    """A regular `pip install .` has no source tree to load migrations/ from: the wheel carries
    it as db/migrations. Built from a copy, so no build/ folder is left in the checkout."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("db", "analytics", "webapp", "migrations"):
        shutil.copytree(REPO_ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, src / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "out"), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "out").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"db/migrations/env.py", "db/migrations/script.py.mako"} | {
        f"db/migrations/versions/{p.name}" for p in (REPO_ROOT / "migrations" / "versions").glob("*.py")
    }
    assert len(expected) > 3 and expected <= names
    assert not any(n.startswith("migrations/") for n in names)  # no top-level package of that name
    # Every subpackage is listed by hand in pyproject.toml: the CLI's modules must ship.
    for sub in ("cli", "pages", "components"):
        shipped = {f"webapp/{sub}/{p.name}" for p in (REPO_ROOT / "webapp" / sub).glob("*.py")}
        assert len(shipped) > 2 and shipped <= names, sub
