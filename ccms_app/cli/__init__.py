"""The `ccms` console script: run the system (or its OCPP gateway or web UI alone), migrate, seed,
provision, API keys, simulate.

Configuration comes from CCMS_* environment variables (ccms_app.core.config). Each command
group lives in its own module, imported only when that command runs (`LazyGroup`), so
scripted loops over `ccms chargepoint register` / `ccms idtag add` load the provisioning code
and nothing else (not Alembic, the demo seed or the OCPP simulator).

Exit codes: 0 success, 1 failure at run time, 2 bad input (usage errors, invalid values).
"""

from __future__ import annotations

import logging
import sys

import click

from ccms_app.cli.lazy_group import LazyGroup
from ccms_app.core.config import get_settings
from ccms_app.core.logging import configure_logging

COMMANDS = {
    "db": "ccms_app.cli.database:db",
    "seed-demo": "ccms_app.cli.database:seed_demo_command",
    "create-admin": "ccms_app.cli.accounts:create_admin",
    "chargepoint": "ccms_app.cli.provisioning:chargepoint",
    "idtag": "ccms_app.cli.provisioning:idtag",
    "apikey": "ccms_app.cli.api_keys:apikey",
    "simulate": "ccms_app.cli.simulate:simulate",
    "run": "ccms_app.cli.run:run",
    "ocpp-gateway": "ccms_app.cli.gateway:ocpp_gateway",
    "web": "ccms_app.cli.web:web",
    "i18n": "ccms_app.cli.i18n:i18n",
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
def cli() -> None:
    """CCMS: an OCPP 1.6J charging station management system.

    Configured by CCMS_* environment variables (see README.md).
    """


def main() -> None:
    """Console-script entry point: read the settings, set up logging, dispatch."""
    try:
        settings = get_settings()
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    configure_logging(settings.log_level)
    # Alembic announces each of its plugins at INFO; the migrations themselves stay visible.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    cli(prog_name="ccms")
