"""`ccms i18n extract` and `ccms i18n check`: the message catalogs (core/i18n_catalogs.py)."""

from __future__ import annotations

import sys

import click

from ccms_app.core.i18n import CODES, DEFAULT
from ccms_app.core.i18n_catalogs import problems, update_catalogs


@click.group()
def i18n() -> None:
    """Message catalogs of the languages CCMS speaks."""


@i18n.command("extract")
def extract() -> None:
    """Collect every marked message into ccms_app/locale/messages.pot and add new ones to
    each language's catalog (translations kept)."""
    for code, lacking in update_catalogs().items():
        click.echo(f"{code}: {lacking} messages to translate")


@i18n.command("check")
def check() -> None:
    """List what each language lacks against the template; exit 1 when anything does."""
    failed = False
    for code in sorted(CODES - {DEFAULT}):
        for problem in problems(code):
            failed = True
            click.echo(f"{code}\t{problem.what}\t{problem.msgid}")
    sys.exit(1 if failed else 0)
