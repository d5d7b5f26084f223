"""The ``segments`` command: one group, commands registered from small modules by topic."""

from __future__ import annotations

import click

from webapp.cli_analytics import analytics_commands
from webapp.cli_common import run_main
from webapp.cli_data import data_commands
from webapp.cli_sample import sample_commands
from webapp.cli_web import web_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="customer-segments")
def cli() -> None:
    """Customer segmentation (RFM, K-Means) of retail transactions."""


for _command in data_commands + sample_commands:
    cli.add_command(_command)
for _command in web_commands:
    cli.add_command(_command)
for _command in analytics_commands:
    cli.add_command(_command)


def main() -> None:
    run_main(cli)
