"""Small helpers several `ccms` commands share."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url


def ask_password() -> str:
    """Ask for a password twice, without echo."""
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def safe_url(url: str) -> str:
    """The database URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)
