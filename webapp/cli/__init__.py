"""The ``segments`` command: one group whose commands are imported only when used.

Commands live in small modules by topic. Loading them lazily keeps `segments ingest` from paying
for scikit-learn and Dash at start-up (seconds, and ~150 MB of memory).
"""

from __future__ import annotations

import importlib
import sys

import click

# name -> (module:attribute, one-line help shown by `segments --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("webapp.cli.demo:demo", "Sample data -> database -> runs -> dashboard, in one go."),
    "db": ("webapp.cli.data:db_group", "Database schema management."),
    "batches": ("webapp.cli.batches:batches_group", "List import batches; remove a wrong import."),
    "ingest": ("webapp.cli.data:ingest", "Load a transaction export (CSV, CSV.gz, XLSX, ODS)."),
    "sample-data": ("webapp.cli.sample:sample_data", "Write a synthetic export in the UCI layout."),
    "trends": ("webapp.cli.analytics:trends_command", "Sales trends and KPIs."),
    "run": ("webapp.cli.runs:run_command", "Run an RFM + K-Means segmentation and store it."),
    "runs": ("webapp.cli.runs:runs_command", "List stored segmentation runs."),
    "show": ("webapp.cli.runs:show_command", "Show one stored run."),
    "backfill": ("webapp.cli.runs:backfill_command", "One run per month end, to follow segments."),
    "compare": ("webapp.cli.campaigns:compare_command", "Compare two runs: migration matrix, ARI."),
    "export": ("webapp.cli.campaigns:export_command", "Export a campaign target list as CSV."),
    "serve": ("webapp.cli.web:serve", "Serve the dashboard."),
    "users": ("webapp.cli.web:users_group", "Manage dashboard logins."),
}


class OneLineUsageError(click.UsageError):
    """A usage mistake as one line (Click prints the usage block, a hint and the error)."""

    def show(self, file: object = None) -> None:
        path = self.ctx.command_path if self.ctx else "segments"
        message = " ".join(self.format_message().split())
        click.echo(f"error: {path}: {message} (see '{path} --help')", err=True)


# A group called without a command shows its help (Click 8.2+): that stays as it is.
_HELP = getattr(click.exceptions, "NoArgsIsHelpError", OneLineUsageError)


def _one_line(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, (OneLineUsageError, _HELP)):
        return exc
    return OneLineUsageError(exc.format_message(), exc.ctx)


class LazyGroup(click.Group):
    def make_context(self, *args, **kwargs) -> click.Context:  # noqa: ANN002, ANN003
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _one_line(exc) from exc

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target[0].partition(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(name="segments", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="customer-segments")
def cli() -> None:
    """Customer segmentation (RFM, K-Means) of retail transactions."""


def main() -> None:
    try:
        # The database and Arrow libraries load here, for a second or so: a Ctrl-C meanwhile
        # would print their import traceback (click answers later ones with "Aborted!").
        from webapp.cli.common import run_main
    except KeyboardInterrupt:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    run_main(cli)
